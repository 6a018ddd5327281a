//! Each finding fires on the smallest model that should trigger it, and not on its fix.

use crate::analyze::{Analysis, analyze};
use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::extract::*;
use crate::model::{self, EdgeKind, NodeKind};
use crate::source::{Located, Source};

fn src(line: u32) -> Source {
    Source::new("src/erp.rs", line, 1)
}

fn step(name: &str, line: u32) -> NodeFact {
    let mut n = NodeFact::new(NodeKind::Step, name, src(line));
    n.attrs.function = Some(name.to_string());
    n
}

fn retry(attempts: Option<u32>, origin: Origin, line: u32) -> RetryFact {
    RetryFact {
        source: src(line),
        origin,
        library: if origin == Origin::Code { "tokio-retry" } else { "doc" }.into(),
        text: String::new(),
        strategy: Strategy::Exponential,
        initial_delay_ms: Value::Known(500),
        factor: Value::Known(2.0),
        max_delay_ms: Value::Known(None),
        max_attempts: Value::Known(attempts),
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: None,
        on_errors: Vec::new(),
    }
}

fn run(facts: Facts, diagnostics: &[Diagnostic]) -> Analysis {
    let graph = model::build([&facts]);
    analyze(&graph, diagnostics, &Config::default())
}

fn codes(a: &Analysis) -> Vec<(&str, u32)> {
    a.findings.iter().map(|f| (f.code.as_str(), f.line)).collect()
}

#[test]
fn retried_side_effect_without_idempotency_is_an_error_at_the_step() {
    let mut s = step("push_order", 14);
    s.attrs.retries.push(retry(Some(5), Origin::Declared, 10));
    s.attrs.side_effects.push(Located::new("creates a sales order in the ERP".into(), src(8)));
    s.attrs.idempotent = Some(Located::new(Idempotency::No, src(9)));
    s.attrs.owner = Some(Located::new("team-integrations".into(), src(11)));
    let a = run(Facts { nodes: vec![s.clone()], ..Facts::default() }, &[]);
    let f = a.findings.iter().find(|f| f.code == "retry-without-idempotency").expect("fires");
    assert_eq!((f.severity, f.line, f.node.as_deref()), (Severity::Error, 14, Some("step:push-order")));
    assert!(f.message.contains("up to 5 times"), "{}", f.message);

    s.attrs.idempotent = Some(Located::new(Idempotency::Key("order.id".into()), src(9)));
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "retry-without-idempotency"));
}

#[test]
fn unbounded_retry_points_at_the_policy() {
    let mut s = step("poll", 3);
    s.attrs.retries.push(retry(None, Origin::Code, 7));
    let a = run(Facts { nodes: vec![s.clone()], ..Facts::default() }, &[]);
    assert!(codes(&a).contains(&("unbounded-retry", 7)));

    s.attrs.retries[0].max_elapsed_ms = Value::Known(Some(60_000));
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "unbounded-retry"));
}

#[test]
fn http_call_without_timeout_is_missing_timeout() {
    let mut s = step("send_email", 3);
    s.attrs.http_calls.push(HttpCall { source: src(9), method: "POST".into(), target: "url".into() });
    let a = run(Facts { nodes: vec![s.clone()], ..Facts::default() }, &[]);
    assert!(codes(&a).contains(&("missing-timeout", 9)));

    s.attrs.timeouts.push(TimeoutFact {
        source: src(8),
        origin: Origin::Code,
        library: "reqwest::RequestBuilder::timeout".into(),
        text: String::new(),
        ms: Value::Known(5_000),
    });
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "missing-timeout"));
}

fn service(name: &str, line: u32) -> NodeFact {
    NodeFact::new(NodeKind::Service, name, Source::new("compose.yaml", line, 3))
}

fn depends(from: &str, to: &str, line: u32, resolve: Resolve) -> EdgeFact {
    EdgeFact {
        from: NodeRef::new(NodeKind::Service, from),
        to: NodeRef::new(NodeKind::Service, to),
        kind: EdgeKind::DependsOn,
        source: Source::new("compose.yaml", line, 7),
        resolve,
        detail: None,
    }
}

