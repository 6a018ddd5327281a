//! Rendering: the book as an in-memory map from page path to bytes. No disk access.
//!
//! Views are computed in Rust (`*View` structs) and templates only place them, so a
//! project's override of a template cannot get the facts wrong, only their layout. Every
//! string from a source reaches a page through tera's autoescape, [`markdown::escape`] (in
//! SVG) or [`markdown::to_html`] (sanitised Markdown).

mod assets;
mod engine;
pub mod export;
mod findings;
mod flow;
mod handwritten;
pub mod json;
pub mod links;
mod lookup;
mod markdown;
pub mod markdown_book;
mod overview;
pub mod policy;
mod resource;
mod runbook;
pub mod search;
mod signals;
mod step;
mod svg;
mod system;
mod team;
mod workflow;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod fixture_flow;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod workflow_tests;

use std::collections::BTreeMap;

use petgraph::graph::NodeIndex;
use serde::Serialize;
use tera::Context;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::{self, Graph};
use crate::source::Source;

use engine::Engine;
use links::SourceLinker;
use lookup::Lookup;

/// The whole book, path (relative to the output folder, `/`-separated) to bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Site {
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Renders every page. `overrides` are the project's own templates by name; a broken one
/// is a diagnostic and the embedded template is used instead.
pub fn render(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> (Site, Vec<Diagnostic>) {
    render_with(graph, analysis, config, overrides, None)
}

/// Pages rendered by an earlier [`render_cached`], by page path, each with the fingerprint
/// of everything its bytes depend on (template name, title, nav, root and the serialized
/// view). Valid only while the templates and the config stay the same: clear it when
/// either changes.
#[derive(Debug, Default)]
pub struct PageCache {
    pages: std::collections::HashMap<String, (blake3::Hash, Vec<u8>)>,
    /// Template problems met while rendering the cached pages (a page served from the
    /// cache does not meet them again).
    diagnostics: Vec<Diagnostic>,
    /// Pages rendered (not taken from the cache) by the last render.
    pub rendered: usize,
}

impl PageCache {
    pub fn clear(&mut self) {
        *self = PageCache::default();
    }
}

/// [`render`], reusing every page of `cache` whose inputs did not change. The site is the
/// same, byte for byte, as a fresh [`render`] of the same graph.
pub fn render_cached(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
    cache: &mut PageCache,
) -> (Site, Vec<Diagnostic>) {
    render_with(graph, analysis, config, overrides, Some(cache))
}

fn render_with(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
    mut cache: Option<&mut PageCache>,
) -> (Site, Vec<Diagnostic>) {
    let lookup = Lookup::new(graph, analysis, SourceLinker::new(config.source_url.as_deref()));
    let sources = &lookup.sources;
    let mut engine = Engine::new(overrides, &config.templates, &config.title);
    if let Some(cache) = cache.as_deref_mut() {
        engine.cache = Some((std::mem::take(&mut cache.pages), Default::default()));
    }
    let mut site = Site::default();
    let mut diagnostics = Vec::new();

    let overview = overview::view(&lookup);
    page(&mut engine, &mut site, "index.html", "index.html", &config.title, "home", &overview);
    let retries = policy::retries_page(graph, analysis, sources);
    page(&mut engine, &mut site, "retries.html", "retries.html", "Retry policies", "retries", &retries);
    let failures = findings::failure_points(&analysis.findings, graph, sources);
    page(&mut engine, &mut site, "failure-points.html", "failure-points.html", "Failure points", "failures", &failures);
    let system = system::view(graph);
    page(&mut engine, &mut site, "graph.html", "graph.html", "The whole system", "graph", &system);
    let search = search::SearchView { node_count: graph.graph.node_count() };
    page(&mut engine, &mut site, "search.html", "search.html", "Search", "search", &search);
    site.files.insert("search-index.js".to_string(), search::index_js(graph));

    // Each page's neighbours of the same kind, in id order, for its pager.
    let mut by_kind: BTreeMap<model::NodeKind, Vec<NodeIndex>> = BTreeMap::new();
    let mut position: BTreeMap<NodeIndex, usize> = BTreeMap::new();
    for (index, node) in graph.nodes() {
        if is_safe_page(&node.page) {
            let same = by_kind.entry(node.kind).or_default();
            position.insert(index, same.len());
            same.push(index);
        }
    }
    for (index, node) in graph.nodes() {
        if !is_safe_page(&node.page) {
            let source = node.sources.first().cloned().unwrap_or_else(|| Source::new("", 1, 1));
            diagnostics.push(Diagnostic::error(
                "render-error",
                source,
                format!(
                    "node `{}` has the page path `{}`, which is outside the book: no page written",
                    node.id, node.page
                ),
            ));
            continue;
        }
        if let Some(doc) = handwritten::doc_view(&lookup, index) {
            let title = format!("{} (runbook)", doc.title);
            page(&mut engine, &mut site, &node.page, "runbook-doc.html", &title, "", &doc);
            continue;
        }
        let mut view = runbook::view(&lookup, index);
        let root = links::root_of(&node.page);
        let same = &by_kind[&node.kind];
        let at = position[&index];
        view.pager = runbook::Pager {
            previous: at.checked_sub(1).map(|i| links::NodeLink::new(&graph.graph[same[i]], &root)),
            next: same.get(at + 1).map(|&i| links::NodeLink::new(&graph.graph[i], &root)),
        };
        let title = format!("{} ({})", node.name, node.kind.as_str());
        page(&mut engine, &mut site, &node.page, "runbook.html", &title, "", &view);
    }

    site.files.insert("graph.json".to_string(), json::graph_json(graph, analysis));
    assets::add(&mut site);
    let Some(cache) = cache else {
        diagnostics.extend(engine.diagnostics);
        return (site, diagnostics);
    };
    if let Some((_, fresh)) = engine.cache.take() {
        cache.rendered = fresh.values().filter(|(_, _, hit)| !hit).count();
        cache.pages = fresh.into_iter().map(|(path, (key, bytes, _))| (path, (key, bytes))).collect();
    }
    for d in engine.diagnostics {
        if !cache.diagnostics.contains(&d) {
            cache.diagnostics.push(d);
        }
    }
    diagnostics.extend(cache.diagnostics.iter().cloned());
    (site, diagnostics)
}

/// Renders one page. The context holds this page's view only: site-wide data lives in the
/// engine's global context, built once, never copied into each page.
fn page<T: Serialize>(
    engine: &mut Engine,
    site: &mut Site,
    path: &str,
    template: &str,
    title: &str,
    nav: &str,
    view: &T,
) {
    let root = links::root_of(path);
    let key = engine.cache.as_ref().map(|_| {
        let mut h = blake3::Hasher::new();
        for part in [template, title, nav, root.as_str()] {
            h.update(&(part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        let _ = serde_json::to_writer(HashWriter(&mut h), view);
        h.finalize()
    });
    if let (Some(key), Some((old, fresh))) = (key, engine.cache.as_mut())
        && let Some((old_key, bytes)) = old.remove(path)
        && old_key == key
    {
        site.files.insert(path.to_string(), bytes.clone());
        fresh.insert(path.to_string(), (key, bytes, true));
        return;
    }
    let mut context = Context::new();
    context.insert("root", &root);
    context.insert("page_title", title);
    context.insert("nav", nav);
    context.insert("page", view);
    let bytes = engine.render(template, &context).into_bytes();
    if let (Some(key), Some((_, fresh))) = (key, engine.cache.as_mut()) {
        fresh.insert(path.to_string(), (key, bytes.clone(), false));
    }
    site.files.insert(path.to_string(), bytes);
}

/// Feeds serialized bytes straight into a hasher, so a page's fingerprint needs no buffer.
struct HashWriter<'a>(&'a mut blake3::Hasher);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A page path the model made from a slug: relative, `/`-separated, never climbing out.
fn is_safe_page(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.ends_with(".html")
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}
