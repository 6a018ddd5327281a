//! `opsbook check`: the CI gate. The pipeline without writing the book; findings as rustc-style
//! text, JSON, SARIF 2.1.0 or GitHub workflow annotations; exit 1 at the failing severity.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Result;
use clap::ValueEnum;

use crate::analyze::Finding;
use crate::cmd::report::{self, Problem, Texts};
use crate::cmd::{Outcome, out_dir, sarif};
use crate::diag::Severity;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style, with source snippets and a summary (stderr).
    #[default]
    Human,
    /// The `findings` array of graph.json (stdout).
    Json,
    /// SARIF 2.1.0, for code-scanning uploads (stdout).
    Sarif,
    /// GitHub Actions workflow commands: `::error file=..,line=..::message` (stdout).
    Github,
}

#[derive(Clone, Debug, Default)]
pub struct CheckArgs {
    pub dir: PathBuf,
    pub format: CheckFormat,
}

pub fn run(args: &CheckArgs) -> Result<Outcome> {
    let root = args.dir.as_path();
    let config = crate::cmd::open_tree(root, "nothing was checked")?;
    let out = out_dir(root, &config, None);
    let book = crate::run(root, &config, &out);
    let findings = &book.analysis.findings;
    let prefix = path_prefix(root);
    let fail_on = config.findings.fail_on;
    match args.format {
        CheckFormat::Human => {
            let mut texts: Texts = book.inventory.files.iter().map(|f| (f.path.as_str(), f.text.as_str())).collect();
            // opsbook.toml is not a source, but an unused allow in it deserves a snippet too.
            let config_text = std::fs::read_to_string(root.join(crate::config::FILE_NAME)).unwrap_or_default();
            texts.insert(crate::config::FILE_NAME, &config_text);
            let mut text = String::new();
            for d in book.diagnostics.iter().filter(|d| d.severity >= Severity::Warning) {
                // Unreadable sources are printed once, as `parse-error` findings.
                if !matches!(d.code.as_str(), "parse-error" | "invalid-value") {
                    text.push_str(&report::diagnostic(d, &texts));
                }
            }
            for f in findings {
                let file = format!("{prefix}{}", f.file);
                let p = Problem {
                    severity: f.severity,
                    code: &f.code,
                    file: &file,
                    line: f.line,
                    column: f.column,
                    len: 0,
                    message: &f.message,
                    help: Some(&f.help),
                };
                text.push_str(&report::render(&p, texts.get(f.file.as_str()).copied()));
            }
            text.push_str(&summary(root, book.inventory.files.len(), findings, fail_on));
            report::eprint(&text);
        }
        CheckFormat::Json => {
            let mut json = serde_json::to_string_pretty(findings)?;
            json.push('\n');
            print(&json);
        }
        CheckFormat::Sarif => {
            let mut json = serde_json::to_string_pretty(&sarif::log(findings, &config.findings, &prefix))?;
            json.push('\n');
            print(&json);
        }
        CheckFormat::Github => print(&findings.iter().map(|f| github(f, &prefix)).collect::<String>()),
    }
    let failing = findings.iter().any(|f| f.severity >= fail_on);
    Ok(if failing { Outcome::Findings } else { Outcome::Success })
}

/// Writes to stdout, ignoring a closed pipe.
fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

fn summary(root: &Path, files: usize, findings: &[Finding], fail_on: Severity) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let failing = findings.iter().filter(|f| f.severity >= fail_on).count();
    let verdict = if failing == 0 {
        format!("passed: nothing at or above `{}`", fail_on.as_str())
    } else {
        format!("failed: {failing} at or above `{}`", fail_on.as_str())
    };
    format!(
        "Checked {} ({files} files read): {} errors, {} warnings, {} notes; {verdict}.\n",
        root.display(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info),
    )
}

/// What to put before a finding's file (relative to the checked folder) so the path is
/// relative to the working directory, where CI resolves annotations and SARIF locations:
/// `examples/shop/` for `opsbook check examples/shop`, empty for `.`.
pub fn path_prefix(root: &Path) -> String {
    let relative = if root.is_absolute() {
        match std::env::current_dir().ok().and_then(|cwd| root.strip_prefix(cwd).ok().map(Path::to_path_buf)) {
            Some(p) => p,
            None => return String::new(),
        }
    } else {
        root.to_path_buf()
    };
    let mut parts = Vec::new();
    for c in relative.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            // A path that climbs out of the working directory cannot be made relative to it.
            _ => return String::new(),
        }
    }
    parts.iter().map(|p| format!("{p}/")).collect()
}

/// One GitHub Actions workflow command for a finding.
pub fn github(f: &Finding, prefix: &str) -> String {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut props = format!("file={}", property(&format!("{prefix}{}", f.file)));
    if f.line > 0 {
        props.push_str(&format!(",line={},col={}", f.line, f.column.max(1)));
    }
    props.push_str(&format!(",title={}", property(&f.code)));
    format!("::{level} {props}::{}\n", data(&format!("{} (help: {})", f.message, f.help)))
}

/// Escapes a workflow command's message: `%`, CR and LF.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value: the message's escapes plus `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    #[test]
    fn github_annotation_escapes_message_and_properties() {
        let f = Finding::new(
            "no-owner",
            Severity::Warning,
            None,
            &Source::new("a,b:c.yaml", 3, 5),
            "100% down\nnext line",
            "own it",
        );
        assert_eq!(
            github(&f, "ex/"),
            "::warning file=ex/a%2Cb%3Ac.yaml,line=3,col=5,title=no-owner::100%25 down%0Anext line (help: own it)\n"
        );
    }

    #[test]
    fn prefix_is_the_checked_folder_relative_to_the_working_directory() {
        assert_eq!(path_prefix(Path::new(".")), "");
        assert_eq!(path_prefix(Path::new("./examples/shop")), "examples/shop/");
        assert_eq!(path_prefix(Path::new("../elsewhere")), "");
    }
}