#[test]
fn missing_compose_service_is_a_dangling_reference_with_its_line() {
    let facts = Facts {
        nodes: vec![service("web", 2)],
        edges: vec![depends("web", "smtp-relay", 5, Resolve::Required)],
        ..Facts::default()
    };
    let a = run(facts, &[]);
    let f = a.findings.iter().find(|f| f.code == "dangling-reference").expect("fires");
    assert_eq!((f.file.as_str(), f.line), ("compose.yaml", 5));
    assert!(f.message.contains("smtp-relay"));
}

#[test]
fn services_depending_on_each_other_are_a_cycle() {
    let facts = Facts {
        nodes: vec![service("a", 2), service("b", 6)],
        edges: vec![depends("a", "b", 4, Resolve::Required), depends("b", "a", 8, Resolve::Required)],
        ..Facts::default()
    };
    let a = run(facts, &[]);
    assert!(codes(&a).contains(&("dependency-cycle", 4)), "{:?}", codes(&a));
}

#[test]
fn unowned_service_warns_and_an_owned_one_does_not() {
    let mut owned = service("api", 9);
    owned.attrs.owner = Some(Located::new("team-a".into(), Source::new("compose.yaml", 10, 5)));
    let a = run(Facts { nodes: vec![service("db", 2), owned], ..Facts::default() }, &[]);
    let no_owner: Vec<_> = a.findings.iter().filter(|f| f.code == "no-owner").collect();
    assert_eq!(no_owner.len(), 1);
    assert_eq!(no_owner[0].node.as_deref(), Some("service:db"));
}

#[test]
fn doc_comment_that_disagrees_with_code_is_a_mismatch_and_code_wins() {
    let mut s = step("push_order", 14);
    s.attrs.retries.push(retry(Some(3), Origin::Declared, 6));
    s.attrs.retries.push(retry(Some(5), Origin::Code, 20));
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    let f = a.findings.iter().find(|f| f.code == "doc-code-mismatch").expect("fires");
    assert_eq!(f.line, 6);
    assert!(f.message.contains("3 attempts, the code makes 5"), "{}", f.message);
    assert_eq!(a.retry["step:push-order"].max_attempts, Some(5));
}

#[test]
fn parse_errors_become_findings_and_config_can_allow_codes() {
    let d = Diagnostic::error("parse-error", Source::new("broken.rs", 3, 9), "expected `;`");
    let a = run(Facts::default(), std::slice::from_ref(&d));
    assert_eq!(codes(&a), vec![("parse-error", 3)]);

    let mut config = Config::default();
    config.findings.allow.push("parse-error".into());
    let a = analyze(&model::build([&Facts::default()]), &[d], &config);
    assert!(a.findings.is_empty());
}

fn timeout(ms: u64, line: u32) -> TimeoutFact {
    TimeoutFact {
        source: src(line),
        origin: Origin::Code,
        library: "tokio::time::timeout".into(),
        text: String::new(),
        ms: Value::Known(ms),
    }
}

#[test]
fn caller_that_gives_up_before_the_callee_stops_retrying_is_an_inversion() {
    let mut caller = step("checkout", 3);
    caller.attrs.timeouts.push(timeout(2_000, 5));
    let mut callee = step("reserve", 20);
    callee.attrs.retries.push(retry(Some(4), Origin::Code, 22));
    callee.attrs.timeouts.push(timeout(1_000, 23));
    let call = EdgeFact {
        from: NodeRef::new(NodeKind::Step, "checkout"),
        to: NodeRef::new(NodeKind::Step, "reserve"),
        kind: EdgeKind::Calls,
        source: src(6),
        resolve: Resolve::IfKnown,
        detail: None,
    };
    let facts = Facts { nodes: vec![caller.clone(), callee.clone()], edges: vec![call.clone()], ..Facts::default() };
    // reserve: 4 × 1 s + 500 + 1000 + 2000 ms = 7.5 s, against a 2 s budget.
    let a = run(facts, &[]);
    let f = a.findings.iter().find(|f| f.code == "timeout-inversion").expect("fires");
    assert_eq!((f.line, f.node.as_deref()), (5, Some("step:checkout")));
    assert!(f.message.contains("7.5 s"), "{}", f.message);

    caller.attrs.timeouts[0] = timeout(10_000, 5);
    let a = run(Facts { nodes: vec![caller, callee], edges: vec![call], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "timeout-inversion"));
}

