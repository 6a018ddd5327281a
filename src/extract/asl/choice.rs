//! A Choice rule as short text for its edge: `$.status StringEquals fraudulent`, `not $.x IsPresent true`.

use crate::extract::yaml::Node;

use super::{one_line, shorten};

/// Longest condition shown on an edge; longer rules are cut with an ellipsis (the source
/// link shows the whole rule).
const MAX_LEN: usize = 120;

/// Rules nested deeper than this are shown as `…`.
const MAX_DEPTH: usize = 8;

/// Keys of a rule that are not part of its condition.
const NOT_CONDITION: [&str; 4] = ["Next", "Comment", "Assign", "Output"];

pub(super) fn condition(rule: &Node) -> String {
    // JSONata rules hold the whole condition in one expression.
    if let Some(c) = rule.get_str("Condition") {
        let inner = c.trim().strip_prefix("{%").and_then(|s| s.strip_suffix("%}")).unwrap_or(c);
        return shorten(inner.trim(), MAX_LEN);
    }
    shorten(&jsonpath(rule, 0), MAX_LEN)
}

fn jsonpath(rule: &Node, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "…".to_string();
    }
    let group = |key: &str, word: &str| {
        rule.get(key).and_then(Node::as_seq).map(|items| {
            let parts: Vec<String> = items.iter().map(|r| jsonpath(r, depth + 1)).collect();
            format!("({})", parts.join(&format!(" {word} ")))
        })
    };
    if let Some(all) = group("And", "and") {
        return all;
    }
    if let Some(any) = group("Or", "or") {
        return any;
    }
    if let Some(inner) = rule.get("Not") {
        return format!("not {}", jsonpath(inner, depth + 1));
    }
    let variable = rule.get_str("Variable").unwrap_or("?");
    let test = rule
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str()?, v)))
        .find(|(k, _)| *k != "Variable" && !NOT_CONDITION.contains(k))
        .map(|(k, v)| format!(" {k} {}", one_line(v, 0)))
        .unwrap_or_default();
    format!("{variable}{test}")
}
