//! BPMN 2.0 processes with Camunda extensions: tasks, gateways, flows, boundary events and retry cycles.
//!
//! The file is read with roxmltree into a read-only DOM. Elements are matched by namespace
//! URI and local name, never by prefix (`bpmn:`, `bpmn2:`, `semantic:` and the default
//! namespace all occur). Reading happens in two passes: [`scope`] collects every process and
//! sub-process with its flow nodes and gives each a name unique in its scope, so that a flow
//! or boundary event can name any element of the file by id; [`emit`] then turns each scope
//! into workflow, step and edge facts.
//!
//! How BPMN speaks in facts: a `process` is a workflow (named by its `name`, else its id);
//! each flow node (task, gateway, event) is a step scoped to it, and start events are steps
//! the workflow points at (`workflow --next--> start event`). A sub-process is a step that
//! contains a nested workflow `<parent> › <sub-process>`. Boundary events are not steps: they
//! add timeouts, error handling and `on_error` edges to the task they are attached to.
//! Retries come from Camunda 7 retry cycles ([`retry`]) or Camunda 8 job definitions
//! ([`zeebe`]).

mod boundary;
mod emit;
mod iso;
mod retry;
mod scope;
mod step;
mod zeebe;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use roxmltree::{Document, Node, ParsingOptions};

use crate::diag::Diagnostic;
use crate::extract::Extracted;
use crate::source::{Source, line_col};

pub const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// Camunda 7 and the forks and ancestors that share its attributes (`class`, `asyncBefore`,
/// `failedJobRetryTimeCycle`, ...).
const CAMUNDA_NS: [&str; 4] = [
    "http://camunda.org/schema/1.0/bpmn",
    "http://activiti.org/bpmn",
    "http://www.camunda.com/fox",
    "http://operaton.org/schema/1.0/bpmn",
];
/// Sub-processes nested deeper than this are not read (a real model never comes close).
const MAX_DEPTH: usize = 32;
/// Longest condition or detail text kept on an edge.
const MAX_DETAIL: usize = 80;

/// Reads one BPMN file. A file that is not XML is one `parse-error`; a file with no
/// `process` gives nothing.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: 2_000_000, ..ParsingOptions::default() };
    let doc = match Document::parse_with_options(text, opts) {
        Ok(doc) => doc,
        Err(e) => {
            let pos = e.pos();
            out.diagnostics.push(Diagnostic::error(
                "parse-error",
                Source::new(path, pos.row, pos.col),
                format!("invalid BPMN XML: {e}"),
            ));
            return out;
        }
    };
    let cx = Cx::new(path, text, &doc);
    let mut diags = Vec::new();
    let scopes = scope::collect(&cx, &doc, &mut diags);
    out.facts = emit::emit(&cx, &scopes, &mut diags);
    out.diagnostics = diags;
    out
}

/// What every pass needs: where we are, and the file's global definitions by id.
pub struct Cx<'a> {
    pub path: &'a str,
    pub text: &'a str,
    /// `error` id -> its code (else name, else id).
    pub errors: HashMap<&'a str, &'a str>,
    pub escalations: HashMap<&'a str, &'a str>,
    /// `message` id -> its name (else id).
    pub messages: HashMap<&'a str, &'a str>,
    pub signals: HashMap<&'a str, &'a str>,
}

