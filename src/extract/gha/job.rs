//! One job: a step with its runner or reusable call, its timeout, and how its failure is handled.

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{Extracted, NodeFact, Origin, TimeoutFact, Value};
use crate::model::NodeKind;
use crate::source::Located;

use super::{Context, at, describe, edges};

/// GitHub cancels a job after 360 minutes when it sets no `timeout-minutes`.
pub const DEFAULT_TIMEOUT_MINUTES: u64 = 360;

const LIBRARY: &str = "github-actions timeout-minutes";

/// Adds job `id` (a mapping) as a step of its workflow, with its edges.
pub fn extract(ctx: &Context, id: &str, key: &Node, body: &Node, out: &mut Extracted) {
    let path = ctx.path;
    let mut node = NodeFact::scoped(NodeKind::Step, id, path, at(key, path));
    let diags = &mut out.diagnostics;
    let attrs = &mut node.attrs;
    if let Some(uses) = body.get("uses") {
        let called = uses.as_str().unwrap_or_default();
        attrs.activity = Some(Located::new(format!("reusable workflow {called}"), at(uses, path)));
        // The called workflow's jobs carry their own timeouts; GitHub rejects one here.
        if let Some(t) = body.get("timeout-minutes") {
            diags.push(Diagnostic::warning(
                "invalid-value",
                at(t, path),
                format!("job `{id}` calls a reusable workflow, which cannot set `timeout-minutes`; it is ignored"),
            ));
        }
    } else {
        attrs.activity = Some(runs_on(path, id, key, body, diags));
        attrs.timeouts.push(timeout(path, key, body, diags));
    }
    attrs.error_handling.extend(continue_on_error(path, body, diags));
    if let (Some(env), Some(at_env)) = (describe::environment(body), body.get("environment")) {
        attrs.waits = Some(Located::new(format!("environment {env} (may require approval)"), at(at_env, path)));
    }
    attrs.side_effects = token_writes(path, body.get("permissions").or_else(|| ctx.doc.get("permissions")));
    attrs.description = describe::job(body);
    out.facts.edges.extend(edges::of_job(ctx, id, key, body, &mut out.diagnostics));
    out.facts.nodes.push(node);
}

/// `job on <runs-on>`, the runner as written: a label, a list of labels, or `{group, labels}`.
/// A matrix runner stays an expression (`job on ${{ matrix.os }}`).
fn runs_on(path: &str, id: &str, key: &Node, body: &Node, diags: &mut Vec<Diagnostic>) -> Located<String> {
    let Some(runner) = body.get("runs-on") else {
        diags.push(
            Diagnostic::warning("invalid-value", at(key, path), format!("job `{id}` needs `runs-on` or `uses`"))
                .with_len(id.len()),
        );
        return Located::new("job".to_string(), at(key, path));
    };
    let labels = |n: &Node| -> Vec<String> {
        match (n.as_str(), n.as_seq()) {
            (Some(s), _) => vec![s.to_string()],
            (_, Some(list)) => list.iter().filter_map(Node::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    let mut words = labels(runner);
    if let Some(group) = runner.get_str("group") {
        words.insert(0, format!("group {group}"));
    }
    words.extend(runner.get("labels").map(labels).unwrap_or_default());
    let text = if words.is_empty() { "job".to_string() } else { format!("job on {}", words.join(", ")) };
    Located::new(text, at(runner, path))
}

/// The job's `timeout-minutes`, or GitHub's default of 360 at the job key.
fn timeout(path: &str, key: &Node, body: &Node, diags: &mut Vec<Diagnostic>) -> TimeoutFact {
    let Some(value) = body.get("timeout-minutes") else {
        return TimeoutFact {
            source: at(key, path),
            origin: Origin::Code,
            library: LIBRARY.to_string(),
            text: format!("timeout-minutes: {DEFAULT_TIMEOUT_MINUTES} (default)"),
            ms: Value::Known(DEFAULT_TIMEOUT_MINUTES * 60_000),
        };
    };
    let text = value.as_str().unwrap_or_default();
    let ms = if text.contains("${{") {
        Value::Unknown { expr: text.to_string() }
    } else if let Some(ms) = minutes_ms(text) {
        Value::Known(ms)
    } else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            at(value, path),
            format!("`timeout-minutes` must be a number of minutes or an expression, found {}", shown(value)),
        ));
        Value::Unknown { expr: text.to_string() }
    };
    TimeoutFact {
        source: at(value, path),
        origin: Origin::Code,
        library: LIBRARY.to_string(),
        text: format!("timeout-minutes: {text}"),
        ms,
    }
}

/// Minutes as GitHub reads them: a non-negative number, fractions allowed.
fn minutes_ms(text: &str) -> Option<u64> {
    let minutes: f64 = text.trim().parse().ok()?;
    let ms = minutes * 60_000.0;
    (ms.is_finite() && ms >= 0.0 && ms < u64::MAX as f64).then(|| ms.round() as u64)
}

/// `continue-on-error: true` lets the workflow go on when the job fails; an expression
/// decides it per run (often per matrix combination) and is kept as written.
fn continue_on_error(path: &str, body: &Node, diags: &mut Vec<Diagnostic>) -> Option<Located<String>> {
    let value = body.get("continue-on-error")?;
    let text = value.as_str().unwrap_or_default();
    // YAML 1.2 core booleans, which GitHub's parser reads, may be capitalised.
    match text.to_ascii_lowercase().as_str() {
        "true" => Some(Located::new("continue-on-error".to_string(), at(value, path))),
        "false" => None,
        _ if text.contains("${{") => Some(Located::new(format!("continue-on-error: {text}"), at(value, path))),
        _ => {
            diags.push(Diagnostic::warning(
                "invalid-value",
                at(value, path),
                format!("`continue-on-error` must be true, false or an expression, found {}", shown(value)),
            ));
            None
        }
    }
}

/// What the job's `GITHUB_TOKEN` may change, from its `permissions` or the workflow's:
/// `write-all`, or each scope set to `write`. Without `permissions` the token's rights
/// come from repository settings, which a file cannot tell.
fn token_writes(path: &str, permissions: Option<&Node>) -> Vec<Located<String>> {
    let Some(permissions) = permissions else { return Vec::new() };
    if permissions.as_str() == Some("write-all") {
        return vec![Located::new(
            "`GITHUB_TOKEN` can write every scope (`write-all`)".to_string(),
            at(permissions, path),
        )];
    }
    permissions
        .as_map()
        .unwrap_or_default()
        .iter()
        .filter(|(_, v)| v.as_str() == Some("write"))
        .filter_map(|(k, v)| Some(Located::new(format!("`GITHUB_TOKEN` can write {}", k.as_str()?), at(v, path))))
        .collect()
}

/// A value for a message: its text, or its shape when it has none.
fn shown(value: &Node) -> String {
    value.as_str().map_or_else(|| value.shape().to_string(), |s| format!("`{s}`"))
}
