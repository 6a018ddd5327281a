//! Analysis: pure functions over the model that derive retry schedules, blast radius and findings.

pub mod blast;
pub mod codes;
pub mod fingerprint;
pub mod retry;
pub mod rules;
pub mod suppress;
pub mod workflow;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::model::Graph;
use crate::source::Source;

pub use retry::RetryPolicy;
pub use workflow::WorkflowSummary;

/// Everything derived from the model.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// The effective retry policy of each node that retries, by node id. Code wins over
    /// a doc comment.
    pub retry: BTreeMap<String, RetryPolicy>,
    /// Every retry policy of a node, the effective one first, by node id.
    pub all_retries: BTreeMap<String, Vec<RetryPolicy>>,
    /// The effective per-attempt timeout of each node that has one, by node id.
    pub timeout_ms: BTreeMap<String, u64>,
    /// Every node that stops working when this one is down, by node id, sorted. Shared
    /// between builds whose dependency edges are the same ([`blast::Memo`]).
    pub blast_radius: blast::Radius,
    /// How long each workflow can take, by workflow id.
    pub workflows: BTreeMap<String, WorkflowSummary>,
    /// How long each step of a workflow can take, as its workflow's worst case counts it,
    /// by step id; `None` when the step has no bound.
    pub step_worst_ms: BTreeMap<String, Option<u64>>,
    /// Findings, ranked: severity first, then file and line.
    pub findings: Vec<Finding>,
}

/// A problem in the system that an on-call engineer would care about, with a stable code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: String,
    pub severity: Severity,
    pub node: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// What will happen in production.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl Finding {
    pub fn new(
        code: &str,
        severity: Severity,
        node: Option<&str>,
        source: &Source,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> Finding {
        Finding {
            code: code.to_string(),
            severity,
            node: node.map(str::to_string),
            file: source.file.clone(),
            line: source.line,
            column: source.column,
            message: message.into(),
            help: help.into(),
        }
    }

    pub fn source(&self) -> Source {
        Source::new(self.file.clone(), self.line, self.column)
    }
}

/// Runs every analysis. `diagnostics` are the extractors' problems: those whose code is
/// a finding code (`parse-error`) become findings too.
pub fn analyze(graph: &Graph, diagnostics: &[Diagnostic], config: &Config) -> Analysis {
    analyze_sources(graph, diagnostics, config, &suppress::Texts::new())
}

/// [`analyze`] with the source texts, whose `opsbook: allow(<code>)` comments silence
/// findings on their line or the next.
pub fn analyze_sources(
    graph: &Graph,
    diagnostics: &[Diagnostic],
    config: &Config,
    texts: &suppress::Texts,
) -> Analysis {
    analyze_allowing(graph, diagnostics, config, &suppress::scan(texts))
}

/// [`analyze_sources`] with the allow comments of the texts already found
/// ([`suppress::scan`], or each file's [`suppress::allows_in`] in path order).
pub fn analyze_allowing(
    graph: &Graph,
    diagnostics: &[Diagnostic],
    config: &Config,
    allows: &[suppress::Allow],
) -> Analysis {
    let mut analysis = Analysis::default();
    // The blast radius reads the graph alone: it runs beside the retries and workflows,
    // unless this thread's last analysis had the same dependency edges.
    let memo = blast::MEMO.with(|m| m.get(graph));
    let (computed, ()) = rayon::join(
        || memo.is_none().then(|| std::sync::Arc::new(blast::blast_radius(graph))),
        || {
            retry::derive(graph, &mut analysis);
            (analysis.workflows, analysis.step_worst_ms) = workflow::summarise(graph, &analysis);
        },
    );
    analysis.blast_radius = match computed {
        Some(radius) => {
            blast::MEMO.with(|m| m.put(graph, radius.clone()));
            radius
        }
        None => memo.unwrap_or_default(),
    };
    let mut findings = rules::run(graph, &analysis, diagnostics, config, allows);
    rank(&mut findings);
    analysis.findings = findings;
    analysis
}

fn rank(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.line.cmp(&b.line))
            .then_with(|| a.column.cmp(&b.column))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.node.cmp(&b.node))
    });
}
