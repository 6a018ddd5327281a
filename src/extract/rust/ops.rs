//! The `# Operations` keys of one step's doc comment, turned into attributes, nodes and
//! edges. Every fact carries the position of its own key.

use super::doc::Entry;
use super::spec;
use crate::diag::Diagnostic;
use crate::extract::duration::parse_ms;
use crate::extract::{EdgeFact, Idempotency, NodeAttrs, NodeFact, NodeRef, Origin, Resolve, TimeoutFact, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

const KEYS: &str = "workflow, step, service, depends-on, calls, side-effects, idempotent, retry, timeout, deadline, owner, alerts, dashboard, runbook";

/// What an `# Operations` section declares.
#[derive(Debug, Default)]
pub struct Declared {
    pub attrs: NodeAttrs,
    pub nodes: Vec<NodeFact>,
    pub edges: Vec<EdgeFact>,
    pub diagnostics: Vec<Diagnostic>,
}

/// One `- key: value` item, split, with positions.
struct Item<'e> {
    key: String,
    value: &'e str,
    key_at: Source,
    /// Bytes of the key as written, for the diagnostic's underline.
    key_len: usize,
    /// Characters from the entry's start to the value's start.
    value_offset: usize,
    entry: &'e Entry,
}

impl Item<'_> {
    /// Where the value's i-th character is.
    fn at(&self, file: &str, i: usize) -> Source {
        Source::new(file, self.entry.line, self.entry.col + (self.value_offset + i) as u32)
    }

    fn located(&self) -> Located<String> {
        Located::new(self.value.to_string(), self.key_at.clone())
    }
}

fn split<'e>(file: &str, entry: &'e Entry) -> Option<Item<'e>> {
    let colon = entry.text.find(':')?;
    let key = entry.text[..colon].trim().trim_matches(|c| c == '*' || c == '`').to_lowercase().replace('_', "-");
    let after = &entry.text[colon + 1..];
    let lead = after.len() - after.trim_start().len();
    Some(Item {
        key,
        value: after.trim(),
        key_at: Source::new(file, entry.line, entry.col),
        key_len: entry.text[..colon].trim_end().len(),
        value_offset: entry.text[..colon + 1 + lead].chars().count(),
        entry,
    })
}

/// The `step:` override of the step's name, if any.
pub fn step_name(file: &str, entries: &[Entry]) -> Option<String> {
    entries
        .iter()
        .rev()
        .filter_map(|e| split(file, e))
        .find(|i| i.key == "step" && !i.value.is_empty())
        .map(|i| i.value.to_string())
}

