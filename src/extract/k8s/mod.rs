//! Kubernetes manifests: workloads, Services and their selectors, env addresses, probes, restart and job limits.
//!
//! Every `---` document is read on its own; kinds other than the ones below (CRDs, RBAC,
//! Argo, PrometheusRule, Kustomization) are skipped silently, as other readers take them.
//! Workloads (Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod) are `service` nodes named
//! by `metadata.name`; a k8s Service is a `service` node of its own name, so a Service and a
//! workload of one name merge in the model. Jobs and CronJobs are unscoped `step` nodes.

mod pod;
mod workload;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

/// The kinds this reader takes.
const KINDS: [&str; 10] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "Job",
    "CronJob",
    "Service",
    "Ingress",
    "ConfigMap",
    "Pod",
];

/// Text only a Helm template holds.
const HELM_MARKERS: [&str; 4] = [".Values.", ".Release.", ".Chart.", "{{- "];

/// Reads one manifest file (any number of documents).
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let parsed = yaml::parse(text);
    // A Helm template that happens to parse (`name: "{{ .Release.Name }}"`) is no more
    // real than one that does not: its names and values are still placeholders.
    let helm = text.contains("{{") && (parsed.is_err() || HELM_MARKERS.iter().any(|m| text.contains(m)));
    if helm {
        out.diagnostics.push(Diagnostic::info(
            "skipped-file",
            Source::new(path, 1, 1),
            "a Helm template is not YAML until it is rendered; skipped",
        ));
        return out;
    }
    let docs = match parsed {
        Ok(docs) => docs,
        Err(e) => {
            out.diagnostics.push(yaml::parse_error(path, &e, "Kubernetes manifest"));
            return out;
        }
    };
    let docs: Vec<&Node> = docs.iter().flat_map(items).collect();
    let config_maps = config_maps(path, &docs);
    let workloads = workloads(&docs);
    for doc in &docs {
        let Some(kind) = doc.get_str("kind") else { continue };
        if doc.get_str("apiVersion").is_none() {
            continue;
        }
        let cx = Doc { path, doc, config_maps: &config_maps, workloads: &workloads };
        match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => workload::service(&cx, &mut out),
            "Pod" => workload::pod(&cx, &mut out),
            "Job" => workload::job(&cx, doc.get("spec"), None, &mut out),
            "CronJob" => workload::cron_job(&cx, &mut out),
            "Service" => service(&cx, &mut out),
            "Ingress" => ingress(&cx, &mut out),
            _ => {}
        }
    }
    // Each workload carries its pods' labels, so Services in other files can select it.
    for (name, labels) in &workloads {
        let workload = out.facts.nodes.iter_mut().find(|n| n.kind == NodeKind::Service && &n.name == name);
        if let Some(node) = workload {
            node.attrs.pod_labels = labels.clone();
        }
    }
    out
}

/// Whether a YAML or JSON file of no telling name holds Kubernetes objects we read.
pub fn claims(text: &str) -> bool {
    text.contains("apiVersion")
        && text.contains("kind:")
        && text.split("kind:").skip(1).any(|rest| {
            let word: String =
                rest.trim_start_matches([' ', '"', '\'']).chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            KINDS.contains(&word.as_str())
        })
}

/// A document and what the whole file tells about it.
pub(crate) struct Doc<'a> {
    pub path: &'a str,
    pub doc: &'a Node,
    /// Host-like values of each ConfigMap of the file: `(key, value, where)`.
    pub config_maps: &'a BTreeMap<String, Vec<(String, String, Source)>>,
    /// Each workload of the file and its pod template's labels.
    pub workloads: &'a [(String, Vec<(String, String)>)],
}

