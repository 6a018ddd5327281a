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
/// HTTP), waiting at most three minutes (a loaded
/// two-core machine starts Chromium slowly); panics with its report when a check fails.
fn run_browser(base: &str, query: &str, expect: &str, shots: &Path) {
    // One Chromium at a time: the tests run in parallel threads on a small machine.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    // A file:// base is opened as it is; a folder is served over HTTP by the script.
    let how = if base.starts_with("file://") { "--base" } else { "--serve" };
    let mut child = Command::new("node")
        .current_dir(browser_dir())
        .arg("check.mjs")
        .args([how, base, "--query", query, "--expect", expect, "--chromium"])
        .arg(chromium())
        .arg("--shots")
        .arg(shots)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the browser run did not finish in 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{report}");
    assert!(report.contains("ok: "), "{report}");
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