pub fn read(file: &str, entries: &[Entry], step: &str) -> Declared {
    let mut out = Declared::default();
    let step_ref = || NodeRef::new(NodeKind::Step, step);
    for entry in entries {
        let Some(item) = split(file, entry) else {
            let at = Source::new(file, entry.line, entry.col);
            out.diagnostics.push(
                Diagnostic::warning("invalid-value", at, format!("`{}` is not a `key: value` item", entry.text))
                    .with_help(format!("keys: {KEYS}")),
            );
            continue;
        };
        if item.value.is_empty() {
            out.diagnostics.push(Diagnostic::warning(
                "invalid-value",
                item.key_at.clone(),
                format!("`{}` has no value", item.key),
            ));
            continue;
        }
        let edge = |from: NodeRef, to: NodeRef, kind: EdgeKind, source: Source, resolve: Resolve| EdgeFact {
            from,
            to,
            kind,
            source,
            resolve,
            detail: None,
        };
        let attrs = &mut out.attrs;
        match item.key.as_str() {
            "step" => {}
            "workflow" | "service" => {
                let kind = if item.key == "workflow" { NodeKind::Workflow } else { NodeKind::Service };
                let slot = if kind == NodeKind::Workflow { &mut attrs.workflow } else { &mut attrs.service };
                *slot = Some(item.located());
                out.nodes.push(NodeFact::new(kind, item.value, item.key_at.clone()));
                out.edges.push(edge(
                    NodeRef::new(kind, item.value),
                    step_ref(),
                    EdgeKind::Contains,
                    item.key_at.clone(),
                    Resolve::Required,
                ));
            }
            "depends-on" => {
                for (name, at) in list(file, &item, &[',']) {
                    out.edges.push(edge(step_ref(), NodeRef::any(name), EdgeKind::DependsOn, at, Resolve::External));
                }
            }
            "calls" => {
                for (name, at) in list(file, &item, &[',']) {
                    out.edges.push(edge(
                        step_ref(),
                        NodeRef::new(NodeKind::Step, name),
                        EdgeKind::Calls,
                        at,
                        Resolve::Required,
                    ));
                }
            }
            "side-effects" => {
                attrs.side_effects.extend(list(file, &item, &[',', ';']).into_iter().map(|(v, at)| Located::new(v, at)))
            }
            "alerts" => attrs.alerts.extend(list(file, &item, &[',']).into_iter().map(|(v, at)| Located::new(v, at))),
            "owner" => attrs.owner = Some(item.located()),
            "dashboard" => attrs.dashboard = Some(item.located()),
            "runbook" => attrs.runbook = Some(item.located()),
            "idempotent" => match idempotency(item.value) {
                Some(i) => attrs.idempotent = Some(Located::new(i, item.key_at.clone())),
                None => out.diagnostics.push(invalid(file, &item, "`yes`, `no` or `key=<expression>`")),
            },
            "timeout" | "deadline" => match parse_ms(item.value) {
                Some(ms) if item.key == "timeout" => attrs.timeouts.push(TimeoutFact {
                    source: item.key_at.clone(),
                    origin: Origin::Declared,
                    library: "doc".into(),
                    text: item.value.to_string(),
                    ms: Value::Known(ms),
                }),
                Some(ms) => attrs.deadline = Some(Located::new(Value::Known(ms), item.key_at.clone())),
                None => out.diagnostics.push(invalid(
                    file,
                    &item,
                    "a duration such as `10s`, `500ms` or `1m30s` (units ms, s, m, h, d)",
                )),
            },
            "retry" => {
                let (fact, diags) = spec::parse(item.value, item.key_at.clone(), |i| item.at(file, i));
                attrs.retries.extend(fact);
                out.diagnostics.extend(diags);
            }
            other => {
                let message = format!("unknown key `{other}` in `# Operations`");
                let d = Diagnostic::warning("unknown-key", item.key_at.clone(), message);
                out.diagnostics.push(d.with_help(format!("keys: {KEYS}")).with_len(item.key_len));
            }
        }
    }
    out
}

fn invalid(file: &str, item: &Item, expected: &str) -> Diagnostic {
    let message = format!("`{}: {}`: expected {expected}", item.key, item.value);
    Diagnostic::warning("invalid-value", item.at(file, 0), message).with_len(item.value.len())
}

fn idempotency(value: &str) -> Option<Idempotency> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" => Some(Idempotency::Yes),
        "no" | "false" => Some(Idempotency::No),
        _ => value
            .strip_prefix("key=")
            .or_else(|| value.strip_prefix("key ="))
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| Idempotency::Key(k.to_string())),
    }
}

/// The items of a list value, each with its own position. Separators inside backticks or
/// parentheses do not split: `` `ON CONFLICT (a, b)` `` is one item.
fn list(file: &str, item: &Item, separators: &[char]) -> Vec<(String, Source)> {
    let mut out = Vec::new();
    let (mut start, mut depth, mut code) = (0usize, 0i32, false);
    let chars: Vec<char> = item.value.chars().collect();
    for i in 0..=chars.len() {
        let c = chars.get(i).copied();
        match c {
            Some('`') => code = !code,
            Some('(') if !code => depth += 1,
            Some(')') if !code => depth -= 1,
            _ => {}
        }
        let split = c.is_none_or(|c| separators.contains(&c) && !code && depth <= 0);
        if split {
            let part: String = chars[start..i].iter().collect();
            let lead = part.chars().count() - part.trim_start().chars().count();
            if !part.trim().is_empty() {
                out.push((part.trim().to_string(), item.at(file, start + lead)));
            }
            start = i + 1;
        }
    }
    out
}
