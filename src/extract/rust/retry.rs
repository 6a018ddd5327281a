//! Retry policies found in code: tokio-retry, backon, backoff and reqwest-retry, each
//! normalised to a `RetryFact` (attempts count the first try; delays in milliseconds).

use syn::Expr;

use super::chain::{Chain, Method, Root, crate_type_fn};
use super::eval::Env;
use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};

/// A policy's numbers before they get a source and a text.
#[derive(Clone)]
struct Params {
    strategy: Strategy,
    initial: Value<u64>,
    factor: Value<f64>,
    max_delay: Value<Option<u64>>,
    attempts: Value<Option<u32>>,
    elapsed: Value<Option<u64>>,
    jitter: Jitter,
}

impl Params {
    fn exponential(initial: u64, factor: f64, max_delay: Option<u64>, attempts: Option<u32>) -> Params {
        Params {
            strategy: Strategy::Exponential,
            initial: Value::Known(initial),
            factor: Value::Known(factor),
            max_delay: Value::Known(max_delay),
            attempts: Value::Known(attempts),
            elapsed: Value::Known(None),
            jitter: Jitter::None,
        }
    }

    /// A policy the library is known to run but whose values cannot be read statically.
    fn unknown(expr: &str) -> Params {
        fn u<T>(expr: &str) -> Value<T> {
            Value::Unknown { expr: expr.to_string() }
        }
        Params {
            strategy: Strategy::Exponential,
            initial: u(expr),
            factor: u(expr),
            max_delay: u(expr),
            attempts: u(expr),
            elapsed: u(expr),
            jitter: Jitter::Unknown,
        }
    }
}

impl Params {
    /// Every field `m` changed becomes unknown: `m` sits in a branch and may not have run.
    fn apply(&mut self, env: &Env, m: &Method, set: impl FnOnce(&mut Params)) {
        if !m.conditional {
            return set(self);
        }
        let before = self.clone();
        set(self);
        let expr = format!("{} (in a branch)", env.text(m.expr));
        let u = |changed: bool| changed.then(|| expr.clone());
        if let Some(e) = u(self.initial != before.initial) {
            self.initial = Value::Unknown { expr: e };
        }
        if let Some(e) = u(self.factor != before.factor) {
            self.factor = Value::Unknown { expr: e };
        }
        if let Some(e) = u(self.max_delay != before.max_delay) {
            self.max_delay = Value::Unknown { expr: e };
        }
        if let Some(e) = u(self.attempts != before.attempts) {
            self.attempts = Value::Unknown { expr: e };
        }
        if let Some(e) = u(self.elapsed != before.elapsed) {
            self.elapsed = Value::Unknown { expr: e };
        }
        if self.jitter != before.jitter {
            self.jitter = Jitter::Unknown;
        }
        self.strategy = before.strategy;
    }
}

fn fact(env: &Env, library: &str, at: &Expr, text: String, p: Params) -> RetryFact {
    RetryFact {
        source: env.at(at),
        origin: Origin::Code,
        library: library.to_string(),
        strategy: p.strategy,
        initial_delay_ms: p.initial,
        factor: p.factor,
        max_delay_ms: p.max_delay,
        max_attempts: p.attempts,
        max_elapsed_ms: p.elapsed,
        jitter: p.jitter,
        limit_text: limit_text(&text),
        on_errors: Vec::new(),
        text,
    }
}

/// The call that sets the attempt limit, as written in the policy's one-line text:
/// `.take(4)`, `.with_max_times(5)`, `.build_with_max_retries(3)`.
fn limit_text(text: &str) -> Option<String> {
    ["take(", "with_max_times(", "build_with_max_retries(", "without_max_times("].iter().find_map(|m| {
        let start = text.rfind(&format!(".{m}"))?;
        let close = text[start..].find(')')?;
        Some(text[start..=start + close].to_string())
    })
}

/// The policy a strategy argument builds, located at the root of its chain, or an
/// all-unknown policy located at the argument when its root is not `library`'s.
fn from_argument(
    env: &Env,
    library: &str,
    arg: &Expr,
    scope: usize,
    read: fn(&Env, &Chain) -> Option<Params>,
) -> RetryFact {
    let chain = env.chain(arg, scope);
    match read(env, &chain) {
        Some(p) => fact(env, library, chain.root_expr, env.chain_text(&chain, chain.methods.len()), p),
        None => fact(env, library, arg, env.text(arg), Params::unknown(&env.text(arg))),
    }
}

