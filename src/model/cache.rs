//! The model kept between builds: after an edit, only the nodes whose facts changed are
//! merged again; the graph is then assembled from every merged node as [`super::build`]
//! assembles it, so the two give the same graph.

use std::collections::{BTreeMap, BTreeSet};

use rayon::slice::ParallelSliceMut;

use crate::extract::{EdgeFact, Facts, NodeFact, OwnerRule, PackageFact};
use crate::model::build::{self, Made, Pending, Qualifier};
use crate::model::fxhash::{FxHashMap, FxHashSet};
use crate::model::{Graph, Node, NodeKind, owners};

/// A merge key ([`build::key`]) that owns its strings.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    kind: NodeKind,
    name: String,
    qualifier: OwnedQualifier,
}

/// [`Qualifier`], owned; the variants in the same order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum OwnedQualifier {
    None,
    File(String),
    Scope(String),
}

impl Key {
    fn of(fact: &NodeFact) -> Key {
        let (kind, name, qualifier) = build::key(fact);
        let qualifier = match qualifier {
            Qualifier::None => OwnedQualifier::None,
            Qualifier::File(f) => OwnedQualifier::File(f.to_string()),
            Qualifier::Scope(s) => OwnedQualifier::Scope(s.to_string()),
        };
        Key { kind, name: name.to_string(), qualifier }
    }
}

/// The facts of one merge key from every file, and the node they merge into.
#[derive(Default)]
struct Group {
    /// (file, index in the file's nodes, fact), in merge order: [`build::node_order`],
    /// then file and index, the order of a build given the files sorted by path.
    facts: Vec<(String, usize, NodeFact)>,
    merged: Option<Pending>,
    /// Names this merge: a node made from it can stand for it while it is the same.
    id: u64,
}

/// What the cache keeps of one file.
struct File {
    /// The merge key of each of its node facts.
    keys: Vec<Key>,
    /// Its edge facts' indices in [`build::edge_order`] (stable).
    edges: Vec<usize>,
    /// How many node and edge facts it had: a file given with other counts than it was
    /// cached with is taken in again.
    counts: (usize, usize),
}

/// A node made from `merged` in an earlier build, as [`build::assemble`] takes it, with
/// its id, slug and page to use again if its slug is still the same: the
/// owner a build gave it (CODEOWNERS, its steps) and its resolved runbook links are set back
/// to the merge's. A node that is not `merged`'s (the graph given back was not the one
/// expected) gives way to a copy.
fn again(node: Node, merged: &Pending) -> Pending {
    if node.kind != merged.kind || node.name != merged.name || node.scope != merged.scope || node.external {
        return merged.clone();
    }
    let mut attrs = node.attrs;
    if merged.attrs.owner.is_none() {
        attrs.owner = None;
    }
    if merged.attrs.handwritten.is_some() {
        attrs.handwritten.clone_from(&merged.attrs.handwritten);
    }
    let made = Some(Made { id: node.id, slug: node.slug, page: node.page });
    Pending { kind: node.kind, name: node.name, scope: node.scope, sources: node.sources, attrs, made }
}

/// Builds the graph again after some files' facts changed, merging again only the nodes
/// those files' facts name. [`Cache::build`] gives exactly the graph [`super::build`]
/// gives for the same files taken in path order.
#[derive(Default)]
pub struct Cache {
    groups: BTreeMap<Key, Group>,
    files: FxHashMap<String, File>,
    /// Keys whose facts changed since their node was merged.
    dirty: BTreeSet<Key>,
    /// The CODEOWNERS owner of each file.
    owners: owners::Memo,
    /// The last merge id given.
    next_id: u64,
    /// The merge id of each node made from a group, by index: of the last build, and of
    /// the one before it.
    built: Vec<u64>,
    before: Vec<u64>,
    /// Nodes of a graph given back ([`Cache::recycle`]) by the merge they were made from.
    recycled: FxHashMap<u64, usize>,
    /// The nodes of that graph, by index, each taken out when used again: kept in place, not
    /// moved into a table (a node is large, and the next build reads them in this order).
    recycled_nodes: Vec<Option<Node>>,
}

