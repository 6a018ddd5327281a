//! The extractor on small inline files: the traps of the format, one at a time.

use super::*;
use crate::diag::Severity;
use crate::extract::{Resolve, Strategy, Value};

fn read(text: &str) -> Extracted {
    extract("wf.yaml", text)
}

/// A workflow whose entrypoint is one leaf template with `body` (indented by 4).
fn leaf(body: &str) -> Extracted {
    read(&format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  entrypoint: t\n  templates:\n  - name: t\n{body}"
    ))
}

fn warnings(x: &Extracted) -> Vec<(u32, &str)> {
    x.diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .map(|d| (d.source.line, d.message.as_str()))
        .collect()
}

#[test]
fn a_string_limit_counts_retries() {
    let x = leaf("    retryStrategy:\n      limit: \"3\"\n    container:\n      image: alpine\n");
    let r = retry(&x, "w", "t");
    assert_eq!(r.max_attempts, Value::Known(Some(4)));
    assert_eq!(r.limit_text.as_deref(), Some("limit: \"3\""));
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
}

#[test]
fn no_limit_retries_until_success() {
    let x = leaf("    retryStrategy: {}\n    container:\n      image: alpine\n");
    let r = retry(&x, "w", "t");
    assert_eq!((r.max_attempts.clone(), r.limit_text.clone()), (Value::Known(None), None));
}

#[test]
fn a_bare_number_duration_is_seconds_and_no_factor_is_a_fixed_delay() {
    let x = leaf(
        "    retryStrategy:\n      limit: 2\n      backoff:\n        duration: \"2\"\n    container:\n      image: alpine\n",
    );
    let r = retry(&x, "w", "t");
    assert_eq!(r.initial_delay_ms, Value::Known(2_000));
    assert_eq!((r.strategy, r.factor.clone()), (Strategy::Fixed, Value::Known(1.0)));
    let x = leaf("    suspend:\n      duration: \"20\"\n");
    let s = step(&x, "w", "t");
    assert_eq!(s.attrs.duration_ms.as_ref().unwrap().value, Value::Known(20_000));
    assert!(s.attrs.waits.is_none(), "a timed suspension resumes by itself");
    let x = leaf("    suspend: {}\n");
    let s = step(&x, "w", "t");
    assert_eq!(s.attrs.waits.as_ref().unwrap().value, "suspend (manual resume)");
    assert_eq!(s.attrs.activity.as_ref().unwrap().value, "suspend");
}

#[test]
fn templated_numbers_are_unknown_unless_a_literal_argument_gives_them() {
    let x =
        leaf("    retryStrategy:\n      limit: \"{{workflow.parameters.n}}\"\n    container:\n      image: alpine\n");
    let r = retry(&x, "w", "t");
    assert_eq!(r.max_attempts, Value::Unknown { expr: "\"{{workflow.parameters.n}}\"".into() });
    assert!(x.diagnostics.is_empty());
    let x = read(
        "apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        template: t
        arguments:
          parameters: [{name: n, value: \"4\"}]
      - name: b
        template: t
  - name: t
    inputs:
      parameters: [{name: n}]
    retryStrategy:
      limit: \"{{inputs.parameters.n}}\"
    activeDeadlineSeconds: \"{{inputs.parameters.n}}\"
    container: {image: alpine}
",
    );
    assert_eq!(retry(&x, "w", "a").max_attempts, Value::Known(Some(5)));
    assert_eq!(step(&x, "w", "a").attrs.timeouts[0].ms, Value::Known(4_000));
    assert!(matches!(retry(&x, "w", "b").max_attempts, Value::Unknown { .. }));
    assert!(matches!(step(&x, "w", "b").attrs.timeouts[0].ms, Value::Unknown { .. }));
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
}

#[test]
fn a_limit_that_is_no_number_is_a_warning_and_unknown() {
    let x = leaf("    retryStrategy:\n      limit: ten\n    container:\n      image: alpine\n");
    assert_eq!(warnings(&x), [(10, "`limit` must be a number of retries such as 3 or \"3\", found `ten`")]);
    assert_eq!(retry(&x, "w", "t").max_attempts, Value::Unknown { expr: "ten".into() });
    assert_eq!(x.step_names("w"), ["t"], "the rest is still read");
}

#[test]
fn a_dependency_on_no_task_is_a_required_edge_at_its_line() {
    let x = read(
        "apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  templates:
  - name: main
    dag:
      tasks:
      - name: a
        template: t
      - name: b
        template: t
        dependencies: [a, ghost]
      - name: c
        template: t
        depends: \"a && phantom.Failed\"
  - name: t
    container: {image: alpine}
",
    );
    let e = edge(&x, EdgeKind::Next, "ghost", "b");
    assert_eq!((e.resolve, e.source.line, e.from.scope.as_deref()), (Resolve::Required, 14, Some("w")));
    let e = edge(&x, EdgeKind::OnError, "phantom", "c");
    assert_eq!((e.resolve, e.source.line), (Resolve::Required, 17));
    edge(&x, EdgeKind::Next, "a", "b");
    edge(&x, EdgeKind::Next, "w", "a");
    assert!(edges(&x, EdgeKind::Next, "w", "b").is_empty());
}

#[test]
fn an_entrypoint_naming_no_template_is_a_warning_and_the_templates_are_still_read() {
    let x = read(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: w-}\nspec:\n  entrypoint: mian\n  templates:\n  - name: main\n    container: {image: alpine}\n",
    );
    assert_eq!(warnings(&x).len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.source.line, d.source.column, d.len), ("invalid-value", 5, 15, 4));
    assert!(d.message.starts_with("`entrypoint` must name one of the workflow's templates"), "{}", d.message);
    assert_eq!(x.workflow_names(), ["w"]);
    assert_eq!(x.step_names("w"), ["main"]);
}

