//! `graph.html`: the whole system, legible at any size: columns by kind with every edge as a
//! link, services with their members, and a diagram only while it stays readable.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::model::{EdgeKind, Graph, NodeKind};
use crate::render::links::NodeLink;
use crate::render::svg::{self, BOX_H, ROW};

mod diagrams;

pub use diagrams::*;

/// Columns left to right in the direction most edges run (a team owns a service, which
/// contains a workflow, whose steps call resources), so arrows mostly point right.
pub const COLUMN_ORDER: [NodeKind; 9] = [
    NodeKind::Team,
    NodeKind::Alert,
    NodeKind::System,
    NodeKind::Service,
    NodeKind::Workflow,
    NodeKind::Step,
    NodeKind::Api,
    NodeKind::Resource,
    NodeKind::Runbook,
];

/// Past this many nodes a whole-system diagram is a hairball: the columns say it better.
pub const MAX_DIAGRAM_NODES: usize = 40;

const BOX_W: u32 = 170;
const COLUMN: u32 = 240;
const TOP: u32 = 28;

#[derive(Debug, Serialize)]
pub struct SystemView {
    pub node_count: usize,
    pub edge_count: usize,
    pub columns: Vec<KindColumn>,
    pub services: Vec<ServiceGroup>,
    /// Inline SVG, or `None` past [`MAX_DIAGRAM_NODES`].
    pub diagram: Option<String>,
    pub diagram_limit: usize,
    /// Past [`MAX_DIAGRAM_NODES`], the system split by owner: one diagram per owner, with
    /// the nodes it owns (a workflow's steps folded into the workflow) and, dimmed, the
    /// nodes of others they are joined to. Empty while the whole diagram is legible.
    pub by_owner: Vec<OwnerDiagram>,
}

#[derive(Debug, Serialize)]
pub struct OwnerDiagram {
    /// The team, or "no owner".
    pub title: String,
    pub anchor: String,
    /// Nodes this owner owns, steps included.
    pub count: usize,
    pub diagram: String,
    /// Nodes left out of the diagram to keep it legible (they are in the lists below).
    pub left_out: usize,
}

#[derive(Debug, Serialize)]
pub struct KindColumn {
    pub title: &'static str,
    pub anchor: &'static str,
    pub count: usize,
    /// Steps grouped by the workflow that contains them (workflow definitions make many);
    /// every other kind is one untitled group.
    pub groups: Vec<NodeGroup>,
}

#[derive(Debug, Serialize)]
pub struct NodeGroup {
    /// The workflow the steps belong to; `None` for nodes of no workflow.
    pub title: Option<NodeLink>,
    /// Small groups start unfolded; large ones fold so the column stays legible.
    pub open: bool,
    pub nodes: Vec<SystemNode>,
}

/// Groups up to this size start unfolded.
const OPEN_GROUP: usize = 12;

#[derive(Debug, Serialize)]
pub struct SystemNode {
    pub link: NodeLink,
    pub edges: Vec<EdgeBrief>,
    /// A workflow's steps are listed under Steps, grouped by it; here only their count:
    /// "10 steps".
    pub steps: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct EdgeBrief {
    pub kind: &'static str,
    pub to: NodeLink,
}

#[derive(Debug, Serialize)]
pub struct ServiceGroup {
    pub service: NodeLink,
    pub members: Vec<NodeLink>,
}

pub fn view(graph: &Graph) -> SystemView {
    let mut columns = Vec::new();
    for kind in COLUMN_ORDER {
        let mut groups: BTreeMap<Option<&str>, Vec<SystemNode>> = BTreeMap::new();
        for (i, n) in graph.nodes().filter(|(_, n)| n.kind == kind) {
            let key = if kind == NodeKind::Step { containing_workflow(graph, i) } else { None };
            groups.entry(key).or_default().push(system_node(graph, i, n));
        }
        if !groups.is_empty() {
            let groups: Vec<NodeGroup> = groups
                .into_iter()
                .map(|(wf, nodes)| NodeGroup {
                    title: wf.map(|id| NodeLink::by_id(graph, id, "")),
                    open: open_group(wf.is_some(), nodes.len()),
                    nodes,
                })
                .collect();
            let count = groups.iter().map(|g| g.nodes.len()).sum();
            columns.push(KindColumn { title: kind.plural_title(), anchor: kind.folder(), count, groups });
        }
    }
    let services = graph
        .nodes()
        .filter(|(_, n)| n.kind == NodeKind::Service)
        .map(|(i, n)| service_group(graph, i, n))
        .filter(|g| !g.members.is_empty())
        .collect();
    let count = graph.by_id.len();
    let by_owner = if count > MAX_DIAGRAM_NODES { by_owner(graph) } else { Vec::new() };
    SystemView {
        node_count: count,
        edge_count: graph.graph.edge_count(),
        columns,
        services,
        diagram: (count > 0 && count <= MAX_DIAGRAM_NODES).then(|| diagram(graph)),
        diagram_limit: MAX_DIAGRAM_NODES,
        by_owner,
    }
}

/// A node in its kind's column: it reads the node's outgoing edges and the nodes at their
/// other end.
pub fn system_node(graph: &Graph, i: NodeIndex, n: &crate::model::Node) -> SystemNode {
    let kind = n.kind;
    let is_step_of_flow = |e: &petgraph::graph::EdgeReference<'_, crate::model::Edge>| {
        kind == NodeKind::Workflow
            && e.weight().kind == EdgeKind::Contains
            && graph.graph[e.target()].kind == NodeKind::Step
    };
    let steps = graph.graph.edges(i).filter(is_step_of_flow).count();
    let mut edges: Vec<EdgeBrief> = graph
        .graph
        .edges(i)
        .filter(|e| !is_step_of_flow(e))
        .map(|e| EdgeBrief { kind: e.weight().kind.as_str(), to: NodeLink::new(&graph.graph[e.target()], "") })
        .collect();
    edges.sort_by(|a, b| (a.kind, &a.to.id).cmp(&(b.kind, &b.to.id)));
    let steps = (steps > 0).then(|| if steps == 1 { "1 step".to_string() } else { format!("{steps} steps") });
    SystemNode { link: NodeLink::new(n, ""), edges, steps }
}

