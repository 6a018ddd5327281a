//! Retry policies in words and numbers: "5 attempts over at most 57.5 s", the waits, the bounds.

use serde::Serialize;

use crate::analyze::RetryPolicy;
use crate::extract::duration::human;
use crate::extract::{Origin, Strategy};
use crate::render::links::{SourceLinker, SourceView};

/// One retry policy as a page shows it. Every sentence is computed here so templates,
/// including a project's overrides, only place them.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyView {
    /// The policy that runs (code wins over a doc comment).
    pub effective: bool,
    /// "5 attempts over at most 57.5 s", "retries forever", ...
    pub headline: String,
    /// The worst case in numbers, e.g. `57500`; `None` when unbounded or not known.
    pub worst_case_ms: Option<u64>,
    /// "57.5 s (57500 ms)".
    pub worst_case: Option<String>,
    /// "5 (the first try and 4 retries)", with the limit as written when the format
    /// counts differently: "7 (the first try and 6 retries; MaxAttempts 6)".
    pub attempts: String,
    /// The attempt limit as the source writes it: `MaxAttempts 6`, `limit: "3"`.
    pub limit_text: Option<String>,
    /// The errors this policy retries, or `None` for every error.
    pub handles: Option<String>,
    /// "exponential backoff from 500 ms, ×2 each retry".
    pub backoff: String,
    /// "waits 500 ms, 1 s, 2 s, 4 s between attempts".
    pub schedule: Option<String>,
    pub schedule_ms: Vec<u64>,
    pub jitter: String,
    pub max_delay: String,
    pub max_elapsed: String,
    /// How one attempt is bounded, or that nothing bounds it.
    pub attempt_timeout: String,
    /// Values written as expressions opsbook cannot evaluate: shown, never guessed.
    pub unknown: Vec<UnknownView>,
    /// `tokio-retry`, `doc`, ...
    pub library: String,
    /// "found in code" or "declared".
    pub origin: &'static str,
    /// The policy as written in the source.
    pub text: String,
    pub source: SourceView,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnknownView {
    /// "attempts", "initial delay", ...
    pub label: &'static str,
    pub expr: String,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "max_attempts" => "attempts",
        "initial_delay_ms" => "initial delay",
        "factor" => "factor",
        "max_delay_ms" => "max delay",
        "max_elapsed_ms" => "max elapsed time",
        _ => "value",
    }
}

