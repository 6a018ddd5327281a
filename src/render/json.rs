//! `graph.json`, schema `opsbook.graph/v1`: the model for other tools, and the contract.

use std::collections::HashSet;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::analyze::{Analysis, Finding, RetryPolicy, WorkflowSummary, fingerprint};
use crate::extract::{HealthCheck, Idempotency};
use crate::lock::NodeFacts;
use crate::model::{EdgeKind, Graph};
use crate::source::Source;

pub const SCHEMA: &str = "opsbook.graph/v1";

#[derive(Serialize)]
struct GraphJson<'a> {
    schema: &'static str,
    nodes: Vec<NodeJson<'a>>,
    edges: Vec<EdgeJson<'a>>,
    findings: &'a [Finding],
}

#[derive(Serialize)]
struct NodeJson<'a> {
    id: &'a str,
    kind: &'static str,
    name: &'a str,
    /// Added to the contract: what makes `name` unique (the state machine of a state).
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'a str>,
    page: &'a str,
    sources: &'a [Source],
    owner: Option<&'a str>,
    /// Added to the contract: the runbook link a source gives (an alert's `runbook_url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    runbook: Option<&'a str>,
    idempotent: Option<bool>,
    /// Added to the contract: the key expression of `idempotent: key=<expr>`.
    idempotency_key: Option<&'a str>,
    timeout_ms: Option<u64>,
    health_checks: &'a [HealthCheck],
    blast_radius: &'a [String],
    retry: Option<&'a RetryPolicy>,
    /// Added to the contract: true when the node is named but defined nowhere.
    external: bool,
    /// Added to the contract: a workflow's critical path and worst case.
    #[serde(skip_serializing_if = "Option::is_none")]
    workflow: Option<&'a WorkflowSummary>,
    /// Added to the contract: a hand-written runbook's file (relative to the scanned root,
    /// as `opsbook.lock` names it) and title.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    /// Added to the contract: on each node a hand-written runbook covers, the facts
    /// `opsbook review` records in `opsbook.lock`, so `opsbook diff` can name stale runbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    facts: Option<NodeFacts>,
}

#[derive(Serialize)]
struct EdgeJson<'a> {
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    sources: &'a [Source],
    /// Added to the contract: e.g. `condition: service_healthy`.
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
}

/// Serialises the model, pretty-printed so `diff` and review read it line by line.
pub fn graph_json(graph: &Graph, analysis: &Analysis) -> Vec<u8> {
    let covered: HashSet<NodeIndex> = graph
        .nodes()
        .filter(|(_, n)| n.attrs.handwritten.is_some())
        .flat_map(|(i, _)| graph.graph.edges_directed(i, Direction::Outgoing))
        .filter(|e| e.weight().kind == EdgeKind::Documents)
        .map(|e| e.target())
        .collect();
    let nodes = graph
        .nodes()
        .map(|(i, n)| {
            let doc = n.attrs.handwritten.as_deref();
            let idem = n.attrs.idempotent.as_ref().map(|l| &l.value);
            NodeJson {
                id: &n.id,
                kind: n.kind.as_str(),
                name: &n.name,
                scope: n.scope.as_deref(),
                page: &n.page,
                sources: &n.sources,
                owner: n.attrs.owner.as_ref().map(|o| o.value.as_str()),
                runbook: n.attrs.runbook.as_ref().map(|r| r.value.as_str()),
                idempotent: idem.map(|i| !matches!(i, Idempotency::No)),
                idempotency_key: match idem {
                    Some(Idempotency::Key(k)) => Some(k.as_str()),
                    _ => None,
                },
                timeout_ms: analysis.timeout_ms.get(&n.id).copied(),
                health_checks: &n.attrs.health_checks,
                blast_radius: analysis.blast_radius.get(&n.id).map_or(&[], |v| v.as_slice()),
                retry: analysis.retry.get(&n.id),
                external: n.external,
                workflow: analysis.workflows.get(&n.id),
                file: doc.map(|d| d.file.as_str()),
                title: doc.map(|d| d.title.as_str()),
                facts: covered.contains(&i).then(|| fingerprint::facts(graph, analysis, i)),
            }
        })
        .collect();
    let mut edges: Vec<EdgeJson> = graph
        .graph
        .edge_indices()
        .map(|e| {
            let (a, b) = graph.graph.edge_endpoints(e).expect("edge index from this graph");
            let edge = &graph.graph[e];
            EdgeJson {
                from: &graph.graph[a].id,
                to: &graph.graph[b].id,
                kind: edge.kind.as_str(),
                sources: &edge.sources,
                detail: edge.detail.as_deref(),
            }
        })
        .collect();
    edges.sort_by(|a, b| (a.from, a.to, a.kind).cmp(&(b.from, b.to, b.kind)));
    let doc = GraphJson { schema: SCHEMA, nodes, edges, findings: &analysis.findings };
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("graph.json serialises");
    bytes.push(b'\n');
    bytes
}
