//! Static evaluation of argument expressions: literals, arithmetic, `Duration`
//! constructors, same-file consts and statics, and `let` bindings of the current function.
//! Anything else is `Value::Unknown` carrying its source text: never a guess.

use std::cell::Cell;
use std::collections::HashMap;

use syn::spanned::Spanned;
use syn::{BinOp, Expr, Lit, UnOp};

use super::imports::Imports;
use super::text::Snippet;
use crate::extract::Value;
use crate::source::Source;

/// Recursion limit through bindings and consts (`const A: u64 = B;`).
pub(super) const MAX_DEPTH: u32 = 32;

/// Expressions one evaluation may visit: `let b = a + a; let c = b + b; ..` doubles the
/// work at each binding, so depth alone does not bound it.
const BUDGET: u32 = 10_000;

/// Same-file consts and statics by name; `None` when the name is defined twice.
pub type Consts<'a> = HashMap<String, Option<&'a Expr>>;

/// What one function body can see while it is walked.
pub struct Env<'a> {
    pub snip: &'a Snippet<'a>,
    pub imports: &'a Imports,
    pub consts: &'a Consts<'a>,
    /// `let` bindings and assignments in walk order.
    pub locals: Vec<Local<'a>>,
    /// What is left of the current evaluation's [`BUDGET`].
    pub budget: Cell<u32>,
}

pub struct Local<'a> {
    pub name: String,
    /// `None` when the value is not one expression (a pattern, an uninitialised `let`).
    pub init: Option<&'a Expr>,
    /// Assigned inside a branch or loop: the value may or may not have been set.
    pub conditional: bool,
}

impl<'a> Local<'a> {
    pub fn new(name: impl Into<String>, init: Option<&'a Expr>) -> Local<'a> {
        Local { name: name.into(), init, conditional: false }
    }
}

/// A number, a duration or an `Option` of one, as evaluated.
#[derive(Clone, Debug, PartialEq)]
enum Num {
    Int(i128),
    Float(f64),
    Nanos(u128),
    Opt(Option<Box<Num>>),
}

impl<'a> Env<'a> {
    pub fn text(&self, e: &Expr) -> String {
        self.snip.compact(e.span())
    }

    pub fn at(&self, e: &Expr) -> Source {
        self.snip.at(e.span())
    }

    fn unknown<T>(&self, e: &Expr) -> Value<T> {
        Value::Unknown { expr: self.text(e) }
    }

    /// A duration in milliseconds.
    pub fn ms(&self, e: &Expr, scope: usize) -> Value<u64> {
        self.budget.set(BUDGET);
        match self.eval(e, scope, 0) {
            Some(Num::Nanos(n)) => Value::Known(nanos_to_ms(n)),
            _ => self.unknown(e),
        }
    }

    /// `Some(duration)` or `None`.
    pub fn opt_ms(&self, e: &Expr, scope: usize) -> Value<Option<u64>> {
        self.budget.set(BUDGET);
        match self.eval(e, scope, 0) {
            Some(Num::Opt(None)) => Value::Known(None),
            Some(Num::Opt(Some(inner))) => match *inner {
                Num::Nanos(n) => Value::Known(Some(nanos_to_ms(n))),
                _ => self.unknown(e),
            },
            _ => self.unknown(e),
        }
    }

    pub fn uint(&self, e: &Expr, scope: usize) -> Value<u64> {
        self.budget.set(BUDGET);
        match self.eval(e, scope, 0) {
            Some(Num::Int(i)) => u64::try_from(i).map_or_else(|_| self.unknown(e), Value::Known),
            _ => self.unknown(e),
        }
    }

    pub fn float(&self, e: &Expr, scope: usize) -> Value<f64> {
        self.budget.set(BUDGET);
        match self.eval(e, scope, 0) {
            Some(Num::Float(f)) => Value::Known(f),
            Some(Num::Int(i)) => Value::Known(i as f64),
            _ => self.unknown(e),
        }
    }

