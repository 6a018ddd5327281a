//! `graph.json`, schema `opsbook.graph/v1`: the model for other tools, and the contract.

use std::collections::{HashMap, HashSet};

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
    let covered = covered(graph);
    let nodes = graph.nodes().map(|(i, n)| node_json(graph, analysis, &covered, i, n)).collect();
    let doc = GraphJson { schema: SCHEMA, nodes, edges: edges_json(graph), findings: &analysis.findings };
    let mut bytes = serde_json::to_vec_pretty(&doc).expect("graph.json serialises");
    bytes.push(b'\n');
    bytes
}

/// Nodes a hand-written runbook covers: their entry carries the facts it was reviewed against.
fn covered(graph: &Graph) -> HashSet<NodeIndex> {
    graph
        .nodes()
        .filter(|(_, n)| n.attrs.handwritten.is_some())
        .flat_map(|(i, _)| graph.graph.edges_directed(i, Direction::Outgoing))
        .filter(|e| e.weight().kind == EdgeKind::Documents)
        .map(|e| e.target())
        .collect()
}

fn node_json<'a>(
    graph: &'a Graph,
    analysis: &'a Analysis,
    covered: &HashSet<NodeIndex>,
    i: NodeIndex,
    n: &'a crate::model::Node,
) -> NodeJson<'a> {
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
}

fn edges_json(graph: &Graph) -> Vec<EdgeJson<'_>> {
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
    edges
}

/// `graph.json` in parts kept between incremental renders: each node's entry, each node's
/// outgoing edges and the finding list, each as the pretty-printed bytes it has inside the
/// document.
#[derive(Default)]
pub struct Parts {
    nodes: HashMap<String, Vec<u8>>,
    /// By the id of the node they leave: its run of the sorted edge list (the list sorts
    /// by `from` first), its elements joined; empty for a node with no outgoing edge.
    edges: HashMap<String, Vec<u8>>,
    findings: Vec<u8>,
    /// The bytes of an earlier `graph.json`, written over by the next one (a buffer of
    /// this size costs more to map afresh than to fill).
    spare: Vec<u8>,
}

impl Parts {
    /// Gives back the bytes of a `graph.json` the site no longer holds.
    pub fn recycle(&mut self, bytes: Vec<u8>) {
        self.spare = bytes;
    }
}

/// What changed since the parts were made; `None` makes every part again.
pub struct Stale<'s> {
    /// Nodes whose own fields or analysis entries changed, or that are new.
    pub nodes: &'s HashSet<NodeIndex>,
    /// Some edge changed, or nodes came or went.
    pub edges: bool,
    /// Nodes whose outgoing edges may have changed (when `edges`); the runs of other
    /// nodes are kept.
    pub edge_nodes: &'s HashSet<NodeIndex>,
    pub findings: bool,
}

/// [`graph_json`], byte for byte, from `parts`, making again only the stale ones (and the
/// entries of covered nodes, whose facts read their neighbours). With `stale`, the parts
/// must be those of the last `graph.json` made: `None` when every part came out as it was
/// (the same nodes, entries, edge runs and findings: the same bytes as that one).
pub fn graph_json_parts(
    graph: &Graph,
    analysis: &Analysis,
    parts: &mut Parts,
    stale: Option<Stale>,
) -> Option<Vec<u8>> {
    let covered = covered(graph);
    let entry = |i: NodeIndex, n: &crate::model::Node| indented(&node_json(graph, analysis, &covered, i, n));
    // Whether some part differs from the one it replaces, or came or went.
    let mut moved = stale.is_none();
    match &stale {
        None => {
            parts.nodes = graph.nodes().map(|(i, n)| (n.id.clone(), entry(i, n))).collect();
            parts.edges = graph.nodes().map(|(i, n)| (n.id.clone(), edge_run(graph, i))).collect();
        }
        Some(s) => {
            if graph.by_id.len() != parts.nodes.len() {
                let before = parts.nodes.len();
                parts.nodes.retain(|id, _| graph.by_id.contains_key(id));
                moved |= parts.nodes.len() != before;
            }
            for &i in s.nodes.iter().chain(covered.iter()) {
                let n = &graph.graph[i];
                moved |= put(&mut parts.nodes, &n.id, entry(i, n));
            }
            if graph.by_id.len() != parts.edges.len() {
                let before = parts.edges.len();
                parts.edges.retain(|id, _| graph.by_id.contains_key(id));
                moved |= parts.edges.len() != before;
            }
            if s.edges {
                for &i in s.edge_nodes {
                    moved |= put(&mut parts.edges, &graph.graph[i].id, edge_run(graph, i));
                }
            }
            // New nodes, and any an earlier render left out.
            if parts.edges.len() != graph.by_id.len() {
                for (i, n) in graph.nodes() {
                    if !parts.edges.contains_key(&n.id) {
                        moved |= put(&mut parts.edges, &n.id, edge_run(graph, i));
                    }
                }
            }
        }
    }
    if stale.as_ref().is_none_or(|s| s.findings) {
        let findings = list(analysis.findings.iter().map(indented));
        moved |= findings != parts.findings;
        parts.findings = findings;
    }
    if !moved {
        return None;
    }
    let nodes: Vec<&[u8]> = graph.nodes().map(|(_, n)| parts.nodes[&n.id].as_slice()).collect();
    let edges: Vec<&[u8]> =
        graph.nodes().map(|(_, n)| parts.edges[&n.id].as_slice()).filter(|run| !run.is_empty()).collect();
    let size = |items: &[&[u8]]| items.iter().map(|i| i.len() + 2).sum::<usize>();
    let mut out = std::mem::take(&mut parts.spare);
    out.clear();
    out.reserve(size(&nodes) + size(&edges) + parts.findings.len() + 128);
    out.extend_from_slice(format!("{{\n  \"schema\": {},\n  \"nodes\": ", serde_json::json!(SCHEMA)).as_bytes());
    list_into(&mut out, nodes.into_iter());
    out.extend_from_slice(b",\n  \"edges\": ");
    list_into(&mut out, edges.into_iter());
    out.extend_from_slice(b",\n  \"findings\": ");
    out.extend_from_slice(&parts.findings);
    out.extend_from_slice(b"\n}\n");
    Some(out)
}