/// `Retry::spawn(strategy, action)` and `RetryIf::spawn(..)` (tokio-retry), and
/// `retry(backoff, op)` / `retry_notify(..)` (backoff, blocking or `future::`).
pub fn at_call(env: &Env, path: &[String], args: &[&Expr], scope: usize) -> Option<RetryFact> {
    let (krate, ty, f) = crate_type_fn(path).unwrap_or((path.first()?, "", path.last()?));
    let arg = args.first()?;
    match krate {
        "tokio_retry" | "tokio_retry2" if matches!(ty, "Retry" | "RetryIf") && f.starts_with("spawn") => {
            Some(from_argument(env, "tokio-retry", arg, scope, tokio_retry))
        }
        "backoff" if matches!(f, "retry" | "retry_notify") => Some(from_argument(env, "backoff", arg, scope, backoff)),
        _ => None,
    }
}

/// `op.retry(builder)` (backon) and `ExponentialBackoff::builder()...build_with_*(..)`
/// (reqwest-retry, found where the policy is built).
pub fn at_method(env: &Env, whole: &Expr, m: &syn::ExprMethodCall, scope: usize) -> Option<RetryFact> {
    let name = m.method.to_string();
    if name == "retry" && m.args.len() == 1 {
        let arg = &m.args[0];
        let chain = env.chain(arg, scope);
        if let Some(p) = backon(env, &chain) {
            return Some(fact(env, "backon", chain.root_expr, env.chain_text(&chain, chain.methods.len()), p));
        }
        // A builder passed in from elsewhere: only backon's trait gives closures `.retry`.
        let foreign_root = matches!(&chain.root, Root::Call { path: Some(_), .. });
        if env.imports.uses_crate("backon") && !foreign_root {
            return Some(fact(env, "backon", arg, env.text(arg), Params::unknown(&env.text(arg))));
        }
        return None;
    }
    if name.starts_with("build_with_") {
        let chain = env.chain(whole, scope);
        let p = reqwest_retry(env, &chain)?;
        return Some(fact(env, "reqwest-retry", chain.root_expr, env.chain_text(&chain, chain.methods.len()), p));
    }
    None
}

fn root_of<'c>(chain: &'c Chain, crates: &[&str], types: &[&str]) -> Option<(&'c str, &'c str, Vec<&'c Expr>)> {
    let Root::Call { path: Some(path), args } = &chain.root else { return None };
    let (krate, ty, f) = crate_type_fn(path)?;
    (crates.contains(&krate) && types.contains(&ty)).then(|| (ty, f, args.clone()))
}

/// tokio-retry strategies are iterators of delays. `ExponentialBackoff::from_millis(b)`
/// yields b, b², b³ ms times `.factor(f)`: in our terms the first delay is b·f and the
/// growth factor is b (it raises the base to a power; it does not double).
fn tokio_retry(env: &Env, chain: &Chain) -> Option<Params> {
    let (ty, ctor, args) =
        root_of(chain, &["tokio_retry", "tokio_retry2"], &["ExponentialBackoff", "FixedInterval", "FibonacciBackoff"])?;
    let arg = *args.first()?;
    let s = chain.root_scope;
    let base = match ctor {
        "from_millis" => env.uint(arg, s),
        "new" => env.ms(arg, s),
        _ => return None,
    };
    let mut p = Params::exponential(0, 1.0, None, None);
    p.strategy = match ty {
        "FixedInterval" => Strategy::Fixed,
        "FibonacciBackoff" => Strategy::Fibonacci,
        _ => Strategy::Exponential,
    };
    p.factor = match (&p.strategy, &base) {
        (Strategy::Exponential, Value::Known(b)) => Value::Known(*b as f64),
        (Strategy::Exponential, Value::Unknown { expr }) => Value::Unknown { expr: expr.clone() },
        _ => Value::Known(1.0),
    };
    let mut multiplier: Value<u64> = Value::Known(1);
    for m in &chain.methods {
        if let ("factor", Some(a)) = (m.name.as_str(), m.args.first()) {
            multiplier = match m.conditional {
                true => Value::Unknown { expr: format!("{} (in a branch)", env.text(a)) },
                false => env.uint(a, m.scope),
            };
            continue;
        }
        p.apply(env, m, |p| match (m.name.as_str(), m.args.first()) {
            ("max_delay", Some(a)) => p.max_delay = some(env.ms(a, m.scope)),
            ("max_delay_millis", Some(a)) => p.max_delay = some(env.uint(a, m.scope)),
            ("take", Some(a)) => p.attempts = plus_one(env.uint(a, m.scope)),
            // `jitter` scales each delay by a random factor in [0, 1): full jitter.
            ("map", Some(Expr::Path(f))) if is_tokio_jitter(env, &f.path) => p.jitter = Jitter::Full,
            ("map", _) => p.jitter = Jitter::Unknown,
            _ => {}
        });
    }
    p.initial = match (base, multiplier) {
        (Value::Known(b), Value::Known(f)) => Value::Known(b.saturating_mul(f)),
        (Value::Unknown { expr }, _) | (_, Value::Unknown { expr }) => Value::Unknown { expr },
    };
    Some(p)
}

