//! One flow node as a step: what it does, what it waits for, its retries and the notes an on-call reader needs.

use roxmltree::Node;

use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, NodeFact, NodeRef, Resolve, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

use super::iso::{self, IsoError};
use super::scope::{Scope, Scopes, Step};
use super::{
    Cx, camunda_attr, camunda_attr_at, child, clean, code, event_definition, extensions, flag, retry, text_of, zeebe,
};

/// Builds the step fact of one flow node; a call activity also gives its `calls` edge.
pub fn node(
    cx: &Cx,
    scopes: &Scopes,
    scope: &Scope,
    step: &Step,
    edges: &mut Vec<EdgeFact>,
    diags: &mut Vec<Diagnostic>,
) -> NodeFact {
    let el = step.el;
    let src = cx.of(el);
    let mut n = NodeFact::scoped(NodeKind::Step, &step.name, &scope.workflow, src.clone());
    let mut notes: Vec<String> = children_text(el, "documentation");
    let kind = step.kind();
    let external = camunda_attr(el, "type") == Some("external");

    if let Some(activity) = activity(kind, el, scopes) {
        n.attrs.activity = Some(Located::new(activity, src.clone()));
    }
    if let Some(waits) = waits(cx, kind, el, external) {
        n.attrs.waits = Some(Located::new(waits, src.clone()));
    }
    if let Some(effect) = side_effect(cx, kind, el) {
        n.attrs.side_effects.push(Located::new(effect, src.clone()));
    }
    if kind == "callActivity" {
        call(cx, scopes, scope, step, edges, &mut notes, diags);
    }
    if kind == "intermediateCatchEvent" {
        n.attrs.duration_ms = timer_wait(cx, el, diags);
    }
    notes.extend(event_note(cx, kind, el));
    if kind == "manualTask" {
        notes.push("Manual task: done by a person outside the engine, which passes straight through.".into());
    }
    notes.extend(loop_note(el));
    if el.attribute("isForCompensation") == Some("true") {
        notes.push("Compensation handler: runs only when the activity it compensates is undone.".into());
    }
    if external {
        notes.push(
            "An external worker fetches and locks this task. When it fails, the worker reports how many \
             retries remain and how long to wait, so the retry schedule lives in the worker's code."
                .into(),
        );
    }
    if let Some(t) = zeebe::job_type(el) {
        notes.push(format!(
            "A Zeebe job worker of type \"{t}\" activates this job. When it fails the job, it sets the retries \
             left and the backoff; at zero retries the job becomes an incident."
        ));
    }
    let (before, after) = (flag(el, "asyncBefore"), flag(el, "asyncAfter"));
    if before {
        notes.push(
            "Transaction boundary before this step (`asyncBefore`): it runs as a job, and a failure retries from here."
                .into(),
        );
    }
    if after {
        notes.push("Transaction boundary after this step (`asyncAfter`): the engine commits when it finishes, and a failure in what follows retries from here.".into());
    }
    retries(cx, el, before || after, external, &mut n, &mut notes, diags);
    if !notes.is_empty() {
        n.attrs.description = Some(notes.join("\n\n"));
    }
    n
}

/// What the step does, in words; events and gateways only route and have none. A
/// sub-process has none either: its duration is that of its content (the nested workflow),
/// not an unbounded task of its own.
fn activity(kind: &str, el: Node, scopes: &Scopes) -> Option<String> {
    let label = match kind {
        "serviceTask" => "service task".to_string(),
        "sendTask" => "send task".to_string(),
        "businessRuleTask" => "business rule task".to_string(),
        "userTask" => "user task".to_string(),
        "receiveTask" => "receive task".to_string(),
        // The engine passes straight through these (the work, if any, happens outside
        // it): they cannot fail and take no time, so they get no activity.
        "manualTask" | "task" => return None,
        "scriptTask" => match el.attribute("scriptFormat") {
            Some(f) => return Some(format!("script task ({})", clean(f))),
            None => "script task".to_string(),
        },
        "callActivity" => {
            let called =
                el.attribute("calledElement").map(clean).or_else(|| zeebe::called_name(el)).unwrap_or_default();
            let called = scopes.processes.get(called.as_str()).cloned().unwrap_or(called);
            return Some(format!("call activity {called}").trim_end().to_string());
        }
        _ => return None,
    };
    Some(match implementation(el) {
        Some(how) => format!("{label} ({how})"),
        None => label,
    })
}

