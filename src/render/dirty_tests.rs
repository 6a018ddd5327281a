//! Tests of [`super`]: what two builds' differences mark.

use super::*;
use crate::render::fixture;

#[test]
fn merged_pairs_each_id_once_in_order() {
    let old: BTreeMap<String, u8> = [("a", 1), ("b", 2), ("d", 4)].map(|(k, v)| (k.to_string(), v)).into();
    let new: BTreeMap<String, u8> = [("b", 2), ("c", 3), ("d", 5)].map(|(k, v)| (k.to_string(), v)).into();
    let got: Vec<_> = merged(&old, &new).map(|(k, o, n)| (k, o.copied(), n.copied())).collect();
    assert_eq!(got, vec![("a", Some(1), None), ("b", Some(2), Some(2)), ("c", None, Some(3)), ("d", Some(4), Some(5))]);
    let mut ids = HashSet::new();
    assert!(differing(&old, &new, &mut ids));
    assert_eq!(ids, HashSet::from(["a", "c", "d"]));
    let (same, mut ids) = (old.clone(), HashSet::new());
    assert!(!differing(&old, &same, &mut ids));
    assert!(ids.is_empty());
}

/// One node's blast radius alone changes: its page (and its neighbours'), its
/// `graph.json` entry, and nothing global.
#[test]
fn an_analysis_entry_alone_marks_its_node() {
    let graph = fixture::graph();
    let old = fixture::analysis(&graph);
    assert!(!changes(&graph, &old, &graph, &old).any, "the same build changes nothing");
    let mut new = old.clone();
    let (id, list) = Arc::make_mut(&mut new.blast_radius).iter_mut().next().expect("the fixture has a blast radius");
    list.push("zzz:not-a-node".to_string());
    let id = id.clone();
    let c = changes(&graph, &old, &graph, &new);
    let i = graph.by_id[&id];
    assert!(c.any && !c.global && !c.count && !c.findings && !c.retries && !c.edges, "{c:?}");
    assert!(c.pages.contains(&i), "{c:?}");
    assert_eq!(c.touched, HashSet::from([i]));
    // A finding of its own shifts the ranks of those after it: their nodes change too.
    let mut new = old.clone();
    let mut f = new.findings[0].clone();
    f.node = Some(id.clone());
    new.findings.insert(0, f);
    let c = changes(&graph, &old, &graph, &new);
    assert!(c.findings && c.touched.contains(&i), "{c:?}");
    let ranked: HashSet<NodeIndex> =
        old.findings.iter().filter_map(|f| graph.by_id.get(f.node.as_deref()?).copied()).collect();
    assert!(ranked.is_subset(&c.touched), "every node with a finding moved rank");
}

/// Two findings of different nodes trade ranks: those two nodes changed, and no other;
/// the last finding dropped: its node alone.
#[test]
fn findings_mark_the_nodes_at_the_ranks_that_differ() {
    let graph = fixture::graph();
    let old = fixture::analysis(&graph);
    let node_at = |a: &Analysis, r: usize| graph.by_id[a.findings[r].node.as_deref().expect("a node")];
    let (r, s) = (0..old.findings.len())
        .flat_map(|r| (r + 1..old.findings.len()).map(move |s| (r, s)))
        .find(|&(r, s)| {
            old.findings[r].node.is_some() && old.findings[s].node.is_some() && node_at(&old, r) != node_at(&old, s)
        })
        .expect("the fixture has findings of two nodes");
    let mut new = old.clone();
    new.findings.swap(r, s);
    let c = changes(&graph, &old, &graph, &new);
    assert!(c.findings, "{c:?}");
    assert_eq!(c.touched, HashSet::from([node_at(&old, r), node_at(&old, s)]));
    let mut new = old.clone();
    let last = new.findings.pop().expect("a finding");
    let c = changes(&graph, &old, &graph, &new);
    let expected: HashSet<NodeIndex> = last.node.iter().map(|id| graph.by_id[id]).collect();
    assert!(c.findings, "{c:?}");
    assert_eq!(c.touched, expected);
}
