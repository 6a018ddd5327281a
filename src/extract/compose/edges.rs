//! A service's dependencies: `depends_on`, `links`, `network_mode`, `volumes_from`, and
//! host names in its `environment`.

use std::collections::BTreeMap;

use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};

use super::env;
use crate::extract::yaml::Node;

/// The DNS names services of one file answer to: the service name, `hostname`,
/// `container_name` and network `aliases`, lower-cased (DNS ignores case).
pub struct Names {
    by_dns: BTreeMap<String, String>,
}

impl Names {
    pub fn of(services: &[(Node, Node)]) -> Names {
        let mut by_dns = BTreeMap::new();
        // Service names first, so a `hostname` that repeats another service's name does
        // not steal it.
        for (key, _) in services {
            if let Some(name) = key.as_str() {
                by_dns.insert(name.to_ascii_lowercase(), name.to_string());
            }
        }
        for (key, body) in services {
            let Some(name) = key.as_str() else { continue };
            let mut aliases: Vec<&str> =
                ["hostname", "container_name"].iter().filter_map(|k| body.get_str(k)).collect();
            let networks = body.get("networks").and_then(Node::as_map).unwrap_or_default();
            for (_, net) in networks {
                let list = net.get("aliases").and_then(Node::as_seq).unwrap_or_default();
                aliases.extend(list.iter().filter_map(Node::as_str));
            }
            for alias in aliases {
                by_dns.entry(alias.to_ascii_lowercase()).or_insert_with(|| name.to_string());
            }
        }
        Names { by_dns }
    }

    fn service(&self, host: &str) -> Option<&str> {
        self.by_dns.get(&host.to_ascii_lowercase()).map(String::as_str)
    }
}

/// Edges out of service `name`, one per dependency. When several keys name the same
/// dependency the first wins, in this order: `depends_on` (it carries the start
/// condition), `links`, `network_mode`, `volumes_from`, then `environment`.
pub fn of_service(path: &str, name: &str, body: &Node, names: &Names, diags: &mut Vec<Diagnostic>) -> Vec<EdgeFact> {
    let mut found = Found { path, from: name, edges: Vec::new(), diags };
    found.depends_on(body.get("depends_on"));
    found.links(body.get("links"));
    found.network_mode(body.get("network_mode"));
    found.volumes_from(body.get("volumes_from"));
    found.environment(body.get("environment"), names);
    found.edges
}

struct Found<'a> {
    path: &'a str,
    from: &'a str,
    edges: Vec<EdgeFact>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Found<'_> {
    fn push(&mut self, to: &str, at: &Node, resolve: Resolve, detail: String) {
        if to == self.from {
            // Compose refuses a service that waits for itself; say so at the line.
            self.diags.push(Diagnostic::warning(
                "invalid-value",
                at.source(self.path),
                format!("service `{to}` depends on itself ({detail})"),
            ));
            return;
        }
        if self.edges.iter().any(|e| e.to.name == to) {
            return;
        }
        self.edges.push(EdgeFact {
            from: NodeRef::new(NodeKind::Service, self.from),
            to: NodeRef::new(NodeKind::Service, to),
            kind: EdgeKind::DependsOn,
            source: at.source(self.path),
            resolve,
            detail: Some(detail),
        });
    }

    fn wrong_shape(&mut self, key: &str, node: &Node, want: &str) {
        self.diags.push(Diagnostic::warning(
            "invalid-value",
            node.source(self.path),
            format!("`{key}` of service `{}` must be {want}, found {}", self.from, node.shape()),
        ));
    }

    /// Short form `[a, b]` waits for `service_started`; the long form says its condition,
    /// whether a restart of the dependency restarts this service, and whether it may be
    /// absent (`required: false`).
    fn depends_on(&mut self, node: Option<&Node>) {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return;
        };
        if let Some(items) = node.as_seq() {
            for item in items {
                if let Some(dep) = item.as_str() {
                    self.push(dep, item, Resolve::Required, "condition: service_started".into());
                }
            }
        } else if let Some(map) = node.as_map() {
            for (key, spec) in map {
                let Some(dep) = key.as_str() else { continue };
                let condition = spec.get_str("condition").unwrap_or("service_started");
                let mut detail = format!("condition: {condition}");
                if spec.get_str("restart") == Some("true") {
                    detail.push_str(", restart: true");
                }
                // An optional dependency may be missing from the project: compose only
                // warns, so an unknown name is an external thing, not a dangling one.
                let resolve = if spec.get_str("required") == Some("false") {
                    detail.push_str(", optional (required: false)");
                    Resolve::External
                } else {
                    Resolve::Required
                };
                self.push(dep, key, resolve, detail);
            }
        } else {
            self.wrong_shape("depends_on", node, "a list or a mapping of service names");
        }
    }

    /// `links: [db, "db:database"]`: the service before the colon, the alias after it.
    fn links(&mut self, node: Option<&Node>) {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return;
        };
        let Some(items) = node.as_seq() else {
            return self.wrong_shape("links", node, "a list");
        };
        for item in items {
            let Some(text) = item.as_str() else { continue };
            match text.split_once(':') {
                Some((dep, alias)) => self.push(dep, item, Resolve::Required, format!("links (as `{alias}`)")),
                None => self.push(text, item, Resolve::Required, "links".into()),
            }
        }
    }

    /// `network_mode: "service:x"` shares x's network stack, so x must be running.
    fn network_mode(&mut self, node: Option<&Node>) {
        let Some(node) = node else { return };
        if let Some(dep) = node.as_str().and_then(|m| m.strip_prefix("service:")) {
            self.push(dep, node, Resolve::Required, format!("network_mode: service:{dep}"));
        }
    }

    /// `volumes_from: [x, "x:ro", "container:c"]`: only the service forms are edges; a
    /// `container:` names something outside the file.
    fn volumes_from(&mut self, node: Option<&Node>) {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return;
        };
        let Some(items) = node.as_seq() else {
            return self.wrong_shape("volumes_from", node, "a list");
        };
        for item in items {
            let Some(text) = item.as_str() else { continue };
            if text.starts_with("container:") {
                continue;
            }
            let text = text.strip_prefix("service:").unwrap_or(text);
            let dep = text.split(':').next().unwrap_or(text);
            self.push(dep, item, Resolve::Required, "volumes_from".into());
        }
    }

    /// Values that name another service of this file, in map form (`DB_HOST: db`) or list
    /// form (`- DB_HOST=db`). A value naming its own service is a self-reference
    /// (`discovery.seed_hosts: logstash` on logstash), not a dependency.
    fn environment(&mut self, node: Option<&Node>, names: &Names) {
        let Some(node) = node.filter(|n| !n.is_null()) else {
            return;
        };
        let mut vars: Vec<(&str, &str, &Node)> = Vec::new();
        if let Some(map) = node.as_map() {
            for (key, value) in map {
                if let (Some(k), Some(v)) = (key.as_str(), value.as_str()) {
                    vars.push((k, v, value));
                }
            }
        } else if let Some(items) = node.as_seq() {
            for item in items {
                if let Some((k, v)) = item.as_str().and_then(|t| t.split_once('=')) {
                    vars.push((k, v, item));
                }
            }
        } else {
            return self.wrong_shape("environment", node, "a mapping or a list of KEY=value");
        }
        for (key, value, at) in vars {
            for host in env::hosts(key, value) {
                let Some(dep) = names.service(&host) else {
                    continue;
                };
                if dep != self.from {
                    let dep = dep.to_string();
                    self.push(&dep, at, Resolve::Required, format!("env {key}"));
                }
            }
        }
    }
}
