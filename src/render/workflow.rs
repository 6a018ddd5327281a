//! Workflow pages: the flow diagram, the step table in flow order, and the workflow's worst case in words.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::extract::duration::human;
use crate::model::{EdgeKind, NodeKind};
use crate::render::flow::{self, FlowEdge, FlowStep, MAX_FLOW_STEPS};
use crate::render::links::NodeLink;
use crate::render::lookup::Lookup;
use crate::render::step::{self, StepRow};

#[derive(Debug, Serialize)]
pub struct WorkflowView {
    pub step_count: usize,
    /// Inline SVG, or `None` past [`MAX_FLOW_STEPS`] steps.
    pub flow: Option<String>,
    pub flow_limit: usize,
    /// No transition or call joins its steps: there is no flow to draw.
    pub unordered: bool,
    /// Every step in flow order.
    pub steps: Vec<StepRow>,
    pub duration: DurationView,
}

#[derive(Debug, Serialize)]
pub struct DurationView {
    /// "At most 2 h 5 min along Validate → Charge → Ship." or "No bound: ...".
    pub headline: String,
    pub bounded: bool,
    pub path: Vec<NodeLink>,
    /// Each step that has no bound, with the reason in words.
    pub unbounded: Vec<UnboundedStep>,
    /// What the bounded steps of the longest path add up to, when some step has no bound.
    pub known: Option<String>,
    /// The workflow's deadline compared with its worst case.
    pub deadline: Option<String>,
    pub over_deadline: bool,
}

#[derive(Debug, Serialize)]
pub struct UnboundedStep {
    pub link: NodeLink,
    pub reason: String,
}

/// The steps a workflow contains, in definition order (first source, then id).
pub fn steps_of(lookup: &Lookup, wf: NodeIndex) -> Vec<NodeIndex> {
    let g = &lookup.graph.graph;
    let mut steps: Vec<NodeIndex> = g
        .edges(wf)
        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.target()].kind == NodeKind::Step)
        .map(|e| e.target())
        .collect();
    steps.sort_by(|&a, &b| (g[a].sources.first(), &g[a].id).cmp(&(g[b].sources.first(), &g[b].id)));
    steps.dedup();
    steps
}

/// The workflow sections of a workflow's page; `None` for a workflow with no steps.
pub fn view(lookup: &Lookup, wf: NodeIndex, root: &str) -> Option<WorkflowView> {
    let g = &lookup.graph.graph;
    let steps = steps_of(lookup, wf);
    if steps.is_empty() {
        return None;
    }
    // Index lookups, not a scan per edge: a generated workflow can have thousands of steps.
    let positions: BTreeMap<NodeIndex, usize> = steps.iter().enumerate().map(|(p, &s)| (s, p)).collect();
    let position = |i: NodeIndex| positions.get(&i).copied();
    let summary = lookup.analysis.workflows.get(&g[wf].id);
    let critical: Vec<usize> = summary
        .map(|s| {
            s.critical_path.iter().filter_map(|id| lookup.graph.by_id.get(id).and_then(|&i| position(i))).collect()
        })
        .unwrap_or_default();
    let on_critical: BTreeSet<usize> = critical.iter().copied().collect();
    let critical_pairs: BTreeSet<(usize, usize)> = critical.windows(2).map(|w| (w[0], w[1])).collect();

    let mut starts: Vec<usize> =
        g.edges(wf).filter(|e| e.weight().kind == EdgeKind::Next).filter_map(|e| position(e.target())).collect();
    starts.sort();
    let mut edges = Vec::new();
    for (from, &s) in steps.iter().enumerate() {
        let mut out: Vec<FlowEdge> = g
            .edges(s)
            .filter(|e| matches!(e.weight().kind, EdgeKind::Next | EdgeKind::OnError | EdgeKind::Calls))
            .filter_map(|e| {
                let to = position(e.target())?;
                let error = e.weight().kind == EdgeKind::OnError;
                let call = e.weight().kind == EdgeKind::Calls;
                let label = match (&e.weight().detail, error) {
                    (Some(d), _) => Some(d.clone()),
                    (None, true) => Some("on error".to_string()),
                    (None, false) => None,
                };
                Some(FlowEdge { from, to, error, call, label, critical: critical_pairs.contains(&(from, to)) })
            })
            .collect();
        // petgraph's edge order is insertion order; the drawing must not depend on it.
        out.sort_by(|a, b| (a.to, a.error, a.call, &a.label).cmp(&(b.to, b.error, b.call, &b.label)));
        edges.extend(out);
    }
    let pairs: Vec<(usize, usize)> = edges.iter().map(|e| (e.from, e.to)).collect();
    let layout = flow::layout(steps.len(), &starts, &pairs);

    let rows: Vec<StepRow> =
        layout.order.iter().map(|&v| step::row(lookup, steps[v], root, on_critical.contains(&v))).collect();
    // Steps with no recorded order between them would be a grid of unconnected boxes.
    let unordered = edges.is_empty() && steps.len() > 1;
    let flow = (steps.len() <= MAX_FLOW_STEPS && !unordered).then(|| {
        let boxes: Vec<FlowStep> = steps
            .iter()
            .enumerate()
            .map(|(v, &s)| step::flow_step(lookup, s, root, on_critical.contains(&v)))
            .collect();
        flow::draw(&format!("Flow of {}", g[wf].name), &boxes, &edges, &layout)
    });
    Some(WorkflowView {
        step_count: steps.len(),
        flow,
        flow_limit: MAX_FLOW_STEPS,
        unordered,
        steps: rows,
        duration: duration(lookup, wf, root),
    })
}

