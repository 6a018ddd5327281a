//! `retryStrategy` as a retry fact, with the controller's own arithmetic.
//!
//! Argo's controller (`processNodeRetries` in `workflow/controller/operator.go`) waits
//! `duration × factor^n` before retry n+1 (n from 0), with `factor` applied only when set and
//! positive: without a factor every delay equals `duration`, so the default is a fixed delay,
//! not a doubling. `cap` limits one delay; `maxDuration` limits the time since the first
//! attempt started. Without `backoff` a retry starts as soon as the failure is seen.
//! `limit` counts retries: `limit: 3` allows 4 attempts; no `limit` retries until success.

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{Jitter, Origin, RetryFact, Strategy, Value};

use super::value::{self, Params, Scalar};
use super::{Doc, unknown};

/// Reads one `retryStrategy` block; `key` is where it is written.
pub fn fact(cx: &Doc, key: &Node, body: &Node, params: &Params, diags: &mut Vec<Diagnostic>) -> RetryFact {
    let limit = body.get("limit");
    let max_attempts = match limit {
        None => Value::Known(None),
        Some(l) => attempts(cx, l, params, diags),
    };
    let backoff = body.get("backoff").filter(|b| !b.is_null());
    let initial = match backoff.and_then(|b| b.get("duration")) {
        Some(d) => value::duration(cx, d, params, "backoff.duration", diags),
        None => {
            if let Some(b) = backoff {
                // The controller refuses a backoff without a base duration at the first retry.
                diags.push(value::invalid(
                    cx,
                    b,
                    "`backoff` needs a `duration`; Argo fails the step when it retries".into(),
                ));
            }
            Value::Known(0)
        }
    };
    let factor = match backoff.and_then(|b| b.get("factor")) {
        Some(f) => factor(cx, f, params, diags),
        None => Value::Known(1.0),
    };
    let optional = |field: &str, diags: &mut Vec<Diagnostic>| match backoff.and_then(|b| b.get(field)) {
        Some(v) => match value::duration(cx, v, params, &format!("backoff.{field}"), diags) {
            Value::Known(ms) => Value::Known(Some(ms)),
            Value::Unknown { expr } => unknown(expr),
        },
        None => Value::Known(None),
    };
    let max_delay_ms = optional("cap", diags);
    let max_elapsed_ms = optional("maxDuration", diags);
    let strategy = match &factor {
        Value::Known(f) if *f == 1.0 => Strategy::Fixed,
        _ => Strategy::Exponential,
    };
    let mut on_errors = vec![body.get_str("retryPolicy").unwrap_or("OnFailure").to_string()];
    if let Some(expr) = body.get("expression") {
        on_errors.push(format!(
            "expression: {}",
            Scalar::of(cx, expr, params).value.split_whitespace().collect::<Vec<_>>().join(" ")
        ));
    }
    RetryFact {
        source: cx.src(key),
        origin: Origin::Code,
        library: "argo".to_string(),
        text: value::raw(cx, body),
        strategy,
        initial_delay_ms: initial,
        factor,
        max_delay_ms,
        max_attempts,
        max_elapsed_ms,
        jitter: Jitter::None,
        limit_text: limit.map(|l| value::key_text(cx, "limit", l, params)),
        on_errors,
    }
}

/// `limit` (retries, a number or a numeric string) as attempts.
fn attempts(cx: &Doc, node: &Node, params: &Params, diags: &mut Vec<Diagnostic>) -> Value<Option<u32>> {
    let s = Scalar::of(cx, node, params);
    if let Ok(n) = s.value.trim().parse::<u32>() {
        return Value::Known(Some(n.saturating_add(1)));
    }
    if !s.templated() {
        diags.push(value::invalid(
            cx,
            node,
            format!("`limit` must be a number of retries such as 3 or \"3\", found `{}`", s.raw),
        ));
    }
    unknown(s.raw)
}

/// `factor` (IntOrString). The controller reads it as an integer; a fraction is kept as
/// written, since it is what the author meant even if Argo rejects it.
fn factor(cx: &Doc, node: &Node, params: &Params, diags: &mut Vec<Diagnostic>) -> Value<f64> {
    let s = Scalar::of(cx, node, params);
    match s.value.trim().parse::<f64>() {
        // A factor of 0 or less is ignored by the controller: every delay is the base.
        Ok(f) if f.is_finite() => Value::Known(if f > 0.0 { f } else { 1.0 }),
        _ => {
            if !s.templated() {
                diags.push(value::invalid(cx, node, format!("`factor` must be a number, found `{}`", s.raw)));
            }
            unknown(s.raw)
        }
    }
}
