//! `stale-runbook`: a hand-written runbook whose covered facts changed since it was last reviewed.

use crate::analyze::{Analysis, Finding, fingerprint};
use crate::config::Config;
use crate::diag::Severity;
use crate::model::Graph;

/// Compares each runbook's covered facts with its section of `opsbook.lock`. A runbook
/// with no section was never reviewed: one info finding says so.
pub fn check(graph: &Graph, analysis: &Analysis, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    for (index, node) in graph.nodes() {
        let Some(doc) = node.attrs.handwritten.as_deref() else { continue };
        let Some(reviewed) = config.lock.runbooks.get(&doc.file) else {
            out.push(Finding::new(
                "stale-runbook",
                Severity::Info,
                Some(&node.id),
                &doc.anchor,
                format!(
                    "{} has never been reviewed: nothing will tell you when the facts it relies on change",
                    super::named(node)
                ),
                format!("read it against the book, then run `opsbook review {}` and commit opsbook.lock", doc.file),
            ));
            continue;
        };
        let now = fingerprint::covered(graph, analysis, index);
        let changed = fingerprint::changes(graph, reviewed, &now);
        if changed.is_empty() {
            continue;
        }
        out.push(Finding::new(
            "stale-runbook",
            Severity::Warning,
            Some(&node.id),
            &doc.anchor,
            format!(
                "{} was reviewed against other facts: {}. Steps written for the old values may now do harm",
                super::named(node),
                changed.join("; ")
            ),
            format!(
                "check every step against the new facts, correct what is no longer true, then run \
                 `opsbook review {}`",
                doc.file
            ),
        ));
    }
    out
}
