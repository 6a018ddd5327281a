//! Incremental builds: a [`Session`] keeps every stage's inputs between builds, so a change
//! to one file re-extracts that file alone, and only pages whose inputs changed are rendered.
//!
//! Facts (and allow comments) are cached per file by the blake3 hash of its text; the graph
//! is rebuilt from the cached facts through [`model::Cache`], which merges again only the
//! nodes of the files that changed; the analysis runs again whole; only the pages that can
//! show what changed between the previous graph and the new one render again
//! ([`render::render_cached`]). After any
//! sequence of changes in which every file parses, the session's site is byte for byte the
//! site [`crate::run`] builds from the same tree.
//!
//! One difference is on purpose: a file whose new text no longer parses keeps its last good
//! facts (its new `parse-error` diagnostic is reported beside them), so the book never loses
//! a runbook while someone is typing. Such files are [`Session::held`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::analyze::suppress::{Allow, allows_in};
use crate::analyze::{self, Analysis};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::extract::{self, Extracted};
use crate::model::{self, Graph};
use crate::render::{self, PageCache, Site};
use crate::scan::{self, ScannedFile, SourceKind};

mod classify;
pub use classify::{ChangeKind, classify_change};

/// One file's cached state.
#[derive(Clone, Debug)]
struct Cached {
    kind: SourceKind,
    hash: blake3::Hash,
    text: String,
    /// The facts the book uses: the last extraction of a text that parsed.
    good: Extracted,
    /// The diagnostics of the current text (those of `good` when it is current).
    diagnostics: Vec<Diagnostic>,
    /// The current text does not parse and `good` is from an earlier one.
    held: bool,
    /// The `opsbook: allow(..)` comments of the current text.
    allows: Vec<Allow>,
}

/// What one update did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// Files whose text was extracted again.
    pub extracted: Vec<String>,
    /// Source files dropped from the book.
    pub dropped: Vec<String>,
    /// Pages rendered (the rest came from the page cache).
    pub rendered: usize,
    /// The whole tree was walked again (a new file, a folder, ignore rules, the config).
    pub rescanned: bool,
    /// Files of the site (paths in the book) that are new or whose bytes changed.
    pub changed: BTreeSet<String>,
    /// Files of the site that are gone from it.
    pub removed: BTreeSet<String>,
    /// Where the update's time went.
    pub timings: Timings,
}

impl Update {
    /// Folds a later update into this one, as if both were one: a page changed and then
    /// removed is removed, a page removed and then written again is changed.
    pub fn merge(&mut self, later: Update) {
        self.extracted.extend(later.extracted);
        self.dropped.extend(later.dropped);
        self.rendered += later.rendered;
        self.rescanned |= later.rescanned;
        for rel in later.changed {
            self.removed.remove(&rel);
            self.changed.insert(rel);
        }
        for rel in later.removed {
            self.changed.remove(&rel);
            self.removed.insert(rel);
        }
        self.timings.add(&later.timings);
    }
}

/// The time of each stage of an update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// Reading and extracting the changed files (walking the whole tree on a rescan).
    pub read: Duration,
    /// Building the graph from the cached facts.
    pub model: Duration,
    /// The analysis: findings and suppressions.
    pub analyze: Duration,
    /// Rendering the site (cached pages reused).
    pub render: Duration,
    /// The whole update, these stages and the bookkeeping between them.
    pub total: Duration,
}

impl Timings {
    fn add(&mut self, other: &Timings) {
        self.read += other.read;
        self.model += other.model;
        self.analyze += other.analyze;
        self.render += other.render;
        self.total += other.total;
    }
}

/// The book of one tree, kept up to date by [`Session::apply`].
pub struct Session {
    pub root: PathBuf,
    pub out: PathBuf,
    /// The output folder relative to the root, when it is inside it.
    out_rel: Option<String>,
    pub config: Config,
    files: BTreeMap<String, Cached>,
    /// Scan diagnostics (skipped files, walk errors) by the file they name.
    scan_diagnostics: BTreeMap<String, Vec<Diagnostic>>,
    /// Lines of `opsbook.lock` that could not be read.
    lock_diagnostics: Vec<Diagnostic>,
    templates: BTreeMap<String, String>,
    pages: PageCache,
    /// The merged nodes of the last graph: an edit merges again only its files' nodes.
    model: model::Cache,
    pub graph: Graph,
    pub analysis: Analysis,
    pub site: Site,
    /// Every diagnostic, sorted by file and line, as [`crate::Book::diagnostics`].
    pub diagnostics: Vec<Diagnostic>,
    /// The diagnostics of the scan, the lock and every file, in the order the analysis takes
    /// them: gathered again only after one of them changed (`sources_changed`).
    source_diagnostics: Vec<Diagnostic>,
    sources_changed: bool,
    /// Files whose current text does not parse.
    held: BTreeSet<String>,
}

