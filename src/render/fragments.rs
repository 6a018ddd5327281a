//! The root pages that list every node, made from fragments kept between incremental
//! renders: `index.html` (a row per node), `graph.html` (an item per node, a card per
//! service, a diagram per owner), `retries.html` (a section per node that retries) and
//! `search-index.js` (an entry per node). After an edit only the fragments whose inputs
//! changed are made again; the page is the cached fragments spliced in node order.
//!
//! The pages are written here, without tera, exactly as their embedded templates write
//! them (`index.html`, `graph.html`, `retries.html`, with `base.html` around them from
//! [`Engine::layout`], and `components.html`, `_finding.html`, `_policy.html`): a full
//! [`super::render`] still goes through tera, and the tests hold both to the same bytes.
//! A project that overrides one of those templates gets the tera render of that page
//! ([`usable`]).
//!
//! What each fragment reads, and so when it is made again ([`Dirty`]):
//! - an overview row: its node, the node's analysis entries (retry headline, workflow
//!   worst case), its finding count and, for a workflow, its `contains` edges;
//! - a column item and a service card on `graph.html`: the node and its outgoing edges;
//! - a retries section: the node's `all_retries` entry;
//! - a search entry: the node and its `alerts` edges, either way;
//! - an owner's diagram on `graph.html`: the nodes it draws (part of its key), and the
//!   data and edges of its members, its boxes, the steps folded into them and every node
//!   one edge from those ([`system::owner_reads_any`]).
//!
//! Ids, names, kinds and page paths of nodes are read everywhere: when one changes the
//! render is global and every fragment is made again. A page that does not render in an
//! incremental render forgets the fragments of the nodes that changed in it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use petgraph::graph::NodeIndex;

use crate::model::{Graph, NodeKind};
use crate::render::engine::Engine;
use crate::render::findings::FindingView;
use crate::render::links::{NodeLink, SourceView};
use crate::render::lookup::Lookup;
use crate::render::policy::PolicyView;
use crate::render::{overview, policy, search, system};

/// Which nodes' fragments are stale.
#[derive(Clone, Copy)]
pub enum Dirty<'a> {
    /// Every fragment (a first or a global render).
    All,
    /// Nodes of the new graph whose data, edges either way or analysis entries changed,
    /// or that are new (and any others: a superset only costs time).
    Nodes(&'a HashSet<NodeIndex>),
}

impl Dirty<'_> {
    fn has(self, i: NodeIndex) -> bool {
        match self {
            Dirty::All => true,
            Dirty::Nodes(set) => set.contains(&i),
        }
    }
}

/// Fragments by node id.
type Keep = HashMap<String, String>;

/// What the root pages keep between renders.
#[derive(Default)]
pub struct Fragments {
    index: Keep,
    columns: Keep,
    services: Keep,
    owners: HashMap<String, OwnerDiagram>,
    retries: Keep,
    search: Keep,
    /// The bytes of earlier pages, by path, written over by the next ones.
    spare: HashMap<&'static str, Vec<u8>>,
}

/// One owner's diagram and the nodes it draws.
struct OwnerDiagram {
    /// Member ids in order, then the drawn ids in order each with whether it is the
    /// owner's own (dimmed otherwise).
    key: Vec<(String, bool)>,
    svg: String,
}

/// The root pages made here, by their place in `ROOT_PATHS`.
pub const INDEX: usize = 0;
pub const RETRIES: usize = 1;
pub const GRAPH: usize = 3;
pub const SEARCH: usize = 5;

/// Whether root page `which` is made here: it is one of ours and the project overrides
/// none of the templates it is written with.
pub fn usable(engine: &Engine, which: usize) -> bool {
    let common = ["base.html", "components.html"];
    match which {
        INDEX => !engine.overrides_any(&common) && !engine.overrides_any(&["index.html", "_finding.html"]),
        RETRIES => !engine.overrides_any(&common) && !engine.overrides_any(&["retries.html", "_policy.html"]),
        GRAPH => !engine.overrides_any(&common) && !engine.overrides_any(&["graph.html"]),
        SEARCH => true,
        _ => false,
    }
}