    /// The binding a name refers to from `scope`: the index of a local and its value, or a
    /// const's expression (evaluated with no locals visible).
    pub(super) fn lookup(&self, name: &str, scope: usize) -> Lookup<'a> {
        let visible = &self.locals[..scope.min(self.locals.len())];
        if let Some(i) = visible.iter().rposition(|l| l.name == name) {
            return match visible[i].init {
                Some(e) => Lookup::Local(i, e, visible[i].conditional),
                None => Lookup::Opaque,
            };
        }
        match self.consts.get(name) {
            Some(Some(e)) => Lookup::Const(e),
            _ => Lookup::Opaque,
        }
    }

    fn eval(&self, e: &Expr, scope: usize, depth: u32) -> Option<Num> {
        if depth > MAX_DEPTH || self.budget.get() == 0 {
            return None;
        }
        self.budget.set(self.budget.get() - 1);
        let d = depth + 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Int(i) => i.base10_parse::<i128>().ok().map(Num::Int),
                Lit::Float(f) => f.base10_parse::<f64>().ok().map(Num::Float),
                _ => None,
            },
            Expr::Paren(p) => self.eval(&p.expr, scope, d),
            Expr::Group(g) => self.eval(&g.expr, scope, d),
            Expr::Reference(r) => self.eval(&r.expr, scope, d),
            Expr::Cast(c) => {
                let v = self.eval(&c.expr, scope, d)?;
                let to_float = matches!(&*c.ty, syn::Type::Path(t) if t.path.is_ident("f64") || t.path.is_ident("f32"));
                match v {
                    Num::Int(i) if to_float => Some(Num::Float(i as f64)),
                    Num::Float(f) if !to_float => Some(Num::Int(f as i128)),
                    other => Some(other),
                }
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => match self.eval(&u.expr, scope, d)? {
                Num::Int(i) => Some(Num::Int(-i)),
                Num::Float(f) => Some(Num::Float(-f)),
                _ => None,
            },
            Expr::Binary(b) => arith(&b.op, self.eval(&b.left, scope, d)?, self.eval(&b.right, scope, d)?),
            Expr::Path(p) if p.qself.is_none() => self.eval_path(&p.path, scope, d),
            Expr::Call(c) => self.eval_call(c, scope, d),
            Expr::MethodCall(m) => match m.method.to_string().as_str() {
                "into" | "clone" | "to_owned" if m.args.is_empty() => self.eval(&m.receiver, scope, d),
                "as_millis" | "as_secs" if m.args.is_empty() => match self.eval(&m.receiver, scope, d)? {
                    Num::Nanos(n) if m.method == "as_millis" => Some(Num::Int((n / 1_000_000) as i128)),
                    Num::Nanos(n) => Some(Num::Int((n / 1_000_000_000) as i128)),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        }
    }

    fn eval_path(&self, path: &syn::Path, scope: usize, d: u32) -> Option<Num> {
        let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        match segs.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["None"] => return Some(Num::Opt(None)),
            [.., "Duration", "ZERO"] => return Some(Num::Nanos(0)),
            [ty, "MAX"] => {
                return match *ty {
                    "u8" => Some(Num::Int(u8::MAX.into())),
                    "u16" => Some(Num::Int(u16::MAX.into())),
                    "u32" => Some(Num::Int(u32::MAX.into())),
                    "u64" => Some(Num::Int(u64::MAX.into())),
                    "usize" => Some(Num::Int(usize::MAX as i128)),
                    _ => None,
                };
            }
            _ => {}
        }
        let last = segs.last()?;
        if segs.len() == 1 {
            return match self.lookup(last, scope) {
                Lookup::Local(i, e, false) => self.eval(e, i, d),
                Lookup::Const(e) => self.eval(e, 0, d),
                Lookup::Local(_, _, true) | Lookup::Opaque => None,
            };
        }
        // `Self::TIMEOUT`, `config::TIMEOUT`: a const of this file, unless the path leads
        // into another crate.
        let into_crate = self.imports.resolve(path).is_some_and(|p| is_external(&p));
        match self.consts.get(last) {
            Some(Some(e)) if !into_crate => self.eval(e, 0, d),
            _ => None,
        }
    }

