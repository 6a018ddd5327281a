//! Every workflow definition in the shared corpus builds: no crash, no parse error, no
//! dangling reference, and the number of workflows and steps each folder yields.
//!
//! The counts are of the merged graph: nested branches and sub-processes are workflows of
//! their own, and definitions that share a name (two `local_testing.asl.json`, an ASL file and
//! the SAM template that deploys it) are one workflow.

mod common;

use std::path::Path;

use common::*;

fn corpus(folder: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(folder)
}

fn counts(folder: &str) -> (usize, usize, serde_json::Value) {
    let (out, output) = build(&corpus(folder));
    assert!(output.status.success(), "{folder}: {}", stderr(&output));
    let g = graph(&out.path().join("book"));
    let kind = |k: &str| g["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == k).count();
    let broken: Vec<_> = ["parse-error", "dangling-reference"]
        .iter()
        .flat_map(|c| findings(&g, c))
        .map(|f| f["message"].clone())
        .collect();
    assert!(broken.is_empty(), "{folder}: {broken:?}");
    (kind("workflow"), kind("step"), g)
}

#[test]
fn step_functions_examples() {
    let (workflows, steps, g) = counts("stepfunctions-examples");
    assert_eq!((workflows, steps), (49, 222));
    // ship-order.asl.json: the template that deploys it and the file are one workflow.
    assert_eq!(node(&g, "workflow:ship-order")["sources"].as_array().unwrap().len(), 2);
}

#[test]
fn argo_workflows_examples_and_ci() {
    let (workflows, steps, _) = counts("argo-workflows/examples");
    assert_eq!((workflows, steps), (53, 145));
    let (workflows, steps, g) = counts("argo-workflows");
    // Two more: the project's own GitHub workflows, with their 18 jobs.
    assert_eq!((workflows, steps), (55, 163));
    let backoff = node(&g, "step:retry-backoff-retry-backoff");
    assert_eq!(backoff["retry"]["max_attempts"], 11, "limit: 10 retries");
}

#[test]
fn bpmn_examples() {
    let (workflows, steps, _) = counts("camunda-bpm-examples");
    assert_eq!((workflows, steps), (9, 39));
    let (workflows, steps, _) = counts("cibseven-get-started");
    assert_eq!((workflows, steps), (1, 5));
}

#[test]
fn github_actions_of_real_projects() {
    let (workflows, steps, _) = counts("thanos");
    assert_eq!((workflows, steps), (1, 8));
    let (workflows, steps, _) = counts("kube-rs");
    assert_eq!((workflows, steps), (1, 7));
}