/// A page made here: its path and bytes.
pub struct Made {
    pub which: usize,
    pub path: &'static str,
    pub bytes: Vec<u8>,
}

impl Fragments {
    /// Makes the root pages in `which` (each [`usable`]), in parallel.
    pub fn render(
        &mut self,
        lookup: &Lookup,
        engine: &Engine,
        site_title: &str,
        which: &[usize],
        dirty: Dirty,
    ) -> Vec<Made> {
        let graph = lookup.graph;
        let wants = |k: usize| which.contains(&k);
        let Fragments { index, columns, services, owners, retries, search, spare } = self;
        let mut buffer = |path: &str| {
            String::from_utf8(
                spare
                    .remove(path)
                    .map(|mut b| {
                        b.clear();
                        b
                    })
                    .unwrap_or_default(),
            )
            .expect("an empty buffer is UTF-8")
        };
        let buffers = [buffer("index.html"), buffer("retries.html"), buffer("graph.html"), buffer("search-index.js")];
        let [b_index, b_retries, b_graph, b_search] = buffers;
        let ((a, b), (c, d)) = rayon::join(
            || {
                rayon::join(
                    || wants(INDEX).then(|| index_page(index, lookup, engine, site_title, dirty, b_index)),
                    || wants(RETRIES).then(|| retries_page(retries, lookup, engine, dirty, b_retries)),
                )
            },
            || {
                rayon::join(
                    || wants(GRAPH).then(|| graph_page(columns, services, owners, graph, engine, dirty, b_graph)),
                    || wants(SEARCH).then(|| search_js(search, graph, dirty, b_search)),
                )
            },
        );
        [a, b, c, d].into_iter().flatten().collect()
    }

    /// Gives back the bytes of a page the site no longer holds, when it is one of ours.
    pub fn recycle(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(&path) =
            ["index.html", "retries.html", "graph.html", "search-index.js"].iter().find(|p| **p == path)
        {
            self.spare.insert(path, bytes);
        }
    }

    /// Forgets, for each root page not in `rendered`, the fragments of the nodes `dirty`
    /// names: they may be stale when that page renders again.
    pub fn forget(&mut self, graph: &Graph, rendered: &[usize], dirty: Dirty) {
        let Dirty::Nodes(set) = dirty else {
            if !rendered.contains(&INDEX) {
                self.index.clear();
            }
            if !rendered.contains(&RETRIES) {
                self.retries.clear();
            }
            if !rendered.contains(&GRAPH) {
                self.columns.clear();
                self.services.clear();
                self.owners.clear();
            }
            if !rendered.contains(&SEARCH) {
                self.search.clear();
            }
            return;
        };
        if set.is_empty() {
            return;
        }
        let ids: Vec<&str> = set.iter().map(|&i| graph.graph[i].id.as_str()).collect();
        let drop = |keep: &mut Keep| {
            for id in &ids {
                keep.remove(*id);
            }
        };
        if !rendered.contains(&INDEX) {
            drop(&mut self.index);
        }
        if !rendered.contains(&RETRIES) {
            drop(&mut self.retries);
        }
        if !rendered.contains(&GRAPH) {
            drop(&mut self.columns);
            drop(&mut self.services);
            // Which diagram reads a node is not known without planning them: all go.
            self.owners.clear();
        }
        if !rendered.contains(&SEARCH) {
            drop(&mut self.search);
        }
    }
}

/// The fragment of node `i` (id `id`) in `keep`, made again when stale or missing.
fn fragment<'k>(keep: &'k mut Keep, dirty: Dirty, i: NodeIndex, id: &str, make: impl FnOnce() -> String) -> &'k str {
    if dirty.has(i) || !keep.contains_key(id) {
        keep.insert(id.to_string(), make());
    }
    &keep[id]
}

/// Drops the fragments of nodes the graph no longer has.
fn prune(keep: &mut Keep, graph: &Graph) {
    if keep.len() > graph.by_id.len() {
        keep.retain(|id, _| graph.by_id.contains_key(id));
    }
}

