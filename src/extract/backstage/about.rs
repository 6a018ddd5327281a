//! The prose of an entity: title, description, type and lifecycle, links and annotations.

use std::collections::BTreeMap;

use super::refs::EntityRef;
use crate::extract::NodeAttrs;
use crate::extract::yaml::Node;
use crate::source::Located;

/// `metadata.title` and `metadata.description`, as the first paragraph.
pub fn headline(metadata: &Node) -> Option<String> {
    let title = metadata.get_str("title").map(str::trim).filter(|t| !t.is_empty());
    let description = metadata.get_str("description").map(str::trim).filter(|d| !d.is_empty());
    match (title, description) {
        (Some(t), Some(d)) => Some(format!("**{t}**: {d}")),
        (Some(t), None) => Some(format!("**{t}**")),
        (None, Some(d)) => Some(d.to_string()),
        (None, None) => None,
    }
}

/// "Backstage component (service, production)."
pub fn kind_sentence(kind: &str, spec: Option<&Node>) -> String {
    let word = match kind.to_ascii_lowercase().as_str() {
        "api" => "API".to_string(),
        other => other.to_string(),
    };
    let field = |key: &str| spec.and_then(|s| s.get_str(key)).map(str::trim).filter(|v| !v.is_empty());
    let details: Vec<&str> = ["type", "lifecycle"].into_iter().filter_map(field).collect();
    if details.is_empty() {
        format!("Backstage {word}.")
    } else {
        format!("Backstage {word} ({}).", details.join(", "))
    }
}

/// A Group's display name, parent and e-mail.
pub fn group_sentences(spec: Option<&Node>) -> Option<String> {
    let spec = spec?;
    let mut parts = Vec::new();
    let profile = spec.get("profile");
    if let Some(display) = profile.and_then(|p| p.get_str("displayName")).map(str::trim).filter(|d| !d.is_empty()) {
        parts.push(format!("Known as {display}."));
    }
    if let Some(email) = profile.and_then(|p| p.get_str("email")).map(str::trim).filter(|e| !e.is_empty()) {
        parts.push(format!("E-mail {email}."));
    }
    if let Some(parent) = spec.get_str("parent").map(str::trim).filter(|p| !p.is_empty()) {
        parts.push(format!("Part of group {}.", code(parent)));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `metadata.links`: the first dashboard and runbook links fill those attributes, every
/// other link is listed in the returned paragraph.
pub fn links(path: &str, metadata: &Node, attrs: &mut NodeAttrs) -> Option<String> {
    let mut others = Vec::new();
    for link in metadata.get("links").and_then(Node::as_seq).unwrap_or_default() {
        let Some(url) = link.get("url").filter(|u| u.as_str().is_some_and(|s| !s.trim().is_empty())) else {
            continue;
        };
        let url_text = url.as_str().unwrap_or_default().trim().to_string();
        let title = link.get_str("title").map(str::trim).filter(|t| !t.is_empty());
        let words = ["title", "icon", "type"]
            .iter()
            .filter_map(|k| link.get_str(k))
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        let says = |keys: &[&str]| keys.iter().any(|k| words.contains(k));
        if attrs.runbook.is_none() && says(&["runbook", "playbook"]) {
            attrs.runbook = Some(Located::new(url_text, url.source(path)));
        } else if attrs.dashboard.is_none() && says(&["dashboard", "grafana", "metrics"]) {
            attrs.dashboard = Some(Located::new(url_text, url.source(path)));
        } else {
            others.push(format!("- [{}]({url_text})", title.unwrap_or(&url_text)));
        }
    }
    (!others.is_empty()).then(|| format!("Links:\n\n{}", others.join("\n")))
}

/// Annotations worth a sentence on call; a runbook annotation fills `attrs.runbook`.
pub fn annotations(path: &str, metadata: &Node, attrs: &mut NodeAttrs) -> Vec<String> {
    let mut lines = Vec::new();
    let entries = metadata.get("annotations").and_then(Node::as_map).unwrap_or_default();
    for (key, value) in entries {
        let (Some(key), Some(v)) = (key.as_str(), value.as_str().map(str::trim)) else { continue };
        if v.is_empty() {
            continue;
        }
        let line = match key {
            "pagerduty.com/service-id" => format!("Paged through PagerDuty service {}.", code(v)),
            // The key routes events to the service: a secret of sorts, so it is not repeated.
            "pagerduty.com/integration-key" => "Paged through PagerDuty (an integration key is set).".to_string(),
            "opsgenie.com/component-selector" => format!("Alerts through Opsgenie components {}.", code(v)),
            "backstage.io/techdocs-ref" => format!("TechDocs: {}.", code(v)),
            "backstage.io/source-location" => format!("Source: {}.", code(v)),
            "github.com/project-slug" => format!("GitHub repository [{v}](https://github.com/{v})."),
            "backstage.io/kubernetes-id" => format!("Kubernetes objects labelled `backstage.io/kubernetes-id={v}`."),
            "backstage.io/kubernetes-label-selector" => format!("Kubernetes objects selected by {}.", code(v)),
            "grafana/dashboard-selector" => format!("Grafana dashboards selected by {}.", code(v)),
            "argocd/app-name" => format!("Deployed by Argo CD application {}.", code(v)),
            "runbook" | "opsbook.io/runbook" => {
                attrs.runbook = Some(Located::new(v.to_string(), value.source(path)));
                continue;
            }
            _ => continue,
        };
        lines.push(line);
    }
    lines
}

/// `text` as inline code, with a fence long enough for any backticks inside.
pub fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

/// The people of a file by group name: a display name (or the user name) and an e-mail.
pub type Members = BTreeMap<String, Vec<String>>;

/// Users of a file by the groups of their `memberOf`, so a group's page lists who to call.
/// Only users in the same file are known: no extractor sees another file.
pub fn members(docs: &[&Node]) -> Members {
    let mut by_group = Members::new();
    for doc in docs {
        if !doc.get_str("kind").is_some_and(|k| k.trim().eq_ignore_ascii_case("user")) {
            continue;
        }
        let Some(name) = doc.get("metadata").and_then(|m| m.get_str("name")).map(str::trim).filter(|n| !n.is_empty())
        else {
            continue;
        };
        let spec = doc.get("spec");
        let profile = spec.and_then(|s| s.get("profile"));
        let field = |key: &str| profile.and_then(|p| p.get_str(key)).map(str::trim).filter(|v| !v.is_empty());
        let mut person = field("displayName").unwrap_or(name).to_string();
        if let Some(email) = field("email") {
            person.push_str(&format!(" ({email})"));
        }
        let groups = spec.and_then(|s| s.get("memberOf")).and_then(Node::as_seq).unwrap_or_default();
        for group in groups.iter().filter_map(Node::as_str).filter_map(|g| EntityRef::parse(g, "group")) {
            let people = by_group.entry(group.name).or_default();
            if !people.contains(&person) {
                people.push(person.clone());
            }
        }
    }
    by_group
}
