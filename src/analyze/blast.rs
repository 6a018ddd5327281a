//! Blast radius: every node that stops working when a node is down (reverse reachability).
//!
//! One search per node would cost nodes × edges. Instead the dependency edges are
//! condensed into strongly connected components (Tarjan, linear), and the set of nodes
//! that reach each component is propagated once over the condensed DAG in topological
//! order, as bit sets indexed by the rank of each node's id. Iterating a set gives its ids
//! already sorted, so the cost beyond the linear passes is one bit-set union per
//! condensed edge plus the size of the output.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// A blast radius map, shared between builds that have the same one.
pub type Radius = Arc<BTreeMap<String, Vec<String>>>;

/// Dependency edges as (from, to) node ids, in graph order.
type DependencyEdges = Vec<(String, String)>;

/// The last blast radius computed, with what it was computed from.
///
/// The blast radius is a function of the dependency edges alone, as pairs of node ids (a
/// node no dependency edge touches has no radius and is in none), so a build whose
/// dependency edges are those of the last one, in the same order, gets the last map again:
/// not computed, not allocated, and equal to it by pointer (which is how
/// `render::dirty` sees at once that no node's radius changed). Anything else computes it.
/// It lives in a thread-local ([`MEMO`]), so it needs no lock.
#[derive(Default)]
pub struct Memo {
    last: RefCell<Option<(DependencyEdges, Radius)>>,
}

impl Memo {
    pub const fn new() -> Memo {
        Memo { last: RefCell::new(None) }
    }

    /// The last map, when `graph`'s dependency edges are the ones it was computed from.
    pub fn get(&self, graph: &Graph) -> Option<Radius> {
        let last = self.last.borrow();
        let (key, radius) = last.as_ref()?;
        let mut now = dependency_edges(graph);
        let same = key.iter().all(|(a, b)| now.next().is_some_and(|(x, y)| a == x && b == y)) && now.next().is_none();
        same.then(|| radius.clone())
    }

    /// Keeps `radius` as the blast radius of `graph`.
    pub fn put(&self, graph: &Graph, radius: Radius) {
        let key = dependency_edges(graph).map(|(a, b)| (a.to_string(), b.to_string())).collect();
        *self.last.borrow_mut() = Some((key, radius));
    }

    /// [`blast_radius`] of `graph`, or the last one when its dependency edges are the same:
    /// [`crate::analyze::analyze_sources`]'s `get`, compute, `put`, in one call for the
    /// tests (the analysis computes beside other work, so it calls the two halves itself).
    #[cfg(test)]
    pub fn radius(&self, graph: &Graph) -> Radius {
        self.get(graph).unwrap_or_else(|| {
            let radius = Arc::new(blast_radius(graph));
            self.put(graph, radius.clone());
            radius
        })
    }
}

fn dependency_edges(graph: &Graph) -> impl Iterator<Item = (&str, &str)> {
    let g = &graph.graph;
    g.edge_references()
        .filter(|e| e.weight().kind.is_dependency())
        .map(|e| (g[e.source()].id.as_str(), g[e.target()].id.as_str()))
}

thread_local! {
    /// The memo of this thread's analyses: a session's builds follow each other on one
    /// thread, and analyses on other threads (tests side by side) do not disturb it.
    pub static MEMO: Memo = const { Memo::new() };
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

    /// The memo gives what a fresh computation gives, graph after graph (the same edges in
    /// another order, a node or an edge more or less), and the very same map when the
    /// dependency edges are the same.
    #[test]
    fn the_memo_equals_a_fresh_computation_and_shares_an_unchanged_radius() {
        let memo = Memo::new();
        let mut last: Option<Radius> = None;
        for seed in 0..120 {
            let nodes = 2 + (seed as usize / 3) % 30;
            let g = random_graph(seed / 3, nodes, nodes * 2);
            let mut g = if seed % 3 == 2 { random_graph(seed / 3, nodes + 1, nodes * 2) } else { g };
            if seed % 5 == 4 {
                // An edge that no dependency follows: the same radius.
                let (a, b) = (NodeIndex::new(0), NodeIndex::new(1));
                g.graph.add_edge(a, b, Edge { kind: EdgeKind::Owns, sources: Vec::new(), detail: None });
            }
            let radius = memo.radius(&g);
            assert_eq!(*radius, blast_radius_by_search(&g), "seed {seed}");
            if let Some(last) = &last
                && **last == *radius
                && seed % 3 == 1
            {
                assert!(Arc::ptr_eq(last, &radius), "seed {seed}: the same edges again share the map");
            }
            last = Some(radius);
        }
        let g = random_graph(7, 20, 40);
        let mut h = random_graph(7, 20, 40);
        assert!(Arc::ptr_eq(&memo.radius(&g), &memo.radius(&h)));
        // One dependency edge more: computed again.
        h.graph.add_edge(
            NodeIndex::new(3),
            NodeIndex::new(4),
            Edge { kind: EdgeKind::DependsOn, sources: Vec::new(), detail: None },
        );
        let radius = memo.radius(&h);
        assert_eq!(*radius, blast_radius_by_search(&h));
        assert!(!Arc::ptr_eq(&memo.radius(&g), &radius));
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
