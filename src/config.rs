//! `opsbook.toml`: where the book goes, what is scanned, and how findings are judged.

use serde::{Deserialize, Serialize};

use crate::diag::Severity;

pub const FILE_NAME: &str = "opsbook.toml";

/// The project's configuration. Every field has a default, so no file is needed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The book's title, shown on every page.
    pub title: String,
    /// Output folder, relative to the scanned folder.
    pub out: String,
    /// Only files matching one of these globs are read (all files when empty).
    pub include: Vec<String>,
    /// Files matching any of these globs are never read.
    pub exclude: Vec<String>,
    /// Files larger than this many bytes are skipped with a diagnostic.
    pub max_file_size: u64,
    /// Where a source line can be read on the web, with `{file}` and `{line}` in it, e.g.
    /// `https://git.example.com/shop/blob/main/{file}#L{line}`. Without it, sources are
    /// shown as text.
    pub source_url: Option<String>,
    /// Where this book is published (`https://ops.example.com/book/`): an alert whose
    /// `runbook_url` starts with it must point at a page the book has.
    pub site_url: Option<String>,
    /// The project's template overrides, relative to the scanned folder.
    pub templates: String,
    /// Hand-written runbooks: every `.md` file below this folder (and any `*.runbook.md`).
    pub runbooks: String,
    pub findings: FindingsConfig,
    /// `opsbook.lock` as read beside the scanned tree: not a key of `opsbook.toml`.
    #[serde(skip)]
    pub lock: crate::lock::Lock,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            title: "Operations book".to_string(),
            out: "book".to_string(),
            include: Vec::new(),
            exclude: Vec::new(),
            max_file_size: 1024 * 1024,
            source_url: None,
            site_url: None,
            templates: "templates".to_string(),
            runbooks: "docs/runbooks".to_string(),
            findings: FindingsConfig::default(),
            lock: crate::lock::Lock::default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FindingsConfig {
    /// Codes that are not reported.
    pub allow: Vec<String>,
    /// Codes reported as warnings.
    pub warn: Vec<String>,
    /// Codes reported as errors.
    pub deny: Vec<String>,
    /// `check` and `build --strict` fail on findings at or above this severity.
    pub fail_on: Severity,
    /// `retry-amplification` fires when nested retries can send more calls than this to
    /// one dependency per triggering event.
    pub max_retry_amplification: u64,
    /// `long-worst-case` fires when a retry policy or a workflow can take longer than this
    /// (`"5m"`, `"1h30m"`); unset, nothing is too long.
    pub max_worst_case: Option<String>,
    /// The line of each `allow` entry in opsbook.toml, so an allow that matches nothing is
    /// reported where it is written. Filled by [`parse`].
    #[serde(skip)]
    pub allow_lines: std::collections::BTreeMap<String, u32>,
}

impl Default for FindingsConfig {
    fn default() -> FindingsConfig {
        FindingsConfig {
            allow: Vec::new(),
            warn: Vec::new(),
            deny: Vec::new(),
            fail_on: Severity::Error,
            max_retry_amplification: 10,
            max_worst_case: None,
            allow_lines: Default::default(),
        }
    }
}

impl FindingsConfig {
    /// The severity a finding of `code` is reported at, or `None` when it is allowed.
    pub fn level(&self, code: &str, default: Severity) -> Option<Severity> {
        let has = |list: &[String]| list.iter().any(|c| c == code);
        if has(&self.allow) {
            None
        } else if has(&self.deny) {
            Some(Severity::Error)
        } else if has(&self.warn) {
            Some(Severity::Warning)
        } else {
            Some(default)
        }
    }
}

/// Parses `opsbook.toml`. An error carries the byte span of what was wrong.
pub fn parse(text: &str) -> Result<Config, (String, Option<std::ops::Range<usize>>)> {
    let mut config = toml::from_str::<Config>(text).map_err(|e| (e.message().to_string(), e.span()))?;
    if let Some(limit) = &config.findings.max_worst_case
        && crate::extract::duration::parse_ms(limit).is_none()
    {
        let at = text.find(limit.as_str()).map(|i| i..i + limit.len());
        return Err((format!("`max_worst_case` must be a duration such as \"5m\" or \"1h30m\", not \"{limit}\""), at));
    }
    let lines = allow_lines(text, &config.findings.allow);
    config.findings.allow_lines = lines;
    Ok(config)
}

/// The line of each code in the `allow` list: the first line after `allow` that quotes it.
fn allow_lines(text: &str, allow: &[String]) -> std::collections::BTreeMap<String, u32> {
    let start = text.lines().position(|l| l.trim_start().starts_with("allow")).unwrap_or(0);
    allow
        .iter()
        .map(|code| {
            let quoted = [format!("\"{code}\""), format!("'{code}'")];
            let line = text
                .lines()
                .enumerate()
                .skip(start)
                .find(|(_, l)| quoted.iter().any(|q| l.contains(q.as_str())))
                .map_or(1, |(i, _)| i as u32 + 1);
            (code.clone(), line)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let c = parse("").unwrap();
        assert_eq!(c.out, "book");
        assert_eq!(c.findings.fail_on, Severity::Error);
    }

    #[test]
    fn levels_follow_the_lists() {
        let c = parse("[findings]\nallow = [\"no-owner\"]\ndeny = [\"missing-timeout\"]\n").unwrap();
        assert_eq!(c.findings.level("no-owner", Severity::Warning), None);
        assert_eq!(c.findings.level("missing-timeout", Severity::Warning), Some(Severity::Error));
        assert_eq!(c.findings.level("unbounded-retry", Severity::Warning), Some(Severity::Warning));
    }

    #[test]
    fn thresholds_and_allow_lines() {
        let c = parse("title = \"x\"\n[findings]\nallow = [\n  \"no-owner\",\n  \"no-signal\",\n]\nmax_retry_amplification = 4\nmax_worst_case = \"5m\"\n")
            .unwrap();
        assert_eq!(c.findings.max_retry_amplification, 4);
        assert_eq!(c.findings.allow_lines["no-owner"], 4);
        assert_eq!(c.findings.allow_lines["no-signal"], 5);
        assert_eq!(parse("").unwrap().findings.max_retry_amplification, 10);
        let (msg, span) = parse("[findings]\nmax_worst_case = \"soon\"\n").unwrap_err();
        assert!(msg.contains("soon"), "{msg}");
        assert_eq!(span, Some(29..33));
    }

    #[test]
    fn unknown_key_has_a_span() {
        let (msg, span) = parse("outt = \"x\"\n").unwrap_err();
        assert!(msg.contains("outt"), "{msg}");
        assert_eq!(span, Some(0..4));
    }
}
