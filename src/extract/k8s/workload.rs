//! Workloads: Deployments and their kin as `service` nodes, Jobs and CronJobs as `step` nodes.

use crate::extract::yaml::Node;
use crate::extract::{Extracted, Jitter, NodeFact, Origin, RetryFact, Strategy, TimeoutFact, Value};
use crate::model::NodeKind;
use crate::source::Located;

use super::{Doc, pod};

/// The Job controller's back-off between failed pods: 10 s, doubling, capped at 6 min.
const JOB_BACKOFF_INITIAL_MS: u64 = 10_000;
const JOB_BACKOFF_MAX_MS: u64 = 360_000;
/// `backoffLimit` when the Job does not set it.
const DEFAULT_BACKOFF_LIMIT: u32 = 6;

/// A Deployment, StatefulSet, DaemonSet or ReplicaSet: pods under `spec.template.spec`.
pub fn service(cx: &Doc, out: &mut Extracted) {
    let Some(name) = cx.name() else { return };
    let mut node = NodeFact::new(NodeKind::Service, name, cx.name_source());
    cx.describe(&mut node);
    if let Some(spec) = cx.doc.get("spec").and_then(|s| s.get("template")).and_then(|t| t.get("spec")) {
        pod::read(cx, spec, &mut node, "Always", out);
    }
    out.facts.nodes.push(node);
}

/// A bare Pod: its own `spec`.
pub fn pod(cx: &Doc, out: &mut Extracted) {
    let Some(name) = cx.name() else { return };
    let mut node = NodeFact::new(NodeKind::Service, name, cx.name_source());
    cx.describe(&mut node);
    if let Some(spec) = cx.doc.get("spec") {
        pod::read(cx, spec, &mut node, "Always", out);
    }
    out.facts.nodes.push(node);
}

/// A CronJob: the Job under `spec.jobTemplate.spec`, run on `spec.schedule`.
pub fn cron_job(cx: &Doc, out: &mut Extracted) {
    let spec = cx.doc.get("spec");
    let schedule = spec.and_then(|s| s.get("schedule")).filter(|s| s.as_str().is_some());
    let job_spec = spec.and_then(|s| s.get("jobTemplate")).and_then(|t| t.get("spec"));
    job(cx, job_spec, schedule, out);
}

/// A Job (or a CronJob's job): a step with the controller's retry and the job's deadline.
pub fn job(cx: &Doc, spec: Option<&Node>, schedule: Option<&Node>, out: &mut Extracted) {
    let Some(name) = cx.name() else { return };
    let mut node = NodeFact::new(NodeKind::Step, name, cx.name_source());
    cx.describe(&mut node);
    let pod_spec = spec.and_then(|s| s.get("template")).and_then(|t| t.get("spec"));
    if let Some(p) = pod_spec {
        // A Job's pods must say OnFailure or Never; nothing written is shown as written.
        pod::read(cx, p, &mut node, "", out);
    }
    node.attrs.activity = Some(match schedule {
        Some(s) => Located::new(format!("cron job {}", s.as_str().unwrap_or_default()), s.source(cx.path)),
        None => {
            let image = node.attrs.image.as_ref().map_or("", |i| i.value.as_str());
            let activity = if image.is_empty() { "job".to_string() } else { format!("job {image}") };
            Located::new(activity, cx.name_source())
        }
    });
    let limit = spec.and_then(|s| s.get("backoffLimit"));
    let (retries, limit_text, at) = match limit.and_then(|l| Some((l, l.as_str()?))) {
        Some((l, text)) => (text.trim().parse::<u32>().ok(), format!("backoffLimit: {text}"), l.source(cx.path)),
        None => {
            (Some(DEFAULT_BACKOFF_LIMIT), format!("backoffLimit: {DEFAULT_BACKOFF_LIMIT} (default)"), cx.name_source())
        }
    };
    node.attrs.retries.push(RetryFact {
        source: at,
        origin: Origin::Code,
        library: "kubernetes backoffLimit".to_string(),
        text: limit_text.clone(),
        strategy: Strategy::Exponential,
        initial_delay_ms: Value::Known(JOB_BACKOFF_INITIAL_MS),
        factor: Value::Known(2.0),
        max_delay_ms: Value::Known(Some(JOB_BACKOFF_MAX_MS)),
        max_attempts: match retries {
            Some(n) => Value::Known(Some(n.saturating_add(1))),
            None => Value::Unknown { expr: limit_text.clone() },
        },
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::None,
        limit_text: Some(limit_text),
        on_errors: Vec::new(),
    });
    if let Some(deadline) = spec.and_then(|s| s.get("activeDeadlineSeconds")) {
        let text = deadline.as_str().unwrap_or_default();
        let text = format!("activeDeadlineSeconds: {text}");
        let ms = match deadline.as_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            Some(s) => Value::Known(s.saturating_mul(1000)),
            None => Value::Unknown { expr: text.clone() },
        };
        node.attrs.timeouts.push(TimeoutFact {
            source: deadline.source(cx.path),
            origin: Origin::Code,
            library: "kubernetes activeDeadlineSeconds".to_string(),
            text,
            ms: ms.clone(),
        });
        node.attrs.deadline = Some(Located::new(ms, deadline.source(cx.path)));
    }
    out.facts.nodes.push(node);
}
