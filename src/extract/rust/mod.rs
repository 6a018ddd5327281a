//! Rust sources (syn): `# Operations` doc sections, retry and timeout calls, HTTP verbs.
//!
//! A function is a step when its doc comment has an `# Operations` section or its body
//! runs a retry policy of a recognised library. Its node is located at the first token
//! after its attributes (`pub` or `fn`). Code facts are attributed only when a path
//! resolves, through the file's `use` declarations, to the library's crate.

mod body;
mod chain;
mod doc;
mod eval;
mod http;
mod imports;
mod nesting;
mod ops;
pub mod prefilter;
mod retry;
mod spec;
#[cfg(test)]
mod tests;
mod text;

use std::cell::Cell;
use std::panic::AssertUnwindSafe;

use syn::spanned::Spanned;
use syn::visit::Visit;

use self::body::{CodeFacts, MacroBodies, Walker};
use self::doc::{Doc, Entry};
use self::eval::{Consts, Env, Local};
use self::imports::Imports;
use self::text::Snippet;
use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve, RetryFact, TimeoutFact};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

/// Reads one Rust file, unless its text cannot hold a step ([`prefilter`]). Spans do not
/// outlive the call: when it returns, the reading thread's proc-macro2 source map is
/// cleared, so a long `watch` session does not keep every file it ever parsed in memory.
pub fn extract(path: &str, text: &str) -> Extracted {
    if !prefilter::may_hold_facts(text) {
        return Extracted::default();
    }
    extract_unfiltered(path, text)
}

/// [`extract`] without the literal pre-filter: every file is parsed. A file the pre-filter
/// passes over gives the same facts here, and no diagnostic but a syntax error.
pub fn extract_unfiltered(path: &str, text: &str) -> Extracted {
    // syn parses, visits and drops recursively: the file is read on a thread whose stack
    // holds the deepest file `nesting` lets through, many times over. A thread that cannot
    // be started reads on the caller's thread instead.
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("opsbook-rust".to_string())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || extract_guarded(path, text));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| internal_error(path)),
            Err(_) => extract_guarded(path, text),
        }
    })
}

/// The stack of the thread that reads a Rust file: only the pages it touches are used.
const STACK_SIZE: usize = 64 << 20;

fn extract_guarded(path: &str, text: &str) -> Extracted {
    if let Some(skipped) = too_deep(path, text) {
        proc_macro2::extra::invalidate_current_thread_spans();
        return skipped;
    }
    // syn and this extractor are not expected to panic; if either does on some input, the
    // file gets a diagnostic and the rest of the build goes on.
    let extracted = std::panic::catch_unwind(AssertUnwindSafe(|| extract_file(path, text)));
    proc_macro2::extra::invalidate_current_thread_spans();
    extracted.unwrap_or_else(|_| internal_error(path))
}

/// A file nested deeper than syn can safely recurse, as a diagnostic at the place.
fn too_deep(path: &str, text: &str) -> Option<Extracted> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some((line, column)) = nesting::too_deep(text) {
        let message = format!(
            "nested more than {} levels deep: expected Rust nested as deep as code is written by hand; \
             this file was skipped",
            nesting::MAX_NESTING
        );
        let help = "generated or hostile code nested this deep cannot be read safely; the other files are still read";
        return Some(Extracted {
            diagnostics: vec![
                Diagnostic::error("parse-error", Source::new(path, line, column), message).with_help(help),
            ],
            ..Extracted::default()
        });
    }
    None
}

fn internal_error(path: &str) -> Extracted {
    Extracted {
        diagnostics: vec![Diagnostic::error(
            "parse-error",
            Source::new(path, 1, 1),
            "opsbook failed while reading this Rust file (internal error); it was skipped",
        )],
        ..Extracted::default()
    }
}

/// One function with a body, as read.
#[derive(Debug)]
pub(crate) struct Function {
    pub ident: String,
    /// The first token after its attributes.
    pub source: Source,
    pub doc: Doc,
    pub code: CodeFacts,
}

/// Every function of a file, and the client timeouts and retries set up outside any
/// function body (in a `static` or `const`).
#[derive(Debug)]
pub(crate) struct FileRead {
    pub functions: Vec<Function>,
    pub item_client_timeouts: Vec<TimeoutFact>,
    pub item_client_retries: Vec<RetryFact>,
}

fn extract_file(path: &str, text: &str) -> Extracted {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let read = match read_file(path, text) {
        Ok(read) => read,
        Err(d) => return Extracted { diagnostics: vec![d], ..Extracted::default() },
    };
    assemble(path, read)
}

