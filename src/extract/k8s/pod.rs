//! A pod spec: its containers' image, env addresses, probes, and the pod's restart policy.

use crate::extract::compose::env;
use crate::extract::yaml::Node;
use crate::extract::{EdgeFact, Extracted, HealthCheck, NodeFact, NodeRef, Resolve, RestartFact};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

use super::Doc;

/// Probe keys and the health check kind each gives.
const PROBES: [(&str, &str); 3] =
    [("livenessProbe", "liveness probe"), ("readinessProbe", "readiness probe"), ("startupProbe", "startup probe")];

/// Key endings (and prefixes) that say a bare word is a host: `REDIS_HOST: redis-master`.
const HOST_KEY_ENDINGS: [&str; 9] =
    ["_HOST", "_ADDR", "_ADDRESS", "_URL", "_SERVICE", "_ENDPOINT", "_URI", "_SERVER", "_HOSTNAME"];
const HOST_KEY_PREFIXES: [&str; 4] = ["REDIS", "MEMCACHE", "DATABASE_HOST", "DB_HOST"];

/// Reads a pod spec into `node`. `default_restart` is the policy when none is written
/// (`Always` for workloads; empty for Jobs, where none is assumed).
pub fn read(cx: &Doc, spec: &Node, node: &mut NodeFact, default_restart: &str, out: &mut Extracted) {
    let containers = spec.get("containers").and_then(Node::as_seq).unwrap_or_default();
    let from = NodeRef::new(node.kind, node.name.clone());
    let mut config_maps: Vec<&str> = Vec::new();
    for c in containers {
        let image = c.get("image").filter(|i| i.as_str().is_some_and(|s| !s.is_empty()));
        if let (None, Some(image)) = (&node.attrs.image, image) {
            node.attrs.image =
                Some(Located::new(image.as_str().unwrap_or_default().to_string(), image.source(cx.path)));
        }
        for (key, kind) in PROBES {
            let entry = c.as_map().unwrap_or_default().iter().find(|(k, _)| k.as_str() == Some(key));
            if let Some((at, probe)) = entry {
                node.attrs.health_checks.push(health_check(cx, at, probe, kind));
            }
        }
        for var in c.get("env").and_then(Node::as_seq).unwrap_or_default() {
            let Some(key) = var.get_str("name") else { continue };
            if let Some(value) = var.get("value").filter(|v| v.as_str().is_some()) {
                let text = value.as_str().unwrap_or_default();
                push_hosts(&from, key, text, value.source(cx.path), &node.name, out);
            }
            let cm = var.get("valueFrom").and_then(|v| v.get("configMapKeyRef"));
            if let (Some(cm_name), Some(cm_key)) =
                (cm.and_then(|c| c.get_str("name")), cm.and_then(|c| c.get_str("key")))
            {
                for (k, v, at) in cx.config_maps.get(cm_name).map(Vec::as_slice).unwrap_or_default() {
                    if k == cm_key {
                        push_hosts(&from, key, v, at.clone(), &node.name, out);
                    }
                }
            }
        }
        for source in c.get("envFrom").and_then(Node::as_seq).unwrap_or_default() {
            if let Some(name) = source.get("configMapRef").and_then(|r| r.get_str("name")) {
                config_maps.push(name);
            }
        }
    }
    for name in config_maps {
        for (k, v, at) in cx.config_maps.get(name).map(Vec::as_slice).unwrap_or_default() {
            push_hosts(&from, k, v, at.clone(), &node.name, out);
        }
    }
    node.attrs.restart = restart(cx, spec, default_restart);
}

/// Edges to the hosts an env value names.
fn push_hosts(from: &NodeRef, key: &str, value: &str, at: Source, own: &str, out: &mut Extracted) {
    for (host, resolve) in hosts(key, value) {
        if host == own || out.facts.edges.iter().any(|e| e.from == *from && e.to.name == host) {
            continue;
        }
        out.facts.edges.push(EdgeFact {
            from: from.clone(),
            to: NodeRef::new(NodeKind::Service, host),
            kind: EdgeKind::DependsOn,
            source: at.clone(),
            resolve,
            detail: Some(format!("env {key}")),
        });
    }
}

