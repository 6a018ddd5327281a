//! The extractor on the real Argo examples in `shared/corpus`.

use super::*;
use crate::diag::Severity;

/// Every YAML file below the Argo examples, relative to them, in a stable order.
fn example_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path.strip_prefix(CORPUS).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn dump() {
    for f in example_files() {
        let x = corpus(&f);
        let w = x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Workflow).count();
        let s = x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).count();
        let d: Vec<_> = x.diagnostics.iter().map(|d| format!("{} {}:{} {}", d.code, d.source.line, d.source.column, d.message)).collect();
        eprintln!("(\"{f}\", {w}, {s}), {d:?}");
        let _ = Severity::Info;
    }
}

#[test]
fn dump_one() {
    for f in ["retry-backoff.yaml", "dag-task-level-timeout.yaml", "template-defaults.yaml", "retry-conditional.yaml", "cron-workflow.yaml"] {
        let x = corpus(f);
        for n in &x.facts.nodes {
            eprintln!("{f}: {:?} {} [{:?}] @{}:{} act={:?} retries={:?} timeouts={:?} eh={:?} desc={:?} deadline={:?}", n.kind, n.name, n.scope, n.source.line, n.source.column,
                n.attrs.activity.as_ref().map(|a| (&a.value, a.source.line)), n.attrs.retries, n.attrs.timeouts.iter().map(|t| (&t.text, &t.ms, t.source.line)).collect::<Vec<_>>(), n.attrs.error_handling.iter().map(|e| &e.value).collect::<Vec<_>>(), n.attrs.description, n.attrs.deadline);
        }
        for e in &x.facts.edges {
            eprintln!("{f}: {:?} {} -> {} @{}:{} {:?} {:?}", e.kind, e.from.name, e.to.name, e.source.line, e.source.column, e.resolve, e.detail);
        }
    }
}