#[test]
fn a_task_that_runs_nothing_is_a_warning() {
    let x = read(
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  entrypoint: main\n  templates:\n  - name: main\n    steps:\n    - - name: a\n      - name: b\n        template: nope\n",
    );
    let w = warnings(&x);
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0].0, 9);
    assert!(w[0].1.contains("task `a` needs `template`, `templateRef` or `inline`"));
    assert_eq!(w[1].0, 11);
    assert_eq!(x.step_names("w"), ["a", "b"]);
}

#[test]
fn invalid_yaml_is_one_parse_error() {
    let x = read("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nspec:\n  templates: [\n");
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity), ("parse-error", Severity::Error));
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
    assert!(x.facts.nodes.is_empty());
}

#[test]
fn other_documents_of_the_file_are_skipped_silently() {
    let x = read(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Sensor\nmetadata: {name: s}\n---\napiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: lib}\nspec:\n  templates:\n  - name: t\n    container: {image: alpine}\n",
    );
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    assert_eq!(x.workflow_names(), ["lib"]);
    assert_eq!(x.step_names("lib"), ["t"]);
}

#[test]
fn claims_only_argo_workflow_kinds() {
    use super::super::claims;
    assert!(claims("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"));
    assert!(claims("apiVersion: argoproj.io/v1alpha1\nkind: ClusterWorkflowTemplate\n"));
    assert!(claims("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\n"));
    assert!(claims("{\"apiVersion\": \"argoproj.io/v1alpha1\", \"kind\": \"Workflow\"}"));
    assert!(!claims("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n"), "Argo Rollouts are not workflows");
    assert!(!claims("apiVersion: batch/v1\nkind: Workflow\n"));
    assert!(!claims("services:\n  web:\n    image: nginx\n"));
}

#[test]
fn workflow_retry_strategy_applies_to_leaf_steps_only() {
    let x = read(
        "apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {name: w}
spec:
  entrypoint: main
  retryStrategy: {limit: 1}
  templates:
  - name: main
    steps:
    - - name: inner
        template: sub
  - name: sub
    dag:
      tasks:
      - name: leaf
        template: t
        continueOn: {failed: true}
  - name: t
    http:
      url: https://erp.example.com/orders
      method: POST
      timeoutSeconds: 20
",
    );
    assert!(step(&x, "w", "inner").attrs.retries.is_empty());
    assert_eq!(step(&x, "w", "inner").attrs.activity.as_ref().unwrap().value, "dag sub");
    let s = step(&x, "w › sub", "leaf");
    let r = &s.attrs.retries[0];
    assert_eq!((r.max_attempts.clone(), r.source.line), (Value::Known(Some(2)), 6));
    assert_eq!(r.text, "spec retryStrategy: {limit: 1}");
    assert_eq!(s.attrs.activity.as_ref().unwrap().value, "http POST https://erp.example.com/orders");
    assert_eq!(s.attrs.http_calls[0].method, "POST");
    assert_eq!(
        (s.attrs.timeouts[0].library.as_str(), s.attrs.timeouts[0].ms.clone()),
        ("argo http timeoutSeconds", Value::Known(20_000))
    );
    assert_eq!(s.attrs.error_handling[0].value, "continueOn: failed");
    edge(&x, EdgeKind::Contains, "inner", "w › sub");
    edge(&x, EdgeKind::Next, "w › sub", "leaf");
}

#[test]
fn odd_shapes_never_panic() {
    let heads = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\n";
    for body in [
        "spec: 3\n",
        "spec:\n  templates: {a: 1}\n",
        "spec:\n  entrypoint: [a]\n  templates: [3, {name: 4}]\n",
        "spec:\n  entrypoint: m\n  templates:\n  - name: m\n    dag: {tasks: {a: 1}}\n",
        "spec:\n  entrypoint: m\n  templates:\n  - name: m\n    steps: [{name: a}, [3, {name: b, template: m}]]\n",
        "spec:\n  entrypoint: m\n  templates:\n  - name: m\n    dag:\n      tasks:\n      - {name: a, template: m, depends: \"((a.\"}\n",
        "spec:\n  entrypoint: m\n  templates:\n  - name: m\n    retryStrategy: {limit: -1, backoff: {factor: x, cap: soon}}\n    container: {}\n",
        "",
        "---\n---\n",
    ] {
        let x = read(&format!("{heads}{body}"));
        let _ = x;
        let x = read(body);
        let _ = x;
    }
    let x = read(&format!(
        "{heads}spec:\n  entrypoint: m\n  templates:\n  - name: m\n    steps:\n    - - name: again\n        template: m\n"
    ));
    // An entrypoint that runs itself: the workflow contains itself through the step.
    assert_eq!(x.workflow_names(), ["w"]);
    let e = edge(&x, EdgeKind::Contains, "again", "w");
    assert_eq!((e.from.scope.as_deref(), e.resolve), (Some("w"), Resolve::Required));
    assert!(step(&x, "w", "again").attrs.description.as_deref().unwrap().contains("recursion"));
}