fn is_tokio_jitter(env: &Env, path: &syn::Path) -> bool {
    let resolved = env.imports.resolve(path).unwrap_or_default();
    matches!(resolved.first().map(String::as_str), Some("tokio_retry" | "tokio_retry2"))
        && resolved.last().is_some_and(|l| l == "jitter")
}

/// backon 1.x builders. Defaults from `backon/src/backoff/{exponential,constant,fibonacci}.rs`:
/// 1 s first delay, factor 2 (exponential), 60 s cap (exponential, fibonacci; constant has
/// none), 3 retries, no jitter, no total-delay limit.
fn backon(env: &Env, chain: &Chain) -> Option<Params> {
    let (ty, ctor, _) = root_of(chain, &["backon"], &["ExponentialBuilder", "ConstantBuilder", "FibonacciBuilder"])?;
    if !matches!(ctor, "default" | "new") {
        return None;
    }
    let mut p = Params::exponential(1_000, 2.0, Some(60_000), Some(4));
    match ty {
        "ConstantBuilder" => {
            (p.strategy, p.factor, p.max_delay) = (Strategy::Fixed, Value::Known(1.0), Value::Known(None))
        }
        "FibonacciBuilder" => (p.strategy, p.factor) = (Strategy::Fibonacci, Value::Known(1.0)),
        _ => {}
    }
    for m in &chain.methods {
        let arg = m.args.first().copied();
        p.apply(env, m, |p| match (m.name.as_str(), arg) {
            ("with_min_delay" | "with_delay", Some(a)) => p.initial = env.ms(a, m.scope),
            ("with_max_delay", Some(a)) => p.max_delay = some(env.ms(a, m.scope)),
            ("without_max_delay", _) => p.max_delay = Value::Known(None),
            ("with_factor", Some(a)) => p.factor = env.float(a, m.scope),
            ("with_max_times", Some(a)) => p.attempts = plus_one(env.uint(a, m.scope)),
            ("without_max_times", _) => p.attempts = Value::Known(None),
            // backon 1.6 multiplies each delay by 1 + U[0, 1) after the cap, so a delay d
            // becomes anything in [d, 2d). No variant has that shape; ±100% has the same
            // upper bound (2d), which is what the worst case is computed from. Older 1.x
            // releases added at most `min_delay`, which the same bound covers.
            ("with_jitter", _) => p.jitter = Jitter::Proportional(1.0),
            ("with_total_delay", Some(a)) => p.elapsed = env.opt_ms(a, m.scope),
            _ => {}
        });
    }
    Some(p)
}

/// backoff 0.4 `ExponentialBackoff`: the default (500 ms, ×1.5, ±50 %, 60 s cap, 15 min
/// total, unbounded attempts), a struct literal over it, or `ExponentialBackoffBuilder`.
fn backoff(env: &Env, chain: &Chain) -> Option<Params> {
    let default = || {
        let mut p = Params::exponential(500, 1.5, Some(60_000), None);
        p.jitter = Jitter::Proportional(0.5);
        p.elapsed = Value::Known(Some(900_000));
        p
    };
    let mut p = if let Root::Struct(s) = &chain.root {
        let resolved = env.imports.resolve(&s.path)?;
        if resolved.first().map(String::as_str) != Some("backoff") || resolved.last()? != "ExponentialBackoff" {
            return None;
        }
        let mut p = match &s.rest {
            Some(rest) => {
                let base = env.chain(rest, chain.root_scope);
                backoff(env, &base).unwrap_or_else(|| Params::unknown(&env.text(rest)))
            }
            None => default(),
        };
        for field in &s.fields {
            let syn::Member::Named(name) = &field.member else { continue };
            backoff_field(env, &mut p, &name.to_string(), &field.expr, chain.root_scope);
        }
        p
    } else {
        let (_, ctor, _) = root_of(chain, &["backoff"], &["ExponentialBackoff", "ExponentialBackoffBuilder"])?;
        if !matches!(ctor, "default" | "new") {
            return None;
        }
        default()
    };
    for m in &chain.methods {
        let field = m.name.strip_prefix("with_").or_else(|| m.name.strip_suffix('='));
        if let (Some(field), Some(a)) = (field, m.args.first()) {
            p.apply(env, m, |p| backoff_field(env, p, field, a, m.scope));
        }
    }
    Some(p)
}

