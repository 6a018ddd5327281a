//! The extractor's facts through the model and the analysis: what the workflow page computes.

use super::*;
use crate::analyze::analyze;
use crate::config::Config;
use crate::model;

#[test]
fn thanos_worst_case_runs_image_then_e2e_then_coverage_at_six_hours_each() {
    let x = corpus("thanos/.github/workflows/go.yaml");
    let graph = model::build([&x.facts]);
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
    let a = analyze(&graph, &x.diagnostics, &Config::default());
    assert_eq!(a.workflows.len(), 1, "{:#?}", a.workflows);
    let (_, summary) = a.workflows.iter().next().unwrap();
    let path: Vec<&str> = summary.critical_path.iter().map(|id| graph.node(id).unwrap().name.as_str()).collect();
    assert_eq!(path, ["build-e2e-image", "e2e", "coverage"]);
    assert_eq!(summary.worst_case_ms, Some(3 * 360 * 60_000));
}

#[test]
fn a_missing_need_is_a_dangling_reference_at_its_line() {
    let text = "on: push\njobs:\n  deploy:\n    runs-on: x\n    needs: [buidl]\n";
    let x = extract(".github/workflows/ci.yml", text);
    let graph = model::build([&x.facts]);
    let names: Vec<(&str, u32)> = graph.dangling.iter().map(|d| (d.name.as_str(), d.source.line)).collect();
    assert_eq!(names, [("buidl", 5)]);
}

#[test]
fn a_local_call_resolves_to_the_called_file_and_a_remote_one_stays_external() {
    let ci = "on: push\njobs:\n  deploy:\n    uses: ./.github/workflows/deploy.yml\n";
    let deploy = "on: workflow_call\njobs:\n  ship:\n    runs-on: x\n    timeout-minutes: 5\n";
    let a = extract(".github/workflows/ci.yml", ci);
    let b = extract(".github/workflows/deploy.yml", deploy);
    let graph = model::build([&a.facts, &b.facts]);
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
    let workflows: Vec<&str> =
        graph.nodes().filter(|(_, n)| n.kind == NodeKind::Workflow).map(|(_, n)| n.name.as_str()).collect();
    assert_eq!(workflows.len(), 2, "the call and the called file are one node: {workflows:?}");
    let analysis = analyze(&graph, &[], &Config::default());
    let called = analysis.workflows.values().find(|s| s.critical_path.len() == 1 && s.worst_case_ms == Some(300_000));
    assert!(called.is_some(), "{:#?}", analysis.workflows);
}
