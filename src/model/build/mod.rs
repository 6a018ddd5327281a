//! Builds the graph from every file's facts: merge nodes, resolve names, record dangling references.

use std::borrow::Cow;

use petgraph::graph::NodeIndex;
use rayon::slice::ParallelSliceMut;

use crate::extract::{EdgeFact, Facts, NodeAttrs, NodeFact, NodeRef, OwnerRule, PackageFact, Resolve};
use crate::model::fxhash::{FxHashMap, hash_str as hash};
use crate::model::{Dangling, Edge, EdgeKind, Graph, Node, NodeKind, owners, slugify};
use crate::source::Source;

mod implied;
mod resolve;

/// Merges the facts of every file into one graph. The result depends only on the facts,
/// not on the order the files are given in.
pub fn build<'a>(facts: impl IntoIterator<Item = &'a Facts>) -> Graph {
    let mut nodes: Vec<&NodeFact> = Vec::new();
    let mut edges: Vec<&EdgeFact> = Vec::new();
    let mut packages: Vec<&PackageFact> = Vec::new();
    let mut owner_rules: Vec<&OwnerRule> = Vec::new();
    for f in facts {
        nodes.extend(&f.nodes);
        edges.extend(&f.edges);
        packages.extend(&f.packages);
        owner_rules.extend(&f.owners);
    }
    // Stable sorts on every core: facts equal by key keep their order, as before. Facts of
    // one merge key are next to each other, in the order they merge.
    nodes.par_sort_by(|a, b| node_order(a, b));
    edges.par_sort_by(|a, b| edge_order(a, b));
    let pending = nodes.chunk_by(|a, b| same_key(a, b)).map(|group| merge_group(group.iter().copied()));
    assemble(pending, &edges, packages, &owner_rules, &mut owners::Memo::default())
}

/// The graph from merged nodes in key order and every edge fact sorted by [`edge_order`].
pub(super) fn assemble(
    pending: impl Iterator<Item = Pending>,
    edges: &[&EdgeFact],
    mut packages: Vec<&PackageFact>,
    owner_rules: &[&OwnerRule],
    owner_memo: &mut owners::Memo,
) -> Graph {
    packages.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then_with(|| a.dir.cmp(&b.dir)));
    let mut b = Builder::default();
    // Tables sized for the merged nodes at once, not grown node by node.
    let n = pending.size_hint().0;
    b.by_name.reserve(n);
    b.by_slug.reserve(n);
    b.by_function.reserve(n);
    // With room for the teams, alerts and externals named only by reference: a node vector
    // that grows past its capacity copies every node.
    b.graph.graph.reserve_nodes(n + n / 4 + 16);
    b.edges.reserve(edges.len());
    b.edge_at.reserve(edges.len());
    for p in pending {
        b.insert_owned(p, false);
    }
    // CODEOWNERS owners before the owner edges are implied, so they get teams and `owns`
    // edges like declared owners, and before owner inference, which sees them.
    owners::apply(&mut b.graph, owner_rules, owner_memo);
    let implied = b.implied_edges(&packages);
    for edge in edges.iter().copied().chain(&implied) {
        b.add_edge(edge);
    }
    b.resolve_handwritten();
    b.finish()
}

/// Merge key: kind, name, and what makes the name unique. A scoped node (a state of one
/// state machine) is distinct per scope; a step defined by a function is distinct per file
/// (two `fn run` in two crates are two steps); everything else merges by kind and name.
/// Nodes are made in key order, which fixes their indices and which of two equal slugs
/// gets the suffix.
pub(super) fn key(fact: &NodeFact) -> (NodeKind, &str, Qualifier<'_>) {
    let qualifier = match (&fact.scope, fact.kind, &fact.attrs.function) {
        (Some(scope), _, _) => Qualifier::Scope(scope),
        (None, NodeKind::Step, Some(_)) => Qualifier::File(&fact.source.file),
        // Two runbooks of one file name in two folders are two runbooks.
        (None, NodeKind::Runbook, _) => Qualifier::File(&fact.source.file),
        _ => Qualifier::None,
    };
    (fact.kind, &fact.name, qualifier)
}

