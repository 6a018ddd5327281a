//! CODEOWNERS files: ownership rules that give every node the owner of its source file.
//!
//! One [`OwnerRule`] per rule line, in file order (the last match wins, see
//! `model::owners`). A pattern with no owners is a rule too: it clears ownership. GitLab's
//! `[Section]` headers are tolerated and skipped. Lines GitHub would skip (a `!negation`,
//! a `[ ]` range, an owner that is no owner) are skipped with a warning; a bare user name
//! (`glours`, as some real files write it) is kept as written.

use crate::diag::Diagnostic;
use crate::extract::{Extracted, OwnerRule};
use crate::source::Source;

pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let root = root_of(path);
    for (i, line) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let tokens = tokens(line);
        let Some((pattern, col)) = tokens.first() else { continue };
        let at = |col: usize| Source::new(path, line_no, u32::try_from(col).unwrap_or(u32::MAX));
        if is_section(&pattern.raw) {
            continue;
        }
        if pattern.raw.starts_with('!') {
            out.diagnostics.push(
                Diagnostic::warning("invalid-value", at(*col), "CODEOWNERS does not support `!` negation")
                    .with_len(pattern.raw.len())
                    .with_help("GitHub skips this line; write the paths it should own instead"),
            );
            continue;
        }
        if pattern.has_range {
            out.diagnostics.push(
                Diagnostic::warning("invalid-value", at(*col), "CODEOWNERS does not support `[ ]` character ranges")
                    .with_len(pattern.raw.len())
                    .with_help("GitHub skips this line; list the matching paths one by one"),
            );
            continue;
        }
        let mut owners = Vec::new();
        let mut invalid = 0;
        for (owner, col) in &tokens[1..] {
            if is_owner(&owner.raw) {
                owners.push(owner.raw.clone());
            } else {
                invalid += 1;
                out.diagnostics.push(
                    Diagnostic::warning("invalid-value", at(*col), format!("`{}` is not a code owner", owner.raw))
                        .with_len(owner.raw.len())
                        .with_help("write `@user`, `@org/team` or an e-mail address"),
                );
            }
        }
        if invalid > 0 && owners.is_empty() {
            // A line whose every owner is invalid must not clear ownership.
            continue;
        }
        out.facts.owners.push(OwnerRule {
            pattern: pattern.text.clone(),
            owners,
            root: root.clone(),
            source: at(*col),
        });
    }
    out
}

/// The folder of the repository root a CODEOWNERS file belongs to: its own folder, or
/// the parent of a `.github` or `docs` folder holding it.
pub fn root_of(path: &str) -> String {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let (parent, last) = dir.rsplit_once('/').unwrap_or(("", dir));
    if last == ".github" || last == "docs" { parent.to_string() } else { dir.to_string() }
}

/// How a CODEOWNERS file ranks among those of one root: GitHub reads only the first of
/// `.github/CODEOWNERS`, `CODEOWNERS` and `docs/CODEOWNERS`.
pub fn rank(path: &str) -> u8 {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    match dir.rsplit('/').next() {
        Some(".github") => 0,
        Some("docs") => 2,
        _ => 1,
    }
}

/// One word of a line: its text as written, its text with `\` escapes resolved, and
/// whether it holds an unescaped `[`.
struct Token {
    raw: String,
    text: String,
    has_range: bool,
}

/// The words of a line with their 1-based columns, up to an unescaped `#` that starts a word.
fn tokens(line: &str) -> Vec<(Token, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(Token, usize)> = None;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            out.extend(cur.take());
            continue;
        }
        if cur.is_none() && c == '#' {
            break;
        }
        let (tok, _) =
            cur.get_or_insert_with(|| (Token { raw: String::new(), text: String::new(), has_range: false }, i + 1));
        tok.raw.push(c);
        if c == '\\' {
            if let Some((_, next)) = chars.next() {
                tok.raw.push(next);
                tok.text.push(next);
            }
            continue;
        }
        if c == '[' {
            tok.has_range = true;
        }
        tok.text.push(c);
    }
    out.extend(cur);
    out
}

/// A GitLab section header: `[Section]`, `^[Optional]`, `[Section][2]`.
fn is_section(word: &str) -> bool {
    let w = word.strip_prefix('^').unwrap_or(word);
    let Some(rest) = w.strip_prefix('[') else { return false };
    let Some((name, tail)) = rest.split_once(']') else { return false };
    let tail_ok = tail.is_empty()
        || tail
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    !name.is_empty() && tail_ok
}

/// `@user`, `@org/team`, an e-mail address, or a bare user name.
fn is_owner(word: &str) -> bool {
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let team_char = |c: char| name_char(c) || c == '.';
    if let Some(handle) = word.strip_prefix('@') {
        return match handle.split_once('/') {
            Some((org, team)) => {
                !org.is_empty() && org.chars().all(name_char) && !team.is_empty() && team.chars().all(team_char)
            }
            None => !handle.is_empty() && handle.chars().all(name_char),
        };
    }
    if let Some((local, domain)) = word.split_once('@') {
        return !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !word.chars().any(|c| c.is_whitespace() || c == '<' || c == '>');
    }
    word.starts_with(|c: char| c.is_ascii_alphanumeric()) && word.chars().all(name_char)
}

#[cfg(test)]
mod tests;
