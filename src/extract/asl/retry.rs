//! `Retry` and `Catch`: each retrier a retry policy with ASL's defaults, each catcher an error edge.

use crate::extract::yaml::Node;
use crate::extract::{Jitter, NodeRef, Origin, RetryFact, Strategy, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Located;

use super::machine::edge;
use super::number::{self, Num};
use super::{Cx, one_line};

/// ASL's defaults for a retrier's missing fields.
const INTERVAL_SECONDS: u64 = 1;
const MAX_ATTEMPTS: u32 = 3;
const BACKOFF_RATE: f64 = 2.0;

/// Every retrier of a `Retry` list, in order: the first whose `ErrorEquals` matches
/// handles an error, and each counts its attempts separately.
pub(super) fn retriers(cx: &mut Cx, list: &Node, into: &mut Vec<RetryFact>) {
    let Some(items) = list.as_seq() else {
        cx.warn(list, "`Retry` must be a list of retriers");
        return;
    };
    for r in items {
        if r.as_map().is_none() {
            cx.warn(r, "a retrier must be a mapping with `ErrorEquals`");
            continue;
        }
        into.push(retrier(cx, r));
    }
}

fn retrier(cx: &mut Cx, r: &Node) -> RetryFact {
    let on_errors = errors(cx, r);
    let initial_delay_ms = match r.get("IntervalSeconds") {
        None => Value::Known(INTERVAL_SECONDS * 1_000),
        Some(v) => number::seconds_ms(cx, "IntervalSeconds", v, 1),
    };
    let factor = match r.get("BackoffRate").map(|v| (v, number::read(v))) {
        None => Value::Known(BACKOFF_RATE),
        Some((_, Num::Known(f))) if f >= 1.0 => Value::Known(f),
        Some((_, Num::Templated(expr))) => Value::Unknown { expr },
        Some((v, _)) => {
            let text = one_line(v, 0);
            cx.warn(v, format!("`BackoffRate` must be a number of at least 1.0, found `{text}`"));
            Value::Unknown { expr: text }
        }
    };
    let max_delay_ms = match r.get("MaxDelaySeconds") {
        None => Value::Known(None),
        Some(v) => match number::seconds_ms(cx, "MaxDelaySeconds", v, 1) {
            Value::Known(ms) => Value::Known(Some(ms)),
            Value::Unknown { expr } => Value::Unknown { expr },
        },
    };
    let (max_attempts, limit_text) = attempts(cx, r);
    let jitter = match r.get("JitterStrategy") {
        None => Jitter::None,
        Some(v) => match v.as_str() {
            Some("FULL") => Jitter::Full,
            Some("NONE") => Jitter::None,
            _ => {
                cx.warn(v, format!("`JitterStrategy` must be `FULL` or `NONE`, found `{}`", one_line(v, 0)));
                Jitter::Unknown
            }
        },
    };
    RetryFact {
        source: cx.at(r),
        origin: Origin::Code,
        library: "asl".to_string(),
        text: text(r),
        strategy: Strategy::Exponential,
        initial_delay_ms,
        factor,
        max_delay_ms,
        max_attempts,
        max_elapsed_ms: Value::Known(None),
        jitter,
        limit_text: Some(limit_text),
        on_errors,
    }
}

/// `MaxAttempts` counts retries: the first try comes on top, and `0` means the error
/// is never retried.
fn attempts(cx: &mut Cx, r: &Node) -> (Value<Option<u32>>, String) {
    let Some(v) = r.get("MaxAttempts") else {
        return (Value::Known(Some(MAX_ATTEMPTS + 1)), format!("MaxAttempts {MAX_ATTEMPTS} (default)"));
    };
    let written = one_line(v, 0);
    let value = match number::read(v) {
        Num::Known(n) if n.fract() == 0.0 && n >= 0.0 => {
            Value::Known(Some(u32::try_from(n as u64).unwrap_or(u32::MAX - 1).saturating_add(1)))
        }
        Num::Templated(expr) => Value::Unknown { expr },
        _ => {
            cx.warn(v, format!("`MaxAttempts` must be a whole number of retries (0 or more), found `{written}`"));
            Value::Unknown { expr: written.clone() }
        }
    };
    (value, format!("MaxAttempts {written}"))
}

fn errors(cx: &mut Cx, r: &Node) -> Vec<String> {
    let list: Vec<String> = r
        .get("ErrorEquals")
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(Node::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if list.is_empty() {
        cx.warn(r, "`ErrorEquals` must list the error names handled, e.g. `[States.ALL]`");
    }
    list
}

/// The retrier or catcher in one line, keys as written.
fn text(r: &Node) -> String {
    r.as_map()
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{} {}", one_line(k, 0), one_line(v, 0)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every catcher of a `Catch` list: an `on_error` edge to its `Next`, and one line of
/// error handling in words. A catcher fires once the retriers have given up.
pub(super) fn catchers(cx: &mut Cx, me: &NodeRef, list: &Node, into: &mut Vec<Located<String>>) {
    let Some(items) = list.as_seq() else {
        cx.warn(list, "`Catch` must be a list of catchers");
        return;
    };
    let scope = me.scope.clone().unwrap_or_default();
    for c in items {
        if c.as_map().is_none() {
            cx.warn(c, "a catcher must be a mapping with `ErrorEquals` and `Next`");
            continue;
        }
        let errors = errors(cx, c).join(", ");
        let Some(next) = c.get("Next") else {
            cx.warn(c, "a catcher needs `Next` naming the state that handles the error");
            continue;
        };
        let Some(to) = next.as_str() else {
            cx.warn(next, "`Next` of a catcher must name a state");
            continue;
        };
        into.push(Located::new(format!("Catch {errors} -> {to}"), cx.at(c)));
        let target = NodeRef::scoped(NodeKind::Step, to, scope.clone());
        cx.out.facts.edges.push(edge(EdgeKind::OnError, me.clone(), target, cx.at(next), Some(errors)));
    }
}
