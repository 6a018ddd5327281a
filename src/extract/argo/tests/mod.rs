//! Argo extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`.

mod corpus;
mod fixtures;

use super::extract;
use crate::extract::{EdgeFact, Extracted, NodeFact, RetryFact};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/argo-workflows/examples/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(&format!("argo-workflows/examples/{rel}"));
    extract(rel, &text)
}

fn step<'a>(x: &'a Extracted, scope: &str, name: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Step && n.name == name && n.scope.as_deref() == Some(scope))
        .unwrap_or_else(|| panic!("no step `{name}` in `{scope}`: {:#?}", x.facts.nodes))
}

fn retry<'a>(x: &'a Extracted, scope: &str, name: &str) -> &'a RetryFact {
    step(x, scope, name).attrs.retries.first().unwrap_or_else(|| panic!("`{name}` has no retry"))
}

/// Edges of `kind` from `from` to `to`, by name.
fn edges<'a>(x: &'a Extracted, kind: EdgeKind, from: &str, to: &str) -> Vec<&'a EdgeFact> {
    x.facts.edges.iter().filter(|e| e.kind == kind && e.from.name == from && e.to.name == to).collect()
}

fn edge<'a>(x: &'a Extracted, kind: EdgeKind, from: &str, to: &str) -> &'a EdgeFact {
    edges(x, kind, from, to)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no {kind:?} edge {from} -> {to} in {:#?}", x.facts.edges))
}