impl Session {
    /// Scans and builds the whole tree. `progress` is called with (files extracted, total).
    pub fn open(root: &Path, config: Config, out: &Path, progress: &(dyn Fn(usize, usize) + Sync)) -> Session {
        let mut session = Session {
            root: root.to_path_buf(),
            out: out.to_path_buf(),
            out_rel: relative_out(root, out),
            config,
            files: BTreeMap::new(),
            scan_diagnostics: BTreeMap::new(),
            lock_diagnostics: Vec::new(),
            templates: BTreeMap::new(),
            pages: PageCache::default(),
            model: model::Cache::default(),
            graph: Graph::default(),
            analysis: Analysis::default(),
            site: Site::default(),
            diagnostics: Vec::new(),
            source_diagnostics: Vec::new(),
            sources_changed: true,
            held: BTreeSet::new(),
        };
        session.read_lock();
        session.rescan(&mut Update::default(), progress);
        session.templates = scan::templates(&session.root.join(&session.config.templates));
        session.rebuild(&mut Update::default());
        session
    }

    /// The output folder relative to the root, `/`-separated, when it is inside it.
    pub fn out_rel(&self) -> Option<&str> {
        self.out_rel.as_deref()
    }

    /// Walks the whole tree again (after the watcher lost events); only files whose text
    /// changed are extracted.
    pub fn refresh(&mut self) -> Update {
        let started = Instant::now();
        let mut update = Update::default();
        self.templates = scan::templates(&self.root.join(&self.config.templates));
        self.pages.clear();
        self.rescan(&mut update, &|_, _| {});
        update.timings.read = started.elapsed();
        self.rebuild(&mut update);
        update.timings.total = started.elapsed();
        update
    }

    /// Files whose current text does not parse, whose last good facts stay in the book.
    pub fn held(&self) -> Vec<&str> {
        self.held.iter().map(String::as_str).collect()
    }

