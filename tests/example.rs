//! The README's first command: the order-to-cash example builds and shows its real findings.

mod common;

use std::path::Path;

use common::*;

fn example() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash")
}

#[test]
fn erp_push_is_retried_five_times_over_57_5_seconds_and_flagged() {
    let (out, output) = build(&example());
    assert!(output.status.success(), "{}", stderr(&output));
    let book = out.path().join("book");
    let g = graph(&book);
    let push = node(&g, "step:push-order");
    assert_eq!(push["retry"]["max_attempts"], 5);
    assert_eq!(push["retry"]["library"], "tokio-retry");
    assert_eq!(push["retry"]["schedule_ms"], serde_json::json!([500, 1000, 2000, 4000]));
    assert_eq!(push["retry"]["worst_case_ms"], 57_500);
    assert_eq!(push["timeout_ms"], 10_000);
    assert_eq!(push["idempotent"], false);
    assert!(has_edge(&g, "step:push-order", "resource:erp-api", "depends_on"));
    assert!(has_edge(&g, "step:handle-order-placed", "step:push-order", "calls"));

    let page = read(&book, "steps/push-order.html");
    assert!(page.contains("5 attempts over at most 57.5 s"));
    assert!(page.contains("erpctl replay --since 1h"));
    assert!(page.contains("erp-sync/src/erp.rs:97"));
}

#[test]
fn every_planted_problem_is_found_at_its_line() {
    let (out, _) = build(&example());
    let g = graph(&out.path().join("book"));
    let at = |code: &str| -> Vec<(String, u64)> {
        findings(&g, code)
            .iter()
            .map(|f| (f["file"].as_str().unwrap().to_string(), f["line"].as_u64().unwrap()))
            .collect()
    };
    let has = |code: &str, file: &str, line: u64| {
        assert!(at(code).contains(&(file.to_string(), line)), "{code} at {file}:{line}; found {:?}", at(code));
    };
    has("retry-without-idempotency", "erp-sync/src/erp.rs", 97);
    has("doc-code-mismatch", "erp-sync/src/erp.rs", 77);
    has("unbounded-retry", "notifications/src/bounces.rs", 86);
    has("missing-timeout", "notifications/src/email.rs", 118);
    has("dangling-reference", "compose.yaml", 93);
    has("timeout-inversion", "orders-api/src/handlers.rs", 66);
    has("no-signal", "compose.yaml", 82);
    // Keyed idempotency is respected: the payment capture retries safely.
    assert_eq!(at("retry-without-idempotency").len(), 1);
    assert!(at("parse-error").is_empty());
}
