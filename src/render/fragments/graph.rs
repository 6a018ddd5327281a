//! `graph.html` from its cached fragments: column items, service cards and owner diagrams.

use super::*;

/// `graph.html`.
pub(super) fn graph_page(
    columns: &mut Keep,
    services: &mut Keep,
    owners: &mut HashMap<String, OwnerDiagram>,
    graph: &Graph,
    engine: &Engine,
    dirty: Dirty,
    mut out: String,
) -> Made {
    prune(columns, graph);
    prune(services, graph);
    let reps = system::Reps::new(graph);
    let count = graph.by_id.len();
    let (before, after) = engine.layout("graph.html", "The whole system", "graph");
    let size = |keep: &Keep| keep.values().map(String::len).sum::<usize>();
    let drawn = owners.values().map(|o| o.svg.len()).sum::<usize>();
    out.reserve(size(columns) + size(services) + drawn + 65_536);
    out.push_str(&before);
    let _ = write!(
        out,
        "\n<h1>The whole system</h1>\n<p class=\"lead\">{count} nodes and {} edges. Each node links to its runbook; \
         <a href=\"graph.json\">graph.json</a> has the same graph for other tools.</p>\n",
        graph.graph.edge_count()
    );
    if count > 0 && count <= system::MAX_DIAGRAM_NODES {
        // One small diagram of everything: made every time.
        owners.clear();
        let view = system::view(graph);
        out.push_str("<section id=\"diagram\"><h2>Diagram</h2><div class=\"diagram-wrap\">");
        out.push_str(view.diagram.as_deref().unwrap_or_default());
        out.push_str("</div></section>\n");
    } else {
        let plans = if count > system::MAX_DIAGRAM_NODES { system::owner_plans(graph, &reps) } else { Vec::new() };
        let _ = write!(
            out,
            "<section id=\"diagram\"><h2>Diagrams by owner</h2>\n<p>The system has more than {} nodes, too many for \
             one legible diagram, so it is split by owner: each diagram shows what one owner owns (a workflow's \
             steps are on the workflow's page) and, dimmed, the nodes of others it is joined to. Every runbook \
             page also has a diagram of its node's neighbourhood.</p>\n<ul class=\"columns\">",
            system::MAX_DIAGRAM_NODES
        );
        for p in &plans {
            out.push_str("<li><a href=\"#");
            esc(&mut out, &p.anchor);
            out.push_str("\">");
            esc(&mut out, &p.title);
            let _ = write!(out, "</a> ({})</li>", p.members.len());
        }
        out.push_str("</ul>\n");
        let near = match dirty {
            Dirty::All => None,
            Dirty::Nodes(set) => Some(system::near(graph, set.iter().copied())),
        };
        let mut kept: HashMap<String, OwnerDiagram> = HashMap::with_capacity(plans.len());
        for (k, p) in plans.iter().enumerate() {
            let key = || {
                p.members
                    .iter()
                    .map(|&i| (graph.graph[i].id.as_str(), true))
                    .chain(p.drawn.iter().map(|&i| (graph.graph[i].id.as_str(), p.own.contains(&i))))
            };
            let reusable = |old: &OwnerDiagram| {
                old.key.len() == p.members.len() + p.drawn.len()
                    && old.key.iter().zip(key()).all(|((a, x), (b, y))| a == b && *x == y)
                    && near.as_ref().is_some_and(|near| !system::owner_reads_any(graph, p, &reps, near))
            };
            let diagram = match owners.remove(&p.title) {
                Some(old) if reusable(&old) => old,
                _ => OwnerDiagram {
                    key: key().map(|(id, own)| (id.to_string(), own)).collect(),
                    svg: system::draw_owner(graph, p, &reps),
                },
            };
            let svg = &diagram.svg;
            out.push_str("<details class=\"group\" id=\"");
            esc(&mut out, &p.anchor);
            out.push('"');
            if k == 0 {
                out.push_str(" open");
            }
            out.push_str("><summary>");
            esc(&mut out, &p.title);
            let n = p.members.len();
            let _ =
                write!(out, ": {n} {}</summary>\n<div class=\"diagram-wrap\">", if n == 1 { "node" } else { "nodes" });
            out.push_str(svg);
            out.push_str("</div>");
            if p.left_out > 0 {
                let _ = write!(
                    out,
                    "<p class=\"lead\">{} more left out of this diagram to keep it legible: they are in the lists \
                     below.</p>",
                    p.left_out
                );
            }
            out.push_str("</details>\n");
            kept.insert(p.title.clone(), diagram);
        }
        *owners = kept;
        out.push_str("</section>");
    }
    out.push('\n');
    // By service: a card per service that contains something.
    let mut cards = String::new();
    for (i, n) in graph.nodes().filter(|(_, n)| n.kind == NodeKind::Service) {
        cards.push_str(fragment(services, dirty, i, &n.id, || {
            let g = system::service_group(graph, i, n);
            let mut s = String::new();
            if g.members.is_empty() {
                return s;
            }
            s.push_str("<div class=\"card\"><h3>");
            node(&mut s, &g.service, true);
            s.push_str("</h3><ul>");
            for m in &g.members {
                s.push_str("<li>");
                node(&mut s, m, true);
                s.push_str("</li>");
            }
            s.push_str("</ul></div>\n");
            s
        }));
    }
    if !cards.is_empty() {
        out.push_str("<section id=\"by-service\"><h2>By service</h2><div class=\"grid\">\n");
        out.push_str(&cards);
        out.push_str("</div></section>");
    }
    out.push_str("\n<section id=\"by-kind\"><h2>By kind</h2><div class=\"grid\">\n");
    let mut by_kind: HashMap<NodeKind, Vec<(NodeIndex, &crate::model::Node)>> = HashMap::new();
    for (i, n) in graph.nodes() {
        by_kind.entry(n.kind).or_default().push((i, n));
    }
    for kind in system::COLUMN_ORDER {
        // Steps by the workflow that contains them (the first in id order, the one the
        // step folds into); other kinds one untitled group.
        let mut groups: std::collections::BTreeMap<Option<&str>, Vec<(NodeIndex, &crate::model::Node)>> =
            std::collections::BTreeMap::new();
        for &(i, n) in by_kind.get(&kind).into_iter().flatten() {
            let wf = reps.of(i);
            let key = (kind == NodeKind::Step && wf != i).then(|| graph.graph[wf].id.as_str());
            groups.entry(key).or_default().push((i, n));
        }
        if groups.is_empty() {
            continue;
        }
        out.push_str("<div class=\"card\" id=\"");
        esc(&mut out, kind.folder());
        out.push_str("\"><h3>");
        esc(&mut out, kind.plural_title());
        out.push_str("</h3>\n");
        for (wf, nodes) in &groups {
            if let Some(id) = wf {
                let title = NodeLink::by_id(graph, id, "");
                out.push_str("<details class=\"group\"");
                if system::open_group(true, nodes.len()) {
                    out.push_str(" open");
                }
                out.push_str("><summary>");
                esc(&mut out, &title.name);
                let _ = write!(out, " ({})</summary><p>", nodes.len());
                node(&mut out, &title, true);
                out.push_str("</p>");
            }
            out.push_str("<ul>\n");
            for &(i, n) in nodes {
                out.push_str(fragment(columns, dirty, i, &n.id, || {
                    let item = system::system_node(graph, i, n);
                    let mut s = String::new();
                    s.push_str("<li>");
                    node(&mut s, &item.link, false);
                    if let Some(steps) = item.steps.as_deref().filter(|s| !s.is_empty()) {
                        s.push_str(" <span class=\"kind\">");
                        esc(&mut s, steps);
                        s.push_str(", under Steps</span>");
                    }
                    if !item.edges.is_empty() {
                        s.push_str("<ul class=\"edges\">");
                        for e in &item.edges {
                            s.push_str("<li><span class=\"edge-kind e-");
                            esc(&mut s, e.kind);
                            s.push_str("\">");
                            esc(&mut s, e.kind);
                            s.push_str("</span> ");
                            node(&mut s, &e.to, true);
                            s.push_str("</li>");
                        }
                        s.push_str("</ul>");
                    }
                    s.push_str("</li>\n");
                    s
                }));
            }
            out.push_str("</ul>");
            if wf.is_some() {
                out.push_str("</details>");
            }
            out.push('\n');
        }
        out.push_str("</div>\n");
    }
    out.push_str("</div></section>\n");
    out.push_str(&after);
    Made { which: GRAPH, path: "graph.html", bytes: out.into_bytes() }
}
