//! Walks one function body (or a const's initialiser) in source order, tracking `let`
//! bindings, and collects what its code does: retries, timeouts, HTTP calls and calls.

use std::collections::HashMap;

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Expr, Token};

use super::eval::{Env, Local, is_external};
use super::{http, retry};
use crate::extract::{HttpCall, RetryFact, TimeoutFact};
use crate::source::Source;

/// What one function's code does, in source order.
#[derive(Debug, Default)]
pub struct CodeFacts {
    /// Policies this code runs: tokio-retry, backon, backoff.
    pub retries: Vec<RetryFact>,
    /// Policies attached to an HTTP client (reqwest-retry middleware): they retry every
    /// request of that client, wherever it is sent from.
    pub client_retries: Vec<RetryFact>,
    /// Timeouts on one operation: `tokio::time::timeout`, per-request, tower.
    pub timeouts: Vec<TimeoutFact>,
    /// Timeouts set on a reqwest client: they bound every request of that client.
    pub client_timeouts: Vec<TimeoutFact>,
    pub http_calls: Vec<HttpCall>,
    /// Calls that may name another step: the callee's last identifier and where.
    pub calls: Vec<(String, Source)>,
}

/// Macro arguments parsed as expressions, by the address of their `syn::Macro`, so the
/// walker can see `try_join!(push_order(o), notify(o))` without re-parsing while borrowed.
pub type MacroBodies = HashMap<usize, Vec<Expr>>;

pub fn macro_bodies(visit: impl FnOnce(&mut MacroFinder)) -> MacroBodies {
    let mut finder = MacroFinder::default();
    visit(&mut finder);
    let mut queue = finder.found;
    let mut out = MacroBodies::new();
    while let Some((addr, exprs)) = queue.pop() {
        let mut nested = MacroFinder::default();
        exprs.iter().for_each(|e| nested.visit_expr(e));
        queue.extend(nested.found);
        // Moving the Vec keeps its elements where they are, so the addresses of macros
        // inside them, already queued, stay valid.
        out.insert(addr, exprs);
    }
    out
}

#[derive(Default)]
pub struct MacroFinder {
    found: Vec<(usize, Vec<Expr>)>,
}

impl<'ast> Visit<'ast> for MacroFinder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if let Ok(args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            self.found.push((mac as *const syn::Macro as usize, args.into_iter().collect()));
        }
    }
}

pub struct Walker<'a> {
    pub env: Env<'a>,
    pub facts: CodeFacts,
    macros: &'a MacroBodies,
    /// Variables assigned (`x = ..`, `x.with_y(..);`) and their new value, in order.
    assigned: Vec<(String, &'a Expr)>,
}

