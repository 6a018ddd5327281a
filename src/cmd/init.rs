//! `opsbook init`: writes a commented `opsbook.toml` with every key at its default.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::cmd::Outcome;
use crate::config::FILE_NAME;

/// Every key, commented out at its default, so the file changes nothing until edited.
pub const TEMPLATE: &str = r#"# opsbook.toml: how opsbook reads this repository and judges what it finds.
# Every key is optional; the values shown are the defaults.

# title = "Operations book"        # shown on every page
# out = "book"                     # output folder, relative to this file
# include = []                     # globs; when set, only matching files are read
# exclude = ["vendor/**"]          # globs never read
# max_file_size = 1048576          # bytes; larger files are skipped with a diagnostic
# source_url = "https://git.example.com/shop/blob/main/{file}#L{line}"  # links every fact to its line
# site_url = "https://ops.example.com/book/"  # where the book is published; alert runbook links into it are checked
# templates = "templates"          # project templates that override the built-in ones, by file name

[findings]
# allow = []                       # codes not reported, e.g. ["no-signal"]; an allow that matches nothing is `unused-allow`
# warn = []                        # codes reported as warnings
# deny = []                        # codes reported as errors, e.g. ["retry-amplification"]
# fail_on = "error"                # `check` and `build --strict` exit 1 at or above: "error", "warning" or "info"
# max_retry_amplification = 10     # nested retries may send at most this many calls to one dependency per event
# max_worst_case = "5m"            # a retry policy or workflow that can take longer is `long-worst-case` (unset: off)
#
# One finding is silenced by a comment on its line or the line above, in any syntax:
#   // opsbook: allow(retry-without-idempotency)
"#;

pub fn run(dir: &std::path::Path) -> Result<Outcome> {
    let path: PathBuf = dir.join(FILE_NAME);
    let mut file = match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; nothing was written", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    file.write_all(TEMPLATE.as_bytes()).with_context(|| format!("cannot write {}", path.display()))?;
    crate::cmd::report::eprint(&format!("Wrote {}\n", path.display()));
    Ok(Outcome::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_parses_to_the_defaults_and_names_every_key() {
        let config = crate::config::parse(TEMPLATE).unwrap();
        assert_eq!(config, crate::config::Config::default());
        // Uncommenting every `# key = value` line gives a valid file: no key is misspelt.
        let key =
            |l: &str| l.split_once(" = ").is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        let uncommented: Vec<&str> =
            TEMPLATE.lines().map(|l| l.strip_prefix("# ").filter(|rest| key(rest)).unwrap_or(l)).collect();
        let full = crate::config::parse(&uncommented.join("\n")).unwrap();
        assert_eq!(full.findings.max_worst_case.as_deref(), Some("5m"));
        assert_eq!(full.source_url.as_deref(), Some("https://git.example.com/shop/blob/main/{file}#L{line}"));
    }
}
