//! Finding rules: one file per finding code, each a pure function of the model and analysis.

mod alert_without_runbook;
mod dangling_reference;
mod dependency_cycle;
mod doc_code_mismatch;
mod long_worst_case;
mod missing_error_handler;
mod missing_timeout;
mod no_owner;
mod no_signal;
mod parse_error;
mod retry_amplification;
mod retry_without_idempotency;
mod single_point_of_failure;
mod stale_runbook;
mod timeout_inversion;
mod unbounded_retry;

use rayon::prelude::*;

use crate::analyze::{Analysis, Finding};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Graph;

/// Runs every rule and applies the configured levels and allow comments (see
/// [`crate::analyze::suppress`]): an allowed code is dropped, a warned or denied one takes
/// that severity, and an allow that matches nothing is an `unused-allow` finding.
pub fn run(
    graph: &Graph,
    analysis: &Analysis,
    diagnostics: &[Diagnostic],
    config: &Config,
    allows: &[crate::analyze::suppress::Allow],
) -> Vec<Finding> {
    // The rules are independent of each other: they run on every core, and their findings
    // are joined in this order.
    type Rule<'r> = &'r (dyn Fn() -> Vec<Finding> + Sync);
    let rules: [Rule; 16] = [
        &|| parse_error::check(diagnostics),
        &|| retry_without_idempotency::check(graph, analysis),
        &|| unbounded_retry::check(graph),
        &|| missing_timeout::check(graph, analysis),
        &|| dangling_reference::check(graph),
        &|| dependency_cycle::check(graph),
        &|| no_owner::check(graph),
        &|| doc_code_mismatch::check(graph),
        &|| timeout_inversion::check(graph, analysis),
        &|| no_signal::check(graph),
        &|| missing_error_handler::check(graph),
        &|| single_point_of_failure::check(graph, analysis),
        &|| alert_without_runbook::check(graph, config),
        &|| stale_runbook::check(graph, analysis, config),
        &|| retry_amplification::check(graph, analysis, config.findings.max_retry_amplification),
        &|| long_worst_case::check(graph, analysis, &config.findings),
    ];
    let findings: Vec<Finding> =
        rules.par_iter().map(|rule| rule()).collect::<Vec<_>>().into_iter().flatten().collect();
    crate::analyze::suppress::apply_allows(findings, &config.findings, allows)
}

/// A node's name for messages: its name in backticks.
fn named(node: &crate::model::Node) -> Named<'_> {
    Named(node)
}

/// [`named`]: written straight into the message, with no string of its own.
struct Named<'a>(&'a crate::model::Node);

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} `{}`", self.0.kind.as_str(), self.0.name)
    }
}

/// The place a node-level finding points at: where the node is defined.
fn at(node: &crate::model::Node) -> crate::source::Source {
    node.sources.first().cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests;
