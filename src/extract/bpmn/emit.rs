//! Second pass: each scope's workflow, steps, `contains` and `next` edges, and its boundary events.

use roxmltree::Node;

use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, Facts, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Located;

use super::scope::{Scope, Scopes, Target};
use super::{Cx, boundary, camunda_attr, child, clean, code, event_definition, short, step, text_of};

pub fn emit(cx: &Cx, scopes: &Scopes, diags: &mut Vec<Diagnostic>) -> Facts {
    let mut facts = Facts::default();
    let mut workflows: Vec<NodeFact> = Vec::new();
    let mut steps: Vec<Vec<NodeFact>> = Vec::new();
    let mut edges = Vec::new();
    for scope in &scopes.list {
        workflows.push(workflow(cx, scope));
        if let Some((step, parent)) = &scope.parent {
            edges.push(edge(
                NodeRef::scoped(NodeKind::Step, step, parent),
                NodeRef::new(NodeKind::Workflow, &scope.workflow),
                EdgeKind::Contains,
                cx,
                scope.el,
                None,
            ));
        }
        let wf = NodeRef::new(NodeKind::Workflow, &scope.workflow);
        let mut facts_here = Vec::new();
        for s in &scope.steps {
            facts_here.push(step::node(cx, scopes, scope, s, &mut edges, diags));
            let me = NodeRef::scoped(NodeKind::Step, &s.name, &scope.workflow);
            edges.push(edge(wf.clone(), me.clone(), EdgeKind::Contains, cx, s.el, None));
            // Start events are steps; the workflow points at each, so every path starts there.
            if s.kind() == "startEvent" {
                edges.push(edge(wf.clone(), me, EdgeKind::Next, cx, s.el, None));
            }
        }
        steps.push(facts_here);
    }
    for (si, scope) in scopes.list.iter().enumerate() {
        event_sub_process(cx, scopes, si, &mut workflows);
        for f in &scope.flows {
            flow(cx, scopes, scope, *f, &mut edges, diags);
        }
        for bi in 0..scope.boundaries.len() {
            boundary::apply(cx, scopes, si, bi, &mut steps, &mut edges, diags);
        }
    }
    facts.nodes = workflows;
    facts.nodes.extend(steps.into_iter().flatten());
    facts.edges = edges;
    facts
}

fn edge(from: NodeRef, to: NodeRef, kind: EdgeKind, cx: &Cx, at: Node, detail: Option<String>) -> EdgeFact {
    EdgeFact { from, to, kind, source: cx.of(at), resolve: Resolve::Required, detail }
}

fn workflow(cx: &Cx, scope: &Scope) -> NodeFact {
    let mut n = NodeFact::new(NodeKind::Workflow, &scope.workflow, cx.of(scope.el));
    let el = scope.el;
    let mut notes: Vec<String> = Vec::new();
    if scope.parent.is_none() {
        let mut line = format!("BPMN process {}", code(el.attribute("id").unwrap_or("?")));
        match el.attribute("isExecutable") {
            Some("true") => line.push_str(", executable"),
            Some("false") => line.push_str(", not executable (a model only: no engine runs it)"),
            _ => {}
        }
        if let Some(ttl) = camunda_attr(el, "historyTimeToLive") {
            line.push_str(&format!(", history kept for {}", clean(ttl)));
        }
        notes.push(format!("{line}."));
    } else if el.attribute("triggeredByEvent") == Some("true") {
        notes.push("Event sub-process: it runs when its start event fires, not in the normal flow.".into());
    } else if el.tag_name().name() == "transaction" {
        notes.push("Transaction sub-process: a cancel event undoes its completed steps.".into());
    }
    notes.extend(super::children(el).filter(|c| c.tag_name().name() == "documentation").map(text_of));
    notes.retain(|s| !s.is_empty());
    n.attrs.description = Some(notes.join("\n\n")).filter(|s| !s.is_empty());
    n
}

/// An event sub-process started by an error or escalation is an error handler of the scope
/// around it: recorded on that workflow.
fn event_sub_process(cx: &Cx, scopes: &Scopes, si: usize, workflows: &mut [NodeFact]) {
    let scope = &scopes.list[si];
    let Some((_, parent)) = &scope.parent else { return };
    if scope.el.attribute("triggeredByEvent") != Some("true") {
        return;
    }
    let Some(start) = scope.steps.iter().find(|s| s.kind() == "startEvent") else { return };
    let Some((def, d)) = event_definition(start.el) else { return };
    let what = match def {
        "errorEventDefinition" => {
            let code = d.attribute("errorRef").map_or("(any)", |r| cx.errors.get(r).copied().unwrap_or(r));
            format!("error event sub-process {}", clean(code))
        }
        "escalationEventDefinition" => {
            let code = d.attribute("escalationRef").map_or("(any)", |r| cx.escalations.get(r).copied().unwrap_or(r));
            format!("escalation event sub-process {}", clean(code))
        }
        "compensateEventDefinition" => "compensation event sub-process".to_string(),
        _ => return,
    };
    if let Some(p) = scopes.list.iter().position(|s| &s.workflow == parent) {
        workflows[p].attrs.error_handling.push(Located::new(format!("{what} -> {}", scope.workflow), cx.of(start.el)));
    }
}

/// A sequence flow: `source --next--> target`, labelled with its name and condition. Flows
/// out of boundary events are read with their boundary event.
fn flow(cx: &Cx, scopes: &Scopes, scope: &Scope, f: Node, edges: &mut Vec<EdgeFact>, diags: &mut Vec<Diagnostic>) {
    let (Some(from), Some(to)) = (f.attribute("sourceRef"), f.attribute("targetRef")) else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            cx.of(f),
            "expected a sequence flow with both `sourceRef` and `targetRef`; this flow is skipped",
        ));
        return;
    };
    if matches!(scopes.ids.get(from), Some(Target::Boundary)) {
        return;
    }
    let mut parts = Vec::new();
    if let Some(name) = f.attribute("name").map(clean).filter(|s| !s.is_empty()) {
        parts.push(name);
    }
    if let Some(cond) = child(f, "conditionExpression").map(text_of).filter(|s| !s.is_empty()) {
        parts.push(if parts.is_empty() { short(&cond) } else { format!("({})", short(&cond)) });
    }
    let is_default = match (scopes.ids.get(from), f.attribute("id")) {
        (Some(Target::Step(s, i)), Some(id)) => scopes.list[*s].steps[*i].el.attribute("default") == Some(id),
        _ => false,
    };
    if is_default {
        parts.push(if parts.is_empty() { "default".to_string() } else { "(default)".to_string() });
    }
    let detail = Some(parts.join(" ")).filter(|s| !s.is_empty());
    edges.push(edge(reference(scopes, scope, from), reference(scopes, scope, to), EdgeKind::Next, cx, f, detail));
}

/// The step an id names; an id that names no flow node stays as written, to dangle.
pub fn reference(scopes: &Scopes, scope: &Scope, id: &str) -> NodeRef {
    match scopes.ids.get(id) {
        Some(Target::Step(s, i)) => {
            NodeRef::scoped(NodeKind::Step, &scopes.list[*s].steps[*i].name, &scopes.list[*s].workflow)
        }
        _ => NodeRef::scoped(NodeKind::Step, id, &scope.workflow),
    }
}
