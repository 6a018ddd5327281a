//! `unbounded-retry`: a retry policy with no attempt limit and no elapsed-time limit.

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::extract::Value;
use crate::model::Graph;

pub fn check(graph: &Graph) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        for fact in &node.attrs.retries {
            let unbounded =
                matches!(fact.max_attempts, Value::Known(None)) && matches!(fact.max_elapsed_ms, Value::Known(None));
            if unbounded {
                out.push(Finding::new(
                    "unbounded-retry",
                    Severity::Warning,
                    Some(&node.id),
                    &fact.source,
                    format!(
                        "{} retries forever ({}): while its dependency is down it never gives up, \
                         never reports the failure, and keeps load on the dependency",
                        super::named(node),
                        fact.library
                    ),
                    "bound it: a maximum number of attempts (`.take(n)`, `with_max_times(n)`) or a total time limit",
                ));
            }
        }
    }
    out
}
