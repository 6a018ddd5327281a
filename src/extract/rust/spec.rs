//! The `retry:` value of an `# Operations` section:
//! `attempts=5 initial=500ms factor=2 max-delay=30s jitter=full [max-elapsed=10m]
//! [backoff=exponential|fixed|fibonacci]`, or `retries=N` for N + 1 attempts.

use crate::diag::Diagnostic;
use crate::extract::duration::parse_ms;
use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};
use crate::source::Source;

/// What a field the comment leaves out is shown as: it is not known, and not guessed.
const NOT_DECLARED: &str = "(not declared)";

const KEYS: &str = "attempts, retries, initial, factor, max-delay, max-elapsed, jitter, backoff";

/// Parses a `retry:` value. `at(i)` is the source of the value's i-th character. Returns
/// no fact when not one setting could be read.
pub fn parse(value: &str, key: Source, at: impl Fn(usize) -> Source) -> (Option<RetryFact>, Vec<Diagnostic>) {
    fn nd<T>() -> Value<T> {
        Value::Unknown { expr: NOT_DECLARED.to_string() }
    }
    let mut fact = RetryFact {
        source: key,
        origin: Origin::Declared,
        library: "doc".into(),
        text: value.trim().to_string(),
        strategy: Strategy::Exponential,
        initial_delay_ms: nd(),
        factor: nd(),
        max_delay_ms: Value::Known(None),
        max_attempts: nd(),
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: value
            .split_whitespace()
            .find(|w| w.starts_with("attempts=") || w.starts_with("retries="))
            .map(str::to_string),
        on_errors: Vec::new(),
    };
    let mut diags = Vec::new();
    let mut read_any = false;
    for (offset, token) in tokens(value) {
        let Some((k, v)) = token.split_once('=') else {
            let message = format!("`{token}` in `retry:` is not a `setting=value` pair");
            diags.push(
                Diagnostic::warning("invalid-value", at(offset), message)
                    .with_help(format!("settings: {KEYS}"))
                    .with_len(token.len()),
            );
            continue;
        };
        match setting(&k.to_ascii_lowercase(), v) {
            Ok(set) => {
                read_any = true;
                match set {
                    Setting::Attempts(n) => fact.max_attempts = Value::Known(n),
                    Setting::Initial(ms) => fact.initial_delay_ms = Value::Known(ms),
                    Setting::Factor(f) => fact.factor = Value::Known(f),
                    Setting::MaxDelay(ms) => fact.max_delay_ms = Value::Known(Some(ms)),
                    Setting::MaxElapsed(ms) => fact.max_elapsed_ms = Value::Known(ms),
                    Setting::Jitter(j) => fact.jitter = j,
                    Setting::Backoff(s) => fact.strategy = s,
                }
            }
            Err(None) => {
                let message = format!("unknown retry setting `{k}`");
                diags.push(
                    Diagnostic::warning("unknown-key", at(offset), message)
                        .with_help(format!("settings: {KEYS}"))
                        .with_len(k.len()),
                );
            }
            Err(Some(expected)) => {
                let v_at = at(offset + k.chars().count() + 1);
                diags.push(
                    Diagnostic::warning("invalid-value", v_at, format!("`{k}={v}`: expected {expected}"))
                        .with_len(v.len()),
                );
            }
        }
    }
    // Only exponential growth has a factor to declare.
    if fact.strategy != Strategy::Exponential && matches!(fact.factor, Value::Unknown { .. }) {
        fact.factor = Value::Known(1.0);
    }
    (read_any.then_some(fact), diags)
}

enum Setting {
    Attempts(Option<u32>),
    Initial(u64),
    Factor(f64),
    MaxDelay(u64),
    MaxElapsed(Option<u64>),
    Jitter(Jitter),
    Backoff(Strategy),
}

