//! A bound on how deep a Rust file can make syn recurse, checked on its tokens before parsing.
//!
//! syn parses, visits and drops its syntax tree recursively, so a file nested 100,000 deep
//! (parentheses, `!!!!x`, `a + a + ...`, `Vec<Vec<...>>`) would overflow any stack. The
//! tokens are read first by proc-macro2's lexer, which keeps its own stack on the heap; this
//! module then walks them with an explicit stack and estimates the depth of the tree syn
//! would build, from above: every bracket and every `<` opens a level, and every token of an
//! expression or a type may nest one level below the one before it, until a `,` or `;` (or
//! the end of a block that is followed by a new item or statement) ends the expression.
//! Attributes, doc comments included, do not count: a long doc comment is flat.
//!
//! Ordinary code stays far below [`MAX_NESTING`]; the extractor runs on a thread whose stack
//! holds many times that depth (see `STACK_SIZE` in `mod.rs`), so an estimate that is off
//! by a wide factor still cannot overflow it.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// The deepest estimated nesting read. Real files measure well under 200.
pub const MAX_NESTING: usize = 1000;

/// One open bracket: its remaining tokens, and the current expression's count at its level.
struct Frame {
    tokens: std::vec::IntoIter<TokenTree>,
    brace: bool,
    /// Tokens of the current expression at this level.
    run: usize,
    /// `<` not yet closed by a `>` in the current statement at this level.
    angles: usize,
}

impl Frame {
    fn new(stream: TokenStream, brace: bool) -> Frame {
        Frame { tokens: stream.into_iter().collect::<Vec<_>>().into_iter(), brace, run: 0, angles: 0 }
    }
}

