//! Scalar values as Argo reads them: raw source text, `{{inputs.parameters.x}}` from literal
//! arguments, seconds and Go durations.

use crate::diag::Diagnostic;
use crate::extract::Value;
use crate::extract::duration;
use crate::extract::yaml::{Node, Yaml};
use crate::source::offset_of;

use super::{Doc, unknown};

/// Input parameters with literal values, as a calling task passes them (or as the template
/// declares their defaults). A value that is itself templated is not kept.
#[derive(Clone, Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// The task's `arguments.parameters`, then the template's `inputs.parameters` defaults.
    pub fn of(task: Option<&Node>, tmpl: &Node) -> Params {
        let mut params = Vec::new();
        let lists = [
            task.and_then(|t| t.get("arguments")).and_then(|a| a.get("parameters")),
            tmpl.get("inputs").and_then(|i| i.get("parameters")),
        ];
        for list in lists.into_iter().flatten() {
            for p in list.as_seq().unwrap_or_default() {
                let (Some(name), Some(value)) =
                    (p.get_str("name"), p.get_str("value").or_else(|| p.get_str("default")))
                else {
                    continue;
                };
                if !value.contains("{{") && !params.iter().any(|(n, _)| n == name) {
                    params.push((name.to_string(), value.to_string()));
                }
            }
        }
        Params(params)
    }

    /// `text` with every `{{inputs.parameters.x}}` whose value is known replaced by it.
    pub fn substitute(&self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else { break };
            let inner = rest[start + 2..start + len].trim();
            let known = inner.strip_prefix("inputs.parameters.").and_then(|n| self.0.iter().find(|(p, _)| p == n));
            out.push_str(&rest[..start]);
            match known {
                Some((_, v)) => out.push_str(v),
                None => out.push_str(&rest[start..start + len + 2]),
            }
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// A scalar as written (quotes included) and as Argo would read it.
pub struct Scalar {
    pub raw: String,
    pub value: String,
}

impl Scalar {
    pub fn of(cx: &Doc, node: &Node, params: &Params) -> Scalar {
        let value = node.as_str().unwrap_or_default();
        Scalar { raw: raw(cx, node), value: params.substitute(value) }
    }

    pub fn templated(&self) -> bool {
        self.value.contains("{{")
    }

    /// `raw`, with the value it resolved to when a parameter was substituted.
    pub fn text(&self) -> String {
        if self.raw.contains("{{") && !self.templated() {
            format!("{} = {}", self.raw, self.value)
        } else {
            self.raw.clone()
        }
    }
}

/// The source text of a node on one line: a scalar with its quotes, a map or list in flow
/// style. A multi-line scalar (a folded expression) is shown by its value.
pub fn raw(cx: &Doc, node: &Node) -> String {
    match &node.value {
        Yaml::Null => "{}".to_string(),
        Yaml::Scalar(s) => {
            let start = offset_of(cx.text, node.defined.line, node.defined.column);
            let slice = node.defined.len.and_then(|len| cx.text.get(start..start + len));
            match slice {
                Some(t) if !t.contains('\n') && !t.is_empty() => t.trim().to_string(),
                _ => s.split_whitespace().collect::<Vec<_>>().join(" "),
            }
        }
        Yaml::Seq(items) => format!("[{}]", items.iter().map(|i| raw(cx, i)).collect::<Vec<_>>().join(", ")),
        Yaml::Map(entries) => format!(
            "{{{}}}",
            entries.iter().map(|(k, v)| format!("{}: {}", raw(cx, k), raw(cx, v))).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `key: value` as written, for a fact's `text`.
pub fn key_text(cx: &Doc, key: &str, node: &Node, params: &Params) -> String {
    format!("{key}: {}", Scalar::of(cx, node, params).text())
}

/// An integer number of seconds (Kubernetes' `*Seconds`, IntOrString), in milliseconds.
pub fn seconds(cx: &Doc, node: &Node, params: &Params, what: &str, diags: &mut Vec<Diagnostic>) -> Value<u64> {
    let s = Scalar::of(cx, node, params);
    if let Ok(n) = s.value.trim().parse::<u64>() {
        return Value::Known(n.saturating_mul(1_000));
    }
    if !s.templated() {
        diags.push(invalid(cx, node, format!("`{what}` must be a whole number of seconds, found `{}`", s.raw)));
    }
    unknown(s.raw)
}

/// An Argo duration string: a bare whole number counts seconds (`"1"` = 1 s), otherwise a
/// Go duration (`"1m30s"`).
pub fn duration(cx: &Doc, node: &Node, params: &Params, what: &str, diags: &mut Vec<Diagnostic>) -> Value<u64> {
    let s = Scalar::of(cx, node, params);
    let v = s.value.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Value::Known(n.saturating_mul(1_000));
    }
    if let Some(ms) = duration::parse_ms(v) {
        return Value::Known(ms);
    }
    if !s.templated() {
        diags.push(invalid(
            cx,
            node,
            format!("`{what}` must be a duration such as \"30s\" or a number of seconds, found `{}`", s.raw),
        ));
    }
    unknown(s.raw)
}

pub fn invalid(cx: &Doc, node: &Node, message: String) -> Diagnostic {
    let d = Diagnostic::warning("invalid-value", cx.src(node), message);
    match node.defined.len {
        Some(len) => d.with_len(len),
        None => d,
    }
}