pub(crate) fn read_file(path: &str, text: &str) -> Result<FileRead, Diagnostic> {
    let snip = Snippet::new(path, text);
    let file = syn::parse_file(text).map_err(|e| {
        let span = e.span();
        let len = snip.offset(span.end()).saturating_sub(snip.offset(span.start()));
        Diagnostic::error("parse-error", snip.at(span), format!("could not parse Rust: {e}"))
            .with_len(len)
            .with_help("the other files are still read; fix the syntax to see this file's steps")
    })?;
    let imports = Imports::collect(&file);
    let mut items = Items::default();
    items.visit_file(&file);
    let macros: MacroBodies = body::macro_bodies(|f| f.visit_file(&file));
    let env = |locals| Env { snip: &snip, imports: &imports, consts: &items.consts, locals, budget: Cell::new(0) };

    let (mut item_client_timeouts, mut item_client_retries) = (Vec::new(), Vec::new());
    for init in &items.initialisers {
        let mut walker = Walker::new(env(Vec::new()), &macros);
        walker.visit_expr(init);
        item_client_timeouts.append(&mut walker.facts.client_timeouts);
        item_client_retries.append(&mut walker.facts.client_retries);
    }
    let mut fns = Vec::new();
    collect_fns(&file.items, &mut fns);
    let functions = fns
        .into_iter()
        .map(|f| {
            let params = f.sig.inputs.iter().filter_map(|arg| match arg {
                syn::FnArg::Typed(t) => match &*t.pat {
                    syn::Pat::Ident(p) => Some(Local::new(p.ident.to_string(), None)),
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            });
            let mut walker = Walker::new(env(params.collect()), &macros);
            walker.visit_block(f.block);
            let start = match f.vis {
                Some(vis) if !matches!(vis, syn::Visibility::Inherited) => vis.span(),
                _ => f.sig.span(),
            };
            Function {
                ident: f.sig.ident.to_string(),
                source: snip.at(start),
                doc: doc::parse(&doc::lines(f.attrs, &snip)),
                code: walker.facts,
            }
        })
        .collect();
    Ok(FileRead { functions, item_client_timeouts, item_client_retries })
}

/// What a file's clients bring to the steps that send requests with them.
struct Shared {
    timeouts: Vec<TimeoutFact>,
    retries: Vec<RetryFact>,
}

fn assemble(path: &str, read: FileRead) -> Extracted {
    // A client built with a timeout or a retry middleware outside any step (a constructor,
    // a `static`) is most likely the client the file's steps send their requests with: its
    // timeouts and retries apply to every step here that makes HTTP calls and builds no
    // such client of its own. Clients are not followed across files. When no step of the
    // file makes HTTP calls, a function that builds a retrying client is a step itself.
    let declared = |f: &Function| f.doc.operations.is_some() || !f.code.retries.is_empty();
    let sends = |f: &Function| declared(f) && !f.code.http_calls.is_empty();
    let adopted = read.functions.iter().any(|f| sends(f) && f.code.client_retries.is_empty());
    let is_step = |f: &Function| declared(f) || (!adopted && !f.code.client_retries.is_empty());
    let mut shared = Shared { timeouts: read.item_client_timeouts, retries: read.item_client_retries };
    for f in read.functions.iter().filter(|f| !is_step(f)) {
        shared.timeouts.extend(f.code.client_timeouts.iter().cloned());
        shared.retries.extend(f.code.client_retries.iter().cloned());
    }
    let mut out = Extracted::default();
    for f in read.functions.into_iter().filter(is_step) {
        add_step(path, f, &shared, &mut out);
    }
    out
}

fn add_step(path: &str, f: Function, shared: &Shared, out: &mut Extracted) {
    let entries: &[Entry] = f.doc.operations.as_deref().unwrap_or_default();
    let name = ops::step_name(path, entries).unwrap_or_else(|| f.ident.clone());
    let declared = ops::read(path, entries, &name);
    let mut node = NodeFact::new(NodeKind::Step, &name, f.source.clone());
    let attrs = &mut node.attrs;
    *attrs = declared.attrs;
    attrs.description = f.doc.description;
    attrs.function = Some(f.ident.clone());
    let located = |e: Entry| Located::new(e.text, Source::new(path, e.line, e.col));
    attrs.failure_modes = f.doc.failure_modes.into_iter().map(located).collect();
    attrs.recovery = f.doc.recovery.into_iter().map(located).collect();

    let code = f.code;
    let sends = !code.http_calls.is_empty();
    attrs.retries.extend(code.retries);
    if sends && code.client_retries.is_empty() {
        attrs.retries.extend(shared.retries.iter().cloned());
    }
    attrs.retries.extend(code.client_retries);
    attrs.timeouts.extend(code.timeouts);
    if sends && code.client_timeouts.is_empty() {
        attrs.timeouts.extend(shared.timeouts.iter().cloned());
    }
    attrs.timeouts.extend(code.client_timeouts);
    for call in code.http_calls.iter().filter(|c| c.is_side_effect()) {
        attrs.side_effects.push(Located::new(format!("HTTP {} {}", call.method, call.target), call.source.clone()));
    }
    attrs.http_calls = code.http_calls;
    out.facts.nodes.push(node);
    out.facts.nodes.extend(declared.nodes);
    out.facts.edges.extend(declared.edges);
    out.diagnostics.extend(declared.diagnostics);

    // One edge per callee, at its first call; recursion is not a dependency.
    let mut calls = code.calls;
    calls.sort_by_key(|(_, at)| (at.line, at.column));
    let mut seen = vec![f.ident];
    for (callee, source) in calls {
        if !seen.contains(&callee) {
            seen.push(callee.clone());
            let (from, to) = (NodeRef::new(NodeKind::Step, &name), NodeRef::new(NodeKind::Step, callee));
            out.facts.edges.push(EdgeFact {
                from,
                to,
                kind: EdgeKind::Calls,
                source,
                resolve: Resolve::IfKnown,
                detail: None,
            });
        }
    }
}

/// A function with a body, borrowed from the syntax tree.
struct FnRef<'a> {
    attrs: &'a [syn::Attribute],
    vis: Option<&'a syn::Visibility>,
    sig: &'a syn::Signature,
    block: &'a syn::Block,
}

