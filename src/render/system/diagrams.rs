//! The owner diagrams of `graph.html`: which nodes each owner's diagram draws (its plan),
//! the drawing, and which changed nodes make a kept diagram stale.

use super::*;

/// The owner a node is filed under on the split overview: its `owner`, else the team that
/// owns it, else its workflow's (for a step), else none.
pub(super) fn owner_of<'g>(graph: &'g Graph, i: NodeIndex, reps: &Reps) -> Option<&'g str> {
    let node = &graph.graph[i];
    if node.kind == NodeKind::Team {
        return Some(&node.name);
    }
    if let Some(o) = &node.attrs.owner {
        return Some(&o.value);
    }
    let team = graph
        .graph
        .edges_directed(i, petgraph::Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Owns)
        .map(|e| e.source())
        .min_by(|&a, &b| graph.graph[a].id.cmp(&graph.graph[b].id));
    if let Some(team) = team {
        return Some(&graph.graph[team].name);
    }
    if node.kind == NodeKind::Step {
        let wf = reps.of(i);
        return (wf != i).then(|| graph.graph[wf].attrs.owner.as_ref().map(|o| o.value.as_str())).flatten();
    }
    None
}

/// The node drawn for each node: a step's workflow (its page draws its flow), else the
/// node itself. Made once per render, by node index.
pub struct Reps(Vec<NodeIndex>);

impl Reps {
    pub fn new(graph: &Graph) -> Reps {
        let g = &graph.graph;
        Reps(
            g.node_indices()
                .map(|i| {
                    if g[i].kind != NodeKind::Step {
                        return i;
                    }
                    // The first containing workflow in id order, as `containing_workflow` names it.
                    g.edges_directed(i, petgraph::Direction::Incoming)
                        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.source()].kind == NodeKind::Workflow)
                        .map(|e| e.source())
                        .min_by(|&a, &b| g[a].id.cmp(&g[b].id))
                        .unwrap_or(i)
                })
                .collect(),
        )
    }

    pub fn of(&self, i: NodeIndex) -> NodeIndex {
        self.0[i.index()]
    }
}

/// Nodes drawn per owner diagram, its own and its neighbours together.
pub(super) const MAX_OWNER_NODES: usize = 48;

pub(super) fn by_owner(graph: &Graph) -> Vec<OwnerDiagram> {
    let reps = Reps::new(graph);
    owner_plans(graph, &reps)
        .into_iter()
        .map(|plan| {
            let diagram = draw_owner(graph, &plan, &reps);
            OwnerDiagram {
                title: plan.title,
                anchor: plan.anchor,
                count: plan.members.len(),
                diagram,
                left_out: plan.left_out,
            }
        })
        .collect()
}

/// One owner's diagram before it is drawn: what it draws and why.
pub struct OwnerPlan {
    pub title: String,
    pub anchor: String,
    /// The nodes filed under this owner, in id order.
    pub members: Vec<NodeIndex>,
    /// The nodes it owns that are drawn for themselves (steps fold into their workflow).
    pub own: BTreeSet<NodeIndex>,
    /// Every box drawn: its own nodes and, dimmed, those of others they are joined to.
    pub drawn: BTreeSet<NodeIndex>,
    pub left_out: usize,
}