/// Text as tera's autoescape writes it (`tera::escape_html`).
fn esc(out: &mut String, text: &str) {
    let mut start = 0;
    for (at, b) in text.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..at]);
        out.push_str(with);
        start = at + 1;
    }
    out.push_str(&text[start..]);
}

/// A node id as a retries section's anchor (`:` made `-`), escaped.
fn anchor(out: &mut String, id: &str) {
    for (k, part) in id.split(':').enumerate() {
        if k > 0 {
            out.push('-');
        }
        esc(out, part);
    }
}

/// The `node` component of `components.html`.
fn node(out: &mut String, n: &NodeLink, show_kind: bool) {
    match &n.href {
        Some(href) => {
            out.push_str("<a class=\"node k-");
            esc(out, n.kind);
            out.push_str("\" href=\"");
            esc(out, href);
            out.push_str("\">");
            esc(out, &n.name);
            out.push_str("</a>");
        }
        None => {
            out.push_str("<span class=\"node\">");
            esc(out, &n.name);
            out.push_str("</span>");
        }
    }
    if show_kind && !n.kind.is_empty() {
        out.push_str(" <span class=\"kind\">");
        esc(out, n.kind);
        out.push_str("</span>");
    }
}

/// The `src` component of `components.html`.
fn src(out: &mut String, s: &SourceView) {
    match &s.href {
        Some(href) => {
            out.push_str("<a class=\"src\" href=\"");
            esc(out, href);
            out.push_str("\">");
            esc(out, &s.text);
            out.push_str("</a>");
        }
        None => {
            out.push_str("<span class=\"src\">");
            esc(out, &s.text);
            out.push_str("</span>");
        }
    }
}

/// `_finding.html`.
fn finding(out: &mut String, f: &FindingView) {
    let _ = write!(out, "\n<li class=\"finding sev-");
    esc(out, f.severity);
    let _ = write!(out, "\" id=\"finding-{}\">\n<p class=\"finding-head\"><span class=\"badge sev-", f.rank);
    esc(out, f.severity);
    out.push_str("\">");
    esc(out, f.severity);
    out.push_str("</span> <code>");
    esc(out, &f.code);
    out.push_str("</code>");
    if let Some(n) = &f.node {
        out.push_str(" on ");
        node(out, n, true);
    }
    out.push_str(" at ");
    src(out, &f.source);
    out.push_str("</p>\n<p class=\"message\">");
    out.push_str(&f.message_html);
    out.push_str("</p>\n");
    if !f.help.is_empty() {
        out.push_str("<p class=\"help\"><strong>Fix:</strong> ");
        out.push_str(&f.help_html);
        out.push_str("</p>");
    }
    out.push_str("\n</li>\n");
}

/// `_policy.html`.
fn policy_html(out: &mut String, p: &PolicyView) {
    out.push_str("\n<div class=\"policy");
    if p.effective {
        out.push_str(" effective");
    }
    out.push_str("\">\n<p class=\"headline\"><strong>");
    esc(out, &p.headline);
    out.push_str("</strong>");
    if !p.effective {
        out.push_str(" <span class=\"badge\">not in effect</span>");
    }
    out.push_str("</p>\n<dl class=\"facts\">\n<dt>Attempts</dt><dd>");
    esc(out, &p.attempts);
    out.push_str("</dd>\n");
    if let Some(h) = p.handles.as_deref().filter(|h| !h.is_empty()) {
        out.push_str("<dt>Retries on</dt><dd><code>");
        esc(out, h);
        out.push_str("</code></dd>");
    }
    out.push_str("\n<dt>Worst case</dt><dd>");
    match p.worst_case.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => esc(out, w),
        None => out.push_str("no bound known"),
    }
    out.push_str("</dd>\n<dt>Backoff</dt><dd>");
    esc(out, &p.backoff);
    out.push_str("</dd>\n<dt>Schedule</dt><dd>");
    match p.schedule.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => esc(out, s),
        None => out.push_str("no waits"),
    }
    out.push_str("</dd>\n<dt>Jitter</dt><dd>");
    esc(out, &p.jitter);
    out.push_str("</dd>\n<dt>Max delay</dt><dd>");
    esc(out, &p.max_delay);
    out.push_str("</dd>\n<dt>Time limit</dt><dd>");
    esc(out, &p.max_elapsed);
    out.push_str("</dd>\n<dt>Per attempt</dt><dd>");
    esc(out, &p.attempt_timeout);
    out.push_str("</dd>\n");
    for u in &p.unknown {
        out.push_str("<dt>Unknown</dt><dd>");
        esc(out, u.label);
        out.push_str(": not known statically (<code>");
        esc(out, &u.expr);
        out.push_str("</code>)</dd>\n");
    }
    out.push_str("<dt>Origin</dt><dd>");
    esc(out, &p.library);
    out.push_str(", ");
    esc(out, p.origin);
    if !p.text.is_empty() {
        out.push_str(": <code>");
        esc(out, &p.text);
        out.push_str("</code>");
    }
    out.push_str("</dd>\n<dt>Source</dt><dd>");
    src(out, &p.source);
    out.push_str("</dd>\n</dl>\n</div>\n");
}

