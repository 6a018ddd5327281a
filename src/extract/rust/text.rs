//! Positions and source text of syntax nodes: `Source`s, and expressions rendered on one line.

use std::str::FromStr;

use proc_macro2::{Delimiter, LineColumn, Span, TokenStream, TokenTree};

use crate::source::Source;

/// The text of one file, indexed by line, so spans turn into `Source`s and text slices.
pub struct Snippet<'a> {
    pub file: &'a str,
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Snippet<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Snippet<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Snippet { file, text, line_starts }
    }

    /// proc-macro2 counts columns from 0 in characters; ours count from 1.
    pub fn source(&self, at: LineColumn) -> Source {
        Source::new(self.file, at.line as u32, at.column as u32 + 1)
    }

    pub fn at(&self, span: Span) -> Source {
        self.source(span.start())
    }

    /// Byte offset of a proc-macro2 position, clamped to the text.
    pub fn offset(&self, at: LineColumn) -> usize {
        let Some(&start) = self.line_starts.get(at.line.saturating_sub(1)) else {
            return self.text.len();
        };
        let line = &self.text[start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        start + line.char_indices().nth(at.column).map_or(line.len(), |(b, _)| b)
    }

    /// The text a span covers, exactly as written.
    pub fn raw(&self, span: Span) -> &'a str {
        let (a, b) = (self.offset(span.start()), self.offset(span.end()));
        if a <= b { &self.text[a..b] } else { "" }
    }

    /// The text a span covers on one line: comments dropped, line breaks inside a method
    /// chain or an argument list removed, other whitespace runs collapsed to one space.
    pub fn compact(&self, span: Span) -> String {
        compact(self.raw(span))
    }
}

/// One-line rendering of Rust source text. Falls back to collapsing whitespace when the
/// text does not lex (it always should: it comes from a file syn parsed).
pub fn compact(raw: &str) -> String {
    let Ok(stream) = TokenStream::from_str(raw) else {
        return raw.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let mut pieces = Vec::new();
    flatten(stream, &mut pieces);
    let mut out = String::new();
    let mut prev: Option<&Piece> = None;
    for (i, piece) in pieces.iter().enumerate() {
        // A trailing comma before a closing delimiter on the next line is layout, not meaning.
        if piece.text == "," && pieces.get(i + 1).is_some_and(|next| next.is_close && next.start.line > piece.end.line)
        {
            continue;
        }
        if let Some(p) = prev {
            let gap = p.end != piece.start;
            let newline = piece.start.line > p.end.line;
            // A line break after `(` or before `)` or `.method` is layout; inside braces
            // (`Config { a: 1, .. }`) it reads as a space.
            let method_dot = piece.text == "." && !piece.joint;
            let glue = (p.is_open && p.text != "{")
                || (piece.is_close && piece.text != "}")
                || method_dot
                || piece.text == "?";
            if gap && !(newline && glue) {
                out.push(' ');
            }
        }
        out.push_str(&piece.text);
        prev = Some(piece);
    }
    out
}

struct Piece {
    text: String,
    /// A punctuation character joined to the next one (`..`, `::`).
    joint: bool,
    start: LineColumn,
    end: LineColumn,
    is_open: bool,
    is_close: bool,
}

impl Piece {
    fn delimiter(text: &str, span: Span, is_open: bool) -> Piece {
        let (start, end) = (span.start(), span.end());
        Piece { text: text.into(), joint: false, start, end, is_open, is_close: !is_open }
    }
}

fn flatten(stream: TokenStream, out: &mut Vec<Piece>) {
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    out.push(Piece::delimiter(open, group.span_open(), true));
                }
                flatten(group.stream(), out);
                if !close.is_empty() {
                    out.push(Piece::delimiter(close, group.span_close(), false));
                }
            }
            other => {
                let span = other.span();
                let joint = matches!(&other, TokenTree::Punct(p) if p.spacing() == proc_macro2::Spacing::Joint);
                let text = other.to_string();
                out.push(Piece { text, joint, start: span.start(), end: span.end(), is_open: false, is_close: false });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_line_chain_reads_as_written_on_one_line() {
        let raw = "ExponentialBackoff::from_millis(10)\n    .map(jitter) // add jitter\n    .take(3)";
        assert_eq!(compact(raw), "ExponentialBackoff::from_millis(10).map(jitter).take(3)");
        let raw = "b.retry_bounds(\n    Duration::from_millis(30),\n    Duration::from_millis(100),\n)";
        assert_eq!(compact(raw), "b.retry_bounds(Duration::from_millis(30), Duration::from_millis(100))");
        assert_eq!(compact("reqwest::get(\"https://a.example//x\")"), "reqwest::get(\"https://a.example//x\")");
        assert_eq!(compact("60 * 60"), "60 * 60");
        let raw = "ExponentialBackoff {\n    max_elapsed_time: None,\n    ..ExponentialBackoff::default()\n}";
        assert_eq!(compact(raw), "ExponentialBackoff { max_elapsed_time: None, ..ExponentialBackoff::default() }");
    }

    #[test]
    fn offsets_count_characters() {
        let snip = Snippet::new("a.rs", "é = 1;\nlet x = 2;\n");
        assert_eq!(snip.offset(LineColumn { line: 1, column: 2 }), 3);
        assert_eq!(snip.offset(LineColumn { line: 2, column: 4 }), 12);
        assert_eq!(snip.source(LineColumn { line: 2, column: 4 }), Source::new("a.rs", 2, 5));
    }
}
