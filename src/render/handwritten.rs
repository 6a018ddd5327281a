//! Hand-written runbooks on pages: their own page beside the live facts they cover, and their steps on every covered node's page.

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::analyze::fingerprint;
use crate::extract::runbook::{Reference, RunbookDoc};
use crate::model::{EdgeKind, NodeKind};
use crate::render::findings::FindingView;
use crate::render::links::{self, NodeLink, SourceView};
use crate::render::lookup::Lookup;
use crate::render::markdown::{self, escape};

/// A hand-written runbook as a covered node's page shows it, in its recovery section.
#[derive(Debug, Serialize)]
pub struct HandwrittenView {
    pub link: NodeLink,
    pub title: String,
    pub severity: Option<String>,
    /// Sanitised HTML: the runbook's mitigation (or recovery, steps, what to do) section,
    /// else all of it.
    pub html: String,
    pub source: SourceView,
    /// The runbook was reviewed against other facts (a `stale-runbook` warning).
    pub stale: bool,
}

/// The page of a hand-written runbook.
#[derive(Debug, Serialize)]
pub struct DocView {
    pub node: NodeLink,
    pub title: String,
    pub owner: Option<NodeLink>,
    pub severity: Option<String>,
    pub reviewed: Option<String>,
    /// Sanitised HTML of the whole body, links and live values filled in.
    pub body: String,
    pub covered: Vec<CoveredView>,
    pub findings: Vec<FindingView>,
    pub source: SourceView,
}

/// The live facts of one covered node.
#[derive(Debug, Serialize)]
pub struct CoveredView {
    pub node: NodeLink,
    pub facts: Vec<FactRow>,
    pub blast_radius: Vec<NodeLink>,
}

#[derive(Debug, Serialize)]
pub struct FactRow {
    pub label: &'static str,
    pub value: String,
}

/// Facts shown on a runbook's page, in this order, with their labels.
const SHOWN: [(&str, &str); 11] = [
    ("owner", "Owner"),
    ("retry.max_attempts", "Attempts"),
    ("retry.schedule", "Waits between attempts"),
    ("retry.worst_case", "Retry worst case"),
    ("timeout", "Timeout per attempt"),
    ("deadline", "Deadline"),
    ("worst_case", "Worst case"),
    ("idempotent", "Idempotent"),
    ("side_effects", "Side effects"),
    ("depends_on", "Depends on"),
    ("alerts", "Alerts"),
];

/// Headings whose section holds the steps a covered page shows.
const STEP_HEADINGS: [&str; 6] = ["mitigation", "recovery", "what to do", "steps", "remediation", "resolution"];

/// The runbooks that document node `index`, for its recovery section.
pub fn for_node(lookup: &Lookup, index: NodeIndex, root: &str) -> Vec<HandwrittenView> {
    let graph = lookup.graph;
    let mut out: Vec<HandwrittenView> = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Documents)
        .filter_map(|e| {
            let node = &graph.graph[e.source()];
            let doc = node.attrs.handwritten.as_deref()?;
            let range = steps_range(&doc.body).unwrap_or(0..doc.body.len());
            Some(HandwrittenView {
                link: NodeLink::new(node, root),
                title: doc.title.clone(),
                severity: doc.severity.as_ref().map(|s| s.value.clone()),
                html: prose(lookup, doc, range, root),
                source: lookup.sources.view(&doc.anchor),
                stale: lookup
                    .findings_of(&node.id)
                    .any(|(_, f)| f.code == "stale-runbook" && f.severity > crate::diag::Severity::Info),
            })
        })
        .collect();
    out.sort_by(|a, b| a.link.id.cmp(&b.link.id));
    out
}

