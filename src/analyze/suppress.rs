//! Levels and suppressions: `[findings]` in opsbook.toml, `opsbook: allow(<code>)` comments,
//! and `unused-allow` for an allow that matches nothing, so suppressions cannot rot.

use std::collections::BTreeMap;

use crate::analyze::Finding;
use crate::config::{FILE_NAME, FindingsConfig};
use crate::diag::Severity;
use crate::source::Source;

/// Source texts by path, as the inventory read them.
pub type Texts<'a> = BTreeMap<&'a str, &'a str>;

/// One `opsbook: allow(<code>)` in a source: it silences `code` on its own line and the next.
#[derive(Clone, Debug, PartialEq)]
pub struct Allow {
    pub code: String,
    pub source: Source,
}

const MARK: &str = "opsbook: allow(";

/// Every allow comment in `text`, in any comment syntax: the marker is matched in the line's
/// text, so `// opsbook: allow(x)`, `# opsbook: allow(x)` and `<!-- opsbook: allow(x) -->`
/// all count. One comment may name several codes: `allow(no-owner, no-signal)`.
pub fn allows_in(file: &str, text: &str) -> Vec<Allow> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut offset = 0;
        while let Some(at) = line[offset..].find(MARK) {
            let inner_start = offset + at + MARK.len();
            let Some(close) = line[inner_start..].find(')') else { break };
            let mut pos = inner_start;
            for piece in line[inner_start..inner_start + close].split(',') {
                let lead = piece.len() - piece.trim_start().len();
                let code = piece.trim();
                if !code.is_empty() {
                    let column = line[..pos + lead].chars().count() as u32 + 1;
                    out.push(Allow { code: code.to_string(), source: Source::new(file, i as u32 + 1, column) });
                }
                pos += piece.len() + 1;
            }
            offset = inner_start + close + 1;
        }
    }
    out
}

/// Applies the configured levels and the allow comments found in `texts`, and reports every
/// allow that silenced nothing as `unused-allow`.
pub fn apply(findings: Vec<Finding>, config: &FindingsConfig, texts: &Texts) -> Vec<Finding> {
    let mut used_config: BTreeMap<&str, bool> = config.allow.iter().map(|c| (c.as_str(), false)).collect();
    let mut levelled = Vec::new();
    for mut f in findings {
        match config.level(&f.code, f.severity) {
            Some(level) => {
                f.severity = level;
                levelled.push(f);
            }
            None => {
                if let Some(used) = used_config.get_mut(f.code.as_str()) {
                    *used = true;
                }
            }
        }
    }

    let allows: Vec<Allow> = texts.iter().flat_map(|(file, text)| allows_in(file, text)).collect();
    let mut used_comment = vec![false; allows.len()];
    let mut kept = Vec::new();
    for f in levelled {
        let hit = allows.iter().position(|a| {
            a.code == f.code && a.source.file == f.file && (a.source.line == f.line || a.source.line + 1 == f.line)
        });
        match hit {
            Some(i) => used_comment[i] = true,
            None => kept.push(f),
        }
    }

    let mut unused = Vec::new();
    for (code, used) in used_config {
        if !used && code != UNUSED {
            let line = config.allow_lines.get(code).copied().unwrap_or(1);
            unused.push(Finding::new(
                UNUSED,
                Severity::Warning,
                None,
                &Source::new(FILE_NAME, line, 1),
                format!(
                    "`{code}` is allowed in opsbook.toml, but nothing reports `{code}`: the allow has outlived \
                     its reason, and it would silence a new `{code}` finding without anyone noticing"
                ),
                format!("remove `{code}` from `[findings] allow`"),
            ));
        }
    }
    for (a, used) in allows.iter().zip(used_comment) {
        if !used {
            unused.push(Finding::new(
                UNUSED,
                Severity::Warning,
                None,
                &a.source,
                format!(
                    "`opsbook: allow({})` silences nothing on this line or the next: the suppression has \
                     outlived its reason, or names the wrong code or line",
                    a.code
                ),
                "remove the comment, or move it onto or just above the line the finding points at",
            ));
        }
    }
    // `unused-allow` takes its level from the config like any other code; it cannot silence itself.
    kept.extend(unused.into_iter().filter_map(|mut f| {
        f.severity = config.level(&f.code, f.severity)?;
        Some(f)
    }));
    kept
}

/// The code of an allow that matches nothing.
pub const UNUSED: &str = "unused-allow";

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(code: &str, file: &str, line: u32) -> Finding {
        Finding::new(code, Severity::Warning, None, &Source::new(file, line, 1), "m", "h")
    }

    #[test]
    fn comments_in_any_syntax_with_several_codes() {
        let text = "a\n  # opsbook: allow(no-owner, no-signal)\n<!-- opsbook: allow(missing-timeout) -->\n";
        let a = allows_in("x.yaml", text);
        let got: Vec<_> = a.iter().map(|a| (a.code.as_str(), a.source.line, a.source.column)).collect();
        assert_eq!(got, vec![("no-owner", 2, 20), ("no-signal", 2, 30), ("missing-timeout", 3, 21)]);
    }

    #[test]
    fn a_comment_silences_its_line_and_the_next_only() {
        let text = "fn a() {}\n// opsbook: allow(unbounded-retry)\nlet r = retry();\nlet s = retry();\n";
        let texts: Texts = [("src/a.rs", text)].into_iter().collect();
        let kept = apply(
            vec![finding("unbounded-retry", "src/a.rs", 3), finding("unbounded-retry", "src/a.rs", 4)],
            &FindingsConfig::default(),
            &texts,
        );
        let lines: Vec<_> = kept.iter().map(|f| (f.code.as_str(), f.line)).collect();
        assert_eq!(lines, vec![("unbounded-retry", 4)]);
    }

    #[test]
    fn unused_allows_are_reported_where_they_are_written() {
        let text = "// opsbook: allow(no-owner)\nfn a() {}\n";
        let texts: Texts = [("src/a.rs", text)].into_iter().collect();
        let mut config = FindingsConfig { allow: vec!["dependency-cycle".into()], ..FindingsConfig::default() };
        config.allow_lines.insert("dependency-cycle".into(), 3);
        let kept = apply(vec![finding("no-signal", "src/a.rs", 2)], &config, &texts);
        let got: Vec<_> = kept.iter().map(|f| (f.code.as_str(), f.file.as_str(), f.line)).collect();
        assert_eq!(
            got,
            vec![("no-signal", "src/a.rs", 2), ("unused-allow", "opsbook.toml", 3), ("unused-allow", "src/a.rs", 1)]
        );
        // An allow in the config that matches is used, not reported.
        let config = FindingsConfig { allow: vec!["no-signal".into()], ..FindingsConfig::default() };
        let kept = apply(vec![finding("no-signal", "src/a.rs", 2)], &config, &Texts::new());
        assert!(kept.is_empty(), "{kept:?}");
    }
}
