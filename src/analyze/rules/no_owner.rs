//! `no-owner`: a service, workflow or alert that nobody owns.

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

pub fn check(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (idx, node) in graph.nodes() {
        if node.external || node.attrs.owner.is_some() || is_nested(graph, idx) {
            continue;
        }
        if !matches!(node.kind, NodeKind::Service | NodeKind::Workflow | NodeKind::Alert) {
            continue;
        }
        out.push(Finding::new(
            "no-owner",
            Severity::Warning,
            Some(&node.id),
            &super::at(node),
            format!("{} has no owner: when it breaks at night, nobody knows whom to call", super::named(node)),
            "add `owner: <team>` to its `# Operations` section (or to every step it contains), \
             or an `opsbook.owner` label in compose",
        ));
    }
    out
}

/// A branch or iterator run by a step of another workflow belongs to whoever owns that
/// workflow: it is not reported on its own.
fn is_nested(graph: &Graph, idx: petgraph::graph::NodeIndex) -> bool {
    use petgraph::visit::EdgeRef;
    graph
        .graph
        .edges_directed(idx, petgraph::Direction::Incoming)
        .any(|e| e.weight().kind == EdgeKind::Contains && graph.graph[e.source()].kind == NodeKind::Step)
}