/// The 1-based line and column where the estimate first passes [`MAX_NESTING`], or `None`
/// when the file is within it (or does not lex: syn then reports the error without
/// recursing).
pub fn too_deep(text: &str) -> Option<(u32, u32)> {
    let stream: TokenStream = text.parse().ok()?;
    let mut stack = vec![Frame::new(stream, false)];
    // The sum of `run` and `angles` over the stack, plus one per frame.
    let mut depth = 1usize;
    let mut in_attr = false;
    while let Some(frame) = stack.last_mut() {
        let Some(token) = frame.tokens.next() else {
            let done = stack.pop().expect("the frame just read");
            depth -= done.run + done.angles + 1;
            // A closed block ends an item or a statement unless `else`, `as`, an operator
            // or a call carries the expression on.
            if let Some(parent) = stack.last_mut()
                && done.brace
            {
                let carries = match parent.tokens.as_slice().first() {
                    Some(TokenTree::Ident(i)) => i == "else" || i == "as",
                    Some(TokenTree::Punct(p)) => !matches!(p.as_char(), ',' | ';' | '#'),
                    Some(TokenTree::Group(g)) => g.delimiter() != Delimiter::Brace,
                    Some(TokenTree::Literal(_)) | None => false,
                };
                if !carries {
                    depth -= parent.run + parent.angles;
                    parent.run = 0;
                    parent.angles = 0;
                }
            }
            continue;
        };
        match &token {
            TokenTree::Punct(p) if p.as_char() == ';' => {
                depth -= frame.run + frame.angles;
                frame.run = 0;
                frame.angles = 0;
            }
            TokenTree::Punct(p) if p.as_char() == ',' => {
                depth -= frame.run;
                frame.run = 0;
            }
            TokenTree::Punct(p) if p.as_char() == '#' || (in_attr && p.as_char() == '!') => in_attr = true,
            TokenTree::Punct(p) if p.as_char() == '<' => {
                frame.angles += 1;
                frame.run += 1;
                depth += 2;
            }
            TokenTree::Punct(p) if p.as_char() == '>' && frame.angles > 0 => {
                frame.angles -= 1;
                depth -= 1;
            }
            TokenTree::Group(g) => {
                // An attribute's brackets are a level but not a token of the expression.
                let attr = in_attr && g.delimiter() == Delimiter::Bracket;
                in_attr = false;
                if !attr {
                    frame.run += 1;
                    depth += 1;
                }
                depth += 1;
                stack.push(Frame::new(g.stream(), g.delimiter() == Delimiter::Brace));
            }
            _ => {
                in_attr = false;
                frame.run += 1;
                depth += 1;
            }
        }
        if depth > MAX_NESTING {
            let at = token.span().start();
            return Some((
                u32::try_from(at.line).unwrap_or(u32::MAX),
                u32::try_from(at.column + 1).unwrap_or(u32::MAX),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread with the default test stack, so a recursion here shows.
    fn small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
        std::thread::scope(|s| {
            std::thread::Builder::new().stack_size(1 << 20).spawn_scoped(s, f).unwrap().join().unwrap()
        })
    }

    fn deep(n: usize) -> Vec<(&'static str, String)> {
        vec![
            ("parentheses", format!("fn f() {{ let x = {}1{}; }}", "(".repeat(n), ")".repeat(n))),
            ("negations", format!("fn f() {{ let x = {}a; }}", "!".repeat(n))),
            ("a sum", format!("fn f() {{ let x = 1{}; }}", " + 1".repeat(n))),
            ("a field chain", format!("fn f() {{ let x = a{}; }}", ".b".repeat(n))),
            ("an else-if chain", format!("fn f() {{ if a {{}} {} }}", "else if a {} ".repeat(n))),
            ("closures", format!("fn f() {{ let x = {}1; }}", "|| ".repeat(n))),
            ("generics", format!("type T = {}u8{};", "Vec<".repeat(n), ">".repeat(n))),
            ("generics with commas", format!("type T = {}u8{};", "A<u8, ".repeat(n), ">".repeat(n))),
            ("modules", format!("{}{}", "mod a { ".repeat(n), "}".repeat(n))),
            ("blocks", format!("fn f() {}{}", "{".repeat(n), "}".repeat(n))),
            ("blocks and sums", format!("fn f() {{ let x = {{1}}{}; }}", " + {1}".repeat(n))),
            ("a macro", format!("fn f() {{ m!{}{}; }}", "(".repeat(n), ")".repeat(n))),
            ("an attribute", format!("#[a{}{}]\nfn f() {{}}", "(".repeat(n), ")".repeat(n))),
        ]
    }

    #[test]
    fn every_deep_shape_is_caught_without_recursing() {
        small_stack(|| {
            for (what, text) in deep(100_000) {
                let at = too_deep(&text);
                assert!(at.is_some_and(|(line, _)| line == 1), "{what}: {at:?}");
            }
        });
    }

    #[test]
    fn every_shape_at_the_limit_is_read_on_the_extractor_stack() {
        for (what, _) in deep(1) {
            // The deepest file of this shape the estimate lets through.
            let (mut ok, mut over) = (1, MAX_NESTING + 1);
            while over - ok > 1 {
                let mid = (ok + over) / 2;
                let text = deep(mid).into_iter().find(|(w, _)| *w == what).unwrap().1;
                if too_deep(&text).is_none() { ok = mid } else { over = mid }
            }
            assert!(ok >= MAX_NESTING / 10, "{what}: only {ok} levels are read");
            let text = deep(ok).into_iter().find(|(w, _)| *w == what).unwrap().1;
            // An overflow would abort the test run; a panic would be an internal error.
            let x = crate::extract::rust::extract("deep.rs", &text);
            assert!(x.diagnostics.iter().all(|d| !d.message.contains("internal error")), "{what}: {x:?}");
        }
    }

    #[test]
    fn long_doc_comments_and_data_tables_are_flat() {
        let doc = "/// A line of prose.\n".repeat(5000) + "pub fn f() {}\n";
        assert_eq!(too_deep(&doc), None);
        let table = format!("const T: [u32; 20000] = [{}];\nfn g() {{}}\n", "7, ".repeat(20_000));
        assert_eq!(too_deep(&table), None);
        let items = "pub fn f(a: Option<Vec<u8>>) -> Result<(), E> { if a.is_some() { g(); } }\n".repeat(5000);
        assert_eq!(too_deep(&items), None);
    }

    #[test]
    fn the_position_is_where_the_limit_is_passed() {
        let text = format!("fn ok() {{}}\n\nfn f() {{\n    let x = {}a;\n}}\n", "!".repeat(5000));
        let (line, column) = too_deep(&text).unwrap();
        assert_eq!(line, 4);
        assert!(column > 13 && column < 5013, "{column}");
    }
}