/// How Camunda runs a task: a Java class, an expression, an external worker, a connector.
fn implementation(el: Node) -> Option<String> {
    if let Some(t) = zeebe::job_type(el) {
        return Some(format!("job type \"{t}\""));
    }
    if camunda_attr(el, "type") == Some("external") {
        let topic = camunda_attr(el, "topic").map(clean).unwrap_or_default();
        return Some(format!("external topic \"{topic}\""));
    }
    for key in ["class", "delegateExpression", "expression"] {
        if let Some(v) = camunda_attr(el, key) {
            return Some(format!("{key} {}", clean(v)));
        }
    }
    if let Some(d) = camunda_attr(el, "decisionRef") {
        return Some(format!("decision {}", clean(d)));
    }
    let connector = extensions(el, "connectorId").next().map(text_of).filter(|s| !s.is_empty());
    connector.map(|c| format!("connector {c}"))
}

fn waits(cx: &Cx, kind: &str, el: Node, external: bool) -> Option<String> {
    if external {
        let topic = camunda_attr(el, "topic").map(clean).unwrap_or_default();
        return Some(format!("an external worker on topic \"{topic}\""));
    }
    if let Some(t) = zeebe::job_type(el) {
        return Some(format!("a job worker of type \"{t}\""));
    }
    match kind {
        "userTask" => {
            let mut who: Vec<String> = [
                ("assignee", "assignee"),
                ("candidateUsers", "candidate users"),
                ("candidateGroups", "candidate groups"),
            ]
            .iter()
            .filter_map(|(k, label)| camunda_attr(el, k).map(|v| format!("{label} {}", clean(v))))
            .collect();
            who.extend(zeebe::assignment(el));
            Some(if who.is_empty() { "a person".to_string() } else { format!("a person: {}", who.join(", ")) })
        }
        "receiveTask" => Some(message(cx, el.attribute("messageRef"))),
        "intermediateCatchEvent" => match event_definition(el)? {
            ("messageEventDefinition", d) => Some(message(cx, d.attribute("messageRef"))),
            ("signalEventDefinition", d) => Some(format!(
                "signal {}",
                d.attribute("signalRef").map_or("?", |r| cx.signals.get(r).copied().unwrap_or(r))
            )),
            ("conditionalEventDefinition", d) => {
                let cond = child(d, "condition").map(text_of).unwrap_or_default();
                Some(format!("condition {}", super::short(&cond)))
            }
            _ => None,
        },
        _ => None,
    }
}

fn message(cx: &Cx, reference: Option<&str>) -> String {
    match reference {
        Some(r) => format!("message {}", clean(cx.messages.get(r).copied().unwrap_or(r))),
        None => "a message".to_string(),
    }
}

/// Only what certainly changes something outside: a send task and a message throw event.
fn side_effect(cx: &Cx, kind: &str, el: Node) -> Option<String> {
    match kind {
        "sendTask" => Some(format!("sends {}", message(cx, el.attribute("messageRef")))),
        "intermediateThrowEvent" | "endEvent" => match event_definition(el)? {
            ("messageEventDefinition", d) => Some(format!("sends {}", message(cx, d.attribute("messageRef")))),
            _ => None,
        },
        _ => None,
    }
}

