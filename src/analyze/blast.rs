//! Blast radius: every node that stops working when a node is down (reverse reachability).

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::model::Graph;

/// For every node, the ids of the nodes that depend on it directly or transitively,
/// following dependency edges (`EdgeKind::is_dependency`) backwards. Nodes nothing
/// depends on are left out.
pub fn blast_radius(graph: &Graph) -> BTreeMap<String, Vec<String>> {
    let g = &graph.graph;
    let mut out = BTreeMap::new();
    for start in g.node_indices() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start];
        while let Some(n) = stack.pop() {
            for e in g.edges_directed(n, Direction::Incoming) {
                if e.weight().kind.is_dependency() && e.source() != start && seen.insert(e.source()) {
                    stack.push(e.source());
                }
            }
        }
        if !seen.is_empty() {
            let mut ids: Vec<String> = seen.into_iter().map(|i| g[i].id.clone()).collect();
            ids.sort();
            out.insert(g[start].id.clone(), ids);
        }
    }
    out
}