/// A service with what it contains (it reads the service's outgoing edges); no card
/// when it contains nothing.
pub fn service_group(graph: &Graph, i: NodeIndex, n: &crate::model::Node) -> ServiceGroup {
    let mut members: Vec<NodeLink> = graph
        .graph
        .edges(i)
        .filter(|e| e.weight().kind == EdgeKind::Contains)
        .map(|e| NodeLink::new(&graph.graph[e.target()], ""))
        .collect();
    members.sort_by(|a, b| a.id.cmp(&b.id));
    members.dedup_by(|a, b| a.id == b.id);
    ServiceGroup { service: NodeLink::new(n, ""), members }
}

/// Step groups of more nodes than this start folded.
pub fn open_group(titled: bool, len: usize) -> bool {
    !titled || len <= OPEN_GROUP
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::fixture;

    #[test]
    fn small_systems_get_a_diagram_with_every_node_linked() {
        let graph = fixture::graph();
        let view = view(&graph);
        let svg = view.diagram.expect("a diagram for 9 nodes");
        for (_, n) in graph.nodes() {
            assert!(svg.contains(&format!("<a href=\"{}\">", n.page)), "{} is a link", n.id);
        }
        assert!(svg.contains("e-on_error") && svg.contains("stroke-dasharray"));
        // Teams sit left of what they own, so the `owns` arrow points right.
        let x = |kind: &str| svg.find(&format!("k-{kind}\" x=\"")).map(|i| &svg[i..]).unwrap().to_string();
        let team_x: u32 = x("team").split('"').nth(2).unwrap().parse().unwrap();
        let flow_x: u32 = x("workflow").split('"').nth(2).unwrap().parse().unwrap();
        assert!(team_x < flow_x);
    }

    #[test]
    fn large_systems_get_columns_only() {
        let mut graph = fixture::graph();
        for i in 0..MAX_OWNER_NODES + 10 {
            let id = format!("resource:r{i}");
            let node = crate::model::Node {
                scope: None,
                id: id.clone(),
                kind: NodeKind::Resource,
                name: format!("r{i}"),
                slug: format!("r{i}"),
                page: format!("resources/r{i}.html"),
                sources: Vec::new(),
                attrs: Default::default(),
                external: true,
            };
            let index = graph.graph.add_node(node);
            graph.by_id.insert(id, index);
        }
        let view = view(&graph);
        assert!(view.diagram.is_none());
        assert_eq!(view.columns.iter().map(|c| c.count).sum::<usize>(), graph.by_id.len());
        // Split by owner instead: every node counted once, owners first, the unowned last.
        assert_eq!(view.by_owner.iter().map(|g| g.count).sum::<usize>(), graph.by_id.len());
        let team = view.by_owner.iter().find(|g| g.title == "team-integrations").expect("a diagram per owner");
        let unowned = view.by_owner.last().unwrap();
        assert_eq!(unowned.title, "no owner");
        // 58 unowned resources plus the fixture's: more than one diagram can hold.
        assert_eq!(unowned.diagram.matches("<rect").count(), MAX_OWNER_NODES);
        assert!(unowned.left_out >= 10, "{}", unowned.left_out);
        let team = &team.diagram;
        assert!(
            team.contains("<a href=\"steps/push-order.html\">")
                || team.contains("<a href=\"workflows/order-fulfilment.html\">")
        );
        assert!(team.contains("class=\"other\""), "what the team's nodes are joined to is drawn, dimmed");
    }
}