fn backoff_field(env: &Env, p: &mut Params, field: &str, e: &Expr, scope: usize) {
    match field {
        "initial_interval" => p.initial = env.ms(e, scope),
        "multiplier" => p.factor = env.float(e, scope),
        "max_interval" => p.max_delay = some(env.ms(e, scope)),
        "max_elapsed_time" => p.elapsed = env.opt_ms(e, scope),
        "randomization_factor" => {
            p.jitter = match env.float(e, scope) {
                Value::Known(0.0) => Jitter::None,
                Value::Known(r) => Jitter::Proportional(r),
                Value::Unknown { .. } => Jitter::Unknown,
            }
        }
        _ => {}
    }
}

/// reqwest-retry / retry-policies `ExponentialBackoff::builder()`: delays min·base^n
/// capped at max. Defaults from retry-policies 0.5: bounds [1 s, 30 min], base 2
/// (0.1.x called it `backoff_exponent` and defaulted to 3), full jitter.
fn reqwest_retry(env: &Env, chain: &Chain) -> Option<Params> {
    let (_, ctor, _) = root_of(chain, &["reqwest_retry", "retry_policies"], &["ExponentialBackoff"])?;
    if ctor != "builder" {
        return None;
    }
    let mut p = Params::exponential(1_000, 2.0, Some(1_800_000), None);
    p.jitter = Jitter::Full;
    let mut built = false;
    for m in &chain.methods {
        let a = |i: usize| m.args.get(i).copied();
        built |= m.name.starts_with("build_with_");
        p.apply(env, m, |p| match m.name.as_str() {
            "retry_bounds" => {
                if let (Some(min), Some(max)) = (a(0), a(1)) {
                    p.initial = env.ms(min, m.scope);
                    p.max_delay = some(env.ms(max, m.scope));
                }
            }
            "base" | "backoff_exponent" => {
                if let Some(b) = a(0) {
                    p.factor = env.float(b, m.scope);
                }
            }
            "jitter" => p.jitter = a(0).map_or(Jitter::Unknown, |j| reqwest_jitter(env, j)),
            "build_with_max_retries" => {
                if let Some(n) = a(0) {
                    p.attempts = plus_one(env.uint(n, m.scope));
                }
            }
            // The retry count the `_and_limit_retries` form derives is capped by the same
            // total duration, so the duration alone bounds the schedule.
            "build_with_total_retry_duration"
            | "build_with_total_retry_duration_and_limit_retries"
            | "build_with_total_retry_duration_and_max_retries" => {
                if let Some(d) = a(0) {
                    p.elapsed = some(env.ms(d, m.scope));
                }
                if let (Some(n), true) = (a(1), m.name.ends_with("max_retries")) {
                    p.attempts = plus_one(env.uint(n, m.scope));
                }
            }
            _ => {}
        });
    }
    built.then_some(p)
}

/// `Jitter::Bounded` draws from [min interval, d]: its upper bound is full jitter's, and
/// only the upper bound enters the worst case.
fn reqwest_jitter(env: &Env, e: &Expr) -> Jitter {
    let Expr::Path(p) = e else { return Jitter::Unknown };
    match env.imports.resolve(&p.path).unwrap_or_default().last().map(String::as_str) {
        Some("None") => Jitter::None,
        Some("Full" | "Bounded") => Jitter::Full,
        _ => Jitter::Unknown,
    }
}

fn some(v: Value<u64>) -> Value<Option<u64>> {
    match v {
        Value::Known(n) => Value::Known(Some(n)),
        Value::Unknown { expr } => Value::Unknown { expr },
    }
}

/// n retries are n + 1 attempts.
fn plus_one(v: Value<u64>) -> Value<Option<u32>> {
    match v {
        Value::Known(n) => Value::Known(Some(u32::try_from(n.saturating_add(1)).unwrap_or(u32::MAX))),
        Value::Unknown { expr } => Value::Unknown { expr },
    }
}
