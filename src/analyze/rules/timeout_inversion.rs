//! `timeout-inversion`: a caller, or a workflow's deadline, gives up before the retries under it can finish.

use petgraph::visit::EdgeRef;

use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::extract::Origin;
use crate::extract::duration::human;
use crate::model::{EdgeKind, Graph};

pub fn check(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let mut out = calls(graph, analysis);
    out.extend(deadlines(graph, analysis));
    out
}

/// A workflow's deadline shorter than one of its steps' retries, or than its own longest path.
fn deadlines(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let g = &graph.graph;
    let mut out = Vec::new();
    for (idx, wf) in graph.nodes() {
        let Some(deadline) = &wf.attrs.deadline else { continue };
        let Some(limit) = deadline.value.known() else { continue };
        let mut step_found = false;
        for e in g.edges(idx).filter(|e| e.weight().kind == EdgeKind::Contains) {
            let step = &g[e.target()];
            let Some(policy) = analysis.retry.get(&step.id) else { continue };
            let Some(worst) = policy.worst_case_ms.filter(|&w| w > limit) else { continue };
            step_found = true;
            out.push(Finding::new(
                "timeout-inversion",
                Severity::Warning,
                Some(&step.id),
                &policy.source,
                format!(
                    "{} may retry for up to {} ({}), but workflow `{}` is stopped after {} ({}): the \
                     deadline cuts the retries short, and the run fails while a retry could still succeed",
                    super::named(step),
                    human(worst),
                    attempts_words(policy.max_attempts),
                    wf.name,
                    human(limit),
                    deadline.source
                ),
                "make the workflow's deadline longer than its steps' worst cases, or shrink the retries to fit",
            ));
        }
        let path = analysis.workflows.get(&wf.id);
        if let Some(worst) = path.and_then(|p| p.worst_case_ms).filter(|&w| w > limit && !step_found) {
            let steps: Vec<&str> = path
                .map(|p| p.critical_path.iter().filter_map(|id| graph.node(id)).map(|n| n.name.as_str()).collect())
                .unwrap_or_default();
            out.push(Finding::new(
                "timeout-inversion",
                Severity::Warning,
                Some(&wf.id),
                &deadline.source,
                format!(
                    "workflow `{}` is stopped after {}, but its steps may take up to {} along {}: when \
                     they all need their retries, the run is killed before it can finish",
                    wf.name,
                    human(limit),
                    human(worst),
                    steps.join(" → ")
                ),
                "make the deadline longer than the longest path, or bound the steps on it more tightly",
            ));
        }
    }
    out
}

fn attempts_words(n: Option<u32>) -> String {
    n.map_or("attempts bounded by time".to_string(), |n| format!("{n} attempts"))
}

/// A caller whose timeout is shorter than the retries of a step it calls.
fn calls(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let g = &graph.graph;
    let mut out = Vec::new();
    for e in g.edge_references().filter(|e| e.weight().kind == EdgeKind::Calls) {
        let (caller, callee) = (&g[e.source()], &g[e.target()]);
        let Some(&budget) = analysis.timeout_ms.get(&caller.id) else { continue };
        let Some(policy) = analysis.retry.get(&callee.id) else { continue };
        let callee_needs = match (policy.worst_case_ms, policy.max_attempts) {
            (Some(worst), Some(n)) if worst > budget => format!("up to {} ({n} attempts)", human(worst)),
            (Some(worst), None) if worst > budget => format!("up to {} (its time limit)", human(worst)),
            (None, None) if policy.unknown.is_empty() => "forever".to_string(),
            _ => continue,
        };
        // Point at the caller's timeout: that is the budget the callee does not fit in.
        let mut timeouts: Vec<_> = caller.attrs.timeouts.iter().filter(|t| t.ms.known() == Some(budget)).collect();
        timeouts.sort_by_key(|t| t.origin != Origin::Code);
        let at = timeouts.first().map_or_else(|| super::at(caller), |t| t.source.clone());
        out.push(Finding::new(
            "timeout-inversion",
            Severity::Warning,
            Some(&caller.id),
            &at,
            format!(
                "{} gives up after {}, but {} it calls may retry for {callee_needs} ({}): the caller \
                 times out while the callee is still retrying, so a late success is thrown away and \
                 the caller's own retry starts a second chain of attempts",
                super::named(caller),
                human(budget),
                super::named(callee),
                policy.source
            ),
            "give the caller a timeout longer than the callee's worst case, or shrink the callee's retries \
             to fit inside the caller's budget",
        ));
    }
    out
}