/// The diagram of each owner, owners by name, the unowned last.
pub fn owner_plans(graph: &Graph, reps: &Reps) -> Vec<OwnerPlan> {
    let mut groups: BTreeMap<Option<&str>, Vec<NodeIndex>> = BTreeMap::new();
    for (i, _) in graph.nodes() {
        groups.entry(owner_of(graph, i, reps)).or_default().push(i);
    }
    // A workflow's steps are folded into the workflow (its page draws its flow): their
    // edges become the workflow's.
    let rep = |i: NodeIndex| reps.of(i);
    // Owners first, by name; the unowned last.
    let mut ordered: Vec<(Option<&str>, Vec<NodeIndex>)> = groups.into_iter().collect();
    ordered.sort_by_key(|(owner, _)| (owner.is_none(), *owner));
    ordered
        .into_iter()
        .map(|(owner, members)| {
            let own: BTreeSet<NodeIndex> = members.iter().copied().filter(|&i| rep(i) == i).collect();
            let mut drawn: BTreeSet<NodeIndex> = own.iter().copied().take(MAX_OWNER_NODES).collect();
            let mut left_out = own.len() - drawn.len();
            let mut others = BTreeSet::new();
            for &i in members.iter().filter(|&&i| drawn.contains(&rep(i))) {
                for e in graph.graph.edges_directed(i, petgraph::Direction::Outgoing) {
                    others.insert(rep(e.target()));
                }
                for e in graph.graph.edges_directed(i, petgraph::Direction::Incoming) {
                    others.insert(rep(e.source()));
                }
            }
            for o in others {
                if drawn.contains(&o) {
                    continue;
                }
                if drawn.len() < MAX_OWNER_NODES {
                    drawn.insert(o);
                } else if !own.contains(&o) {
                    left_out += 1;
                }
            }
            let title = owner.unwrap_or("no owner").to_string();
            let anchor = format!("owner-{}", crate::model::slugify(&title));
            OwnerPlan { title, anchor, members, own, drawn, left_out }
        })
        .collect()
}

/// The SVG of one owner's diagram.
pub fn draw_owner(graph: &Graph, plan: &OwnerPlan, reps: &Reps) -> String {
    let title = format!("What {} owns and what it is joined to", plan.title);
    diagram_of(graph, &plan.drawn, &plan.own, reps, &title)
}

/// The nodes of `changed` and every node one edge from one of them, either way: a node
/// whose data or edges, or a neighbour's, may have changed.
pub fn near(graph: &Graph, changed: impl Iterator<Item = NodeIndex>) -> fixedbitset::FixedBitSet {
    let g = &graph.graph;
    let mut near = fixedbitset::FixedBitSet::with_capacity(g.node_count());
    for c in changed {
        near.insert(c.index());
        for e in g.edges_directed(c, petgraph::Direction::Outgoing) {
            near.insert(e.target().index());
        }
        for e in g.edges_directed(c, petgraph::Direction::Incoming) {
            near.insert(e.source().index());
        }
    }
    near
}

/// Whether an owner's diagram reads a node of `near` (see [`near`]) besides which nodes
/// it draws (the plan itself): its members, its boxes and the steps folded into them,
/// each with the nodes one edge from it (a neighbour's workflow decides where its edges
/// are drawn, a dimmed box's owner is written under it).
pub fn owner_reads_any(graph: &Graph, plan: &OwnerPlan, reps: &Reps, near: &fixedbitset::FixedBitSet) -> bool {
    let g = &graph.graph;
    let near = |i: NodeIndex| near.contains(i.index());
    plan.members.iter().any(|&i| near(i))
        || plan.drawn.iter().any(|&d| {
            near(d)
                || g.edges(d)
                    .any(|e| e.weight().kind == EdgeKind::Contains && reps.of(e.target()) == d && near(e.target()))
        })
}

/// The id of the workflow that contains step `i`, the first in id order when several do.
pub fn containing_workflow(graph: &Graph, i: petgraph::graph::NodeIndex) -> Option<&str> {
    graph
        .graph
        .edges_directed(i, petgraph::Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Contains && graph.graph[e.source()].kind == NodeKind::Workflow)
        .map(|e| graph.graph[e.source()].id.as_str())
        .min()
}

/// One column per kind present, nodes in id order; edges curve between columns and loop out
/// to the right within one.
pub(super) fn diagram(graph: &Graph) -> String {
    let all: BTreeSet<NodeIndex> = graph.graph.node_indices().collect();
    let reps = Reps(graph.graph.node_indices().collect());
    diagram_of(graph, &all, &all, &reps, "The whole system")
}