#[test]
fn service_without_health_check_or_alert_has_no_signal() {
    let mut checked = service("db", 2);
    checked.attrs.health_checks.push(HealthCheck {
        source: Source::new("compose.yaml", 4, 5),
        kind: "compose healthcheck".into(),
        test: "pg_isready".into(),
        interval_ms: Some(5_000),
        timeout_ms: Some(3_000),
        retries: Some(3),
        start_period_ms: None,
    });
    let mut alerted = service("api", 9);
    alerted.attrs.alerts.push(Located::new("ApiDown".into(), Source::new("compose.yaml", 10, 5)));
    let a = run(Facts { nodes: vec![checked, alerted, service("mailer", 14)], ..Facts::default() }, &[]);
    let silent: Vec<_> = a.findings.iter().filter(|f| f.code == "no-signal").map(|f| f.node.clone()).collect();
    assert_eq!(silent, vec![Some("service:mailer".to_string())]);
}

fn task(name: &str, scope: &str, line: u32) -> NodeFact {
    let mut n = NodeFact::scoped(NodeKind::Step, name, scope, Source::new("ship.asl.json", line, 5));
    n.attrs.activity = Some(Located::new("lambda invoke".into(), Source::new("ship.asl.json", line + 1, 7)));
    n
}

fn contains(from: NodeRef, to: NodeRef, line: u32) -> EdgeFact {
    EdgeFact {
        from,
        to,
        kind: EdgeKind::Contains,
        source: Source::new("ship.asl.json", line, 5),
        resolve: Resolve::Required,
        detail: None,
    }
}

#[test]
fn uncaught_task_is_missing_an_error_handler_unless_a_parent_catches() {
    let wf = |n: &str| NodeRef::new(NodeKind::Workflow, n);
    let st = |n: &str, s: &str| NodeRef::scoped(NodeKind::Step, n, s);
    let mut facts = Facts::default();
    facts.nodes.push(NodeFact::new(NodeKind::Workflow, "ship", Source::new("ship.asl.json", 1, 1)));
    facts.nodes.push(NodeFact::new(NodeKind::Workflow, "ship › Fan out › 1", Source::new("ship.asl.json", 20, 1)));
    facts.nodes.push(task("Charge", "ship", 3));
    facts.nodes.push(task("Fan out", "ship", 10));
    facts.nodes.push(task("Pack", "ship › Fan out › 1", 21));
    facts.nodes.push(task("Notify", "ship", 30));
    facts.edges.push(contains(wf("ship"), st("Charge", "ship"), 3));
    facts.edges.push(contains(wf("ship"), st("Fan out", "ship"), 10));
    facts.edges.push(contains(wf("ship"), st("Notify", "ship"), 30));
    facts.edges.push(contains(st("Fan out", "ship"), wf("ship › Fan out › 1"), 20));
    facts.edges.push(contains(wf("ship › Fan out › 1"), st("Pack", "ship › Fan out › 1"), 21));
    let mut catch = contains(st("Fan out", "ship"), st("Notify", "ship"), 12);
    catch.kind = EdgeKind::OnError;
    facts.edges.push(catch);
    let a = run(facts, &[]);
    let unhandled: Vec<_> =
        a.findings.iter().filter(|f| f.code == "missing-error-handler").map(|f| f.node.clone().unwrap()).collect();
    // Fan out catches, and its Catch covers Pack inside its branch.
    assert_eq!(unhandled, vec!["step:ship-charge", "step:ship-notify"]);
}

