//! `index.html`: counts per kind, the top failure points, and every node with its owner.

use serde::Serialize;

use crate::analyze::Analysis;
use crate::diag::Severity;
use crate::model::{Graph, NodeKind};
use crate::render::findings::FindingView;
use crate::render::links::{NodeLink, SourceLinker};
use crate::render::policy;

/// How many findings the overview shows before pointing at `failure-points.html`.
pub const TOP_FINDINGS: usize = 10;

/// The order an on-call engineer scans the overview in: what runs first, what it runs on after.
const KIND_ORDER: [NodeKind; 9] = [
    NodeKind::Workflow,
    NodeKind::Service,
    NodeKind::Step,
    NodeKind::Api,
    NodeKind::Resource,
    NodeKind::Alert,
    NodeKind::Team,
    NodeKind::System,
    NodeKind::Runbook,
];

#[derive(Debug, Serialize)]
pub struct OverviewView {
    pub node_count: usize,
    pub counts: Vec<KindCount>,
    pub errors: usize,
    pub warnings: usize,
    pub findings_total: usize,
    pub top_findings: Vec<FindingView>,
    pub retry_count: usize,
    pub sections: Vec<KindSection>,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub title: &'static str,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct KindSection {
    /// The kind's folder name, also the section's anchor: `steps`.
    pub anchor: &'static str,
    pub title: &'static str,
    pub nodes: Vec<NodeRow>,
}

#[derive(Debug, Serialize)]
pub struct NodeRow {
    pub link: NodeLink,
    pub owner: Option<String>,
    /// The effective retry policy's headline, when the node retries.
    pub retry: Option<String>,
    pub findings: usize,
}

pub fn view(graph: &Graph, analysis: &Analysis, sources: &SourceLinker) -> OverviewView {
    // Counted once: a scan of every finding per node would grow with nodes × findings.
    let mut per_node = std::collections::BTreeMap::<&str, usize>::new();
    for f in &analysis.findings {
        if let Some(id) = &f.node {
            *per_node.entry(id).or_default() += 1;
        }
    }
    let mut sections = Vec::new();
    for kind in KIND_ORDER {
        let nodes: Vec<NodeRow> = graph
            .nodes()
            .map(|(_, n)| n)
            .filter(|n| n.kind == kind)
            .map(|n| NodeRow {
                link: NodeLink::new(n, ""),
                owner: n.attrs.owner.as_ref().map(|o| o.value.clone()),
                retry: analysis.retry.get(&n.id).map(|p| policy::view(p, true, sources).headline),
                findings: per_node.get(n.id.as_str()).copied().unwrap_or(0),
            })
            .collect();
        if !nodes.is_empty() {
            sections.push(KindSection { anchor: kind.folder(), title: kind.plural_title(), nodes });
        }
    }
    let counts = sections
        .iter()
        .map(|s| KindCount { kind: s.anchor, title: s.title, count: s.nodes.len() })
        .collect();
    let by = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
    OverviewView {
        node_count: graph.by_id.len(),
        counts,
        errors: by(Severity::Error),
        warnings: by(Severity::Warning),
        findings_total: analysis.findings.len(),
        top_findings: analysis
            .findings
            .iter()
            .take(TOP_FINDINGS)
            .enumerate()
            .map(|(i, f)| FindingView::new(i + 1, f, graph, "", sources))
            .collect(),
        retry_count: analysis.all_retries.values().map(Vec::len).sum(),
        sections,
    }
}