/// What makes a name unique beside its kind: nothing, the file, or the scope, in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Qualifier<'a> {
    None,
    File(&'a str),
    Scope(&'a str),
}

fn same_key(a: &NodeFact, b: &NodeFact) -> bool {
    a.kind == b.kind && a.name == b.name && key(a).2 == key(b).2
}

/// The order node facts merge in: by key, then by scope and source (the first value of a
/// single attribute wins).
pub(super) fn node_order(a: &NodeFact, b: &NodeFact) -> std::cmp::Ordering {
    (key(a), &a.scope, &a.source).cmp(&(key(b), &b.scope, &b.source))
}

/// The order edge facts are resolved in, which decides which reference makes an external
/// node and so its index.
pub(super) fn edge_order(a: &EdgeFact, b: &EdgeFact) -> std::cmp::Ordering {
    (&a.source, a.kind, &a.from, &a.to).cmp(&(&b.source, b.kind, &b.from, &b.to))
}

/// The facts of one merge key, in [`node_order`], folded into one node.
pub(super) fn merge_group<'a>(mut facts: impl Iterator<Item = &'a NodeFact>) -> Pending {
    let first = facts.next().expect("a merge key has a fact");
    let mut p = Pending {
        kind: first.kind,
        name: first.name.clone(),
        scope: first.scope.clone(),
        sources: vec![first.source.clone()],
        attrs: NodeAttrs::default(),
        made: None,
    };
    super::merge::merge(&mut p.attrs, &first.attrs);
    for fact in facts {
        p.sources.push(fact.source.clone());
        super::merge::merge(&mut p.attrs, &fact.attrs);
    }
    p.sources.sort();
    p.sources.dedup();
    p
}

/// An edge's identity while the graph is built: one edge per pair and kind.
type EdgeKey = (NodeIndex, NodeIndex, EdgeKind);

#[derive(Default)]
struct Builder {
    graph: Graph,
    /// Nodes by kind and name, in index order.
    by_name: FxHashMap<(NodeKind, u64), Vec<NodeIndex>>,
    /// Steps by the Rust function that defines them, in index order.
    by_function: FxHashMap<u64, Vec<NodeIndex>>,
    /// `by_name` again, by each node's slug: the fallback lookup of a name written another
    /// way (`orders_db` for `orders-db`) without scanning every name.
    by_slug: FxHashMap<(NodeKind, u64), Vec<NodeIndex>>,
    /// The edges made so far, one per (from, to, kind), in the order first met; `edge_at`
    /// finds each one's place. They go into the graph in key order (`finish`).
    edges: Vec<(EdgeKey, Edge)>,
    edge_at: FxHashMap<EdgeKey, usize>,
    /// The last suffix tried for a base slug: a slug once taken stays taken, so the search
    /// for a free `base-n` goes on from there instead of from 2.
    suffixes: FxHashMap<(NodeKind, String), usize>,
}

/// One node merged from its facts, before it has a slug.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) kind: NodeKind,
    pub(super) name: String,
    pub(super) scope: Option<String>,
    /// Sorted, without duplicates.
    pub(super) sources: Vec<Source>,
    pub(super) attrs: NodeAttrs,
    /// The id, slug and page the node had in an earlier build, used again (not formatted
    /// anew) when its slug comes out the same.
    pub(super) made: Option<Made>,
}

/// A node's id, slug and page as an earlier build made them.
#[derive(Clone, Debug)]
pub(super) struct Made {
    pub(super) id: String,
    pub(super) slug: String,
    pub(super) page: String,
}

