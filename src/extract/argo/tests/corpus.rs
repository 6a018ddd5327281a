//! The extractor on the real Argo examples in `shared/corpus`.

use super::*;
use crate::extract::{Resolve, Strategy, Value};

/// Every YAML file below the Argo examples, relative to them, in a stable order.
fn example_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path.strip_prefix(CORPUS).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

/// Workflows (nested ones included) and steps per file. Checked by hand: `dag-diamond` (4
/// tasks), `dag-nested` (4 tasks running one nested 4-task DAG), `dag-coinflip` (4 tasks
/// running one nested 3-step template that runs itself), `resubmit` (4 tasks, one running a
/// 2+4 steps template), `workflow-template/templates.yaml` (5 documents: 1 + 1 + (2 + 3) +
/// (2 + 4) + 1 steps, two nested workflows).
const COUNTS: [(&str, usize, usize); 39] = [
    ("ci-workflowtemplate.yaml", 1, 5),
    ("cluster-workflow-template/cluster-wftmpl-dag.yaml", 1, 4),
    ("cluster-workflow-template/clustertemplates.yaml", 7, 14),
    ("cron-workflow.yaml", 1, 1),
    ("daemoned-stateful-set-with-service.yaml", 1, 4),
    ("dag-coinflip.yaml", 2, 7),
    ("dag-continue-on-fail.yaml", 1, 7),
    ("dag-daemon-retry-strategy.yaml", 1, 2),
    ("dag-diamond-steps.yaml", 2, 5),
    ("dag-diamond.yaml", 1, 4),
    ("dag-disable-failFast.yaml", 1, 5),
    ("dag-enhanced-depends.yaml", 1, 7),
    ("dag-nested.yaml", 2, 8),
    ("dag-targets.yaml", 1, 5),
    ("dag-task-level-timeout.yaml", 1, 3),
    ("exit-handler-dag-level.yaml", 1, 4),
    ("exit-handlers.yaml", 1, 1),
    ("k8s-jobs.yaml", 1, 1),
    ("k8s-orchestration.yaml", 1, 3),
    ("map-reduce.yaml", 1, 3),
    ("memoize-simple.yaml", 1, 1),
    ("parallelism-nested-dag.yaml", 2, 8),
    ("resubmit.yaml", 2, 10),
    ("retry-backoff.yaml", 1, 1),
    ("retry-conditional.yaml", 1, 2),
    ("retry-container-to-completion.yaml", 1, 1),
    ("retry-container.yaml", 1, 1),
    ("retry-on-error.yaml", 1, 1),
    ("retry-script.yaml", 1, 1),
    ("retry-with-steps.yaml", 1, 3),
    ("steps-daemon-retry-strategy.yaml", 1, 2),
    ("synchronization-mutex-wf-level.yaml", 1, 1),
    ("template-defaults.yaml", 1, 2),
    ("template-on-exit.yaml", 1, 2),
    ("timeouts-step.yaml", 1, 1),
    ("timeouts-workflow.yaml", 1, 2),
    ("work-avoidance.yaml", 1, 2),
    ("workflow-template/dag.yaml", 1, 4),
    ("workflow-template/templates.yaml", 7, 14),
];

#[test]
fn every_example_extracts_without_problems_and_with_the_expected_shape() {
    let files = example_files();
    let listed: Vec<&str> = COUNTS.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(files, listed, "the corpus changed: update COUNTS");
    for (file, workflows, steps) in COUNTS {
        let text = std::fs::read_to_string(format!("{CORPUS}{file}")).unwrap();
        assert!(super::super::claims(&text), "{file}: not claimed");
        let x = extract(file, &text);
        assert!(x.diagnostics.is_empty(), "{file}: {:#?}", x.diagnostics);
        let count = |k: NodeKind| x.facts.nodes.iter().filter(|n| n.kind == k).count();
        assert_eq!((count(NodeKind::Workflow), count(NodeKind::Step)), (workflows, steps), "{file}");
        // Every required reference names a node of the same file: the corpus has no typos.
        for e in x.facts.edges.iter().filter(|e| e.resolve == Resolve::Required) {
            for end in [&e.from, &e.to] {
                let found = x
                    .facts
                    .nodes
                    .iter()
                    .any(|n| Some(n.kind) == end.kind && n.name == end.name && n.scope == end.scope);
                assert!(found, "{file}: dangling {end:?} in {e:?}");
            }
        }
        // Every step is contained by a workflow and every step that does work says what.
        for s in x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step) {
            let scope = s.scope.as_deref().unwrap();
            assert_eq!(edges(&x, EdgeKind::Contains, scope, &s.name).len(), 1, "{file}: {} not contained", s.name);
            assert!(s.attrs.activity.is_some(), "{file}: {} has no activity", s.name);
        }
    }
}