#[test]
fn waiting_without_timeout_or_heartbeat_is_missing_timeout() {
    let mut s = task("Wait for approval", "ship", 40);
    s.attrs.waits = Some(Located::new("a task token".into(), Source::new("ship.asl.json", 42, 7)));
    let a = run(Facts { nodes: vec![s.clone()], ..Facts::default() }, &[]);
    let f = a.findings.iter().find(|f| f.code == "missing-timeout").expect("fires");
    assert_eq!(f.line, 42);
    assert!(f.message.contains("a task token"));

    s.attrs.heartbeat_ms = Some(Located::new(Value::Known(60_000), Source::new("ship.asl.json", 43, 7)));
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "missing-timeout"));
}

#[test]
fn retries_longer_than_the_workflow_deadline_are_an_inversion() {
    let mut wf = NodeFact::new(NodeKind::Workflow, "ship", Source::new("ship.asl.json", 1, 1));
    wf.attrs.deadline = Some(Located::new(Value::Known(5_000), Source::new("ship.asl.json", 2, 3)));
    let mut s = task("Charge", "ship", 3);
    s.attrs.retries.push(retry(Some(4), Origin::Code, 6));
    s.attrs.timeouts.push(timeout(1_000, 5));
    let facts = Facts {
        nodes: vec![wf, s],
        edges: vec![contains(
            NodeRef::new(NodeKind::Workflow, "ship"),
            NodeRef::scoped(NodeKind::Step, "Charge", "ship"),
            3,
        )],
        ..Facts::default()
    };
    // 4 × 1 s + 0.5 + 1 + 2 s = 7.5 s against a 5 s deadline.
    let a = run(facts, &[]);
    let f = a.findings.iter().find(|f| f.code == "timeout-inversion").expect("fires");
    assert_eq!((f.line, f.node.as_deref()), (6, Some("step:ship-charge")));
    assert!(f.message.contains("7.5 s") && f.message.contains("5 s"), "{}", f.message);
}

#[test]
fn a_nested_branch_is_not_reported_as_unowned_on_its_own() {
    let facts = Facts {
        nodes: vec![
            NodeFact::new(NodeKind::Workflow, "ship", Source::new("ship.asl.json", 1, 1)),
            NodeFact::new(NodeKind::Workflow, "ship › Fan out › branch 1", Source::new("ship.asl.json", 20, 1)),
            task("Fan out", "ship", 10),
        ],
        edges: vec![
            contains(NodeRef::new(NodeKind::Workflow, "ship"), NodeRef::scoped(NodeKind::Step, "Fan out", "ship"), 10),
            contains(
                NodeRef::scoped(NodeKind::Step, "Fan out", "ship"),
                NodeRef::new(NodeKind::Workflow, "ship › Fan out › branch 1"),
                20,
            ),
        ],
        ..Facts::default()
    };
    let a = run(facts, &[]);
    let unowned: Vec<_> = a.findings.iter().filter(|f| f.code == "no-owner").map(|f| f.node.clone().unwrap()).collect();
    assert_eq!(unowned, vec!["workflow:ship"]);
}

fn edge(kind: EdgeKind, from: NodeRef, to: NodeRef, line: u32, resolve: Resolve) -> EdgeFact {
    EdgeFact { from, to, kind, source: src(line), resolve, detail: None }
}

/// A workflow step retried 4 times calls a step retried 5 times that depends on the provider.
fn nested_retries(outer: u32, inner: u32) -> Facts {
    let mut handler = step("handle", 3);
    handler.attrs.retries.push(retry(Some(outer), Origin::Code, 6));
    let mut capture = step("capture", 20);
    capture.attrs.retries.push(retry(Some(inner), Origin::Code, 24));
    let st = |n: &str| NodeRef::new(NodeKind::Step, n);
    Facts {
        nodes: vec![handler, capture],
        edges: vec![
            edge(EdgeKind::Calls, st("handle"), st("capture"), 8, Resolve::IfKnown),
            edge(EdgeKind::DependsOn, st("capture"), NodeRef::any("payment-provider"), 21, Resolve::External),
        ],
        ..Facts::default()
    }
}

