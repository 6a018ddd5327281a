//! Retry maths: normalised policies, the full delay schedule and the worst case.

use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyze::Analysis;
use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};
use crate::model::Graph;
use crate::source::Source;

/// How many delays an unbounded schedule lists before it stops.
pub const UNBOUNDED_SCHEDULE_LEN: usize = 10;
/// The longest schedule ever listed, however many attempts are allowed.
pub const MAX_SCHEDULE_LEN: usize = 100;

/// A retry policy in one shape whatever its source, as `graph.json` carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Every try, the first included; `None` means unbounded (or not known statically,
    /// then `unknown` names it).
    pub max_attempts: Option<u32>,
    pub initial_delay_ms: Option<u64>,
    pub factor: Option<f64>,
    pub max_delay_ms: Option<u64>,
    pub max_elapsed_ms: Option<u64>,
    /// `none`, `full`, `equal`, `±50%`, `unknown`.
    pub jitter: String,
    /// Nominal delay before each retry, in order (before jitter).
    pub schedule_ms: Vec<u64>,
    /// Attempts × per-attempt timeout plus every delay at its jitter's upper bound, capped
    /// by `max_elapsed_ms`; `None` when the attempts are unbounded and nothing caps time.
    pub worst_case_ms: Option<u64>,
    // Additions to the contract's fields, for pages and `diff`:
    /// `exponential`, `fixed` or `fibonacci`.
    pub strategy: Strategy,
    pub origin: Origin,
    pub library: String,
    pub text: String,
    pub source: Source,
    /// The per-attempt timeout used for the worst case; `None` when no timeout bounds an
    /// attempt, so the worst case counts waiting only.
    pub attempt_timeout_ms: Option<u64>,
    /// Sum of the schedule at the jitter's upper bound.
    pub total_delay_ms: u64,
    /// The schedule stops early because the attempts are unbounded or too many to list.
    pub schedule_truncated: bool,
    /// Fields whose value is not known statically, with the expression written.
    pub unknown: Vec<UnknownField>,
    /// The attempt limit as the source writes it (`MaxAttempts 6`), shown beside the
    /// attempts because formats count retries and attempts differently. Skipped in
    /// `graph.json` when absent, so books without workflow definitions are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_text: Option<String>,
    /// The errors this policy retries; empty means every error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_errors: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnknownField {
    pub field: String,
    pub expr: String,
}

/// Derives the retry policies and effective timeouts of every node: each node's on every
/// core, then the maps filled in id order.
pub fn derive(graph: &Graph, analysis: &mut Analysis) {
    let nodes: Vec<&crate::model::Node> = graph.nodes().map(|(_, node)| node).collect();
    let derived: Vec<(Option<u64>, Vec<RetryPolicy>)> = nodes
        .par_iter()
        .with_min_len(64)
        .map(|node| {
            let timeout = effective_timeout(&node.attrs.timeouts);
            let retries = &node.attrs.retries;
            if retries.len() < 2 {
                return (timeout, retries.iter().map(|f| normalise(f, timeout)).collect());
            }
            let mut facts: Vec<&RetryFact> = retries.iter().collect();
            // Code wins over a doc comment: it is what runs.
            facts.sort_by(|a, b| (a.origin != Origin::Code, &a.source).cmp(&(b.origin != Origin::Code, &b.source)));
            (timeout, facts.iter().map(|f| normalise(f, timeout)).collect())
        })
        .collect();
    // Each map is built in one go from its entries sorted by id (nodes come nearly in id
    // order, which the sort finds in one pass), not one insert at a time.
    let mut timeouts = Vec::new();
    let (mut retry, mut all) = (Vec::new(), Vec::new());
    for (node, (timeout, policies)) in nodes.into_iter().zip(derived) {
        if let Some(ms) = timeout {
            timeouts.push((node.id.clone(), ms));
        }
        if let Some(first) = policies.first() {
            retry.push((node.id.clone(), first.clone()));
            all.push((node.id.clone(), policies));
        }
    }
    fill(&mut analysis.timeout_ms, timeouts);
    fill(&mut analysis.retry, retry);
    fill(&mut analysis.all_retries, all);
}

/// Adds the entries to the map, later ones winning: built in one go when the map is empty,
/// as a fresh analysis's are.
fn fill<V>(map: &mut BTreeMap<String, V>, entries: Vec<(String, V)>) {
    if map.is_empty() {
        *map = entries.into_iter().collect();
    } else {
        map.extend(entries);
    }
}

/// The per-attempt timeout: code wins over a declaration, and the tightest code timeout
/// bounds the attempt.
pub fn effective_timeout(timeouts: &[crate::extract::TimeoutFact]) -> Option<u64> {
    let code = timeouts.iter().filter(|t| t.origin == Origin::Code).filter_map(|t| t.ms.known()).min();
    code.or_else(|| timeouts.iter().filter_map(|t| t.ms.known()).min())
}

