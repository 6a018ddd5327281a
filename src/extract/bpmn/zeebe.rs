//! Camunda 8 (Zeebe) extensions: job types, job retries, called processes and assignments.
//!
//! Zeebe keeps everything in `extensionElements` (`<zeebe:taskDefinition type="charge"
//! retries="3"/>`). A job's `retries` is the number of times it can be activated, the first
//! included: a worker that fails it passes `retries - 1`, and at zero the job becomes an
//! incident. The backoff between tries is whatever the worker's fail command says (none by
//! default), so it is not known from the model.

use roxmltree::Node;

use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};
use crate::source::Source;

use super::{Cx, child, clean};

const ZEEBE_NS: &str = "http://camunda.org/schema/zeebe/1.0";
/// What Zeebe uses when `retries` is not written.
const DEFAULT_RETRIES: u32 = 3;

fn extension<'a, 'i>(el: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    child(el, "extensionElements")?
        .children()
        .find(|n| n.is_element() && n.tag_name().namespace() == Some(ZEEBE_NS) && n.tag_name().name() == local)
}

/// The job type a worker subscribes to (`zeebe:taskDefinition type`).
pub fn job_type(el: Node) -> Option<String> {
    extension(el, "taskDefinition")?.attribute("type").map(clean)
}

/// The process a call activity starts (`zeebe:calledElement processId`), with its position.
pub fn called(cx: &Cx, el: Node) -> Option<(String, Source)> {
    let c = extension(el, "calledElement")?;
    Some((clean(c.attribute("processId")?), cx.attr_at(c, "processId")))
}

/// The process a call activity starts, without its position.
pub fn called_name(el: Node) -> Option<String> {
    extension(el, "calledElement")?.attribute("processId").map(clean)
}

/// Who a user task is for (`zeebe:assignmentDefinition`).
pub fn assignment(el: Node) -> Vec<String> {
    let Some(a) = extension(el, "assignmentDefinition") else { return Vec::new() };
    [("assignee", "assignee"), ("candidateUsers", "candidate users"), ("candidateGroups", "candidate groups")]
        .iter()
        .filter_map(|(k, label)| a.attribute(*k).map(|v| format!("{label} {}", clean(v))))
        .collect()
}

/// The job retries of a task with a `zeebe:taskDefinition`.
pub fn retries(cx: &Cx, el: Node) -> Option<RetryFact> {
    let def = extension(el, "taskDefinition")?;
    let written = def.attribute("retries").map(str::trim);
    let max_attempts = match written {
        None => Value::Known(Some(DEFAULT_RETRIES)),
        Some(r) => match r.parse::<u32>() {
            Ok(n) => Value::Known(Some(n)),
            // A FEEL expression (`=order.retries`), evaluated per instance.
            Err(_) => Value::Unknown { expr: r.to_string() },
        },
    };
    Some(RetryFact {
        source: if written.is_some() { cx.attr_at(def, "retries") } else { cx.of(def) },
        origin: Origin::Code,
        library: "zeebe".to_string(),
        text: written.map_or(format!("default retries {DEFAULT_RETRIES}"), |r| format!("retries=\"{r}\"")),
        strategy: Strategy::Fixed,
        initial_delay_ms: Value::Unknown { expr: "retryBackoff of the worker's fail command".to_string() },
        factor: Value::Known(1.0),
        max_delay_ms: Value::Known(None),
        max_attempts,
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: Some(written.map_or(format!("default ({DEFAULT_RETRIES} tries)"), |r| format!("retries {r}"))),
        on_errors: Vec::new(),
    })
}
