//! What a changed path means for the book, from its path alone: the watcher's first
//! question about every file event.

use crate::scan::{self, SourceKind};

/// What a changed path means for the book, from its path alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// Not something the book reads (a `target/` or `.git/` file, a file no extractor claims).
    Ignored,
    /// An editor's temporary or backup file (`.x.rs.swp`, `x.rs~`, `#x.rs#`, `4913`).
    Temporary,
    /// Inside the output folder: the book itself.
    Output,
    /// `opsbook.toml` at the root.
    Config,
    /// A template override (`templates/*.html`).
    Template,
    /// `.gitignore`, `.ignore` or `.opsbookignore`: which files are read may change.
    IgnoreRules,
    /// A source of this kind.
    Source(SourceKind),
    /// `opsbook.lock`: what hand-written runbooks were reviewed against.
    Lock,
    /// No extractor claims the name; it may be a folder (renamed or removed).
    Other,
}

/// Classifies a changed path, relative to the scanned root with `/` separators. `out` and
/// `templates` are the output and template folders relative to the root (`None` when the
/// output folder is outside it); `runbooks` is the hand-written runbooks' folder.
pub fn classify_change(rel: &str, out: Option<&str>, templates: &str, runbooks: &str) -> ChangeKind {
    let under = |dir: &str| {
        let dir = dir.trim_end_matches('/');
        !dir.is_empty() && (rel == dir || rel.strip_prefix(dir).is_some_and(|r| r.starts_with('/')))
    };
    // The book, and the staging folders `write` renames into place beside it.
    let staging = rel.split('/').any(|part| part.contains(".opsbook-new-") || part.contains(".opsbook-old-"));
    if out.is_some_and(under) || staging {
        return ChangeKind::Output;
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if rel.split('/').any(|part| matches!(part, "target" | ".git" | "node_modules")) {
        return ChangeKind::Ignored;
    }
    if is_temporary(name) {
        return ChangeKind::Temporary;
    }
    if rel == crate::config::FILE_NAME {
        return ChangeKind::Config;
    }
    let in_templates = rel.strip_prefix(templates.trim_end_matches('/')).and_then(|r| r.strip_prefix('/'));
    if !templates.is_empty() && in_templates.is_some_and(|r| !r.contains('/') && r.ends_with(".html")) {
        return ChangeKind::Template;
    }
    if matches!(name, ".gitignore" | ".ignore" | ".opsbookignore") {
        return ChangeKind::IgnoreRules;
    }
    if rel == crate::lock::FILE_NAME {
        return ChangeKind::Lock;
    }
    if scan::is_runbook(rel, runbooks) {
        return ChangeKind::Source(SourceKind::Runbook);
    }
    match scan::classify(rel) {
        Some(kind) => ChangeKind::Source(kind),
        None if name.contains('.') => ChangeKind::Ignored,
        None => ChangeKind::Other,
    }
}

/// Editors' save patterns: vim's swap files and its `4913` write test, backups (`x~`,
/// `x.bak`, `x.orig`), Emacs' `#x#` and `.#x` lock files, JetBrains' `___jb_tmp___`, GNOME's
/// `.goutputstream-*`, VS Code's `.crswap`, LibreOffice's `.~lock.*#`, and our own
/// `*.opsbook-new-*` staging names.
fn is_temporary(name: &str) -> bool {
    name.ends_with('~')
        || name == "4913"
        || [".swp", ".swo", ".swx", ".swpx", ".tmp", ".bak", ".orig", ".crswap", "___jb_tmp___", "___jb_old___"]
            .iter()
            .any(|s| name.ends_with(s))
        || (name.starts_with('#') && name.ends_with('#'))
        || name.starts_with(".#")
        || name.starts_with(".goutputstream-")
        || name.starts_with(".~lock.")
        || name.contains(".opsbook-new-")
        || name.contains(".opsbook-old-")
}
