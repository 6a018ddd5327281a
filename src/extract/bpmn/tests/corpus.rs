//! Every BPMN file of the shared corpus, and spot checks against what the files say.

use super::*;
use crate::analyze::analyze;
use crate::config::Config;
use crate::diag::Severity;
use crate::extract::bpmn::extract;
use crate::extract::{Resolve, Value};
use crate::model;

macro_rules! corpus {
    ($path:literal) => {
        ($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/", $path)))
    };
}

const FILES: [(&str, &str); 7] = [
    corpus!(
        "camunda-bpm-examples/spring-boot-starter/external-task-client/loan-granting-spring-boot-webapp/src/main/resources/bpmn/loan-granting.bpmn"
    ),
    corpus!("camunda-bpm-examples/usertask/task-form-embedded-bpmn-events/src/main/resources/invoicePayment.bpmn"),
    corpus!(
        "camunda-bpm-examples/servicetask/service-invocation-asynchronous/src/main/resources/asynchronousServiceInvocation.bpmn"
    ),
    corpus!(
        "camunda-bpm-examples/multi-tenancy/tenant-identifier-shared-definitions/src/main/resources/processes/default/mainProcess.bpmn"
    ),
    corpus!("camunda-bpm-examples/clients/java/order-handling/order-handling.bpmn"),
    corpus!(
        "camunda-bpm-examples/process-engine-plugin/failed-job-retry-profile/src/main/resources/retry-example.bpmn"
    ),
    corpus!("cibseven-get-started/src/main/resources/loanApproval.bpmn"),
];

fn file(suffix: &str) -> Extracted {
    let (path, text) = FILES.iter().find(|(p, _)| p.ends_with(suffix)).expect("corpus file");
    extract(path, text)
}

/// Per file: top-level processes, workflows (sub-processes included) and steps.
const COUNTS: [(&str, usize, usize, usize); 7] = [
    ("loan-granting.bpmn", 1, 2, 10),
    ("invoicePayment.bpmn", 1, 1, 7),
    ("asynchronousServiceInvocation.bpmn", 1, 1, 5),
    ("mainProcess.bpmn", 1, 1, 3),
    ("order-handling.bpmn", 1, 2, 8),
    ("retry-example.bpmn", 1, 1, 6),
    ("loanApproval.bpmn", 1, 1, 5),
];

#[test]
fn every_corpus_file_extracts_cleanly_and_every_reference_resolves() {
    for (path, text) in FILES {
        let x = extract(path, text);
        assert!(x.diagnostics.iter().all(|d| d.severity != Severity::Error), "{path}: {:#?}", x.diagnostics);
        assert!(x.diagnostics.is_empty(), "{path}: {:#?}", x.diagnostics);
        let graph = model::build([&x.facts]);
        assert!(graph.dangling.is_empty(), "{path}: {:#?}", graph.dangling);
    }
}

#[test]
fn processes_workflows_and_steps_per_file() {
    assert_eq!(COUNTS.len(), FILES.len());
    for (suffix, processes, workflows, steps) in COUNTS {
        let x = file(suffix);
        let wf: Vec<&str> =
            x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Workflow).map(|n| n.name.as_str()).collect();
        assert_eq!(wf.iter().filter(|w| !w.contains(" › ")).count(), processes, "{suffix}: {wf:?}");
        assert_eq!(wf.len(), workflows, "{suffix}: {wf:?}");
        assert_eq!(x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).count(), steps, "{suffix}");
    }
}

#[test]
fn loan_approval_retry_cycle_is_three_attempts_ten_seconds_apart() {
    // cibseven loanApproval.bpmn (`bpmn2:` prefix): `R3/PT10S` on an asyncBefore task.
    let x = file("loanApproval.bpmn");
    let task = step(&x, "Fail on purpose");
    let r = &task.attrs.retries[0];
    assert_eq!((r.library.as_str(), r.limit_text.as_deref()), ("camunda", Some("R3/PT10S")));
    assert_eq!((r.source.line, r.source.column), (18, 9));
    assert_eq!(r.max_attempts, Value::Known(Some(3)));
    let graph = model::build([&x.facts]);
    let a = analyze(&graph, &[], &Config::default());
    let id = &graph.nodes().find(|(_, n)| n.name == "Fail on purpose").unwrap().1.id;
    let p = &a.retry[id];
    assert_eq!(p.schedule_ms, vec![10_000, 10_000]);
    assert_eq!(p.max_attempts, Some(3));
    assert!(task.attrs.description.as_deref().unwrap().contains("asyncBefore"));
    assert_eq!(step(&x, "Check the request").attrs.waits.as_ref().unwrap().value, "a person: assignee demo");
    // A name written over two lines reads as one.
    step(&x, "Loan Request Received");
}

