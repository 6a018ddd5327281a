//! Which pages an edit can have changed, from the previous graph and analysis to the new ones.
//!
//! What each page reads (audited from the views; keep this list true when a view changes):
//!
//! - Every page, of the book as a whole: the node ids, names, kinds, page paths and
//!   `external` flags (links, the pager of each kind, name lookups for owners, services,
//!   workflows and alerts, blast radius lists, finding links, a workflow's critical path).
//!   Any change there, or a node added or removed, renders every page again (`global`).
//! - The root pages (index, retries, failure points, graph, search, `search-index.js`,
//!   `graph.json`) list every node: they render again on any change at all (`any`), except
//!   the retries page, which shows only `all_retries` and the links of its nodes: it
//!   renders again when those changed (`retries`), and the failure points page, which
//!   shows the findings and links their nodes: it renders again when they changed or a
//!   node one names came or went (`findings`).
//! - A node's page (`runbook::view`), of its own node: every field, its edges both ways
//!   (kind, detail, sources, the node at the other end), every analysis entry under its
//!   id (retry, all_retries, timeout_ms, blast_radius, workflows, step_worst_ms) and its
//!   findings with their global ranks.
//! - Of each neighbour (one edge either way): its data as above (the diagram's retry
//!   mark, a caller's retry and timeout, a workflow's critical path on a step's page, a
//!   step's row on its workflow's page, its sources for the step order).
//! - Of each neighbour it points at: that neighbour's outgoing edges (the diagram counts
//!   the nodes beyond it; a workflow's page draws its steps' next, on-error and call
//!   edges); of each neighbour pointing at it: that neighbour's incoming edges.
//! - A workflow's page, for each step its analysis leaves unbounded: that step's data and
//!   outgoing edges, and the data of the workflows it contains (`step::why_unbounded`).
//! - A team's page: everything it owns and everything that contains, transitively (its
//!   surface), with their alerts: rendered again when any node of the surface, or an
//!   alert pointing into it, changed, in the old graph or the new.
//! - Hand-written runbooks fill in live values of any node: their own pages and the
//!   pages of the nodes they document render again on any change.
//!
//! Every rule looks at the old graph and the new one, so a removed edge counts like an
//! added one.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Bound;
use std::sync::Arc;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;

use crate::analyze::{Analysis, Finding};
use crate::model::{EdgeKind, Graph, NodeKind, slugify};

/// What changed between two builds, as pages see it.
#[derive(Debug, Default)]
pub struct Changes {
    /// The set of nodes, or a node's id, name, kind or page changed: every page renders.
    pub global: bool,
    /// Anything changed at all: the root pages render again.
    pub any: bool,
    /// The node pages (indices in the new graph) to render again when not `global`.
    pub pages: HashSet<NodeIndex>,
    /// The page paths of the nodes removed.
    pub gone: Vec<String>,
    /// Nodes were added or removed (the node count on the search page).
    pub count: bool,
    /// A node's fields or edges changed, or nodes came or went (the search index).
    pub nodes: bool,
    /// The findings or their ranking changed, or a node a finding names came or went (the
    /// failure points page).
    pub findings: bool,
    /// Some node's retry policies changed (the retries page).
    pub retries: bool,
    /// Nodes (new indices) whose own fields or analysis entries changed, or that are new:
    /// their entries in `graph.json`.
    pub touched: HashSet<NodeIndex>,
    /// Some edge changed, or nodes came or went (`graph.json`'s edge list).
    pub edges: bool,
}

#[derive(Clone, Copy, Default)]
struct Flags {
    /// The node's own fields (the model's data).
    node: bool,
    /// Its fields, analysis entries or findings.
    data: bool,
    out: bool,
    inn: bool,
}

impl Flags {
    fn any(self) -> bool {
        self.data || self.out || self.inn
    }
}

