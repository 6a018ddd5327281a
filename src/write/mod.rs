//! Writing the book: atomic replacement, changed bytes only, never outside the output folder.

use std::collections::BTreeSet;
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
        remove_one(out, rel)?;
        stats.written += 1;
    }
    for (rel, bytes) in last {
        write_one(previous, out, rel, bytes, &mut stats)?;
    }
    Ok(stats)
}

/// The site paths whose bytes differ between `previous` and `next`: new or changed files,
/// and files of `previous` that `next` lacks. One merge walk of the two sorted maps.
pub fn changes(previous: &Site, next: &Site) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut changed, mut removed) = (BTreeSet::new(), BTreeSet::new());
    let mut old = previous.files.iter().peekable();
    for (rel, bytes) in &next.files {
        while let Some((gone, _)) = old.next_if(|(p, _)| p.as_str() < rel.as_str()) {
            removed.insert(gone.clone());
        }
        match old.next_if(|(p, _)| *p == rel) {
            Some((_, before)) if before == bytes => {}
            _ => {
                changed.insert(rel.clone());
            }
        }
    }
    removed.extend(old.map(|(p, _)| p.clone()));
    (changed, removed)
}

/// Brings the book in `out` up to `site` when only the files `changed` (new or with new
/// bytes) and `removed` (no longer in the site) differ from the book on disk, as
/// [`changes`] or the session reports them. Only those paths are touched: each written
/// file goes to a temporary name and is renamed over (a reader never sees half a page), new
/// files before changed ones, removals after, `graph.json` last; folders a removal leaves
/// empty go too. Nothing else in `out` is read or compared. Without a book in `out` (or one
/// opsbook did not make), this is [`write`] of the whole site.
pub fn apply(site: &Site, out: &Path, changed: &BTreeSet<String>, removed: &BTreeSet<String>) -> Result<WriteStats> {
    if !out.join(MARKER).is_file() {
        return write(site, out);
    }
    let mut stats = WriteStats { written: 0, unchanged: site.files.len().saturating_sub(changed.len()) };
    let mut order: Vec<(&String, &Vec<u8>, bool)> = Vec::with_capacity(changed.len());
    for rel in changed {
        let Some(bytes) = site.files.get(rel) else { bail!("`{rel}` is not a page of the book") };
        let exists = out.join(safe_relative(rel)?).is_file();
        order.push((rel, bytes, exists));
    }
    // New files first (a stable sort keeps path order within each group), graph.json last,
    // as in [`update`].
    order.sort_by_key(|(_, _, exists)| *exists);
    let (last, pages): (Vec<_>, Vec<_>) = order.into_iter().partition(|(rel, _, _)| rel.as_str() == "graph.json");
    for (rel, bytes, _) in pages {
        write_new(out, rel, bytes)?;
        stats.written += 1;
    }
    for rel in removed {
        if site.files.contains_key(rel) {
            continue;
        }
        remove_one(out, rel)?;
        stats.written += 1;
    }
    for (rel, bytes, _) in last {
        write_new(out, rel, bytes)?;
        stats.written += 1;
    }
    Ok(stats)
}

