//! Tests of the BPMN extractor: real corpus files and small inline models.

mod corpus;
mod inline;

use crate::extract::{EdgeFact, Extracted, NodeFact};
use crate::model::{EdgeKind, NodeKind};

fn step<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts.nodes.iter().find(|n| n.kind == NodeKind::Step && n.name == name).unwrap_or_else(|| {
        panic!("no step {name:?} in {:#?}", x.facts.nodes.iter().map(|n| &n.name).collect::<Vec<_>>())
    })
}

fn edges_of(x: &Extracted, kind: EdgeKind) -> Vec<&EdgeFact> {
    x.facts.edges.iter().filter(|e| e.kind == kind).collect()
}
