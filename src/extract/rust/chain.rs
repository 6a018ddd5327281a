//! Method chains followed to their root through `let` bindings and consts, so a builder
//! split over several statements reads as one expression.

use proc_macro2::Span;
use syn::Expr;

use super::eval::{Env, Lookup, MAX_DEPTH};

/// A method-call chain with its root found through `let` bindings:
/// `let b = X::builder(); let b = b.base(2); b.build()` is root `X::builder()` with
/// methods `base`, `build`.
pub struct Chain<'a> {
    pub root: Root<'a>,
    pub root_expr: &'a Expr,
    pub root_scope: usize,
    pub methods: Vec<Method<'a>>,
}

pub enum Root<'a> {
    /// `path(args)`, with the path resolved through the file's imports.
    Call {
        path: Option<Vec<String>>,
        args: Vec<&'a Expr>,
    },
    Struct(&'a syn::ExprStruct),
    Other,
}

pub struct Method<'a> {
    pub name: String,
    pub args: Vec<&'a Expr>,
    /// How many locals were visible where this call was written.
    pub scope: usize,
    /// Written in a branch (`if c { b = b.base(3) }`): it may not have run.
    pub conditional: bool,
    /// The method's name as written.
    pub name_span: Span,
    /// The whole call with its receiver (or the field assignment).
    pub expr: &'a Expr,
}

impl<'a> Env<'a> {
    /// Follows a method chain down to its root, through `let` bindings and consts.
    pub fn chain(&self, e: &'a Expr, scope: usize) -> Chain<'a> {
        self.chain_at(e, scope, false, 0)
    }

    fn chain_at(&self, e: &'a Expr, scope: usize, conditional: bool, depth: u32) -> Chain<'a> {
        let other = Chain { root: Root::Other, root_expr: e, root_scope: scope, methods: Vec::new() };
        if depth > MAX_DEPTH {
            return other;
        }
        let d = depth + 1;
        match e {
            Expr::Paren(p) => self.chain_at(&p.expr, scope, conditional, d),
            Expr::Group(g) => self.chain_at(&g.expr, scope, conditional, d),
            Expr::Reference(r) => self.chain_at(&r.expr, scope, conditional, d),
            Expr::MethodCall(m) => {
                let mut chain = self.chain_at(&m.receiver, scope, conditional, d);
                let name = m.method.to_string();
                let name_span = m.method.span();
                chain.methods.push(Method {
                    name,
                    args: m.args.iter().collect(),
                    scope,
                    conditional,
                    name_span,
                    expr: e,
                });
                chain
            }
            // `b.max_elapsed_time = None` sets a field of a builder or policy in place; it
            // reads as a method `max_elapsed_time=` taking the new value.
            Expr::Assign(a) => match &*a.left {
                Expr::Field(f) if matches!(f.member, syn::Member::Named(_)) => {
                    let mut chain = self.chain_at(&f.base, scope, conditional, depth + 1);
                    let syn::Member::Named(field) = &f.member else { return other };
                    let name = format!("{field}=");
                    chain.methods.push(Method {
                        name,
                        args: vec![&a.right],
                        scope,
                        conditional,
                        name_span: field.span(),
                        expr: e,
                    });
                    chain
                }
                _ => other,
            },
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
                match self.lookup(&p.path.segments[0].ident.to_string(), scope) {
                    Lookup::Local(i, init, cond) => self.chain_at(init, i, cond, d),
                    Lookup::Const(init) => self.chain_at(init, 0, false, d),
                    Lookup::Opaque => other,
                }
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => Chain {
                    root: Root::Call { path: self.imports.resolve(&p.path), args: c.args.iter().collect() },
                    ..other
                },
                _ => other,
            },
            Expr::Struct(s) => Chain { root: Root::Struct(s), ..other },
            _ => other,
        }
    }

    /// The chain as one line: its root as written, then each method with its arguments,
    /// and each field assignment as written.
    pub fn chain_text(&self, chain: &Chain, upto: usize) -> String {
        let mut text = self.text(chain.root_expr);
        for m in chain.methods.iter().take(upto) {
            if m.name.ends_with('=') {
                text.push_str(&format!("; {}", self.text(m.expr)));
            } else {
                let args: Vec<String> = m.args.iter().map(|a| self.text(a)).collect();
                text.push_str(&format!(".{}({})", m.name, args.join(", ")));
            }
        }
        text
    }
}

/// The crate, type and function of a resolved `Type::function` path.
pub fn crate_type_fn(path: &[String]) -> Option<(&str, &str, &str)> {
    match path {
        [krate, .., ty, f] => Some((krate, ty, f)),
        _ => None,
    }
}
