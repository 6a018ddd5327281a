//! Rendering the pages themselves: the root pages and node pages on every core, each
//! through the engine or from the kept fragments, and `graph.json` from its parts.

use super::*;

/// One rendered file, with the template problems met rendering it.
pub(super) struct Page {
    pub(super) path: String,
    pub(super) bytes: Vec<u8>,
    pub(super) events: Vec<Event>,
    /// A page from a template (not `graph.json` or the search index).
    pub(super) html: bool,
}

/// What [`render_pages`] made.
pub(super) struct Rendered {
    /// In the order a one-by-one render would make them: the root pages, then the node
    /// pages in id order.
    pub(super) pages: Vec<Page>,
    /// Pages outside the book: no page written.
    pub(super) errors: Vec<Diagnostic>,
    /// Every path this build has (not only the rendered ones), assets aside: made only
    /// when every node page renders.
    pub(super) paths: Vec<String>,
}

/// Renders the root pages (when `roots`) and the node pages (all, or those in `nodes`),
/// in parallel. Pages are independent: each gets its own context, the engine is shared.
pub(super) fn render_pages(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    engine: &Engine,
    nodes: Option<&HashSet<NodeIndex>>,
    roots: [bool; ROOT_PATHS.len()],
    kept: Option<Kept>,
) -> Rendered {
    let lookup = Lookup::new(graph, analysis, SourceLinker::new(config.source_url.as_deref()));
    let lookup = &lookup;

    // Each page's neighbours of the same kind, in id order, for its pager.
    let mut by_kind: BTreeMap<model::NodeKind, Vec<NodeIndex>> = BTreeMap::new();
    let mut position: HashMap<NodeIndex, usize> = HashMap::new();
    let mut errors = Vec::new();
    let mut paths: Vec<String> = ROOT_PATHS.iter().map(|p| p.to_string()).collect();
    let mut todo = Vec::new();
    for (index, node) in graph.nodes() {
        if !is_safe_page(&node.page) {
            let source = node.sources.first().cloned().unwrap_or_else(|| Source::new("", 1, 1));
            errors.push(Diagnostic::error(
                "render-error",
                source,
                format!(
                    "node `{}` has the page path `{}`, which is outside the book: no page written",
                    node.id, node.page
                ),
            ));
            continue;
        }
        let same = by_kind.entry(node.kind).or_default();
        position.insert(index, same.len());
        same.push(index);
        if nodes.is_none_or(|n| n.contains(&index)) {
            todo.push(index);
        }
    }
    if nodes.is_none() {
        paths.extend(graph.nodes().filter(|(_, n)| is_safe_page(&n.page)).map(|(_, n)| n.page.clone()));
    }

    let node_page = |index: NodeIndex| -> Page {
        let node = &graph.graph[index];
        if let Some(doc) = handwritten::doc_view(lookup, index) {
            let title = format!("{} (runbook)", doc.title);
            return page(engine, &node.page, "runbook-doc.html", &title, "", &doc);
        }
        let mut view = runbook::view(lookup, index);
        let root = links::root_of(&node.page);
        let same = &by_kind[&node.kind];
        let at = position[&index];
        view.pager = runbook::Pager {
            previous: at.checked_sub(1).map(|i| links::NodeLink::new(&graph.graph[same[i]], &root)),
            next: same.get(at + 1).map(|&i| links::NodeLink::new(&graph.graph[i], &root)),
        };
        let title = format!("{} ({})", node.name, node.kind.as_str());
        page(engine, &node.page, "runbook.html", &title, "", &view)
    };
    let root_page = |which: usize| -> Page {
        let sources = &lookup.sources;
        match which {
            0 => page(engine, "index.html", "index.html", &config.title, "home", &overview::view(lookup)),
            1 => {
                let view = policy::retries_page(graph, analysis, sources);
                page(engine, "retries.html", "retries.html", "Retry policies", "retries", &view)
            }
            2 => {
                let view = findings::failure_points(&analysis.findings, graph, sources);
                page(engine, "failure-points.html", "failure-points.html", "Failure points", "failures", &view)
            }
            3 => page(engine, "graph.html", "graph.html", "The whole system", "graph", &system::view(graph)),
            4 => {
                let view = search::SearchView { node_count: graph.graph.node_count() };
                page(engine, "search.html", "search.html", "Search", "search", &view)
            }
            5 => file("search-index.js", search::index_js(graph)),
            _ => file("graph.json", json::graph_json(graph, analysis)),
        }
    };
    // graph.json from the parts of the last render, and the root pages made from
    // fragments, beside the other pages, when there is a cache.
    let json_apart = roots[GRAPH_JSON] && kept.is_some();
    let spliced: Vec<usize> = match &kept {
        Some(_) => (0..ROOT_PATHS.len()).filter(|&k| roots[k] && fragments::usable(engine, k)).collect(),
        None => Vec::new(),
    };
    let which: Vec<usize> = (0..ROOT_PATHS.len())
        .filter(|&k| roots[k] && !(k == GRAPH_JSON && json_apart) && !spliced.contains(&k))
        .collect();
    let root_count = which.len();
    // The heavy root pages first, so they do not finish last on their own. Page order
    // is the order of a one-by-one render: their events merge in that order.
    let render_all = || -> Vec<Page> {
        (0..root_count + todo.len())
            .into_par_iter()
            .map(|k| if k < root_count { root_page(which[k]) } else { node_page(todo[k - root_count]) })
            .collect()
    };
    let (mut pages, more) = match kept {
        Some(Kept { json: parts, fragments, dirty }) => {
            let (made, pages) = rayon::join(
                || {
                    rayon::join(
                        || {
                            json_apart.then(|| {
                                let stale = dirty.map(|d| json::Stale {
                                    nodes: d.touched,
                                    edges: d.edges,
                                    edge_nodes: d.nodes,
                                    findings: d.findings,
                                });
                                json::graph_json_parts(graph, analysis, parts, stale)
                            })
                        },
                        || {
                            let which = match dirty {
                                None => fragments::Dirty::All,
                                Some(d) => fragments::Dirty::Nodes(d.nodes),
                            };
                            let made = fragments.render(lookup, engine, &config.title, &spliced, which);
                            fragments.forget(graph, &spliced, which);
                            made
                        },
                    )
                },
                render_all,
            );
            (pages, Some(made))
        }
        None => (render_all(), None),
    };
    if let Some((json, made)) = more {
        for m in made {
            pages.push(Page {
                path: m.path.to_string(),
                bytes: m.bytes,
                events: Vec::new(),
                html: m.which != fragments::SEARCH,
            });
        }
        // No graph.json when it came out as the site has it.
        if let Some(bytes) = json.flatten() {
            pages.push(file("graph.json", bytes));
        }
    }
    Rendered { pages, errors, paths }
}