/// Compares the previous build (`old`) with the new one.
///
/// Every comparison is exact, and each piece of data is compared once: the node ids of the
/// two builds and every analysis map are walked side by side in id order (no lookups), the
/// findings are compared as one list and split by node only when that list changed.
pub fn changes(old: &Graph, old_a: &Analysis, new: &Graph, new_a: &Analysis) -> Changes {
    let everything = Changes {
        global: true,
        any: true,
        count: true,
        nodes: true,
        findings: true,
        retries: true,
        ..Changes::default()
    };
    // Ids in both builds, with their indices in each; ids only in one.
    let mut common: Vec<(&str, NodeIndex, NodeIndex)> = Vec::with_capacity(new.by_id.len());
    let (mut added, mut removed): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for step in merged(&old.by_id, &new.by_id) {
        match step {
            (id, Some(&oi), Some(&ni)) => {
                let (o, n) = (&old.graph[oi], &new.graph[ni]);
                if o.name != n.name || o.kind != n.kind || o.page != n.page || o.external != n.external {
                    return everything;
                }
                common.push((id, oi, ni));
            }
            (id, None, _) => added.push(id),
            (id, _, None) => removed.push(id),
        }
    }

    // Each old index's node in the new graph, so an edge's other end is compared by index.
    let mut to_new: Vec<Option<NodeIndex>> = vec![None; old.graph.node_count()];
    for &(_, oi, ni) in &common {
        to_new[oi.index()] = Some(ni);
    }
    let to_new = &to_new;
    // The analysis maps and the nodes are compared at the same time, on every core.
    let (entries, raw) = rayon::join(
        || entries_differ(old_a, new_a),
        || {
            common
                .par_iter()
                .filter_map(|&(id, oi, ni)| {
                    let node = old.graph[oi] != new.graph[ni];
                    let flags = Flags {
                        node,
                        data: node,
                        out: edges_differ(old, oi, new, ni, to_new, Direction::Outgoing),
                        inn: edges_differ(old, oi, new, ni, to_new, Direction::Incoming),
                    };
                    flags.any().then_some((id, flags))
                })
                .collect::<Vec<_>>()
        },
    );
    let Entries { ids: entry_ids, retries, maps: analysis_differs, findings: findings_differ } = entries;
    let mut flagged: HashMap<&str, Flags> = raw.into_iter().collect();
    for id in entry_ids {
        if old.by_id.contains_key(id) && new.by_id.contains_key(id) {
            flagged.entry(id).or_default().data = true;
        }
    }
    let count = !added.is_empty() || !removed.is_empty();
    let nodes = count || flagged.values().any(|f| f.out || f.inn || f.node);
    // The failure points page links each finding's node by id: a node coming or going
    // changes the page only when a finding names it.
    let came_or_went: HashSet<&str> = added.iter().chain(&removed).copied().collect();
    let names_one = |fs: &[Finding]| fs.iter().any(|f| f.node.as_deref().is_some_and(|n| came_or_went.contains(n)));
    let findings = findings_differ || (count && (names_one(&new_a.findings) || names_one(&old_a.findings)));
    // The retries page links the nodes of `all_retries`, which are nodes of both graphs
    // when the map is unchanged, and their names, kinds and pages are the same (else
    // `global`).
    let edges = count || flagged.values().any(|f| f.out || f.inn);
    let touched: HashSet<NodeIndex> = flagged
        .iter()
        .filter(|(_, f)| f.data)
        .map(|(id, _)| *id)
        .chain(added.iter().copied())
        .map(|id| new.by_id[id])
        .collect();
    let any = !flagged.is_empty() || count || findings_differ || old.dangling != new.dangling || analysis_differs;
    if !any {
        return Changes::default();
    }

    let mut pages = HashSet::new();
    let mut mark = |id: &str| {
        if let Some(&i) = new.by_id.get(id) {
            pages.insert(i);
        }
    };
    let graphs = [old, new];
    let data = |id: &str| flagged.get(id).is_some_and(|f| f.data);
    // The node itself and its neighbours, by what they read of it.
    for (&id, &flags) in &flagged {
        mark(id);
        for g in graphs {
            let i = g.by_id[id];
            for e in g.graph.edges_directed(i, Direction::Outgoing) {
                // `id` points at the other end: that page reads `id`'s data and incoming edges.
                if flags.data || flags.inn {
                    mark(&g.graph[e.target()].id);
                }
            }
            for e in g.graph.edges_directed(i, Direction::Incoming) {
                if flags.data || flags.out {
                    mark(&g.graph[e.source()].id);
                }
            }
        }
    }
    // A node added or removed: its own page, the pages beside it in its kind's pager, and
    // every page that names it in an attribute (a name lookup may now find it or not).
    // Its edges changed the nodes at their other ends, which the rules above and below
    // follow; analysis lists that name it (blast radius, critical paths) changed too.
    for (g, ids) in [(old, &removed), (new, &added)] {
        for &id in ids.iter() {
            mark(id);
            for other in pager_neighbours(g, id) {
                mark(other);
            }
        }
    }
    if !added.is_empty() || !removed.is_empty() {
        let names: HashSet<&str> = removed
            .iter()
            .map(|id| (old, *id))
            .chain(added.iter().map(|id| (new, *id)))
            .flat_map(|(g, id)| {
                let n = &g.graph[g.by_id[id]];
                [n.name.as_str(), n.slug.as_str()]
            })
            .collect();
        // Many nodes name the same owner or service: each value is slugified once.
        let mut names_it: HashMap<&str, bool> = HashMap::new();
        for g in graphs {
            for (_, node) in g.nodes() {
                let a = &node.attrs;
                let named = a.owner.iter().chain(&a.service).chain(&a.workflow).chain(&a.alerts);
                let hit = named.into_iter().any(|v| {
                    let v = v.value.as_str();
                    *names_it.entry(v).or_insert_with(|| names.contains(v) || names.contains(slugify(v).as_str()))
                });
                if hit {
                    mark(&node.id);
                }
            }
        }
    }
    // A workflow's unbounded steps, and the workflows they contain.
    for a in [old_a, new_a] {
        for (wf, summary) in &a.workflows {
            let touched = summary.unbounded.iter().any(|u| {
                flagged.get(u.as_str()).is_some_and(|f| f.any())
                    || graphs.iter().any(|g| {
                        g.by_id.get(u).is_some_and(|&i| g.graph.edges(i).any(|e| data(&g.graph[e.target()].id)))
                    })
            });
            if touched {
                mark(wf);
            }
        }
    }
    // Teams whose surface holds a changed node, or a node a changed alert points at.
    for g in graphs {
        let mut stack: Vec<NodeIndex> = Vec::new();
        for (&id, &flags) in &flagged {
            let i = g.by_id[id];
            stack.push(i);
            if flags.data {
                stack.extend(g.graph.edges(i).filter(|e| e.weight().kind == EdgeKind::Alerts).map(|e| e.target()));
            }
        }
        let mut seen: BTreeSet<NodeIndex> = BTreeSet::new();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            for e in g.graph.edges_directed(i, Direction::Incoming) {
                let from = &g.graph[e.source()];
                match e.weight().kind {
                    EdgeKind::Contains => stack.push(e.source()),
                    EdgeKind::Owns if from.kind == NodeKind::Team => mark(&from.id),
                    _ => {}
                }
            }
        }
    }
    // Hand-written runbooks and the pages that show their steps.
    for g in graphs {
        for (_, node) in g.nodes() {
            if node.attrs.handwritten.is_some() {
                mark(&node.id);
            }
        }
        for e in g.graph.edge_references().filter(|e| e.weight().kind == EdgeKind::Documents) {
            mark(&g.graph[e.target()].id);
            mark(&g.graph[e.source()].id);
        }
    }
    let gone = removed.iter().map(|id| old.graph[old.by_id[*id]].page.clone()).collect();
    Changes { global: false, any: true, pages, gone, count, nodes, findings, retries, touched, edges }
}