fn call(
    cx: &Cx,
    scopes: &Scopes,
    scope: &Scope,
    step: &Step,
    edges: &mut Vec<EdgeFact>,
    notes: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let written = match step.el.attribute("calledElement") {
        Some(_) => Some((
            step.el.attribute("calledElement").map(clean).unwrap_or_default(),
            cx.attr_at(step.el, "calledElement"),
        )),
        None => zeebe::called(cx, step.el),
    };
    let Some((called, at)) = written.filter(|(c, _)| !c.is_empty()) else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            cx.of(step.el),
            "expected a `calledElement` naming the process this call activity starts",
        ));
        return;
    };
    if called.contains("${") || called.contains("#{") || called.starts_with('=') {
        notes.push(format!("The called process is chosen at run time: {}.", code(&called)));
        return;
    }
    let name = scopes.processes.get(called.as_str()).cloned().unwrap_or(called);
    edges.push(EdgeFact {
        from: NodeRef::scoped(NodeKind::Step, &step.name, &scope.workflow),
        to: NodeRef::new(NodeKind::Workflow, name),
        kind: EdgeKind::Calls,
        source: at,
        resolve: Resolve::External,
        detail: None,
    });
}

/// A timer catch event waits by design: `timeDuration` is a fixed wait; a date or a cycle
/// depends on when the instance gets there.
fn timer_wait(cx: &Cx, el: Node, diags: &mut Vec<Diagnostic>) -> Option<Located<Value<u64>>> {
    let ("timerEventDefinition", def) = event_definition(el)? else { return None };
    let (spec, text, at) = timer_spec(cx, def)?;
    let value = match spec {
        "timeDuration" => duration_value(&text, &at, diags),
        _ => Value::Unknown { expr: format!("{spec} {text}") },
    };
    Some(Located::new(value, at))
}

/// The timer's `timeDuration`, `timeDate` or `timeCycle`, with its text and position.
pub fn timer_spec<'a>(cx: &Cx, def: Node<'a, '_>) -> Option<(&'a str, String, Source)> {
    ["timeDuration", "timeDate", "timeCycle"]
        .into_iter()
        .find_map(|k| child(def, k).map(|c| (k, clean(&text_of(c)), cx.of(c))))
}

/// An ISO-8601 duration as a value: expressions and calendar units are unknown; anything
/// else that does not parse is a warning.
pub fn duration_value(text: &str, at: &Source, diags: &mut Vec<Diagnostic>) -> Value<u64> {
    match iso::parse_ms(text) {
        Ok(ms) => Value::Known(ms),
        Err(IsoError::Calendar) => Value::Unknown { expr: text.to_string() },
        Err(IsoError::Invalid) => {
            if !(text.contains("${") || text.contains("#{")) {
                diags.push(Diagnostic::warning(
                    "invalid-value",
                    at.clone(),
                    format!("expected an ISO-8601 duration such as `PT10M` or `P1D`, found `{text}`"),
                ));
            }
            Value::Unknown { expr: text.to_string() }
        }
    }
}

/// What an event does besides routing: how a start event starts, how an end event ends.
fn event_note(cx: &Cx, kind: &str, el: Node) -> Option<String> {
    let (def, d) = event_definition(el)?;
    let code_of = |map: &std::collections::HashMap<&str, &str>, attr: &str| -> String {
        d.attribute(attr).map_or("(any)".to_string(), |r| clean(map.get(r).copied().unwrap_or(r)))
    };
    let timer = || {
        let spec =
            ["timeDuration", "timeDate", "timeCycle"].into_iter().find_map(|k| child(d, k).map(|c| (k, text_of(c))));
        spec.map_or("a timer".to_string(), |(k, t)| format!("a timer ({k} {})", code(&t)))
    };
    Some(match (kind, def) {
        ("startEvent", "timerEventDefinition") => format!("Starts on {}.", timer()),
        ("startEvent", "messageEventDefinition") => {
            format!("Starts when {} arrives.", message(cx, d.attribute("messageRef")))
        }
        ("startEvent", "errorEventDefinition") => {
            format!("Starts when error {} is thrown.", code_of(&cx.errors, "errorRef"))
        }
        ("startEvent", "escalationEventDefinition") => {
            format!("Starts when escalation {} is raised.", code_of(&cx.escalations, "escalationRef"))
        }
        ("startEvent", "signalEventDefinition") => format!("Starts on signal {}.", code_of(&cx.signals, "signalRef")),
        ("endEvent", "errorEventDefinition") => format!("Ends by throwing error {}.", code_of(&cx.errors, "errorRef")),
        ("endEvent", "terminateEventDefinition") => "Terminates the whole process instance.".to_string(),
        ("endEvent" | "intermediateThrowEvent", "escalationEventDefinition") => {
            format!("Raises escalation {}.", code_of(&cx.escalations, "escalationRef"))
        }
        ("endEvent" | "intermediateThrowEvent", "compensateEventDefinition") => {
            "Compensates (undoes) the completed activities of its scope.".to_string()
        }
        ("endEvent" | "intermediateThrowEvent", "signalEventDefinition") => {
            format!("Broadcasts signal {}.", code_of(&cx.signals, "signalRef"))
        }
        _ => return None,
    })
}

