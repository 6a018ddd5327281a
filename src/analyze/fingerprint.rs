//! The operational facts of a node as text: what a runbook's live values show and what `opsbook.lock` records.
//!
//! One function names the facts for both, so a runbook cannot cite a fact that review does
//! not watch, and the words of a `stale-runbook` finding are the words on the page.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;

use crate::analyze::Analysis;
use crate::extract::duration::human;
use crate::extract::{Idempotency, Value};
use crate::lock::{NodeFacts, Section};
use crate::model::{EdgeKind, Graph, Node};

/// Every fact of `node` that it has, by its live-value path (`retry.max_attempts`, ...),
/// plus `name`. A fact the node does not have is absent.
pub fn facts(graph: &Graph, analysis: &Analysis, index: NodeIndex) -> NodeFacts {
    let node = &graph.graph[index];
    let mut out = NodeFacts::new();
    let mut put = |k: &str, v: String| {
        out.insert(k.to_string(), v);
    };
    put("name", node.name.clone());
    if let Some(p) = analysis.retry.get(&node.id) {
        let attempts = match (p.max_attempts, p.unknown.iter().find(|u| u.field == "max_attempts")) {
            (Some(n), _) => n.to_string(),
            (None, Some(u)) => u.expr.clone(),
            (None, None) => "unbounded".to_string(),
        };
        put("retry.max_attempts", attempts);
        let mut schedule: Vec<String> = p.schedule_ms.iter().map(|&ms| human(ms)).collect();
        if p.schedule_truncated {
            schedule.push("…".to_string());
        }
        if !schedule.is_empty() {
            put("retry.schedule", schedule.join(", "));
        }
        put("retry.worst_case", p.worst_case_ms.map_or_else(|| "unbounded".to_string(), human));
    }
    if let Some(&ms) = analysis.timeout_ms.get(&node.id) {
        put("timeout", human(ms));
    }
    if let Some(d) = &node.attrs.deadline {
        put("deadline", duration(&d.value));
    }
    let worst = match analysis.workflows.get(&node.id) {
        Some(w) => Some(w.worst_case_ms),
        None => analysis.step_worst_ms.get(&node.id).copied(),
    };
    if let Some(w) = worst {
        put("worst_case", w.map_or_else(|| "unbounded".to_string(), human));
    }
    if let Some(i) = &node.attrs.idempotent {
        put(
            "idempotent",
            match &i.value {
                Idempotency::Yes => "yes".to_string(),
                Idempotency::No => "no".to_string(),
                Idempotency::Key(k) => format!("key={k}"),
            },
        );
    }
    if let Some(o) = &node.attrs.owner {
        put("owner", o.value.clone());
    }
    let list = |items: BTreeSet<String>| (!items.is_empty()).then(|| items.into_iter().collect::<Vec<_>>().join(", "));
    if let Some(v) = list(node.attrs.side_effects.iter().map(|s| s.value.clone()).collect()) {
        put("side_effects", v);
    }
    let neighbours = |dir: Direction, kinds: &[EdgeKind]| -> BTreeSet<String> {
        graph
            .graph
            .edges_directed(index, dir)
            .filter(|e| kinds.contains(&e.weight().kind))
            .map(|e| {
                let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
                graph.graph[other].name.clone()
            })
            .collect()
    };
    if let Some(v) = list(neighbours(Direction::Outgoing, &[EdgeKind::DependsOn, EdgeKind::Calls])) {
        put("depends_on", v);
    }
    if let Some(v) = list(neighbours(Direction::Incoming, &[EdgeKind::Alerts])) {
        put("alerts", v);
    }
    out
}

fn duration(v: &Value<u64>) -> String {
    match v {
        Value::Known(ms) => human(*ms),
        Value::Unknown { expr } => expr.clone(),
    }
}

/// The facts of everything a runbook covers (its `documents` edges), by node id.
pub fn covered(graph: &Graph, analysis: &Analysis, runbook: NodeIndex) -> Section {
    graph
        .graph
        .edges_directed(runbook, Direction::Outgoing)
        .filter(|e| e.weight().kind == EdgeKind::Documents)
        .map(|e| (graph.graph[e.target()].id.clone(), facts(graph, analysis, e.target())))
        .collect()
}

/// What changed between a review and today, in words: `push_order: attempts 5 -> 8; new
/// dependency tax-service`. Empty when nothing did.
pub fn changes(graph: &Graph, reviewed: &Section, now: &Section) -> Vec<String> {
    changes_named(reviewed, now, |id| graph.node(id).map(|n: &Node| n.name.clone()))
}

/// [`changes`] where the model is not at hand (graph.json data): `name_of` names a node
/// whose facts lack a name.
pub fn changes_named(reviewed: &Section, now: &Section, name_of: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let ids: BTreeSet<&String> = reviewed.keys().chain(now.keys()).collect();
    let mut out = Vec::new();
    for id in ids {
        let name = |facts: Option<&NodeFacts>| facts.and_then(|f| f.get("name").cloned()).or_else(|| name_of(id));
        let shown = name(now.get(id)).or_else(|| name(reviewed.get(id))).unwrap_or_else(|| id.clone());
        let words = match (reviewed.get(id), now.get(id)) {
            (Some(_), None) => vec!["no longer covered".to_string()],
            (None, Some(_)) => vec!["covered since the review".to_string()],
            (Some(old), Some(new)) => node_changes(old, new),
            (None, None) => Vec::new(),
        };
        if !words.is_empty() {
            out.push(format!("{shown}: {}", words.join("; ")));
        }
    }
    out
}

