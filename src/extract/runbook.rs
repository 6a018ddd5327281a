//! Hand-written runbooks: Markdown with YAML front matter, its `[[wiki links]]` and `{{ live.values }}`.
//!
//! ```markdown
//! ---
//! title: ERP push fails
//! covers: [push_order, service:erp-sync]
//! owner: team-integrations
//! severity: critical
//! reviewed: 2026-11-02
//! ---
//! Call the ERP vendor before replaying [[push_order]]: it tries {{ push_order.retry.max_attempts }} times.
//! ```
//!
//! The runbook is a `runbook` node named by its file stem, with `documents` edges to what
//! it covers. Links and live values keep their place here; the model resolves their names
//! and the render fills in the current facts.

use pulldown_cmark::{Event, Options, Parser, Tag};
use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source, line_col};

/// What a live value can say about a node: `{{ <node>.<path> }}`. The same facts are what
/// `opsbook review` records in `opsbook.lock`, so a runbook that cites one is flagged when
/// it changes.
pub const LIVE_PATHS: [&str; 11] = [
    "retry.max_attempts",
    "retry.schedule",
    "retry.worst_case",
    "timeout",
    "deadline",
    "worst_case",
    "idempotent",
    "owner",
    "side_effects",
    "depends_on",
    "alerts",
];

/// Front matter keys a runbook may have.
const KEYS: [&str; 5] = ["title", "covers", "owner", "severity", "reviewed"];

/// A hand-written runbook as its file says it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunbookDoc {
    /// The file, relative to the scanned root: what `opsbook review` and the lock name.
    pub file: String,
    pub title: String,
    pub severity: Option<Located<String>>,
    /// The date of the last review, as written.
    pub reviewed: Option<Located<String>>,
    /// The names and ids it covers, as written.
    pub covers: Vec<Located<String>>,
    /// Where staleness is reported: the `covers` key, else the front matter's first line.
    pub anchor: Source,
    /// The Markdown after the front matter.
    pub body: String,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
    /// `[[name]]`, `[[kind:slug]]` and `[[name|label]]`, in order.
    pub links: Vec<Reference>,
    /// `{{ name.path }}`, in order.
    pub values: Vec<Reference>,
}

/// A wiki link or live value: where it is in the body, what it names, and the node id the
/// model resolved the name to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// Byte range of the whole `[[...]]` or `{{...}}` in the body.
    pub start: usize,
    pub end: usize,
    /// The node's name or id, as written.
    pub name: String,
    /// A link's label (`[[name|label]]`) or a live value's path (`retry.max_attempts`).
    pub detail: Option<String>,
    pub source: Source,
    /// Set by the model: the id of the node the name resolves to.
    pub target: Option<String>,
}

/// A runbook's file stem: `docs/runbooks/erp-push.md` and `erp/erp-push.runbook.md` are
/// both `erp-push`.
pub fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".runbook.md").or_else(|| name.strip_suffix(".md")).unwrap_or(name)
}

pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let Some((yaml_start, yaml_end, body_offset)) = front_matter(text) else {
        // A README that explains the folder is not a runbook; anything else should say so.
        if !is_readme(path) {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-value",
                    Source::new(path, 1, 1),
                    "a runbook starts with YAML front matter between `---` lines (title, covers, owner, \
                     severity, reviewed); this file has none, so it is not in the book",
                )
                .with_help("add `---\\ntitle: ...\\ncovers: [<node>]\\n---` at the top"),
            );
        }
        return out;
    };
    // Blank lines in place of everything before the YAML keep its lines and columns those
    // of the whole file.
    let padded = format!("{}{}", "\n".repeat(text[..yaml_start].matches('\n').count()), &text[yaml_start..yaml_end]);
    let docs = match yaml::parse(&padded) {
        Ok(docs) => docs,
        Err(e) => {
            out.diagnostics.push(yaml::parse_error(path, &e, "front matter"));
            return out;
        }
    };
    let source = Source::new(path, 1, 1);
    let mut doc = RunbookDoc {
        file: path.to_string(),
        title: stem(path).to_string(),
        anchor: source.clone(),
        body: text[body_offset..].to_string(),
        body_offset,
        ..RunbookDoc::default()
    };
    let mut node = NodeFact::new(NodeKind::Runbook, stem(path), source);
    if let Some(map) = docs.first().and_then(Node::as_map) {
        for (k, v) in map {
            let key = k.as_str().unwrap_or_default();
            match key {
                "title" => doc.title = scalar(path, v, &mut out).map_or(doc.title, |l| l.value),
                "owner" => node.attrs.owner = scalar(path, v, &mut out),
                "severity" => doc.severity = scalar(path, v, &mut out),
                "reviewed" => doc.reviewed = scalar(path, v, &mut out),
                "covers" => {
                    doc.anchor = k.source(path);
                    doc.covers = names(path, v, &mut out);
                }
                other => out.diagnostics.push(
                    Diagnostic::warning(
                        "unknown-key",
                        k.source(path),
                        format!("unknown front matter key `{other}` in a runbook"),
                    )
                    .with_help(format!("the keys are {}", KEYS.join(", "))),
                ),
            }
        }
    } else if docs.first().is_some_and(|d| !d.is_null()) {
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            Source::new(path, 2, 1),
            "the front matter must be a mapping of keys (title, covers, ...)",
        ));
    }
    if doc.covers.is_empty() {
        out.diagnostics.push(
            Diagnostic::warning(
                "invalid-value",
                doc.anchor.clone(),
                "this runbook covers nothing: no page links to it and no change can make it stale",
            )
            .with_help("add `covers: [<node name or id>, ...]` to its front matter"),
        );
    }
    for c in &doc.covers {
        out.facts.edges.push(EdgeFact {
            from: NodeRef::new(NodeKind::Runbook, stem(path)),
            to: to_ref(&c.value),
            kind: EdgeKind::Documents,
            source: c.source.clone(),
            resolve: Resolve::Required,
            detail: None,
        });
    }
    references(path, text, &mut doc, &mut out);
    node.attrs.handwritten = Some(Box::new(doc));
    out.facts.nodes.push(node);
    out
}

