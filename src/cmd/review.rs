//! `opsbook review RUNBOOK...`: records the facts each named runbook covers in `opsbook.lock`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::analyze::fingerprint;
use crate::cmd::{Outcome, load_config, out_dir};
use crate::lock::{self, Lock};

#[derive(Clone, Debug, Default)]
pub struct ReviewArgs {
    /// Runbook files, as paths from the working folder.
    pub runbooks: Vec<PathBuf>,
    /// The scanned tree; `opsbook.lock` is written at its root.
    pub dir: PathBuf,
}

pub fn run(args: &ReviewArgs) -> Result<Outcome> {
    let root = args.dir.as_path();
    if !root.is_dir() {
        bail!("{} is not a folder", root.display());
    }
    let config = match load_config(root)? {
        Ok(c) => c,
        Err((d, _)) => bail!("opsbook.toml is not valid ({}: {}); nothing was reviewed", d.source, d.message),
    };
    let out = out_dir(root, &config, None);
    let book = crate::run(root, &config, &out);
    let mut lock = config_lock(root);
    let runbooks: Vec<_> =
        book.graph.nodes().filter_map(|(i, n)| n.attrs.handwritten.as_deref().map(|d| (i, d))).collect();
    let mut said = String::new();
    for path in &args.runbooks {
        // A path from the working folder, else from the scanned tree.
        let path = if path.exists() { path.clone() } else { root.join(path) };
        let rel = relative(root, &path)?;
        let Some((index, doc)) = runbooks.iter().find(|(_, d)| d.file == rel) else {
            bail!(
                "{} is not a runbook of {}: a runbook is a Markdown file under `{}` or named `*.runbook.md`, \
                 with front matter that parses (`opsbook build {} --verbose` shows what is wrong with it)",
                path.display(),
                root.display(),
                config.runbooks,
                root.display()
            );
        };
        let section = fingerprint::covered(&book.graph, &book.analysis, *index);
        let facts: usize = section.values().map(|f| f.len()).sum();
        said.push_str(&format!("Reviewed {rel}: {facts} facts of {} covered nodes recorded.\n", section.len()));
        lock.runbooks.insert(doc.file.clone(), section);
    }
    // Sections of runbooks that are gone would only confuse the next reader.
    lock.runbooks.retain(|file, _| runbooks.iter().any(|(_, d)| &d.file == file));
    let target = root.join(lock::FILE_NAME);
    let staging = root.join(format!(".{}.tmp", lock::FILE_NAME));
    std::fs::write(&staging, lock.to_text()).with_context(|| format!("cannot write {}", staging.display()))?;
    std::fs::rename(&staging, &target).with_context(|| format!("cannot write {}", target.display()))?;
    said.push_str(&format!("Wrote {}.\n", target.display()));
    crate::cmd::report::eprint(&said);
    Ok(Outcome::Success)
}

/// The lock as it is on disk; a broken line is dropped, as review rewrites the file.
fn config_lock(root: &Path) -> Lock {
    let mut lock = crate::scan::lock(root);
    lock.diagnostics.clear();
    lock
}

/// `path` relative to `root`, `/`-separated, as the scan names files.
fn relative(root: &Path, path: &Path) -> Result<String> {
    let abs_root = root.canonicalize().with_context(|| format!("cannot read {}", root.display()))?;
    let abs = path.canonicalize().with_context(|| format!("cannot read {}", path.display()))?;
    let rel =
        abs.strip_prefix(&abs_root).with_context(|| format!("{} is not inside {}", path.display(), root.display()))?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Ok(parts.with_context(|| format!("{} is not a UTF-8 path", path.display()))?.join("/"))
}
