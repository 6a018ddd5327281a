//! Camunda 7 job retries: `failedJobRetryTimeCycle` (`R3/PT10M`, `PT1M,PT5M,PT10M`) and the engine default.
//!
//! How Camunda 7 counts, read from the engine (`ParseUtil.parseRetryIntervals` and
//! `DefaultJobRetryCmd`): a job is created with `retries = 3`. When it fails for the first
//! time, the engine replaces that counter with the configured number (`R3` gives 3; a list of
//! n intervals gives n + 1; a single interval without `R` gives 2) and *then* decrements it
//! for the failure that just happened. The job runs again while the counter is above zero,
//! so the number is the count of executions, the first one included: `R3/PT10M` is 3
//! attempts with two 10-minute delays, `PT1M,PT5M,PT10M` is 4 attempts, and the default
//! (no cycle) is 3 attempts with no delay. The docs' "retried 3 times" wording is looser than
//! the code; the code is what runs.

use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};
use crate::source::Source;

use super::iso::{self, IsoError};

/// Reads a retry cycle as written. `Err` carries what was expected, for a warning.
pub fn cycle(text: &str, source: Source) -> Result<RetryFact, String> {
    let t = text.trim();
    let mut fact = base(source, "camunda", t);
    fact.limit_text = Some(t.to_string());
    if t.contains("${") || t.contains("#{") {
        // Evaluated per job at run time: nothing is known here.
        let unknown = Value::Unknown { expr: t.to_string() };
        fact.initial_delay_ms = unknown.clone();
        fact.max_attempts = Value::Unknown { expr: t.to_string() };
        return Ok(fact);
    }
    let parts: Vec<&str> = t.split(',').map(str::trim).collect();
    if let [single] = parts.as_slice()
        && let Some(repeat) = single.strip_prefix('R').or_else(|| single.strip_prefix('r'))
    {
        return repeated(fact, repeat, t);
    }
    let mut delays = Vec::new();
    for p in &parts {
        match iso::parse_ms(p) {
            Ok(ms) => delays.push(ms),
            Err(IsoError::Calendar) => {
                fact.initial_delay_ms = Value::Unknown { expr: t.to_string() };
                fact.max_attempts = Value::Known(Some(parts.len() as u32 + 1));
                return Ok(fact);
            }
            Err(IsoError::Invalid) => return Err(expected(t)),
        }
    }
    fact.max_attempts = Value::Known(Some(delays.len() as u32 + 1));
    fit_intervals(&mut fact, &delays);
    Ok(fact)
}

/// `R<n>/<duration>`, or `R<n>/<start>/<duration>` (the start date does not change the delays).
fn repeated(mut fact: RetryFact, repeat: &str, written: &str) -> Result<RetryFact, String> {
    let mut pieces = repeat.split('/');
    let count = pieces.next().unwrap_or_default();
    let period = pieces.next_back().ok_or_else(|| expected(written))?;
    fact.max_attempts = if count.is_empty() {
        // `R/PT10M` repeats without end.
        Value::Known(None)
    } else {
        let n: u32 = count.parse().map_err(|_| expected(written))?;
        Value::Known(Some(n))
    };
    fact.initial_delay_ms = match iso::parse_ms(period) {
        Ok(ms) => Value::Known(ms),
        Err(IsoError::Calendar) => Value::Unknown { expr: period.to_string() },
        Err(IsoError::Invalid) => return Err(expected(written)),
    };
    Ok(fact)
}

/// A list of delays in the shape a [`RetryFact`] can hold: all equal is fixed; a list that a
/// capped exponential reproduces exactly (`PT1M,PT5M,PT10M` = 1 min × 5ⁿ capped at 10 min)
/// is exponential; any other list keeps its first delay and says so in the text, because a
/// `RetryFact` has no room for free-form delays.
fn fit_intervals(fact: &mut RetryFact, delays: &[u64]) {
    let first = delays[0];
    fact.initial_delay_ms = Value::Known(first);
    if delays.iter().all(|&d| d == first) {
        return;
    }
    let max = delays.iter().copied().max().unwrap_or(first);
    if first > 0 && delays.len() > 1 {
        let factor = delays[1] as f64 / first as f64;
        let mut d = first as f64;
        let reproduced = delays.iter().all(|&want| {
            let got = (d.round() as u64).min(max);
            d *= factor;
            got == want
        });
        if reproduced {
            fact.strategy = Strategy::Exponential;
            fact.factor = Value::Known(factor);
            fact.max_delay_ms = Value::Known(Some(max));
            return;
        }
    }
    fact.text = format!("{} (delays differ per retry; shown with the first delay only)", fact.text);
}

