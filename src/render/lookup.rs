//! What every page looks things up in, built once per render: names to nodes, findings by node.
//!
//! Without these, each runbook page would scan every finding and every node, and a book
//! of N nodes would cost N² to render.

use std::collections::HashMap;

use petgraph::graph::NodeIndex;

use crate::analyze::{Analysis, Finding};
use crate::model::{Graph, Node, NodeKind, slugify};
use crate::render::links::SourceLinker;

pub struct Lookup<'a> {
    pub graph: &'a Graph,
    pub analysis: &'a Analysis,
    pub sources: SourceLinker,
    by_name: HashMap<(NodeKind, &'a str), NodeIndex>,
    /// Node id to the positions of its findings in the ranking.
    findings: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Lookup<'a> {
    pub fn new(graph: &'a Graph, analysis: &'a Analysis, sources: SourceLinker) -> Lookup<'a> {
        // Both maps are looked into, never walked: hashed, and made side by side.
        let (by_name, findings) = rayon::join(
            || {
                let mut by_name = HashMap::with_capacity(graph.by_id.len());
                for (index, node) in graph.nodes() {
                    // First in id order wins, so a name shared by two nodes resolves the
                    // same way on every build.
                    by_name.entry((node.kind, node.name.as_str())).or_insert(index);
                }
                by_name
            },
            || {
                let mut findings: HashMap<&str, Vec<usize>> = HashMap::new();
                for (i, f) in analysis.findings.iter().enumerate() {
                    if let Some(id) = &f.node {
                        findings.entry(id.as_str()).or_default().push(i);
                    }
                }
                findings
            },
        );
        Lookup { graph, analysis, sources, by_name, findings }
    }

    /// The node of `kind` a written name refers to: by its slug, else by its exact name.
    pub fn find(&self, kind: NodeKind, name: &str) -> Option<&'a Node> {
        let graph = self.graph;
        graph
            .node(&format!("{}:{}", kind.as_str(), slugify(name)))
            .or_else(|| self.by_name.get(&(kind, name)).map(|&i| &graph.graph[i]))
    }

    /// The findings on node `id` with their 1-based rank, in ranking order.
    pub fn findings_of(&self, id: &str) -> impl Iterator<Item = (usize, &'a Finding)> + '_ {
        let all = &self.analysis.findings;
        self.findings.get(id).into_iter().flatten().map(move |&i| (i + 1, &all[i]))
    }

    pub fn finding_count(&self, id: &str) -> usize {
        self.findings.get(id).map_or(0, Vec::len)
    }
}
