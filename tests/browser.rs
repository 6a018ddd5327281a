//! The book in a real browser: headless Chromium driven by `tests/browser/check.mjs`
//! (playwright-core) over a book built from `file://`. It types a query and checks the
//! result, follows it to the runbook, opens a diagram node, opens a pasted
//! `search.html?q=` link, reads the page with JavaScript off, and fails on any console
//! error and any request that leaves the book. Screenshots go to
//! `<target>/browser-screenshots/`.
//!
//! Needs `node`, Chromium (`/usr/bin/chromium`, or `OPSBOOK_CHROMIUM`) and
//! `tests/browser/node_modules` (`npm ci` in `tests/browser`, as `.ci/run` does). When one
//! is missing the tests fail under CI (`CI` set) and are skipped with a notice elsewhere.

mod common;

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::build;

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

fn chromium() -> PathBuf {
    std::env::var_os("OPSBOOK_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// `None` when everything the browser run needs is here; else what is missing.
fn missing() -> Option<String> {
    if !chromium().exists() {
        return Some(format!("{} (apt-get install chromium)", chromium().display()));
    }
    if !browser_dir().join("node_modules/playwright-core/package.json").exists() {
        return Some("tests/browser/node_modules (npm ci in tests/browser)".to_string());
    }
    if Command::new("node").arg("--version").output().map(|o| !o.status.success()).unwrap_or(true) {
        return Some("node".to_string());
    }
    None
}

/// True when the browser can run; panics under CI when it cannot.
fn ready() -> bool {
    match missing() {
        None => true,
        Some(what) if std::env::var_os("CI").is_some() => panic!("browser tests need {what}"),
        Some(what) => {
            eprintln!("skipped: the browser tests need {what}");
            false
        }
    }
}

fn screenshots(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).parent().unwrap().join("browser-screenshots").join(name)
}

fn file_url(dir: &Path) -> String {
    let path = dir.canonicalize().unwrap();
    format!("file://{}/", path.display())
}

/// Runs the browser script against `base` (a `file://` URL, or a folder to serve over
/// HTTP); panics with its report when a check fails.
fn run_browser(base: &str, query: &str, expect: &str, shots: &Path) {
    // A file:// base is opened as it is; a folder is served over HTTP by the script.
    let how = if base.starts_with("file://") { "--base" } else { "--serve" };
    let mut args: Vec<OsString> =
        [how, base, "--query", query, "--expect", expect, "--shots"].iter().map(OsString::from).collect();
    args.push(shots.into());
    run_script("check.mjs", &args);
}

/// Runs `node SCRIPT ARGS --chromium PATH` in `tests/browser`, waiting at most three
/// minutes (a loaded two-core machine starts Chromium slowly); panics with its report
/// unless it exits 0 and says `ok: `. Returns the report.
fn run_script(script: &str, args: &[OsString]) -> String {
    // One Chromium at a time: the tests run in parallel threads on a small machine.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut child = Command::new("node")
        .current_dir(browser_dir())
        .arg(script)
        .args(args)
        .arg("--chromium")
        .arg(chromium())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    // Drained while the script runs, so a long report cannot fill the pipe and stall it.
    let readers = [drain(child.stdout.take().unwrap()), drain(child.stderr.take().unwrap())];
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{script} did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let report: String = readers.into_iter().map(|r| r.join().unwrap()).collect();
    assert!(status.success(), "{script}: {report}");
    assert!(report.contains("ok: "), "{report}");
    report
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    })
}

#[test]
fn the_example_book_works_in_chromium_from_file() {
    if !ready() {
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash");
    let (out, output) = build(&example);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let book = out.path().join("book");
    let shots = screenshots("order-to-cash");
    // Words of push_order's recovery steps only: "look for duplicates … cancel all but the oldest".
    run_browser(&file_url(&book), "duplicates oldest", "steps/push-order.html", &shots);
    for png in ["index.png", "search.png", "runbook.png"] {
        let bytes = std::fs::read(shots.join(png)).unwrap_or_else(|e| panic!("{png}: {e}"));
        assert!(bytes.starts_with(b"\x89PNG") && bytes.len() > 10_000, "{png} is a real screenshot");
    }
}

#[test]
fn the_example_book_works_in_chromium_over_http() {
    if !ready() {
        return;
    }
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash");
    let (out, output) = build(&example);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let book = out.path().join("book").canonicalize().unwrap();
    run_browser(book.to_str().unwrap(), "duplicates oldest", "steps/push-order.html", &screenshots("http"));
}

/// A word no source in this repository holds, made fresh on every run.
fn fresh_word() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let mut n = nanos ^ (u128::from(std::process::id()) << 64);
    let mut word = String::from("zq");
    for _ in 0..8 {
        word.push((b'a' + (n % 26) as u8) as char);
        n /= 26;
    }
    word
}

