//! `index.html` and `retries.html` from their cached fragments.

use super::*;

/// `index.html`.
pub(super) fn index_page(
    keep: &mut Keep,
    lookup: &Lookup,
    engine: &Engine,
    site_title: &str,
    dirty: Dirty,
    mut out: String,
) -> Made {
    let graph = lookup.graph;
    prune(keep, graph);
    let mut by_kind: HashMap<NodeKind, Vec<(NodeIndex, &crate::model::Node)>> = HashMap::new();
    for (i, n) in graph.nodes() {
        by_kind.entry(n.kind).or_default().push((i, n));
    }
    let counts = overview::KIND_ORDER
        .iter()
        .filter_map(|k| by_kind.get(k).map(|nodes| overview::kind_count(*k, nodes.len())))
        .collect();
    let view = overview::summary(lookup, counts, Vec::new());
    let (before, after) = engine.layout("index.html", site_title, "home");
    out.reserve(keep.values().map(String::len).sum::<usize>() + 16_384);
    out.push_str(&before);
    out.push_str("\n<h1>");
    esc(&mut out, site_title);
    let _ = write!(out, "</h1>\n<p class=\"lead\">{} nodes", view.node_count);
    for (k, c) in view.counts.iter().enumerate() {
        if k == 0 {
            out.push_str(": ");
        }
        out.push_str("<a href=\"#");
        esc(&mut out, c.kind);
        out.push_str("\">");
        esc(&mut out, &c.label);
        out.push_str("</a>");
        if k + 1 < view.counts.len() {
            out.push_str(", ");
        }
    }
    out.push_str(".\n");
    esc(&mut out, &view.findings_summary);
    let _ = write!(
        out,
        "; <a href=\"retries.html\">{} retry {}</a>.</p>\n\n<section id=\"top-failure-points\">\n<h2>Top failure points</h2>\n",
        view.retry_count,
        if view.retry_count == 1 { "policy" } else { "policies" }
    );
    if view.top_findings.is_empty() {
        out.push_str("<p>No findings.</p>");
    } else {
        out.push_str("<ol class=\"findings\">\n");
        for f in &view.top_findings {
            finding(&mut out, f);
        }
        out.push_str("\n</ol>\n");
        if view.findings_total > view.top_findings.len() {
            let _ =
                write!(out, "<p><a href=\"failure-points.html\">All {} failure points</a></p>", view.findings_total);
        }
        out.push('\n');
    }
    out.push_str(
        "\n</section>\n\n<section id=\"more\">\n<h2>Across the system</h2>\n<ul>\n\
         <li><a href=\"retries.html\">Retry policies</a>: every schedule and its worst case</li>\n\
         <li><a href=\"failure-points.html\">Failure points</a>: every finding, ranked</li>\n\
         <li><a href=\"graph.html\">The whole system</a>: every node and edge</li>\n\
         <li><a href=\"graph.json\">graph.json</a>: the model for other tools</li>\n</ul>\n</section>\n\n",
    );
    for kind in overview::KIND_ORDER {
        let Some(nodes) = by_kind.get(&kind) else { continue };
        let workflows = kind.folder() == "workflows";
        out.push_str("\n<section id=\"");
        esc(&mut out, kind.folder());
        out.push_str("\">\n<h2>");
        esc(&mut out, kind.plural_title());
        out.push_str("</h2>\n<table class=\"nodes\">\n<thead><tr><th>Name</th>");
        if workflows {
            out.push_str("<th>Steps and worst case</th>");
        }
        out.push_str("<th>Owner</th><th>Retries</th><th>Findings</th></tr></thead>\n<tbody>\n");
        for &(i, n) in nodes {
            out.push_str(fragment(keep, dirty, i, &n.id, || {
                let row = overview::row(lookup, i, n);
                let mut s = String::new();
                s.push_str("<tr><td>");
                node(&mut s, &row.link, false);
                s.push_str("</td>");
                if workflows {
                    s.push_str("<td>");
                    if let Some(flow) = row.flow.as_deref().filter(|f| !f.is_empty()) {
                        esc(&mut s, flow);
                    }
                    s.push_str("</td>");
                }
                s.push_str("<td>");
                match row.owner.as_deref().filter(|o| !o.is_empty()) {
                    Some(o) => esc(&mut s, o),
                    None => s.push_str("<span class=\"missing\">none</span>"),
                }
                s.push_str("</td><td>");
                if let Some(r) = row.retry.as_deref().filter(|r| !r.is_empty()) {
                    esc(&mut s, r);
                }
                s.push_str("</td><td>");
                if row.findings > 0 {
                    s.push_str("<a href=\"");
                    esc(&mut s, row.link.href.as_deref().unwrap_or_default());
                    let _ = write!(s, "#findings\">{}</a>", row.findings);
                }
                s.push_str("</td></tr>\n");
                s
            }));
        }
        out.push_str("</tbody>\n</table>\n</section>\n");
    }
    out.push('\n');
    out.push_str(&after);
    Made { which: INDEX, path: "index.html", bytes: out.into_bytes() }
}

/// `retries.html`.
pub(super) fn retries_page(keep: &mut Keep, lookup: &Lookup, engine: &Engine, dirty: Dirty, mut out: String) -> Made {
    let (graph, analysis) = (lookup.graph, lookup.analysis);
    if keep.len() > analysis.all_retries.len() {
        keep.retain(|id, _| analysis.all_retries.contains_key(id));
    }
    let (before, after) = engine.layout("retries.html", "Retry policies", "retries");
    out.reserve(keep.values().map(String::len).sum::<usize>() + 16_384);
    out.push_str(&before);
    out.push_str(
        "\n<h1>Retry policies</h1>\n<p class=\"lead\">Every retry policy in the system, with its waits and its worst \
         case. Where code and a doc comment disagree, the code's policy is the one in effect; the other is listed \
         after it.</p>\n",
    );
    if analysis.all_retries.is_empty() {
        out.push_str("<p>No retry policies were found.</p>");
    } else {
        let entries: Vec<_> =
            analysis.all_retries.iter().map(|(id, all)| (id, all, graph.by_id.get(id).copied())).collect();
        out.push_str("\n<nav class=\"toc\" aria-label=\"Nodes that retry\"><ul>");
        for &(id, _, at) in &entries {
            out.push_str("<li><a href=\"#");
            anchor(&mut out, id);
            out.push_str("\">");
            esc(&mut out, at.map_or(id.as_str(), |i| graph.graph[i].name.as_str()));
            out.push_str("</a></li>");
        }
        out.push_str("</ul></nav>\n");
        for &(id, all, at) in &entries {
            let make = || {
                let r = policy::NodeRetries {
                    anchor: id.replace(':', "-"),
                    node: NodeLink::by_id(graph, id, ""),
                    policies: policy::views(all, &lookup.sources),
                };
                let mut s = String::new();
                s.push_str("\n<section id=\"");
                esc(&mut s, &r.anchor);
                s.push_str("\" class=\"retries\">\n<h2>");
                node(&mut s, &r.node, true);
                s.push_str("</h2>\n");
                for p in &r.policies {
                    policy_html(&mut s, p);
                }
                s.push_str("\n</section>\n");
                s
            };
            match at {
                Some(i) => out.push_str(fragment(keep, dirty, i, id, make)),
                // An id the graph does not hold: its bare link, made every time.
                None => out.push_str(&make()),
            }
        }
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&after);
    Made { which: RETRIES, path: "retries.html", bytes: out.into_bytes() }
}
