//! Blast radius: every node that stops working when a node is down (reverse reachability).
//!
//! One search per node would cost nodes × edges. Instead the dependency edges are
//! condensed into strongly connected components (Tarjan, linear), and the set of nodes
//! that reach each component is propagated once over the condensed DAG in topological
//! order, as bit sets indexed by the rank of each node's id. Iterating a set gives its ids
//! already sorted, so the cost beyond the linear passes is one bit-set union per
//! condensed edge plus the size of the output.

use std::collections::BTreeMap;

use fixedbitset::FixedBitSet;
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use crate::model::Graph;

/// For every node, the ids of the nodes that depend on it directly or transitively,
/// following dependency edges (`EdgeKind::is_dependency`) backwards. A node is never in its
/// own radius; nodes nothing depends on are left out.
pub fn blast_radius(graph: &Graph) -> BTreeMap<String, Vec<String>> {
    let g = &graph.graph;
    let n = g.node_count();
    // Bit `rank[i]` stands for node `i`; ranks follow id order, so sets iterate sorted.
    let mut by_rank: Vec<NodeIndex> = g.node_indices().collect();
    by_rank.sort_by(|a, b| g[*a].id.cmp(&g[*b].id));
    let mut rank = vec![0; n];
    for (r, i) in by_rank.iter().enumerate() {
        rank[i.index()] = r;
    }

    let deps = EdgeFiltered::from_fn(g, |e| e.weight().kind.is_dependency());
    // Tarjan emits components in reverse topological order: a component comes after every
    // component it reaches. Dependents point at what they depend on, so walking the list
    // backwards visits every dependent before the components it depends on.
    let sccs = tarjan_scc(&deps);
    let mut comp = vec![0; n];
    for (c, members) in sccs.iter().enumerate() {
        for m in members {
            comp[m.index()] = c;
        }
    }
    // `reached[c]`: every node that reaches component `c` from outside it, then its own
    // members when it is a cycle (each member of a cycle reaches the others).
    let mut reached: Vec<Option<FixedBitSet>> = vec![None; sccs.len()];
    let mut out = BTreeMap::new();
    for c in (0..sccs.len()).rev() {
        let members = &sccs[c];
        let cyclic = members.len() > 1;
        let mut set = reached[c].take();
        if cyclic {
            let set = set.get_or_insert_with(|| FixedBitSet::with_capacity(n));
            members.iter().for_each(|m| set.insert(rank[m.index()]));
        }
        // Hand this component's dependents, and the component itself, to what it depends on.
        for m in members {
            for e in g.edges(*m).filter(|e| e.weight().kind.is_dependency()) {
                let d = comp[e.target().index()];
                if d == c {
                    continue;
                }
                let target = reached[d].get_or_insert_with(|| FixedBitSet::with_capacity(n));
                if let Some(set) = &set {
                    target.union_with(set);
                }
                members.iter().for_each(|m| target.insert(rank[m.index()]));
            }
        }
        let Some(set) = set else { continue };
        for m in members {
            let me = rank[m.index()];
            let ids: Vec<String> = set.ones().filter(|&r| r != me).map(|r| g[by_rank[r]].id.clone()).collect();
            if !ids.is_empty() {
                out.insert(g[*m].id.clone(), ids);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use petgraph::Direction;

    use super::*;
    use crate::extract::NodeAttrs;
    use crate::model::{Edge, EdgeKind, Node, NodeKind};

    /// The definition: one reverse search per node.
    fn blast_radius_by_search(graph: &Graph) -> BTreeMap<String, Vec<String>> {
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

    /// A deterministic pseudo-random graph: `nodes` nodes, `edges` edges of every kind,
    /// self-loops, parallel edges and cycles included; ids are not in index order.
    fn random_graph(seed: u64, nodes: usize, edges: usize) -> Graph {
        let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut next = move |bound: usize| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % bound
        };
        let mut graph = Graph::default();
        for i in 0..nodes {
            let id = format!("step:n{:03}", (i * 37) % 1000);
            let node = Node {
                id: id.clone(),
                kind: NodeKind::Step,
                name: id.clone(),
                scope: None,
                slug: id.clone(),
                page: format!("steps/{id}.html"),
                sources: Vec::new(),
                attrs: NodeAttrs::default(),
                external: false,
            };
            let ix = graph.graph.add_node(node);
            graph.by_id.insert(id, ix);
        }
        let kinds = [EdgeKind::DependsOn, EdgeKind::Calls, EdgeKind::Contains, EdgeKind::Next, EdgeKind::Owns];
        for _ in 0..edges {
            let (a, b) = (NodeIndex::new(next(nodes)), NodeIndex::new(next(nodes)));
            let kind = kinds[next(kinds.len())];
            graph.graph.add_edge(a, b, Edge { kind, sources: Vec::new(), detail: None });
        }
        graph
    }

    #[test]
    fn equals_one_search_per_node_on_random_graphs() {
        for seed in 0..300 {
            let nodes = 1 + (seed as usize * 7) % 60;
            let edges = (seed as usize * 13) % (nodes * 3 + 1);
            let g = random_graph(seed, nodes, edges);
            assert_eq!(blast_radius(&g), blast_radius_by_search(&g), "seed {seed}: {nodes} nodes, {edges} edges");
        }
    }

    #[test]
    fn a_cycle_puts_every_member_in_the_others_radius_but_not_its_own() {
        let mut g = random_graph(1, 3, 0);
        let ix: Vec<NodeIndex> = g.graph.node_indices().collect();
        let dep = || Edge { kind: EdgeKind::DependsOn, sources: Vec::new(), detail: None };
        g.graph.add_edge(ix[0], ix[1], dep());
        g.graph.add_edge(ix[1], ix[0], dep());
        g.graph.add_edge(ix[2], ix[2], dep());
        let radius = blast_radius(&g);
        assert_eq!(radius["step:n000"], vec!["step:n037"]);
        assert_eq!(radius["step:n037"], vec!["step:n000"]);
        assert!(!radius.contains_key("step:n074"), "a self-loop is not a dependent");
    }
}