#[test]
fn a_tree_it_never_saw_is_searchable_by_a_recovery_word_from_file() {
    if !ready() {
        return;
    }
    let word = fresh_word();
    let tree = tempfile::tempdir().unwrap();
    let src = tree.path().join("billing/src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        tree.path().join("billing/Cargo.toml"),
        "[package]\nname = \"billing\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    std::fs::write(
        src.join("lib.rs"),
        format!(
            "/// Settles an invoice with the bank.\n///\n/// # Operations\n/// - workflow: invoicing\n\
             /// - depends-on: bank-api\n/// - owner: team-billing\n/// - retry: attempts=3 initial=1s\n\
             /// - timeout: 5s\n///\n/// # Failure modes\n/// - The bank rejects the batch after its cut-off.\n\
             ///\n/// # Recovery\n/// 1. Check the bank's status page.\n/// 2. Run `billingctl {word} --since 2h` to resend <img src=x onerror=\"window.pwned=1\">.\n\
             pub async fn settle_invoice() {{}}\n\n\
             /// Sends the receipt.\n///\n/// # Operations\n/// - workflow: invoicing\n/// - owner: team-billing\n\
             ///\n/// # Recovery\n/// 1. Resend from the outbox.\n\
             pub async fn send_receipt() {{}}\n"
        ),
    )
    .unwrap();
    let (out, output) = build(tree.path());
    assert!(output.status.success(), "{}", common::stderr(&output));
    let book = out.path().join("book");
    let index = common::read(&book, "search-index.js");
    assert_eq!(index.matches(&word).count(), 1, "the word is in the index once, in a recovery step");
    assert!(index.contains("\\u003cimg src=x"), "markup in the index is escaped for the script");
    run_browser(&file_url(&book), &word, "steps/settle-invoice.html", &screenshots("fresh-tree"));
}

#[cfg(feature = "serve")]
fn pay_step(word: &str) -> String {
    format!(
        "/// Charges the card.\n///\n/// # Operations\n/// - workflow: checkout\n/// - depends-on: payments-db\n\
         /// - timeout: 5s\n/// - owner: team-payments\n///\n/// # Recovery\n\
         /// 1. Run `payctl {word} --since 1h` to find stuck charges.\npub async fn charge_card() {{}}\n\n\
         /// Refunds the card.\n///\n/// # Operations\n/// - workflow: checkout\n/// - owner: team-payments\n\
         ///\n/// # Recovery\n/// 1. Refund from the console.\npub async fn refund_card() {{}}\n"
    )
}

#[cfg(feature = "serve")]
#[test]
fn a_served_page_reloads_itself_and_shows_the_error_overlay_in_chromium() {
    if !ready() {
        return;
    }
    let (old, new) = (fresh_word(), format!("{}x", fresh_word()));
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("shop");
    std::fs::create_dir_all(root.join("src")).unwrap();
    let source = root.join("src/pay.rs");
    std::fs::write(&source, pay_step(&old)).unwrap();
    let edited = dir.path().join("edited.rs");
    std::fs::write(&edited, pay_step(&new)).unwrap();
    // Line 5 opens a parameter list that never closes.
    let broken = dir.path().join("broken.rs");
    std::fs::write(
        &broken,
        "/// Charges the card.\n///\n/// # Operations\n/// - timeout: 5s\npub async fn charge_card( {\n",
    )
    .unwrap();

    let mut server = common::running::Running::start(&["serve", "--port", "0"], &root);
    let port = server.served_port();
    let base = format!("http://127.0.0.1:{port}/");
    // The first build is done once the page is served.
    let start = Instant::now();
    while !root.join("book/steps/charge-card.html").is_file() {
        assert!(start.elapsed() < Duration::from_secs(30), "no first build:\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(50));
    }
    let args: Vec<OsString> = vec![
        "--base".into(),
        base.into(),
        "--page".into(),
        "steps/charge-card.html".into(),
        "--query".into(),
        old.as_str().into(),
        "--source".into(),
        source.into(),
        "--edited".into(),
        edited.into(),
        "--broken".into(),
        broken.into(),
        "--old".into(),
        old.as_str().into(),
        "--new".into(),
        new.as_str().into(),
        "--line".into(),
        "src/pay.rs:5:".into(),
        "--shots".into(),
        screenshots("serve").into(),
    ];
    run_script("serve.mjs", &args);
    let page = common::read(&root.join("book"), "steps/charge-card.html");
    assert!(page.contains(&new) && !page.contains("livereload"), "the book on disk has the edit and no script");
}

#[allow(dead_code, reason = "the hostile suite uses the rest of the tree helpers")]
#[path = "hostile/tree.rs"]
mod tree;

#[path = "hostile/payloads.rs"]
mod payloads;

#[test]
fn no_payload_runs_on_any_page_of_the_book_in_chromium() {
    if !ready() {
        return;
    }
    let t = payloads::hostile_tree();
    let output = t.build(&[]);
    assert!(output.status.success(), "{}", common::stderr(&output));
    let book = t.book().canonicalize().unwrap();
    let pages = tree::files(&book).iter().filter(|p| p.extension().is_some_and(|e| e == "html")).count();
    assert!(pages > 100, "the hostile book has a page per node: {pages}");
    // Fragments a reader could paste: each matches names that carry a payload.
    let queries =
        serde_json::to_string(&["onerror", "<script>alert(1)</script>", "svg onload", "iframe srcdoc"]).unwrap();
    let args: Vec<OsString> = vec!["--book".into(), book.into(), "--queries".into(), queries.into()];
    let report = run_script("xss.mjs", &args);
    // Every page was opened, plus one search page per query.
    assert!(report.contains(&format!("ok: {} pages opened", pages + 4)), "{report}");
}
