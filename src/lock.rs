//! `opsbook.lock`: the facts each hand-written runbook was last reviewed against, as plain text.
//!
//! ```text
//! [docs/runbooks/erp-push.md]
//! step:push-order name = push_order
//! step:push-order retry.max_attempts = 5
//! ```
//!
//! One section per runbook file, one line per fact of each node it covers, both in sorted
//! order, so the file diffs well and is fit to commit. `opsbook review` writes it; the
//! `stale-runbook` finding compares it with today's facts.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::source::Source;

pub const FILE_NAME: &str = "opsbook.lock";

/// The facts of one node: fact name (`retry.max_attempts`) to value as text.
pub type NodeFacts = BTreeMap<String, String>;
/// The facts a runbook covers: node id to its facts.
pub type Section = BTreeMap<String, NodeFacts>;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lock {
    /// Runbook file (relative to the scanned root) to what it was reviewed against.
    pub runbooks: BTreeMap<String, Section>,
    /// Lines that could not be read.
    pub diagnostics: Vec<Diagnostic>,
}

const HEADER: &str = "\
# opsbook.lock: the facts each hand-written runbook was last reviewed against.
# Written by `opsbook review RUNBOOK...`; commit it. `opsbook build` reports a runbook
# whose covered facts have changed since as `stale-runbook`.
";

impl Lock {
    pub fn parse(text: &str) -> Lock {
        let mut lock = Lock::default();
        let mut current: Option<String> = None;
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            if let Some(file) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
                lock.runbooks.entry(file.to_string()).or_default();
                current = Some(file.to_string());
                continue;
            }
            let parsed = t.split_once(" = ").and_then(|(left, value)| {
                let (id, key) = left.trim().split_once(' ')?;
                Some((id.to_string(), key.trim().to_string(), value.trim().to_string()))
            });
            match (parsed, &current) {
                (Some((id, key, value)), Some(file)) => {
                    let section = lock.runbooks.entry(file.clone()).or_default();
                    section.entry(id).or_default().insert(key, value);
                }
                _ => lock.diagnostics.push(
                    Diagnostic::warning(
                        "invalid-value",
                        Source::new(FILE_NAME, i as u32 + 1, 1),
                        "expected `[<runbook file>]` or `<node id> <fact> = <value>` after a section",
                    )
                    .with_len(line.len())
                    .with_help("run `opsbook review` on the runbook again to rewrite its section"),
                ),
            }
        }
        lock
    }

    /// The file's text: the same lock is always the same bytes.
    pub fn to_text(&self) -> String {
        let mut out = HEADER.to_string();
        for (file, section) in &self.runbooks {
            out.push_str(&format!("\n[{file}]\n"));
            for (id, facts) in section {
                for (key, value) in facts {
                    out.push_str(&format!("{id} {key} = {value}\n"));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_reads_back_what_it_wrote() {
        let mut lock = Lock::default();
        let facts: NodeFacts =
            [("name", "push_order"), ("retry.max_attempts", "5")].map(|(k, v)| (k.to_string(), v.to_string())).into();
        lock.runbooks.entry("docs/runbooks/erp.md".into()).or_default().insert("step:push-order".into(), facts);
        let text = lock.to_text();
        assert!(text.contains("\n[docs/runbooks/erp.md]\nstep:push-order name = push_order\n"), "{text}");
        assert_eq!(Lock::parse(&text), lock);
    }

    #[test]
    fn a_broken_line_is_a_diagnostic_with_its_line() {
        let lock = Lock::parse("# c\n[a.md]\nstep:x retry.max_attempts = 3\ngarbage\n");
        assert_eq!(lock.runbooks["a.md"]["step:x"]["retry.max_attempts"], "3");
        assert_eq!(lock.diagnostics.len(), 1);
        assert_eq!(lock.diagnostics[0].source.line, 4);
    }
}