pub fn view(policy: &RetryPolicy, effective: bool, sources: &SourceLinker) -> PolicyView {
    let unknown_attempts = policy.unknown.iter().find(|u| u.field == "max_attempts");
    let worst = policy.worst_case_ms;
    // "7 attempts over at most 3 min (MaxAttempts 6)": the raw limit beside the count, so
    // nobody has to know whether a format counts retries or attempts; after the numbers, so
    // the headline still reads as one sentence.
    let limit = policy.limit_text.as_ref().map(|t| format!(" ({t})")).unwrap_or_default();
    let headline = match (policy.max_attempts, unknown_attempts, worst) {
        (_, Some(u), Some(w)) => format!("attempts not known statically ({}), at most {}", u.expr, human(w)),
        (_, Some(u), None) => format!("attempts not known statically ({})", u.expr),
        (Some(1), _, Some(w)) => format!("1 attempt, no retries, at most {}{limit}", human(w)),
        (Some(1), _, None) => format!("1 attempt, no retries{limit}"),
        (Some(n), _, Some(w)) => format!("{n} attempts over at most {}{limit}", human(w)),
        (Some(n), _, None) => format!("{n} attempts{limit}; the worst case is not known statically"),
        (None, None, Some(w)) => format!("unlimited attempts, gives up after at most {}{limit}", human(w)),
        (None, None, None) => format!("retries forever{limit}: no attempt limit and no time limit"),
    };
    let limit_note = policy.limit_text.as_ref().map(|t| format!("; {t}")).unwrap_or_default();
    let attempts = match (policy.max_attempts, unknown_attempts) {
        (_, Some(u)) => format!("not known statically ({})", u.expr),
        (Some(1), _) => format!("1 (no retries{limit_note})"),
        (Some(n), _) => format!("{n} (the first try and {} retries{limit_note})", n - 1),
        (None, None) => format!("unbounded{limit}"),
    };
    let initial = policy.initial_delay_ms.map(human);
    let backoff = match (policy.strategy, initial) {
        (_, None) => "delays not known statically".to_string(),
        (Strategy::Fixed, Some(i)) => format!("a fixed delay of {i}"),
        (Strategy::Fibonacci, Some(i)) => format!("Fibonacci backoff from {i}"),
        (Strategy::Exponential, Some(i)) => match policy.factor {
            Some(f) => format!("exponential backoff from {i}, ×{f} each retry"),
            None => format!("exponential backoff from {i}, factor not known statically"),
        },
    };
    PolicyView {
        effective,
        headline,
        worst_case_ms: worst,
        worst_case: worst.map(|w| format!("{} ({w} ms)", human(w))),
        attempts,
        limit_text: policy.limit_text.clone(),
        handles: (!policy.on_errors.is_empty()).then(|| policy.on_errors.join(", ")),
        backoff,
        schedule: schedule_words(policy),
        schedule_ms: policy.schedule_ms.clone(),
        jitter: jitter_words(&policy.jitter),
        max_delay: match policy.max_delay_ms {
            Some(d) => format!("each wait is capped at {}", human(d)),
            None if has_unknown(policy, "max_delay_ms") => "cap on one wait not known statically".to_string(),
            None => "no cap on a single wait".to_string(),
        },
        max_elapsed: match policy.max_elapsed_ms {
            Some(e) => format!("gives up after {} in total", human(e)),
            None if has_unknown(policy, "max_elapsed_ms") => "overall time limit not known statically".to_string(),
            None => "no overall time limit".to_string(),
        },
        attempt_timeout: match policy.attempt_timeout_ms {
            Some(t) => format!("each attempt is cut off after {}", human(t)),
            None => "no timeout bounds an attempt: the worst case counts waiting only".to_string(),
        },
        unknown: policy
            .unknown
            .iter()
            .map(|u| UnknownView { label: field_label(&u.field), expr: u.expr.clone() })
            .collect(),
        library: policy.library.clone(),
        origin: match policy.origin {
            Origin::Code => "found in code",
            Origin::Declared => "declared",
        },
        text: policy.text.clone(),
        source: sources.view(&policy.source),
    }
}

/// Every policy of one node, as a page lists them. Workflow retriers that name the errors
/// they handle are all in effect, each for its errors (ASL tries them in order); otherwise
/// only the first (code wins over a doc comment) is.
pub fn views(all: &[RetryPolicy], sources: &SourceLinker) -> Vec<PolicyView> {
    let per_error = all.iter().any(|p| !p.on_errors.is_empty());
    all.iter().enumerate().map(|(i, p)| view(p, i == 0 || per_error, sources)).collect()
}

/// One node's policies on `retries.html`.
#[derive(Debug, Serialize)]
pub struct NodeRetries {
    /// The section's id: the node id with `:` made `-`, e.g. `step-push-order`.
    pub anchor: String,
    pub node: crate::render::links::NodeLink,
    pub policies: Vec<PolicyView>,
}

/// Every node that retries, in id order, each with every policy, the effective one first.
pub fn retries_page(
    graph: &crate::model::Graph,
    analysis: &crate::analyze::Analysis,
    sources: &SourceLinker,
) -> Vec<NodeRetries> {
    analysis
        .all_retries
        .iter()
        .map(|(id, all)| NodeRetries {
            anchor: id.replace(':', "-"),
            node: crate::render::links::NodeLink::by_id(graph, id, ""),
            policies: views(all, sources),
        })
        .collect()
}

fn has_unknown(policy: &RetryPolicy, field: &str) -> bool {
    policy.unknown.iter().any(|u| u.field == field)
}

fn schedule_words(policy: &RetryPolicy) -> Option<String> {
    if policy.schedule_ms.is_empty() {
        return None;
    }
    let waits: Vec<String> = policy.schedule_ms.iter().map(|&d| human(d)).collect();
    let mut words = format!("waits {} between attempts", waits.join(", "));
    if policy.schedule_truncated {
        match policy.max_attempts {
            Some(n) => words.push_str(&format!(" (the first {} of {} waits)", waits.len(), n - 1)),
            None if has_unknown(policy, "max_attempts") => {
                words.push_str(", and so on for as many attempts as are allowed")
            }
            None => words.push_str(", and so on without end"),
        }
    }
    Some(words)
}

