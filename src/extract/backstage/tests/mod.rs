//! Backstage extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`.

mod corpus;
mod fixtures;

use super::extract;
use crate::extract::{EdgeFact, Extracted};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(rel);
    extract(rel, &text)
}

fn edge<'a>(x: &'a Extracted, from: &str, kind: EdgeKind, to: &str) -> &'a EdgeFact {
    x.facts
        .edges
        .iter()
        .find(|e| e.from.name == from && e.kind == kind && e.to.name == to)
        .unwrap_or_else(|| panic!("no edge {from} {kind:?} {to} in {:#?}", x.facts.edges))
}

/// How many nodes of `kind` a file gave.
fn count(x: &Extracted, kind: NodeKind) -> usize {
    x.facts.nodes.iter().filter(|n| n.kind == kind).count()
}

fn description<'a>(x: &'a Extracted, kind: NodeKind, name: &str) -> &'a str {
    x.node(kind, name).attrs.description.as_deref().unwrap_or_default()
}
