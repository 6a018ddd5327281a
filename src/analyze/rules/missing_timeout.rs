//! `missing-timeout`: a step that can wait forever: an HTTP call, a callback or a person, with no timeout.

use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::model::Graph;

pub fn check(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        if analysis.timeout_ms.contains_key(&node.id) {
            continue;
        }
        if let Some(waits) = &node.attrs.waits
            && node.attrs.heartbeat_ms.is_none()
        {
            out.push(Finding::new(
                "missing-timeout",
                Severity::Warning,
                Some(&node.id),
                &waits.source,
                format!(
                    "{} waits for {} with no timeout and no heartbeat: if the answer never comes, \
                     the run waits forever and nothing fails to tell you",
                    super::named(node),
                    waits.value
                ),
                "set a timeout on the step (ASL `TimeoutSeconds` or `HeartbeatSeconds`, a timer boundary \
                 event, an `activeDeadlineSeconds`) and handle its expiry",
            ));
            continue;
        }
        let Some(call) = node.attrs.http_calls.first() else { continue };
        out.push(Finding::new(
            "missing-timeout",
            Severity::Warning,
            Some(&node.id),
            &call.source,
            format!(
                "{} makes an HTTP {} with no timeout: when the other side stops answering, \
                 this call waits forever and holds its worker",
                super::named(node),
                call.method
            ),
            "set `.timeout(..)` on the request or on the client builder, or wrap the call in \
             `tokio::time::timeout`, and declare `timeout:` in the `# Operations` section",
        ));
    }
    out
}
