//! Edges that follow from attributes, not from an edge fact: owners, alerts, the Cargo
//! package a step's file lives in, and Kubernetes selectors.

use super::*;

impl Builder {
    /// Edges that follow from attributes: owners, alerts, and the Cargo package a step's
    /// file lives in.
    pub(super) fn implied_edges(&mut self, packages: &[&PackageFact]) -> Vec<EdgeFact> {
        // The package of a file is the one of its deepest folder that has one; `packages`
        // comes deepest first, and of two in one folder the first wins.
        let mut by_dir: FxHashMap<&str, &PackageFact> = FxHashMap::default();
        for p in packages {
            by_dir.entry(p.dir.as_str()).or_insert(p);
        }
        let package_of = |file: &str| -> Option<&PackageFact> {
            let mut dir = file;
            loop {
                dir = match dir.rfind('/') {
                    Some(i) => &dir[..i],
                    None if !dir.is_empty() => "",
                    None => return None,
                };
                if let Some(p) = by_dir.get(dir) {
                    return Some(p);
                }
            }
        };
        let mut out = Vec::new();
        let nodes: Vec<NodeIndex> = self.graph.graph.node_indices().collect();
        for idx in nodes {
            let node = &self.graph.graph[idx];
            // This node as a reference, made only for a node that has implied edges.
            let me = || NodeRef::new(node.kind, node.name.clone());
            if let Some(owner) = &node.attrs.owner {
                out.push(edge(NodeRef::new(NodeKind::Team, &owner.value), me(), EdgeKind::Owns, &owner.source));
            }
            for alert in &node.attrs.alerts {
                out.push(edge(NodeRef::new(NodeKind::Alert, &alert.value), me(), EdgeKind::Alerts, &alert.source));
            }
            if node.kind == NodeKind::Step
                && node.attrs.service.is_none()
                && let Some(file) = node.sources.first().map(|s| s.file.as_str())
                && let Some(pkg) = package_of(file)
                && self.named(NodeKind::Service, &pkg.name).is_some()
            {
                let mut e = edge(NodeRef::new(NodeKind::Service, &pkg.name), me(), EdgeKind::Contains, &pkg.source);
                e.detail = Some("Cargo package".to_string());
                out.push(e);
            }
        }
        out.extend(selected_workloads(&self.graph));
        // Teams and alerts named only by reference become nodes of their own.
        for e in &out {
            if matches!(e.kind, EdgeKind::Owns | EdgeKind::Alerts) {
                let kind = e.from.kind.expect("implied edges name their kind");
                if self.lookup(&e.from, None).is_none() {
                    let external = kind == NodeKind::Alert;
                    self.insert(kind, &e.from.name, None, vec![e.source.clone()], NodeAttrs::default(), external);
                }
            }
        }
        out
    }
}

/// A Kubernetes Service sends traffic to the workloads whose pod labels hold its selector,
/// wherever they are defined: `depends_on` edges, so the Service's blast radius is right.
fn selected_workloads(graph: &Graph) -> Vec<EdgeFact> {
    let g = &graph.graph;
    // The nodes that carry each pod label, in index order: a selector looks only at the
    // nodes that carry its first label.
    let mut carriers: FxHashMap<&(String, String), Vec<NodeIndex>> = FxHashMap::default();
    for w in g.node_indices() {
        for pair in &g[w].attrs.pod_labels {
            let list = carriers.entry(pair).or_default();
            if list.last() != Some(&w) {
                list.push(w);
            }
        }
    }
    let mut out = Vec::new();
    for svc in g.node_indices() {
        let Some(selector) = &g[svc].attrs.selector else { continue };
        let Some(first) = selector.value.first() else { continue };
        let candidates = carriers.get(first).map_or(&[][..], Vec::as_slice);
        for &w in candidates.iter().filter(|&&w| w != svc) {
            let labels = &g[w].attrs.pod_labels;
            if selector.value.iter().all(|pair| labels.contains(pair)) {
                let words: Vec<String> = selector.value.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let mut e = edge(
                    NodeRef::new(g[svc].kind, &g[svc].name),
                    NodeRef::new(g[w].kind, &g[w].name),
                    EdgeKind::DependsOn,
                    &selector.source,
                );
                e.detail = Some(format!("selector {}", words.join(", ")));
                out.push(e);
            }
        }
    }
    out
}

fn edge(from: NodeRef, to: NodeRef, kind: EdgeKind, source: &Source) -> EdgeFact {
    EdgeFact { from, to, kind, source: source.clone(), resolve: Resolve::External, detail: None }
}
