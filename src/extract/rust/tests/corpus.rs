//! The Rust files of the shared corpus, as real projects wrote them.

use super::*;

fn corpus(rel: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/").to_string() + rel;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_corpus_rust_file_extracts() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let x = extract(&path.to_string_lossy(), &text);
                assert!(
                    x.diagnostics.iter().all(|d| d.severity != Severity::Error),
                    "{}: {:?}",
                    path.display(),
                    x.diagnostics
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 14, "only {seen} Rust files in the corpus");
}

#[test]
fn corpus_doc_comment_examples_are_not_code() {
    for rel in ["rust-tokio-retry/src/lib.rs", "reqwest-middleware/reqwest-retry/src/lib.rs"] {
        let x = extract(rel, &corpus(rel));
        assert_eq!(x, Extracted::default(), "{rel}");
    }
}

#[test]
fn corpus_backon_examples() {
    let x = extract("async.rs", &corpus("backon/examples/async.rs"));
    assert_eq!(steps(&x), ["main"]);
    let main = step(&x, "main");
    let r = &main.attrs.retries[0];
    assert_eq!((r.library.as_str(), r.source.line, r.text.as_str()), ("backon", 19, "ExponentialBuilder::default()"));
    assert_eq!(numbers(r), exp(1_000, 2.0, Some(60_000), Some(4), None, Jitter::None));
    let calls: Vec<&str> =
        x.facts.edges.iter().filter(|e| e.kind == EdgeKind::Calls).map(|e| e.to.name.as_str()).collect();
    assert_eq!(calls, ["fetch"]);

    let x = extract("closure.rs", &corpus("backon/examples/closure.rs"));
    assert_eq!(steps(&x), ["main"]);
    let r = &step(&x, "main").attrs.retries[0];
    assert_eq!((r.library.as_str(), r.source.line, r.max_attempts.clone()), ("backon", 11, Value::Known(Some(4))));
}

#[test]
fn corpus_backoff_examples() {
    let unbounded_default = |r: &RetryFact| {
        assert_eq!(r.library, "backoff");
        let mut n = exp(500, 1.5, Some(60_000), None, Some(900_000), Jitter::Proportional(0.5));
        n.attempts = Some(None);
        assert_eq!(numbers(r), n);
    };
    let x = extract("retry.rs", &corpus("rust-backoff/examples/retry.rs"));
    assert_eq!(steps(&x), ["fetch_url"]);
    let s = step(&x, "fetch_url");
    assert_eq!(s.source.line, 5);
    unbounded_default(&s.attrs.retries[0]);
    assert_eq!(s.attrs.retries[0].source.line, 15);
    assert_eq!(s.attrs.http_calls.iter().map(|h| (h.method.as_str(), h.source.line)).collect::<Vec<_>>(), [("GET", 8)]);

    let x = extract("async.rs", &corpus("rust-backoff/examples/async.rs"));
    assert_eq!(steps(&x), ["fetch_url"]);
    let s = step(&x, "fetch_url");
    unbounded_default(&s.attrs.retries[0]);
    assert_eq!((s.attrs.retries[0].source.line, s.attrs.retries[0].source.column), (7, 11));
    assert_eq!(s.attrs.http_calls[0].target, "url");
}

#[test]
fn corpus_kube_job_api_waits_twenty_seconds() {
    let read = read_file("job_api.rs", &corpus("kube-rs/examples/job_api.rs")).unwrap();
    let main = read.functions.iter().find(|f| f.ident == "main").unwrap();
    let t: Vec<(&str, Option<u64>, u32)> =
        main.code.timeouts.iter().map(|t| (t.library.as_str(), known(&t.ms), t.source.line)).collect();
    assert_eq!(t, [("tokio::time::timeout", Some(20_000), 42)]);
    // A timeout alone does not make a step.
    assert!(extract("job_api.rs", &corpus("kube-rs/examples/job_api.rs")).facts.nodes.is_empty());
}

#[test]
fn corpus_reqwest_retry_tests_are_tests() {
    let rel = "reqwest-middleware/reqwest-retry/tests/all/retry.rs";
    let x = extract(rel, &corpus(rel));
    assert!(x.facts.nodes.is_empty(), "{:#?}", x.facts.nodes);
    // Read as plain functions, the policies and request timeouts inside are recognised.
    let read = read_file(rel, &corpus(rel).replace("#[tokio::test]", "")).unwrap();
    let f = read.functions.iter().find(|f| f.ident == "assert_retry_on_request_timeout").unwrap();
    assert_eq!(numbers(&f.code.client_retries[0]), exp(30, 2.0, Some(100), Some(4), None, Jitter::Full));
    assert_eq!(f.code.timeouts[0].library, "reqwest::RequestBuilder::timeout");
    assert_eq!(f.code.timeouts[0].ms, Value::Known(10));
}

/// Every Rust file of the corpus, the test fixtures and the example: the pre-filter skips
/// only files whose full read gives nothing, and what it keeps reads the same.
#[test]
fn prefilter_drops_no_fact_of_any_real_file() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let roots = [manifest.join("../shared/corpus"), manifest.join("tests/fixtures"), manifest.join("examples")];
    let (mut kept, mut skipped) = (0, 0);
    let mut stack: Vec<_> = roots.to_vec();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = path.to_string_lossy();
                let full = super::super::extract_unfiltered(&name, &text);
                assert_eq!(extract(&name, &text), full, "{name}");
                if super::super::prefilter::may_hold_facts(&text) {
                    kept += 1;
                } else {
                    assert_eq!(full, Extracted::default(), "{name}: skipped but has facts");
                    skipped += 1;
                }
            }
        }
    }
    assert!(kept >= 20 && skipped >= 3, "{kept} files kept, {skipped} skipped");
}

/// Ordinary code around a step: each step-making word, removed, loses the step; present,
/// keeps it through the pre-filter.
#[test]
fn prefilter_keeps_each_kind_of_step() {
    for src in [
        "/// Pushes.\n///\n/// # operations\n/// - owner: team-a\npub fn push() {}",
        "use tokio_retry::{Retry, strategy::FixedInterval};\npub async fn a() { Retry::spawn(FixedInterval::from_millis(10).take(3), || f()).await; }",
        "pub fn b() { backoff::retry(backoff::ExponentialBackoff::default(), || op()); }",
        "use backon::Retryable;\npub async fn c() { fetch.retry(backon::ExponentialBuilder::default()).await; }",
        "pub fn d() -> C { let p = reqwest_retry::policies::ExponentialBackoff::builder().build_with_max_retries(3); C::new(p) }",
        "#[doc = \"# Op\\x65rations\"]\n#[doc = \"- owner: team-a\"]\npub fn e() {}",
    ] {
        let x = extract(FILE, src);
        assert_eq!(steps(&x).len(), 1, "{src}: {x:#?}");
        assert_eq!(x, super::super::extract_unfiltered(FILE, src));
    }
}

/// A file with no step-making word is not parsed: a syntax error in it is the compiler's to
/// report, like a YAML file no format claims.
#[test]
fn prefilter_passes_over_broken_ordinary_code() {
    let src = "pub fn refund(amount: u64) -> u64 {\n    let fee = amount / 100\n    amount - fee\n}\n";
    assert_eq!(extract(FILE, src), Extracted::default());
    let full = super::super::extract_unfiltered(FILE, src);
    assert_eq!(full.diagnostics.len(), 1, "{full:?}");
}
