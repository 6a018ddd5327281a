//! Levels and suppressions: `[findings]` in opsbook.toml, `opsbook: allow(<code>)` comments,
//! and `unused-allow` for an allow that matches nothing, so suppressions cannot rot.

use std::collections::{BTreeMap, HashMap};

use memchr::memmem::Finder;
use memchr::{memchr, memchr_iter, memrchr};
use rayon::prelude::*;

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
///
/// One fast search of the whole text finds the markers; only their lines are read, so a
/// text without a marker costs one pass of the search and nothing else.
pub fn allows_in(file: &str, text: &str) -> Vec<Allow> {
    allows_with(&Finder::new(MARK), file, text)
}

fn allows_with(finder: &Finder, file: &str, text: &str) -> Vec<Allow> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // The number of the line that starts at `counted_to`, one-based.
    let (mut counted_to, mut line_no) = (0, 1);
    let mut from = 0;
    while let Some(hit) = finder.find(&bytes[from..]).map(|at| from + at) {
        let start = memrchr(b'\n', &bytes[..hit]).map_or(0, |nl| nl + 1);
        let end = memchr(b'\n', &bytes[hit..]).map_or(bytes.len(), |nl| hit + nl);
        line_no += memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        // As `str::lines` gives it: without its `\n` or `\r\n`.
        let mut line = &text[start..end];
        if end < bytes.len() {
            line = line.strip_suffix('\r').unwrap_or(line);
        }
        allows_in_line(file, line, line_no, &mut out);
        from = end;
    }
    out
}

/// The allows of one line, numbered `line_no`.
fn allows_in_line(file: &str, line: &str, line_no: usize, out: &mut Vec<Allow>) {
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
                out.push(Allow { code: code.to_string(), source: Source::new(file, line_no as u32, column) });
            }
            pos += piece.len() + 1;
        }
        offset = inner_start + close + 1;
    }
}

/// Every allow comment of `texts`, in file and line order: one fast search of each text,
/// on every core.
pub fn scan(texts: &Texts) -> Vec<Allow> {
    let finder = Finder::new(MARK);
    let texts: Vec<(&&str, &&str)> = texts.iter().collect();
    texts
        .par_iter()
        .map(|(file, text)| allows_with(&finder, file, text))
        .collect::<Vec<_>>()
        .into_iter()
        .flatten()
        .collect()
}

/// Applies the configured levels and the allow comments found in `texts`, and reports every
/// allow that silenced nothing as `unused-allow`.
pub fn apply(findings: Vec<Finding>, config: &FindingsConfig, texts: &Texts) -> Vec<Finding> {
    apply_allows(findings, config, &scan(texts))
}

/// [`apply`] with the allow comments already found: `allows` in file and line order, as
/// [`scan`] gives them (a session keeps each file's [`allows_in`] between builds).
pub fn apply_allows(findings: Vec<Finding>, config: &FindingsConfig, allows: &[Allow]) -> Vec<Finding> {
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

    // The first allow of each (file, line, code): the one a finding there uses.
    let mut first: HashMap<(&str, u32, &str), usize> = HashMap::new();
    for (i, a) in allows.iter().enumerate() {
        first.entry((a.source.file.as_str(), a.source.line, a.code.as_str())).or_insert(i);
    }
    let mut used_comment = vec![false; allows.len()];
    let mut kept = Vec::new();
    for f in levelled {
        // Allows come in file and line order, so one on the line above comes first.
        let at = |line: u32| first.get(&(f.file.as_str(), line, f.code.as_str())).copied();
        let hit = f.line.checked_sub(1).and_then(at).or_else(|| at(f.line));
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

    /// The definition: every line of the text read on its own.
    fn allows_by_lines(file: &str, text: &str) -> Vec<Allow> {
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            allows_in_line(file, line, i + 1, &mut out);
        }
        out
    }

    #[test]
    fn the_fast_search_finds_what_reading_every_line_finds() {
        let texts = [
            "",
            "no marker at all\n",
            "opsbook: allow(a)",
            "x\r\n// opsbook: allow(a, b)\r\n\r\n# opsbook: allow(c) opsbook: allow(d)\r\n",
            "é ü // opsbook: allow(no-owner)\nopsbook: allow(unclosed\nopsbook: allow(x)\n\n\n",
            "// opsbook: allow(opsbook: allow(inner))\nlast opsbook: allow( , y ,)",
            "\n\nopsbook: allow(z)\r",
        ];
        for text in texts {
            assert_eq!(allows_in("f.rs", text), allows_by_lines("f.rs", text), "{text:?}");
        }
        let big = "fn x() {}\n".repeat(500) + "  // opsbook: allow(no-signal)\n" + &"y\n".repeat(300);
        let got = allows_in("f.rs", &big);
        assert_eq!(got, allows_by_lines("f.rs", &big));
        assert_eq!((got[0].source.line, got[0].source.column), (501, 21));
    }

    #[test]
    fn each_allow_silences_once_and_duplicates_are_unused() {
        // Two allows of one code on one line and one above: the line above is used first,
        // the second allow on the line is reported as unused, the finding below is kept.
        let text = "// opsbook: allow(no-owner)\n// opsbook: allow(no-owner) opsbook: allow(no-owner)\nx\ny\n";
        let texts: Texts = [("a.rs", text), ("b.rs", text)].into_iter().collect();
        let kept = apply(
            vec![finding("no-owner", "a.rs", 2), finding("no-owner", "a.rs", 3), finding("no-owner", "b.rs", 4)],
            &FindingsConfig::default(),
            &texts,
        );
        let got: Vec<_> = kept.iter().map(|f| (f.code.as_str(), f.file.as_str(), f.line, f.column)).collect();
        assert_eq!(
            got,
            vec![
                ("no-owner", "b.rs", 4, 1),
                ("unused-allow", "a.rs", 2, 44),
                ("unused-allow", "b.rs", 1, 19),
                ("unused-allow", "b.rs", 2, 19),
                ("unused-allow", "b.rs", 2, 44),
            ]
        );
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
