//! `index.html`: counts per kind, the top failure points, and every node with its owner.

use serde::Serialize;

use crate::diag::Severity;
use crate::extract::duration::human;
use crate::model::NodeKind;
use crate::render::findings::FindingView;
use crate::render::links::NodeLink;
use crate::render::lookup::Lookup;
use crate::render::{policy, workflow};

/// How many findings the overview shows before pointing at `failure-points.html`.
pub const TOP_FINDINGS: usize = 10;

/// The order an on-call engineer scans the overview in: what runs first, what it runs on after.
pub const KIND_ORDER: [NodeKind; 9] = [
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
    /// "4 findings: 1 error, 2 warnings".
    pub findings_summary: String,
    pub top_findings: Vec<FindingView>,
    pub retry_count: usize,
    pub sections: Vec<KindSection>,
}

#[derive(Debug, Serialize)]
pub struct KindCount {
    pub kind: &'static str,
    pub count: usize,
    /// "1 workflow", "3 steps".
    pub label: String,
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
    /// A workflow's step count and worst case: "10 steps, at most 2 h 5 min".
    pub flow: Option<String>,
    pub findings: usize,
}

pub fn view(lookup: &Lookup) -> OverviewView {
    let graph = lookup.graph;
    let mut sections = Vec::new();
    for kind in KIND_ORDER {
        let nodes: Vec<NodeRow> =
            graph.nodes().filter(|(_, n)| n.kind == kind).map(|(i, n)| row(lookup, i, n)).collect();
        if !nodes.is_empty() {
            sections.push(KindSection { anchor: kind.folder(), title: kind.plural_title(), nodes });
        }
    }
    let counts = sections.iter().map(|s| kind_count_of(s.anchor, s.title, s.nodes.len())).collect();
    summary(lookup, counts, sections)
}

/// One node's row in its kind's table.
pub fn row(lookup: &Lookup, i: petgraph::graph::NodeIndex, n: &crate::model::Node) -> NodeRow {
    let (analysis, sources) = (lookup.analysis, &lookup.sources);
    NodeRow {
        flow: (n.kind == NodeKind::Workflow).then(|| flow_words(lookup, i, &n.id)),
        link: NodeLink::new(n, ""),
        owner: n.attrs.owner.as_ref().map(|o| o.value.clone()),
        retry: analysis.retry.get(&n.id).map(|p| policy::view(p, true, sources).headline),
        findings: lookup.finding_count(&n.id),
    }
}

/// The count of `n` nodes of `kind` at the top of the overview.
pub fn kind_count(kind: NodeKind, n: usize) -> KindCount {
    kind_count_of(kind.folder(), kind.plural_title(), n)
}

fn kind_count_of(anchor: &'static str, title: &str, n: usize) -> KindCount {
    KindCount { kind: anchor, count: n, label: count_words(n, title) }
}

/// The overview around its kind tables: the counts, findings and retries.
pub fn summary(lookup: &Lookup, counts: Vec<KindCount>, sections: Vec<KindSection>) -> OverviewView {
    let (graph, analysis, sources) = (lookup.graph, lookup.analysis, &lookup.sources);
    let by = |s: Severity| analysis.findings.iter().filter(|f| f.severity == s).count();
    OverviewView {
        node_count: graph.by_id.len(),
        counts,
        errors: by(Severity::Error),
        warnings: by(Severity::Warning),
        findings_summary: format!(
            "{}: {}, {}",
            plural(analysis.findings.len(), "finding", "findings"),
            plural(by(Severity::Error), "error", "errors"),
            plural(by(Severity::Warning), "warning", "warnings"),
        ),
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

/// "10 steps, at most 2 h 5 min", "3 steps, no bound".
fn flow_words(lookup: &Lookup, index: petgraph::graph::NodeIndex, id: &str) -> String {
    let steps = workflow::steps_of(lookup, index).len();
    if steps == 0 {
        return "no steps in this book".to_string();
    }
    let count = plural(steps, "step", "steps");
    match lookup.analysis.workflows.get(id) {
        Some(s) => match s.worst_case_ms {
            Some(w) => format!("{count}, at most {}", human(w)),
            None => format!("{count}, no bound"),
        },
        None => count,
    }
}

/// "1 workflow", "3 steps", from a kind's plural title.
fn count_words(n: usize, plural_title: &str) -> String {
    let lower = plural_title.to_lowercase();
    let singular = match lower.as_str() {
        "apis" => "API".to_string(),
        other => other.strip_suffix('s').unwrap_or(other).to_string(),
    };
    let plural = if lower == "apis" { "APIs".to_string() } else { lower.clone() };
    plural_owned(n, singular, plural)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    plural_owned(n, one.to_string(), many.to_string())
}

fn plural_owned(n: usize, one: String, many: String) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_words() {
        assert_eq!(count_words(1, "Workflows"), "1 workflow");
        assert_eq!(count_words(3, "Steps"), "3 steps");
        assert_eq!(count_words(1, "APIs"), "1 API");
        assert_eq!(plural(0, "error", "errors"), "0 errors");
    }
}
