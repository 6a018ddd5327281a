//! One runbook page per node: what to do first, then how it fails, what it touches, where it is written.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::analyze::Analysis;
use crate::model::{EdgeKind, Graph, Node, NodeKind};
use crate::render::findings::FindingView;
use crate::render::handwritten::{self, HandwrittenView};
use crate::render::links::{NodeLink, SourceLinker, SourceView};
use crate::render::lookup::Lookup;
use crate::render::policy::{self, PolicyView};
use crate::render::resource::{self, CallersView};
use crate::render::signals::{self, RerunView, SignalsView};
use crate::render::step::{self, StepView};
use crate::render::svg::{self, Neighbour};
use crate::render::team::{self, TeamView};
use crate::render::workflow::{self, WorkflowView};
use crate::render::{links, markdown};

#[derive(Debug, Serialize)]
pub struct RunbookView {
    pub node: NodeLink,
    /// "Step", "Service", ...
    pub kind_title: String,
    /// Sanitised HTML.
    pub description: Option<String>,
    pub part_of: Vec<Membership>,
    pub owner: Option<OwnerView>,
    pub owner_teams: Vec<NodeLink>,
    pub recovery: Vec<ProseView>,
    /// Where recovery steps would be added: the node's first source.
    pub recovery_where: Option<SourceView>,
    /// The node is defined in Rust, so its doc comment is where prose belongs and the page
    /// says so; other formats have no place for recovery prose yet.
    pub in_rust: bool,
    pub failure_modes: Vec<ProseView>,
    pub signals: SignalsView,
    pub findings: Vec<FindingView>,
    /// The effective policy first, then every other policy of the node.
    pub retries: Vec<PolicyView>,
    pub rerun: RerunView,
    /// Who depends on or calls this node directly, with how hard each retries.
    pub callers: CallersView,
    /// A team's owned nodes and the alerts that page it.
    pub team: Option<TeamView>,
    pub image: Option<signals::FactView>,
    pub dependencies: Vec<EdgeGroup>,
    pub dependents: Vec<EdgeGroup>,
    pub blast_radius: Vec<NodeLink>,
    /// Inline SVG, escaped as it was built.
    pub diagram: String,
    /// A workflow's flow, step table and duration.
    pub workflow: Option<WorkflowView>,
    /// What a workflow definition says about this step.
    pub step: Option<StepView>,
    pub sources: Vec<SourceView>,
    /// Hand-written runbooks that cover this node, shown with its recovery steps.
    pub handwritten: Vec<HandwrittenView>,
    /// Home, the kind's list on the home page, the workflow or service it belongs to.
    pub breadcrumb: Vec<Crumb>,
    /// The previous and next page of the same kind, in id order: set by the caller, which
    /// knows every page.
    pub pager: Pager,
}

/// One step of the breadcrumb: a link up the book.
#[derive(Debug, Serialize)]
pub struct Crumb {
    pub name: String,
    pub href: String,
}

/// Links to the neighbouring pages of the same kind.
#[derive(Debug, Default, Serialize)]
pub struct Pager {
    pub previous: Option<NodeLink>,
    pub next: Option<NodeLink>,
}

#[derive(Debug, Serialize)]
pub struct Membership {
    pub link: NodeLink,
    pub source: Option<SourceView>,
}

#[derive(Debug, Serialize)]
pub struct OwnerView {
    pub name: String,
    pub team: Option<NodeLink>,
    pub source: SourceView,
}

/// A Markdown item (a recovery step, a failure mode) as sanitised HTML with its line.
#[derive(Debug, Serialize)]
pub struct ProseView {
    pub html: String,
    pub source: SourceView,
}

#[derive(Debug, Serialize)]
pub struct EdgeGroup {
    pub kind: &'static str,
    pub title: &'static str,
    pub items: Vec<EdgeItem>,
}

#[derive(Debug, Serialize)]
pub struct EdgeItem {
    pub node: NodeLink,
    pub detail: Option<String>,
    pub sources: Vec<SourceView>,
}

