//! ASL extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures` and `templates`.

mod corpus;
mod fixtures;
mod graph;
mod templates;

use super::{claims, extract};
use crate::diag::{Diagnostic, Severity};
use crate::extract::{EdgeFact, Extracted, NodeFact, RetryFact};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/stepfunctions-examples/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(&format!("stepfunctions-examples/{rel}"));
    extract(rel, &text)
}

fn step_count(x: &Extracted) -> usize {
    x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).count()
}

fn step<'a>(x: &'a Extracted, scope: &str, name: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Step && n.name == name && n.scope.as_deref() == Some(scope))
        .unwrap_or_else(|| panic!("no state `{name}` in `{scope}`: {:#?}", x.facts.nodes))
}

fn workflow<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Workflow && n.name == name)
        .unwrap_or_else(|| panic!("no workflow `{name}`: {:?}", x.workflow_names()))
}

/// The edges of `kind` from the state (or workflow) `from`.
fn edges_from<'a>(x: &'a Extracted, kind: EdgeKind, from: &str) -> Vec<&'a EdgeFact> {
    x.facts.edges.iter().filter(|e| e.kind == kind && e.from.name == from).collect()
}

fn edge<'a>(x: &'a Extracted, kind: EdgeKind, from: &str, to: &str) -> &'a EdgeFact {
    edges_from(x, kind, from)
        .into_iter()
        .find(|e| e.to.name == to)
        .unwrap_or_else(|| panic!("no {kind:?} edge {from} -> {to}: {:#?}", edges_from(x, kind, from)))
}

fn retry<'a>(x: &'a Extracted, scope: &str, name: &str, i: usize) -> &'a RetryFact {
    step(x, scope, name).attrs.retries.get(i).unwrap_or_else(|| panic!("`{name}` has no retrier {i}"))
}

fn problems(x: &Extracted) -> Vec<&Diagnostic> {
    x.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect()
}

fn activity<'a>(x: &'a Extracted, scope: &str, name: &str) -> Option<&'a str> {
    step(x, scope, name).attrs.activity.as_ref().map(|a| a.value.as_str())
}

/// The retry schedule the analysis derives from the fact, in milliseconds.
fn schedule(r: &RetryFact) -> Vec<u64> {
    crate::analyze::retry::normalise(r, None).schedule_ms
}