/// Free functions, functions of inline modules, `impl` methods and trait default methods;
/// tests and `#[cfg(test)]` modules are not operations.
fn collect_fns<'a>(items: &'a [syn::Item], out: &mut Vec<FnRef<'a>>) {
    for item in items {
        match item {
            syn::Item::Fn(f) if !is_test(&f.attrs) => {
                out.push(FnRef { attrs: &f.attrs, vis: Some(&f.vis), sig: &f.sig, block: &f.block })
            }
            syn::Item::Mod(m) if !is_test(&m.attrs) => {
                if let Some((_, items)) = &m.content {
                    collect_fns(items, out);
                }
            }
            syn::Item::Impl(i) if !is_test(&i.attrs) => {
                for item in &i.items {
                    if let syn::ImplItem::Fn(f) = item
                        && !is_test(&f.attrs)
                    {
                        out.push(FnRef { attrs: &f.attrs, vis: Some(&f.vis), sig: &f.sig, block: &f.block });
                    }
                }
            }
            syn::Item::Trait(t) if !is_test(&t.attrs) => {
                for item in &t.items {
                    if let syn::TraitItem::Fn(f) = item
                        && let Some(block) = &f.default
                        && !is_test(&f.attrs)
                    {
                        out.push(FnRef { attrs: &f.attrs, vis: None, sig: &f.sig, block });
                    }
                }
            }
            _ => {}
        }
    }
}

/// `#[test]`, `#[tokio::test]`, `#[rstest]`, `#[test_case(..)]`, or `#[cfg(test)]` (also
/// inside `all(..)`, but not `not(test)`).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let path = a.path();
        if path.segments.last().is_some_and(|s| s.ident == "test" || s.ident == "rstest" || s.ident == "test_case") {
            return true;
        }
        let syn::Meta::List(list) = &a.meta else { return false };
        let mut words = Vec::new();
        idents(list.tokens.clone(), &mut words);
        path.is_ident("cfg") && words.iter().any(|w| w == "test") && !words.iter().any(|w| w == "not")
    })
}

fn idents(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Same-file consts and statics (anywhere in the file), and the initialisers of consts
/// and statics, which are walked for client timeouts.
#[derive(Default)]
struct Items<'a> {
    consts: Consts<'a>,
    initialisers: Vec<&'a syn::Expr>,
}

impl<'a> Items<'a> {
    fn add(&mut self, ident: &syn::Ident, expr: &'a syn::Expr) {
        let name = ident.to_string();
        // A name defined twice (in two modules) could be either: it is not evaluated.
        let twice = self.consts.contains_key(&name);
        self.consts.insert(name, if twice { None } else { Some(expr) });
        self.initialisers.push(expr);
    }
}

impl<'a> Visit<'a> for Items<'a> {
    fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
        self.add(&c.ident, &c.expr);
    }

    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        self.add(&s.ident, &s.expr);
    }

    fn visit_impl_item_const(&mut self, c: &'a syn::ImplItemConst) {
        self.add(&c.ident, &c.expr);
    }
}