impl<'a> Cx<'a> {
    fn new(path: &'a str, text: &'a str, doc: &'a Document<'a>) -> Cx<'a> {
        let mut cx = Cx {
            path,
            text,
            errors: HashMap::new(),
            escalations: HashMap::new(),
            messages: HashMap::new(),
            signals: HashMap::new(),
        };
        let root = doc.root_element();
        for el in root.children().filter(|n| n.tag_name().namespace() == Some(BPMN_NS)) {
            let Some(id) = el.attribute("id") else { continue };
            let name = el.attribute("name").filter(|s| !s.trim().is_empty());
            match el.tag_name().name() {
                "error" => cx.errors.insert(id, el.attribute("errorCode").or(name).unwrap_or(id)),
                "escalation" => cx.escalations.insert(id, el.attribute("escalationCode").or(name).unwrap_or(id)),
                "message" => cx.messages.insert(id, name.unwrap_or(id)),
                "signal" => cx.signals.insert(id, name.unwrap_or(id)),
                _ => None,
            };
        }
        cx
    }

    /// The position of a byte offset.
    pub fn at(&self, offset: usize) -> Source {
        let (line, column) = line_col(self.text, offset);
        Source::new(self.path, line, column)
    }

    /// The position of an element's start tag.
    pub fn of(&self, node: Node) -> Source {
        self.at(node.range().start)
    }

    /// The position of an attribute's value, else of its element.
    pub fn attr_at(&self, node: Node, name: &str) -> Source {
        match node.attributes().find(|a| a.name() == name) {
            Some(a) => self.at(a.range_value().start),
            None => self.of(node),
        }
    }
}

/// Whether `node` is the BPMN element `local`.
pub fn is(node: Node, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(BPMN_NS) && node.tag_name().name() == local
}

/// The BPMN children of `node`.
pub fn children<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|n| n.is_element() && n.tag_name().namespace() == Some(BPMN_NS))
}

/// The first BPMN child named `local`.
pub fn child<'a, 'i>(node: Node<'a, 'i>, local: &str) -> Option<Node<'a, 'i>> {
    children(node).find(|n| n.tag_name().name() == local)
}

/// A Camunda attribute (`camunda:asyncBefore`), in any of the Camunda-family namespaces.
pub fn camunda_attr<'a>(node: Node<'a, '_>, local: &str) -> Option<&'a str> {
    CAMUNDA_NS.iter().find_map(|ns| node.attribute((*ns, local)))
}

/// The Camunda-family attribute node itself, for its position.
pub fn camunda_attr_at(cx: &Cx, node: Node, local: &str) -> Source {
    match node.attributes().find(|a| a.name() == local && a.namespace().is_some_and(|ns| CAMUNDA_NS.contains(&ns))) {
        Some(a) => cx.at(a.range_value().start),
        None => cx.of(node),
    }
}

/// Camunda elements inside `extensionElements` (and below, for `camunda:properties`).
pub fn extensions<'a, 'i>(node: Node<'a, 'i>, local: &'static str) -> impl Iterator<Item = Node<'a, 'i>> {
    child(node, "extensionElements").into_iter().flat_map(move |ext| {
        ext.descendants().filter(move |n| {
            n.is_element()
                && n.tag_name().name() == local
                && n.tag_name().namespace().is_some_and(|ns| CAMUNDA_NS.contains(&ns))
        })
    })
}

/// Whether a Camunda boolean attribute is `true`.
pub fn flag(node: Node, local: &str) -> bool {
    camunda_attr(node, local).is_some_and(|v| v.trim() == "true")
}

/// Names and labels collapse their whitespace: modellers write `Loan Request&#10;Received`.
pub fn clean(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A value from the model as Markdown inline code, safe even when it holds a backtick.
pub fn code(s: &str) -> String {
    let s = clean(s);
    if s.contains('`') { format!("`` {s} ``") } else { format!("`{s}`") }
}

/// Shortens a detail for an edge label.
pub fn short(s: &str) -> String {
    let s = clean(s);
    if s.chars().count() <= MAX_DETAIL {
        return s;
    }
    let cut: String = s.chars().take(MAX_DETAIL - 1).collect();
    format!("{cut}…")
}

/// The element's text content, trimmed (CDATA included).
pub fn text_of(node: Node) -> String {
    node.descendants().filter(|n| n.is_text()).filter_map(|n| n.text()).collect::<String>().trim().to_string()
}

/// The event definition of an event, as (local name, element): `timerEventDefinition`, ...
pub fn event_definition<'a, 'i>(node: Node<'a, 'i>) -> Option<(&'a str, Node<'a, 'i>)> {
    children(node).find(|n| n.tag_name().name().ends_with("EventDefinition")).map(|n| (n.tag_name().name(), n))
}