#[test]
fn retry_backoff_gives_attempts_schedule_inputs_and_elapsed_cap() {
    let x = corpus("retry-backoff.yaml");
    assert_eq!(x.workflow_names(), ["retry-backoff"]);
    let wf = x.node(NodeKind::Workflow, "retry-backoff");
    assert_eq!((wf.source.line, wf.source.column), (5, 3));
    // The entrypoint is a container: the workflow's one step is that template.
    assert_eq!(x.step_names("retry-backoff"), ["retry-backoff"]);
    edge(&x, EdgeKind::Next, "retry-backoff", "retry-backoff");
    let s = step(&x, "retry-backoff", "retry-backoff");
    assert_eq!(s.attrs.activity.as_ref().unwrap().value, "container python:alpine3.23");
    let r = retry(&x, "retry-backoff", "retry-backoff");
    assert_eq!((r.source.line, r.source.column), (12, 5));
    assert_eq!(r.library, "argo");
    assert_eq!(r.max_attempts, Value::Known(Some(11)), "limit \"10\" counts retries");
    assert_eq!(r.limit_text.as_deref(), Some("limit: \"10\""));
    assert_eq!(r.initial_delay_ms, Value::Known(1_000), "duration \"1\" is one second");
    assert_eq!(r.factor, Value::Known(2.0));
    assert_eq!(r.strategy, Strategy::Exponential);
    assert_eq!(r.max_delay_ms, Value::Known(Some(5_000)), "cap \"5\" bounds each delay");
    assert_eq!(r.max_elapsed_ms, Value::Known(Some(60_000)), "maxDuration 1m bounds the whole");
    assert_eq!(r.on_errors, ["OnFailure"]);
    assert_eq!(
        r.text,
        r#"retryStrategy: {limit: "10", backoff: {duration: "1", factor: "2", maxDuration: "1m", cap: "5"}}"#
    );
    let p = crate::analyze::retry::normalise(r, None);
    assert_eq!(p.schedule_ms, [1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000, 5_000]);
    assert_eq!(p.worst_case_ms, Some(42_000));
}

#[test]
fn retry_with_steps_orders_groups_and_retries_every_step() {
    let x = corpus("retry-with-steps.yaml");
    let wf = "retry-with-steps";
    assert_eq!(x.step_names(wf), ["hello1", "hello2a", "hello2b"]);
    edge(&x, EdgeKind::Next, wf, "hello1");
    assert!(edges(&x, EdgeKind::Next, wf, "hello2a").is_empty(), "the second group does not start the workflow");
    assert_eq!(edge(&x, EdgeKind::Next, "hello1", "hello2a").source.line, 15);
    assert_eq!(edge(&x, EdgeKind::Next, "hello1", "hello2b").source.line, 17);
    for s in ["hello1", "hello2a", "hello2b"] {
        let r = retry(&x, wf, s);
        assert_eq!((r.max_attempts.clone(), r.source.line), (Value::Known(Some(11)), 20));
        assert_eq!(
            (r.strategy, r.initial_delay_ms.clone()),
            (Strategy::Fixed, Value::Known(0)),
            "no backoff: immediate"
        );
    }
}

#[test]
fn retry_conditional_keeps_the_expression_in_words() {
    let x = corpus("retry-conditional.yaml");
    let r = retry(&x, "retry-script", "retry");
    assert_eq!(r.max_attempts, Value::Known(Some(11)));
    assert_eq!(r.on_errors[0], "OnFailure");
    assert!(
        r.on_errors[1].starts_with("expression: asInt(lastRetry.exitCode) > 1 && lastRetry.status != \"Error\""),
        "{r:?}"
    );
    assert!(step(&x, "retry-script", "safe-to-retry").attrs.retries.is_empty());
    assert_eq!(retry(&corpus("retry-on-error.yaml"), "retry-on-error", "error-container").on_errors, ["Always"]);
}

