//! `doc-code-mismatch`: a doc comment whose retry or timeout contradicts the code; the code wins.

use crate::analyze::Finding;
use crate::analyze::retry::first_delay;
use crate::diag::Severity;
use crate::extract::duration::human;
use crate::extract::{Origin, RetryFact, TimeoutFact, Value};
use crate::model::Graph;

pub fn check(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        let mut declared = node.attrs.retries.iter().filter(|r| r.origin == Origin::Declared).peekable();
        let code = node.attrs.retries.iter().find(|r| r.origin == Origin::Code);
        // Only a node with both a code retry and a declared one can disagree.
        // What the two policies ([`normalise`]) would say of the attempts and the first
        // delay, read from the facts without building them.
        if let Some(code) = code.filter(|_| declared.peek().is_some()) {
            let attempts = |f: &RetryFact| match f.max_attempts {
                Value::Known(n) => n,
                Value::Unknown { .. } => None,
            };
            let (c_attempts, c_first) = (attempts(code), first_delay(code));
            let c_attempts_known = matches!(code.max_attempts, Value::Known(_));
            let c_initial_known = matches!(code.initial_delay_ms, Value::Known(_));
            for doc in declared {
                let (d_attempts, d_first) = (attempts(doc), first_delay(doc));
                let mut diffs = Vec::new();
                if d_attempts != c_attempts && c_attempts_known {
                    diffs.push(format!("{} attempts, the code makes {}", count(d_attempts), count(c_attempts)));
                }
                if d_first != c_first && c_initial_known {
                    diffs.push(format!(
                        "a first delay of {}, the code waits {}",
                        d_first.map_or("none".into(), human),
                        c_first.map_or("none".into(), human)
                    ));
                }
                if !diffs.is_empty() {
                    out.push(mismatch(node, &doc.source, &code.source, "retry", &diffs.join("; ")));
                }
            }
        }
        let code_timeouts: Vec<&TimeoutFact> =
            node.attrs.timeouts.iter().filter(|t| t.origin == Origin::Code).collect();
        // `effective_timeout` of the code timeouts alone: the tightest one known.
        let code_ms = code_timeouts.iter().filter_map(|t| t.ms.known()).min();
        if let Some(code_ms) = code_ms {
            for doc in node.attrs.timeouts.iter().filter(|t| t.origin == Origin::Declared) {
                if let Some(doc_ms) = doc.ms.known()
                    && doc_ms != code_ms
                {
                    let code_src = &code_timeouts
                        .iter()
                        .find(|t| t.ms.known() == Some(code_ms))
                        .expect("the minimum exists")
                        .source;
                    let what = format!("a timeout of {}, the code sets {}", human(doc_ms), human(code_ms));
                    out.push(mismatch(node, &doc.source, code_src, "timeout", &what));
                }
            }
        }
    }
    out
}

fn count(n: Option<u32>) -> String {
    n.map_or("unbounded".to_string(), |n| n.to_string())
}

fn mismatch(
    node: &crate::model::Node,
    doc: &crate::source::Source,
    code: &crate::source::Source,
    what: &str,
    diff: &str,
) -> Finding {
    Finding::new(
        "doc-code-mismatch",
        Severity::Warning,
        Some(&node.id),
        doc,
        format!(
            "the doc comment of {} declares {diff} ({code}); the book shows what the code does, \
             and anyone reading the comment is misled",
            super::named(node)
        ),
        format!("update the `{what}:` line of the `# Operations` section to match the code, or change the code"),
    )
}