/// Removes one file of the book, and the folders that leaves empty.
fn remove_one(out: &Path, rel: &str) -> Result<()> {
    let rel_path = safe_relative(rel)?;
    if let Err(e) = fs::remove_file(out.join(&rel_path))
        && e.kind() != ErrorKind::NotFound
    {
        return Err(e).with_context(|| format!("cannot remove {}", out.join(&rel_path).display()));
    }
    // `remove_dir` fails on a folder that still holds anything, which is what stops the climb.
    let mut dir = rel_path.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        if fs::remove_dir(out.join(d)).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// Writes one file of the book: to a temporary name beside it, then renamed over.
fn write_new(out: &Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let rel_path = safe_relative(rel)?;
    let dest = out.join(&rel_path);
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let name = rel_path.file_name().and_then(|n| n.to_str()).unwrap_or("page");
    let temp = dest.with_file_name(format!(".{name}.opsbook-new-{}", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    if let Err(e) = replace(&temp, &dest) {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", dest.display()));
    }
    Ok(())
}

/// Puts the file `temp` at `dest` in one step, so a reader sees the old bytes or the new
/// ones, never a mix. On Linux an existing `dest` is swapped with `temp`
/// (`renameat2(RENAME_EXCHANGE)`) and the old bytes, now at `temp`, are unlinked: a plain
/// rename over an existing file makes ext4 start writing the new file's data out at once
/// (`auto_da_alloc`), which made replacing the 13 MB `graph.json` of a large book about 7
/// times slower than the swap. Where the swap is not supported, or `dest` is not a file,
/// this is a rename.
fn replace(temp: &Path, dest: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes());
        let is_file = fs::symlink_metadata(dest).is_ok_and(|m| m.is_file());
        if let (true, Ok(from), Ok(to)) = (is_file, c(temp), c(dest)) {
            // SAFETY: both are valid NUL-terminated paths that outlive the call; the
            // syscall reads them and nothing else.
            let r = unsafe {
                libc::syscall(
                    libc::SYS_renameat2,
                    libc::AT_FDCWD,
                    from.as_ptr(),
                    libc::AT_FDCWD,
                    to.as_ptr(),
                    libc::RENAME_EXCHANGE,
                )
            };
            if r == 0 {
                // The new bytes are in place; the old ones go. (Should the unlink fail, a
                // hidden temporary file stays beside the page; the page is right.)
                let _ = fs::remove_file(temp);
                return Ok(());
            }
            // A file system or kernel without the swap: rename.
        }
    }
    fs::rename(temp, dest)
}

/// Writes one file of [`update`] unless its bytes are those of the previous book.
fn write_one(previous: &Site, out: &Path, rel: &str, bytes: &[u8], stats: &mut WriteStats) -> Result<()> {
    let rel_path = safe_relative(rel)?;
    let dest = out.join(&rel_path);
    if previous.files.get(rel).is_some_and(|b| b == bytes) && dest.is_file() {
        stats.unchanged += 1;
        return Ok(());
    }
    write_new(out, rel, bytes)?;
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
    fn replace_puts_new_bytes_in_place_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("graph.json");
        fs::write(&dest, "old").unwrap();
        // A reader that opened the page before keeps reading whole old bytes.
        let reader = fs::File::open(&dest).unwrap();
        let temp = dir.path().join(".graph.json.new");
        fs::write(&temp, "new").unwrap();
        replace(&temp, &dest).unwrap();
        assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
        assert_eq!(std::io::read_to_string(reader).unwrap(), "old");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["graph.json"], "the old bytes are unlinked, no temporary file stays");

        // No file there yet: a plain rename.
        fs::write(&temp, "first").unwrap();
        replace(&temp, &dir.path().join("new.html")).unwrap();
        assert_eq!(fs::read_to_string(dir.path().join("new.html")).unwrap(), "first");
        assert!(!temp.exists());

        // A folder in the way is not swapped away: the rename fails and the folder stays.
        fs::create_dir(dir.path().join("taken")).unwrap();
        fs::write(dir.path().join("taken/keep.txt"), "mine").unwrap();
        fs::write(&temp, "page").unwrap();
        assert!(replace(&temp, &dir.path().join("taken")).is_err());
        assert_eq!(fs::read_to_string(dir.path().join("taken/keep.txt")).unwrap(), "mine");
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
    fn changes_names_new_changed_and_dropped_paths_only() {
        let before = site(&[("a.html", "a"), ("b.html", "b"), ("steps/c.html", "c"), ("z.html", "z")]);
        let after = site(&[("a.html", "a"), ("b.html", "B"), ("steps/d.html", "d"), ("z.html", "z")]);
        let (changed, removed) = changes(&before, &after);
        assert_eq!(changed.into_iter().collect::<Vec<_>>(), ["b.html", "steps/d.html"]);
        assert_eq!(removed.into_iter().collect::<Vec<_>>(), ["steps/c.html"]);
        let (changed, removed) = changes(&Site::default(), &before);
        assert_eq!(changed.len(), 4);
        assert!(removed.is_empty());
        let (changed, removed) = changes(&before, &Site::default());
        assert!(changed.is_empty());
        assert_eq!(removed.len(), 4);
    }

    #[test]
    fn apply_touches_only_the_paths_it_is_given() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("book");
        let first = site(&[("index.html", "a"), ("steps/x.html", "x"), ("teams/t.html", "t"), ("graph.json", "1")]);
        write(&first, &out).unwrap();
        fs::write(out.join("notes.txt"), "by hand").unwrap();
        // A file the changes do not name stays as it is on disk, even if it differs.
        fs::write(out.join("steps/x.html"), "edited by hand").unwrap();
        let next = site(&[("index.html", "b"), ("steps/x.html", "x"), ("steps/y.html", "y"), ("graph.json", "2")]);
        let (changed, removed) = changes(&first, &next);
        let s = apply(&next, &out, &changed, &removed).unwrap();
        // index.html, steps/y.html and graph.json written, teams/t.html removed.
        assert_eq!(s, WriteStats { written: 4, unchanged: 1 });
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
        assert_eq!(fs::read_to_string(out.join("steps/y.html")).unwrap(), "y");
        assert_eq!(fs::read_to_string(out.join("graph.json")).unwrap(), "2");
        assert_eq!(fs::read_to_string(out.join("steps/x.html")).unwrap(), "edited by hand", "not named, not read");
        assert!(!out.join("teams").exists(), "the emptied folder is gone");
        assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "by hand", "only its own files go");
        let names: Vec<_> = fs::read_dir(out.join("steps")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");

        // A path outside the book is refused, and a changed path the site lacks is an error.
        let evil: BTreeSet<String> = ["../evil.html".to_string()].into();
        assert!(apply(&next, &out, &BTreeSet::new(), &evil).is_err());
        let missing: BTreeSet<String> = ["nope.html".to_string()].into();
        assert!(apply(&next, &out, &missing, &BTreeSet::new()).is_err());

        // Without a book of ours in `out`, the whole site is written.
        let fresh = dir.path().join("fresh");
        let s = apply(&next, &fresh, &BTreeSet::new(), &BTreeSet::new()).unwrap();
        assert_eq!(s.written, 4);
        assert_eq!(fs::read_to_string(fresh.join("steps/x.html")).unwrap(), "x");
        assert!(fresh.join(MARKER).is_file());
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