#[test]
fn dag_diamond_edges() {
    let x = corpus("dag-diamond.yaml");
    let wf = "dag-diamond";
    assert_eq!(x.step_names(wf), ["A", "B", "C", "D"]);
    let a = step(&x, wf, "A");
    assert_eq!((a.source.line, a.source.column), (18, 9));
    assert_eq!(a.attrs.activity.as_ref().unwrap().value, "container busybox");
    let e = edge(&x, EdgeKind::Contains, wf, "A");
    assert_eq!((e.to.scope.as_deref(), e.resolve), (Some(wf), Resolve::Required));
    edge(&x, EdgeKind::Next, wf, "A");
    for (from, to, line) in [("A", "B", 23), ("A", "C", 28), ("B", "D", 33), ("C", "D", 33)] {
        let e = edge(&x, EdgeKind::Next, from, to);
        assert_eq!((e.source.line, e.from.scope.as_deref()), (line, Some(wf)), "{from} -> {to}");
    }
    assert_eq!(edge(&x, EdgeKind::Next, "B", "D").detail.as_deref(), Some("depends: B && C"));
    assert_eq!(x.facts.edges.iter().filter(|e| e.kind == EdgeKind::Next).count(), 5);
}

#[test]
fn dag_enhanced_depends_failure_clause_is_an_error_path() {
    let x = corpus("dag-enhanced-depends.yaml");
    let e = edge(&x, EdgeKind::OnError, "C", "should-execute-1");
    assert_eq!(e.source.line, 20);
    assert_eq!(e.detail.as_deref(), Some("depends: A && (C.Succeeded || C.Failed)"));
    edge(&x, EdgeKind::Next, "C", "should-execute-1");
    edge(&x, EdgeKind::Next, "A", "should-execute-1");
    edge(&x, EdgeKind::Next, "should-not-execute", "should-execute-3");
    assert!(edges(&x, EdgeKind::OnError, "A", "should-execute-1").is_empty());
    // `B.Failed && C` in dag-continue-on-fail: D runs on B's failure.
    let x = corpus("dag-continue-on-fail.yaml");
    edge(&x, EdgeKind::OnError, "B", "D");
    edge(&x, EdgeKind::Next, "C", "D");
}

#[test]
fn timeouts_of_steps_and_the_workflow_deadline() {
    let x = corpus("timeouts-step.yaml");
    let t = &step(&x, "timeouts-step", "sleep").attrs.timeouts;
    assert_eq!(t.len(), 1);
    assert_eq!(
        (t[0].library.as_str(), t[0].ms.clone(), t[0].source.line),
        ("argo activeDeadlineSeconds", Value::Known(10_000), 28)
    );
    assert_eq!(t[0].text, "activeDeadlineSeconds: 10");

    let x = corpus("timeouts-workflow.yaml");
    let d = x.node(NodeKind::Workflow, "timeouts-workflow").attrs.deadline.as_ref().unwrap();
    assert_eq!((d.value.clone(), d.source.line), (Value::Known(30_000), 18));
    let s = step(&x, "timeouts-workflow", "sleep-one-day");
    assert!(s.attrs.timeouts.is_empty());
    assert_eq!(s.attrs.description.as_deref(), Some("Runs once per item of `withItems: [1, 2, 3]`, in parallel."));

    // The template's timeout is a parameter each task passes as a literal.
    let x = corpus("dag-task-level-timeout.yaml");
    for (task, ms) in [("A", 20_000), ("B", 10_000), ("C", 20_000)] {
        let t = &step(&x, "dag-task-level-timeout", task).attrs.timeouts[0];
        assert_eq!((t.library.as_str(), t.ms.clone(), t.source.line), ("argo timeout", Value::Known(ms), 30), "{task}");
    }
    let t = &step(&x, "dag-task-level-timeout", "B").attrs.timeouts[0];
    assert_eq!(t.text, "timeout: \"{{inputs.parameters.timeout}}\" = 10s");
}

