//! A workflow step in words: its row in the workflow's step table, its box in the flow
//! diagram, and the `#in-workflow` facts of its own page.

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::analyze::RetryPolicy;
use crate::extract::Value;
use crate::extract::duration::human;
use crate::model::{EdgeKind, NodeKind};
use crate::render::flow::FlowStep;
use crate::render::links::{NodeLink, SourceView};
use crate::render::lookup::Lookup;
use crate::render::runbook::EdgeItem;
use crate::render::signals::FactView;
use crate::render::workflow;

/// One row of a workflow's step table.
#[derive(Debug, Serialize)]
pub struct StepRow {
    pub link: NodeLink,
    /// On the workflow's longest path.
    pub critical: bool,
    /// What the task does; `None` for a state that only routes.
    pub activity: Option<String>,
    /// A state of a workflow definition that runs no task (Choice, Pass, Wait): nothing in
    /// it can fail by itself. A Rust step without an activity is not one.
    pub routes: bool,
    /// What it waits for, when it waits for an outside answer.
    pub waits: Option<String>,
    /// Resources it works on (`lambda ProcessPayment`).
    pub integrations: Vec<NodeLink>,
    /// Workflows it runs inside itself (branches, iterators).
    pub branches: Vec<NodeLink>,
    /// Workflows it calls.
    pub calls: Vec<NodeLink>,
    pub retries: Vec<RetryBrief>,
    /// "2 min 7 s"; "none" for a step that only routes; "not recorded" for a step of code
    /// whose time nothing bounds or states.
    pub worst_case: Option<String>,
    pub unbounded: bool,

    pub timeout: Option<String>,
    pub heartbeat: Option<String>,
    /// A task with no timeout: it can run as long as the other side lets it.
    pub no_timeout: bool,
    pub handlers: Vec<Handler>,
    /// A task whose failure nothing handles.
    pub unhandled: bool,
    pub side_effects: Vec<String>,
    pub source: Option<SourceView>,
}

/// One retrier in a table cell: "4 attempts (MaxAttempts 3)", its errors and its waits.
#[derive(Debug, Serialize)]
pub struct RetryBrief {
    pub attempts: String,
    /// `false` for a declared policy that code overrides (see `policy::views`).
    pub effective: bool,
    /// `States.Timeout, Lambda.ServiceException`, or `None` for every error.
    pub on: Option<String>,
    /// "1 s, 2 s, 4 s".
    pub schedule: Option<String>,
    pub source: SourceView,
}

/// A way the step's failure is handled: an error path to another step, or a handler in words.
#[derive(Debug, Serialize)]
pub struct Handler {
    pub text: Option<String>,
    pub target: Option<NodeLink>,
    pub source: Option<SourceView>,
}

/// The facts a workflow definition adds to a step's own page.
#[derive(Debug, Serialize)]
pub struct StepView {
    pub workflow: Option<NodeLink>,
    /// The scope that makes the name unique, when it is not the workflow's own name.
    pub scope: Option<String>,
    pub row: StepRow,
    pub activity: Option<FactView>,
    pub waits: Option<FactView>,
    pub heartbeat: Option<FactView>,
    pub duration: Option<FactView>,
    pub error_handling: Vec<FactView>,
    /// The workflow starts here.
    pub start: bool,
    /// A state of a workflow definition, whose transitions are all written down: no next
    /// step means the workflow ends here. A Rust step's order is not known this way.
    pub in_definition: bool,
    pub next: Vec<EdgeItem>,
    pub on_error: Vec<EdgeItem>,
    /// Steps that lead here, on the happy path or on an error.
    pub comes_after: Vec<EdgeItem>,
}

