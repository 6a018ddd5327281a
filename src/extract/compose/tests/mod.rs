//! Compose extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`.

mod corpus;
mod fixtures;

use super::extract;
use crate::diag::Severity;
use crate::extract::{EdgeFact, Extracted, HealthCheck, NodeFact, Resolve, RestartFact};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(rel);
    extract(rel, &text)
}

fn node<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts.nodes.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("no service `{name}` in {x:#?}"))
}

fn edge<'a>(x: &'a Extracted, from: &str, to: &str) -> &'a EdgeFact {
    edges(x, from, to).next().unwrap_or_else(|| panic!("no edge {from} -> {to} in {:#?}", x.facts.edges))
}

fn edges<'a>(x: &'a Extracted, from: &str, to: &str) -> impl Iterator<Item = &'a EdgeFact> {
    let (from, to) = (from.to_string(), to.to_string());
    x.facts.edges.iter().filter(move |e| e.from.name == from && e.to.name == to)
}

fn health<'a>(x: &'a Extracted, name: &str) -> &'a HealthCheck {
    node(x, name).attrs.health_checks.first().unwrap_or_else(|| panic!("`{name}` has no health check"))
}

fn restart<'a>(x: &'a Extracted, name: &str) -> &'a RestartFact {
    node(x, name).attrs.restart.as_ref().unwrap_or_else(|| panic!("`{name}` has no restart policy"))
}

fn names(x: &Extracted) -> Vec<&str> {
    x.facts.nodes.iter().map(|n| n.name.as_str()).collect()
}

fn line_col(source: &crate::source::Source) -> (u32, u32) {
    (source.line, source.column)
}