#[test]
fn exit_handlers_and_continue_on() {
    let x = corpus("exit-handlers.yaml");
    let eh = &x.node(NodeKind::Workflow, "exit-handlers").attrs.error_handling;
    assert_eq!(eh.len(), 1);
    assert_eq!((eh[0].value.as_str(), eh[0].source.line), ("onExit: exit-handler", 17));
    // The exit handler is a mention, not a step of the workflow.
    assert_eq!(x.step_names("exit-handlers"), ["intentional-fail"]);

    let x = corpus("exit-handler-dag-level.yaml");
    let eh = &step(&x, "exit-hanlder-dag-level", "B").attrs.error_handling;
    assert_eq!((eh[0].value.as_str(), eh[0].source.line), ("onExit: exit", 22));
    let x = corpus("template-on-exit.yaml");
    let eh = &step(&x, "container-on-exit", "stepA").attrs.error_handling;
    assert_eq!((eh[0].value.as_str(), eh[0].source.line), ("onExit: exit-container", 27));
}

#[test]
fn cron_workflow_reads_its_workflow_spec() {
    let x = corpus("cron-workflow.yaml");
    assert_eq!(x.workflow_names(), ["hello-world"]);
    assert_eq!(x.step_names("hello-world"), ["hello-world-with-time"]);
    let wf = x.node(NodeKind::Workflow, "hello-world");
    assert_eq!(
        wf.attrs.description.as_deref(),
        Some("Runs on the cron schedule `* * * * *` (America/Los_Angeles); concurrency policy Replace.")
    );
}

#[test]
fn workflow_templates_and_their_callers() {
    let x = corpus("workflow-template/templates.yaml");
    assert_eq!(
        x.workflow_names(),
        [
            "workflow-template-print-message",
            "workflow-template-random-fail-template",
            "workflow-template-inner-steps › inner-steps",
            "workflow-template-inner-steps",
            "workflow-template-inner-dag › inner-diamond",
            "workflow-template-inner-dag",
            "workflow-template-submittable",
        ]
    );
    // A library without an entrypoint: each template is a step others call, in no order.
    assert_eq!(x.step_names("workflow-template-inner-dag"), ["print-message", "inner-diamond"]);
    assert!(edges(&x, EdgeKind::Next, "workflow-template-inner-dag", "print-message").is_empty());
    assert_eq!(
        x.step_names("workflow-template-inner-dag › inner-diamond"),
        ["inner-A", "inner-B", "inner-C", "inner-D"]
    );
    edge(&x, EdgeKind::Contains, "inner-diamond", "workflow-template-inner-dag › inner-diamond");
    let r = retry(&x, "workflow-template-random-fail-template", "random-fail-template");
    assert_eq!((r.max_attempts.clone(), r.limit_text.as_deref()), (Value::Known(Some(11)), Some("limit: 10")));
    let call = edge(&x, EdgeKind::Calls, "inner-hello1", "workflow-template-print-message");
    assert_eq!(call.resolve, Resolve::External);
    assert_eq!(call.detail.as_deref(), Some("templateRef workflow-template-print-message/print-message"));

    let x = corpus("workflow-template/dag.yaml");
    let call = edge(&x, EdgeKind::Calls, "C", "workflow-template-inner-dag");
    assert_eq!((call.source.line, call.to.kind, call.resolve), (37, Some(NodeKind::Workflow), Resolve::External));
    assert_eq!(call.detail.as_deref(), Some("templateRef workflow-template-inner-dag/inner-diamond"));
    let c = step(&x, "workflow-template-dag-diamond", "C");
    assert_eq!(c.attrs.activity.as_ref().unwrap().value, "templateRef workflow-template-inner-dag/inner-diamond");
}

#[test]
fn template_defaults_apply_to_every_template() {
    let x = corpus("template-defaults.yaml");
    for s in ["retry-backoff", "hello-world"] {
        let r = retry(&x, "template-defaults", s);
        assert_eq!((r.max_attempts.clone(), r.source.line), (Value::Known(Some(3)), 18), "{s}");
        assert_eq!(r.limit_text.as_deref(), Some("limit: \"2\""));
        let t = &step(&x, "template-defaults", s).attrs.timeouts[0];
        assert_eq!(
            (t.ms.clone(), t.source.line, t.text.as_str()),
            (Value::Known(30_000), 17, "templateDefaults timeout: 30s")
        );
    }
    // The entrypoint `steps` template inherits them too: they bound and retry the whole run.
    let wf = x.node(NodeKind::Workflow, "template-defaults");
    assert_eq!(wf.attrs.timeouts[0].ms, Value::Known(30_000));
    assert_eq!(wf.attrs.retries[0].max_attempts, Value::Known(Some(3)));
}