/// What differs between two analyses.
struct Entries<'a> {
    /// Ids whose entries in some map, or whose findings (with their ranks), differ.
    ids: HashSet<&'a str>,
    /// `all_retries` differs.
    retries: bool,
    /// Some map differs.
    maps: bool,
    /// The findings differ.
    findings: bool,
}

/// Every analysis map walked side by side in id order (no lookups); the findings compared
/// as one list, and split by node only when that list changed (a node's findings show with
/// their global ranks: when the list is the same, so is every node's share of it).
fn entries_differ<'a>(old_a: &'a Analysis, new_a: &'a Analysis) -> Entries<'a> {
    let ((mut ids, retries, policies), (more, others)) = rayon::join(
        || {
            let mut ids = HashSet::new();
            let retries = differing(&old_a.all_retries, &new_a.all_retries, &mut ids);
            let policies = differing(&old_a.retry, &new_a.retry, &mut ids);
            (ids, retries, policies)
        },
        || {
            let mut ids = HashSet::new();
            // A radius the analysis shared with the last build is the same map.
            let mut any = !Arc::ptr_eq(&old_a.blast_radius, &new_a.blast_radius)
                && differing(&old_a.blast_radius, &new_a.blast_radius, &mut ids);
            any |= differing(&old_a.timeout_ms, &new_a.timeout_ms, &mut ids);
            any |= differing(&old_a.workflows, &new_a.workflows, &mut ids);
            any |= differing(&old_a.step_worst_ms, &new_a.step_worst_ms, &mut ids);
            (ids, any)
        },
    );
    ids.extend(more);
    // A node's share (its findings with their ranks) differs exactly when some rank holding
    // one of its findings, in either list, holds another finding (or none) in the other:
    // the nodes of the two findings at each differing rank are the ones that changed.
    let (o, n) = (&old_a.findings, &new_a.findings);
    let same = o.iter().zip(n).take_while(|(x, y)| x == y).count();
    let findings = same < o.len().max(n.len());
    for rank in same..o.len().max(n.len()) {
        let (x, y) = (o.get(rank), n.get(rank));
        if x != y {
            ids.extend(x.and_then(|f| f.node.as_deref()));
            ids.extend(y.and_then(|f| f.node.as_deref()));
        }
    }
    Entries { ids, retries, maps: retries || policies || others, findings }
}

