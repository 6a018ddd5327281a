//! A state machine for workflow-page tests, built as the extractors will: facts through
//! `model::build` and `analyze::analyze`, so the fixture cannot drift from the real pipeline.
//!
//! `ship-order`: Validate → <hostile> → Charge (two retriers, a Catch to NotifyFailure) →
//! Route (a Choice: Fan out, Approve, Default Ship) → Fan out (a Parallel of two branch
//! workflows) / Approve (waits for a task token, no timeout) → Cool off (Wait 300 s) → Ship;
//! Route also loops back to Charge.

use crate::analyze::{Analysis, analyze};
use crate::config::Config;
use crate::extract::{
    EdgeFact, Facts, Jitter, NodeFact, NodeRef, Origin, Resolve, RetryFact, Strategy, TimeoutFact, Value,
};
use crate::model::{self, EdgeKind, Graph, NodeKind};
use crate::source::{Located, Source};

pub const FLOW: &str = "ship-order";
pub const BRANCH_1: &str = "ship-order › Fan out › branch 1";
pub const BRANCH_2: &str = "ship-order › Fan out › branch 2";
/// A state name with everything a page must escape.
pub const EVIL_STATE: &str = "<script>alert(1)</script> \"q\" '../../x'";
/// How many `on_error` edges the main workflow has.
pub const ERROR_EDGES: usize = 2;

const FILE: &str = "sfn/ship-order.asl.json";

fn at(line: u32) -> Source {
    Source::new(FILE, line, 5)
}

fn state(f: &mut Facts, name: &str, scope: &str, line: u32) -> usize {
    f.nodes.push(NodeFact::scoped(NodeKind::Step, name, scope, at(line)));
    f.edges.push(edge(EdgeKind::Contains, NodeRef::new(NodeKind::Workflow, scope), st(name, scope), line, None));
    f.nodes.len() - 1
}

fn st(name: &str, scope: &str) -> NodeRef {
    NodeRef::scoped(NodeKind::Step, name, scope)
}

fn edge(kind: EdgeKind, from: NodeRef, to: NodeRef, line: u32, detail: Option<&str>) -> EdgeFact {
    EdgeFact { from, to, kind, source: at(line), resolve: Resolve::Required, detail: detail.map(str::to_string) }
}

fn task(f: &mut Facts, i: usize, activity: &str, timeout_s: Option<u64>) {
    let line = f.nodes[i].source.line;
    let attrs = &mut f.nodes[i].attrs;
    attrs.activity = Some(Located::new(activity.to_string(), at(line + 1)));
    if let Some(s) = timeout_s {
        attrs.timeouts.push(TimeoutFact {
            source: at(line + 2),
            origin: Origin::Code,
            library: "asl TimeoutSeconds".into(),
            text: format!("\"TimeoutSeconds\": {s}"),
            ms: Value::Known(s * 1_000),
        });
    }
}

fn retrier(line: u32, retries: u32, interval_s: u64, rate: f64, errors: &[&str]) -> RetryFact {
    RetryFact {
        source: at(line),
        origin: Origin::Code,
        library: "asl Retry".into(),
        text: format!("ErrorEquals {errors:?}, MaxAttempts {retries}"),
        strategy: Strategy::Exponential,
        initial_delay_ms: Value::Known(interval_s * 1_000),
        factor: Value::Known(rate),
        max_delay_ms: Value::Known(None),
        max_attempts: Value::Known(Some(retries + 1)),
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: Some(format!("MaxAttempts {retries}")),
        on_errors: errors.iter().map(|e| e.to_string()).collect(),
    }
}

