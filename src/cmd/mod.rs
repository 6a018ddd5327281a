//! Commands: thin shells over the pipeline that own the disk, the terminal and exit codes.

pub mod build;
pub mod check;
pub mod diff;
pub mod explain;
pub mod graph;
pub mod init;
pub mod report;
pub mod review;
pub mod runbook;
pub mod sarif;
#[cfg(feature = "serve")]
pub mod serve;
pub mod watch;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{self, Config};
use crate::diag::Diagnostic;
use crate::source::{Source, line_col};

/// How a command ended, as the process exit code says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// 0: done.
    Success,
    /// 1: findings at or above the failing severity.
    Findings,
}

/// The config of the tree at `root`, for a command: `root` must be a folder, and a broken
/// `opsbook.toml` is printed with its snippet and fails the command, with `consequence`
/// ("nothing was written") saying what did not happen.
pub fn open_tree(root: &Path, consequence: &str) -> Result<Config> {
    if !root.is_dir() {
        anyhow::bail!("{} is not a folder", root.display());
    }
    match load_config(root)? {
        Ok(c) => Ok(c),
        Err((d, text)) => {
            let texts: report::Texts = [(d.source.file.as_str(), text.as_str())].into_iter().collect();
            report::eprint(&report::diagnostic(&d, &texts));
            anyhow::bail!("opsbook.toml is not valid; {consequence}");
        }
    }
}

/// Reads `opsbook.toml` in `root` if there is one. A broken file is a diagnostic with its
/// span, and the command fails: guessing the output folder could overwrite something.
pub fn load_config(root: &Path) -> Result<Result<Config, (Diagnostic, String)>> {
    let path = root.join(config::FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ok(Config::default())),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    Ok(config::parse(&text).map_err(|(message, span)| {
        let (line, column) = span.as_ref().map_or((1, 1), |s| line_col(&text, s.start));
        let d = Diagnostic::error("config-error", Source::new(config::FILE_NAME, line, column), message)
            .with_len(span.map_or(0, |s| s.len()))
            .with_help("see `opsbook --help` and the README for the keys of opsbook.toml");
        (d, text)
    }))
}

/// The output folder: `--out` as given, else the config's `out` under the scanned root.
pub fn out_dir(root: &Path, config: &Config, flag: Option<&Path>) -> PathBuf {
    match flag {
        Some(p) => p.to_path_buf(),
        None => root.join(&config.out),
    }
}
