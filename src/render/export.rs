//! The graph for other tools: Graphviz DOT and Mermaid flowcharts, in node-id order.

use std::collections::{BTreeMap, BTreeSet};

use crate::analyze::Analysis;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

fn dot_shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::System => "box3d",
        NodeKind::Service => "component",
        NodeKind::Workflow => "folder",
        NodeKind::Step => "box",
        NodeKind::Resource => "cylinder",
        NodeKind::Api => "ellipse",
        NodeKind::Alert | NodeKind::Runbook => "note",
        NodeKind::Team => "tab",
    }
}

/// Nodes with an error finding, which both formats outline in red.
fn failing(analysis: &Analysis) -> BTreeSet<&str> {
    analysis.findings.iter().filter(|f| f.severity == Severity::Error).filter_map(|f| f.node.as_deref()).collect()
}

/// Sorted edges as (from id, to id, kind), so the output is the same for the same model.
fn edges(graph: &Graph) -> Vec<(&str, &str, EdgeKind)> {
    let g = &graph.graph;
    let mut out: Vec<_> = g
        .edge_indices()
        .filter_map(|e| g.edge_endpoints(e).map(|(a, b)| (g[a].id.as_str(), g[b].id.as_str(), g[e].kind)))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A DOT quoted string's content.
fn dot_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n").replace('\r', "")
}

/// Graphviz DOT: one node per model node (named by id, labelled with name and kind, linked
/// to its page in the book), one edge per model edge labelled with its kind.
pub fn dot(graph: &Graph, analysis: &Analysis) -> String {
    let failing = failing(analysis);
    let mut out = String::from("digraph opsbook {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (_, n) in graph.nodes() {
        let mut attrs = format!(
            "label=\"{}\\n({})\", shape={}, URL=\"{}\"",
            dot_escape(&n.name),
            n.kind.as_str(),
            dot_shape(n.kind),
            dot_escape(&n.page)
        );
        if n.external {
            attrs.push_str(", style=dashed");
        }
        if failing.contains(n.id.as_str()) {
            attrs.push_str(", color=\"#c0392b\", penwidth=2");
        }
        out.push_str(&format!("  \"{}\" [{attrs}];\n", dot_escape(&n.id)));
    }
    for (from, to, kind) in edges(graph) {
        let style = match kind {
            EdgeKind::OnError => ", style=dashed, color=\"#c0392b\"",
            EdgeKind::Owns | EdgeKind::Alerts | EdgeKind::Documents => ", style=dotted",
            _ => "",
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [label=\"{}\"{style}];\n",
            dot_escape(from),
            dot_escape(to),
            kind.as_str()
        ));
    }
    out.push_str("}\n");
    out
}

/// A Mermaid label: quotes and angle brackets as Mermaid's entity codes, so a name cannot
/// end the label or inject markup.
fn mermaid_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A Mermaid flowchart. Node ids are `n0`, `n1`, ... in id order: model ids hold characters
/// Mermaid does not accept in an id.
pub fn mermaid(graph: &Graph, analysis: &Analysis) -> String {
    let failing = failing(analysis);
    let ids: BTreeMap<&str, String> =
        graph.nodes().enumerate().map(|(i, (_, n))| (n.id.as_str(), format!("n{i}"))).collect();
    let mut out = String::from("flowchart LR\n");
    for (_, n) in graph.nodes() {
        let label = format!("{}<br/><small>{}</small>", mermaid_escape(&n.name), n.kind.as_str());
        let (open, close) = match n.kind {
            NodeKind::Resource => ("[(\"", "\")]"),
            NodeKind::Workflow => ("[[\"", "\"]]"),
            NodeKind::Alert | NodeKind::Runbook => (">\"", "\"]"),
            NodeKind::Team => ("([\"", "\"])"),
            _ => ("[\"", "\"]"),
        };
        out.push_str(&format!("  {}{open}{label}{close}\n", ids[n.id.as_str()]));
    }
    for (from, to, kind) in edges(graph) {
        let arrow = match kind {
            EdgeKind::OnError | EdgeKind::Owns | EdgeKind::Alerts | EdgeKind::Documents => "-.->",
            _ => "-->",
        };
        out.push_str(&format!("  {} {arrow}|{}| {}\n", ids[from], kind.as_str(), ids[to]));
    }
    let red: Vec<&str> = failing.iter().filter_map(|id| ids.get(id).map(String::as_str)).collect();
    if !red.is_empty() {
        out.push_str("  classDef failing stroke:#c0392b,stroke-width:2px\n");
        out.push_str(&format!("  class {} failing\n", red.join(",")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::extract::{EdgeFact, Facts, NodeFact, NodeRef, Resolve};
    use crate::source::Source;

    fn model() -> (Graph, Analysis) {
        let src = Source::new("compose.yaml", 3, 1);
        let facts = Facts {
            nodes: vec![
                NodeFact::new(NodeKind::Service, "web \"edge\" <b>", src.clone()),
                NodeFact::new(NodeKind::Service, "db", src.clone()),
            ],
            edges: vec![EdgeFact {
                from: NodeRef::new(NodeKind::Service, "web \"edge\" <b>"),
                to: NodeRef::new(NodeKind::Service, "db"),
                kind: EdgeKind::DependsOn,
                source: src,
                resolve: Resolve::Required,
                detail: None,
            }],
            ..Facts::default()
        };
        let graph = crate::model::build([&facts]);
        let analysis = crate::analyze::analyze(&graph, &[], &Config::default());
        (graph, analysis)
    }

    #[test]
    fn dot_has_every_node_and_edge_with_names_escaped() {
        let (graph, analysis) = model();
        let text = dot(&graph, &analysis);
        assert!(text.starts_with("digraph opsbook {"), "{text}");
        assert!(text.contains("label=\"web \\\"edge\\\" <b>\\n(service)\", shape=component"), "{text}");
        let web = &graph.nodes().find(|(_, n)| n.name.starts_with("web")).unwrap().1.id;
        assert!(text.contains(&format!("\"{web}\" -> \"service:db\" [label=\"depends_on\"]")), "{text}");
    }

    #[test]
    fn mermaid_uses_short_ids_and_entity_codes() {
        let (graph, analysis) = model();
        let text = mermaid(&graph, &analysis);
        assert!(text.starts_with("flowchart LR\n"), "{text}");
        assert!(text.contains("[\"web #quot;edge#quot; #lt;b#gt;<br/><small>service</small>\"]"), "{text}");
        // service:db sorts first: n0; the web service is n1.
        assert!(text.contains("  n1 -->|depends_on| n0\n"), "{text}");
    }
}
