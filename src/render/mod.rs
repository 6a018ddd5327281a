//! Rendering: the book as an in-memory map from page path to bytes. No disk access.
//!
//! Views are computed in Rust (`*View` structs) and templates only place them, so a
//! project's override of a template cannot get the facts wrong, only their layout. Every
//! string from a source reaches a page through tera's autoescape, [`markdown::escape`] (in
//! SVG) or [`markdown::to_html`] (sanitised Markdown).

mod assets;
pub mod dirty;
mod engine;
pub mod export;
mod findings;
mod flow;
mod fragments;
mod handwritten;
pub mod json;
pub mod links;
mod lookup;
mod markdown;
pub mod markdown_book;
mod overview;
mod pages;
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
mod incremental_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod workflow_tests;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use petgraph::graph::NodeIndex;
use rayon::prelude::*;
use serde::Serialize;
use tera::Context;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::{self, Graph};
use crate::source::Source;

use engine::{Engine, Event};
use links::SourceLinker;
use lookup::Lookup;
use pages::{Kept, Stale, render_pages};

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
    render_with(graph, analysis, config, overrides)
}

/// What [`render_cached`] keeps between renders: the template engine (valid while the
/// templates and the config stay the same: clear the cache when either changes) and
/// what the last render did.
#[derive(Default)]
pub struct PageCache {
    engine: Option<Engine>,
    /// `graph.json` in parts, each made again only when what it shows changed.
    json: json::Parts,
    /// The root pages that list every node, in fragments made again only when what they
    /// show changed.
    fragments: fragments::Fragments,
    /// Template problems met while rendering the pages in the site (a page that is not
    /// rendered again does not meet them again).
    diagnostics: Vec<Diagnostic>,
    /// Pages rendered (not kept from the previous site) by the last render.
    pub rendered: usize,
    /// Site paths the last render wrote whose bytes differ from, or were absent in, the
    /// previous site. After a clear, or on the first render, every path.
    pub changed: BTreeSet<String>,
    /// Site paths the last render removed.
    pub removed: BTreeSet<String>,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("ready", &self.engine.is_some())
            .field("rendered", &self.rendered)
            .field("changed", &self.changed.len())
            .field("removed", &self.removed.len())
            .finish()
    }
}

impl PageCache {
    pub fn clear(&mut self) {
        *self = PageCache::default();
    }
}