impl Cache {
    /// The graph of `files` (every file, by path, in path order), where only the files
    /// named in `changed` (changed, new or gone) may differ from the last call. The first
    /// call takes in every file. A file given with another number of facts than it last had
    /// is taken in again even if not named, and a file no longer given is dropped.
    pub fn build<'a, S: AsRef<str>>(
        &mut self,
        files: impl IntoIterator<Item = (&'a str, &'a Facts)>,
        changed: impl IntoIterator<Item = S>,
    ) -> Graph {
        let files: Vec<(&str, &Facts)> = files.into_iter().collect();
        let changed: FxHashSet<String> = changed.into_iter().map(|p| p.as_ref().to_string()).collect();
        let mut given = 0;
        for &(path, facts) in &files {
            let stale = match self.files.get(path) {
                Some(f) => f.counts != (facts.nodes.len(), facts.edges.len()) || changed.contains(path),
                None => true,
            };
            if stale {
                self.set(path, Some(facts));
            }
            given += 1;
        }
        if self.files.len() != given {
            let present: FxHashSet<&str> = files.iter().map(|(p, _)| *p).collect();
            let gone: Vec<String> = self.files.keys().filter(|p| !present.contains(p.as_str())).cloned().collect();
            for path in gone {
                self.set(&path, None);
            }
        }
        self.merge_dirty();

        let mut edges: Vec<&EdgeFact> = Vec::new();
        let mut packages: Vec<&PackageFact> = Vec::new();
        let mut owner_rules: Vec<&OwnerRule> = Vec::new();
        let mut sorted = true;
        for &(path, facts) in &files {
            let order = &self.files[path].edges;
            if let (Some(last), Some(&first)) = (edges.last(), order.first()) {
                sorted &= build::edge_order(last, &facts.edges[first]).is_le();
            }
            edges.extend(order.iter().map(|&i| &facts.edges[i]));
            packages.extend(&facts.packages);
            owner_rules.extend(&facts.owners);
        }
        // Each file's edges are sorted, and stably: when the files' runs also follow one
        // another (edges point into their own file), the whole list is sorted as a stable
        // sort of all of them would sort it. Otherwise it is sorted whole, as stably.
        if !sorted {
            edges.par_sort_by(|a, b| build::edge_order(a, b));
        }
        // A node given back whose merge is unchanged is used again, not copied: only what
        // the build changed in it after it was made (owners, runbook links) is set back.
        let recycled = std::mem::take(&mut self.recycled);
        let mut recycled_nodes = std::mem::take(&mut self.recycled_nodes);
        let pending = self.groups.values().map(|g| {
            let merged = g.merged.as_ref().expect("every group is merged");
            match recycled.get(&g.id).and_then(|&i| recycled_nodes[i].take()) {
                Some(node) => again(node, merged),
                None => merged.clone(),
            }
        });
        let graph = build::assemble(pending, &edges, packages, &owner_rules, &mut self.owners);
        self.before = std::mem::replace(&mut self.built, self.groups.values().map(|g| g.id).collect());
        if recycled_nodes.iter().any(Option::is_some) {
            crate::drop_later(recycled_nodes);
        }
        graph
    }

    /// Takes back the graph of the build before the last one (the session's previous
    /// graph, once the render no longer needs it): its nodes whose merge has not changed
    /// since are used again by the next build instead of copies. The graph must be as this
    /// cache built it: nothing may have changed a node's attributes since.
    pub fn recycle(&mut self, graph: Graph) {
        let before = std::mem::take(&mut self.before);
        let (nodes, edges) = graph.graph.into_nodes_edges();
        if nodes.len() >= before.len() {
            self.recycled = before.iter().enumerate().map(|(i, &id)| (id, i)).collect();
            // Collected in place: the nodes after the merged ones (teams and externals named
            // only by reference, a few) are dropped here.
            self.recycled_nodes = nodes.into_iter().take(before.len()).map(|n| Some(n.weight)).collect();
            crate::drop_later((edges, graph.by_id, graph.dangling));
        } else {
            crate::drop_later((nodes, edges, graph.by_id, graph.dangling));
        }
    }

    /// Replaces the facts of one file (`None`: the file is gone).
    fn set(&mut self, path: &str, facts: Option<&Facts>) {
        if let Some(old) = self.files.remove(path) {
            for key in old.keys {
                if let Some(g) = self.groups.get_mut(&key) {
                    g.facts.retain(|(p, _, _)| p != path);
                }
                self.dirty.insert(key);
            }
        }
        let Some(facts) = facts else { return };
        let mut keys = Vec::with_capacity(facts.nodes.len());
        for (i, fact) in facts.nodes.iter().enumerate() {
            let key = Key::of(fact);
            let group = self.groups.entry(key.clone()).or_default();
            group.facts.push((path.to_string(), i, fact.clone()));
            self.dirty.insert(key.clone());
            keys.push(key);
        }
        let mut edges: Vec<usize> = (0..facts.edges.len()).collect();
        edges.sort_by(|&a, &b| build::edge_order(&facts.edges[a], &facts.edges[b]));
        let counts = (facts.nodes.len(), facts.edges.len());
        self.files.insert(path.to_string(), File { keys, edges, counts });
    }

    /// Merges again the nodes of every key whose facts changed; drops keys left with none.
    fn merge_dirty(&mut self) {
        for key in std::mem::take(&mut self.dirty) {
            let Some(group) = self.groups.get_mut(&key) else { continue };
            if group.facts.is_empty() {
                self.groups.remove(&key);
                continue;
            }
            group.facts.sort_by(|a, b| build::node_order(&a.2, &b.2).then_with(|| (&a.0, a.1).cmp(&(&b.0, b.1))));
            group.merged = Some(build::merge_group(group.facts.iter().map(|(_, _, f)| f)));
            self.next_id += 1;
            group.id = self.next_id;
        }
    }
}