#[test]
fn nested_retries_past_the_limit_are_amplification_at_the_outer_retry() {
    let a = run(nested_retries(4, 5), &[]);
    let f = a.findings.iter().find(|f| f.code == "retry-amplification").expect("fires");
    assert_eq!((f.line, f.node.as_deref(), f.severity), (6, Some("step:handle"), Severity::Warning));
    assert!(f.message.starts_with("up to 20 calls reach resource `payment-provider`"), "{}", f.message);
    assert!(f.message.contains("handle → capture"), "{}", f.message);
    assert!(f.message.contains("step `handle` × 4 (tokio-retry, src/erp.rs:6:1)"), "{}", f.message);
    assert!(f.message.contains("step `capture` × 5 (tokio-retry, src/erp.rs:24:1)"), "{}", f.message);

    // 2 × 5 = 10 is at the limit, not past it.
    let a = run(nested_retries(2, 5), &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "retry-amplification"), "{:?}", codes(&a));
    // The limit is configurable.
    let mut config = Config::default();
    config.findings.max_retry_amplification = 8;
    let graph = model::build([&nested_retries(2, 5)]);
    let a = analyze(&graph, &[], &config);
    assert!(a.findings.iter().any(|f| f.code == "retry-amplification" && f.message.contains("limit 8")));
}

#[test]
fn a_client_retry_under_a_code_retry_multiplies_in_one_step() {
    let mut s = step("sync", 3);
    s.attrs.retries.push(retry(Some(4), Origin::Code, 6));
    let mut client = retry(Some(4), Origin::Code, 2);
    client.library = "reqwest-retry".into();
    s.attrs.retries.push(client);
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    let f = a.findings.iter().find(|f| f.code == "retry-amplification").expect("fires");
    assert!(f.message.starts_with("up to 16 calls reach step `sync`"), "{}", f.message);
}

#[test]
fn worst_case_past_the_configured_limit_is_long() {
    let mut s = step("push", 3);
    s.attrs.retries.push(retry(Some(5), Origin::Code, 6));
    s.attrs.timeouts.push(timeout(10_000, 7));
    let facts = Facts { nodes: vec![s], ..Facts::default() };
    let graph = model::build([&facts]);
    assert!(!analyze(&graph, &[], &Config::default()).findings.iter().any(|f| f.code == "long-worst-case"));
    let mut config = Config::default();
    config.findings.max_worst_case = Some("30s".into());
    let a = analyze(&graph, &[], &config);
    let f = a.findings.iter().find(|f| f.code == "long-worst-case").expect("fires");
    // 5 × 10 s + 0.5 + 1 + 2 + 4 s = 57.5 s.
    assert_eq!(f.line, 6);
    assert!(f.message.contains("57.5 s") && f.message.contains("30 s"), "{}", f.message);
}

#[test]
fn a_workflow_retry_around_a_code_retry_multiplies_but_alternative_retriers_do_not() {
    let mut s = step("charge", 3);
    let mut asl = retry(Some(3), Origin::Code, 4);
    asl.library = "asl".into();
    let mut asl_other = retry(Some(4), Origin::Code, 5);
    asl_other.library = "asl".into();
    s.attrs.retries.extend([asl, asl_other]);
    let a = run(Facts { nodes: vec![s.clone()], ..Facts::default() }, &[]);
    assert!(!codes(&a).iter().any(|(c, _)| *c == "retry-amplification"), "two retriers for different errors");

    let mut code = retry(Some(3), Origin::Code, 9);
    code.library = "backon".into();
    s.attrs.retries.push(code);
    let a = run(Facts { nodes: vec![s], ..Facts::default() }, &[]);
    let f = a.findings.iter().find(|f| f.code == "retry-amplification").expect("fires");
    // The larger ASL retrier (4) around backon's 3.
    assert!(f.message.starts_with("up to 12 calls reach step `charge`"), "{}", f.message);
    assert_eq!(f.line, 5);
}
