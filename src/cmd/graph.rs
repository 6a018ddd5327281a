//! `opsbook graph`: the model for other tools, as Graphviz DOT, Mermaid or graph.json, on stdout.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::ValueEnum;

use crate::cmd::{Outcome, out_dir};
use crate::render::{export, json};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz: `opsbook graph --format dot | dot -Tsvg > graph.svg`.
    Dot,
    /// A Mermaid flowchart, for Markdown that renders Mermaid (GitHub, GitLab, MkDocs).
    Mermaid,
    /// graph.json, schema "opsbook.graph/v1".
    #[default]
    Json,
}

#[derive(Clone, Debug, Default)]
pub struct GraphArgs {
    pub dir: PathBuf,
    pub format: GraphFormat,
}

pub fn run(args: &GraphArgs) -> Result<Outcome> {
    let root = args.dir.as_path();
    let config = crate::cmd::open_tree(root, "nothing was printed")?;
    let book = crate::run(root, &config, &out_dir(root, &config, None));
    let bytes = match args.format {
        GraphFormat::Dot => export::dot(&book.graph, &book.analysis).into_bytes(),
        GraphFormat::Mermaid => export::mermaid(&book.graph, &book.analysis).into_bytes(),
        GraphFormat::Json => json::graph_json(&book.graph, &book.analysis),
    };
    // A closed pipe (`| head`) is not an error.
    let _ = std::io::stdout().write_all(&bytes);
    Ok(Outcome::Success)
}
