//! `no-signal`: a service with no alert and no health check: nobody learns it is broken.

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::analyze::Finding;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

pub fn check(graph: &Graph) -> Vec<Finding> {
    let g = &graph.graph;
    let mut out = Vec::new();
    for (idx, node) in graph.nodes() {
        if node.kind != NodeKind::Service || node.external {
            continue;
        }
        // An alert on the service or on any step it contains is a signal.
        let watched = |i| g.edges_directed(i, Direction::Incoming).any(|e| e.weight().kind == EdgeKind::Alerts);
        let has_signal = !node.attrs.health_checks.is_empty()
            || watched(idx)
            || g.edges(idx).filter(|e| e.weight().kind == EdgeKind::Contains).any(|e| watched(e.target()));
        if has_signal {
            continue;
        }
        out.push(Finding::new(
            "no-signal",
            Severity::Warning,
            Some(&node.id),
            &super::at(node),
            format!(
                "{} has no alert and no health check: when it hangs or crashes, nothing tells anyone, \
                 and dependents fail without a cause in sight",
                super::named(node)
            ),
            "give it a health check (a compose `healthcheck`, a Kubernetes readiness or liveness probe) \
             or an alert rule that watches it (a Prometheus rule whose labels or expression name it, \
             or `alerts:` in the `# Operations` section of its steps)",
        ));
    }
    out
}
