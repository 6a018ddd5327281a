//! End-to-end: `opsbook watch` and `opsbook serve` as processes on a temporary tree, edited
//! the way editors and people edit. Every wait is bounded polling, never a fixed sleep.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use common::running::{PATIENCE, Running};

fn step(name: &str, timeout_s: u32) -> String {
    format!(
        "/// The {name} step.\n///\n/// # Operations\n/// - workflow: checkout\n/// - depends-on: payments-db\n\
         /// - timeout: {timeout_s}s\n/// - idempotent: yes\n/// - owner: team-payments\n///\n/// # Recovery\n\
         /// 1. Retry the {name} step.\npub async fn {name}() {{}}\n"
    )
}

fn graph(book: &Path) -> Option<Value> {
    serde_json::from_str(&std::fs::read_to_string(book.join("graph.json")).ok()?).ok()
}

fn step_node(graph: &Value, name: &str) -> Option<Value> {
    graph["nodes"].as_array()?.iter().find(|n| n["kind"] == "step" && n["name"] == name).cloned()
}

fn timeout_of(book: &Path, name: &str) -> Option<u64> {
    step_node(&graph(book)?, name)?["timeout_ms"].as_u64()
}

fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/pay.rs"), step("charge_card", 5)).unwrap();
    std::fs::write(root.join("compose.yaml"), "services:\n  api:\n    image: api:1\n").unwrap();
    let book = root.join("book");
    (dir, root, book)
}

#[test]
fn watch_follows_edits_renames_breaks_and_deletes() {
    let (_dir, root, book) = tree();
    let mut w = Running::start(&["watch"], &root);
    w.wait_for("the first build", |_| timeout_of(&book, "charge_card") == Some(5000));
    w.wait_for("the watcher", |err| err.contains("Watching for changes"));

    // A plain write.
    std::fs::write(root.join("src/pay.rs"), step("charge_card", 9)).unwrap();
    w.wait_for("the edited timeout", |_| timeout_of(&book, "charge_card") == Some(9000));
    let page = common::read(&book, "steps/charge-card.html");
    assert!(page.contains("9 s") || page.contains("9s"), "the runbook shows the new timeout");
    w.wait_for("the rebuild line", |err| err.contains("Rebuilt after src/pay.rs"));

    // An editor's save: a temporary file renamed over the source.
    std::fs::write(root.join("src/.pay.rs.swp"), step("charge_card", 12)).unwrap();
    std::fs::rename(root.join("src/.pay.rs.swp"), root.join("src/pay.rs")).unwrap();
    w.wait_for("the renamed-over timeout", |_| timeout_of(&book, "charge_card") == Some(12000));

    // A broken edit: the last good facts stay, the diagnostic is printed with its line.
    std::fs::write(
        root.join("src/pay.rs"),
        "/// The charge_card step.\n///\n/// # Operations\n/// - timeout: 12s\npub async fn charge_card( {\n",
    )
    .unwrap();
    w.wait_for("the parse error", |err| err.contains("src/pay.rs does not parse"));
    assert!(w.stderr().contains("src/pay.rs:5:"), "the diagnostic names the line:\n{}", w.stderr());
    w.wait_for("the parse-error finding", |_| {
        graph(&book).is_some_and(|g| common::findings(&g, "parse-error").iter().any(|f| f["file"] == "src/pay.rs"))
    });
    assert_eq!(timeout_of(&book, "charge_card"), Some(12000), "the last good facts stay");
    assert!(book.join("steps/charge-card.html").is_file());

    // A new file, then its deletion: its page comes and goes.
    std::fs::write(root.join("src/ship.rs"), step("ship_order", 30)).unwrap();
    w.wait_for("the new step", |_| timeout_of(&book, "ship_order") == Some(30000));
    assert!(book.join("steps/ship-order.html").is_file());
    std::fs::remove_file(root.join("src/ship.rs")).unwrap();
    w.wait_for("the deleted step", |_| graph(&book).is_some_and(|g| step_node(&g, "ship_order").is_none()));
    assert!(!book.join("steps/ship-order.html").exists(), "a deleted file's page goes");

    // Fixed again, the book equals a fresh build of the tree, file for file.
    std::fs::write(root.join("src/pay.rs"), step("charge_card", 7)).unwrap();
    w.wait_for("the fixed file", |_| timeout_of(&book, "charge_card") == Some(7000));
    w.wait_for("no parse error", |_| graph(&book).is_some_and(|g| common::findings(&g, "parse-error").is_empty()));
    drop(w);
    let (fresh, output) = common::build(&root);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let fresh = fresh.path().join("book");
    for page in ["graph.json", "index.html", "failure-points.html", "steps/charge-card.html"] {
        assert_eq!(common::read(&book, page), common::read(&fresh, page), "{page}");
    }
}