pub fn view(lookup: &Lookup, index: NodeIndex) -> RunbookView {
    let (graph, analysis, sources) = (lookup.graph, lookup.analysis, &lookup.sources);
    let node = &graph.graph[index];
    let root = links::root_of(&node.page);
    let attrs = &node.attrs;
    let prose = |items: &[crate::source::Located<String>]| -> Vec<ProseView> {
        items
            .iter()
            .map(|l| ProseView { html: markdown::to_inline_html(&l.value), source: sources.view(&l.source) })
            .collect()
    };
    let owner = attrs.owner.as_ref().map(|o| OwnerView {
        name: o.value.clone(),
        team: lookup.find(NodeKind::Team, &o.value).map(|t| NodeLink::new(t, &root)),
        source: sources.view(&o.source),
    });
    let owner_teams = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Owns)
        .map(|e| NodeLink::new(&graph.graph[e.source()], &root))
        .filter(|t| owner.as_ref().and_then(|o| o.team.as_ref()).is_none_or(|o| o.id != t.id))
        .collect();
    let retries = analysis.all_retries.get(&node.id).map(|all| policy::views(all, sources)).unwrap_or_default();
    let findings =
        lookup.findings_of(&node.id).map(|(rank, f)| FindingView::new(rank, f, graph, &root, sources)).collect();
    let blast_radius = analysis
        .blast_radius
        .get(&node.id)
        .map(|ids| ids.iter().map(|id| NodeLink::by_id(graph, id, &root)).collect())
        .unwrap_or_default();
    let centre = NodeLink::new(node, &root);
    let part_of = part_of(lookup, index, node, &root);
    let mut breadcrumb = vec![
        Crumb { name: "Home".to_string(), href: format!("{root}index.html") },
        Crumb { name: node.kind.plural_title().to_string(), href: format!("{root}index.html#{}", node.kind.folder()) },
    ];
    // The workflow or service it belongs to, when it has a page: the way up one level.
    if let Some(parent) =
        part_of.iter().find(|m| m.link.href.is_some() && matches!(m.link.kind, "workflow" | "service"))
    {
        breadcrumb.push(Crumb { name: parent.link.name.clone(), href: parent.link.href.clone().unwrap_or_default() });
    }
    let mark = |id: &str| svg::retry_mark(analysis.retry.get(id).map(|p| p.max_attempts));
    let diagram = svg::neighbourhood(
        &Neighbour { link: centre.clone(), kinds: Vec::new(), retry: mark(&node.id), beyond: 0 },
        &neighbours(graph, analysis, index, Direction::Outgoing, &root),
        &neighbours(graph, analysis, index, Direction::Incoming, &root),
    );
    RunbookView {
        kind_title: kind_title(node.kind),
        description: attrs.description.as_deref().map(markdown::to_html),
        part_of,
        owner,
        owner_teams,
        recovery: prose(&attrs.recovery),
        recovery_where: node.sources.first().map(|s| sources.view(s)),
        in_rust: node.sources.first().is_some_and(|s| s.file.ends_with(".rs")),
        failure_modes: prose(&attrs.failure_modes),
        signals: signals::signals(lookup, node, &root),
        findings,
        retries,
        rerun: signals::rerun(node, analysis, sources),
        callers: resource::callers(lookup, index, &root),
        team: team::view(lookup, index, &root),
        image: attrs
            .image
            .as_ref()
            .map(|i| signals::FactView { text: i.value.clone(), source: sources.view(&i.source) }),
        dependencies: edge_groups(graph, index, Direction::Outgoing, &root, sources),
        dependents: edge_groups(graph, index, Direction::Incoming, &root, sources),
        blast_radius,
        diagram,
        workflow: match node.kind {
            NodeKind::Workflow => workflow::view(lookup, index, &root),
            _ => None,
        },
        step: step::view(lookup, index, &root),
        sources: node.sources.iter().map(|s| sources.view(s)).collect(),
        handwritten: handwritten::for_node(lookup, index, &root),
        breadcrumb,
        pager: Pager::default(),
        node: centre,
    }
}

/// "Step", "Service", "API".
pub fn kind_title(kind: NodeKind) -> String {
    match kind {
        NodeKind::Api => "API".to_string(),
        other => {
            let s = other.as_str();
            s[..1].to_ascii_uppercase() + &s[1..]
        }
    }
}

