//! The extractor's facts through the model and the analysis: what the pages will show.

use super::*;
use crate::analyze::analyze;
use crate::config::Config;
use crate::model;

fn graph_of(files: &[&str]) -> (model::Graph, crate::analyze::Analysis) {
    let facts: Vec<Extracted> = files.iter().map(|f| corpus(f)).collect();
    let graph = model::build(facts.iter().map(|x| &x.facts));
    let analysis = analyze(&graph, &[], &Config::default());
    (graph, analysis)
}

#[test]
fn ship_order_and_its_template_are_one_workflow_with_a_bounded_retry_schedule() {
    let (graph, a) = graph_of(&[
        "sam/app-order-management/statemachines/ship-order.asl.json",
        "sam/app-order-management/template.yaml",
    ]);
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
    let wf = graph.node("workflow:ship-order").expect("one ship-order workflow");
    assert_eq!(wf.sources.len(), 2, "the ASL file and the template: {:?}", wf.sources);
    let id = graph.nodes().find(|(_, n)| n.name == "Get Customer Status").map(|(_, n)| n.id.clone()).unwrap();
    let policies = &a.all_retries[&id];
    assert_eq!(policies.len(), 2);
    assert_eq!(policies[0].max_attempts, Some(7));
    assert_eq!(policies[0].schedule_ms, [2_000, 4_000, 8_000, 16_000, 32_000, 64_000]);
    let summary = &a.workflows["workflow:ship-order"];
    // The lambda tasks have no TimeoutSeconds: an attempt can run as long as Lambda lets
    // it, so the workflow has no bound.
    assert_eq!(summary.worst_case_ms, None);
    assert!(!summary.unbounded.is_empty());
}

#[test]
fn a_dangling_next_reaches_the_model_with_its_line() {
    let x = extract(
        "sm/a.asl.json",
        "{\"StartAt\": \"A\",\n \"States\": {\"A\": {\"Type\": \"Pass\",\n \"Next\": \"Missing\"}}}",
    );
    let graph = model::build([&x.facts]);
    assert_eq!(graph.dangling.len(), 1, "{:#?}", graph.dangling);
    assert_eq!((graph.dangling[0].name.as_str(), graph.dangling[0].source.line), ("Missing", 3));
}

#[test]
fn every_corpus_file_together_builds_a_graph_without_dangling_references() {
    let files = [
        "sam/app-meeting-summarization/template.yaml",
        "sam/app-meeting-summarization/statemachines/aquire-lock.asl.yaml",
        "sam/app-meeting-summarization/statemachines/transcribe_file.asl.yaml",
        "sam/app-control-concurrency-with-dynamodb/statemachines/dynamodb-semaphore.asl.json",
        "usecases/genai-prompt-chaining-hitl/src/workflow.asl.json",
    ];
    let (graph, a) = graph_of(&files);
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
    let codes: Vec<&str> = a.findings.iter().map(|f| f.code.as_str()).collect();
    assert!(!codes.contains(&"parse-error"), "{codes:?}");
    // The semaphore's conditional writes are declared idempotent by their condition; the
    // transcription's S3 writes are retried with no such proof.
    let retried: Vec<&str> =
        a.findings.iter().filter(|f| f.code == "retry-without-idempotency").filter_map(|f| f.node.as_deref()).collect();
    assert!(retried.iter().any(|n| n.contains("write-transcription-job-summary")), "{retried:?}");
    assert!(!retried.iter().any(|n| n.contains("acquire-lock")), "{retried:?}");
}
