//! `opsbook diff`: the operational diff of two trees, two `graph.json` files, or the work tree
//! and a git revision, as Markdown for a pull-request comment.

mod compare;
#[cfg(test)]
mod tests;

pub use compare::{Changes, compare, markdown};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::cmd::report::{self, Texts};
use crate::cmd::{Outcome, load_config, out_dir};
use crate::render::json::SCHEMA;

#[derive(Clone, Debug, Default)]
pub struct DiffArgs {
    /// OLD and NEW; with `git`, at most one: the work tree's folder (default `.`).
    pub paths: Vec<PathBuf>,
    pub git: Option<String>,
    /// Exit 1 when something changed.
    pub exit_code: bool,
}

pub fn run(args: &DiffArgs) -> Result<Outcome> {
    let (old, new) = match (&args.git, args.paths.as_slice()) {
        (Some(rev), paths) if paths.len() <= 1 => {
            let dir = paths.first().map_or(Path::new("."), PathBuf::as_path);
            (at_revision(dir, rev)?, load(dir)?)
        }
        (Some(_), _) => bail!("with --git, give at most one folder: the work tree to compare with the revision"),
        (None, [old, new]) => (load(old)?, load(new)?),
        (None, _) => bail!("give OLD and NEW (two folders or two graph.json files), or --git REV"),
    };
    let text = markdown(&compare(&old, &new));
    let _ = std::io::stdout().write_all(text.as_bytes());
    Ok(if args.exit_code && !text.is_empty() { Outcome::Findings } else { Outcome::Success })
}

/// The graph of `path`: a folder is built in memory, a file is read as graph.json.
fn load(path: &Path) -> Result<Value> {
    if path.is_dir() {
        return build(path);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let graph: Value =
        serde_json::from_str(&text).with_context(|| format!("{} is neither a folder nor JSON", path.display()))?;
    if graph["schema"] != SCHEMA {
        bail!("{} is not a graph.json of schema \"{SCHEMA}\"", path.display());
    }
    Ok(graph)
}

fn build(root: &Path) -> Result<Value> {
    let config = match load_config(root)? {
        Ok(c) => c,
        Err((d, text)) => {
            let texts: Texts = [(d.source.file.as_str(), text.as_str())].into_iter().collect();
            report::eprint(&report::diagnostic(&d, &texts));
            bail!("{} has an invalid opsbook.toml", root.display());
        }
    };
    let book = crate::run(root, &config, &out_dir(root, &config, None));
    let bytes = crate::render::json::graph_json(&book.graph, &book.analysis);
    Ok(serde_json::from_slice(&bytes)?)
}

/// The graph of `dir` as it was at `rev`: the revision is checked out into a temporary
/// worktree, which is removed again whatever happens.
fn at_revision(dir: &Path, rev: &str) -> Result<Value> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let prefix = git(dir, &["rev-parse", "--show-prefix"])?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let tmp = std::env::temp_dir().join(format!("opsbook-diff-{}-{stamp}", std::process::id()));
    let tmp_arg = tmp.to_string_lossy().into_owned();
    git(Path::new(&top), &["worktree", "add", "--detach", "--quiet", &tmp_arg, rev])
        .with_context(|| format!("cannot check out `{rev}`"))?;
    let _guard = Worktree { repo: PathBuf::from(&top), path: tmp.clone() };
    build(&tmp.join(prefix))
}

/// Removes the temporary worktree on drop, also when the build failed.
struct Worktree {
    repo: PathBuf,
    path: PathBuf,
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let path = self.path.to_string_lossy().into_owned();
        if git(&self.repo, &["worktree", "remove", "--force", &path]).is_err() && self.path.exists() {
            // Only the folder this command made, then git's record of it.
            let _ = std::fs::remove_dir_all(&self.path);
            let _ = git(&self.repo, &["worktree", "prune"]);
        }
    }
}

/// Runs git in `dir` and returns its trimmed stdout; a failure carries git's stderr.
fn git(dir: &Path, args: &[&str]) -> Result<String> {
    let output =
        Command::new("git").arg("-C").arg(dir).args(args).output().context("cannot run git: is it installed?")?;
    if !output.status.success() {
        bail!("git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}