impl<'a> Walker<'a> {
    pub fn new(env: Env<'a>, macros: &'a MacroBodies) -> Walker<'a> {
        Walker { env, facts: CodeFacts::default(), macros, assigned: Vec::new() }
    }

    fn scope(&self) -> usize {
        self.env.locals.len()
    }

    fn on_call(&mut self, whole: &'a Expr, call: &'a syn::ExprCall) {
        let Expr::Path(p) = &*call.func else { return };
        let args: Vec<&Expr> = call.args.iter().collect();
        let scope = self.scope();
        if let Some(path) = self.env.imports.resolve(&p.path).filter(|p| is_external(p)) {
            if let Some(r) = retry::at_call(&self.env, &path, &args, scope) {
                self.facts.retries.push(r);
            } else if let Some(t) = http::timeout_call(&self.env, &path, whole, &args, scope) {
                self.facts.timeouts.push(t.fact);
            } else if let Some(h) = http::http_function(&self.env, &path, whole, &args) {
                self.facts.http_calls.push(h);
            }
        }
        self.maybe_step_call(&p.path);
    }

    /// `push_order(..)`, `erp::push_order(..)`, `Self::push_order(..)`: a path into this
    /// crate to a lower-case function. `Vec::new()`, `Some(x)` and `axum::serve(..)`
    /// (another crate) cannot name a step.
    fn maybe_step_call(&mut self, path: &syn::Path) {
        if self.env.imports.resolve(path).is_some_and(|p| is_external(&p)) {
            return;
        }
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let Some((last, modules)) = segs.split_last() else { return };
        let lower = |s: &str| s.starts_with(|c: char| c.is_ascii_lowercase() || c == '_');
        if !lower(last) || !modules.iter().all(|m| lower(m) || m == "Self") {
            return;
        }
        if modules.is_empty() && self.env.locals.iter().any(|l| l.name == *last) {
            return; // a closure held in a local
        }
        // The path's first token is where the call starts; `Spanned::span` would re-tokenise
        // the whole call, and calls nest.
        let Some(first) = path.segments.first() else { return };
        let start = path.leading_colon.map_or(first.ident.span(), |c| c.spans[0]);
        self.facts.calls.push((last.clone(), self.env.snip.at(start)));
    }

    fn on_method(&mut self, whole: &'a Expr, m: &'a syn::ExprMethodCall) {
        let scope = self.scope();
        if let Some(r) = retry::at_method(&self.env, whole, m, scope) {
            // backon retries a function named as the receiver: `fetch.retry(b)` calls `fetch`.
            if let Expr::Path(p) = &*m.receiver {
                self.maybe_step_call(&p.path);
            }
            if r.library == "reqwest-retry" { &mut self.facts.client_retries } else { &mut self.facts.retries }.push(r);
        }
        if let Some(t) = http::timeout_method(&self.env, whole, m, scope) {
            if t.on_client { &mut self.facts.client_timeouts } else { &mut self.facts.timeouts }.push(t.fact);
        }
        if let Some(h) = http::http_send(&self.env, whole, m, scope) {
            self.facts.http_calls.push(h);
        }
        if matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self")) {
            self.facts.calls.push((m.method.to_string(), self.env.snip.at(m.method.span())));
        }
    }

    fn bind(&mut self, pat: &'a syn::Pat, init: Option<&'a Expr>) {
        match pat {
            syn::Pat::Ident(p) if p.subpat.is_none() => self.env.locals.push(Local::new(p.ident.to_string(), init)),
            syn::Pat::Type(t) => self.bind(&t.pat, init),
            syn::Pat::Wild(_) => {}
            other => {
                // Destructuring: every name it binds is opaque.
                let mut names = PatNames::default();
                names.visit_pat(other);
                self.env.locals.extend(names.0.into_iter().map(|n| Local::new(n, None)));
            }
        }
    }
}

#[derive(Default)]
struct PatNames(Vec<String>);

impl<'ast> Visit<'ast> for PatNames {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        self.0.push(p.ident.to_string());
        syn::visit::visit_pat_ident(self, p);
    }
}