/// `index.html`.
fn index_page(
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
fn retries_page(keep: &mut Keep, lookup: &Lookup, engine: &Engine, dirty: Dirty, mut out: String) -> Made {
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

/// `graph.html`.
fn graph_page(
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

/// `search-index.js`.
fn search_js(keep: &mut Keep, graph: &Graph, dirty: Dirty, out: String) -> Made {
    prune(keep, graph);
    for (i, n) in graph.nodes() {
        fragment(keep, dirty, i, &n.id, || search::entry_script(graph, i, n));
    }
    let bytes = search::index_js_from(graph.nodes().map(|(_, n)| keep[&n.id].as_str()), out.into_bytes());
    Made { which: SEARCH, path: "search-index.js", bytes }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analyze::Analysis;
    use crate::config::Config;
    use crate::render::fixture;
    use crate::render::links::SourceLinker;

    /// The first difference between two pages, with some text around it.
    pub(crate) fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
        let at = a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))?;
        let around =
            |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(120)..(at + 120).min(s.len())]).into_owned();
        Some(format!("at byte {at}:\n--- spliced:\n{}\n--- tera:\n{}", around(a), around(b)))
    }

    /// Every page made here equals tera's render of its template, byte for byte.
    fn same_as_tera(graph: &Graph, analysis: &Analysis, config: &Config) {
        let engine = Engine::new(&BTreeMap::new(), "templates", &config.title);
        let lookup = Lookup::new(graph, analysis, SourceLinker::new(config.source_url.as_deref()));
        let (site, _) = super::super::render(graph, analysis, config, &BTreeMap::new());
        let made =
            Fragments::default().render(&lookup, &engine, &config.title, &[INDEX, RETRIES, GRAPH, SEARCH], Dirty::All);
        assert_eq!(made.len(), 4);
        for m in made {
            if let Some(d) = first_difference(&m.bytes, &site.files[m.path]) {
                panic!("{}: {d}", m.path);
            }
        }
    }

    #[test]
    fn spliced_pages_equal_teras() {
        let graph = fixture::graph();
        let analysis = fixture::analysis(&graph);
        let mut config = Config::default();
        same_as_tera(&graph, &analysis, &config);
        config.source_url = Some("https://git.example.com/x/blob/main/{file}#L{line}".to_string());
        config.title = "Ops <&> 'book'".to_string();
        same_as_tera(&graph, &analysis, &config);
        let (graph, analysis) = crate::render::fixture_flow::system();
        same_as_tera(&graph, &analysis, &config);
        same_as_tera(&Graph::default(), &Analysis::default(), &config);
    }

    #[test]
    fn escaping_is_teras() {
        let text = "a&b <c> \"d\" 'e' / ü";
        let mut ours = String::new();
        esc(&mut ours, text);
        let mut theirs = Vec::new();
        tera::escape_html(text, &mut theirs).unwrap();
        assert_eq!(ours.as_bytes(), theirs.as_slice());
    }
}
