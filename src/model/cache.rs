//! The model kept between builds: after an edit, only the nodes whose facts changed are
//! merged again; the graph is then assembled from every merged node as [`super::build`]
//! assembles it, so the two give the same graph.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rayon::slice::ParallelSliceMut;

use crate::extract::{EdgeFact, Facts, NodeFact, OwnerRule, PackageFact};
use crate::model::build::{self, Pending, Qualifier};
use crate::model::{Graph, NodeKind};

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

/// Builds the graph again after some files' facts changed, merging again only the nodes
/// those files' facts name. [`Cache::build`] gives exactly the graph [`super::build`]
/// gives for the same files taken in path order.
#[derive(Default)]
pub struct Cache {
    groups: BTreeMap<Key, Group>,
    files: HashMap<String, File>,
    /// Keys whose facts changed since their node was merged.
    dirty: BTreeSet<Key>,
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
        let changed: HashSet<String> = changed.into_iter().map(|p| p.as_ref().to_string()).collect();
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
            let present: HashSet<&str> = files.iter().map(|(p, _)| *p).collect();
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
        let pending = self.groups.values().map(|g| g.merged.clone().expect("every group is merged"));
        build::assemble(pending, &edges, packages, &owner_rules)
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
        }
    }
}
