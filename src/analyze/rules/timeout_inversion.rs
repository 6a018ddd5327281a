//! `timeout-inversion`: a caller gives up before its callee's retries can finish.

use petgraph::visit::EdgeRef;

use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::extract::Origin;
use crate::extract::duration::human;
use crate::model::{EdgeKind, Graph};

pub fn check(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
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
