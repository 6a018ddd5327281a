//! `opsbook review RUNBOOK...`: records the facts each named runbook covers in `opsbook.lock`
//! and sets the runbook's `reviewed:` front matter to today.

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
    let mut dated = Vec::new();
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
        dated.push(doc.file.clone());
    }
    // Sections of runbooks that are gone would only confuse the next reader.
    lock.runbooks.retain(|file, _| runbooks.iter().any(|(_, d)| &d.file == file));
    let target = root.join(lock::FILE_NAME);
    let staging = root.join(format!(".{}.tmp", lock::FILE_NAME));
    std::fs::write(&staging, lock.to_text()).with_context(|| format!("cannot write {}", staging.display()))?;
    std::fs::rename(&staging, &target).with_context(|| format!("cannot write {}", target.display()))?;
    said.push_str(&format!("Wrote {}.\n", target.display()));
    let date = today();
    for file in &dated {
        let path = root.join(file);
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let Some(text) = set_reviewed(&text, &date) else { continue };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let staging = path.with_file_name(format!(".{name}.tmp"));
        std::fs::write(&staging, text).with_context(|| format!("cannot write {}", staging.display()))?;
        std::fs::rename(&staging, &path).with_context(|| format!("cannot write {}", path.display()))?;
        said.push_str(&format!("Set `reviewed: {date}` in {file}.\n"));
    }
    crate::cmd::report::eprint(&said);
    Ok(Outcome::Success)
}

/// Today in UTC as `YYYY-MM-DD`; `SOURCE_DATE_EPOCH` (seconds), when set, stands for now,
/// as in reproducible builds.
fn today() -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
        });
    let (y, m, d) = civil(secs.div_euclid(86_400));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The proleptic Gregorian date of a day count from 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// `text` with its front matter's top-level `reviewed:` value set to `date`, a comment after
/// it kept; without the key, a `reviewed:` line is added last in the front matter, with the
/// file's line ending. Every other byte stays. `None` when there is no front matter or the
/// date is already `date`.
fn set_reviewed(text: &str, date: &str) -> Option<String> {
    let (start, end, _) = crate::extract::runbook::front_matter(text)?;
    let mut offset = start;
    for line in text[start..end].split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix("reviewed:") {
            let body = rest.trim_end_matches(['\n', '\r']);
            let lead = body.len() - body.trim_start().len();
            let value = &body[lead..];
            let len = match value.find('#') {
                Some(0) => 0,
                Some(i) if value[..i].ends_with([' ', '\t']) => value[..i].trim_end().len(),
                _ => value.trim_end().len(),
            };
            let at = offset + "reviewed:".len() + lead;
            if &text[at..at + len] == date {
                return None;
            }
            let space = if lead == 0 { " " } else { "" };
            let tail = if len == 0 && !value.is_empty() { " " } else { "" };
            return Some(format!("{}{space}{date}{tail}{}", &text[..at], &text[at + len..]));
        }
        offset += line.len();
    }
    let eol = if text[..end].ends_with("\r\n") { "\r\n" } else { "\n" };
    Some(format!("{}reviewed: {date}{eol}{}", &text[..end], &text[end..]))
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

#[cfg(test)]
mod tests {
    use super::{civil, set_reviewed};

    #[test]
    fn days_are_calendar_dates() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(11_016), (2000, 2, 29));
        assert_eq!(civil(20_513), (2026, 3, 1));
        assert_eq!(civil(1_805_068_740 / 86_400), (2027, 3, 14));
        assert_eq!(civil(-1), (1969, 12, 31));
    }

    #[test]
    fn only_the_reviewed_date_changes() {
        let doc = "---\ntitle: ERP\nreviewed: 2026-01-02  # by ana\ncovers: [a]\n---\nreviewed: body\n";
        assert_eq!(
            set_reviewed(doc, "2027-03-14").as_deref(),
            Some("---\ntitle: ERP\nreviewed: 2027-03-14  # by ana\ncovers: [a]\n---\nreviewed: body\n")
        );
        assert_eq!(set_reviewed(doc, "2026-01-02"), None, "already today: nothing to write");
        let quoted = "---\r\nreviewed: \"2026-01-02\"\r\n---\r\n";
        assert_eq!(set_reviewed(quoted, "2027-03-14").as_deref(), Some("---\r\nreviewed: 2027-03-14\r\n---\r\n"));
        assert_eq!(
            set_reviewed("---\nreviewed:\n---\n", "2027-03-14").as_deref(),
            Some("---\nreviewed: 2027-03-14\n---\n")
        );
    }

    #[test]
    fn a_missing_date_is_added_last_with_the_files_line_ending() {
        assert_eq!(
            set_reviewed("\u{feff}---\r\ntitle: x\r\n  reviewed: nested\r\n---\r\nbody", "2027-03-14").as_deref(),
            Some("\u{feff}---\r\ntitle: x\r\n  reviewed: nested\r\nreviewed: 2027-03-14\r\n---\r\nbody")
        );
        assert_eq!(set_reviewed("---\n---\n", "2027-03-14").as_deref(), Some("---\nreviewed: 2027-03-14\n---\n"));
        assert_eq!(set_reviewed("# no front matter\n", "2027-03-14"), None);
    }
}