/// "4 attempts (MaxAttempts 3)": the count and the limit as written.
pub fn attempts_words(p: &RetryPolicy) -> String {
    let unknown = p.unknown.iter().find(|u| u.field == "max_attempts");
    let count = match (p.max_attempts, unknown) {
        (_, Some(u)) => format!("attempts not known statically ({})", u.expr),
        (Some(1), _) => "1 attempt".to_string(),
        (Some(n), _) => format!("{n} attempts"),
        (None, None) => "unlimited attempts".to_string(),
    };
    match &p.limit_text {
        Some(t) => format!("{count} ({t})"),
        None => count,
    }
}

fn briefs(lookup: &Lookup, all: &[RetryPolicy]) -> Vec<RetryBrief> {
    let per_error = all.iter().any(|p| !p.on_errors.is_empty());
    all.iter().enumerate().map(|(i, p)| brief(lookup, p, i == 0 || per_error)).collect()
}

fn brief(lookup: &Lookup, p: &RetryPolicy, effective: bool) -> RetryBrief {
    let mut schedule: Vec<String> = p.schedule_ms.iter().map(|&d| human(d)).collect();
    if p.schedule_truncated && !schedule.is_empty() {
        schedule.push("…".to_string());
    }
    RetryBrief {
        attempts: attempts_words(p),
        effective,
        on: (!p.on_errors.is_empty()).then(|| p.on_errors.join(", ")),
        schedule: (!schedule.is_empty()).then(|| schedule.join(", ")),
        source: lookup.sources.view(&p.source),
    }
}

fn targets(lookup: &Lookup, step: NodeIndex, kind: EdgeKind, of: NodeKind, root: &str) -> Vec<NodeLink> {
    let g = &lookup.graph.graph;
    let mut out: Vec<NodeLink> = g
        .edges(step)
        .filter(|e| e.weight().kind == kind && g[e.target()].kind == of)
        .map(|e| NodeLink::new(&g[e.target()], root))
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

/// The step's worst case as its workflow's worst case counts it.
pub fn worst_case(lookup: &Lookup, step: NodeIndex) -> Option<u64> {
    lookup.analysis.step_worst_ms.get(&lookup.graph.graph[step].id).copied().flatten()
}

/// Why a step has no bound, in a sentence an on-call engineer can act on.
pub fn why_unbounded(lookup: &Lookup, step: NodeIndex) -> String {
    let (g, a) = (&lookup.graph.graph, lookup.analysis);
    let node = &g[step];
    let name = &node.name;
    let has_timeout = a.timeout_ms.contains_key(&node.id);
    if let Some(w) = &node.attrs.waits
        && !has_timeout
    {
        let heartbeat = match node.attrs.heartbeat_ms.as_ref().and_then(|h| h.value.known()) {
            Some(h) => format!(" (its heartbeat of {} only checks that the worker is alive)", human(h)),
            None => String::new(),
        };
        return format!("{name} waits for {} and has no timeout{heartbeat}, so the workflow can wait forever", w.value);
    }
    if let Some(p) = a.retry.get(&node.id) {
        if p.worst_case_ms.is_none() {
            return format!("{name} retries with {} and nothing caps its time", attempts_words(p));
        }
        if p.attempt_timeout_ms.is_none() && node.attrs.activity.is_some() {
            return format!("{name} retries, but no timeout bounds one attempt, so each can run forever");
        }
    }
    if node.attrs.activity.is_some() && !has_timeout {
        return format!("{name} has no timeout, so one attempt can run as long as the other side lets it");
    }
    let open: Vec<&str> = g
        .edges(step)
        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.target()].kind == NodeKind::Workflow)
        .filter(|e| a.workflows.get(&g[e.target()].id).is_none_or(|s| s.worst_case_ms.is_none()))
        .map(|e| g[e.target()].name.as_str())
        .collect();
    if !open.is_empty() {
        return format!("{name} runs {}, which has no bound", open.join(", "));
    }
    format!("{name} has no known bound")
}

