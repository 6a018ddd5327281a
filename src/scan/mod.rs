//! Scanning: walk the tree, honour ignore rules and the config's globs, classify each file.

mod classify;

pub use classify::{SourceKind, classify, is_runbook};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::Config;
use crate::diag::{Diagnostic, Severity};
use crate::source::Source;

/// Every file an extractor claims, read into memory, plus what was skipped and why.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Sorted by path.
    pub files: Vec<ScannedFile>,
    /// Project template overrides, by template name.
    pub templates: BTreeMap<String, String>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Debug)]
pub struct ScannedFile {
    /// Relative to the scanned root, `/`-separated.
    pub path: String,
    pub kind: SourceKind,
    pub text: String,
}

/// Folders never read: build output, version-control internals, vendored packages.
const SKIPPED_DIRS: &[&str] = &["target", ".git", "node_modules"];

/// Walks `root`. `out` is the output folder, skipped so a book never documents itself.
pub fn scan(root: &Path, config: &Config, out: &Path) -> Inventory {
    let mut inventory = Inventory::default();
    let (include, exclude) = match globs(config) {
        Ok(sets) => sets,
        Err(d) => {
            inventory.diagnostics.push(d);
            (None, GlobSet::empty())
        }
    };
    let out_abs = out.canonicalize().ok();
    let pruned = Arc::new(Mutex::new(Vec::new()));
    let mut walker = ignore::WalkBuilder::new(root);
    walker
        .hidden(false)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(".opsbookignore")
        .sort_by_file_name(|a, b| a.cmp(b));
    {
        let pruned = Arc::clone(&pruned);
        let root = root.to_path_buf();
        walker.filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !is_dir || entry.depth() == 0 {
                return true;
            }
            let skip = match entry.file_name().to_str() {
                Some(name) if SKIPPED_DIRS.contains(&name) => Some(format!("`{name}/` is never read")),
                _ if out_abs.is_some() && entry.path().canonicalize().ok() == out_abs => {
                    Some("the output folder is never read".to_string())
                }
                _ => None,
            };
            match skip {
                Some(why) => {
                    if let (Some(rel), Ok(mut list)) = (relative(&root, entry.path()), pruned.lock()) {
                        list.push((rel, why));
                    }
                    false
                }
                None => true,
            }
        });
    }
    // The walk gathers, in its order, what to read and what went wrong; the files are then
    // read on every core, and their diagnostics keep the walk's order.
    enum Found {
        Problem(Diagnostic),
        File(std::path::PathBuf, String, SourceKind),
    }
    let mut found = Vec::new();
    for entry in walker.build() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                found.push(Found::Problem(walk_error(root, &e)));
                continue;
            }
        };
        if entry.path_is_symlink() {
            inventory.diagnostics.push(symlink(root, entry.path()));
            continue;
        }
        if entry.file_type().is_none_or(|t| !t.is_file()) {
            continue;
        }
        let path = entry.path();
        let Some(rel) = relative(root, path) else {
            let shown = path.display().to_string();
            found.push(Found::Problem(Diagnostic::warning(
                "skipped-file",
                Source::new(shown, 1, 1),
                "skipped: the file name is not valid UTF-8",
            )));
            continue;
        };
        if exclude.is_match(&rel) || include.as_ref().is_some_and(|inc| !inc.is_match(&rel)) {
            continue;
        }
        let kind = if is_runbook(&rel, &config.runbooks) { Some(SourceKind::Runbook) } else { classify(&rel) };
        let Some(kind) = kind else { continue };
        found.push(Found::File(path.to_path_buf(), rel, kind));
    }
    let results: Vec<(Option<ScannedFile>, Vec<Diagnostic>)> = found
        .into_par_iter()
        .map(|f| match f {
            Found::Problem(d) => (None, vec![d]),
            Found::File(path, rel, kind) => {
                let mut diagnostics = Vec::new();
                (read(&path, &rel, kind, config, &mut diagnostics), diagnostics)
            }
        })
        .collect();
    for (file, diagnostics) in results {
        inventory.diagnostics.extend(diagnostics);
        inventory.files.extend(file);
    }
    let pruned = std::mem::take(&mut *pruned.lock().unwrap_or_else(|p| p.into_inner()));
    for (rel, why) in pruned {
        inventory.diagnostics.push(Diagnostic::info(
            "skipped-file",
            Source::new(format!("{rel}/"), 1, 1),
            format!("skipped: {why}"),
        ));
    }
    inventory.files.sort_by(|a, b| a.path.cmp(&b.path));
    inventory
}

fn globs(config: &Config) -> Result<(Option<GlobSet>, GlobSet), Diagnostic> {
    let build = |patterns: &[String]| -> Result<GlobSet, Diagnostic> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            let glob = Glob::new(p).map_err(|e| {
                Diagnostic::error(
                    "config-error",
                    Source::new(crate::config::FILE_NAME, 1, 1),
                    format!("invalid glob `{p}`: {e}"),
                )
            })?;
            b.add(glob);
        }
        b.build()
            .map_err(|e| Diagnostic::error("config-error", Source::new(crate::config::FILE_NAME, 1, 1), e.to_string()))
    };
    let include = if config.include.is_empty() { None } else { Some(build(&config.include)?) };
    Ok((include, build(&config.exclude)?))
}

fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

/// A walk error (a symlink loop, an unreadable folder) as a diagnostic on the path it names.
fn walk_error(root: &Path, e: &ignore::Error) -> Diagnostic {
    fn path_of(e: &ignore::Error) -> Option<&Path> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Loop { child, .. } => Some(child),
            _ => None,
        }
    }
    let file = path_of(e).and_then(|p| relative(root, p)).unwrap_or_else(|| ".".to_string());
    Diagnostic::warning("skipped-file", Source::new(file, 1, 1), format!("skipped: {e}"))
}

/// Symbolic links are never followed: a link out of the tree would document (and quote)
/// files outside it, and a link to a folder above it would loop. A file linked from inside
/// the tree is read at its own path. What the link is, is said once, as a diagnostic.
fn symlink(root: &Path, path: &Path) -> Diagnostic {
    let rel = relative(root, path).unwrap_or_else(|| path.display().to_string());
    let at = Source::new(rel, 1, 1);
    let inside = |target: &Path| root.canonicalize().is_ok_and(|r| target.starts_with(r));
    match path.canonicalize() {
        // ELOOP: the link resolves through itself.
        Err(e) if e.raw_os_error() == Some(40) => {
            Diagnostic::warning("skipped-file", at, "skipped: a symbolic link loop (it resolves through itself)")
        }
        Err(_) => Diagnostic::info("skipped-file", at, "skipped: a symbolic link to nothing"),
        Ok(target) if !inside(&target) => Diagnostic::warning(
            "skipped-file",
            at,
            "skipped: a symbolic link that points outside the scanned folder; links are not followed",
        ),
        Ok(target) if path.parent().is_some_and(|p| p.canonicalize().is_ok_and(|p| p.starts_with(&target))) => {
            Diagnostic::warning(
                "skipped-file",
                at,
                "skipped: a symbolic link loop (it points at a folder that contains it); links are not followed",
            )
        }
        Ok(_) => Diagnostic::info(
            "skipped-file",
            at,
            "skipped: a symbolic link; links are not followed, and what it points to is read at its own path",
        ),
    }
}

fn read(
    path: &Path,
    rel: &str,
    kind: SourceKind,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ScannedFile> {
    let at = Source::new(rel, 1, 1);
    // A file claimed only by its extension (any YAML or JSON) may well not be ours: that it
    // was skipped is a note, not a warning.
    let severity = if kind.is_sniffed() { Severity::Info } else { Severity::Warning };
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > config.max_file_size {
        diagnostics.push(
            Diagnostic::new(
                severity,
                "skipped-file",
                at,
                format!("skipped: {size} bytes is over the {} byte limit", config.max_file_size),
            )
            .with_help("raise `max_file_size` in opsbook.toml, or exclude the file"),
        );
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            diagnostics.push(Diagnostic::warning("skipped-file", at, format!("skipped: could not read: {e}")));
            return None;
        }
    };
    if bytes.iter().take(8192).any(|&b| b == 0) {
        diagnostics.push(Diagnostic::new(severity, "skipped-file", at, "skipped: binary file (holds a NUL byte)"));
        return None;
    }
    match String::from_utf8(bytes) {
        Ok(text) => Some(ScannedFile { path: rel.to_string(), kind, text }),
        Err(e) => {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes());
            let (line, column) = crate::source::line_col(&text, offset);
            let at = Source::new(rel, line, column);
            diagnostics.push(if kind.is_sniffed() {
                Diagnostic::info("skipped-file", at, "skipped: not UTF-8 text")
            } else {
                Diagnostic::error("parse-error", at, "invalid UTF-8: expected a text file")
            });
            None
        }
    }
}

/// Reads one file of the tree the way [`scan`] does, for a watcher that knows which file
/// changed. The caller has already decided that [`scan`] would visit the path (its ignore
/// rules and the config's globs); a missing file gives nothing.
pub fn read_one(root: &Path, rel: &str, config: &Config) -> (Option<ScannedFile>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let path = root.join(rel);
    let kind = if is_runbook(rel, &config.runbooks) { Some(SourceKind::Runbook) } else { classify(rel) };
    let Some(kind) = kind else { return (None, diagnostics) };
    if !path.is_file() {
        return (None, diagnostics);
    }
    let file = read(&path, rel, kind, config, &mut diagnostics);
    (file, diagnostics)
}

/// Reads the project's template overrides from `dir`: every `*.html` file, by file name.
pub fn templates(dir: &Path) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return map };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "html")
            && let (Some(name), Ok(text)) = (path.file_name().and_then(|n| n.to_str()), std::fs::read_to_string(&path))
        {
            map.insert(name.to_string(), text);
        }
    }
    map
}

/// `opsbook.lock` at the scanned root, read into the config for the analysis; a missing
/// lock is an empty one.
pub fn lock(root: &Path) -> crate::lock::Lock {
    std::fs::read_to_string(root.join(crate::lock::FILE_NAME))
        .map(|text| crate::lock::Lock::parse(&text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;