#[test]
fn retry_profile_is_named_not_guessed() {
    let x = file("retry-example.bpmn");
    let r = &step(&x, "Send customer data to the ERP system").attrs.retries[0];
    assert_eq!(r.text, "retryProfile ERP");
    assert!(matches!(&r.max_attempts, Value::Unknown { expr } if expr.contains("ERP")));
    // The process has no name: its id names the workflow.
    assert!(x.facts.nodes.iter().any(|n| n.kind == NodeKind::Workflow && n.name == "process"));
}

#[test]
fn error_and_escalation_boundary_events_are_error_paths_of_their_task() {
    let x = file("invoicePayment.bpmn");
    let on_error = edges_of(&x, EdgeKind::OnError);
    let e = on_error.iter().find(|e| e.to.name == "Archive Invoice").expect("error path");
    assert_eq!(e.from.name, "Pay Invoice");
    assert_eq!(e.detail.as_deref(), Some("error invoice-error"));
    assert_eq!(e.source.line, 23);
    let esc = on_error.iter().find(|e| e.to.name == "Inform Supervisor").expect("escalation path");
    assert_eq!(esc.detail.as_deref(), Some("escalation invoice-escalate"));
    let handling: Vec<&str> = step(&x, "Pay Invoice").attrs.error_handling.iter().map(|h| h.value.as_str()).collect();
    assert_eq!(
        handling,
        [
            "error boundary event invoice-error -> Archive Invoice",
            "escalation boundary event invoice-escalate -> Inform Supervisor"
        ]
    );
    // Boundary events are no steps of their own.
    assert!(x.facts.nodes.iter().all(|n| !n.name.starts_with("Unspecified Amount")));
}

#[test]
fn external_task_in_a_sub_process() {
    let x = file("order-handling.bpmn");
    let task = step(&x, "Create Invoice");
    assert_eq!(task.scope.as_deref(), Some("Order Process › Task_1nbdup3"));
    assert_eq!(task.attrs.activity.as_ref().unwrap().value, "service task (external topic \"invoiceCreator\")");
    assert_eq!(task.attrs.waits.as_ref().unwrap().value, "an external worker on topic \"invoiceCreator\"");
    let contains = edges_of(&x, EdgeKind::Contains);
    assert!(contains.iter().any(|e| e.from.name == "Task_1nbdup3"
        && e.from.kind == Some(NodeKind::Step)
        && e.to.name == "Order Process › Task_1nbdup3"));
    // The conditional boundary event on the sub-process is an alternative path.
    let next = edges_of(&x, EdgeKind::Next);
    let cond = next.iter().find(|e| e.to.name == "Archive invoice").unwrap();
    assert_eq!(cond.detail.as_deref(), Some("condition ${invoiceId != null}"));
}

#[test]
fn conditional_flows_carry_their_name_and_condition() {
    let x = file("loan-granting.bpmn");
    let next = edges_of(&x, EdgeKind::Next);
    let good = next.iter().find(|e| e.to.name == "Grant loan").unwrap();
    assert_eq!(good.detail.as_deref(), Some("good score (${score > 5})"));
    assert_eq!(good.from.scope.as_deref(), Some("Granting Loans › Decide if a loan is granted"));
    assert_eq!(good.source.line, 31);
    let decide = step(&x, "Decide if a loan is granted");
    assert!(decide.attrs.activity.is_none(), "a sub-process costs what its content costs");
    assert!(decide.attrs.description.as_deref().unwrap().contains("${creditScores}"));
}

#[test]
fn prefixes_do_not_matter() {
    // `bpmn2:` (asynchronous invocation) and `bpmn:` (main process) read the same way.
    let x = file("asynchronousServiceInvocation.bpmn");
    let task = step(&x, "Asynchronous Service Task");
    assert_eq!(
        task.attrs.activity.as_ref().unwrap().value,
        "service task (class org.camunda.quickstart.servicetask.invocation.AsynchronousServiceTask)"
    );
    step(&x, "Wait State After");
    let x = file("mainProcess.bpmn");
    let calls = edges_of(&x, EdgeKind::Calls);
    assert_eq!(calls.len(), 1);
    assert_eq!((calls[0].to.name.as_str(), calls[0].resolve), ("subProcess", Resolve::External));
    let wf = x.facts.nodes.iter().find(|n| n.kind == NodeKind::Workflow).unwrap();
    assert!(wf.attrs.description.as_deref().unwrap().contains("calling the sub-process"));
}

#[test]
fn truncated_files_never_panic() {
    for (path, text) in FILES {
        let mut cut = 0;
        while cut < text.len() {
            if text.is_char_boundary(cut) {
                let x = extract(path, &text[..cut]);
                assert!(
                    x.diagnostics.iter().all(|d| d.code == "parse-error" || d.code == "invalid-value"),
                    "{path}@{cut}"
                );
            }
            cut += 97;
        }
    }
}