pub fn row(lookup: &Lookup, step: NodeIndex, root: &str, critical: bool) -> StepRow {
    let g = &lookup.graph.graph;
    let (node, a) = (&g[step], lookup.analysis);
    let attrs = &node.attrs;
    let retries = a.all_retries.get(&node.id).map(|all| briefs(lookup, all)).unwrap_or_default();
    let mut handlers: Vec<Handler> = g
        .edges(step)
        .filter(|e| e.weight().kind == EdgeKind::OnError)
        .map(|e| Handler {
            text: e.weight().detail.clone(),
            target: Some(NodeLink::new(&g[e.target()], root)),
            source: e.weight().sources.first().map(|s| lookup.sources.view(s)),
        })
        .collect();
    handlers
        .sort_by(|a, b| (a.target.as_ref().map(|t| &t.id), &a.text).cmp(&(b.target.as_ref().map(|t| &t.id), &b.text)));
    handlers.extend(attrs.error_handling.iter().map(|h| Handler {
        text: Some(h.value.clone()),
        target: None,
        source: Some(lookup.sources.view(&h.source)),
    }));
    let worst = worst_case(lookup, step);
    let timeout = a.timeout_ms.get(&node.id).map(|&t| human(t));
    let heartbeat = attrs.heartbeat_ms.as_ref().map(|h| match &h.value {
        Value::Known(ms) => human(*ms),
        Value::Unknown { expr } => format!("not known statically ({expr})"),
    });
    let is_task = attrs.activity.is_some();
    let routes = !is_task && node.scope.is_some();
    StepRow {
        link: NodeLink::new(node, root),
        critical,
        activity: attrs.activity.as_ref().map(|l| l.value.clone()),
        waits: attrs.waits.as_ref().map(|l| l.value.clone()),
        integrations: targets(lookup, step, EdgeKind::DependsOn, NodeKind::Resource, root),
        branches: targets(lookup, step, EdgeKind::Contains, NodeKind::Workflow, root),
        calls: targets(lookup, step, EdgeKind::Calls, NodeKind::Workflow, root),
        retries,
        worst_case: worst.map(|w| match w {
            0 if routes || attrs.duration_ms.is_some() => "none".to_string(),
            0 => "not recorded".to_string(),
            w => human(w),
        }),
        routes,
        unbounded: worst.is_none(),
        no_timeout: is_task && timeout.is_none(),
        timeout,
        heartbeat,
        unhandled: is_task && handlers.is_empty(),
        handlers,
        side_effects: attrs.side_effects.iter().map(|s| s.value.clone()).collect(),
        source: node.sources.first().map(|s| lookup.sources.view(s)),
    }
}

/// The step's box in the flow diagram.
pub fn flow_step(lookup: &Lookup, step: NodeIndex, root: &str, critical: bool) -> FlowStep {
    let g = &lookup.graph.graph;
    let node = &g[step];
    let branches = targets(lookup, step, EdgeKind::Contains, NodeKind::Workflow, root);
    let next = g.edges(step).filter(|e| e.weight().kind == EdgeKind::Next).count();
    // A step of code has no routing to describe: its file says where to look.
    let file = node.sources.first().map(|s| s.file.rsplit('/').next().unwrap_or(&s.file).to_string());
    let sub = match (&node.attrs.activity, &node.attrs.duration_ms) {
        (None, None) if node.scope.is_none() => file.unwrap_or_default(),
        (Some(a), _) => a.value.clone(),
        (None, Some(d)) => d.value.known().map_or_else(|| "waits".to_string(), |ms| format!("waits {}", human(ms))),
        (None, None) if !branches.is_empty() => format!("runs {} branches", branches.len()),
        (None, None) if next > 1 => "chooses a path".to_string(),
        (None, None) if next == 0 => "ends".to_string(),
        (None, None) => "passes on".to_string(),
    };
    let retries = lookup.analysis.all_retries.get(&node.id).map(|all| {
        let counts: Vec<String> = briefs(lookup, all)
            .iter()
            .zip(all)
            .filter(|(b, _)| b.effective)
            .map(|(_, p)| p.max_attempts.map_or_else(|| "∞".to_string(), |n| n.to_string()))
            .collect();
        counts.join("/")
    });
    FlowStep { link: NodeLink::new(node, root), sub, retries, waits: node.attrs.waits.is_some(), critical, branches }
}

