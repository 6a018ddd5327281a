//! docker-compose files: services, depends_on, health checks, restart policies.
//!
//! The file is read into a spanned YAML tree ([`yaml`](crate::extract::yaml)) with anchors, aliases and merge
//! keys already resolved by the parser; the rest of the module walks that tree. Facts
//! point at where a value's text is written (its definition), so a service that inherits
//! `restart` from an `x-` block links to the line in that block. See [`yaml::Node::source`].

mod edges;
pub(crate) mod env;
mod policy;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::extract::{Extracted, NodeFact};
use crate::model::NodeKind;
use crate::source::{Located, Source};

use crate::extract::yaml::{self, Node};
use edges::Names;

/// Label keys read as a service's description, most specific first.
const DESCRIPTION_LABELS: [&str; 3] =
    ["opsbook.description", "org.opencontainers.image.description", "com.example.description"];

/// Label keys read as a service's owner, most specific first.
const OWNER_LABELS: [&str; 3] = ["opsbook.owner", "com.example.owner", "owner"];

/// Reads one compose file (or an override, or a Swarm stack file).
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    yaml::each_document(path, text, &mut out, |doc, out| document(path, doc, out));
    out
}

/// One `---` document. Compose files have one; a stream is read document by document.
fn document(path: &str, doc: &Node, out: &mut Extracted) {
    // A file without `services` (a fragment, an `include` target) says nothing to us.
    let Some(services) = doc.get("services").filter(|s| !s.is_null()) else {
        return;
    };
    let Some(entries) = services.as_map() else {
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            services.source(path),
            format!("`services` must map service names to their settings, found {}", services.shape()),
        ));
        return;
    };
    let names = Names::of(entries);
    for (key, body) in entries {
        let Some(name) = key.as_str() else { continue };
        if !body.is_null() && body.as_map().is_none() {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-value",
                    key.source(path),
                    format!("service `{name}` must be a mapping of settings, found {}; it is skipped", body.shape()),
                )
                .with_len(name.len()),
            );
            continue;
        }
        service(path, name, key, body, &names, out);
    }
}

fn service(path: &str, name: &str, key: &Node, body: &Node, names: &Names, out: &mut Extracted) {
    let mut node = NodeFact::new(NodeKind::Service, name, key.source(path));
    let attrs = &mut node.attrs;
    if let Some(image) = body.get("image").filter(|i| i.as_str().is_some_and(|s| !s.is_empty())) {
        attrs.image = Some(Located::new(image.as_str().unwrap_or_default().to_string(), image.source(path)));
    }
    let labels = labels(path, body);
    attrs.description = first_label(&labels, &DESCRIPTION_LABELS).map(|(v, _)| v);
    attrs.owner = first_label(&labels, &OWNER_LABELS).map(|(v, s)| Located::new(v, s));
    if let Some((hc_key, hc)) = entry(body, "healthcheck") {
        attrs.health_checks.extend(policy::healthcheck(path, hc_key, hc, &mut out.diagnostics));
    }
    attrs.restart = policy::restart(path, body, &mut out.diagnostics);
    out.facts.edges.extend(edges::of_service(path, name, body, names, &mut out.diagnostics));
    out.facts.nodes.push(node);
}

/// A key and its value in a map node.
fn entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
}

/// Service labels, from `labels` and then Swarm's `deploy.labels`, in map or `- k=v` form.
fn labels(path: &str, body: &Node) -> Vec<(String, String, Source)> {
    let mut found = Vec::new();
    let lists = [body.get("labels"), body.get("deploy").and_then(|d| d.get("labels"))];
    for list in lists.into_iter().flatten() {
        if let Some(map) = list.as_map() {
            for (k, v) in map {
                if let Some(k) = k.as_str() {
                    found.push((k.to_string(), v.as_str().unwrap_or_default().to_string(), v.source(path)));
                }
            }
        } else if let Some(items) = list.as_seq() {
            for item in items {
                if let Some(text) = item.as_str() {
                    let (k, v) = text.split_once('=').unwrap_or((text, ""));
                    found.push((k.trim().to_string(), v.trim().to_string(), item.source(path)));
                }
            }
        }
    }
    found
}

/// The value of the first of `keys` that is set to something non-empty.
fn first_label(labels: &[(String, String, Source)], keys: &[&str]) -> Option<(String, Source)> {
    keys.iter().find_map(|want| {
        labels.iter().find(|(k, v, _)| k == want && !v.is_empty()).map(|(_, v, s)| (v.clone(), s.clone()))
    })
}