impl Doc<'_> {
    pub fn name(&self) -> Option<&str> {
        self.doc.get("metadata")?.get_str("name").filter(|n| !n.is_empty())
    }

    /// Where the object's name is written, else the document's start.
    pub fn name_source(&self) -> Source {
        let at = self.doc.get("metadata").and_then(|m| m.get("name")).unwrap_or(self.doc);
        at.source(self.path)
    }

    /// Description and owner from annotations and labels.
    pub fn describe(&self, node: &mut NodeFact) {
        let meta = self.doc.get("metadata");
        let annotations = meta.and_then(|m| m.get("annotations"));
        let labels = meta.and_then(|m| m.get("labels"));
        if let Some(d) = annotations.and_then(|a| a.get_str("description")).filter(|d| !d.is_empty()) {
            node.attrs.description = Some(d.to_string());
        }
        let owner = [(annotations, "opsbook.owner"), (labels, "owner"), (labels, "team")]
            .into_iter()
            .find_map(|(m, k)| m.and_then(|m| m.get(k)).filter(|v| v.as_str().is_some_and(|s| !s.is_empty())));
        if let Some(o) = owner {
            node.attrs.owner = Some(Located::new(o.as_str().unwrap_or_default().to_string(), o.source(self.path)));
        }
    }
}

/// A `kind: List` holds its objects under `items`; any other document is itself.
fn items(doc: &Node) -> Vec<&Node> {
    match (doc.get_str("kind"), doc.get("items").and_then(Node::as_seq)) {
        (Some("List"), Some(items)) => items.iter().collect(),
        _ => vec![doc],
    }
}

/// Every workload of the file with the labels of its pods, for Service selectors.
fn workloads(docs: &[&Node]) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    for doc in docs {
        let labels = match doc.get_str("kind") {
            Some("Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") => {
                doc.get("spec").and_then(|s| s.get("template")).and_then(|t| t.get("metadata"))
            }
            Some("Pod") => doc.get("metadata"),
            _ => continue,
        };
        let Some(name) = doc.get("metadata").and_then(|m| m.get_str("name")) else { continue };
        let labels = labels.and_then(|m| m.get("labels")).and_then(Node::as_map).unwrap_or_default();
        let labels =
            labels.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string()))).collect();
        found.push((name.to_string(), labels));
    }
    found
}

/// Every ConfigMap of the file, its data keys and values.
fn config_maps(path: &str, docs: &[&Node]) -> BTreeMap<String, Vec<(String, String, Source)>> {
    let mut found = BTreeMap::new();
    for doc in docs {
        if doc.get_str("kind") != Some("ConfigMap") {
            continue;
        }
        let Some(name) = doc.get("metadata").and_then(|m| m.get_str("name")) else { continue };
        let data = doc.get("data").and_then(Node::as_map).unwrap_or_default();
        let entries = data
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string(), v.source(path))))
            .collect();
        found.insert(name.to_string(), entries);
    }
    found
}

/// A k8s Service: a `service` node; when it selects pods by an `app` label other than its
/// own name, an edge to the workload of that name.
fn service(cx: &Doc, out: &mut Extracted) {
    let Some(name) = cx.name() else { return };
    let mut node = NodeFact::new(NodeKind::Service, name, cx.name_source());
    cx.describe(&mut node);
    let spec = cx.doc.get("spec");
    let selector = spec.and_then(|s| s.get("selector"));
    // The model joins the selector to pod labels of every file; the edges below are what
    // this file alone can tell.
    if let Some(at) = selector {
        let pairs = at.as_map().unwrap_or_default();
        let pairs: Vec<(String, String)> =
            pairs.iter().filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string()))).collect();
        if !pairs.is_empty() {
            node.attrs.selector = Some(Located::new(pairs, at.source(cx.path)));
        }
    }
    for (target, at, detail) in selected(cx, selector) {
        if target != name {
            out.facts.edges.push(EdgeFact {
                from: NodeRef::new(NodeKind::Service, name),
                to: NodeRef::new(NodeKind::Service, target),
                kind: EdgeKind::DependsOn,
                source: at.source(cx.path),
                resolve: Resolve::IfKnown,
                detail: Some(detail),
            });
        }
    }
    let external = spec.filter(|s| s.get_str("type") == Some("ExternalName")).and_then(|s| s.get("externalName"));
    if let Some(ext) = external.filter(|e| e.as_str().is_some()) {
        let host = ext.as_str().unwrap_or_default();
        out.facts.edges.push(EdgeFact {
            from: NodeRef::new(NodeKind::Service, name),
            to: NodeRef::new(NodeKind::Resource, host),
            kind: EdgeKind::DependsOn,
            source: ext.source(cx.path),
            resolve: Resolve::External,
            detail: Some(format!("externalName {host}")),
        });
    }
    out.facts.nodes.push(node);
}