fn jitter_words(jitter: &str) -> String {
    match jitter {
        "none" => "no jitter: each wait is exactly as listed".to_string(),
        "full" => "full jitter: each wait is drawn between 0 and the listed delay".to_string(),
        "equal" => "equal jitter: each wait is between half and all of the listed delay".to_string(),
        "unknown" => "jitter whose bounds are not known statically".to_string(),
        other => format!("{other} jitter: the worst case uses the upper bound of each wait"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{Jitter, RetryFact, Value};
    use crate::source::Source;

    fn fact(attempts: Value<Option<u32>>) -> RetryFact {
        RetryFact {
            source: Source::new("src/erp.rs", 14, 1),
            origin: Origin::Declared,
            library: "doc".into(),
            text: "attempts=5".into(),
            strategy: Strategy::Exponential,
            initial_delay_ms: Value::Known(500),
            factor: Value::Known(2.0),
            max_delay_ms: Value::Known(Some(30_000)),
            max_attempts: attempts,
            max_elapsed_ms: Value::Known(None),
            jitter: Jitter::Full,
            limit_text: None,
            on_errors: Vec::new(),
        }
    }

    fn words(attempts: Value<Option<u32>>, timeout: Option<u64>) -> PolicyView {
        let p = crate::analyze::retry::normalise(&fact(attempts), timeout);
        view(&p, true, &SourceLinker::new(None))
    }

    #[test]
    fn design_example_reads_in_words_and_numbers() {
        let v = words(Value::Known(Some(5)), Some(10_000));
        assert_eq!(v.headline, "5 attempts over at most 57.5 s");
        assert_eq!(v.worst_case.as_deref(), Some("57.5 s (57500 ms)"));
        assert_eq!(v.schedule.as_deref(), Some("waits 500 ms, 1 s, 2 s, 4 s between attempts"));
        assert_eq!(v.backoff, "exponential backoff from 500 ms, ×2 each retry");
        assert_eq!(v.source.text, "src/erp.rs:14");
    }

    #[test]
    fn the_limit_as_written_stands_beside_the_attempts() {
        let mut f = fact(Value::Known(Some(7)));
        f.limit_text = Some("MaxAttempts 6".into());
        f.on_errors = vec!["States.ALL".into()];
        let p = crate::analyze::retry::normalise(&f, Some(1_000));
        let v = view(&p, true, &SourceLinker::new(None));
        assert!(
            v.headline.starts_with("7 attempts over at most") && v.headline.ends_with("(MaxAttempts 6)"),
            "{}",
            v.headline
        );
        assert_eq!(v.attempts, "7 (the first try and 6 retries; MaxAttempts 6)");
        assert_eq!(v.handles.as_deref(), Some("States.ALL"));
        let mut other = p.clone();
        other.on_errors.clear();
        let all = views(&[p, other.clone()], &SourceLinker::new(None));
        assert!(all.iter().all(|v| v.effective), "per-error retriers are all in effect");
        other.limit_text = None;
        let code_and_doc = views(&[other.clone(), other], &SourceLinker::new(None));
        assert!(code_and_doc[0].effective && !code_and_doc[1].effective, "a doc policy code overrides is not");
    }

    #[test]
    fn unbounded_and_unknown_are_said_plainly() {
        let v = words(Value::Known(None), None);
        assert_eq!(v.headline, "retries forever: no attempt limit and no time limit");
        assert!(v.schedule.unwrap().ends_with("and so on without end"));
        assert!(v.attempt_timeout.contains("counts waiting only"));
        let v = words(Value::Unknown { expr: "cfg.retries".into() }, None);
        assert_eq!(v.attempts, "not known statically (cfg.retries)");
        assert!(!v.schedule.unwrap().contains("without end"), "unknown is not unbounded");
        assert_eq!(v.unknown[0].label, "attempts");
    }
}