    fn eval_call(&self, c: &syn::ExprCall, scope: usize, d: u32) -> Option<Num> {
        let Expr::Path(p) = &*c.func else { return None };
        let args: Vec<&Expr> = c.args.iter().collect();
        if p.path.is_ident("Some") && args.len() == 1 {
            return Some(Num::Opt(Some(Box::new(self.eval(args[0], scope, d)?))));
        }
        let ctor = self.duration_ctor(&p.path)?;
        let arg = |i: usize| args.get(i).and_then(|a| self.eval(a, scope, d));
        let whole = |scale: u128| match arg(0)? {
            Num::Int(i) if i >= 0 => (i as u128).checked_mul(scale).map(Num::Nanos),
            _ => None,
        };
        let frac = |scale: f64| match arg(0)? {
            Num::Float(f) if f >= 0.0 && f.is_finite() => Some(Num::Nanos((f * scale).round() as u128)),
            Num::Int(i) if i >= 0 => Some(Num::Nanos((i as f64 * scale).round() as u128)),
            _ => None,
        };
        match ctor.as_str() {
            "from_nanos" => whole(1),
            "from_micros" => whole(1_000),
            "from_millis" => whole(1_000_000),
            "from_secs" => whole(1_000_000_000),
            "from_mins" => whole(60_000_000_000),
            "from_hours" => whole(3_600_000_000_000),
            "from_secs_f64" | "from_secs_f32" => frac(1e9),
            "new" if args.len() == 2 => match (arg(0)?, arg(1)?) {
                (Num::Int(s), Num::Int(n)) if s >= 0 && n >= 0 => {
                    (s as u128).checked_mul(1_000_000_000)?.checked_add(n as u128).map(Num::Nanos)
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// `Duration::<ctor>` from std, core or tokio (or an unimported `Duration` that is not
    /// a type of this file): the constructor's name.
    fn duration_ctor(&self, path: &syn::Path) -> Option<String> {
        let segs = self.imports.resolve(path).unwrap_or_default();
        let n = segs.len();
        if n < 2 || segs[n - 2] != "Duration" {
            return None;
        }
        let from_std = matches!(segs[0].as_str(), "std" | "core" | "tokio" | "web_time");
        (from_std || n == 2).then(|| segs[n - 1].clone())
    }
}

pub(super) enum Lookup<'a> {
    /// A local's index, value and whether it was set in a branch.
    Local(usize, &'a Expr, bool),
    Const(&'a Expr),
    Opaque,
}

/// Whether a resolved path leads outside this crate.
pub fn is_external(path: &[String]) -> bool {
    path.first().is_some_and(|c| !matches!(c.as_str(), "crate" | "self" | "super" | "Self"))
}

fn nanos_to_ms(n: u128) -> u64 {
    u64::try_from((n + 500_000) / 1_000_000).unwrap_or(u64::MAX)
}

fn arith(op: &BinOp, a: Num, b: Num) -> Option<Num> {
    use Num::*;
    match (op, a, b) {
        (BinOp::Add(_), Int(x), Int(y)) => x.checked_add(y).map(Int),
        (BinOp::Sub(_), Int(x), Int(y)) => x.checked_sub(y).map(Int),
        (BinOp::Mul(_), Int(x), Int(y)) => x.checked_mul(y).map(Int),
        (BinOp::Div(_), Int(x), Int(y)) => x.checked_div(y).map(Int),
        (BinOp::Add(_), Float(x), Float(y)) => Some(Float(x + y)),
        (BinOp::Sub(_), Float(x), Float(y)) => Some(Float(x - y)),
        (BinOp::Mul(_), Float(x), Float(y)) => Some(Float(x * y)),
        (BinOp::Div(_), Float(x), Float(y)) if y != 0.0 => Some(Float(x / y)),
        (BinOp::Add(_), Nanos(x), Nanos(y)) => x.checked_add(y).map(Nanos),
        (BinOp::Sub(_), Nanos(x), Nanos(y)) => x.checked_sub(y).map(Nanos),
        (BinOp::Mul(_), Nanos(x), Int(y)) | (BinOp::Mul(_), Int(y), Nanos(x)) if y >= 0 => {
            x.checked_mul(y as u128).map(Nanos)
        }
        (BinOp::Div(_), Nanos(x), Int(y)) if y > 0 => Some(Nanos(x / y as u128)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluates the initialiser of the last `let` in `body` with every earlier `let` and
    /// the file's consts visible.
    fn eval_last(file_src: &str, body: &str) -> (Value<u64>, Value<u64>) {
        let src = format!("{file_src}\nfn f() {{ {body} }}");
        let file = syn::parse_file(&src).unwrap();
        let snip = Snippet::new("a.rs", &src);
        let imports = Imports::collect(&file);
        let mut consts = Consts::new();
        for item in &file.items {
            if let syn::Item::Const(c) = item {
                consts.insert(c.ident.to_string(), Some(&*c.expr));
            }
        }
        let syn::Item::Fn(f) = file.items.last().unwrap() else { panic!() };
        let mut env = Env { snip: &snip, imports: &imports, consts: &consts, locals: Vec::new(), budget: Cell::new(0) };
        let mut last = None;
        for stmt in &f.block.stmts {
            if let syn::Stmt::Local(l) = stmt {
                let syn::Pat::Ident(p) = &l.pat else { panic!() };
                let init = &*l.init.as_ref().unwrap().expr;
                last = Some(init);
                env.locals.push(Local::new(p.ident.to_string(), Some(init)));
            }
        }
        let scope = env.locals.len() - 1;
        let e = last.unwrap();
        (env.ms(e, scope), env.uint(e, scope))
    }

    #[test]
    fn durations_arithmetic_consts_and_locals() {
        let ms = |file: &str, body: &str| eval_last(file, body).0;
        assert_eq!(ms("", "let d = Duration::from_secs(60 * 60);"), Value::Known(3_600_000));
        assert_eq!(ms("use std::time;", "let d = time::Duration::from_millis(250);"), Value::Known(250));
        assert_eq!(ms("", "let d = std::time::Duration::new(1, 500_000_000);"), Value::Known(1_500));
        assert_eq!(ms("", "let d = Duration::from_secs_f64(0.25);"), Value::Known(250));
        assert_eq!(ms("", "let d = Duration::from_mins(2);"), Value::Known(120_000));
        assert_eq!(ms("const T: Duration = Duration::from_secs(60);", "let d = T;"), Value::Known(60_000));
        assert_eq!(ms("const S: u64 = 5;", "let s = S * 2; let d = Duration::from_secs(s);"), Value::Known(10_000));
        assert_eq!(
            ms("", "let d = Duration::from_secs(cfg.timeout);"),
            Value::Unknown { expr: "Duration::from_secs(cfg.timeout)".into() }
        );
        // A local type named Duration is not std's.
        assert!(matches!(ms("struct Duration;", "let d = Duration::from_secs(1);"), Value::Unknown { .. }));
        assert_eq!(eval_last("", "let n = 3_u32 + 1;").1, Value::Known(4));
        // Doubling work per binding stops at the budget instead of running for minutes.
        let doubling: String = (1..40).map(|i| format!("let a{i} = a{} + a{};", i - 1, i - 1)).collect();
        assert!(matches!(eval_last("", &format!("let a0 = 1; {doubling}")).1, Value::Unknown { .. }));
    }
}