#[test]
fn watch_follows_a_renamed_and_a_removed_folder() {
    let (_dir, root, book) = tree();
    std::fs::create_dir_all(root.join("billing")).unwrap();
    std::fs::write(root.join("billing/invoice.rs"), step("send_invoice", 20)).unwrap();
    let mut w = Running::start(&["watch"], &root);
    w.wait_for("the first build", |_| timeout_of(&book, "send_invoice") == Some(20000));
    w.wait_for("the watcher", |err| err.contains("Watching for changes"));
    // A renamed folder: the facts follow the files to their new paths.
    std::fs::rename(root.join("billing"), root.join("invoicing")).unwrap();
    w.wait_for("the renamed folder", |_| {
        graph(&book)
            .and_then(|g| step_node(&g, "send_invoice"))
            .is_some_and(|n| n["sources"][0]["file"] == "invoicing/invoice.rs")
    });
    std::fs::remove_dir_all(root.join("invoicing")).unwrap();
    w.wait_for("the removed folder", |_| graph(&book).is_some_and(|g| step_node(&g, "send_invoice").is_none()));
    assert!(!book.join("steps/send-invoice.html").exists());
    assert_eq!(timeout_of(&book, "charge_card"), Some(5000), "the other files stay");
}

/// `opsbook watch .` inside the tree and `opsbook watch shop` beside it: the watcher reports
/// absolute paths, the session reads relative ones, and edits still reach the book. The
/// second run sets `OPSBOOK_TIMINGS`: its rebuild line ends with where the time went.
#[test]
fn watch_follows_edits_when_started_with_a_relative_folder() {
    let (dir, root, book) = tree();
    for (n, (arg, cwd)) in [(".", root.as_path()), ("shop", dir.path())].into_iter().enumerate() {
        let env: &[(&str, &str)] = if n == 1 { &[("OPSBOOK_TIMINGS", "1")] } else { &[] };
        let mut w = Running::start_in(&["watch"], Path::new(arg), Some(cwd), env);
        w.wait_for("the watcher", |err| err.contains("Watching for changes"));
        let first = 5 + 10 * n as u32;
        w.wait_for("the first build", |_| timeout_of(&book, "charge_card") == Some(u64::from(first) * 1000));
        std::fs::write(root.join("src/pay.rs"), step("charge_card", first + 1)).unwrap();
        w.wait_for("the edit", |_| timeout_of(&book, "charge_card") == Some(u64::from(first + 1) * 1000));
        w.wait_for("the rebuild line", |err| err.contains("Rebuilt after src/pay.rs changed"));
        let line = w.stderr().lines().find(|l| l.starts_with("Rebuilt after src/pay.rs")).unwrap().to_string();
        if n == 1 {
            for stage in ["[read ", " ms, model ", ", render ", ", write ", " ms; total "] {
                assert!(line.contains(stage), "{stage:?} in {line}");
            }
        } else {
            assert!(line.ends_with(" written.") && !line.contains("total"), "the plain line: {line}");
        }
        assert!(!root.join("book/book").exists() && !dir.path().join("book").exists(), "the book stays in shop/book");
        drop(w);
        std::fs::write(root.join("src/pay.rs"), step("charge_card", first + 10)).unwrap();
    }
}

/// A plain write ends with a close, which starts the rebuild at once; the debounced events
/// of the same write come later and find nothing new. One save is one rebuild line.
#[test]
fn each_plain_save_is_one_rebuild() {
    let (_dir, root, book) = tree();
    let mut w = Running::start(&["watch"], &root);
    w.wait_for("the watcher", |err| err.contains("Watching for changes"));
    for (n, timeout) in [6u64, 7, 8].into_iter().enumerate() {
        std::fs::write(root.join("src/pay.rs"), step("charge_card", timeout as u32)).unwrap();
        w.wait_for("the edit", |_| timeout_of(&book, "charge_card") == Some(timeout * 1000));
        w.wait_for("its rebuild line", |err| err.matches("Rebuilt after src/pay.rs").count() > n);
    }
    // The events of the first two saves reached the watcher before the third save did.
    assert_eq!(w.stderr().matches("Rebuilt after").count(), 3, "{}", w.stderr());
}

/// The `stale-runbook` findings' severities and messages in the book's graph.json.
fn stale(book: &Path) -> Vec<(String, String)> {
    let Some(g) = graph(book) else { return Vec::new() };
    common::findings(&g, "stale-runbook")
        .iter()
        .map(|f| (f["severity"].as_str().unwrap_or("").to_string(), f["message"].as_str().unwrap_or("").to_string()))
        .collect()
}

