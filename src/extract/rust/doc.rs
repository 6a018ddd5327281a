//! Doc comments: their lines with positions, the summary, and the `# Operations`,
//! `# Failure modes` and `# Recovery` sections as lists of entries.
//!
//! Fenced code blocks are examples, never facts: nothing inside one is read as a key or a
//! heading.

use syn::spanned::Spanned;
use syn::{Attribute, Expr, Lit, Meta};

use super::text::Snippet;

/// One line of a doc comment and where its first character is in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct DocLine {
    pub text: String,
    pub line: u32,
    pub col: u32,
}

/// One list item (continuation lines joined) and where its text starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub text: String,
    pub line: u32,
    pub col: u32,
}

#[derive(Debug, Default, PartialEq)]
pub struct Doc {
    /// The Markdown before the first heading.
    pub description: Option<String>,
    /// `Some` when the comment has an `# Operations` section, even an empty one.
    pub operations: Option<Vec<Entry>>,
    pub failure_modes: Vec<Entry>,
    pub recovery: Vec<Entry>,
}

/// The outer doc lines of an item, unindented as rustdoc does.
pub fn lines(attrs: &[Attribute], snip: &Snippet) -> Vec<DocLine> {
    let mut out = Vec::new();
    for attr in attrs {
        if !matches!(attr.style, syn::AttrStyle::Outer) || !attr.path().is_ident("doc") {
            continue;
        }
        let Meta::NameValue(nv) = &attr.meta else { continue };
        let Expr::Lit(lit) = &nv.value else { continue };
        let Lit::Str(s) = &lit.lit else { continue };
        let start = attr.span().start();
        let written = &snip.text[snip.offset(start)..];
        // `///` and `/**` put the text 3 columns after the comment starts; `#[doc = ".."]`
        // puts it one after the opening quote.
        let (line, col) = if written.starts_with("///") || written.starts_with("/**") {
            (start.line as u32, start.column as u32 + 4)
        } else {
            let at = lit.span().start();
            (at.line as u32, at.column as u32 + 2)
        };
        let block = written.starts_with("/**");
        for (k, text) in s.value().split('\n').enumerate() {
            let (text, line, col) = if k == 0 { (text, line, col) } else { (text, line + k as u32, 1) };
            // Block comments often start continuation lines with ` * `.
            let (text, col) = match text.trim_start().strip_prefix('*') {
                Some(rest) if block && k > 0 => {
                    let skipped = text.chars().count() - rest.chars().count();
                    (rest, col + skipped as u32)
                }
                _ => (text, col),
            };
            out.push(DocLine { text: text.trim_end().to_string(), line, col });
        }
    }
    unindent(&mut out);
    out
}