pub fn facts() -> Facts {
    let mut f = Facts::default();
    let mut flow = NodeFact::new(NodeKind::Workflow, FLOW, at(1));
    flow.attrs.deadline = Some(Located::new(Value::Known(3_600_000), at(2)));
    flow.attrs.owner = Some(Located::new("team-fulfilment".into(), at(3)));
    f.nodes.push(flow);
    f.nodes.push(NodeFact::new(NodeKind::Workflow, BRANCH_1, at(60)));
    f.nodes.push(NodeFact::new(NodeKind::Workflow, BRANCH_2, at(70)));

    state(&mut f, "Validate", FLOW, 5);
    state(&mut f, EVIL_STATE, FLOW, 8);
    let charge = state(&mut f, "Charge", FLOW, 10);
    task(&mut f, charge, "lambda invoke", Some(30));
    let attrs = &mut f.nodes[charge].attrs;
    attrs.retries = vec![
        retrier(14, 3, 1, 2.0, &["States.Timeout", "Lambda.ServiceException"]),
        retrier(15, 6, 2, 1.5, &["States.ALL"]),
    ];
    attrs.error_handling = vec![Located::new("Catch States.ALL -> NotifyFailure".into(), at(16))];
    attrs.side_effects = vec![Located::new("charges the customer's card".into(), at(11))];
    state(&mut f, "Route", FLOW, 20);
    state(&mut f, "Fan out", FLOW, 30);
    let approve = state(&mut f, "Approve", FLOW, 35);
    task(&mut f, approve, "sqs send (wait for task token)", None);
    f.nodes[approve].attrs.waits = Some(Located::new("a person to approve (task token)".into(), at(37)));
    let cool = state(&mut f, "Cool off", FLOW, 40);
    f.nodes[cool].attrs.duration_ms = Some(Located::new(Value::Known(300_000), at(41)));
    let ship = state(&mut f, "Ship", FLOW, 45);
    task(&mut f, ship, "lambda invoke", Some(60));
    let notify = state(&mut f, "NotifyFailure", FLOW, 50);
    task(&mut f, notify, "sns publish", Some(10));
    state(&mut f, "Failed", FLOW, 55);
    // A sub-workflow NotifyFailure calls, as an Argo templateRef or a BPMN callActivity would.
    f.nodes.push(NodeFact::new(NodeKind::Workflow, "notify-oncall", Source::new("notify.yml", 1, 1)));
    f.edges.push(edge(
        EdgeKind::Calls,
        st("NotifyFailure", FLOW),
        NodeRef::new(NodeKind::Workflow, "notify-oncall"),
        52,
        None,
    ));
    let pick = state(&mut f, "Pick", BRANCH_1, 61);
    task(&mut f, pick, "ecs run task", Some(300));
    state(&mut f, "Label", BRANCH_1, 65);
    let pack = state(&mut f, "Pack", BRANCH_2, 71);
    task(&mut f, pack, "ecs run task", Some(600));

    let wf = |n: &str| NodeRef::new(NodeKind::Workflow, n);
    let next = |from: &str, to: &str, line, detail| edge(EdgeKind::Next, st(from, FLOW), st(to, FLOW), line, detail);
    f.edges.extend([
        edge(EdgeKind::Next, wf(FLOW), st("Validate", FLOW), 4, None),
        next("Validate", EVIL_STATE, 6, None),
        next(EVIL_STATE, "Charge", 9, None),
        next("Charge", "Route", 12, None),
        edge(EdgeKind::OnError, st("Charge", FLOW), st("NotifyFailure", FLOW), 16, Some("States.ALL")),
        next("Route", "Fan out", 21, Some("$.split == true")),
        next("Route", "Approve", 22, Some("$.total > 1000")),
        next("Route", "Ship", 23, Some("Default")),
        next("Route", "Charge", 24, Some("$.retry_payment == true")),
        next("Fan out", "Ship", 31, None),
        next("Approve", "Cool off", 36, None),
        next("Cool off", "Ship", 42, None),
        edge(EdgeKind::OnError, st("Ship", FLOW), st("NotifyFailure", FLOW), 47, Some("error ShipmentRejected")),
        next("NotifyFailure", "Failed", 51, None),
        edge(EdgeKind::Contains, st("Fan out", FLOW), wf(BRANCH_1), 60, None),
        edge(EdgeKind::Contains, st("Fan out", FLOW), wf(BRANCH_2), 70, None),
        edge(EdgeKind::Next, wf(BRANCH_1), st("Pick", BRANCH_1), 60, None),
        edge(EdgeKind::Next, st("Pick", BRANCH_1), st("Label", BRANCH_1), 62, None),
        edge(EdgeKind::Next, wf(BRANCH_2), st("Pack", BRANCH_2), 70, None),
    ]);
    let mut charge_uses = edge(
        EdgeKind::DependsOn,
        st("Charge", FLOW),
        NodeRef::new(NodeKind::Resource, "lambda ProcessPayment"),
        11,
        None,
    );
    charge_uses.resolve = Resolve::External;
    f.edges.push(charge_uses);
    f
}

pub fn system() -> (Graph, Analysis) {
    let facts = facts();
    let graph = model::build([&facts]);
    let analysis = analyze(&graph, &[], &Config::default());
    (graph, analysis)
}