/// The `#in-workflow` facts of a step's page; `None` for a step no workflow definition describes.
pub fn view(lookup: &Lookup, step: NodeIndex, root: &str) -> Option<StepView> {
    let g = &lookup.graph.graph;
    let next = edge_items(lookup, step, Direction::Outgoing, EdgeKind::Next, root);
    let on_error = edge_items(lookup, step, Direction::Outgoing, EdgeKind::OnError, root);
    let node = &g[step];
    let attrs = &node.attrs;
    let wf = workflow::workflow_of(lookup, step);
    let described = node.scope.is_some()
        || attrs.activity.is_some()
        || attrs.waits.is_some()
        || attrs.duration_ms.is_some()
        || !attrs.error_handling.is_empty()
        || !next.is_empty()
        || !on_error.is_empty();
    if node.kind != NodeKind::Step || !described {
        return None;
    }
    let fact = |text: String, source: &crate::source::Source| FactView { text, source: lookup.sources.view(source) };
    let ms_words = |v: &Value<u64>| match v {
        Value::Known(ms) => human(*ms),
        Value::Unknown { expr } => format!("not known statically ({expr})"),
    };
    let critical =
        wf.and_then(|w| lookup.analysis.workflows.get(&g[w].id)).is_some_and(|s| s.critical_path.contains(&node.id));
    let scope = node.scope.clone().filter(|s| wf.is_none_or(|w| &g[w].name != s));
    Some(StepView {
        workflow: wf.map(|w| NodeLink::new(&g[w], root)),
        scope,
        row: row(lookup, step, root, critical),
        activity: attrs.activity.as_ref().map(|l| fact(l.value.clone(), &l.source)),
        waits: attrs.waits.as_ref().map(|l| fact(l.value.clone(), &l.source)),
        heartbeat: attrs
            .heartbeat_ms
            .as_ref()
            .map(|l| fact(format!("fails when its worker is silent for {}", ms_words(&l.value)), &l.source)),
        duration: attrs
            .duration_ms
            .as_ref()
            .map(|l| fact(format!("waits {} by design", ms_words(&l.value)), &l.source)),
        error_handling: attrs.error_handling.iter().map(|l| fact(l.value.clone(), &l.source)).collect(),
        start: is_start(lookup, step),
        in_definition: node.scope.is_some(),
        comes_after: edge_items(lookup, step, Direction::Incoming, EdgeKind::Next, root)
            .into_iter()
            .chain(edge_items(lookup, step, Direction::Incoming, EdgeKind::OnError, root))
            .filter(|e| e.node.kind == "step")
            .collect(),
        next,
        on_error,
    })
}

/// The step's edges of one kind, with their details, in id order.
fn edge_items(lookup: &Lookup, step: NodeIndex, dir: Direction, kind: EdgeKind, root: &str) -> Vec<EdgeItem> {
    let g = &lookup.graph.graph;
    let mut items: Vec<EdgeItem> = g
        .edges_directed(step, dir)
        .filter(|e| e.weight().kind == kind)
        .map(|e| {
            let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
            EdgeItem {
                node: NodeLink::new(&g[other], root),
                detail: e.weight().detail.clone(),
                sources: e.weight().sources.iter().map(|s| lookup.sources.view(s)).collect(),
            }
        })
        .collect();
    items.sort_by(|a, b| (&a.node.id, &a.detail).cmp(&(&b.node.id, &b.detail)));
    items
}

/// A start step is one its workflow points at (`workflow --next--> step`).
fn is_start(lookup: &Lookup, step: NodeIndex) -> bool {
    let g = &lookup.graph.graph;
    g.edges_directed(step, Direction::Incoming)
        .any(|e| e.weight().kind == EdgeKind::Next && g[e.source()].kind == NodeKind::Workflow)
}