fn unindent(lines: &mut [DocLine]) {
    let indent = |s: &str| s.chars().take_while(|c| c.is_whitespace()).count();
    let min = lines.iter().filter(|l| !l.text.trim().is_empty()).map(|l| indent(&l.text)).min().unwrap_or(0);
    for l in lines.iter_mut() {
        if l.text.trim().is_empty() {
            l.text.clear();
        } else {
            l.text = l.text.chars().skip(min).collect();
            l.col += min as u32;
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Summary,
    Operations,
    FailureModes,
    Recovery,
    Other,
}

/// Splits doc lines into the summary and the sections opsbook reads.
pub fn parse(lines: &[DocLine]) -> Doc {
    let mut doc = Doc::default();
    let mut summary: Vec<&str> = Vec::new();
    let mut section = Section::Summary;
    let mut in_fence = false;
    let mut open: Option<Entry> = None;
    let close = |doc: &mut Doc, section: Section, open: &mut Option<Entry>| {
        if let Some(entry) = open.take() {
            match section {
                Section::Operations => doc.operations.get_or_insert_with(Vec::new).push(entry),
                Section::FailureModes => doc.failure_modes.push(entry),
                Section::Recovery => doc.recovery.push(entry),
                _ => {}
            }
        }
    };
    for l in lines {
        let t = l.text.trim_start();
        let indent = (l.text.chars().count() - t.chars().count()) as u32;
        let fence = t.starts_with("```") || t.starts_with("~~~");
        if fence || in_fence {
            in_fence ^= fence;
            match section {
                Section::Summary => summary.push(&l.text),
                // A code block inside a failure mode or recovery step stays part of it.
                Section::FailureModes | Section::Recovery => {
                    if let Some(entry) = open.as_mut() {
                        entry.text.push('\n');
                        entry.text.push_str(t);
                    }
                }
                _ => {}
            }
            continue;
        }
        if let Some(title) = heading(t) {
            close(&mut doc, section, &mut open);
            section = match title.as_str() {
                "operations" => Section::Operations,
                "failure modes" | "failure-modes" => Section::FailureModes,
                "recovery" => Section::Recovery,
                _ => Section::Other,
            };
            if section == Section::Operations {
                doc.operations.get_or_insert_with(Vec::new);
            }
            continue;
        }
        match section {
            Section::Summary => summary.push(&l.text),
            Section::Other => {}
            _ if t.is_empty() => close(&mut doc, section, &mut open),
            _ => match item_marker(t) {
                Some(skip) => {
                    close(&mut doc, section, &mut open);
                    let text: String = t.chars().skip(skip).collect();
                    open =
                        Some(Entry { text: text.trim().to_string(), line: l.line, col: l.col + indent + skip as u32 });
                }
                None => match open.as_mut() {
                    Some(entry) => {
                        entry.text.push(' ');
                        entry.text.push_str(t.trim());
                    }
                    // A paragraph outside a list is one failure mode or recovery step;
                    // prose in `# Operations` is not a key.
                    None if section != Section::Operations => {
                        open = Some(Entry { text: t.trim().to_string(), line: l.line, col: l.col + indent })
                    }
                    None => {}
                },
            },
        }
    }
    close(&mut doc, section, &mut open);
    while summary.last().is_some_and(|s| s.trim().is_empty()) {
        summary.pop();
    }
    let first = summary.iter().position(|s| !s.trim().is_empty()).unwrap_or(summary.len());
    let description = summary[first..].join("\n");
    doc.description = (!description.is_empty()).then_some(description);
    doc
}

/// The lower-cased title of a Markdown ATX heading.
fn heading(t: &str) -> Option<String> {
    let rest = t.trim_start_matches('#');
    let level = t.len() - rest.len();
    if level == 0 || level > 6 || !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some(rest.trim().trim_end_matches(':').trim().to_lowercase())
}

/// Characters to skip past a list marker: `- `, `* `, `+ `, `1. `, `2) `.
fn item_marker(t: &str) -> Option<usize> {
    if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
        return Some(2);
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    let rest = &t[digits..];
    (digits > 0 && digits < 10 && (rest.starts_with(". ") || rest.starts_with(") "))).then_some(digits + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_of(src: &str) -> (Vec<DocLine>, Doc) {
        let file = syn::parse_file(src).unwrap();
        let syn::Item::Fn(f) = &file.items[0] else { panic!() };
        let lines = lines(&f.attrs, &Snippet::new("a.rs", src));
        let doc = parse(&lines);
        (lines, doc)
    }

    #[test]
    fn keys_in_code_blocks_are_not_keys() {
        let src = "/// Sums.\n///\n/// ```\n/// # Operations\n/// - retry: attempts=9\n/// ```\n///\n/// # Operations\n/// - owner: me\n///   and you\nfn f() {}";
        let (lines, doc) = doc_of(src);
        assert_eq!(lines[0], DocLine { text: "Sums.".into(), line: 1, col: 5 });
        assert_eq!(doc.description.as_deref(), Some("Sums.\n\n```\n# Operations\n- retry: attempts=9\n```"));
        let ops = doc.operations.unwrap();
        assert_eq!(ops, vec![Entry { text: "owner: me and you".into(), line: 9, col: 7 }]);
    }

    #[test]
    fn recovery_items_keep_order_and_markdown() {
        let src = "/// # Recovery\n/// 1. Check `erpctl status`.\n/// 2. Replay\n///    from the DLQ.\n///\n/// # Failure modes\n/// A paragraph.\nfn f() {}";
        let (_, doc) = doc_of(src);
        let recovery: Vec<&str> = doc.recovery.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(recovery, ["Check `erpctl status`.", "Replay from the DLQ."]);
        assert_eq!((doc.recovery[1].line, doc.recovery[1].col), (3, 8));
        assert_eq!(doc.failure_modes[0].text, "A paragraph.");
        assert_eq!(doc.operations, None);
        assert_eq!(doc.description, None);
    }

    #[test]
    fn doc_attributes_and_block_comments_have_positions() {
        let (lines, _) = doc_of("#[doc = \"Line one.\"]\nfn f() {}");
        assert_eq!((lines[0].text.as_str(), lines[0].line, lines[0].col), ("Line one.", 1, 10));
        let (lines, _) = doc_of("/** Block\n * - two\n */\nfn f() {}");
        assert_eq!((lines[1].text.as_str(), lines[1].line, lines[1].col), ("- two", 2, 4));
    }
}
