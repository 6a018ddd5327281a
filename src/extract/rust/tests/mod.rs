//! Tests of the Rust extractor as a whole: doc comments, library calls, the shared corpus.

mod code;
mod corpus;
mod doc;

pub(super) use super::{extract, read_file};
pub(super) use crate::diag::Severity;
pub(super) use crate::extract::{
    EdgeFact, Extracted, Idempotency, Jitter, NodeFact, NodeRef, Origin, Resolve, RetryFact, Strategy, Value,
};
pub(super) use crate::model::{EdgeKind, NodeKind};
pub(super) use crate::source::Source;

pub(super) const FILE: &str = "src/erp.rs";

pub(super) fn run(src: &str) -> Extracted {
    extract(FILE, src)
}

pub(super) fn step<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Step && n.name == name)
        .unwrap_or_else(|| panic!("no step {name} in {:#?}", x.facts.nodes))
}

pub(super) fn steps(x: &Extracted) -> Vec<&str> {
    x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).map(|n| n.name.as_str()).collect()
}

pub(super) fn at(line: u32, column: u32) -> Source {
    Source::new(FILE, line, column)
}

pub(super) fn known<T: Clone>(v: &Value<T>) -> Option<T> {
    match v {
        Value::Known(t) => Some(t.clone()),
        Value::Unknown { .. } => None,
    }
}

/// A policy's numbers; `None` in an outer position means the value is unknown.
#[derive(Debug, PartialEq)]
pub(super) struct Numbers {
    pub strategy: Strategy,
    pub initial: Option<u64>,
    pub factor: Option<f64>,
    pub max_delay: Option<Option<u64>>,
    pub attempts: Option<Option<u32>>,
    pub elapsed: Option<Option<u64>>,
    pub jitter: Jitter,
}

pub(super) fn numbers(r: &RetryFact) -> Numbers {
    Numbers {
        strategy: r.strategy,
        initial: known(&r.initial_delay_ms),
        factor: known(&r.factor),
        max_delay: known(&r.max_delay_ms),
        attempts: known(&r.max_attempts),
        elapsed: known(&r.max_elapsed_ms),
        jitter: r.jitter.clone(),
    }
}

pub(super) fn exp(
    initial: u64,
    factor: f64,
    max_delay: Option<u64>,
    attempts: Option<u32>,
    elapsed: Option<u64>,
    jitter: Jitter,
) -> Numbers {
    let strategy = Strategy::Exponential;
    Numbers {
        strategy,
        initial: Some(initial),
        factor: Some(factor),
        max_delay: Some(max_delay),
        attempts: Some(attempts),
        elapsed: Some(elapsed),
        jitter,
    }
}

/// The one code retry of the one step in `src`.
pub(super) fn code_retry(src: &str) -> RetryFact {
    let x = run(src);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    let nodes: Vec<&NodeFact> = x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).collect();
    assert_eq!(nodes.len(), 1, "{src}\n{nodes:#?}");
    assert_eq!(nodes[0].attrs.retries.len(), 1, "{src}\n{:#?}", nodes[0].attrs.retries);
    let r = nodes[0].attrs.retries[0].clone();
    assert_eq!(r.origin, Origin::Code);
    r
}

/// Data-driven: each case is (imports, body of `async fn op_step()`, library, numbers).
pub(super) fn check_retries(cases: &[(&str, &str, &str, Numbers)]) {
    for (imports, body, library, want) in cases {
        let src = format!("{imports}\nasync fn op_step(cfg: &Config) {{\n    {body}\n}}\n");
        let r = code_retry(&src);
        assert_eq!(r.library, *library, "{src}");
        assert_eq!(numbers(&r), *want, "{src}");
    }
}