/// The first delay of [`normalise`]'s schedule for `fact`, without building the policy:
/// `None` when the schedule is empty (no known initial delay, or at most one attempt).
pub fn first_delay(fact: &RetryFact) -> Option<u64> {
    let Value::Known(initial) = fact.initial_delay_ms else { return None };
    if matches!(fact.max_attempts, Value::Known(Some(0 | 1))) {
        return None;
    }
    // The first term of every strategy is the initial delay itself (`factor⁰`, `fib(1)`).
    let raw = initial as f64;
    let d = if raw.is_finite() && raw < u64::MAX as f64 { raw.round() as u64 } else { u64::MAX };
    Some(match fact.max_delay_ms {
        Value::Known(Some(cap)) => d.min(cap),
        _ => d,
    })
}

/// Turns one fact into a policy with its schedule and worst case.
pub fn normalise(fact: &RetryFact, attempt_timeout_ms: Option<u64>) -> RetryPolicy {
    let mut unknown = Vec::new();
    let mut note = |field: &str, expr: &str| {
        unknown.push(UnknownField { field: field.to_string(), expr: expr.to_string() });
    };
    let initial = match &fact.initial_delay_ms {
        Value::Known(v) => Some(*v),
        Value::Unknown { expr } => {
            note("initial_delay_ms", expr);
            None
        }
    };
    let factor = match &fact.factor {
        Value::Known(v) => Some(*v),
        Value::Unknown { expr } => {
            note("factor", expr);
            None
        }
    };
    let max_delay = match &fact.max_delay_ms {
        Value::Known(v) => *v,
        Value::Unknown { expr } => {
            note("max_delay_ms", expr);
            None
        }
    };
    let (max_attempts, attempts_known) = match &fact.max_attempts {
        Value::Known(v) => (*v, true),
        Value::Unknown { expr } => {
            note("max_attempts", expr);
            (None, false)
        }
    };
    let max_elapsed = match &fact.max_elapsed_ms {
        Value::Known(v) => *v,
        Value::Unknown { expr } => {
            note("max_elapsed_ms", expr);
            None
        }
    };

    let delays_wanted = match max_attempts {
        Some(n) => (n.saturating_sub(1) as usize).min(MAX_SCHEDULE_LEN),
        None => UNBOUNDED_SCHEDULE_LEN,
    };
    let mut schedule = Vec::new();
    if let Some(initial) = initial {
        let factor = factor.unwrap_or(1.0);
        let (mut fib_a, mut fib_b) = (1u64, 1u64);
        let mut cumulative = 0u64;
        for i in 0..delays_wanted {
            let raw = match fact.strategy {
                Strategy::Exponential => initial as f64 * factor.powi(i as i32),
                Strategy::Fixed => initial as f64,
                Strategy::Fibonacci => {
                    let v = initial as f64 * fib_a as f64;
                    (fib_a, fib_b) = (fib_b, fib_a.saturating_add(fib_b));
                    v
                }
            };
            let mut d = if raw.is_finite() && raw < u64::MAX as f64 { raw.round() as u64 } else { u64::MAX };
            if let Some(cap) = max_delay {
                d = d.min(cap);
            }
            schedule.push(d);
            cumulative = cumulative.saturating_add(d);
            if max_attempts.is_none() && max_elapsed.is_some_and(|m| cumulative >= m) {
                break;
            }
        }
    }
    let schedule_truncated = match max_attempts {
        Some(n) => (n.saturating_sub(1) as usize) > schedule.len() && initial.is_some(),
        None => true,
    };

    let total_delay_ms = schedule.iter().map(|&d| upper_bound(d, &fact.jitter)).fold(0u64, u64::saturating_add);
    let worst_case_ms = match (max_attempts, max_elapsed) {
        _ if !attempts_known && max_elapsed.is_none() => None,
        (Some(n), elapsed) if !schedule_truncated && initial.is_some() => {
            let attempts_time = attempt_timeout_ms.unwrap_or(0).saturating_mul(n as u64);
            let total = attempts_time.saturating_add(total_delay_ms);
            Some(elapsed.map_or(total, |cap| total.min(cap)))
        }
        (_, Some(cap)) => Some(cap),
        _ => None,
    };

    RetryPolicy {
        max_attempts,
        initial_delay_ms: initial,
        factor: match fact.strategy {
            Strategy::Exponential => factor,
            _ => Some(1.0),
        },
        max_delay_ms: max_delay,
        max_elapsed_ms: max_elapsed,
        jitter: jitter_name(&fact.jitter),
        schedule_ms: schedule,
        worst_case_ms,
        strategy: fact.strategy,
        origin: fact.origin,
        library: fact.library.clone(),
        text: fact.text.clone(),
        source: fact.source.clone(),
        attempt_timeout_ms,
        total_delay_ms,
        schedule_truncated,
        unknown,
        limit_text: fact.limit_text.clone(),
        on_errors: fact.on_errors.clone(),
    }
}

fn upper_bound(delay: u64, jitter: &Jitter) -> u64 {
    match jitter {
        Jitter::Proportional(r) => (delay as f64 * (1.0 + r.abs())).round() as u64,
        _ => delay,
    }
}