/// The runbooks a change makes stale, for the operational diff of two trees: each runbook
/// of `new` (by file) whose covered facts differ from what they were in `old`, with what
/// changed in the words of `stale-runbook`. A runbook new in `new` is not listed: nothing
/// it was written against has changed.
pub fn stale_by_change(old: (&Graph, &Analysis), new: (&Graph, &Analysis)) -> Vec<(String, Vec<String>)> {
    let by_file = |(graph, analysis): (&Graph, &Analysis)| -> BTreeMap<String, Section> {
        graph
            .nodes()
            .filter_map(|(i, n)| {
                let doc = n.attrs.handwritten.as_deref()?;
                Some((doc.file.clone(), covered(graph, analysis, i)))
            })
            .collect()
    };
    let before = by_file(old);
    by_file(new)
        .into_iter()
        .filter_map(|(file, now)| {
            let changed = changes(new.0, before.get(&file)?, &now);
            (!changed.is_empty()).then_some((file, changed))
        })
        .collect()
}

/// Facts that are lists, with the words for an item added or removed.
const LISTS: [(&str, &str); 3] = [("depends_on", "dependency"), ("alerts", "alert"), ("side_effects", "side effect")];

fn node_changes(old: &NodeFacts, new: &NodeFacts) -> Vec<String> {
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).filter(|k| *k != "name").collect();
    let mut out = Vec::new();
    // Attempts first: it is what a runbook most often quotes.
    let mut keys: Vec<&String> = keys.into_iter().collect();
    keys.sort_by_key(|k| (*k != "retry.max_attempts", k.as_str()));
    for key in keys {
        let (a, b) = (old.get(key), new.get(key));
        if a == b {
            continue;
        }
        if let Some((_, word)) = LISTS.iter().find(|(k, _)| k == key) {
            let split = |v: Option<&String>| -> BTreeSet<String> {
                v.map(|s| s.split(", ").map(str::to_string).collect()).unwrap_or_default()
            };
            let (before, after) = (split(a), split(b));
            out.extend(after.difference(&before).map(|x| format!("new {word} {x}")));
            out.extend(before.difference(&after).map(|x| format!("{word} {x} removed")));
            continue;
        }
        let label = match key.as_str() {
            "retry.max_attempts" => "attempts",
            "retry.schedule" => "retry schedule",
            "retry.worst_case" => "retry worst case",
            "worst_case" => "worst case",
            other => other,
        };
        let show = |v: Option<&String>| v.cloned().unwrap_or_else(|| "none".to_string());
        out.push(format!("{label} {} -> {}", show(a), show(b)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(pairs: &[(&str, &str)]) -> NodeFacts {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn changes_say_old_and_new_values_and_list_items() {
        let old = facts(&[("name", "push_order"), ("retry.max_attempts", "5"), ("depends_on", "erp-api")]);
        let new = facts(&[
            ("name", "push_order"),
            ("retry.max_attempts", "8"),
            ("depends_on", "erp-api, tax-service"),
            ("timeout", "10 s"),
        ]);
        let section = |f: NodeFacts| -> Section { [("step:push-order".to_string(), f)].into() };
        let said = changes(&Graph::default(), &section(old.clone()), &section(new));
        assert_eq!(said, ["push_order: attempts 5 -> 8; new dependency tax-service; timeout none -> 10 s"]);
        assert!(changes(&Graph::default(), &section(old.clone()), &section(old)).is_empty());
    }

    #[test]
    fn a_change_lists_the_runbooks_it_makes_stale() {
        use crate::extract::{EdgeFact, Facts, NodeFact, NodeRef, Resolve, runbook};
        use crate::model::NodeKind;
        use crate::source::{Located, Source};
        let book = |owner: &str| {
            let mut step = NodeFact::new(NodeKind::Step, "push_order", Source::new("src/erp.rs", 3, 1));
            step.attrs.owner = Some(Located::new(owner.to_string(), Source::new("src/erp.rs", 2, 1)));
            let mut rb = NodeFact::new(NodeKind::Runbook, "erp", Source::new("docs/runbooks/erp.md", 1, 1));
            rb.attrs.handwritten =
                Some(Box::new(runbook::RunbookDoc { file: "docs/runbooks/erp.md".into(), ..Default::default() }));
            let edge = EdgeFact {
                from: NodeRef::new(NodeKind::Runbook, "erp"),
                to: NodeRef::any("push_order"),
                kind: EdgeKind::Documents,
                source: Source::new("docs/runbooks/erp.md", 3, 1),
                resolve: Resolve::Required,
                detail: None,
            };
            let graph = crate::model::build([&Facts { nodes: vec![step, rb], edges: vec![edge], ..Facts::default() }]);
            let analysis = crate::analyze::analyze(&graph, &[], &crate::config::Config::default());
            (graph, analysis)
        };
        let (old, new) = (book("team-a"), book("team-b"));
        let stale = stale_by_change((&old.0, &old.1), (&new.0, &new.1));
        assert_eq!(
            stale,
            [("docs/runbooks/erp.md".to_string(), vec!["push_order: owner team-a -> team-b".to_string()])]
        );
        assert!(stale_by_change((&old.0, &old.1), (&old.0, &old.1)).is_empty());
    }

    #[test]
    fn a_node_no_longer_covered_is_named() {
        let reviewed: Section = [("step:a".to_string(), facts(&[("name", "a")]))].into();
        assert_eq!(changes(&Graph::default(), &reviewed, &Section::new()), ["a: no longer covered"]);
    }
}
