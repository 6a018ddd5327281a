//! A state machine's states and transitions: workflows, steps, `next` and `contains` edges, nested branches.

use crate::extract::yaml::Node;
use crate::extract::{EdgeFact, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

use super::{Cx, choice, number, state};

/// Parallel branches and Map iterators nested deeper than this are not read: real
/// machines nest two or three levels, and the bound keeps a hostile file from exhausting
/// the stack.
const MAX_DEPTH: usize = 8;

/// The state types ASL defines.
const TYPES: [&str; 8] = ["Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"];

/// A whole state machine named `name`: its Workflow node (with `Comment`, the execution's
/// `TimeoutSeconds` and any `note` from a template) and its states.
pub(super) fn top(cx: &mut Cx, name: &str, doc: &Node, note: Option<String>) {
    let mut wf = NodeFact::new(NodeKind::Workflow, name, cx.at(doc));
    let comment = doc.get_str("Comment").map(str::to_string);
    wf.attrs.description = match (comment, note) {
        (Some(c), Some(n)) => Some(format!("{c}\n\n{n}")),
        (c, n) => c.or(n),
    };
    if let Some((key, value)) = super::entry(doc, "TimeoutSeconds") {
        let ms = number::seconds_ms(cx, "TimeoutSeconds", value, 1);
        wf.attrs.deadline = Some(Located::new(ms, cx.at(key)));
    }
    cx.out.facts.nodes.push(wf);
    states(cx, name, doc, 0);
}

/// The states of one machine or branch, scoped to the workflow `scope`.
fn states(cx: &mut Cx, scope: &str, body: &Node, depth: usize) {
    let Some(map) = body.get("States").and_then(Node::as_map) else {
        cx.warn(body, format!("`{scope}` needs `States`, a mapping of state names to states"));
        return;
    };
    let names: Vec<&str> = map.iter().filter_map(|(k, _)| k.as_str()).collect();
    match super::entry(body, "StartAt") {
        None => cx.warn(body, format!("`{scope}` needs `StartAt` naming its first state")),
        Some((_, start)) => match start.as_str() {
            Some(first) if names.contains(&first) => {
                let from = NodeRef::new(NodeKind::Workflow, scope);
                let to = NodeRef::scoped(NodeKind::Step, first, scope);
                cx.out.facts.edges.push(edge(EdgeKind::Next, from, to, cx.at(start), None));
            }
            Some(first) => {
                let message = format!("`StartAt` must name a state of `{scope}`; there is no state `{first}`");
                cx.warn(start, message);
            }
            None => cx.warn(start, "`StartAt` must be the name of the first state"),
        },
    }
    for (key, body) in map {
        if let Some(name) = key.as_str() {
            one(cx, scope, name, key, body, depth);
        }
    }
}

/// One state: its step node, how it is left, and what it runs.
fn one(cx: &mut Cx, scope: &str, name: &str, key: &Node, body: &Node, depth: usize) {
    let at = cx.at(key);
    let me = NodeRef::scoped(NodeKind::Step, name, scope);
    let contains = edge(EdgeKind::Contains, NodeRef::new(NodeKind::Workflow, scope), me.clone(), at.clone(), None);
    cx.out.facts.edges.push(contains);
    let mut node = NodeFact::scoped(NodeKind::Step, name, scope, at);
    if body.as_map().is_none() {
        cx.warn(body, format!("state `{name}` must be a mapping with a `Type`"));
        cx.out.facts.nodes.push(node);
        return;
    }
    node.attrs.description = body.get_str("Comment").map(str::to_string);
    let ty = body.get_str("Type");
    match ty {
        None => cx.warn(key, format!("state `{name}` needs a `Type`: one of {}", TYPES.join(", "))),
        Some(t) if !TYPES.contains(&t) => {
            let message = format!("state `{name}` has `Type: {t}`; ASL knows {}", TYPES.join(", "));
            cx.warn(body.get("Type").unwrap_or(key), message)
        }
        _ => {}
    }
    match ty {
        Some("Task") => state::task(cx, &me, body, &mut node.attrs),
        Some("Parallel") => {
            node.attrs.activity = Some(Located::new("parallel".to_string(), cx.at(key)));
            branches(cx, scope, name, &me, body, depth);
        }
        Some("Map") => {
            node.attrs.activity = Some(Located::new("map".to_string(), cx.at(key)));
            iterator(cx, scope, name, &me, body, depth);
            state::map_io(cx, &me, body, &mut node.attrs);
        }
        Some("Wait") => state::wait(cx, name, body, &mut node.attrs),
        Some("Fail") if node.attrs.description.is_none() => node.attrs.description = failure(body),
        _ => {}
    }
    state::limits(cx, &me, body, &mut node.attrs);
    if ty == Some("Choice") {
        choices(cx, scope, &me, body);
    } else {
        leave(cx, scope, name, &me, key, body, ty);
    }
    cx.out.facts.nodes.push(node);
}

/// `Next` or `End`: Choice, Succeed and Fail states have neither.
fn leave(cx: &mut Cx, scope: &str, name: &str, me: &NodeRef, key: &Node, body: &Node, ty: Option<&str>) {
    if let Some(next) = body.get("Next") {
        match next.as_str() {
            Some(to) => {
                let to = NodeRef::scoped(NodeKind::Step, to, scope);
                cx.out.facts.edges.push(edge(EdgeKind::Next, me.clone(), to, cx.at(next), None));
            }
            None => cx.warn(next, format!("`Next` of `{name}` must name a state")),
        }
    } else if body.get_str("End") != Some("true") && !matches!(ty, Some("Succeed" | "Fail") | None) {
        cx.warn(key, format!("state `{name}` needs `Next` or `End: true`"));
    }
}

/// A Choice state's rules and `Default`, each a `next` edge whose detail is the condition.
fn choices(cx: &mut Cx, scope: &str, me: &NodeRef, body: &Node) {
    for rule in body.get("Choices").and_then(Node::as_seq).unwrap_or_default() {
        let Some(next) = rule.get("Next") else {
            cx.warn(rule, "a Choice rule needs `Next` naming the state it leads to");
            continue;
        };
        let Some(to) = next.as_str() else { continue };
        let to = NodeRef::scoped(NodeKind::Step, to, scope);
        let detail = choice::condition(rule);
        cx.out.facts.edges.push(edge(EdgeKind::Next, me.clone(), to, cx.at(next), Some(detail)));
    }
    if let Some(default) = body.get("Default")
        && let Some(to) = default.as_str()
    {
        let to = NodeRef::scoped(NodeKind::Step, to, scope);
        cx.out.facts.edges.push(edge(EdgeKind::Next, me.clone(), to, cx.at(default), Some("Default".to_string())));
    }
}

/// A Parallel state's `Branches`, each a workflow named `<scope> › <state> › branch <n>`.
fn branches(cx: &mut Cx, scope: &str, name: &str, me: &NodeRef, body: &Node, depth: usize) {
    let Some(list) = body.get("Branches").and_then(Node::as_seq) else {
        cx.warn(body, format!("Parallel state `{name}` needs `Branches`, a list of state machines"));
        return;
    };
    for (i, branch) in list.iter().enumerate() {
        nested(cx, &format!("{scope} › {name} › branch {}", i + 1), me, branch, depth);
    }
}

/// A Map state's `ItemProcessor` (or legacy `Iterator`), a workflow named
/// `<scope> › <state> › iterator`.
fn iterator(cx: &mut Cx, scope: &str, name: &str, me: &NodeRef, body: &Node, depth: usize) {
    let Some(processor) = body.get("ItemProcessor").or_else(|| body.get("Iterator")) else {
        cx.warn(body, format!("Map state `{name}` needs `ItemProcessor` (or `Iterator`) with the states run per item"));
        return;
    };
    nested(cx, &format!("{scope} › {name} › iterator"), me, processor, depth);
}

/// A nested state machine: a workflow of its own, contained by the state that runs it.
fn nested(cx: &mut Cx, scope: &str, parent: &NodeRef, body: &Node, depth: usize) {
    if depth + 1 > MAX_DEPTH {
        cx.warn(body, format!("states nested deeper than {MAX_DEPTH} levels are not read"));
        return;
    }
    let at = cx.at(body);
    let mut wf = NodeFact::new(NodeKind::Workflow, scope, at.clone());
    wf.attrs.description = body.get_str("Comment").map(str::to_string);
    cx.out.facts.nodes.push(wf);
    let contains = edge(EdgeKind::Contains, parent.clone(), NodeRef::new(NodeKind::Workflow, scope), at, None);
    cx.out.facts.edges.push(contains);
    states(cx, scope, body, depth + 1);
}

/// A Fail state without a comment is described by the error it ends the execution with.
fn failure(body: &Node) -> Option<String> {
    match (body.get_str("Error"), body.get_str("Cause")) {
        (Some(e), Some(c)) => Some(format!("Fails the execution with `{e}`: {c}")),
        (Some(e), None) => Some(format!("Fails the execution with `{e}`.")),
        (None, Some(c)) => Some(format!("Fails the execution: {c}")),
        (None, None) => None,
    }
}

pub(super) fn edge(kind: EdgeKind, from: NodeRef, to: NodeRef, source: Source, detail: Option<String>) -> EdgeFact {
    EdgeFact { from, to, kind, source, resolve: Resolve::Required, detail }
}
