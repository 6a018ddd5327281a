//! `retry-amplification`: retries nested along a call path multiply the calls that reach one dependency.

use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::analyze::{Analysis, Finding, RetryPolicy};
use crate::diag::Severity;
use crate::extract::Origin;
use crate::model::{EdgeKind, Graph, NodeKind};
use crate::source::Source;

/// Paths longer than this are not followed: no real call chain nests deeper.
const MAX_DEPTH: usize = 16;
/// Nodes visited over all paths before the search stops, so a dense graph cannot stall a build.
const BUDGET: usize = 200_000;

/// One retrying layer on a path: a node and the attempts of one of its policies.
#[derive(Clone, Copy, Debug)]
struct Layer<'a> {
    node: NodeIndex,
    attempts: u64,
    source: &'a Source,
    library: &'a str,
}

/// The worst path found to one dependency.
struct Worst<'a> {
    calls: u64,
    path: Vec<NodeIndex>,
    layers: Vec<Layer<'a>>,
}

pub fn check(graph: &Graph, analysis: &Analysis, limit: u64) -> Vec<Finding> {
    let layers = vec![None; graph.graph.node_count()];
    let mut search = Search { graph, analysis, limit, worst: BTreeMap::new(), budget: BUDGET, layers };
    for (idx, node) in graph.nodes() {
        if matches!(node.kind, NodeKind::Step | NodeKind::Workflow) {
            search.walk(idx, &mut Vec::new(), &mut Vec::new());
        }
    }
    let g = &graph.graph;
    let mut out = Vec::new();
    for (dep, worst) in search.worst {
        let first = &worst.layers[0];
        let layers: Vec<String> = worst
            .layers
            .iter()
            .map(|l| format!("{} × {} ({}, {})", super::named(&g[l.node]), l.attempts, l.library, l.source))
            .collect();
        let path: Vec<&str> = worst.path.iter().map(|&i| g[i].name.as_str()).collect();
        out.push(Finding::new(
            "retry-amplification",
            Severity::Warning,
            Some(&g[first.node].id),
            first.source,
            format!(
                "up to {} calls reach {} per triggering event ({}): {}; when it fails, every layer retries \
                 all the attempts of the layer under it, multiplying the load exactly when it is struggling \
                 (limit {limit})",
                worst.calls,
                super::named(&g[dep]),
                path.join(" → "),
                layers.join(" then ")
            ),
            format!(
                "retry in one layer only (usually the outermost) and let the inner layers fail fast, or lower \
                 the attempts until their product is at most {limit} (`max_retry_amplification` in opsbook.toml)"
            ),
        ));
    }
    out
}

struct Search<'a> {
    graph: &'a Graph,
    analysis: &'a Analysis,
    limit: u64,
    worst: BTreeMap<NodeIndex, Worst<'a>>,
    budget: usize,
    /// Each node's layers ([`Search::layers_of`]), by node index, once found: many paths
    /// pass through the same node.
    layers: Vec<Option<Vec<Layer<'a>>>>,
}

impl<'a> Search<'a> {
    fn walk(&mut self, idx: NodeIndex, path: &mut Vec<NodeIndex>, layers: &mut Vec<Layer<'a>>) {
        if self.budget == 0 || path.len() >= MAX_DEPTH || path.contains(&idx) {
            return;
        }
        self.budget -= 1;
        let g = &self.graph.graph;
        let before = layers.len();
        let slot = idx.index();
        if self.layers[slot].is_none() {
            self.layers[slot] = Some(self.layers_of(idx));
        }
        layers.extend_from_slice(self.layers[slot].as_deref().unwrap_or_default());
        path.push(idx);
        self.record(idx, path, layers);
        let next: Vec<NodeIndex> = g
            .edges(idx)
            .filter(|e| {
                let (from, to) = (g[e.source()].kind, g[e.target()].kind);
                match e.weight().kind {
                    EdgeKind::Calls => matches!(to, NodeKind::Step | NodeKind::Workflow),
                    // A step that runs a nested workflow, and a workflow that runs its steps.
                    EdgeKind::Contains => {
                        matches!(
                            (from, to),
                            (NodeKind::Step, NodeKind::Workflow) | (NodeKind::Workflow, NodeKind::Step)
                        )
                    }
                    _ => false,
                }
            })
            .map(|e| e.target())
            .collect();
        for n in next {
            self.walk(n, path, layers);
        }
        path.pop();
        layers.truncate(before);
    }

    /// The retrying layers of one node, outermost first: a workflow engine's retry (ASL,
    /// Argo, BPMN, a Kubernetes Job), a retry loop in code (tokio-retry, backon, backoff),
    /// and a reqwest-retry client under it. Each wraps every attempt of the next. Policies of
    /// one kind are alternatives (retriers for different errors, separate calls), so each
    /// kind counts once, at its largest. A doc comment's retry counts only when the code
    /// shows none: it describes the same loop.
    fn layers_of(&self, idx: NodeIndex) -> Vec<Layer<'a>> {
        let analysis: &'a Analysis = self.analysis;
        let node = &self.graph.graph[idx];
        let Some(policies) = analysis.all_retries.get(&node.id) else { return Vec::new() };
        let code: Vec<&RetryPolicy> = policies.iter().filter(|p| p.origin == Origin::Code).collect();
        let chosen = if code.is_empty() { policies.iter().take(1).collect() } else { code };
        let mut by_kind: BTreeMap<u8, Layer> = BTreeMap::new();
        for p in chosen {
            let Some(n) = p.max_attempts else { continue };
            let kind = match p.library.as_str() {
                "reqwest-retry" => 2,
                "tokio-retry" | "backon" | "backoff" | "doc" => 1,
                _ => 0,
            };
            let layer = Layer { node: idx, attempts: u64::from(n), source: &p.source, library: &p.library };
            if by_kind.get(&kind).is_none_or(|l| layer.attempts > l.attempts) {
                by_kind.insert(kind, layer);
            }
        }
        by_kind.into_values().collect()
    }

    /// Records the calls this path sends to each dependency of its last node (or to the
    /// node itself when it names none), when at least two layers retry.
    fn record(&mut self, idx: NodeIndex, path: &[NodeIndex], layers: &[Layer<'a>]) {
        let retrying = || layers.iter().filter(|l| l.attempts > 1);
        if retrying().nth(1).is_none() {
            return;
        }
        let calls = retrying().fold(1u64, |acc, l| acc.saturating_mul(l.attempts));
        if calls <= self.limit {
            return;
        }
        let g = &self.graph.graph;
        let mut deps: Vec<NodeIndex> =
            g.edges(idx).filter(|e| e.weight().kind == EdgeKind::DependsOn).map(|e| e.target()).collect();
        if deps.is_empty() {
            deps.push(idx);
        }
        for dep in deps {
            if self.worst.get(&dep).is_none_or(|w| calls > w.calls) {
                let layers = retrying().copied().collect();
                self.worst.insert(dep, Worst { calls, path: path.to_vec(), layers });
            }
        }
    }
}
