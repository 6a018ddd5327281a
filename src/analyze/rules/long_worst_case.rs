//! `long-worst-case`: a retry policy or a workflow that can take longer than `[findings] max_worst_case`.

use crate::analyze::{Analysis, Finding};
use crate::config::FindingsConfig;
use crate::diag::Severity;
use crate::extract::duration::{human, parse_ms};
use crate::model::Graph;

pub fn check(graph: &Graph, analysis: &Analysis, config: &FindingsConfig) -> Vec<Finding> {
    let Some(limit) = config.max_worst_case.as_deref().and_then(parse_ms) else { return Vec::new() };
    let help = format!(
        "bound it more tightly (fewer attempts, shorter delays or timeouts, an elapsed-time limit), or raise \
         `max_worst_case` ({}) in opsbook.toml if this is the intended budget",
        human(limit)
    );
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        if let Some(policy) = analysis.retry.get(&node.id)
            && let Some(worst) = policy.worst_case_ms.filter(|&w| w > limit)
        {
            out.push(Finding::new(
                "long-worst-case",
                Severity::Warning,
                Some(&node.id),
                &policy.source,
                format!(
                    "{} may keep retrying for up to {} before it reports a failure, longer than the {} the \
                     project accepts: an incident on its dependency stays invisible that long",
                    super::named(node),
                    human(worst),
                    human(limit)
                ),
                help.clone(),
            ));
        }
        if let Some(worst) = analysis.workflows.get(&node.id).and_then(|w| w.worst_case_ms).filter(|&w| w > limit) {
            out.push(Finding::new(
                "long-worst-case",
                Severity::Warning,
                Some(&node.id),
                &super::at(node),
                format!(
                    "{} may take up to {} along its longest path, longer than the {} the project accepts",
                    super::named(node),
                    human(worst),
                    human(limit)
                ),
                help.clone(),
            ));
        }
    }
    out
}
