//! `missing-error-handler`: a workflow task whose failure is neither caught nor documented.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

/// How far up the containment chain a handler is looked for (branch in a step in a
/// workflow in ...); real definitions nest a few levels.
const MAX_NESTING: usize = 32;

pub fn check(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    // Found once: a workflow of thirty thousand states would otherwise scan its thirty
    // thousand edges again for each of its states.
    let catchers: HashSet<NodeIndex> =
        graph.graph.edge_references().filter(|e| e.weight().kind == EdgeKind::OnError).map(|e| e.source()).collect();
    for (idx, node) in graph.nodes() {
        if node.kind != NodeKind::Step || node.attrs.activity.is_none() {
            continue;
        }
        let Some(workflow) = container(graph, idx) else { continue };
        if handled(graph, idx, &catchers) {
            continue;
        }
        out.push(Finding::new(
            "missing-error-handler",
            Severity::Warning,
            Some(&node.id),
            &super::at(node),
            format!(
                "{} in workflow `{}` has no error handler and no documented recovery: when it fails \
                 after its retries, the whole run fails and nobody is told what to do next",
                super::named(node),
                graph.graph[workflow].name
            ),
            "catch its failure (a Catch, an error boundary event, an onExit handler, a job that runs \
             `if: failure()`) and route it to a step that compensates or notifies",
        ));
    }
    out
}

/// The workflow that contains `step`, if any.
fn container(graph: &Graph, step: NodeIndex) -> Option<NodeIndex> {
    graph
        .graph
        .edges_directed(step, Direction::Incoming)
        .find(|e| e.weight().kind == EdgeKind::Contains && graph.graph[e.source()].kind == NodeKind::Workflow)
        .map(|e| e.source())
}

/// A step is handled when it, or a workflow or step that contains it, catches errors or
/// documents recovery: a Parallel state's Catch covers the states of its branches.
fn handled(graph: &Graph, step: NodeIndex, catchers: &HashSet<NodeIndex>) -> bool {
    let g = &graph.graph;
    let mut at = step;
    for _ in 0..MAX_NESTING {
        let node = &g[at];
        let catches = catchers.contains(&at);
        if catches || !node.attrs.error_handling.is_empty() || !node.attrs.recovery.is_empty() {
            return true;
        }
        // Up one level: step -> its workflow -> the step that runs that workflow.
        let parent = g
            .edges_directed(at, Direction::Incoming)
            .filter(|e| e.weight().kind == EdgeKind::Contains)
            .map(|e| e.source())
            .min_by(|a, b| g[*a].id.cmp(&g[*b].id));
        match parent {
            Some(p) => at = p,
            None => return false,
        }
    }
    false
}
