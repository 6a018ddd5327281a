//! `dangling-reference`: a name that must resolve to a node and resolves to nothing.

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::Graph;

pub fn check(graph: &Graph) -> Vec<Finding> {
    graph
        .dangling
        .iter()
        .map(|d| {
            let from = graph.node(&d.from);
            let node = from.map(|n| n.id.as_str());
            let who = from.map_or_else(|| format!("`{}`", d.from), super::named);
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