impl Builder {
    fn insert(
        &mut self,
        kind: NodeKind,
        name: &str,
        scope: Option<String>,
        sources: Vec<Source>,
        attrs: NodeAttrs,
        external: bool,
    ) -> NodeIndex {
        let p = Pending { kind, name: name.to_string(), scope, sources, attrs, made: None };
        self.insert_owned(p, external)
    }

    fn insert_owned(&mut self, p: Pending, external: bool) -> NodeIndex {
        let Pending { kind, name, scope, sources, attrs, made } = p;
        debug_assert!(sources.is_sorted() && sources.windows(2).all(|w| w[0] != w[1]));
        let base = match &scope {
            Some(scope) => slugify(&format!("{scope} {name}")),
            None => slugify(&name),
        };
        let slug = if self.taken(kind, &base) {
            let mut n = self.suffixes.get(&(kind, base.clone())).copied().unwrap_or(1);
            let slug = loop {
                n += 1;
                let slug = format!("{base}-{n}");
                if !self.taken(kind, &slug) {
                    break slug;
                }
            };
            self.suffixes.insert((kind, base), n);
            slug
        } else {
            base
        };
        let (id, slug, page) = match made {
            Some(m) if m.slug == slug => (m.id, m.slug, m.page),
            _ => {
                let id = format!("{}:{slug}", kind.as_str());
                let page = format!("{}/{slug}.html", kind.folder());
                (id, slug, page)
            }
        };
        let function = attrs.function.as_deref().map(hash);
        let idx =
            self.graph.graph.add_node(Node { id: id.clone(), kind, name, scope, slug, page, sources, attrs, external });
        self.graph.by_id.insert(id, idx);
        self.by_name.entry((kind, hash(&self.graph.graph[idx].name))).or_default().push(idx);
        self.by_slug.entry((kind, hash(&self.graph.graph[idx].slug))).or_default().push(idx);
        if let Some(f) = function {
            self.by_function.entry(f).or_default().push(idx);
        }
        idx
    }

    fn add_edge(&mut self, fact: &EdgeFact) {
        let from = match self.lookup(&fact.from, Some(&fact.source.file)) {
            Some(from) => from,
            // A catalog entity names its container by reference (`spec.system`,
            // `providesApis`): an unknown container of a known kind is external, as an
            // unknown target is.
            None if fact.resolve == Resolve::External && fact.from.kind.is_some() => {
                let kind = fact.from.kind.unwrap_or(NodeKind::Resource);
                let sources = vec![fact.source.clone()];
                self.insert(kind, &fact.from.name, fact.from.scope.clone(), sources, NodeAttrs::default(), true)
            }
            None => {
                if fact.resolve == Resolve::Required {
                    self.dangle(&fact.from, fact);
                }
                return;
            }
        };
        let to = match fact.kind {
            EdgeKind::Documents => self.lookup_documented(&fact.to, Some(&fact.source.file)),
            _ => self.lookup(&fact.to, Some(&fact.source.file)),
        };
        let to = match to {
            Some(to) => to,
            None => match fact.resolve {
                Resolve::Required => return self.dangle(&fact.to, fact),
                Resolve::IfKnown => return,
                Resolve::External => {
                    let kind = fact.to.kind.unwrap_or(NodeKind::Resource);
                    self.insert(
                        kind,
                        &fact.to.name,
                        fact.to.scope.clone(),
                        vec![fact.source.clone()],
                        NodeAttrs::default(),
                        true,
                    )
                }
            },
        };
        if from == to && matches!(fact.kind, EdgeKind::Calls | EdgeKind::Contains) {
            return;
        }
        self.add_source((from, to, fact.kind), &fact.source, || fact.detail.clone());
    }

    /// Adds `source` to the edge `key`, made with `detail` if it is new.
    fn add_source(&mut self, key: EdgeKey, source: &Source, detail: impl FnOnce() -> Option<String>) {
        let at = *self.edge_at.entry(key).or_insert_with(|| {
            self.edges.push((key, Edge { kind: key.2, sources: Vec::new(), detail: detail() }));
            self.edges.len() - 1
        });
        let e = &mut self.edges[at].1;
        if !e.sources.contains(source) {
            e.sources.push(source.clone());
        }
    }

