//! Findings as pages show them, and `failure-points.html`: every finding, ranked, by severity.

use serde::Serialize;

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::Graph;
use crate::render::links::{NodeLink, SourceLinker, SourceView};
use crate::render::markdown;

#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    /// 1-based place in the ranking of the whole book.
    pub rank: usize,
    pub code: String,
    pub severity: &'static str,
    pub message: String,
    pub help: String,
    /// `message` and `help` escaped, with their `backtick` spans as `<code>`.
    pub message_html: String,
    pub help_html: String,
    pub node: Option<NodeLink>,
    pub source: SourceView,
}

impl FindingView {
    pub fn new(rank: usize, f: &Finding, graph: &Graph, root: &str, sources: &SourceLinker) -> FindingView {
        FindingView {
            rank,
            code: f.code.clone(),
            severity: f.severity.as_str(),
            message: f.message.clone(),
            help: f.help.clone(),
            message_html: markdown::code_spans(&f.message),
            help_html: markdown::code_spans(&f.help),
            node: f.node.as_deref().map(|id| NodeLink::by_id(graph, id, root)),
            source: sources.at(&f.file, f.line),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SeverityGroup {
    /// `error`, `warning`, `info`: also the section's anchor.
    pub severity: &'static str,
    pub title: &'static str,
    /// "1 error", "2 warnings".
    pub label: String,
    /// The rank of the group's first finding, so its list numbers match the ranking.
    pub start: usize,
    pub findings: Vec<FindingView>,
}

#[derive(Debug, Serialize)]
pub struct FailurePointsView {
    pub total: usize,
    /// Every severity, even an empty one, so the page always has the same anchors.
    pub groups: Vec<SeverityGroup>,
    pub by_code: Vec<CodeCount>,
}

#[derive(Debug, Serialize)]
pub struct CodeCount {
    pub code: String,
    pub count: usize,
}

/// The findings keep the analysis' ranking; grouping by severity keeps it too, because the
/// ranking sorts by severity first.
pub fn failure_points(findings: &[Finding], graph: &Graph, sources: &SourceLinker) -> FailurePointsView {
    let mut groups: Vec<SeverityGroup> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|s| SeverityGroup {
            severity: s.as_str(),
            title: match s {
                Severity::Error => "Errors",
                Severity::Warning => "Warnings",
                Severity::Info => "Notes",
            },
            label: String::new(),
            start: 1,
            findings: Vec::new(),
        })
        .collect();
    for (i, f) in findings.iter().enumerate() {
        let group = groups.iter_mut().find(|g| g.severity == f.severity.as_str()).expect("every severity has a group");
        group.findings.push(FindingView::new(i + 1, f, graph, "", sources));
    }
    for g in &mut groups {
        let n = g.findings.len();
        let word = match g.severity {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        g.label = format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        g.start = g.findings.first().map_or(1, |f| f.rank);
    }
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for f in findings {
        *counts.entry(&f.code).or_default() += 1;
    }
    let by_code = counts.into_iter().map(|(code, count)| CodeCount { code: code.to_string(), count }).collect();
    FailurePointsView { total: findings.len(), groups, by_code }
}