fn loop_note(el: Node) -> Option<String> {
    if let Some(mi) = child(el, "multiInstanceLoopCharacteristics") {
        let how = if mi.attribute("isSequential") == Some("true") { "one after another" } else { "in parallel" };
        let over = camunda_attr(mi, "collection")
            .map(|c| format!("once per element of {}", code(c)))
            .or_else(|| child(mi, "loopCardinality").map(|c| format!("{} times", code(&text_of(c)))))
            .unwrap_or_else(|| "several times".to_string());
        return Some(format!("Multi-instance: runs {over}, {how}."));
    }
    child(el, "standardLoopCharacteristics").map(|_| "Loops while its loop condition holds.".to_string())
}

/// Retries: a written cycle, else a retry profile, else Camunda's default for a step that
/// runs as a job. A step that is not a job gets no default: a failure there rolls back to
/// whatever transaction boundary came before it.
fn retries(
    cx: &Cx,
    el: Node,
    is_job: bool,
    external: bool,
    n: &mut NodeFact,
    notes: &mut Vec<String>,
    diags: &mut Vec<Diagnostic>,
) {
    let written = extensions(el, "failedJobRetryTimeCycle").next().map(|c| (text_of(c), cx.of(c))).or_else(|| {
        camunda_attr(el, "failedJobRetryTimeCycle")
            .map(|v| (v.to_string(), camunda_attr_at(cx, el, "failedJobRetryTimeCycle")))
    });
    if let Some((text, at)) = written {
        match retry::cycle(&text, at.clone()) {
            Ok(fact) => n.attrs.retries.push(fact),
            Err(expected) => diags.push(Diagnostic::warning("invalid-value", at, expected)),
        }
        let timer = event_definition(el).is_some_and(|(d, _)| d == "timerEventDefinition");
        if !is_job && !external && !timer {
            notes.push(
                "The retry cycle applies to jobs only, and this step is neither `asyncBefore` nor `asyncAfter`: \
                 a failure here rolls back to the previous transaction boundary."
                    .into(),
            );
        }
        return;
    }
    let profile = extensions(el, "property").find(|p| p.attribute("name") == Some("retryProfile"));
    if let Some(p) = profile {
        let name = p.attribute("value").map(clean).unwrap_or_default();
        n.attrs.retries.push(retry::profile(&name, cx.of(p)));
        return;
    }
    if let Some(fact) = zeebe::retries(cx, el) {
        n.attrs.retries.push(fact);
        return;
    }
    if is_job {
        let at = if flag(el, "asyncBefore") {
            camunda_attr_at(cx, el, "asyncBefore")
        } else {
            camunda_attr_at(cx, el, "asyncAfter")
        };
        n.attrs.retries.push(retry::default_for_job(at));
    }
}

fn children_text(el: Node, local: &str) -> Vec<String> {
    super::children(el).filter(|c| c.tag_name().name() == local).map(text_of).filter(|t| !t.is_empty()).collect()
}