#[test]
fn watch_rebuilds_when_only_the_lock_changes() {
    let (_dir, root, book) = tree();
    std::fs::create_dir_all(root.join("docs/runbooks")).unwrap();
    std::fs::write(
        root.join("docs/runbooks/card.md"),
        "---\ntitle: Card charges fail\ncovers: [charge_card]\n---\n1. Retry the charge.\n",
    )
    .unwrap();
    let mut w = Running::start(&["watch"], &root);
    w.wait_for("the never-reviewed finding", |_| stale(&book).iter().any(|(s, _)| s == "info"));
    w.wait_for("the watcher", |err| err.contains("Watching for changes"));
    // A lock that recorded another timeout: no source changed, yet the runbook is now stale.
    std::fs::write(root.join("opsbook.lock"), "[docs/runbooks/card.md]\nstep:charge-card timeout = 1 s\n").unwrap();
    w.wait_for("the stale runbook", |_| {
        stale(&book)
            .iter()
            .any(|(s, m)| s == "warning" && m.contains("charge_card: ") && m.contains("timeout 1 s -> 5 s"))
    });
    assert!(stale(&book).iter().all(|(s, _)| s != "info"), "{:?}", stale(&book));
}

/// One HTTP/1.1 GET over a plain socket: the head and the body.
fn get(port: u16, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    (head.to_string(), body.to_string())
}

/// Opens the event stream and reads until `until` appears in it.
fn events_until(port: u16, until: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "GET /__opsbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 4096];
    let start = Instant::now();
    while !String::from_utf8_lossy(&seen).contains(until) {
        assert!(start.elapsed() < PATIENCE, "no `{until}` in the events: {}", String::from_utf8_lossy(&seen));
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the event stream ended: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

#[cfg(feature = "serve")]
#[test]
fn serve_answers_on_loopback_with_live_reload_in_html_only() {
    let (_dir, root, book) = tree();
    let mut s = Running::start(&["serve", "--port", "0"], &root);
    let port = s.served_port();

    let (head, body) = get(port, "/");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.to_ascii_lowercase().contains("content-type: text/html"), "{head}");
    assert!(body.contains("<script src=\"/__opsbook/livereload.js\"></script>"), "{body}");
    let (head, body) = get(port, "/steps/charge-card.html");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(body.contains("charge_card") && body.contains("/__opsbook/livereload.js"));
    assert!(
        !common::read(&book, "steps/charge-card.html").contains("livereload"),
        "only served pages get the script, not the book on disk"
    );
    let (head, body) = get(port, "/graph.json");
    assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
    assert!(!body.contains("livereload"), "no script in graph.json");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["schema"], "opsbook.graph/v1");
    let (head, body) = get(port, "/__opsbook/livereload.js");
    assert!(head.starts_with("HTTP/1.1 200") && body.contains("EventSource"), "{head}");
    for outside in ["/../compose.yaml", "/%2e%2e/compose.yaml", "/.opsbook-book", "/nope.html"] {
        let (head, _) = get(port, outside);
        assert!(head.starts_with("HTTP/1.1 404"), "{outside}: {head}");
    }

    // The event stream says the tree builds, then that it does not, with the diagnostic.
    let ok = events_until(port, "event: ok");
    assert!(ok.to_ascii_lowercase().contains("content-type: text/event-stream"), "{ok}");
    std::fs::write(root.join("src/pay.rs"), "/// # Operations\npub async fn charge_card( {\n").unwrap();
    s.wait_for("the broken build", |err| err.contains("src/pay.rs does not parse"));
    let broken = events_until(port, "parse-error");
    assert!(broken.contains("event: broken") && broken.contains("src/pay.rs:2:"), "{broken}");
    let (_, body) = get(port, "/steps/charge-card.html");
    assert!(body.contains("charge_card"), "the last good page is still served");

    // A fix is announced to open pages as a reload.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    write!(stream, "GET /__opsbook/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut seen = Vec::new();
    let mut buf = [0; 4096];
    while !String::from_utf8_lossy(&seen).contains("event: broken") {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }
    std::fs::write(root.join("src/pay.rs"), step("charge_card", 8)).unwrap();
    while !String::from_utf8_lossy(&seen).contains("event: reload") {
        let n = stream.read(&mut buf).expect("a reload event within the patience");
        assert!(n > 0);
        seen.extend_from_slice(&buf[..n]);
    }
    assert_eq!(timeout_of(&book, "charge_card"), Some(8000));
}

#[cfg(feature = "serve")]
#[test]
fn serve_stops_cleanly_on_ctrl_c() {
    let (_dir, root, _book) = tree();
    let mut s = Running::start(&["serve", "--port", "0"], &root);
    let port = s.served_port();
    // An open event stream must not keep the server from stopping.
    let _open = events_until(port, "event: ok");
    let status = Command::new("kill").args(["-INT", &s.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(start.elapsed() < PATIENCE, "still running after Ctrl-C:\n{}", s.stderr());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}: {}", s.stderr());
    s.wait_for("the goodbye", |err| err.contains("Stopped."));
}

#[cfg(feature = "serve")]
#[test]
fn a_port_in_use_is_a_clear_error() {
    let (_dir, root, book) = tree();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = common::opsbook().args(["serve", "--port", &port]).arg(&root).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = common::stderr(&output);
    assert!(err.contains(&format!("127.0.0.1:{port}")) && err.contains("in use"), "{err}");
    assert!(!book.exists(), "nothing was built");
}