fn is_readme(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name == "readme.md" || name == "index.md"
}

/// A name or an id (`step:push-order`) as a reference: an id names its kind, and the model
/// finds the node by its slug.
pub fn to_ref(written: &str) -> NodeRef {
    if let Some((kind, slug)) = written.split_once(':')
        && let Some(kind) = NodeKind::ALL.into_iter().find(|k| k.as_str() == kind)
    {
        return NodeRef::new(kind, slug);
    }
    NodeRef::any(written)
}

/// The YAML between a first line `---` and the next `---` or `...` line: its byte range,
/// and where the body starts.
pub(crate) fn front_matter(text: &str) -> Option<(usize, usize, usize)> {
    let text_start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let first = text[text_start..].split_inclusive('\n').next()?;
    if first.trim_end() != "---" {
        return None;
    }
    let yaml_start = text_start + first.len();
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        let t = line.trim_end();
        if t == "---" || t == "..." {
            return Some((yaml_start, offset, offset + line.len()));
        }
        offset += line.len();
    }
    None
}

fn scalar(path: &str, v: &Node, out: &mut Extracted) -> Option<Located<String>> {
    match v.as_str() {
        Some(s) if !s.trim().is_empty() => Some(Located::new(s.trim().to_string(), v.source(path))),
        _ => {
            out.diagnostics.push(Diagnostic::warning(
                "invalid-value",
                v.source(path),
                format!("expected a single value here, found {}", v.shape()),
            ));
            None
        }
    }
}

/// `covers: push_order`, `covers: [a, b]` or a block list.
fn names(path: &str, v: &Node, out: &mut Extracted) -> Vec<Located<String>> {
    match v.as_seq() {
        Some(items) => items.iter().filter_map(|i| scalar(path, i, out)).collect(),
        None => scalar(path, v, out).into_iter().collect(),
    }
}