/// What Camunda does when a job fails and no cycle is configured.
pub fn default_for_job(source: Source) -> RetryFact {
    let mut fact = base(source, "camunda", "engine default: 3 tries, no delay");
    fact.max_attempts = Value::Known(Some(3));
    fact.limit_text = Some("default (3 tries)".to_string());
    fact
}

/// A `retryProfile` property: the process-engine plugin of camunda-bpm-examples maps the
/// profile name to a cycle in the engine configuration, which this file does not show.
pub fn profile(name: &str, source: Source) -> RetryFact {
    let expr = format!("retry profile {name} (engine plugin configuration)");
    let mut fact = base(source, "camunda retry profile", &format!("retryProfile {name}"));
    fact.initial_delay_ms = Value::Unknown { expr: expr.clone() };
    fact.max_attempts = Value::Unknown { expr };
    fact.limit_text = Some(format!("profile {name}"));
    fact
}

fn base(source: Source, library: &str, text: &str) -> RetryFact {
    RetryFact {
        source,
        origin: Origin::Code,
        library: library.to_string(),
        text: text.to_string(),
        strategy: Strategy::Fixed,
        initial_delay_ms: Value::Known(0),
        factor: Value::Known(1.0),
        max_delay_ms: Value::Known(None),
        max_attempts: Value::Known(Some(3)),
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: None,
        on_errors: Vec::new(),
    }
}

fn expected(written: &str) -> String {
    format!(
        "expected a retry cycle such as `R3/PT10M` or a list of ISO-8601 durations such as `PT1M,PT5M`, found `{written}`"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> Source {
        Source::new("p.bpmn", 7, 9)
    }

    #[test]
    fn r3_is_three_attempts_ten_minutes_apart() {
        let f = cycle("R3/PT10M", at()).unwrap();
        assert_eq!(f.max_attempts, Value::Known(Some(3)));
        assert_eq!(f.initial_delay_ms, Value::Known(600_000));
        assert_eq!(f.strategy, Strategy::Fixed);
        assert_eq!(f.limit_text.as_deref(), Some("R3/PT10M"));
        assert_eq!(f.origin, Origin::Code);
    }

    #[test]
    fn a_list_is_one_attempt_more_than_its_delays() {
        let f = cycle("PT1M,PT5M,PT10M", at()).unwrap();
        assert_eq!(f.max_attempts, Value::Known(Some(4)));
        assert_eq!(f.strategy, Strategy::Exponential);
        let p = crate::analyze::retry::normalise(&f, None);
        assert_eq!(p.schedule_ms, vec![60_000, 300_000, 600_000]);
        let f = cycle("PT1M,PT3M,PT10M", at()).unwrap();
        assert_eq!(f.initial_delay_ms, Value::Known(60_000));
        assert!(f.text.contains("first delay only"), "{}", f.text);
        let f = cycle("PT10M", at()).unwrap();
        assert_eq!(f.max_attempts, Value::Known(Some(2)));
    }

    #[test]
    fn unbounded_expressions_and_garbage() {
        assert_eq!(cycle("R/PT1H", at()).unwrap().max_attempts, Value::Known(None));
        assert_eq!(cycle("R5/2026-01-01T00:00:00/PT1M", at()).unwrap().initial_delay_ms, Value::Known(60_000));
        let f = cycle("${retryCycle}", at()).unwrap();
        assert!(matches!(f.max_attempts, Value::Unknown { .. }));
        assert!(cycle("three times", at()).is_err());
        assert!(cycle("Rx/PT1M", at()).is_err());
    }
}