    /// The texts of every file read, for diagnostic snippets.
    pub fn texts(&self) -> crate::cmd::report::Texts<'_> {
        self.files.iter().map(|(p, c)| (p.as_str(), c.text.as_str())).collect()
    }

    /// The text of one file read, for a diagnostic's snippet.
    pub fn text(&self, rel: &str) -> Option<&str> {
        self.files.get(rel).map(|c| c.text.as_str())
    }

    /// How many files were read.
    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    /// The current diagnostics of one file.
    pub fn file_diagnostics(&self, rel: &str) -> Vec<&Diagnostic> {
        let extracted = self.files.get(rel).map(|c| c.diagnostics.as_slice()).unwrap_or_default();
        let scanned = self.scan_diagnostics.get(rel).map(Vec::as_slice).unwrap_or_default();
        scanned.iter().chain(extracted).collect()
    }

    /// Replaces the config (after `opsbook.toml` changed): the tree is walked again (the
    /// globs may differ) and every page is rendered again; the extraction cache stays.
    pub fn set_config(&mut self, config: Config) -> Update {
        let started = Instant::now();
        let mut update = Update::default();
        self.config = config;
        self.read_lock();
        self.pages.clear();
        self.templates = scan::templates(&self.root.join(&self.config.templates));
        self.rescan(&mut update, &|_, _| {});
        update.timings.read = started.elapsed();
        self.rebuild(&mut update);
        update.timings.total = started.elapsed();
        update
    }

    /// Brings the book up to date with changes to `paths` (relative to the root, `/`
    /// separators). A changed file the session knows is read alone; anything else that can
    /// change which files are read (a new file, a folder, ignore rules) walks the tree again,
    /// still extracting only files whose text changed.
    pub fn apply(&mut self, paths: &[String]) -> Update {
        let started = Instant::now();
        let mut update = Update::default();
        let out_rel = self.out_rel.clone();
        let mut rescan = false;
        let mut templates = false;
        let mut lock = false;
        let mut known = Vec::new();
        for rel in paths {
            match classify_change(rel, out_rel.as_deref(), &self.config.templates, &self.config.runbooks) {
                ChangeKind::Ignored | ChangeKind::Temporary | ChangeKind::Output => {}
                ChangeKind::Lock => lock = true,
                // The caller reloads the config and calls `set_config`.
                ChangeKind::Config => {}
                ChangeKind::Template => templates = true,
                ChangeKind::IgnoreRules => rescan = true,
                ChangeKind::Source(_) => {
                    if self.files.contains_key(rel) || self.scan_diagnostics.contains_key(rel) {
                        known.push(rel.clone());
                    } else {
                        rescan = true;
                    }
                }
                ChangeKind::Other => {
                    // A folder the session read files from: the first path after `rel/`
                    // in sorted order is one of its files if it has any.
                    let prefix = format!("{rel}/");
                    let holds = |first: Option<&String>| first.is_some_and(|p| p.starts_with(&prefix));
                    if holds(self.files.range(prefix.clone()..).next().map(|(p, _)| p))
                        || holds(self.scan_diagnostics.range(prefix.clone()..).next().map(|(p, _)| p))
                        || self.root.join(rel).is_dir()
                    {
                        rescan = true;
                    }
                }
            }
        }
        if templates {
            self.templates = scan::templates(&self.root.join(&self.config.templates));
            self.pages.clear();
        }
        if rescan {
            self.rescan(&mut update, &|_, _| {});
        } else {
            for rel in &known {
                let (file, diagnostics) = scan::read_one(&self.root, rel, &self.config);
                let had = self.scan_diagnostics.remove(rel).is_some();
                self.sources_changed |= had || !diagnostics.is_empty();
                if !diagnostics.is_empty() {
                    self.scan_diagnostics.insert(rel.clone(), diagnostics);
                }
                match file {
                    Some(file) => {
                        let hash = blake3::hash(file.text.as_bytes());
                        if self.files.get(rel).is_none_or(|c| c.hash != hash) {
                            let x = extract::extract(file.kind, &file.path, &file.text);
                            let allows = allows_in(&file.path, &file.text);
                            self.store(file, hash, x, allows);
                            update.extracted.push(rel.clone());
                        }
                    }
                    None => {
                        if self.forget(rel) {
                            update.dropped.push(rel.clone());
                        }
                    }
                }
            }
        }
        if lock {
            self.read_lock();
        }
        update.timings.read = started.elapsed();
        if rescan || templates || lock || !update.extracted.is_empty() || !update.dropped.is_empty() {
            self.rebuild(&mut update);
        }
        update.timings.total = started.elapsed();
        update
    }

    /// Walks the whole tree again; files whose text is unchanged keep their facts.
    fn rescan(&mut self, update: &mut Update, progress: &(dyn Fn(usize, usize) + Sync)) {
        update.rescanned = true;
        let inventory = scan::scan(&self.root, &self.config, &self.out);
        self.sources_changed = true;
        self.scan_diagnostics.clear();
        for d in inventory.diagnostics {
            self.scan_diagnostics.entry(d.source.file.clone()).or_default().push(d);
        }
        let mut fresh = Vec::new();
        let mut keep = BTreeSet::new();
        for file in inventory.files {
            let hash = blake3::hash(file.text.as_bytes());
            match self.files.get(&file.path) {
                Some(c) if c.hash == hash && c.kind == file.kind => {
                    keep.insert(file.path);
                }
                _ => fresh.push((file, hash)),
            }
        }
        let dropped: Vec<String> = self
            .files
            .keys()
            .filter(|p| !keep.contains(*p) && !fresh.iter().any(|(f, _)| &f.path == *p))
            .cloned()
            .collect();
        for p in dropped {
            self.forget(&p);
            update.dropped.push(p);
        }
        let total = fresh.len();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let extracted: Vec<(Extracted, Vec<Allow>)> = fresh
            .par_iter()
            .map(|(f, _)| {
                let x = extract::extract(f.kind, &f.path, &f.text);
                progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1, total);
                (x, allows_in(&f.path, &f.text))
            })
            .collect();
        for ((file, hash), (x, allows)) in fresh.into_iter().zip(extracted) {
            update.extracted.push(file.path.clone());
            self.store(file, hash, x, allows);
        }
    }

    /// Reads `opsbook.lock` into the config, as [`crate::run`] does; its diagnostics are
    /// kept with the scan's, by its name.
    fn read_lock(&mut self) {
        self.config.lock = scan::lock(&self.root);
        let diagnostics = std::mem::take(&mut self.config.lock.diagnostics);
        self.lock_diagnostics = diagnostics;
        self.sources_changed = true;
    }

    /// Drops a file from the cache; whether it was there.
    fn forget(&mut self, rel: &str) -> bool {
        self.held.remove(rel);
        let Some(gone) = self.files.remove(rel) else { return false };
        self.sources_changed |= !gone.diagnostics.is_empty();
        true
    }

    /// Records a file's new extraction and allow comments. A text that no longer parses
    /// keeps the facts of the last one that did.
    fn store(&mut self, file: ScannedFile, hash: blake3::Hash, x: Extracted, allows: Vec<Allow>) {
        let broken = x.diagnostics.iter().any(|d| d.code == "parse-error");
        let previous = self.files.remove(&file.path);
        self.sources_changed |=
            !x.diagnostics.is_empty() || previous.as_ref().is_some_and(|p| !p.diagnostics.is_empty());
        let cached = match previous {
            Some(prev) if broken && prev.kind == file.kind && prev.good != Extracted::default() => Cached {
                kind: file.kind,
                hash,
                text: file.text,
                good: Extracted { facts: prev.good.facts, diagnostics: x.diagnostics.clone() },
                diagnostics: x.diagnostics,
                held: true,
                allows,
            },
            _ => Cached {
                kind: file.kind,
                hash,
                text: file.text,
                diagnostics: x.diagnostics.clone(),
                good: x,
                held: false,
                allows,
            },
        };
        if cached.held {
            self.held.insert(file.path.clone());
        } else {
            self.held.remove(&file.path);
        }
        self.files.insert(file.path, cached);
    }

    /// Model, analysis and render from the cached facts, in the order [`crate::run`] uses.
    /// The paths whose bytes changed are reported in `update.changed` and `update.removed`.
    fn rebuild(&mut self, update: &mut Update) {
        if std::mem::take(&mut self.sources_changed) {
            let mut diagnostics: Vec<Diagnostic> = self.scan_diagnostics.values().flatten().cloned().collect();
            diagnostics.extend(self.lock_diagnostics.iter().cloned());
            diagnostics.extend(self.files.values().flat_map(|c| c.diagnostics.iter().cloned()));
            self.source_diagnostics = diagnostics;
        }
        let mut diagnostics = self.source_diagnostics.clone();
        let lap = Instant::now();
        // Only the files this update read again or dropped can have changed facts.
        let changed = update.extracted.iter().chain(&update.dropped);
        let graph = self.model.build(self.files.iter().map(|(p, c)| (p.as_str(), &c.good.facts)), changed);
        update.timings.model += lap.elapsed();
        let lap = Instant::now();
        // Each file's allow comments were found when it was read; in path order, as
        // `suppress::scan` finds them in a full build.
        let allows: Vec<Allow> = self.files.values().flat_map(|c| c.allows.iter().cloned()).collect();
        let analysis = analyze::analyze_allowing(&graph, &diagnostics, &self.config, &allows);
        update.timings.analyze += lap.elapsed();
        let lap = Instant::now();
        // The site is updated in place: only pages an edit can reach are rendered, and the
        // render says which paths it changed or removed.
        let render_diags = render::render_cached(
            &graph,
            &analysis,
            &self.graph,
            &self.analysis,
            &self.config,
            &self.templates,
            &mut self.pages,
            &mut self.site,
        );
        update.timings.render += lap.elapsed();
        update.rendered = self.pages.rendered;
        diagnostics.extend(render_diags);
        diagnostics.sort_by(|a, b| a.source.cmp(&b.source).then_with(|| a.code.cmp(&b.code)));
        let old_graph = std::mem::replace(&mut self.graph, graph);
        let old_analysis = std::mem::replace(&mut self.analysis, analysis);
        self.diagnostics = diagnostics;
        // The model uses the old graph's unchanged nodes again in the next build.
        self.model.recycle(old_graph);
        crate::drop_later(old_analysis);
        update.changed.extend(self.pages.changed.iter().cloned());
        update.removed.extend(self.pages.removed.iter().cloned());
    }
}

/// `out` relative to `root` with `/` separators, comparing real paths (links resolved), so
/// `--out /abs/path/repo/book` and `./book` are the same folder.
fn relative_out(root: &Path, out: &Path) -> Option<String> {
    let real = |p: &Path| {
        p.canonicalize().ok().or_else(|| {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(parent.canonicalize().ok()?.join(p.file_name()?))
        })
    };
    let rel = real(out)?.strip_prefix(real(root)?).ok()?.to_path_buf();
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let rel = parts?.join("/");
    (!rel.is_empty()).then_some(rel)
}

#[cfg(test)]
mod tests;
