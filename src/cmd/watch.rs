//! `opsbook watch`: build, then rebuild on every change, incrementally ([`crate::session`]).
//!
//! File events come from notify through the full debouncer, which stitches an editor's
//! "write a temporary file, rename it over" into one rename, merges bursts of writes and
//! reports a removed folder once. Each batch is one rebuild and one line in the terminal.
//!
//! One kind of event skips the debounce: a source file the book already reads, closed by
//! a writer ([`Tapped`]). Its text is whole, so the rebuild starts at once; the debounced
//! batch for the same write arrives a few milliseconds later and finds nothing new.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use notify::event::{AccessKind, AccessMode, MetadataKind, ModifyKind};
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{Debouncer, RecommendedCache, new_debouncer_opt};

use crate::cmd::report::{self, Texts};
use crate::cmd::{Outcome, load_config, out_dir};
use crate::diag::{Diagnostic, Severity};
use crate::session::{ChangeKind, Session, Timings, Update, classify_change};

mod tap;
use tap::{Message, TAP, Tapped};

/// How long the debouncer holds an event before it hands it on, merged with the others of
/// its burst. Editors finish a save (temporary file, rename, attribute change) within a few
/// milliseconds, and a rename's two halves are stitched by their inotify cookie whatever
/// the delay. The debouncer looks every quarter of this (1.25 ms), so a change reaches the
/// rebuild 5-6.25 ms after it is made (a plain write of a file the book reads skips this:
/// see [`Tapped`]); a save split across two batches is two correct
/// rebuilds, the second usually with nothing to do, and a file read half-written holds its
/// last good facts until the rest of the write arrives. (10 ms cost a 200x40 edit 3-7 ms
/// more through the real watcher, measured alternately in one run.)
const DEBOUNCE: Duration = Duration::from_millis(5);

#[derive(Clone, Debug, Default)]
pub struct WatchArgs {
    pub dir: PathBuf,
    pub out: Option<PathBuf>,
}

/// The state of the book after a build, as `serve` shows it in the browser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// The tree builds; `written` files of the book changed.
    Built { written: usize },
    /// Some files (or `opsbook.toml`) do not build; the book keeps their last good state.
    /// `written` files of the book changed all the same.
    Broken { written: usize, message: String },
}

pub fn run(args: &WatchArgs) -> Result<Outcome> {
    let watcher = Watcher::start(&args.dir, args.out.as_deref())?;
    watcher.run(|_| {})
}

/// A built book and the file watcher that keeps it current.
pub struct Watcher {
    session: Session,
    /// The root as the operating system reports event paths: absolute, links resolved.
    canonical: PathBuf,
    /// The config is broken: this is its diagnostic, and the session keeps the last good one.
    config_error: Option<String>,
    events: mpsc::Receiver<Message>,
    _debouncer: Debouncer<Tapped, RecommendedCache>,
}