/// [`render`], updating `site` in place: `site`, `previous_graph` and `previous_analysis`
/// must be those of the last render with this `cache` (they are ignored when the cache
/// is empty). Only the pages that can show what changed between the two builds render
/// again ([`dirty`] says which); the site is the same, byte for byte, as a fresh
/// [`render`] of the new graph. `cache.changed` and `cache.removed` say which paths moved.
#[allow(clippy::too_many_arguments)]
pub fn render_cached(
    graph: &Graph,
    analysis: &Analysis,
    previous_graph: &Graph,
    previous_analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
    cache: &mut PageCache,
    site: &mut Site,
) -> Vec<Diagnostic> {
    cache.changed.clear();
    cache.removed.clear();
    let Some(mut engine) = cache.engine.take() else {
        let mut engine = Engine::new(overrides, &config.templates, &config.title);
        let mut parts = json::Parts::default();
        let mut kept = fragments::Fragments::default();
        let out = render_pages(
            graph,
            analysis,
            config,
            &engine,
            None,
            [true; ROOT_PATHS.len()],
            Some(Kept { json: &mut parts, fragments: &mut kept, dirty: None }),
        );
        cache.json = parts;
        cache.fragments = kept;
        let mut fresh = Site::default();
        cache.rendered = out.pages.iter().filter(|p| p.html).count();
        for p in out.pages {
            engine.merge(p.events);
            fresh.files.insert(p.path, p.bytes);
        }
        assets::add(&mut fresh);
        cache.removed = site.files.keys().filter(|p| !fresh.files.contains_key(*p)).cloned().collect();
        cache.changed = fresh.files.keys().cloned().collect();
        *site = fresh;
        cache.diagnostics.clear();
        return finish(cache, engine, out.errors);
    };

    let changes = dirty::changes(previous_graph, previous_analysis, graph, analysis);
    let mut wanted = changes.pages;
    if !changes.global && changes.any {
        // A path two nodes share shows the last of them in id order: render all of them.
        // A removed node's path is another node's page now, or no page at all.
        let owners = page_owners(graph);
        let mut more: Vec<NodeIndex> = Vec::new();
        for &i in &wanted {
            if let Some(all) = owners.get(graph.graph[i].page.as_str()).filter(|all| all.len() > 1) {
                more.extend(all);
            }
        }
        for path in &changes.gone {
            match owners.get(path.as_str()) {
                Some(all) => more.extend(all),
                None if is_safe_page(path)
                    && !ROOT_PATHS.contains(&path.as_str())
                    && site.files.remove(path).is_some() =>
                {
                    cache.removed.insert(path.clone());
                }
                None => {}
            }
        }
        wanted.extend(more);
    }
    let nodes = (!changes.global).then_some(&wanted);
    // The root pages by what they read: retries.html the retry policies (and links),
    // search.html the node count, search-index.js the nodes and edges,
    // failure-points.html the findings (and links), the rest anything.
    let any = changes.any;
    let roots = [any, changes.retries, changes.findings, any, changes.count, changes.nodes, any];
    // The nodes whose fragments of the root pages and whose runs of graph.json's edge list
    // are stale: every node whose data, edges (either way) or analysis entries changed
    // has its own page rendered again, so is among `wanted`.
    let stale_nodes: HashSet<NodeIndex> =
        if changes.global { HashSet::new() } else { wanted.iter().chain(&changes.touched).copied().collect() };
    let dirty = (!changes.global).then_some(Stale {
        touched: &changes.touched,
        edges: changes.edges,
        findings: changes.findings,
        nodes: &stale_nodes,
    });
    let out = render_pages(
        graph,
        analysis,
        config,
        &engine,
        nodes,
        roots,
        Some(Kept { json: &mut cache.json, fragments: &mut cache.fragments, dirty }),
    );
    cache.rendered = out.pages.iter().filter(|p| p.html).count();
    // Which pages differ from the site's, on every core: graph.json alone is 13 MB on a
    // large book.
    let differs: Vec<bool> = out.pages.par_iter().map(|p| site.files.get(&p.path) != Some(&p.bytes)).collect();
    for (p, differs) in out.pages.into_iter().zip(differs) {
        engine.merge(p.events);
        // The bytes the site no longer needs: big pages write over them next time.
        let spare = if differs {
            cache.changed.insert(p.path.clone());
            site.files.insert(p.path.clone(), p.bytes)
        } else {
            Some(p.bytes)
        };
        if let Some(bytes) = spare {
            match p.path.as_str() {
                "graph.json" => cache.json.recycle(bytes),
                path => cache.fragments.recycle(path, bytes),
            }
        }
    }
    if changes.global {
        // Node pages that no node shows any more.
        let keep: HashSet<&str> = out.paths.iter().map(String::as_str).collect();
        let assets = assets::names();
        cache.removed =
            site.files.keys().filter(|p| !keep.contains(p.as_str()) && !assets.contains(p.as_str())).cloned().collect();
        for p in &cache.removed {
            site.files.remove(p);
        }
    }
    finish(cache, engine, out.errors)
}

/// Keeps the engine for the next render and the template problems met so far (a page
/// taken from the site does not meet them again), and returns this render's diagnostics.
fn finish(cache: &mut PageCache, mut engine: Engine, errors: Vec<Diagnostic>) -> Vec<Diagnostic> {
    for d in engine.start() {
        if !cache.diagnostics.contains(&d) {
            cache.diagnostics.push(d);
        }
    }
    cache.engine = Some(engine);
    let mut diagnostics = errors;
    diagnostics.extend(cache.diagnostics.iter().cloned());
    diagnostics
}

fn render_with(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> (Site, Vec<Diagnostic>) {
    let mut engine = Engine::new(overrides, &config.templates, &config.title);
    let out = render_pages(graph, analysis, config, &engine, None, [true; ROOT_PATHS.len()], None);
    let mut site = Site::default();
    for p in out.pages {
        engine.merge(p.events);
        site.files.insert(p.path, p.bytes);
    }
    assets::add(&mut site);
    let mut diagnostics = out.errors;
    diagnostics.extend(engine.diagnostics);
    (site, diagnostics)
}

/// The nodes that show each page path in the book, in id order.
fn page_owners(graph: &Graph) -> HashMap<&str, Vec<NodeIndex>> {
    let mut owners: HashMap<&str, Vec<NodeIndex>> = HashMap::new();
    for (index, node) in graph.nodes() {
        if is_safe_page(&node.page) {
            owners.entry(node.page.as_str()).or_default().push(index);
        }
    }
    owners
}

/// `graph.json`'s place in [`ROOT_PATHS`].
const GRAPH_JSON: usize = 6;

/// The pages every book has, in the order [`render_pages`] makes them.
const ROOT_PATHS: [&str; 7] =
    ["index.html", "retries.html", "failure-points.html", "graph.html", "search.html", "search-index.js", "graph.json"];

/// A page path the model made from a slug: relative, `/`-separated, never climbing out.
fn is_safe_page(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.ends_with(".html")
        && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}
