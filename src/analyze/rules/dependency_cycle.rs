//! `dependency-cycle`: nodes that depend on each other in a loop.

use petgraph::algo::tarjan_scc;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph};

pub fn check(graph: &Graph) -> Vec<Finding> {
    let g = &graph.graph;
    let deps = EdgeFiltered::from_fn(g, |e| matches!(e.weight().kind, EdgeKind::DependsOn | EdgeKind::Calls));
    let mut out = Vec::new();
    for scc in tarjan_scc(&deps) {
        let looped = scc.len() > 1
            || scc.iter().any(|&n| g.edges_connecting(n, n).any(|e| e.weight().kind == EdgeKind::DependsOn));
        if !looped {
            continue;
        }
        let mut members: Vec<_> = scc.clone();
        members.sort_by(|a, b| g[*a].id.cmp(&g[*b].id));
        let first = members[0];
        // Point at the first edge out of the first member that stays inside the loop.
        let edge = g
            .edges(first)
            .filter(|e| {
                members.contains(&e.target()) && matches!(e.weight().kind, EdgeKind::DependsOn | EdgeKind::Calls)
            })
            .min_by(|a, b| a.weight().sources.cmp(&b.weight().sources));
        let source = edge.and_then(|e| e.weight().sources.first().cloned()).unwrap_or_else(|| super::at(&g[first]));
        let names: Vec<String> = members.iter().map(|&n| format!("`{}`", g[n].name)).collect();
        out.push(Finding::new(
            "dependency-cycle",
            Severity::Warning,
            Some(&g[first].id),
            &source,
            format!(
                "{} depend on each other in a loop: none of them can start or recover first, \
                 and a failure in one spreads to all",
                names.join(", ")
            ),
            "break the loop: make one dependency optional, asynchronous (a queue), or remove it",
        ));
    }
    out
}
