//! `dangling-reference`: a name that must resolve to a node and resolves to nothing.

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph};

pub fn check(graph: &Graph) -> Vec<Finding> {
    graph
        .dangling
        .iter()
        .map(|d| {
            let from = graph.node(&d.from);
            let node = from.map(|n| n.id.as_str());
            let who = from.map_or_else(|| format!("`{}`", d.from), |n| super::named(n).to_string());
            if d.kind == EdgeKind::Documents {
                return Finding::new(
                    "dangling-reference",
                    Severity::Error,
                    node,
                    &d.source,
                    format!(
                        "{who} names `{}`, which is defined nowhere in the scanned tree: the on-call \
                         engineer who follows it finds nothing, and no change to it can mark the runbook stale",
                        d.name
                    ),
                    format!(
                        "correct the name to a node of the book (a name such as `push_order` or an id \
                         such as `step:push-order`), or remove `{}`",
                        d.name
                    ),
                );
            }
            Finding::new(
                "dangling-reference",
                Severity::Error,
                node,
                &d.source,
                format!(
                    "{who} ({}) names `{}`, which is defined nowhere in the scanned tree: \
                     whatever relies on it fails at start-up or at first use",
                    d.kind.as_str(),
                    d.name
                ),
                format!("define `{}`, or correct the name to one that exists", d.name),
            )
        })
        .collect()
}
