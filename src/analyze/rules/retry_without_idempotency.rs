//! `retry-without-idempotency`: a retried step with side effects that is not declared idempotent.

use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::extract::Idempotency;
use crate::model::Graph;

pub fn check(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        let Some(policy) = analysis.retry.get(&node.id) else { continue };
        if policy.max_attempts == Some(1) {
            continue;
        }
        let idempotency = node.attrs.idempotent.as_ref().map(|l| &l.value);
        if matches!(idempotency, Some(Idempotency::Yes | Idempotency::Key(_))) {
            continue;
        }
        let Some(effect) = node.attrs.side_effects.first() else { continue };
        let attempts = match policy.max_attempts {
            Some(n) => format!("up to {n} times"),
            None => "without limit".to_string(),
        };
        let declared = match idempotency {
            Some(Idempotency::No) => "it is declared `idempotent: no`",
            _ => "it is not declared idempotent",
        };
        out.push(Finding::new(
            "retry-without-idempotency",
            Severity::Error,
            Some(&node.id),
            &super::at(node),
            format!(
                "{} runs {attempts} ({}) and {declared}, but it {}: an attempt that times out after \
                 the other side acted is repeated, and the effect happens twice",
                super::named(node),
                policy.source,
                effect.value
            ),
            "make the side effect idempotent (an idempotency key, an upsert, a conditional write) and \
             declare `idempotent: key=<expr>`, or stop retrying it",
        ));
    }
    out
}
