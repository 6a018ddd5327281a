//! GitHub Actions extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`.

mod corpus;
mod fixtures;
mod pipeline;

use super::extract;
use crate::diag::{Diagnostic, Severity};
use crate::extract::{EdgeFact, Extracted, NodeFact, Resolve, TimeoutFact, Value};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(rel);
    extract(rel, &text)
}

fn workflow(x: &Extracted) -> &NodeFact {
    let mut found = x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Workflow);
    let wf = found.next().unwrap_or_else(|| panic!("no workflow in {x:#?}"));
    assert!(found.next().is_none(), "more than one workflow");
    wf
}

fn job<'a>(x: &'a Extracted, id: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Step && n.name == id)
        .unwrap_or_else(|| panic!("no job `{id}` in {:#?}", x.facts.nodes))
}

fn jobs(x: &Extracted) -> Vec<&str> {
    x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).map(|n| n.name.as_str()).collect()
}

fn timeout<'a>(x: &'a Extracted, id: &str) -> &'a TimeoutFact {
    let t = &job(x, id).attrs.timeouts;
    assert_eq!(t.len(), 1, "job `{id}` timeouts: {t:#?}");
    &t[0]
}

fn activity<'a>(x: &'a Extracted, id: &str) -> &'a str {
    job(x, id).attrs.activity.as_ref().map(|a| a.value.as_str()).unwrap_or_else(|| panic!("`{id}` has no activity"))
}

fn description(n: &NodeFact) -> &str {
    n.attrs.description.as_deref().unwrap_or_else(|| panic!("`{}` has no description", n.name))
}

/// Edges of `kind` from `from` to `to`, by name (the workflow is named by its path).
fn edges<'a>(x: &'a Extracted, kind: EdgeKind, from: &str, to: &str) -> Vec<&'a EdgeFact> {
    x.facts.edges.iter().filter(|e| e.kind == kind && e.from.name == from && e.to.name == to).collect()
}

fn edge<'a>(x: &'a Extracted, kind: EdgeKind, from: &str, to: &str) -> &'a EdgeFact {
    let found = edges(x, kind, from, to);
    assert_eq!(found.len(), 1, "{kind:?} {from} -> {to} in {:#?}", x.facts.edges);
    found[0]
}

/// The jobs a job (or the workflow) leads to along `kind` edges, sorted.
fn next_of<'a>(x: &'a Extracted, kind: EdgeKind, from: &str) -> Vec<&'a str> {
    let mut v: Vec<&str> =
        x.facts.edges.iter().filter(|e| e.kind == kind && e.from.name == from).map(|e| e.to.name.as_str()).collect();
    v.sort();
    v
}

fn problems(x: &Extracted) -> Vec<&Diagnostic> {
    x.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect()
}

fn minutes(m: u64) -> Value<u64> {
    Value::Known(m * 60_000)
}