impl<'a> Visit<'a> for Walker<'a> {
    /// Bindings end with their block. A variable of an outer block assigned inside this
    /// one may or may not hold the new value afterwards: it keeps the last value assigned,
    /// marked conditional, so what it sets reads as unknown.
    fn visit_block(&mut self, block: &'a syn::Block) {
        let (locals, assigned) = (self.env.locals.len(), self.assigned.len());
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        let inner = self.assigned.split_off(assigned);
        self.env.locals.truncate(locals);
        let mut done: Vec<&str> = Vec::new();
        for (name, value) in inner.iter().rev() {
            if done.contains(&name.as_str()) || !self.env.locals.iter().any(|l| l.name == *name) {
                continue;
            }
            done.push(name);
            self.env.locals.push(Local { name: name.clone(), init: Some(value), conditional: true });
            self.assigned.push((name.clone(), value));
        }
    }

    fn visit_stmt(&mut self, stmt: &'a syn::Stmt) {
        syn::visit::visit_stmt(self, stmt);
        // `b.with_initial_interval(d);` on a `&mut self` builder changes `b` in place.
        if let syn::Stmt::Expr(e @ Expr::MethodCall(m), Some(_)) = stmt
            && m.method.to_string().starts_with("with")
            && let Some(name) = receiver_var(m)
        {
            self.env.locals.push(Local::new(name.clone(), Some(e)));
            self.assigned.push((name, e));
        }
    }

    fn visit_local(&mut self, local: &'a syn::Local) {
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
        }
        self.bind(&local.pat, local.init.as_ref().map(|i| &*i.expr));
    }

    fn visit_expr(&mut self, e: &'a Expr) {
        match e {
            Expr::Call(c) => self.on_call(e, c),
            Expr::MethodCall(m) => self.on_method(e, m),
            // `n += 1` leaves `n` at a value the evaluator does not compute: opaque.
            Expr::Binary(b) if is_compound_assign(&b.op) => {
                syn::visit::visit_expr(self, e);
                if let Expr::Path(p) = &*b.left
                    && let Some(ident) = p.path.get_ident()
                {
                    self.env.locals.push(Local::new(ident.to_string(), Some(e)));
                    self.assigned.push((ident.to_string(), e));
                }
                return;
            }
            Expr::Assign(a) => {
                self.visit_expr(&a.right);
                match &*a.left {
                    Expr::Path(p) if p.path.get_ident().is_some() => {
                        let name = p.path.segments[0].ident.to_string();
                        self.env.locals.push(Local::new(name.clone(), Some(&a.right)));
                        self.assigned.push((name, &a.right));
                    }
                    // `b.max_elapsed_time = None;` changes `b` in place.
                    Expr::Field(f) => {
                        if let Expr::Path(p) = &*f.base
                            && let Some(ident) = p.path.get_ident()
                        {
                            self.env.locals.push(Local::new(ident.to_string(), Some(e)));
                            self.assigned.push((ident.to_string(), e));
                        }
                    }
                    _ => {}
                }
                return;
            }
            _ => {}
        }
        syn::visit::visit_expr(self, e);
    }

    /// Closure parameters, `for` and `match` patterns and `if let` bindings shadow outer
    /// names with values that are not one expression.
    fn visit_expr_closure(&mut self, c: &'a syn::ExprClosure) {
        let mark = self.env.locals.len();
        c.inputs.iter().for_each(|p| self.bind(p, None));
        self.visit_expr(&c.body);
        self.env.locals.truncate(mark);
    }

    fn visit_expr_for_loop(&mut self, f: &'a syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        let mark = self.env.locals.len();
        self.bind(&f.pat, None);
        self.visit_block(&f.body);
        self.env.locals.truncate(mark);
    }

    fn visit_arm(&mut self, arm: &'a syn::Arm) {
        let mark = self.env.locals.len();
        self.bind(&arm.pat, None);
        if let syn::Pat::Guard(g) = &arm.pat {
            self.visit_expr(&g.guard);
        }
        self.visit_expr(&arm.body);
        self.env.locals.truncate(mark);
    }

    fn visit_expr_let(&mut self, l: &'a syn::ExprLet) {
        self.visit_expr(&l.expr);
        self.bind(&l.pat, None);
    }

    fn visit_macro(&mut self, mac: &'a syn::Macro) {
        if let Some(args) = self.macros.get(&(mac as *const syn::Macro as usize)) {
            args.iter().for_each(|e| self.visit_expr(e));
        }
    }

    /// Items nested in a body are walked on their own, not as part of this function.
    fn visit_item(&mut self, _: &'a syn::Item) {}
}

fn is_compound_assign(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The variable at the root of `b.with_x(..).with_y(..)`.
fn receiver_var(m: &syn::ExprMethodCall) -> Option<String> {
    match &*m.receiver {
        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
        Expr::MethodCall(inner) => receiver_var(inner),
        _ => None,
    }
}
