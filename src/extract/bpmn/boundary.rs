//! Boundary events: the timeouts, error paths and interruptions of the task they are attached to.

use roxmltree::Node;

use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, NodeFact, NodeRef, Origin, Resolve, TimeoutFact, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Located;

use super::emit::reference;
use super::scope::{Scopes, Target};
use super::step::{duration_value, timer_spec};
use super::{Cx, child, clean, code, event_definition, short, text_of};

/// Reads boundary event `bi` of scope `si` onto the step it is attached to.
pub fn apply(
    cx: &Cx,
    scopes: &Scopes,
    si: usize,
    bi: usize,
    steps: &mut [Vec<NodeFact>],
    edges: &mut Vec<EdgeFact>,
    diags: &mut Vec<Diagnostic>,
) {
    let scope = &scopes.list[si];
    let b = scope.boundaries[bi];
    let Some(attached) = b.attribute("attachedToRef") else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            cx.of(b),
            "expected `attachedToRef` naming the activity this boundary event is attached to; it is skipped",
        ));
        return;
    };
    let Some(&Target::Step(ts, ti)) = scopes.ids.get(attached) else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            cx.attr_at(b, "attachedToRef"),
            format!("expected `attachedToRef` to name an activity of this file, found `{attached}`; it is skipped"),
        ));
        return;
    };
    let task = scopes.step((ts, ti));
    let from = NodeRef::scoped(NodeKind::Step, &task.name, &scopes.list[ts].workflow);
    let id = b.attribute("id").unwrap_or_default();
    let label = b.attribute("name").map(clean).filter(|s| !s.is_empty()).unwrap_or_else(|| id.to_string());
    let interrupting = b.attribute("cancelActivity") != Some("false");
    // Where the boundary event leads: its outgoing flows, or for compensation the handler
    // its association points at.
    let mut targets: Vec<(NodeRef, Node)> = scope
        .flows
        .iter()
        .filter(|f| !id.is_empty() && f.attribute("sourceRef") == Some(id))
        .filter_map(|f| f.attribute("targetRef").map(|t| (reference(scopes, scope, t), *f)))
        .collect();
    let def = event_definition(b);
    if def.is_some_and(|(d, _)| d == "compensateEventDefinition") {
        targets = scope
            .associations
            .iter()
            .filter(|a| !id.is_empty() && a.attribute("sourceRef") == Some(id))
            .filter_map(|a| a.attribute("targetRef").map(|t| (reference(scopes, scope, t), *a)))
            .collect();
    }
    let names = if targets.is_empty() {
        "(no outgoing flow)".to_string()
    } else {
        targets.iter().map(|(r, _)| r.name.clone()).collect::<Vec<_>>().join(", ")
    };
    let node = &mut steps[ts][ti];
    let at = cx.of(b);
    let mode = if interrupting { "" } else { "non-interrupting " };
    let code_of = |map: &std::collections::HashMap<&str, &str>, d: Node, attr: &str| -> String {
        d.attribute(attr).map_or("(any)".to_string(), |r| clean(map.get(r).copied().unwrap_or(r)))
    };
    let (kind, detail, handling, note) = match def {
        Some(("errorEventDefinition", d)) => {
            let c = code_of(&cx.errors, d, "errorRef");
            (EdgeKind::OnError, format!("error {c}"), Some(format!("error boundary event {c} -> {names}")), None)
        }
        Some(("escalationEventDefinition", d)) => {
            let c = code_of(&cx.escalations, d, "escalationRef");
            let h = format!("{mode}escalation boundary event {c} -> {names}");
            (EdgeKind::OnError, format!("escalation {c}"), Some(h), None)
        }
        Some(("compensateEventDefinition", _)) => {
            (EdgeKind::OnError, "compensation".to_string(), Some(format!("compensation -> {names}")), None)
        }
        Some(("cancelEventDefinition", _)) => {
            (EdgeKind::OnError, "cancel".to_string(), Some(format!("cancel boundary event -> {names}")), None)
        }
        Some(("timerEventDefinition", d)) => match timer_spec(cx, d) {
            Some((spec, text, spec_at)) => {
                let ms = match spec {
                    "timeDuration" => duration_value(&text, &spec_at, diags),
                    _ => Value::Unknown { expr: format!("{spec} {text}") },
                };
                if interrupting {
                    node.attrs.timeouts.push(TimeoutFact {
                        source: spec_at,
                        origin: Origin::Code,
                        library: "bpmn timer boundary event".to_string(),
                        text: text.clone(),
                        ms,
                    });
                    let h = format!("timer boundary event {text} -> {names}");
                    (EdgeKind::OnError, format!("timeout {text}"), Some(h), None)
                } else {
                    // The task keeps running: this is a reminder or an escalation path,
                    // not a limit on the task.
                    let note = format!(
                        "After {text}, a non-interrupting timer ({}) also starts {names}; this step keeps running.",
                        code(&label)
                    );
                    (EdgeKind::Next, format!("non-interrupting timer {text}"), None, Some(note))
                }
            }
            None => {
                diags.push(Diagnostic::warning(
                    "invalid-value",
                    cx.of(d),
                    "expected `timeDuration`, `timeDate` or `timeCycle` in this timer",
                ));
                (EdgeKind::Next, format!("timer {label}"), None, None)
            }
        },
        Some((other @ ("messageEventDefinition" | "signalEventDefinition" | "conditionalEventDefinition"), d)) => {
            let what = match other {
                "messageEventDefinition" => format!("message {}", code_of(&cx.messages, d, "messageRef")),
                "signalEventDefinition" => format!("signal {}", code_of(&cx.signals, d, "signalRef")),
                _ => format!("condition {}", short(&child(d, "condition").map(text_of).unwrap_or_default())),
            };
            let note = if interrupting {
                format!("Interrupted by {what} ({}): continues at {names}.", code(&label))
            } else {
                format!("On {what} ({}), also starts {names}; this step keeps running.", code(&label))
            };
            (EdgeKind::Next, what, None, Some(note))
        }
        _ => (EdgeKind::Next, format!("boundary event {label}"), None, None),
    };
    if let Some(h) = handling {
        node.attrs.error_handling.push(Located::new(h, at.clone()));
    }
    if let Some(note) = note {
        node.attrs.description = Some(match node.attrs.description.take() {
            Some(d) => format!("{d}\n\n{note}"),
            None => note,
        });
    }
    for (to, stated_at) in targets {
        edges.push(EdgeFact {
            from: from.clone(),
            to,
            kind,
            source: cx.of(stated_at),
            resolve: Resolve::Required,
            detail: Some(detail.clone()),
        });
    }
}
