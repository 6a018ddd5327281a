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
    // graph.json (13 MB on a large book, most of the bytes of an edit) goes to its
    // temporary name on another thread while the pages are written; it still takes its
    // place last.
    std::thread::scope(|scope| {
        let early: Vec<_> =
            last.iter().map(|&(rel, bytes, _)| scope.spawn(move || stage_new(out, rel, bytes))).collect();
        let mut result = (|| -> Result<()> {
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
            Ok(())
        })();
        let mut staged = Vec::new();
        for handle in early {
            match handle.join().expect("writing graph.json does not panic") {
                Ok(paths) => staged.push(paths),
                Err(e) => result = result.and(Err(e)),
            }
        }
        if let Err(e) = result {
            for (temp, _) in staged {
                let _ = fs::remove_file(temp);
            }
            return Err(e);
        }
        for (temp, dest) in staged {
            place(&temp, &dest)?;
            stats.written += 1;
        }
        Ok(stats)
    })
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
    let (temp, dest) = stage_new(out, rel, bytes)?;
    place(&temp, &dest)
}

/// The first half of [`write_new`]: the bytes at a temporary name beside the file's
/// place. Returns the temporary path and the file's.
fn stage_new(out: &Path, rel: &str, bytes: &[u8]) -> Result<(PathBuf, PathBuf)> {
    let rel_path = safe_relative(rel)?;
    let dest = out.join(&rel_path);
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let name = rel_path.file_name().and_then(|n| n.to_str()).unwrap_or("page");
    let temp = dest.with_file_name(format!(".{name}.opsbook-new-{}", std::process::id()));
    if let Err(e) = fs::write(&temp, bytes) {
        let _ = fs::remove_file(&temp);
        return Err(e).with_context(|| format!("cannot write {}", temp.display()));
    }
    Ok((temp, dest))
}

/// The second half of [`write_new`]: the staged file takes its place (or goes).
fn place(temp: &Path, dest: &Path) -> Result<()> {
    if let Err(e) = replace(temp, dest) {
        let _ = fs::remove_file(temp);
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
mod tests;
