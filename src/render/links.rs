//! Links: relative paths between pages, links to nodes, and source locations as `file:line`.

use serde::Serialize;

use crate::model::{Graph, Node};
use crate::source::Source;

/// The way back to the book root from `page`: `""` at the root, `"../"` one folder down.
/// Every link is relative so the book works from `file://` wherever it is copied.
pub fn root_of(page: &str) -> String {
    "../".repeat(page.matches('/').count())
}

/// A link to a node's page, as shown in lists and diagrams.
#[derive(Clone, Debug, Serialize)]
pub struct NodeLink {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// Relative to the page that shows the link; `None` for an id the graph does not hold.
    pub href: Option<String>,
    pub external: bool,
}

impl NodeLink {
    pub fn new(node: &Node, root: &str) -> NodeLink {
        NodeLink {
            id: node.id.clone(),
            name: node.name.clone(),
            kind: node.kind.as_str(),
            href: Some(format!("{root}{}", node.page)),
            external: node.external,
        }
    }

    /// A link to `id`, or its bare id when the graph does not know it (a stale id in an
    /// analysis result should show, not vanish).
    pub fn by_id(graph: &Graph, id: &str, root: &str) -> NodeLink {
        match graph.node(id) {
            Some(node) => NodeLink::new(node, root),
            None => NodeLink { id: id.to_string(), name: id.to_string(), kind: "", href: None, external: true },
        }
    }
}

/// A source location: always `file:line` as text, a link when `source_url` is set.
#[derive(Clone, Debug, Serialize)]
pub struct SourceView {
    pub text: String,
    pub href: Option<String>,
}

/// Turns sources into [`SourceView`]s with the project's `source_url` template.
#[derive(Clone, Debug)]
pub struct SourceLinker {
    template: Option<String>,
}

impl SourceLinker {
    pub fn new(source_url: Option<&str>) -> SourceLinker {
        // A config that points sources at a script or inline data is refused: a source
        // link is something people click during an incident.
        let template = source_url.map(str::trim).filter(|t| {
            let lower = t.to_ascii_lowercase();
            !t.is_empty() && !["javascript:", "data:", "vbscript:"].iter().any(|s| lower.starts_with(s))
        });
        SourceLinker { template: template.map(str::to_string) }
    }

    pub fn view(&self, source: &Source) -> SourceView {
        self.at(&source.file, source.line)
    }

    pub fn at(&self, file: &str, line: u32) -> SourceView {
        let text = format!("{file}:{line}");
        let href = self
            .template
            .as_ref()
            .map(|t| t.replace("{file}", &encode_path(file)).replace("{line}", &line.to_string()));
        SourceView { text, href }
    }
}

/// Percent-encodes a file path for a URL (or a relative URI reference, as SARIF wants),
/// keeping `/` so the path reads naturally.
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_counts_folders() {
        assert_eq!(root_of("index.html"), "");
        assert_eq!(root_of("steps/push-order.html"), "../");
    }

    #[test]
    fn source_urls_fill_file_and_line() {
        let l = SourceLinker::new(Some("https://git.example.com/blob/main/{file}#L{line}"));
        let v = l.at("src/a b.rs", 14);
        assert_eq!(v.text, "src/a b.rs:14");
        assert_eq!(v.href.as_deref(), Some("https://git.example.com/blob/main/src/a%20b.rs#L14"));
        assert_eq!(SourceLinker::new(None).at("x.rs", 1).href, None);
        assert_eq!(SourceLinker::new(Some("javascript:alert(1)//{file}")).at("x.rs", 1).href, None);
    }
}
