//! `opsbook build` end to end on a tree the extractors were not written against.

mod common;

use common::*;

#[test]
fn tokio_retry_step_has_its_schedule_timeout_and_worst_case() {
    let (out, output) = build(&fixture("shop"));
    assert!(output.status.success(), "{}", stderr(&output));
    let g = graph(&out.path().join("book"));
    assert_eq!(g["schema"], "opsbook.graph/v1");
    let step = node(&g, "step:book-shipment");
    assert_eq!(step["page"], "steps/book-shipment.html");
    assert_eq!(step["sources"][0]["file"], "worker/src/sync.rs");
    assert_eq!(step["sources"][0]["line"], 31);
    assert_eq!(step["owner"], "team-fulfilment");
    assert_eq!(step["idempotent"], false);
    assert_eq!(step["timeout_ms"], 3000);
    let retry = &step["retry"];
    // tokio-retry raises the base to a power: 10^n ms × 50, capped at 2 s; take(4) is 4 retries.
    assert_eq!(retry["max_attempts"], 5);
    assert_eq!(retry["schedule_ms"], serde_json::json!([500, 2000, 2000, 2000]));
    assert_eq!(retry["worst_case_ms"], 5 * 3000 + 6500);
    assert!(has_edge(&g, "step:book-shipment", "resource:warehouse-api", "depends_on"));
    assert!(has_edge(&g, "workflow:fulfilment", "step:book-shipment", "contains"));
    assert!(has_edge(&g, "service:worker", "step:book-shipment", "contains"));
}

#[test]
fn backon_step_counts_retries_as_attempts_and_is_idempotent_by_key() {
    let (out, output) = build(&fixture("shop"));
    assert!(output.status.success(), "{}", stderr(&output));
    let g = graph(&out.path().join("book"));
    let step = node(&g, "step:capture");
    assert_eq!(step["idempotent"], true);
    assert_eq!(step["timeout_ms"], 1500);
    assert_eq!(step["retry"]["max_attempts"], 3);
    assert_eq!(step["retry"]["schedule_ms"], serde_json::json!([1000, 2000]));
    assert_eq!(step["retry"]["worst_case_ms"], 3 * 1500 + 3000);
    let blame: Vec<_> = findings(&g, "retry-without-idempotency");
    assert_eq!(blame.len(), 1, "only the non-idempotent step: {blame:?}");
    assert_eq!(blame[0]["node"], "step:book-shipment");
    assert_eq!((blame[0]["file"].as_str(), blame[0]["line"].as_u64()), (Some("worker/src/sync.rs"), Some(31)));
}

#[test]
fn compose_services_edges_and_a_missing_dependency() {
    let (out, _) = build(&fixture("shop"));
    let g = graph(&out.path().join("book"));
    assert!(has_edge(&g, "service:worker", "service:db", "depends_on"));
    assert!(has_edge(&g, "service:worker", "service:mq", "depends_on"));
    let db = node(&g, "service:db");
    assert_eq!(db["health_checks"][0]["interval_ms"], 5000);
    assert_eq!(db["health_checks"][0]["retries"], 10);
    let blast = db["blast_radius"].as_array().unwrap();
    assert!(blast.iter().any(|n| n == "service:worker") && blast.iter().any(|n| n == "service:api"), "{blast:?}");
    let dangling = findings(&g, "dangling-reference");
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert_eq!((dangling[0]["file"].as_str(), dangling[0]["line"].as_u64()), (Some("compose.yaml"), Some(13)));
    assert!(dangling[0]["message"].as_str().unwrap().contains("cache"));
}

#[test]
fn broken_rust_and_yaml_are_parse_errors_and_the_rest_is_documented() {
    let (out, output) = build(&fixture("shop"));
    assert!(output.status.success(), "a broken file does not fail the build: {}", stderr(&output));
    let g = graph(&out.path().join("book"));
    let errors = findings(&g, "parse-error");
    let at: Vec<(&str, u64)> =
        errors.iter().map(|f| (f["file"].as_str().unwrap(), f["line"].as_u64().unwrap())).collect();
    assert!(at.contains(&("api/src/broken.rs", 7)), "{at:?}");
    assert!(at.contains(&("compose.override.yaml", 4)), "{at:?}");
    // Everything else is still in the book.
    node(&g, "step:capture");
    node(&g, "service:api");
    let err = stderr(&output);
    assert!(err.contains("parse-error") && err.contains("api/src/broken.rs:7"), "{err}");
}

#[test]
fn runbook_page_leads_with_recovery_and_shows_the_schedule_in_words() {
    let (out, _) = build(&fixture("shop"));
    let page = read(&out.path().join("book"), "steps/book-shipment.html");
    let recovery = page.find("id=\"recovery\"").expect("a recovery section");
    let retries = page.find("id=\"retries\"").expect("a retries section");
    assert!(recovery < retries, "recovery comes before the retry details");
    assert!(page.contains("shipctl requeue --order &lt;id&gt;"), "recovery step, escaped");
    assert!(page.contains("5 attempts over at most 21.5 s"));
    assert!(page.contains("worker/src/sync.rs:31"));
    assert!(page.contains("stock-take"), "failure mode");
    let retries_page = read(&out.path().join("book"), "retries.html");
    assert!(retries_page.contains("book_shipment") && retries_page.contains("capture"));
    let failures = read(&out.path().join("book"), "failure-points.html");
    assert!(failures.contains("retry-without-idempotency") && failures.contains("compose.yaml:13"));
}

#[test]
fn strict_fails_on_error_findings() {
    let out = tempfile::tempdir().unwrap();
    let output =
        opsbook().args(["build", "--strict", "--out"]).arg(out.path().join("b")).arg(fixture("shop")).output().unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(out.path().join("b/index.html").is_file(), "the book is still written");
}

#[test]
fn never_overwrites_a_folder_it_did_not_make() {
    let out = tempfile::tempdir().unwrap();
    std::fs::write(out.path().join("notes.txt"), "keep me").unwrap();
    let output = opsbook().args(["build", "--out"]).arg(out.path()).arg(fixture("shop")).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("not made by opsbook"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(out.path().join("notes.txt")).unwrap(), "keep me");
    assert!(!out.path().join("index.html").exists());
}

#[test]
fn default_output_is_book_under_the_scanned_folder_and_is_not_scanned_again() {
    let tree = tempfile::tempdir().unwrap();
    copy(&fixture("shop"), tree.path());
    let first = opsbook().arg("build").arg(tree.path()).output().unwrap();
    assert!(first.status.success(), "{}", stderr(&first));
    let g1 = read(&tree.path().join("book"), "graph.json");
    let second = opsbook().arg("build").arg(tree.path()).output().unwrap();
    assert!(second.status.success());
    assert_eq!(g1, read(&tree.path().join("book"), "graph.json"), "same input, same bytes");
}

#[test]
fn bad_flags_exit_2() {
    let output = opsbook().args(["build", "--no-such-flag"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
}

fn copy(from: &std::path::Path, to: &std::path::Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
            copy(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}