    /// Resolves the wiki links and live values of hand-written runbooks to node ids, like
    /// any other name; one that names nothing is a dangling reference at its line.
    fn resolve_handwritten(&mut self) {
        let runbooks: Vec<NodeIndex> =
            self.graph.graph.node_indices().filter(|&i| self.graph.graph[i].attrs.handwritten.is_some()).collect();
        for idx in runbooks {
            let node = &self.graph.graph[idx];
            let Some(doc) = node.attrs.handwritten.as_deref() else { continue };
            let from = node.id.clone();
            let resolve = |r: &crate::extract::runbook::Reference| {
                let wanted = crate::extract::runbook::to_ref(&r.name);
                self.lookup_documented(&wanted, Some(&doc.file)).map(|i| self.graph.graph[i].id.clone())
            };
            let links: Vec<Option<String>> = doc.links.iter().map(resolve).collect();
            let values: Vec<Option<String>> = doc.values.iter().map(resolve).collect();
            let mut doc = doc.clone();
            for (r, target) in doc.links.iter_mut().zip(links).chain(doc.values.iter_mut().zip(values)) {
                if target.is_none() {
                    self.graph.dangling.push(Dangling {
                        from: from.clone(),
                        name: r.name.clone(),
                        kind: EdgeKind::Documents,
                        source: r.source.clone(),
                    });
                }
                r.target = target;
            }
            self.graph.graph[idx].attrs.handwritten = Some(Box::new(doc));
        }
        self.alerts_to_runbooks();
    }

    /// An alert whose `runbook_url` ends with a hand-written runbook's file or its page is
    /// documented by it: a `documents` edge, as if the runbook covered the alert.
    fn alerts_to_runbooks(&mut self) {
        let g = &self.graph.graph;
        let runbooks: Vec<NodeIndex> = g.node_indices().filter(|&i| g[i].attrs.handwritten.is_some()).collect();
        if runbooks.is_empty() {
            return;
        }
        let mut found = Vec::new();
        for alert in g.node_indices().filter(|&i| g[i].kind == NodeKind::Alert) {
            let Some(url) = &g[alert].attrs.runbook else { continue };
            let path = url.value.split(['#', '?']).next().unwrap_or_default();
            let is = |tail: &str| path == tail || path.ends_with(&format!("/{tail}"));
            let runbook = g
                .node_indices()
                .find(|&r| g[r].attrs.handwritten.as_deref().is_some_and(|d| is(&d.file) || is(&g[r].page)));
            if let Some(r) = runbook {
                found.push((r, alert, url.source.clone()));
            }
        }
        for (r, alert, source) in found {
            self.add_source((r, alert, EdgeKind::Documents), &source, || Some("runbook_url".to_string()));
        }
    }

    fn dangle(&mut self, missing: &NodeRef, fact: &EdgeFact) {
        let from = self.lookup(&fact.from, Some(&fact.source.file)).map(|i| self.graph.graph[i].id.clone());
        self.graph.dangling.push(Dangling {
            from: from.unwrap_or_else(|| fact.from.name.clone()),
            name: missing.name.clone(),
            kind: fact.kind,
            source: fact.source.clone(),
        });
    }

    fn finish(mut self) -> Graph {
        self.graph.graph.reserve_edges(self.edges.len());
        // Keys are unique: an unstable sort gives the one order.
        let mut edges = std::mem::take(&mut self.edges);
        edges.par_sort_unstable_by_key(|&(key, _)| key);
        for ((from, to, _), mut e) in edges {
            e.sources.sort();
            self.graph.graph.add_edge(from, to, e);
        }
        owners::infer_owners(&mut self.graph);
        self.graph.dangling.sort_by(|a, b| a.source.cmp(&b.source));
        self.graph
    }
}
