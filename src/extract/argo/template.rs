//! What a step inherits from the template it runs: its activity, limits and retry strategy.

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{HttpCall, NodeFact, Origin, RetryFact, TimeoutFact};
use crate::source::Located;

use super::value::{self, Params};
use super::{Doc, description, entry, retry};

/// Whether a template runs other templates (`dag` or `steps`) rather than doing work itself.
pub fn is_flow(tmpl: &Node) -> bool {
    tmpl.get("dag").is_some() || tmpl.get("steps").is_some()
}

/// Copies the operational facts of `tmpl` onto `step`. `params` are the literal arguments
/// the step passes, so a timeout written as `{{inputs.parameters.timeout}}` gets its value.
pub fn apply(cx: &Doc, tmpl: &Node, params: &Params, step: &mut NodeFact, diags: &mut Vec<Diagnostic>) {
    let attrs = &mut step.attrs;
    if let Some(d) = description(tmpl.get("metadata")) {
        // The template says what the step is; a note of the step's own (a fan-out) follows.
        attrs.description = Some(match attrs.description.take() {
            Some(note) => format!("{d}\n\n{note}"),
            None => d,
        });
    }
    leaf(cx, tmpl, params, step, diags);
    step.attrs.timeouts.extend(timeouts(cx, tmpl, params, diags));
    step.attrs.retries.extend(retry(cx, tmpl, params, diags));
}

/// The retry strategy a template runs with: its own, else `spec.templateDefaults`', else
/// (for a template that does work) the workflow's `spec.retryStrategy`.
pub fn retry(cx: &Doc, tmpl: &Node, params: &Params, diags: &mut Vec<Diagnostic>) -> Option<RetryFact> {
    let own = entry(tmpl, "retryStrategy");
    let inherited = cx.defaults.and_then(|d| entry(d, "retryStrategy"));
    // The workflow-wide strategy applies to the steps that do work, not to a nested DAG:
    // retrying a whole DAG on top of its tasks' retries would count every retry twice.
    let workflow = cx.wf_retry.filter(|_| !is_flow(tmpl));
    let chosen =
        own.map(|r| (r, "")).or(inherited.map(|r| (r, "templateDefaults "))).or(workflow.map(|r| (r, "spec ")));
    let ((key, body), origin) = chosen?;
    let mut fact = retry::fact(cx, key, body, params, diags);
    fact.text = format!("{origin}retryStrategy: {}", fact.text);
    Some(fact)
}

/// The template's `timeout` and `activeDeadlineSeconds`, each from the template or else
/// from `spec.templateDefaults`.
pub fn timeouts(cx: &Doc, tmpl: &Node, params: &Params, diags: &mut Vec<Diagnostic>) -> Vec<TimeoutFact> {
    let mut found = Vec::new();
    for (field, library) in [("timeout", "argo timeout"), ("activeDeadlineSeconds", "argo activeDeadlineSeconds")] {
        let own = entry(tmpl, field).map(|e| (e, ""));
        let Some(((key, v), origin)) =
            own.or_else(|| cx.defaults.and_then(|d| entry(d, field)).map(|e| (e, "templateDefaults ")))
        else {
            continue;
        };
        let ms = if field == "timeout" {
            value::duration(cx, v, params, field, diags)
        } else {
            value::seconds(cx, v, params, field, diags)
        };
        found.push(TimeoutFact {
            source: cx.src(key),
            origin: Origin::Code,
            library: library.to_string(),
            text: format!("{origin}{}", value::key_text(cx, field, v, params)),
            ms,
        });
    }
    found
}

/// The work a leaf template does, in words, and what follows from it: the image, an HTTP
/// call and its timeout, a Kubernetes change, a suspension.
fn leaf(cx: &Doc, tmpl: &Node, params: &Params, step: &mut NodeFact, diags: &mut Vec<Diagnostic>) {
    let attrs = &mut step.attrs;
    let at = |key: &str| entry(tmpl, key).map(|(k, _)| cx.src(k));
    for kind in ["container", "script"] {
        if let (Some(body), Some(src)) = (tmpl.get(kind), at(kind)) {
            let image = body.get_str("image").map(|i| params.substitute(i));
            attrs.activity = Some(Located::new(
                format!("{kind} {}", image.as_deref().unwrap_or("")).trim().to_string(),
                src.clone(),
            ));
            if let Some(image) = image {
                let image_src = body.get("image").map_or(src, |i| cx.src(i));
                attrs.image = Some(Located::new(image, image_src));
            }
        }
    }
    if let (Some(body), Some(src)) = (tmpl.get("resource"), at("resource")) {
        let action = body.get_str("action").unwrap_or("apply");
        let target = body.get_str("manifest").and_then(manifest_kind);
        let what = format!("k8s {action}{}", target.map(|k| format!(" {k}")).unwrap_or_default());
        attrs.activity = Some(Located::new(format!("resource {what}"), src.clone()));
        if action != "get" {
            attrs.side_effects.push(Located::new(what, src));
        }
    }
    if let (Some(body), Some(src)) = (tmpl.get("http"), at("http")) {
        let method = body.get_str("method").unwrap_or("GET").to_ascii_uppercase();
        let url = body.get_str("url").map(|u| params.substitute(u)).unwrap_or_default();
        attrs.activity = Some(Located::new(format!("http {method} {url}").trim().to_string(), src.clone()));
        attrs.http_calls.push(HttpCall { source: src, method, target: url });
        if let Some((key, v)) = entry(body, "timeoutSeconds") {
            attrs.timeouts.push(TimeoutFact {
                source: cx.src(key),
                origin: Origin::Code,
                library: "argo http timeoutSeconds".to_string(),
                text: value::key_text(cx, "timeoutSeconds", v, params),
                ms: value::seconds(cx, v, params, "timeoutSeconds", diags),
            });
        }
    }
    if let (Some(body), Some(src)) = (tmpl.get("suspend"), at("suspend")) {
        attrs.activity = Some(Located::new("suspend".to_string(), src.clone()));
        match entry(body, "duration") {
            // A suspension with a duration resumes by itself: it takes that long by design.
            Some((key, v)) => {
                let ms = value::duration(cx, v, params, "suspend.duration", diags);
                attrs.duration_ms = Some(Located::new(ms, cx.src(key)));
            }
            None => attrs.waits = Some(Located::new("suspend (manual resume)".to_string(), src)),
        }
    }
    for kind in ["containerSet", "plugin", "data"] {
        if let (Some(body), Some(src)) = (tmpl.get(kind), at(kind)) {
            let what = match kind {
                "containerSet" => {
                    let n = body.get("containers").and_then(Node::as_seq).map_or(0, <[Node]>::len);
                    format!("containerSet {n} containers")
                }
                "plugin" => format!(
                    "plugin {}",
                    body.as_map().and_then(|m| m.first()).and_then(|(k, _)| k.as_str()).unwrap_or("")
                ),
                _ => "data".to_string(),
            };
            attrs.activity = Some(Located::new(what.trim().to_string(), src));
        }
    }
    if attrs.activity.is_some() && tmpl.get_str("daemon") == Some("true") {
        // A daemon runs until its workflow ends: it never finishes on its own.
        if let Some(a) = attrs.activity.as_mut() {
            a.value.push_str(" (daemon)");
        }
    }
}

/// The `kind` of an inline Kubernetes manifest (`kind: Job`), read from its text.
fn manifest_kind(manifest: &str) -> Option<String> {
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("kind:"))
        .map(|k| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty())
}