/// The two id maps side by side in id order: each id with its index in the old map and in
/// the new one.
fn merged<'a, V>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
) -> impl Iterator<Item = (&'a str, Option<&'a V>, Option<&'a V>)> {
    let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
    std::iter::from_fn(move || {
        let order = match (a.peek(), b.peek()) {
            (None, None) => return None,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some((x, _)), Some((y, _))) => x.cmp(y),
        };
        Some(match order {
            Ordering::Less => a.next().map(|(k, v)| (k.as_str(), Some(v), None))?,
            Ordering::Greater => b.next().map(|(k, v)| (k.as_str(), None, Some(v)))?,
            Ordering::Equal => {
                let (k, v) = a.next()?;
                (k.as_str(), Some(v), b.next().map(|(_, w)| w))
            }
        })
    })
}

/// Adds to `out` every id whose entry differs between the two maps (or is in one only);
/// says whether any did.
fn differing<'a, V: PartialEq>(
    old: &'a BTreeMap<String, V>,
    new: &'a BTreeMap<String, V>,
    out: &mut HashSet<&'a str>,
) -> bool {
    let mut any = false;
    for (id, o, n) in merged(old, new) {
        if o != n {
            out.insert(id);
            any = true;
        }
    }
    any
}

/// The pages before and after node `id` in its kind's pager (id order, pages in the book).
fn pager_neighbours<'g>(g: &'g Graph, id: &str) -> Vec<&'g str> {
    let kind = g.graph[g.by_id[id]].kind;
    let fits = |&(_, &i): &(&String, &NodeIndex)| g.graph[i].kind == kind && super::is_safe_page(&g.graph[i].page);
    let before = g.by_id.range::<str, _>((Bound::Unbounded, Bound::Excluded(id))).rev().find(fits);
    let after = g.by_id.range::<str, _>((Bound::Excluded(id), Bound::Unbounded)).find(fits);
    before.into_iter().chain(after).map(|(other, _)| other.as_str()).collect()
}

/// The node's edges one way differ: another kind, detail, source or node at the other
/// end, or another order (which no page shows, so this errs on the side of rendering).
/// `to_new` gives each old node's index in the new graph (`None` when it is gone): two
/// ends are the same node when they have the same id, that is when one maps to the other.
fn edges_differ(
    old: &Graph,
    oi: NodeIndex,
    new: &Graph,
    ni: NodeIndex,
    to_new: &[Option<NodeIndex>],
    dir: Direction,
) -> bool {
    fn other(e: petgraph::graph::EdgeReference<'_, crate::model::Edge>, dir: Direction) -> NodeIndex {
        if dir == Direction::Outgoing { e.target() } else { e.source() }
    }
    let mut a = old.graph.edges_directed(oi, dir);
    let mut b = new.graph.edges_directed(ni, dir);
    loop {
        match (a.next(), b.next()) {
            (None, None) => return false,
            (Some(x), Some(y)) if to_new[other(x, dir).index()] == Some(other(y, dir)) && x.weight() == y.weight() => {}
            _ => return true,
        }
    }
}

#[cfg(test)]
#[path = "dirty_tests.rs"]
mod tests;
