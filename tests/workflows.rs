//! Workflow definitions end to end: Step Functions, Argo, GitHub Actions and BPMN files the
//! extractors were not written against, with the numbers computed by hand.

mod common;

use common::*;
use serde_json::{Value, json};

fn book() -> (tempfile::TempDir, Value, String) {
    let (out, output) = build(&fixture("workflows"));
    assert!(output.status.success(), "{}", stderr(&output));
    let g = graph(&out.path().join("book"));
    (out, g, stderr(&output))
}

fn finding_at<'a>(g: &'a Value, code: &str, file: &str, line: u64) -> &'a Value {
    let all = findings(g, code);
    all.iter().copied().find(|f| f["file"] == file && f["line"] == line).unwrap_or_else(|| {
        let at: Vec<_> = all.iter().map(|f| format!("{}:{}", f["file"], f["line"])).collect();
        panic!("no {code} at {file}:{line}; found at {at:?}")
    })
}

#[test]
fn step_functions_retriers_catch_and_callback() {
    let (_out, g, _) = book();
    let reserve = node(&g, "step:fulfil-reserve-stock");
    assert_eq!(reserve["scope"], "fulfil");
    assert_eq!(reserve["timeout_ms"], 10_000);
    // The first retrier: MaxAttempts 6 = 7 attempts, 2 s doubling, capped at 30 s.
    let retry = &reserve["retry"];
    assert_eq!(retry["max_attempts"], 7);
    assert_eq!(retry["schedule_ms"], json!([2000, 4000, 8000, 16000, 30000, 30000]));
    assert_eq!(retry["jitter"], "full");
    assert_eq!(retry["worst_case_ms"], 7 * 10_000 + 90_000);
    assert!(has_edge(&g, "workflow:fulfil", "step:fulfil-reserve-stock", "next"));
    assert!(has_edge(&g, "step:fulfil-reserve-stock", "step:fulfil-ship", "next"));
    assert!(has_edge(&g, "step:fulfil-reserve-stock", "step:fulfil-notify-failure", "on_error"));
    assert!(has_edge(&g, "step:fulfil-ship", "step:fulfil-done", "next"));

    // Ship: the default backoff (1 s, ×2), MaxAttempts 2 = 3 attempts; a task token and no timeout.
    let ship = node(&g, "step:fulfil-ship");
    assert_eq!(ship["retry"]["max_attempts"], 3);
    assert_eq!(ship["retry"]["schedule_ms"], json!([1000, 2000]));
    let blame = finding_at(&g, "retry-without-idempotency", "orders/fulfil.asl.json", 25);
    assert_eq!(blame["node"], "step:fulfil-ship");
    finding_at(&g, "missing-error-handler", "orders/fulfil.asl.json", 25);
    assert!(findings(&g, "missing-timeout").iter().any(|f| f["node"] == "step:fulfil-ship"));

    let wf = node(&g, "workflow:fulfil");
    assert_eq!(wf["workflow"]["worst_case_ms"], Value::Null, "the callback can wait forever");
    assert_eq!(wf["workflow"]["unbounded"], json!(["step:fulfil-ship"]));
}

#[test]
fn malformed_definitions_are_findings_with_lines() {
    let (_out, g, _) = book();
    finding_at(&g, "dangling-reference", "broken/oops.asl.json", 8);
    let parse: Vec<_> =
        findings(&g, "parse-error").into_iter().filter(|f| f["file"] == "broken/oops.asl.json").collect();
    assert!(parse.iter().any(|f| f["line"] == 7 && f["severity"] == "warning"), "MaxAttempts: {parse:?}");
    assert!(parse.iter().any(|f| f["message"].as_str().unwrap().contains("StartAt")), "StartAt: {parse:?}");
    // The state is still in the book.
    node(&g, "step:oops-charge");
}

#[test]
fn argo_retry_strategy_and_deadline() {
    let (_out, g, _) = book();
    let extract = node(&g, "step:nightly-export-extract");
    // limit "3" counts retries: 4 attempts, 10 s × 3^n, total capped at 5 min.
    assert_eq!(extract["retry"]["max_attempts"], 4);
    assert_eq!(extract["retry"]["schedule_ms"], json!([10_000, 30_000, 90_000]));
    assert_eq!(extract["retry"]["max_elapsed_ms"], 300_000);
    let upload = node(&g, "step:nightly-export-upload");
    // A bare "5" is seconds.
    assert_eq!(upload["retry"]["schedule_ms"], json!([5_000, 10_000]));
    assert_eq!(upload["timeout_ms"], 300_000);
    assert_eq!(upload["retry"]["worst_case_ms"], 3 * 300_000 + 15_000);
    assert!(has_edge(&g, "step:nightly-export-extract", "step:nightly-export-upload", "next"));
    assert!(has_edge(&g, "step:nightly-export-upload", "step:nightly-export-cleanup", "on_error"));
    // 915 s of retries under a 600 s workflow deadline.
    let inversion = findings(&g, "timeout-inversion");
    assert!(inversion.iter().any(|f| f["node"] == "step:nightly-export-upload"), "{inversion:?}");
}

#[test]
fn github_jobs_timeouts_and_a_missing_need() {
    let (_out, g, _) = book();
    let build = node(&g, "step:github-workflows-release-yml-build");
    assert_eq!(build["timeout_ms"], 20 * 60_000);
    let publish = node(&g, "step:github-workflows-release-yml-publish");
    assert_eq!(publish["timeout_ms"], 360 * 60_000, "the default timeout-minutes");
    assert!(has_edge(
        &g,
        "step:github-workflows-release-yml-build",
        "step:github-workflows-release-yml-publish",
        "next"
    ));
    let dangling = finding_at(&g, "dangling-reference", ".github/workflows/release.yml", 19);
    assert!(dangling["message"].as_str().unwrap().contains("lint"));
}

#[test]
fn bpmn_retry_cycle_boundary_events_and_a_person() {
    let (_out, g, _) = book();
    let issue = node(&g, "step:refund-issue-refund");
    assert_eq!(issue["timeout_ms"], 30 * 60_000, "the timer boundary event");
    // Camunda 7 counts every run in R4: 4 attempts, 5 minutes apart.
    assert_eq!(issue["retry"]["max_attempts"], 4);
    assert_eq!(issue["retry"]["schedule_ms"], json!([300_000, 300_000, 300_000]));
    assert!(has_edge(&g, "step:refund-issue-refund", "step:refund-escalate-to-finance", "on_error"));
    let escalate = findings(&g, "missing-timeout");
    assert!(escalate.iter().any(|f| f["node"] == "step:refund-escalate-to-finance"), "{escalate:?}");
}

#[test]
fn every_workflow_has_a_page_with_its_flow() {
    let (out, g, _) = book();
    for id in ["workflow:fulfil", "workflow:nightly-export", "workflow:refund"] {
        let page = node(&g, id)["page"].as_str().unwrap().to_string();
        let html = read(&out.path().join("book"), &page);
        assert!(html.contains("<svg"), "{page} has a flow diagram");
    }
    let fulfil = read(&out.path().join("book"), node(&g, "workflow:fulfil")["page"].as_str().unwrap());
    assert!(fulfil.contains("7 attempts"), "attempts in the step table");
    assert!(fulfil.contains("MaxAttempts 6"), "the raw limit beside them");
}
