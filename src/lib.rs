//! opsbook: turns a repository into the book its on-call engineers read during an incident.
//!
//! The pipeline runs in one direction:
//! [`scan`] -> [`extract`] -> [`model`] -> [`analyze`] -> [`render`] -> [`write`].
//! Commands (`cmd`) are thin shells over [`run`].

pub mod analyze;
pub mod cmd;
pub mod config;
pub mod diag;
pub mod extract;
pub mod lock;
pub mod model;
pub mod render;
pub mod scan;
pub mod session;
pub mod source;
pub mod write;

#[cfg(test)]
mod test_rng;

use std::path::Path;

use rayon::prelude::*;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::extract::Extracted;
use crate::model::Graph;
use crate::render::Site;
use crate::scan::Inventory;

/// Everything one pass of the pipeline produced, in memory.
pub struct Book {
    pub inventory: Inventory,
    /// One entry per file of the inventory, in the same order.
    pub extracted: Vec<Extracted>,
    pub graph: Graph,
    pub analysis: Analysis,
    pub site: Site,
    /// Every diagnostic of every stage, sorted by file and line.
    pub diagnostics: Vec<Diagnostic>,
}

/// Runs scan, extract, model, analyze and render over `root`. `out` is only used to keep
/// the output folder out of the scan; nothing is written.
pub fn run(root: &Path, config: &Config, out: &Path) -> Book {
    run_with(root, config, out, extract::extract)
}

/// [`run`] with another extraction function: the tests compare books built with
/// [`extract::extract_unfiltered`] (every Rust file parsed) against the pre-filtered path.
pub fn run_with(
    root: &Path,
    config: &Config,
    out: &Path,
    extract: fn(scan::SourceKind, &str, &str) -> Extracted,
) -> Book {
    let mut inventory = scan::scan(root, config, out);
    inventory.templates = scan::templates(&root.join(&config.templates));
    // The analysis compares runbooks with the lock, which lives beside the sources.
    let mut config = config.clone();
    config.lock = scan::lock(root);
    inventory.diagnostics.append(&mut config.lock.diagnostics);
    let config = &config;
    let extracted: Vec<Extracted> = inventory.files.par_iter().map(|f| extract(f.kind, &f.path, &f.text)).collect();
    let mut diagnostics = inventory.diagnostics.clone();
    diagnostics.extend(extracted.iter().flat_map(|x| x.diagnostics.iter().cloned()));
    let graph = model::build(extracted.iter().map(|x| &x.facts));
    let texts: analyze::suppress::Texts = inventory.files.iter().map(|f| (f.path.as_str(), f.text.as_str())).collect();
    let analysis = analyze::analyze_sources(&graph, &diagnostics, config, &texts);
    let (site, render_diags) = render::render(&graph, &analysis, config, &inventory.templates);
    diagnostics.extend(render_diags);
    diagnostics.sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.code.cmp(&b.code)));
    Book { inventory, extracted, graph, analysis, site, diagnostics }
}

/// Frees `value` on a thread of its own: freeing the last build's graph, analysis or
/// leftover nodes takes time linear in the tree, and nothing waits for it. (Should no
/// thread start, it is freed here.) The session and the model cache use it.
pub(crate) fn drop_later<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().name("opsbook-free".into()).spawn(move || drop(value));
}
