//! Prometheus alerting rules, as rule files or PrometheusRule resources: alerts, what they watch, their runbooks.
//!
//! A rule file is `groups[].rules[]`; a PrometheusRule (`monitoring.coreos.com/v1`) holds
//! the same groups under `spec.groups`. Each alerting rule (`alert:`) becomes an `alert`
//! node; recording rules (`record:`) make no page and are skipped. What an alert watches
//! comes from its labels (`job`, `service`, `app`, `component`) and from the label
//! matchers of its `expr` ([`matchers`]); those edges only count when they name a node
//! the scan knows.

mod matchers;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

/// Labels of a rule that name what the alert is about.
const TARGET_LABELS: [&str; 4] = ["service", "app", "job", "component"];

/// Labels of a rule that name its owner, most specific first.
const OWNER_LABELS: [&str; 2] = ["team", "owner"];

/// Annotation (then label) keys that hold the runbook link, most usual first.
const RUNBOOK_KEYS: [&str; 2] = ["runbook_url", "runbook"];

/// Reads the alerting rules of every rule-file or PrometheusRule document of `text`.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    yaml::each_document(path, text, &mut out, |doc, out| document(path, text, doc, out));
    out
}

/// Whether a YAML or JSON file of no telling name holds this format, from its text alone.
pub fn claims(text: &str) -> bool {
    let key = |k: &str| text.contains(&format!("{k}:")) || text.contains(&format!("\"{k}\""));
    let rules_file = key("groups") && key("rules") && (key("alert") || key("record"));
    rules_file || text.contains("kind: PrometheusRule") || text.contains("\"kind\": \"PrometheusRule\"")
}

/// One `---` document: a PrometheusRule's `spec.groups`, or a rule file's `groups`.
/// Any other document (a Deployment beside the rule, a Prometheus config) is not ours.
fn document(path: &str, text: &str, doc: &Node, out: &mut Extracted) {
    let groups = if doc.get_str("kind") == Some("PrometheusRule") {
        doc.get("spec").and_then(|s| s.get("groups"))
    } else if doc.get("kind").is_none() {
        doc.get("groups")
    } else {
        None
    };
    let Some(groups) = groups.filter(|g| !g.is_null()) else { return };
    let Some(items) = groups.as_seq() else {
        out.diagnostics.push(invalid(
            path,
            groups,
            format!("`groups` must be a list of rule groups, found {}", groups.shape()),
        ));
        return;
    };
    for group in items {
        let Some(rules) = group.get("rules").filter(|r| !r.is_null()) else {
            if group.as_map().is_none() {
                out.diagnostics.push(invalid(
                    path,
                    group,
                    format!("a rule group must be a mapping, found {}", group.shape()),
                ));
            }
            continue;
        };
        let Some(rules) = rules.as_seq() else {
            out.diagnostics.push(invalid(
                path,
                rules,
                format!("`rules` must be a list of rules, found {}", rules.shape()),
            ));
            continue;
        };
        for rule in rules {
            if rule.as_map().is_none() {
                out.diagnostics.push(invalid(path, rule, format!("a rule must be a mapping, found {}", rule.shape())));
                continue;
            }
            if let Some((key, name)) = entry(rule, "alert") {
                match name.as_str().filter(|n| !n.trim().is_empty()) {
                    Some(name) => alert(path, text, key, name.trim(), rule, group, out),
                    None => out.diagnostics.push(invalid(path, name, "`alert` must name the alert".to_string())),
                }
            }
        }
    }
}

