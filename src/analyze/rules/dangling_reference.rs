//! `dangling-reference`: a name that must resolve to a node and resolves to nothing.

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::Graph;

pub fn check(graph: &Graph) -> Vec<Finding> {
    graph
        .dangling
        .iter()
        .map(|d| {
            let node = graph.node(&d.from).map(|n| n.id.as_str());
            Finding::new(
                "dangling-reference",
                Severity::Error,
                node,
                &d.source,
                format!(
                    "`{}` ({}) names `{}`, which is defined nowhere in the scanned tree: \
                     whatever relies on it fails at start-up or at first use",
                    d.from,
                    d.kind.as_str(),
                    d.name
                ),
                format!("define `{}`, or correct the name to one that exists", d.name),
            )
        })
        .collect()
}