/// The services an env value names, each with how to treat it when unknown: an explicit
/// cluster DNS name (`x.ns.svc.cluster.local`) is `External`, anything else `IfKnown`.
/// A bare word (no scheme, no port) counts only under a key that says it is a host.
pub(crate) fn hosts(key: &str, value: &str) -> Vec<(String, Resolve)> {
    let value = value.trim();
    let bare = !value.contains(':') && cluster_service(value).is_none();
    let upper = key.to_ascii_uppercase();
    let hostish =
        HOST_KEY_ENDINGS.iter().any(|e| upper.ends_with(e)) || HOST_KEY_PREFIXES.iter().any(|p| upper.starts_with(p));
    if bare && !hostish {
        return Vec::new();
    }
    let mut found: Vec<(String, Resolve)> = Vec::new();
    for host in env::hosts(key, value) {
        let host = host.to_ascii_lowercase();
        let cluster = cluster_service(&host);
        let first = cluster.unwrap_or_else(|| host.split('.').next().unwrap_or_default()).to_string();
        if first.is_empty() || first == "localhost" || found.iter().any(|(h, _)| *h == first) {
            continue;
        }
        found.push((first, if cluster.is_some() { Resolve::External } else { Resolve::IfKnown }));
    }
    found
}

/// The Service an explicit cluster DNS name names: `x` of `x.ns.svc.cluster.local` and
/// `x.ns.svc`, and of a StatefulSet pod's `pod-0.x.ns.svc.cluster.local`.
fn cluster_service(host: &str) -> Option<&str> {
    let host = host.trim_end_matches('.');
    let rest = host.strip_suffix(".svc.cluster.local").or_else(|| host.strip_suffix(".svc"))?;
    let labels: Vec<&str> = rest.split('.').collect();
    let at = if labels.len() >= 3 { labels.len() - 2 } else { 0 };
    labels.get(at).copied().filter(|l| !l.is_empty())
}

/// One probe as a health check, with the kubelet's defaults for what is not written. It
/// points at the probe's key (`livenessProbe:`).
fn health_check(cx: &Doc, at: &Node, probe: &Node, kind: &str) -> HealthCheck {
    let num = |k: &str| probe.get_str(k).and_then(|s| s.trim().parse::<u64>().ok());
    let test = if let Some(h) = probe.get("httpGet") {
        let port = h.get_str("port").unwrap_or_default();
        format!("GET {}:{port}", h.get_str("path").unwrap_or("/"))
    } else if let Some(t) = probe.get("tcpSocket") {
        format!("tcp :{}", t.get_str("port").unwrap_or_default())
    } else if let Some(e) = probe.get("exec") {
        let cmd = e.get("command").and_then(Node::as_seq).unwrap_or_default();
        cmd.iter().filter_map(Node::as_str).collect::<Vec<_>>().join(" ")
    } else if let Some(g) = probe.get("grpc") {
        format!("grpc :{}", g.get_str("port").unwrap_or_default())
    } else {
        String::new()
    };
    HealthCheck {
        source: at.source(cx.path),
        kind: kind.to_string(),
        test,
        interval_ms: Some(num("periodSeconds").unwrap_or(10).saturating_mul(1000)),
        timeout_ms: Some(num("timeoutSeconds").unwrap_or(1).saturating_mul(1000)),
        retries: Some(num("failureThreshold").map_or(3, |n| u32::try_from(n).unwrap_or(u32::MAX))),
        start_period_ms: Some(num("initialDelaySeconds").unwrap_or(0).saturating_mul(1000)),
    }
}

/// `restartPolicy` as written, else the default; restarts are unlimited.
fn restart(cx: &Doc, spec: &Node, default: &str) -> Option<RestartFact> {
    let (condition, source, text) = match spec.get("restartPolicy").filter(|r| r.as_str().is_some()) {
        Some(r) => {
            let c = r.as_str().unwrap_or_default().to_string();
            (c.clone(), r.source(cx.path), format!("restartPolicy: {c}"))
        }
        None if !default.is_empty() => {
            (default.to_string(), spec.source(cx.path), format!("restartPolicy: {default} (default)"))
        }
        None => return None,
    };
    Some(RestartFact { source, condition, max_attempts: None, delay_ms: None, window_ms: None, text })
}