/// One `k=v` setting; `Err(None)` for an unknown setting, `Err(Some(expected))` for a
/// value that does not fit.
fn setting(k: &str, v: &str) -> Result<Setting, Option<&'static str>> {
    const DURATION: &str = "a duration such as `500ms`, `30s` or `10m`";
    let duration = |v: &str| parse_ms(v).ok_or(Some(DURATION));
    let unbounded = matches!(v, "unbounded" | "unlimited" | "forever" | "none");
    match k {
        "attempts" | "max-attempts" if unbounded => Ok(Setting::Attempts(None)),
        "attempts" | "max-attempts" => match v.parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Setting::Attempts(Some(n))),
            _ => Err(Some("a number of attempts of at least 1 (the first try counts), or `unbounded`")),
        },
        "retries" if unbounded => Ok(Setting::Attempts(None)),
        "retries" => v
            .parse::<u32>()
            .map(|n| Setting::Attempts(Some(n.saturating_add(1))))
            .map_err(|_| Some("a number of retries, or `unbounded`")),
        "initial" | "initial-delay" | "delay" => duration(v).map(Setting::Initial),
        "factor" | "multiplier" => match v.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 => Ok(Setting::Factor(f)),
            _ => Err(Some("a positive number such as `2` or `1.5`")),
        },
        "max-delay" | "max" => duration(v).map(Setting::MaxDelay),
        "max-elapsed" | "max-elapsed-time" if unbounded => Ok(Setting::MaxElapsed(None)),
        "max-elapsed" | "max-elapsed-time" => duration(v).map(|ms| Setting::MaxElapsed(Some(ms))),
        "jitter" => match v {
            "none" => Ok(Setting::Jitter(Jitter::None)),
            "full" => Ok(Setting::Jitter(Jitter::Full)),
            "equal" => Ok(Setting::Jitter(Jitter::Equal)),
            _ => Err(Some("`none`, `full` or `equal`")),
        },
        "backoff" => match v {
            "exponential" => Ok(Setting::Backoff(Strategy::Exponential)),
            "fixed" | "constant" => Ok(Setting::Backoff(Strategy::Fixed)),
            "fibonacci" => Ok(Setting::Backoff(Strategy::Fibonacci)),
            _ => Err(Some("`exponential`, `fixed` or `fibonacci`")),
        },
        _ => Err(None),
    }
}

/// Whitespace- or comma-separated tokens with their character offsets.
fn tokens(value: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (chars, (i, c)) in value.char_indices().enumerate() {
        let sep = c.is_whitespace() || c == ',';
        match (sep, start) {
            (true, Some((b, ch))) => {
                out.push((ch, &value[b..i]));
                start = None;
            }
            (false, None) => start = Some((i, chars)),
            _ => {}
        }
    }
    if let Some((b, ch)) = start {
        out.push((ch, &value[b..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_at_col(value: &str) -> (Option<RetryFact>, Vec<Diagnostic>) {
        parse(value, Source::new("a.rs", 1, 1), |i| Source::new("a.rs", 1, 20 + i as u32))
    }

    #[test]
    fn the_design_example_reads_fully() {
        let (fact, diags) = parse_at_col("attempts=5 initial=500ms factor=2 max-delay=30s jitter=full");
        let fact = fact.unwrap();
        assert!(diags.is_empty());
        assert_eq!(fact.max_attempts, Value::Known(Some(5)));
        assert_eq!(fact.initial_delay_ms, Value::Known(500));
        assert_eq!(fact.factor, Value::Known(2.0));
        assert_eq!(fact.max_delay_ms, Value::Known(Some(30_000)));
        assert_eq!(fact.jitter, Jitter::Full);
        assert_eq!(fact.max_elapsed_ms, Value::Known(None));
    }

    #[test]
    fn retries_unbounded_fixed_and_bad_values() {
        let (fact, _) = parse_at_col("retries=3, backoff=fixed, initial=1s");
        let fact = fact.unwrap();
        assert_eq!(
            (fact.max_attempts.clone(), fact.strategy, fact.factor.clone()),
            (Value::Known(Some(4)), Strategy::Fixed, Value::Known(1.0))
        );
        let (fact, _) = parse_at_col("attempts=unbounded max-elapsed=10m");
        assert_eq!(fact.unwrap().max_elapsed_ms, Value::Known(Some(600_000)));
        let (fact, diags) = parse_at_col("attempts=5 jitter=lots colour=red");
        assert!(fact.is_some());
        assert_eq!(diags.len(), 2);
        assert_eq!((diags[0].code.as_str(), diags[0].source.column), ("invalid-value", 38));
        assert!(diags[0].message.contains("`none`, `full` or `equal`"));
        assert_eq!((diags[1].code.as_str(), diags[1].source.column), ("unknown-key", 43));
    }
}