#[test]
fn dag_coinflip_recursion_is_read_once_and_noted() {
    let x = corpus("dag-coinflip.yaml");
    assert_eq!(x.workflow_names(), ["dag-diamond-coinflip › coinflip", "dag-diamond-coinflip"]);
    let nested = "dag-diamond-coinflip › coinflip";
    assert_eq!(x.step_names(nested), ["flip-coin", "heads", "tails"]);
    for task in ["A", "B", "C", "D"] {
        edge(&x, EdgeKind::Contains, task, nested);
    }
    // `tails` runs `coinflip` again: the nested workflow contains itself through it.
    let e = edge(&x, EdgeKind::Contains, "tails", nested);
    assert_eq!(e.source.line, 36);
    let tails = step(&x, nested, "tails");
    assert!(tails.attrs.description.as_deref().unwrap().contains("recursion"), "{tails:?}");
    assert_eq!(
        edge(&x, EdgeKind::Next, "flip-coin", "tails").detail.as_deref(),
        Some("when: {{steps.flip-coin.outputs.result}} == tails")
    );
    let wf = x.node(NodeKind::Workflow, "dag-diamond-coinflip");
    assert_eq!(wf.attrs.description.as_deref(), Some("This is an example of coin flip defined as a DAG."));
}

#[test]
fn resources_are_side_effects_and_dependencies_lists_are_edges() {
    let x = corpus("k8s-orchestration.yaml");
    let s = step(&x, "k8s-orchestrate", "random-number-job");
    assert_eq!(s.attrs.activity.as_ref().unwrap().value, "resource k8s create Job");
    assert_eq!(s.attrs.side_effects[0].value, "k8s create Job");
    let x = corpus("ci-workflowtemplate.yaml");
    assert_eq!(edge(&x, EdgeKind::Next, "clone", "deps").source.line, 42);
    assert_eq!(edge(&x, EdgeKind::Next, "cache-restore", "deps").source.line, 43);
    edge(&x, EdgeKind::Next, "ci", "clone");
    assert_eq!(x.node(NodeKind::Workflow, "ci").attrs.error_handling[0].value, "onExit: cache-store");
}

/// The facts of the whole example folder as the model and analysis see them: every name
/// resolves, and the worst cases follow from the timeouts and retries read.
#[test]
fn the_examples_build_a_graph_with_workflow_worst_cases() {
    let all: Vec<Extracted> = example_files().iter().map(|f| corpus(f)).collect();
    let graph = crate::model::build(all.iter().map(|x| &x.facts));
    assert!(graph.dangling.is_empty(), "{:#?}", graph.dangling);
    let a = crate::analyze::analyze(&graph, &[], &crate::config::Config::default());
    let wf = |id: &str| a.workflows.get(id).unwrap_or_else(|| panic!("no summary for {id}"));
    assert_eq!(wf("workflow:timeouts-step").worst_case_ms, Some(10_000));
    let t = wf("workflow:dag-task-level-timeout");
    assert_eq!(t.worst_case_ms, Some(40_000), "A (20 s) then the slower of B (10 s) and C (20 s)");
    assert_eq!(t.critical_path, ["step:dag-task-level-timeout-a", "step:dag-task-level-timeout-c"]);
    assert_eq!(wf("workflow:template-defaults").worst_case_ms, Some(2 * 3 * 30_000), "two steps, 3 attempts of 30 s");
    assert_eq!(wf("workflow:timeouts-workflow").deadline_ms, Some(30_000));
    assert_eq!(
        wf("workflow:retry-backoff").unbounded,
        ["step:retry-backoff-retry-backoff"],
        "no timeout bounds an attempt"
    );
    let forever = a.findings.iter().find(|f| f.code == "unbounded-retry").expect("retryStrategy without limit");
    assert_eq!(forever.node.as_deref(), Some("step:retry-to-completion-retry-to-completion"));
}
