//! Writing the book: atomic replacement, changed bytes only, never outside the output folder.

use std::fs;
use std::io::ErrorKind;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::render::Site;

/// The file that marks a folder as made by opsbook. A folder without it is never replaced.
pub const MARKER: &str = ".opsbook-book";
const MARKER_TEXT: &str = "This folder is written by opsbook and replaced on every build.\n\
Files added here by hand are lost on the next build.\n";

/// What a write did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files whose bytes are new or changed.
    pub written: usize,
    /// Files carried over from the previous book unchanged (hard-linked, not rewritten).
    pub unchanged: usize,
}

/// Replaces `out` with the book. The new book is built in a sibling folder and renamed
/// over the old one, so a reader never sees half a book, and a failed build leaves the
/// old book in place. Files whose bytes did not change are hard-linked from the old book.
pub fn write(site: &Site, out: &Path) -> Result<WriteStats> {
    check_ownership(out)?;
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = out.file_name().and_then(|n| n.to_str()).context("the output folder has no name")?;
    let staging = parent.join(format!(".{name}.opsbook-new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.opsbook-old-{}", std::process::id()));
    remove_ours(&staging)?;
    let result = stage(site, out, &staging);
    let stats = match result {
        Ok(stats) => stats,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    if out.exists() {
        fs::rename(out, &retired).with_context(|| format!("cannot move the old book {} aside", out.display()))?;
    }
    if let Err(e) = fs::rename(&staging, out) {
        let _ = fs::rename(&retired, out);
        return Err(e).with_context(|| format!("cannot move the new book into {}", out.display()));
    }
    if retired.exists() {
        fs::remove_dir_all(&retired).with_context(|| format!("cannot remove the old book {}", retired.display()))?;
    }
    Ok(stats)
}

/// Brings the book in `out`, last written as `previous`, up to `next`: only files whose
/// bytes changed are written (each to a temporary name, then renamed over, so a reader never
/// sees half a page), and files of `previous` that `next` lacks are removed with the folders
/// they leave empty. Nothing else in `out` is touched. Without a book in `out` (or one
/// opsbook did not make), this is [`write`].
pub fn update(previous: &Site, next: &Site, out: &Path) -> Result<WriteStats> {
    if !out.join(MARKER).is_file() {
        return write(next, out);
    }
    let mut stats = WriteStats::default();
    // New pages first, then changed ones, then removals, `graph.json` last: a link on a
    // rewritten page never points at a page that is not there yet, and graph.json, which
    // tools poll, changes only once the pages it names are in place.
    let mut order: Vec<(&String, &Vec<u8>)> = next.files.iter().collect();
    order.sort_by_key(|(rel, _)| previous.files.contains_key(*rel));
    let (last, pages): (Vec<_>, Vec<_>) = order.into_iter().partition(|(rel, _)| rel.as_str() == "graph.json");
    for (rel, bytes) in pages {
        write_one(previous, out, rel, bytes, &mut stats)?;
    }
    for rel in previous.files.keys().filter(|rel| !next.files.contains_key(*rel)) {
        let rel_path = safe_relative(rel)?;
        match fs::remove_file(out.join(&rel_path)) {
            Err(e) if e.kind() != ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {}", out.join(&rel_path).display()));
            }
            _ => stats.written += 1,
        }
        // Folders the book no longer uses go too; `remove_dir` fails on a folder that still
        // holds anything, which is what stops the climb.
        let mut dir = rel_path.parent();
        while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
            if fs::remove_dir(out.join(d)).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    for (rel, bytes) in last {
        write_one(previous, out, rel, bytes, &mut stats)?;
    }
    Ok(stats)
}

/// Writes one file of [`update`] unless its bytes are those of the previous book.
fn write_one(previous: &Site, out: &Path, rel: &str, bytes: &[u8], stats: &mut WriteStats) -> Result<()> {
    let rel_path = safe_relative(rel)?;
    let dest = out.join(&rel_path);
    if previous.files.get(rel).is_some_and(|b| b == bytes) && dest.is_file() {
        stats.unchanged += 1;
        return Ok(());
    }
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let name = rel_path.file_name().and_then(|n| n.to_str()).unwrap_or("page");
    let temp = dest.with_file_name(format!(".{name}.opsbook-new-{}", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    if let Err(e) = fs::rename(&temp, &dest) {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", dest.display()));
    }
    stats.written += 1;
    Ok(())
}

/// Refuses to touch a folder opsbook did not make.
fn check_ownership(out: &Path) -> Result<()> {
    match fs::metadata(out) {
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", out.display())),
        Ok(m) if !m.is_dir() => bail!("{} exists and is not a folder; refusing to replace it", out.display()),
        Ok(_) => {
            let empty = fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?.next().is_none();
            if empty || out.join(MARKER).is_file() {
                Ok(())
            } else {
                bail!(
                    "{} exists and was not made by opsbook (it has no {MARKER} file); refusing to overwrite it. \
                     Choose another folder with --out, or remove it yourself",
                    out.display()
                )
            }
        }
    }
}

fn stage(site: &Site, old: &Path, staging: &Path) -> Result<WriteStats> {
    fs::create_dir_all(staging).with_context(|| format!("cannot create {}", staging.display()))?;
    let mut stats = WriteStats::default();
    for (rel, bytes) in &site.files {
        let rel_path = safe_relative(rel)?;
        let dest = staging.join(&rel_path);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let previous = old.join(&rel_path);
        let same = fs::read(&previous).is_ok_and(|b| b == *bytes);
        if same && fs::hard_link(&previous, &dest).is_ok() {
            stats.unchanged += 1;
            continue;
        }
        fs::write(&dest, bytes).with_context(|| format!("cannot write {}", dest.display()))?;
        stats.written += 1;
    }
    fs::write(staging.join(MARKER), MARKER_TEXT)
        .with_context(|| format!("cannot write the marker in {}", staging.display()))?;
    Ok(stats)
}

/// A page path from the renderer, checked to stay inside the book.
fn safe_relative(rel: &str) -> Result<PathBuf> {
    let path = Path::new(rel);
    let ok = !rel.is_empty() && path.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        bail!("refusing to write `{rel}`: a page path must stay inside the book");
    }
    Ok(path.to_path_buf())
}

/// Removes a leftover staging folder of ours from an interrupted build.
fn remove_ours(path: &Path) -> Result<()> {
    if path.exists() {
        fs::remove_dir_all(path).with_context(|| format!("cannot remove {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> Site {
        Site { files: files.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())).collect() }
    }

    #[test]
    fn replaces_its_own_book_and_keeps_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let s = write(&site(&[("index.html", "a"), ("steps/x.html", "x")]), &out).unwrap();
        assert_eq!(s, WriteStats { written: 2, unchanged: 0 });
        let s = write(&site(&[("index.html", "b"), ("steps/x.html", "x")]), &out).unwrap();
        assert_eq!(s, WriteStats { written: 1, unchanged: 1 });
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
        assert!(out.join(MARKER).is_file());
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from("book")]);
    }

    #[test]
    fn update_writes_changed_files_and_removes_dropped_ones() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let first = site(&[("index.html", "a"), ("steps/x.html", "x"), ("teams/t.html", "t")]);
        write(&first, &out).unwrap();
        fs::write(out.join("notes.txt"), "by hand").unwrap();
        let next = site(&[("index.html", "b"), ("steps/x.html", "x"), ("steps/y.html", "y")]);
        let s = update(&first, &next, &out).unwrap();
        // index.html and steps/y.html written, teams/t.html removed.
        assert_eq!(s, WriteStats { written: 3, unchanged: 1 });
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
        assert_eq!(fs::read_to_string(out.join("steps/y.html")).unwrap(), "y");
        assert!(!out.join("teams").exists(), "the emptied folder is gone");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "by hand", "only its own files go");
        assert!(out.join(MARKER).is_file());
        let names: Vec<_> = fs::read_dir(out.join("steps")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    }

    #[test]
    fn never_overwrites_a_folder_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("docs");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("precious.md"), "mine").unwrap();
        let err = write(&site(&[("index.html", "a")]), &out).unwrap_err();
        assert!(err.to_string().contains("not made by opsbook"), "{err}");
        assert_eq!(fs::read_to_string(out.join("precious.md")).unwrap(), "mine");
    }

    #[test]
    fn refuses_paths_that_leave_the_book() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let err = write(&site(&[("../evil.html", "x")]), &out).unwrap_err();
        assert!(err.to_string().contains("inside the book"));
        assert!(!dir.path().join("evil.html").exists());
        assert!(!out.exists(), "a failed build leaves no book behind");
    }
}