impl Watcher {
    /// Builds the book of `dir` into its output folder and starts watching. A broken
    /// `opsbook.toml` or an output folder opsbook did not make is an error, as for `build`.
    pub fn start(dir: &Path, out: Option<&Path>) -> Result<Watcher> {
        let config = crate::cmd::open_tree(dir, "nothing was written")?;
        let out = out_dir(dir, &config, out);
        let canonical = dir.canonicalize().with_context(|| format!("cannot read {}", dir.display()))?;
        // Watch before the first build, so an edit made while it runs is not missed.
        let (tx, events) = mpsc::channel();
        let batches = tx.clone();
        // `Tapped::new` takes the sender on this thread, inside `new_debouncer_opt`.
        TAP.with(|t| *t.borrow_mut() = Some(tx));
        let debouncer = new_debouncer_opt::<_, Tapped, _>(
            DEBOUNCE,
            None,
            move |batch| {
                let _ = batches.send(Message::Batch(batch));
            },
            RecommendedCache::new(),
            notify::Config::default(),
        );
        TAP.with(|t| t.borrow_mut().take());
        let mut debouncer = debouncer.context("cannot watch for file changes")?;
        debouncer
            .watch(&canonical, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {} for changes", dir.display()))?;

        let started = Instant::now();
        let bar = if std::io::stderr().is_terminal() { ProgressBar::new(0) } else { ProgressBar::hidden() };
        bar.set_style(
            ProgressStyle::with_template("Reading {pos}/{len} files {wide_bar} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        let session = Session::open(dir, config, &out, &|done, total| {
            // Only a large tree is worth a bar.
            if total >= 200 {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
        });
        bar.finish_and_clear();
        let stats = crate::write::write(&session.site, &out)
            .with_context(|| format!("cannot write the book to {}", out.display()))?;
        let watcher = Watcher { session, canonical, config_error: None, events, _debouncer: debouncer };
        watcher.print_problems(None);
        let pages = watcher.session.site.files.keys().filter(|p| p.ends_with(".html")).count();
        report::eprint(&format!(
            "Built the book of {} ({} files read, {} pages) in {} ms: {} files written to {}.\n\
             Watching for changes (Ctrl-C stops).\n",
            dir.display(),
            watcher.session.file_count(),
            pages,
            started.elapsed().as_millis(),
            stats.written,
            out.display()
        ));
        Ok(watcher)
    }

    /// The book as it is now.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The status of the first build, before any change.
    pub fn status(&self) -> Status {
        self.status_with(0)
    }

    /// Rebuilds after every batch of changes until the watcher fails; calls `on_build` after
    /// each rebuild that changed something.
    pub fn run(mut self, mut on_build: impl FnMut(&Status)) -> Result<Outcome> {
        loop {
            let first = self.events.recv().context("the file watcher stopped")?;
            let mut paths = BTreeSet::new();
            let mut rescan = false;
            let prompt = matches!(first, Message::Closed(_));
            self.take(first, &mut paths, &mut rescan);
            if prompt {
                if paths.is_empty() {
                    continue;
                }
                // What else is already waiting (the other files of a burst) joins this rebuild.
                while let Ok(more) = self.events.try_recv() {
                    self.take(more, &mut paths, &mut rescan);
                }
            }
            if let Some(status) = self.rebuild(&paths.into_iter().collect::<Vec<_>>(), rescan)? {
                on_build(&status);
            }
        }
    }

    /// Adds what one message says changed to `paths` (relative to the root). A closed file
    /// counts only when the book reads it; its batch brings any other file in due course.
    fn take(&self, message: Message, paths: &mut BTreeSet<String>, rescan: &mut bool) {
        match message {
            Message::Closed(path) => {
                if let Some(rel) = self.relative(&path).filter(|rel| self.session.text(rel).is_some()) {
                    paths.insert(rel);
                }
            }
            Message::Batch(Ok(events)) => {
                for event in events {
                    *rescan |= event.need_rescan();
                    if !changes_content(&event.kind) {
                        continue;
                    }
                    for path in &event.paths {
                        if let Some(rel) = self.relative(path) {
                            paths.insert(rel);
                        }
                    }
                }
            }
            Message::Batch(Err(errors)) => {
                for e in errors {
                    report::eprint(&format!("warning: file watcher: {e}\n"));
                }
                *rescan = true;
            }
        }
    }

    /// One rebuild; `None` when the batch changed nothing the book reads.
    fn rebuild(&mut self, paths: &[String], rescan: bool) -> Result<Option<Status>> {
        let started = Instant::now();
        let kinds: Vec<ChangeKind> = paths
            .iter()
            .map(|p| {
                classify_change(
                    p,
                    self.session.out_rel(),
                    &self.session.config.templates,
                    &self.session.config.runbooks,
                )
            })
            .collect();
        let relevant: Vec<&String> = paths
            .iter()
            .zip(&kinds)
            .filter(|(_, k)| !matches!(k, ChangeKind::Ignored | ChangeKind::Temporary | ChangeKind::Output))
            .map(|(p, _)| p)
            .collect();
        if relevant.is_empty() && !rescan {
            return Ok(None);
        }
        let mut update = Update::default();
        if kinds.contains(&ChangeKind::Config) {
            match load_config(&self.session.root)? {
                Ok(config) => {
                    self.config_error = None;
                    if out_dir(&self.session.root, &config, None) != self.session.out
                        && config.out != self.session.config.out
                    {
                        report::eprint(
                            "note: `out` in opsbook.toml changed; the book stays where it is until opsbook restarts\n",
                        );
                    }
                    if config != self.session.config {
                        update = self.session.set_config(config);
                    }
                }
                Err((d, text)) => {
                    let texts: Texts = [(d.source.file.as_str(), text.as_str())].into_iter().collect();
                    report::eprint(&report::diagnostic(&d, &texts));
                    report::eprint("opsbook.toml is not valid: the book keeps the last good configuration\n");
                    self.config_error = Some(plain(&d));
                }
            }
        }
        let more = if rescan { self.session.refresh() } else { self.session.apply(paths) };
        update.merge(more);
        // Only the files the session says changed are written: no copy of the site, no
        // comparison with the book on disk.
        let writing = Instant::now();
        let stats = crate::write::apply(&self.session.site, &self.session.out, &update.changed, &update.removed)
            .with_context(|| format!("cannot write the book to {}", self.session.out.display()))?;
        let wrote = writing.elapsed();
        self.print_problems(Some(&update.extracted));
        let nothing = update.extracted.is_empty() && update.dropped.is_empty() && update.rendered == 0;
        if nothing && stats.written == 0 && self.config_error.is_none() {
            return Ok(None);
        }
        let what = match relevant.as_slice() {
            [] => "a rescan".to_string(),
            [one] => one.to_string(),
            [first, rest @ ..] => format!("{first} and {} more", rest.len()),
        };
        let took = started.elapsed();
        let stages = if show_timings() { timings(&update.timings, wrote, took) } else { String::new() };
        report::eprint(&format!(
            "Rebuilt after {what} changed in {} ms: {} read, {} removed, {} rendered, {} written.{stages}\n",
            took.as_millis(),
            count(update.extracted.len(), "file"),
            count(update.dropped.len(), "file"),
            count(update.rendered, "page"),
            count(stats.written, "file"),
        ));
        Ok(Some(self.status_with(stats.written)))
    }

    fn status_with(&self, written: usize) -> Status {
        let mut message = String::new();
        if let Some(e) = &self.config_error {
            message.push_str(e);
        }
        for file in self.session.held() {
            for d in self.session.file_diagnostics(file) {
                if d.code == "parse-error" {
                    message.push_str(&plain(d));
                }
            }
        }
        if message.is_empty() { Status::Built { written } } else { Status::Broken { written, message } }
    }

    /// Prints the warnings and errors of `files` (every file on the first build) and says
    /// which files keep their last good facts.
    fn print_problems(&self, files: Option<&[String]>) {
        let shown =
            |d: &&Diagnostic| d.severity >= Severity::Warning && files.is_none_or(|f| f.contains(&d.source.file));
        // The texts of the files with something to show, not of the whole tree.
        let mut texts = Texts::new();
        for d in self.session.diagnostics.iter().filter(shown) {
            if let Some(text) = self.session.text(&d.source.file) {
                texts.insert(&d.source.file, text);
            }
        }
        for d in self.session.diagnostics.iter().filter(shown) {
            report::eprint(&report::diagnostic(d, &texts));
        }
        for file in self.session.held() {
            if files.is_none_or(|f| f.iter().any(|p| p == file)) {
                report::eprint(&format!("note: {file} does not parse; the book keeps its last good facts\n"));
            }
        }
    }

    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.canonical).ok()?;
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        let rel = parts?.join("/");
        (!rel.is_empty()).then_some(rel)
    }
}

/// Whether an event can change what a file holds. Reading a file (which every build does)
/// raises open, read and close events that must not start another build.
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        _ => true,
    }
}

/// The environment variable that makes each rebuild line end with where its time went.
pub const TIMINGS_VAR: &str = "OPSBOOK_TIMINGS";

fn show_timings() -> bool {
    std::env::var_os(TIMINGS_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

/// ` [read 0.4 ms, model 5.1 ms, ...; total 41.3 ms]`: the stages of one rebuild, the write
/// and the whole rebuild as the watcher timed it.
fn timings(t: &Timings, write: Duration, total: Duration) -> String {
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    format!(
        " [read {}, model {}, analyze {}, render {}, write {}; total {}]",
        ms(t.read),
        ms(t.model),
        ms(t.analyze),
        ms(t.render),
        ms(write),
        ms(total)
    )
}

/// `1 file`, `3 files`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// A diagnostic as one plain line, for the browser.
fn plain(d: &Diagnostic) -> String {
    format!("{}: {}[{}]: {}\n", d.source, d.severity.as_str(), d.code, d.message)
}