/// The services and workflows this node belongs to: declared by key, or containing it.
fn part_of(lookup: &Lookup, index: NodeIndex, node: &Node, root: &str) -> Vec<Membership> {
    let (graph, sources) = (lookup.graph, &lookup.sources);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let declared = [(NodeKind::Service, &node.attrs.service), (NodeKind::Workflow, &node.attrs.workflow)];
    for (kind, located) in declared {
        let Some(l) = located else { continue };
        let link = match lookup.find(kind, &l.value) {
            Some(n) => NodeLink::new(n, root),
            None => NodeLink { kind: kind.as_str(), href: None, ..NodeLink::by_id(graph, &l.value, root) },
        };
        if seen.insert(link.id.clone()) {
            out.push(Membership { link, source: Some(sources.view(&l.source)) });
        }
    }
    for e in graph.graph.edges_directed(index, Direction::Incoming) {
        let parent = &graph.graph[e.source()];
        if e.weight().kind == EdgeKind::Contains && seen.insert(parent.id.clone()) {
            let source = e.weight().sources.first().map(|s| sources.view(s));
            out.push(Membership { link: NodeLink::new(parent, root), source });
        }
    }
    out
}

fn edge_title(kind: EdgeKind, dir: Direction) -> &'static str {
    let outgoing = dir == Direction::Outgoing;
    match kind {
        EdgeKind::Contains if outgoing => "Contains",
        EdgeKind::Contains => "Part of",
        EdgeKind::DependsOn if outgoing => "Depends on",
        EdgeKind::DependsOn => "Depended on by",
        EdgeKind::Calls if outgoing => "Calls",
        EdgeKind::Calls => "Called by",
        EdgeKind::Next if outgoing => "Next step",
        EdgeKind::Next => "Comes after",
        EdgeKind::OnError if outgoing => "On error, goes to",
        EdgeKind::OnError => "Handles errors of",
        EdgeKind::Owns if outgoing => "Owns",
        EdgeKind::Owns => "Owned by",
        EdgeKind::Alerts if outgoing => "Alerts on",
        EdgeKind::Alerts => "Watched by alert",
        EdgeKind::Documents if outgoing => "Documents",
        EdgeKind::Documents => "Documented by",
        EdgeKind::Triggers if outgoing => "Triggers",
        EdgeKind::Triggers => "Triggered by",
    }
}

fn edge_groups(graph: &Graph, index: NodeIndex, dir: Direction, root: &str, sources: &SourceLinker) -> Vec<EdgeGroup> {
    let mut groups: BTreeMap<EdgeKind, Vec<EdgeItem>> = BTreeMap::new();
    for e in graph.graph.edges_directed(index, dir) {
        let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
        let edge = e.weight();
        groups.entry(edge.kind).or_default().push(EdgeItem {
            node: NodeLink::new(&graph.graph[other], root),
            detail: edge.detail.clone(),
            sources: edge.sources.iter().map(|s| sources.view(s)).collect(),
        });
    }
    groups
        .into_iter()
        .map(|(kind, mut items)| {
            // petgraph's edge order is insertion order; pages must not depend on it.
            items.sort_by(|a, b| (&a.node.id, &a.detail).cmp(&(&b.node.id, &b.detail)));
            EdgeGroup { kind: kind.as_str(), title: edge_title(kind, dir), items }
        })
        .collect()
}

/// One diagram entry per neighbour, with every kind of edge between the two, in id order.
fn neighbours(graph: &Graph, analysis: &Analysis, index: NodeIndex, dir: Direction, root: &str) -> Vec<Neighbour> {
    let mut by_id: BTreeMap<&str, (NodeIndex, BTreeSet<EdgeKind>)> = BTreeMap::new();
    for e in graph.graph.edges_directed(index, dir) {
        let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
        if other == index {
            continue;
        }
        by_id.entry(&graph.graph[other].id).or_insert_with(|| (other, BTreeSet::new())).1.insert(e.weight().kind);
    }
    by_id
        .into_values()
        .map(|(i, kinds)| {
            let mut beyond: BTreeSet<NodeIndex> = graph
                .graph
                .edges_directed(i, dir)
                .map(|e| if dir == Direction::Outgoing { e.target() } else { e.source() })
                .collect();
            beyond.remove(&index);
            beyond.remove(&i);
            Neighbour {
                link: NodeLink::new(&graph.graph[i], root),
                kinds: kinds.into_iter().collect(),
                retry: svg::retry_mark(analysis.retry.get(&graph.graph[i].id).map(|p| p.max_attempts)),
                beyond: beyond.len(),
            }
        })
        .collect()
}
