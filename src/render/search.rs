//! The search index: `search-index.js`, one entry per node with the words an on-call
//! engineer types (names, owners, descriptions, failure modes, recovery steps, alerts).
//!
//! It is a script, not a JSON file, so `search.html` can load it with `<script src>` from
//! `file://`, where `fetch` is refused (mdBook's trick). The JSON is escaped for a script:
//! `<`, `>` and `&` as `\u003c`-style escapes (no `</script>` can close anything), and
//! U+2028 and U+2029, which older engines read as line ends inside a string.

use std::collections::BTreeSet;

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::model::{EdgeKind, Graph, Node};

/// The global the index script sets, read by `search.js`.
pub const GLOBAL: &str = "OPSBOOK_SEARCH";

/// What `search.html` shows before its script runs.
#[derive(Debug, Serialize)]
pub struct SearchView {
    pub node_count: usize,
}

/// One node as the search sees it. Short keys keep the index small; `search.js` names them.
#[derive(Debug, Serialize, PartialEq)]
pub struct Entry {
    /// Name.
    pub n: String,
    /// Kind: `step`, `service`, ...
    pub k: &'static str,
    /// Page path from the book root.
    pub u: String,
    /// Owner, when recorded.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub o: String,
    /// Description, as plain text.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub d: String,
    /// Failure modes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub f: Vec<String>,
    /// Recovery steps, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub r: Vec<String>,
    /// Alerts that watch it (or, on an alert, what it watches).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub a: Vec<String>,
}

/// The entries of every node, in id order (the graph's node order).
pub fn entries(graph: &Graph) -> Vec<Entry> {
    graph.nodes().map(|(index, node)| entry(graph, index, node)).collect()
}

/// One node's entry: it reads the node and the names at the other end of its `alerts`
/// edges, either way.
pub fn entry(graph: &Graph, index: NodeIndex, node: &Node) -> Entry {
    let attrs = &node.attrs;
    let mut alerts: BTreeSet<String> = attrs.alerts.iter().map(|a| a.value.clone()).collect();
    for e in graph.graph.edges_directed(index, Direction::Incoming) {
        if e.weight().kind == EdgeKind::Alerts {
            alerts.insert(graph.graph[e.source()].name.clone());
        }
    }
    for e in graph.graph.edges_directed(index, Direction::Outgoing) {
        if e.weight().kind == EdgeKind::Alerts {
            alerts.insert(graph.graph[e.target()].name.clone());
        }
    }
    Entry {
        n: node.name.clone(),
        k: node.kind.as_str(),
        u: node.page.clone(),
        o: attrs.owner.as_ref().map(|o| o.value.clone()).unwrap_or_default(),
        d: attrs.description.as_deref().map(plain).unwrap_or_default(),
        f: attrs.failure_modes.iter().map(|l| plain(&l.value)).collect(),
        r: attrs.recovery.iter().map(|l| plain(&l.value)).collect(),
        a: alerts.into_iter().collect(),
    }
}

/// One node's entry as it stands in `search-index.js`: JSON, escaped for a script.
pub fn entry_script(graph: &Graph, index: NodeIndex, node: &Node) -> String {
    script_safe(&serde_json::to_string(&entry(graph, index, node)).expect("an entry serialises"))
}

/// [`index_js`], byte for byte, from every node's [`entry_script`] in id order (escaping
/// is per character, so escaped entries joined are the escaped whole).
/// `out` is a buffer to write into (its bytes are dropped).
pub fn index_js_from<'e>(entries: impl Iterator<Item = &'e str>, mut out: Vec<u8>) -> Vec<u8> {
    out.clear();
    out.extend_from_slice(format!("window.{GLOBAL}={{\"v\":1,\"docs\":[").as_bytes());
    for (k, e) in entries.enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.extend_from_slice(e.as_bytes());
    }
    out.extend_from_slice(b"]};\n");
    out
}

/// `search-index.js`: `window.OPSBOOK_SEARCH={"docs":[...]};`, safe inside a script.
pub fn index_js(graph: &Graph) -> Vec<u8> {
    #[derive(Serialize)]
    struct Index {
        v: u32,
        docs: Vec<Entry>,
    }
    let json = serde_json::to_string(&Index { v: 1, docs: entries(graph) }).expect("the index serialises");
    format!("window.{GLOBAL}={};\n", script_safe(&json)).into_bytes()
}

/// Escapes JSON text for a `<script>`: nothing in it can end the script or a string.
pub fn script_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown prose as the words a reader types: emphasis, code ticks, link targets and
/// heading marks dropped, whitespace collapsed.
pub fn plain(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            // Raw HTML stays as the words it is written with: the index is text, and the
            // search page shows it with textContent.
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_text_cannot_close_the_script() {
        let s = script_safe(r#"{"n":"</script><b>a&b</b>","x":"line\u2028sep"}"#);
        assert!(!s.contains('<'), "{s}");
        assert!(s.contains("\\u003c/script\\u003e"));
        assert!(!s.contains('\u{2028}'));
        assert!(s.contains("\\u2028"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back["n"], "</script><b>a&b</b>");
    }

    #[test]
    fn markdown_becomes_plain_words() {
        assert_eq!(
            plain("Replay from the **dead-letter** queue with `erpctl replay --since 1h`."),
            "Replay from the dead-letter queue with erpctl replay --since 1h."
        );
        assert_eq!(plain("[status page](https://x.example)\nthen wait"), "status page then wait");
    }
}