/// One alerting rule: its node and the edges to what it watches.
/// A group's `labels` (Prometheus 3) apply to each of its rules; the rule's own win.
fn alert(path: &str, text: &str, key: &Node, name: &str, rule: &Node, group: &Node, out: &mut Extracted) {
    let mut node = NodeFact::new(NodeKind::Alert, name, key.source(path));
    let mut labels = pairs(rule.get("labels"));
    for inherited in pairs(group.get("labels")) {
        if !labels.iter().any(|(k, _, _)| *k == inherited.0) {
            labels.push(inherited);
        }
    }
    let annotations = pairs(rule.get("annotations"));
    let expr = rule.get("expr").filter(|e| e.as_str().is_some());
    node.attrs.description = Some(describe(&annotations, &labels, expr, rule.get_str("for")));
    let runbook = RUNBOOK_KEYS
        .iter()
        .find_map(|k| lookup(&annotations, k))
        .or_else(|| RUNBOOK_KEYS.iter().find_map(|k| lookup(&labels, k)));
    node.attrs.runbook = runbook.filter(|(v, _)| !v.trim().is_empty()).map(|(v, n)| located(path, v.trim(), n));
    node.attrs.owner = OWNER_LABELS
        .iter()
        .find_map(|k| lookup(&labels, k))
        .filter(|(v, _)| !v.trim().is_empty())
        .map(|(v, n)| located(path, v.trim(), n));
    if let Some(dashboard) = lookup(&annotations, "dashboard_url").filter(|(v, _)| !v.trim().is_empty()) {
        node.attrs.dashboard = Some(located(path, dashboard.0.trim(), dashboard.1));
    }

    let mut edges: Vec<EdgeFact> = Vec::new();
    let mut push = |to: &str, source: Source, detail: String| {
        if edges.iter().any(|e| e.to.name == to && e.detail.as_deref() == Some(detail.as_str())) {
            return;
        }
        edges.push(EdgeFact {
            from: NodeRef::new(NodeKind::Alert, name),
            to: NodeRef::any(to),
            kind: EdgeKind::Alerts,
            source,
            resolve: Resolve::IfKnown,
            detail: Some(detail),
        });
    };
    for (label, value, at) in &labels {
        if TARGET_LABELS.contains(&label.as_str()) && !value.trim().is_empty() && !value.contains("{{") {
            push(value.trim(), at.source(path), format!("label {label}={}", value.trim()));
        }
    }
    if let Some(expr) = expr {
        let body = expr.as_str().unwrap_or_default();
        let first_line = first_line(text, expr);
        for m in matchers::scan(body) {
            let source = Source::new(path, first_line + m.line, 1);
            push(&m.name, source, format!("expr {}{}\"{}\"", m.label, m.op, m.value));
        }
    }
    out.facts.nodes.push(node);
    out.facts.edges.extend(edges);
}

/// The line a scalar's text starts on. The parser places a block scalar at its first
/// line of text, or at its `|` or `>` indicator, depending on the version: both are read.
fn first_line(text: &str, node: &Node) -> u32 {
    let at = node.defined.line;
    let indicator = text
        .lines()
        .nth(at.saturating_sub(1) as usize)
        .and_then(|l| l.chars().nth(node.defined.column.saturating_sub(1) as usize))
        .is_some_and(|c| c == '|' || c == '>');
    if indicator { at + 1 } else { at }
}

/// The Markdown of an alert page: what it says, the expression, when it fires, its labels.
fn describe(annotations: &[Pair], labels: &[Pair], expr: Option<&Node>, for_: Option<&str>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for key in ["summary", "description", "message"] {
        if let Some((v, _)) = lookup(annotations, key).filter(|(v, _)| !v.trim().is_empty()) {
            parts.push(v.trim().to_string());
        }
    }
    if let Some(e) = expr.and_then(Node::as_str) {
        parts.push(format!("```promql\n{}\n```", e.trim_end()));
    }
    match for_.map(str::trim).filter(|f| !f.is_empty() && *f != "0s" && *f != "0") {
        Some(f) => parts.push(format!("Fires after the expression has held for `{f}`.")),
        None => parts.push("Fires at the first evaluation where the expression holds.".to_string()),
    }
    if let Some((severity, _)) = lookup(labels, "severity") {
        parts.push(format!("Severity: `{}`.", severity.trim()));
    }
    let others: Vec<String> =
        labels.iter().filter(|(k, _, _)| k != "severity").map(|(k, v, _)| format!("`{k}={v}`")).collect();
    if !others.is_empty() {
        parts.push(format!("Labels: {}.", others.join(", ")));
    }
    parts.join("\n\n")
}

/// A key, its scalar value and the value's node.
type Pair<'a> = (String, String, &'a Node);

/// The scalar entries of a `labels` or `annotations` map.
fn pairs(map: Option<&Node>) -> Vec<Pair<'_>> {
    let Some(entries) = map.and_then(Node::as_map) else { return Vec::new() };
    entries.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string(), v))).collect()
}

fn lookup<'a>(pairs: &'a [Pair<'a>], key: &str) -> Option<(&'a str, &'a Node)> {
    pairs.iter().find(|(k, _, _)| k == key).map(|(_, v, n)| (v.as_str(), *n))
}

fn located(path: &str, value: &str, node: &Node) -> Located<String> {
    Located::new(value.to_string(), node.source(path))
}

/// A key and its value in a map node.
fn entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
}

fn invalid(path: &str, node: &Node, message: String) -> Diagnostic {
    Diagnostic::warning("invalid-value", node.source(path), message).with_len(node.defined.len.unwrap_or(0))
}