pub fn jitter_name(jitter: &Jitter) -> String {
    match jitter {
        Jitter::None => "none".to_string(),
        Jitter::Full => "full".to_string(),
        Jitter::Equal => "equal".to_string(),
        Jitter::Proportional(r) => format!("±{}%", (r * 100.0).round()),
        Jitter::Unknown => "unknown".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(strategy: Strategy, initial: u64, factor: f64, max_delay: Option<u64>, attempts: Option<u32>) -> RetryFact {
        RetryFact {
            source: Source::new("src/erp.rs", 14, 1),
            origin: Origin::Declared,
            library: "doc".into(),
            text: String::new(),
            strategy,
            initial_delay_ms: Value::Known(initial),
            factor: Value::Known(factor),
            max_delay_ms: Value::Known(max_delay),
            max_attempts: Value::Known(attempts),
            max_elapsed_ms: Value::Known(None),
            jitter: Jitter::Full,
            limit_text: None,
            on_errors: Vec::new(),
        }
    }

    #[test]
    fn design_example_is_57_5_seconds() {
        let p = normalise(&fact(Strategy::Exponential, 500, 2.0, Some(30_000), Some(5)), Some(10_000));
        assert_eq!(p.schedule_ms, vec![500, 1000, 2000, 4000]);
        assert_eq!(p.worst_case_ms, Some(57_500));
        assert_eq!(p.max_attempts, Some(5));
    }

    #[test]
    fn max_delay_caps_each_delay() {
        let p = normalise(&fact(Strategy::Exponential, 1000, 10.0, Some(5000), Some(4)), None);
        assert_eq!(p.schedule_ms, vec![1000, 5000, 5000]);
        assert_eq!(p.worst_case_ms, Some(11_000));
        assert_eq!(p.attempt_timeout_ms, None);
    }

    #[test]
    fn fibonacci_and_fixed() {
        let p = normalise(&fact(Strategy::Fibonacci, 100, 1.0, None, Some(6)), None);
        assert_eq!(p.schedule_ms, vec![100, 100, 200, 300, 500]);
        let p = normalise(&fact(Strategy::Fixed, 250, 1.0, None, Some(3)), Some(1000));
        assert_eq!(p.schedule_ms, vec![250, 250]);
        assert_eq!(p.worst_case_ms, Some(3_500));
    }

    #[test]
    fn unbounded_has_no_worst_case_unless_time_caps_it() {
        let p = normalise(&fact(Strategy::Exponential, 100, 2.0, None, None), Some(1000));
        assert_eq!(p.worst_case_ms, None);
        assert_eq!(p.schedule_ms.len(), UNBOUNDED_SCHEDULE_LEN);
        let mut f = fact(Strategy::Exponential, 500, 1.5, Some(60_000), None);
        f.max_elapsed_ms = Value::Known(Some(900_000));
        f.jitter = Jitter::Proportional(0.5);
        let p = normalise(&f, None);
        assert_eq!(p.worst_case_ms, Some(900_000));
        assert_eq!(p.jitter, "±50%");
    }

    /// `first_delay` is the first entry of `normalise`'s schedule, whatever the fact.
    #[test]
    fn first_delay_is_the_schedules_first() {
        let strategies = [Strategy::Exponential, Strategy::Fixed, Strategy::Fibonacci];
        let initials =
            [Value::Known(0), Value::Known(250), Value::Known(u64::MAX), Value::Unknown { expr: "d".into() }];
        let factors =
            [Value::Known(2.0), Value::Known(f64::NAN), Value::Known(0.0), Value::Unknown { expr: "f".into() }];
        let caps = [Value::Known(None), Value::Known(Some(100)), Value::Unknown { expr: "c".into() }];
        let attempts = [
            Value::Known(None),
            Value::Known(Some(0)),
            Value::Known(Some(1)),
            Value::Known(Some(2)),
            Value::Unknown { expr: "n".into() },
        ];
        let elapsed = [Value::Known(None), Value::Known(Some(1))];
        let mut checked = 0;
        for s in strategies {
            for i in &initials {
                for f in &factors {
                    for c in &caps {
                        for a in &attempts {
                            for e in &elapsed {
                                let mut fact = fact(s, 1, 1.0, None, None);
                                (fact.initial_delay_ms, fact.factor, fact.max_delay_ms) =
                                    (i.clone(), f.clone(), c.clone());
                                (fact.max_attempts, fact.max_elapsed_ms) = (a.clone(), e.clone());
                                let p = normalise(&fact, Some(10));
                                assert_eq!(first_delay(&fact), p.schedule_ms.first().copied(), "{fact:?}");
                                checked += usize::from(!p.schedule_ms.is_empty());
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "most facts have a first delay: {checked}");
    }

    #[test]
    fn unknown_attempts_are_named_not_guessed() {
        let mut f = fact(Strategy::Exponential, 100, 2.0, None, Some(3));
        f.max_attempts = Value::Unknown { expr: "cfg.retries + 1".into() };
        let p = normalise(&f, Some(1000));
        assert_eq!(p.max_attempts, None);
        assert_eq!(p.worst_case_ms, None);
        assert_eq!(p.unknown[0].expr, "cfg.retries + 1");
    }
}