/// The workloads a Service's selector picks: those of the same file whose pod labels hold
/// every selector pair; failing that, when the selector is one `app` (or
/// `app.kubernetes.io/name`) pair, the workload of that name, which is how manifests split
/// over files usually name them.
fn selected<'a>(cx: &'a Doc, selector: Option<&'a Node>) -> Vec<(String, &'a Node, String)> {
    let Some(pairs) = selector.and_then(Node::as_map).filter(|p| !p.is_empty()) else { return Vec::new() };
    let pairs: Vec<(&str, &str)> = pairs.iter().filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?))).collect();
    let Some(at) = selector else { return Vec::new() };
    let words = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
    let same_file: Vec<(String, &Node, String)> = cx
        .workloads
        .iter()
        .filter(|(_, labels)| pairs.iter().all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v)))
        .map(|(w, _)| (w.clone(), at, format!("selector {words}")))
        .collect();
    if !same_file.is_empty() || pairs.len() > 1 {
        // With more pairs (`app: redis, role: master`) the `app` value names the
        // application, not one workload: guessing would join unrelated `redis` services.
        return same_file;
    }
    for key in ["app", "app.kubernetes.io/name"] {
        if let Some(app) = at.get(key).filter(|a| a.as_str().is_some_and(|s| !s.is_empty())) {
            let value = app.as_str().unwrap_or_default();
            return vec![(value.to_string(), app, format!("selector {key}={value}"))];
        }
    }
    Vec::new()
}

/// An Ingress: an `api` node with an edge to each backend Service.
fn ingress(cx: &Doc, out: &mut Extracted) {
    let Some(name) = cx.name() else { return };
    let mut node = NodeFact::new(NodeKind::Api, name, cx.name_source());
    cx.describe(&mut node);
    let spec = cx.doc.get("spec");
    let mut backends: Vec<(&Node, String)> = Vec::new();
    let default = spec.and_then(|s| s.get("defaultBackend").or_else(|| s.get("backend")));
    if let Some(b) = default {
        backends.push((b, "default backend".to_string()));
    }
    for rule in spec.and_then(|s| s.get("rules")).and_then(Node::as_seq).unwrap_or_default() {
        let host = rule.get_str("host").unwrap_or("*");
        let paths = rule.get("http").and_then(|h| h.get("paths")).and_then(Node::as_seq).unwrap_or_default();
        for p in paths {
            if let Some(b) = p.get("backend") {
                backends.push((b, format!("{host}{}", p.get_str("path").unwrap_or("/"))));
            }
        }
    }
    for (backend, detail) in backends {
        // networking.k8s.io/v1 `service.name`; v1beta1 `serviceName`.
        let target = backend.get("service").and_then(|s| s.get("name")).or_else(|| backend.get("serviceName"));
        let Some((at, svc)) = target.and_then(|t| Some((t, t.as_str()?))) else { continue };
        let edge = EdgeFact {
            from: NodeRef::new(NodeKind::Api, name),
            to: NodeRef::new(NodeKind::Service, svc),
            kind: EdgeKind::DependsOn,
            source: at.source(cx.path),
            resolve: Resolve::External,
            detail: Some(detail),
        };
        if !out.facts.edges.iter().any(|e| e.from == edge.from && e.to == edge.to) {
            out.facts.edges.push(edge);
        }
    }
    out.facts.nodes.push(node);
}
