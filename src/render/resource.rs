//! A dependency's callers: who hammers it when it is slow, with each caller's retries, timeout and idempotency.

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::extract::Idempotency;
use crate::extract::duration::human;
use crate::model::{EdgeKind, NodeKind};
use crate::render::links::{NodeLink, SourceView};
use crate::render::lookup::Lookup;
use crate::render::policy;

/// One node that depends on or calls this one directly.
#[derive(Debug, Serialize)]
pub struct CallerView {
    pub node: NodeLink,
    /// `depends on` or `calls`.
    pub edge: &'static str,
    /// Where the edge is written.
    pub source: Option<SourceView>,
    /// "5 attempts over at most 57.5 s", or `None` when the caller does not retry.
    pub retry: Option<String>,
    /// "10 s", or `None` when nothing bounds one attempt.
    pub timeout: Option<String>,
    /// `yes`, `no`, `key` or `unknown`.
    pub idempotent: &'static str,
    pub key: Option<String>,
}

/// The section shows on resources always, and on any node with callers.
#[derive(Debug, Serialize)]
pub struct CallersView {
    pub relevant: bool,
    pub callers: Vec<CallerView>,
    /// How many callers retry: each multiplies the load when this is slow.
    pub retrying: usize,
}

pub fn callers(lookup: &Lookup, index: NodeIndex, root: &str) -> CallersView {
    let (graph, analysis, sources) = (lookup.graph, lookup.analysis, &lookup.sources);
    let mut callers: Vec<CallerView> = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| matches!(e.weight().kind, EdgeKind::DependsOn | EdgeKind::Calls) && e.source() != index)
        .map(|e| {
            let caller = &graph.graph[e.source()];
            let (idempotent, key) = match caller.attrs.idempotent.as_ref().map(|l| &l.value) {
                Some(Idempotency::Yes) => ("yes", None),
                Some(Idempotency::No) => ("no", None),
                Some(Idempotency::Key(k)) => ("key", Some(k.clone())),
                None => ("unknown", None),
            };
            CallerView {
                node: NodeLink::new(caller, root),
                edge: if e.weight().kind == EdgeKind::Calls { "calls" } else { "depends on" },
                source: e.weight().sources.first().map(|s| sources.view(s)),
                retry: analysis.retry.get(&caller.id).map(|p| policy::view(p, true, sources).headline),
                timeout: analysis.timeout_ms.get(&caller.id).map(|&ms| human(ms)),
                idempotent,
                key,
            }
        })
        .collect();
    // petgraph's edge order is insertion order; pages must not depend on it.
    callers.sort_by(|a, b| (&a.node.id, a.edge).cmp(&(&b.node.id, b.edge)));
    CallersView {
        relevant: graph.graph[index].kind == NodeKind::Resource || !callers.is_empty(),
        retrying: callers.iter().filter(|c| c.retry.is_some()).count(),
        callers,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::config::Config;
    use crate::model::{Edge, EdgeKind};
    use crate::render::tests::{page, section};
    use crate::render::{fixture, render};
    use crate::source::Source;

    #[test]
    fn a_resource_lists_every_caller_with_how_hard_it_retries() {
        let mut graph = fixture::graph();
        // A second caller of the database: dead_letter, whose attempts are not known statically.
        let edge = Edge { kind: EdgeKind::DependsOn, sources: vec![Source::new("src/dlq.rs", 21, 1)], detail: None };
        graph.graph.add_edge(graph.by_id["step:dead-letter"], graph.by_id["resource:orders-db"], edge);
        let analysis = fixture::analysis(&graph);
        let (site, diagnostics) = render(&graph, &analysis, &Config::default(), &BTreeMap::new());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let html = page(&site, "resources/orders-db.html");
        let callers = section(html, "callers");
        assert!(callers.contains("href=\"../steps/push-order.html\""), "{callers}");
        assert!(callers.contains("href=\"../steps/dead-letter.html\""), "{callers}");
        assert!(callers.contains("5 attempts over at most 57.5 s"), "{callers}");
        assert!(callers.contains("attempts not known statically (cfg.retries)"), "{callers}");
        assert!(callers.contains("src/erp.rs:5") && callers.contains("src/dlq.rs:21"), "{callers}");
        assert!(callers.contains("10 s"), "push_order's timeout: {callers}");
        assert!(callers.contains("2 nodes depend on this directly; 2 of them retry"), "{callers}");
        // The existing sections stay, after the callers.
        assert!(html.find("id=\"callers\"").unwrap() < html.find("id=\"dependents\"").unwrap());

        // A resource nobody calls says so; a step nobody calls has no such section.
        let erp = page(&site, "resources/erp-api.html");
        assert!(section(erp, "callers").contains("push-order"));
        assert!(!page(&site, "workflows/order-fulfilment.html").contains("id=\"callers\""));
    }
}