/// Finds `[[...]]` and `{{...}}` in the body, outside code spans and code blocks.
fn references(path: &str, text: &str, doc: &mut RunbookDoc, out: &mut Extracted) {
    let body = doc.body.as_str();
    let code: Vec<std::ops::Range<usize>> = Parser::new_ext(body, Options::all())
        .into_offset_iter()
        .filter(|(e, _)| matches!(e, Event::Code(_) | Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r)
        .collect();
    let in_code = |at: usize| code.iter().any(|r| r.contains(&at));
    let at = |offset: usize| {
        let (line, column) = line_col(text, doc.body_offset + offset);
        Source::new(path, line, column)
    };
    for (open, close) in [("[[", "]]"), ("{{", "}}")] {
        let mut from = 0;
        while let Some(i) = body[from..].find(open).map(|i| i + from) {
            let inner_start = i + open.len();
            let Some(len) = body[inner_start..].find(close) else { break };
            let inner = &body[inner_start..inner_start + len];
            let end = inner_start + len + close.len();
            from = inner_start;
            if inner.contains('\n') || inner.contains(open) || in_code(i) {
                continue;
            }
            from = end;
            let inner = inner.trim();
            if open == "[[" {
                let (name, label) = match inner.split_once('|') {
                    Some((n, l)) => (n.trim(), Some(l.trim().to_string())),
                    None => (inner, None),
                };
                if name.is_empty() {
                    continue;
                }
                doc.links.push(Reference {
                    start: i,
                    end,
                    name: name.to_string(),
                    detail: label,
                    source: at(i),
                    target: None,
                });
            } else {
                let known = LIVE_PATHS
                    .iter()
                    .find(|p| inner.strip_suffix(**p).and_then(|n| n.strip_suffix('.')).is_some_and(|n| !n.is_empty()));
                match known {
                    Some(p) => doc.values.push(Reference {
                        start: i,
                        end,
                        name: inner[..inner.len() - p.len() - 1].trim().to_string(),
                        detail: Some(p.to_string()),
                        source: at(i),
                        target: None,
                    }),
                    None => out.diagnostics.push(
                        Diagnostic::warning(
                            "unknown-key",
                            at(i),
                            format!("`{{{{ {inner} }}}}` is not a live value opsbook knows; it is shown as written"),
                        )
                        .with_len(end - i)
                        .with_help(format!(
                            "write `{{{{ <node>.<fact> }}}}` with a fact of: {}",
                            LIVE_PATHS.join(", ")
                        )),
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "---\ntitle: ERP push fails\ncovers: [push_order, service:erp-sync]\nowner: team-integrations\n\
                       reviewed: 2026-11-02\n---\n# Mitigation\n\n1. Call the vendor, then replay [[push_order]].\n\
                       2. It tries {{ push_order.retry.max_attempts }} times; `[[not_a_link]]` is code.\n\
                       3. See [[step:push-order|the push]] and {{ push_order.colour }}.\n";

    #[test]
    fn front_matter_covers_and_owner() {
        let x = extract("docs/runbooks/erp-push.md", DOC);
        let node = x.node(NodeKind::Runbook, "erp-push");
        let doc = node.attrs.handwritten.as_deref().unwrap();
        assert_eq!(doc.title, "ERP push fails");
        assert_eq!(
            node.attrs.owner.as_ref().map(|o| (o.value.as_str(), o.source.line)),
            Some(("team-integrations", 4))
        );
        assert_eq!(doc.anchor.line, 3, "staleness points at the covers line");
        let to: Vec<_> = x.facts.edges.iter().map(|e| (e.to.kind, e.to.name.as_str(), e.source.line)).collect();
        assert_eq!(to, [(None, "push_order", 3), (Some(NodeKind::Service), "erp-sync", 3)]);
        assert!(x.facts.edges.iter().all(|e| e.kind == EdgeKind::Documents && e.resolve == Resolve::Required));
    }

    #[test]
    fn links_and_values_keep_their_lines_and_skip_code() {
        let x = extract("docs/runbooks/erp-push.md", DOC);
        let doc = x.node(NodeKind::Runbook, "erp-push").attrs.handwritten.as_deref().unwrap();
        let links: Vec<_> = doc.links.iter().map(|l| (l.name.as_str(), l.detail.as_deref(), l.source.line)).collect();
        assert_eq!(links, [("push_order", None, 9), ("step:push-order", Some("the push"), 11)]);
        assert_eq!(doc.links[0].source.column, 33);
        assert_eq!(&doc.body[doc.links[0].start..doc.links[0].end], "[[push_order]]");
        let values: Vec<_> = doc.values.iter().map(|v| (v.name.as_str(), v.detail.as_deref(), v.source.line)).collect();
        assert_eq!(values, [("push_order", Some("retry.max_attempts"), 10)]);
        let unknown: Vec<_> = x.diagnostics.iter().map(|d| (d.code.as_str(), d.source.line, d.source.column)).collect();
        assert_eq!(unknown, [("unknown-key", 11, 41)], "{:?}", x.diagnostics);
    }

    #[test]
    fn a_file_without_front_matter_is_a_warning_unless_a_readme() {
        let x = extract("docs/runbooks/notes.md", "# Notes\n");
        assert!(x.facts.nodes.is_empty());
        assert_eq!(x.diagnostics.len(), 1);
        assert!(extract("docs/runbooks/README.md", "# Runbooks\n").diagnostics.is_empty());
    }

    #[test]
    fn broken_front_matter_is_a_parse_error_at_its_line() {
        let x = extract("a.runbook.md", "---\ntitle: x\ncovers: [a\n---\nbody\n");
        assert_eq!(x.diagnostics.len(), 1, "{:?}", x.diagnostics);
        assert_eq!(x.diagnostics[0].code, "parse-error");
        assert!(x.diagnostics[0].source.line >= 3, "{:?}", x.diagnostics[0]);
    }

    #[test]
    fn unknown_keys_and_empty_covers_are_reported() {
        let x = extract("a.runbook.md", "---\ntitle: x\ncover: a\n---\n");
        let found: Vec<_> = x.diagnostics.iter().map(|d| (d.code.as_str(), d.source.line)).collect();
        assert_eq!(found, [("unknown-key", 3), ("invalid-value", 1)]);
        assert_eq!(stem("x/erp.runbook.md"), "erp");
    }
}