/// What [`render_cached`] keeps for [`render_pages`]: graph.json's parts and the root
/// pages' fragments, and what changed since they were made (`None`: everything).
pub(super) struct Kept<'k> {
    pub(super) json: &'k mut json::Parts,
    pub(super) fragments: &'k mut fragments::Fragments,
    pub(super) dirty: Option<Stale<'k>>,
}

/// What changed since the last render, for the kept parts.
#[derive(Clone, Copy)]
pub(super) struct Stale<'k> {
    /// Nodes whose own fields or analysis entries changed, or that are new.
    pub(super) touched: &'k HashSet<NodeIndex>,
    /// Some edge changed, or nodes came or went.
    pub(super) edges: bool,
    pub(super) findings: bool,
    /// Nodes whose data, edges either way or analysis entries changed, and more.
    pub(super) nodes: &'k HashSet<NodeIndex>,
}

fn file(path: &str, bytes: Vec<u8>) -> Page {
    Page { path: path.to_string(), bytes, events: Vec::new(), html: false }
}

/// Renders one page. The context holds this page's view only: site-wide data lives in the
/// engine's global context, built once, never copied into each page.
fn page<T: Serialize>(engine: &Engine, path: &str, template: &str, title: &str, nav: &str, view: &T) -> Page {
    let root = links::root_of(path);
    let mut context = Context::new();
    context.insert("root", &root);
    context.insert("page_title", title);
    context.insert("nav", nav);
    context.insert("page", view);
    let mut events = Vec::new();
    let bytes = engine.render(template, &context, &mut events).into_bytes();
    Page { path: path.to_string(), bytes, events, html: true }
}