/// The page of runbook node `index`, or `None` when it has no hand-written document.
pub fn doc_view(lookup: &Lookup, index: NodeIndex) -> Option<DocView> {
    let (graph, analysis, sources) = (lookup.graph, lookup.analysis, &lookup.sources);
    let node = &graph.graph[index];
    let doc = node.attrs.handwritten.as_deref()?;
    let root = links::root_of(&node.page);
    let mut covered: Vec<CoveredView> = graph
        .graph
        .edges_directed(index, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::Documents)
        .map(|e| {
            let facts = fingerprint::facts(graph, analysis, e.target());
            let target = &graph.graph[e.target()];
            CoveredView {
                node: NodeLink::new(target, &root),
                facts: SHOWN
                    .iter()
                    .filter_map(|(k, label)| facts.get(*k).map(|v| FactRow { label, value: v.clone() }))
                    .collect(),
                blast_radius: analysis
                    .blast_radius
                    .get(&target.id)
                    .map(|ids| ids.iter().map(|id| NodeLink::by_id(graph, id, &root)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    covered.sort_by(|a, b| a.node.id.cmp(&b.node.id));
    let owner = node.attrs.owner.as_ref().map(|o| match lookup.find(NodeKind::Team, &o.value) {
        Some(team) => NodeLink::new(team, &root),
        None => NodeLink { href: None, ..NodeLink::by_id(graph, &o.value, &root) },
    });
    Some(DocView {
        node: NodeLink::new(node, &root),
        title: doc.title.clone(),
        owner,
        severity: doc.severity.as_ref().map(|s| s.value.clone()),
        reviewed: doc.reviewed.as_ref().map(|s| s.value.clone()),
        body: prose(lookup, doc, 0..doc.body.len(), &root),
        covered,
        findings: lookup
            .findings_of(&node.id)
            .map(|(rank, f)| FindingView::new(rank, f, graph, &root, sources))
            .collect(),
        source: sources.view(&doc.anchor),
    })
}

/// Renders `range` of the body: each wiki link and live value becomes a placeholder the
/// sanitiser cannot touch, then the link or the current fact, escaped, takes its place.
fn prose(lookup: &Lookup, doc: &RunbookDoc, range: std::ops::Range<usize>, root: &str) -> String {
    let mut refs: Vec<(&Reference, bool)> = doc.links.iter().map(|r| (r, true)).collect();
    refs.extend(doc.values.iter().map(|r| (r, false)));
    refs.retain(|(r, _)| r.start >= range.start && r.end <= range.end);
    refs.sort_by_key(|(r, _)| r.start);
    let mut text = String::with_capacity(range.len());
    let mut at = range.start;
    let mut filled = Vec::new();
    for (i, (r, is_link)) in refs.iter().enumerate() {
        text.push_str(&doc.body[at..r.start]);
        text.push_str(&format!("\u{e000}{i}\u{e001}"));
        at = r.end;
        filled.push(if *is_link { link_html(lookup, r, root) } else { value_html(lookup, r) });
    }
    text.push_str(&doc.body[at..range.end]);
    let mut html = markdown::runbook_to_html(&text);
    for (i, f) in filled.iter().enumerate() {
        html = html.replace(&format!("\u{e000}{i}\u{e001}"), f);
    }
    html
}

fn link_html(lookup: &Lookup, r: &Reference, root: &str) -> String {
    match r.target.as_deref().and_then(|id| lookup.graph.node(id)) {
        Some(node) => format!(
            "<a class=\"node k-{}\" href=\"{}\">{}</a>",
            node.kind.as_str(),
            escape(&format!("{root}{}", node.page)),
            escape(r.detail.as_deref().unwrap_or(&node.name))
        ),
        None => format!("<span class=\"missing\" title=\"names nothing in this book\">{}</span>", escape(&r.name)),
    }
}

fn value_html(lookup: &Lookup, r: &Reference) -> String {
    let path = r.detail.as_deref().unwrap_or_default();
    let written = format!("{}.{path}", r.name);
    let index = r.target.as_deref().and_then(|id| lookup.graph.by_id.get(id));
    let value = index.and_then(|&i| fingerprint::facts(lookup.graph, lookup.analysis, i).remove(path));
    match value {
        Some(v) => format!("<span class=\"live\" title=\"{}\">{}</span>", escape(&written), escape(&v)),
        None if index.is_some() => {
            format!("<span class=\"live missing\" title=\"{}\">not recorded</span>", escape(&written))
        }
        None => format!("<span class=\"missing\">{}</span>", escape(&format!("{{{{ {written} }}}}"))),
    }
}

/// The byte range of the section under the first heading that names the steps: to the
/// next heading of the same or a higher level.
fn steps_range(body: &str) -> Option<std::ops::Range<usize>> {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut found: Option<(pulldown_cmark::HeadingLevel, usize)> = None;
    let mut heading: Option<(pulldown_cmark::HeadingLevel, String, usize)> = None;
    for (event, r) in Parser::new_ext(body, Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                if let Some((at, start)) = found
                    && level <= at
                {
                    return Some(start..r.start);
                }
                heading = Some((level, String::new(), r.end));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text, _)) = &mut heading {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text, end)) = heading.take() {
                    let lower = text.to_lowercase();
                    if found.is_none() && STEP_HEADINGS.iter().any(|h| lower.contains(h)) {
                        found = Some((level, end));
                    }
                }
            }
            _ => {}
        }
    }
    found.map(|(_, start)| start..body.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_are_the_mitigation_section() {
        let body =
            "# ERP push\n\nMeaning.\n\n## Mitigation\n\n1. Replay.\n\n### Detail\n\nx\n\n## Escalation\n\nCall.\n";
        let r = steps_range(body).unwrap();
        let section = &body[r];
        assert!(section.contains("1. Replay.") && section.contains("### Detail"), "{section}");
        assert!(!section.contains("Call.") && !section.contains("Meaning."), "{section}");
        assert_eq!(steps_range("Just prose.\n"), None);
    }
}