/// The worst case along the longest path, in words, with what is unbounded and why.
fn duration(lookup: &Lookup, wf: NodeIndex, root: &str) -> DurationView {
    let graph = lookup.graph;
    let Some(summary) = lookup.analysis.workflows.get(&graph.graph[wf].id) else {
        return DurationView {
            headline: "Its duration was not worked out: no path through its steps is known.".to_string(),
            bounded: false,
            path: Vec::new(),
            unbounded: Vec::new(),
            known: None,
            deadline: None,
            over_deadline: false,
        };
    };
    let path: Vec<NodeLink> = summary.critical_path.iter().map(|id| NodeLink::by_id(graph, id, root)).collect();
    let along = path.iter().map(|l| l.name.as_str()).collect::<Vec<_>>().join(" → ");
    let unbounded: Vec<UnboundedStep> = summary
        .unbounded
        .iter()
        .map(|id| UnboundedStep {
            link: NodeLink::by_id(graph, id, root),
            reason: graph
                .by_id
                .get(id)
                .map_or_else(|| format!("{id} has no known bound"), |&i| step::why_unbounded(lookup, i)),
        })
        .collect();
    let headline = match summary.worst_case_ms {
        Some(w) => format!("At most {} along {along}.", human(w)),
        None if unbounded.len() == 1 => format!("No bound: {}.", unbounded[0].reason),
        None => "No bound: several steps on its longest path can take forever.".to_string(),
    };
    let (deadline, over_deadline) = match (summary.deadline_ms, summary.worst_case_ms) {
        (Some(d), Some(w)) if w > d => (
            Some(format!(
                "Its deadline is {}, but the worst case is {} longer: a run that meets every retry and timeout misses it.",
                human(d),
                human(w - d)
            )),
            true,
        ),
        (Some(d), Some(w)) => {
            (Some(format!("Its deadline is {}: the worst case fits, with {} to spare.", human(d), human(d - w))), false)
        }
        (Some(d), None) => (Some(format!("Its deadline of {} is the only thing that stops it.", human(d))), true),
        (None, _) => (None, false),
    };
    DurationView {
        bounded: summary.worst_case_ms.is_some(),
        known: (summary.worst_case_ms.is_none() && summary.known_ms > 0)
            .then(|| format!("The bounded steps along {along} add up to {}.", human(summary.known_ms))),
        headline,
        path,
        unbounded,
        deadline,
        over_deadline,
    }
}

/// The workflow that contains `step` (the first in id order if several do), for its page.
pub fn workflow_of(lookup: &Lookup, step: NodeIndex) -> Option<NodeIndex> {
    let g = &lookup.graph.graph;
    g.edges_directed(step, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.source()].kind == NodeKind::Workflow)
        .map(|e| e.source())
        .min_by(|&a, &b| g[a].id.cmp(&g[b].id))
}