/// The column diagram of the nodes in `drawn`; those not in `own` are dimmed (another
/// owner's, shown for the edges that join them). `rep` maps a node to the one drawn for
/// it (a step to its workflow), so its edges are drawn from there, once per kind.
pub(super) fn diagram_of(
    graph: &Graph,
    drawn: &BTreeSet<NodeIndex>,
    own: &BTreeSet<NodeIndex>,
    reps: &Reps,
    title: &str,
) -> String {
    let rep = |i: NodeIndex| reps.of(i);
    // The drawn nodes in id order, the order `graph.nodes()` walks. Everything below looks
    // only at these and their edges: one diagram per owner must not walk the whole graph.
    let mut in_order: Vec<(NodeIndex, &crate::model::Node)> = drawn.iter().map(|&i| (i, &graph.graph[i])).collect();
    in_order.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    let mut place: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    let mut column = 0u32;
    let mut rows = 0u32;
    let mut heads = Vec::new();
    for kind in COLUMN_ORDER {
        let mut row = 0u32;
        for (_, n) in in_order.iter().filter(|(_, n)| n.kind == kind) {
            place.insert(&n.id, (10 + column * COLUMN, TOP + row * ROW));
            row += 1;
        }
        if row > 0 {
            heads.push((10 + column * COLUMN, kind.plural_title()));
            rows = rows.max(row);
            column += 1;
        }
    }
    let width = column * COLUMN + 60;
    let height = TOP + rows * ROW + 8;
    let mut out = String::new();
    svg::open(&mut out, width, height, title);
    for (x, title) in heads {
        let _ = write!(out, "<text class=\"heading\" x=\"{x}\" y=\"16\">{title}</text>");
    }
    // Every edge between two drawn nodes, a folded step's edges as its workflow's: the
    // outgoing edges of each drawn node and of the steps folded into it (`rep` maps a step
    // to the workflow that contains it, so those are among its `contains` targets).
    let mut edges: Vec<(&str, &str, EdgeKind)> = Vec::new();
    for &d in drawn {
        let folded = graph
            .graph
            .edges(d)
            .filter(|e| e.weight().kind == EdgeKind::Contains && e.target() != d && rep(e.target()) == d)
            .map(|e| e.target());
        let members: BTreeSet<NodeIndex> = std::iter::once(d).chain(folded).collect();
        for m in members {
            for e in graph.graph.edges(m) {
                let to = rep(e.target());
                if to != d && drawn.contains(&to) {
                    edges.push((graph.graph[d].id.as_str(), graph.graph[to].id.as_str(), e.weight().kind));
                }
            }
        }
    }
    edges.sort();
    edges.dedup();
    for (from, to, kind) in edges {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (place.get(from), place.get(to)) else {
            continue;
        };
        let (fy, ty) = (fy + BOX_H / 2, ty + BOX_H / 2);
        let path = if fx == tx {
            let bend = fx + BOX_W + 40;
            format!("M{},{fy} C{bend},{fy} {bend},{ty} {},{ty}", fx + BOX_W, fx + BOX_W)
        } else if fx < tx {
            svg::curve((fx + BOX_W, fy), (tx, ty))
        } else {
            svg::curve((fx, fy), (tx + BOX_W, ty))
        };
        svg::edge(&mut out, &path, &[kind]);
    }
    for &(i, n) in &in_order {
        let (x, y) = place[n.id.as_str()];
        let other = !own.contains(&i);
        if other {
            out.push_str("<g class=\"other\">");
        }
        let sub = if other {
            format!("{} · {}", n.kind.as_str(), owner_of(graph, i, reps).unwrap_or("no owner"))
        } else {
            n.kind.as_str().to_string()
        };
        svg::node_box(&mut out, x, y, BOX_W, &NodeLink::new(n, ""), &sub, false);
        if other {
            out.push_str("</g>");
        }
    }
    out.push_str("</svg>");
    out
}
