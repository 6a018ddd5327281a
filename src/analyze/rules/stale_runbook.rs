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

#[cfg(test)]
mod tests {
    use crate::analyze::analyze;
    use crate::config::Config;
    use crate::extract::{Extracted, Facts};
    use crate::lock::Lock;
    use crate::model;

    const STEP: &str =
        "/// # Operations\n/// - retry: attempts=5 initial=1s\n/// - timeout: 2s\npub fn push_order() {}\n";
    const RUNBOOK: &str = "---\ntitle: ERP\nreviewed: 2026-01-01\ncovers: [push_order]\n---\n1. Replay.\n";

    fn stale(step: &str, lock: &str, config: Config) -> Vec<(String, String, u32)> {
        let x: [Extracted; 2] = [
            crate::extract::rust::extract("src/erp.rs", step),
            crate::extract::runbook::extract("docs/runbooks/erp.md", RUNBOOK),
        ];
        let facts: Vec<&Facts> = x.iter().map(|e| &e.facts).collect();
        let graph = model::build(facts);
        let config = Config { lock: Lock::parse(lock), ..config };
        let a = analyze(&graph, &[], &config);
        a.findings
            .into_iter()
            .filter(|f| f.code == "stale-runbook")
            .map(|f| (f.severity.as_str().to_string(), f.message, f.line))
            .collect()
    }

    #[test]
    fn a_changed_timeout_is_stale_at_the_covers_line_and_an_allowed_code_is_silent() {
        let lock = "[docs/runbooks/erp.md]\nstep:push-order name = push_order\nstep:push-order retry.max_attempts = 5\n\
                    step:push-order retry.schedule = 1 s, 1 s, 1 s, 1 s\nstep:push-order retry.worst_case = 14 s\n\
                    step:push-order timeout = 2 s\n";
        assert_eq!(stale(STEP, lock, Config::default()), [], "the lock matches the code");
        let found = stale(&STEP.replace("2s", "3s"), lock, Config::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].0.as_str(), found[0].2), ("warning", 4));
        assert!(found[0].1.contains("push_order: retry worst case 14 s -> 19 s; timeout 2 s -> 3 s"), "{}", found[0].1);
        let mut config = Config::default();
        config.findings.allow.push("stale-runbook".into());
        assert_eq!(stale(&STEP.replace("2s", "3s"), lock, config), []);
    }

    #[test]
    fn a_runbook_never_reviewed_is_one_info() {
        let found = stale(STEP, "", Config::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "info");
    }
}