/// Puts part `bytes` under `id` in `keep`; whether it differs from the part it replaces
/// (or is new).
fn put(keep: &mut HashMap<String, Vec<u8>>, id: &str, bytes: Vec<u8>) -> bool {
    match keep.get_mut(id) {
        Some(old) if *old == bytes => false,
        Some(old) => {
            *old = bytes;
            true
        }
        None => {
            keep.insert(id.to_string(), bytes);
            true
        }
    }
}

/// Node `i`'s outgoing edges as they stand in the sorted edge list of [`edges_json`]: by
/// target id and kind name, ties in edge order (that sort is stable over edge indices).
fn edge_run(graph: &Graph, i: NodeIndex) -> Vec<u8> {
    let g = &graph.graph;
    let from = g[i].id.as_str();
    let mut edges: Vec<_> = g.edges(i).collect();
    edges.sort_by(|a, b| {
        (g[a.target()].id.as_str(), a.weight().kind.as_str(), a.id()).cmp(&(
            g[b.target()].id.as_str(),
            b.weight().kind.as_str(),
            b.id(),
        ))
    });
    let mut out = Vec::new();
    for (k, e) in edges.into_iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(b",\n");
        }
        let edge = e.weight();
        out.extend_from_slice(&indented(&EdgeJson {
            from,
            to: &g[e.target()].id,
            kind: edge.kind.as_str(),
            sources: &edge.sources,
            detail: edge.detail.as_deref(),
        }));
    }
    out
}

/// One array element as `to_vec_pretty` writes it at depth two: every line indented by four.
fn indented<T: Serialize>(value: &T) -> Vec<u8> {
    let bytes = serde_json::to_vec_pretty(value).expect("graph.json serialises");
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    out.extend_from_slice(b"    ");
    for &b in &bytes {
        out.push(b);
        if b == b'\n' {
            out.extend_from_slice(b"    ");
        }
    }
    out
}

/// A pretty-printed array at depth one from its indented elements.
fn list<B: AsRef<[u8]>>(items: impl Iterator<Item = B>) -> Vec<u8> {
    let mut out = Vec::new();
    list_into(&mut out, items);
    out
}

/// [`list`], written at the end of `out`.
fn list_into<B: AsRef<[u8]>>(out: &mut Vec<u8>, items: impl Iterator<Item = B>) {
    out.push(b'[');
    let mut empty = true;
    for item in items {
        out.extend_from_slice(if empty { b"\n" } else { b",\n" });
        out.extend_from_slice(item.as_ref());
        empty = false;
    }
    out.extend_from_slice(if empty { b"]" } else { b"\n  ]" });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Node, NodeKind};
    use crate::render::fixture;

    /// The parts give graph.json's bytes after an edit, and nothing when those are the
    /// bytes of the last graph.json, including when a node with no edge comes or goes.
    #[test]
    fn parts_give_the_new_bytes_or_none_when_they_are_the_same() {
        let without = fixture::graph();
        let mut with = fixture::graph();
        let spare = Node {
            scope: None,
            id: "resource:spare".into(),
            kind: NodeKind::Resource,
            name: "spare".into(),
            slug: "spare".into(),
            page: "resources/spare.html".into(),
            external: true,
            sources: Vec::new(),
            attrs: Default::default(),
        };
        let index = with.graph.add_node(spare);
        with.by_id.insert("resource:spare".into(), index);
        let analysis = fixture::analysis(&without);
        let none = HashSet::new();
        let added = HashSet::from([index]);
        let stale = |nodes, edges| Some(Stale { nodes, edges, edge_nodes: &none, findings: false });

        let mut parts = Parts::default();
        assert_eq!(graph_json_parts(&with, &analysis, &mut parts, None), Some(graph_json(&with, &analysis)));
        // The node goes: nothing else changed, but the bytes did.
        let bytes = graph_json_parts(&without, &analysis, &mut parts, stale(&none, true));
        assert_eq!(bytes, Some(graph_json(&without, &analysis)));
        assert!(!String::from_utf8(bytes.unwrap()).unwrap().contains("resource:spare"));
        // Nothing changed: no bytes.
        assert_eq!(graph_json_parts(&without, &analysis, &mut parts, stale(&none, false)), None);
        // It comes back.
        assert_eq!(
            graph_json_parts(&with, &analysis, &mut parts, stale(&added, true)),
            Some(graph_json(&with, &analysis))
        );
        // A node's entry made again with the same bytes: no bytes.
        assert_eq!(graph_json_parts(&with, &analysis, &mut parts, stale(&added, false)), None);
    }
}
