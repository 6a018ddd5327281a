//! Kubernetes extractor tests: shared look-ups; real files in `corpus`, small inline files in `fixtures`.

mod corpus;
mod fixtures;

use super::{claims, extract};
use crate::diag::Severity;
use crate::extract::{EdgeFact, Extracted, Resolve};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

fn corpus(rel: &str) -> Extracted {
    let text = crate::extract::corpus_text(rel);
    extract(rel, &text)
}

/// Every file of a corpus folder, read as one scan would, their facts side by side.
fn folder(rel: &str) -> Extracted {
    let mut files: Vec<_> = std::fs::read_dir(format!("{CORPUS}{rel}")).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    let mut out = Extracted::default();
    for path in files.into_iter().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path).unwrap();
        let x = extract(&path.to_string_lossy(), &text);
        out.facts.nodes.extend(x.facts.nodes);
        out.facts.edges.extend(x.facts.edges);
        out.diagnostics.extend(x.diagnostics);
    }
    out
}

fn edge<'a>(x: &'a Extracted, from: &str, to: &str) -> &'a EdgeFact {
    x.facts
        .edges
        .iter()
        .find(|e| e.from.name == from && e.to.name == to)
        .unwrap_or_else(|| panic!("no edge {from} -> {to} in {:#?}", x.facts.edges))
}

/// `(kind, name)` of every node, sorted, duplicates kept (a Service and its workload).
fn names(x: &Extracted, kind: NodeKind) -> Vec<&str> {
    let mut v: Vec<&str> = x.facts.nodes.iter().filter(|n| n.kind == kind).map(|n| n.name.as_str()).collect();
    v.sort_unstable();
    v
}

fn pairs(x: &Extracted) -> Vec<(&str, &str)> {
    let mut v: Vec<_> = x.facts.edges.iter().map(|e| (e.from.name.as_str(), e.to.name.as_str())).collect();
    v.sort_unstable();
    v
}

fn problems(x: &Extracted) -> Vec<&crate::diag::Diagnostic> {
    x.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect()
}
