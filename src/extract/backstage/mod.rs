//! Backstage catalog entities: components, APIs, resources, systems, groups, with owners, relations and links.
//!
//! Every `---` document whose `apiVersion` starts with `backstage.io/` is one entity; other
//! documents of the file (Kubernetes objects, Argo workflows) are left to their readers.
//! Components become `service` nodes, so a component, a compose service and a Kubernetes
//! Service of the same name are one node in the model. Users and Locations give no node.

mod about;
mod edges;
mod refs;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{Extracted, NodeFact};
use crate::model::NodeKind;
use crate::source::Located;

use refs::EntityRef;

/// Reads every Backstage entity of a catalog file.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    match yaml::parse(text) {
        Ok(docs) => {
            let docs: Vec<&Node> = docs.iter().filter(|d| is_backstage(d)).collect();
            let members = about::members(&docs);
            for doc in docs {
                entity(path, doc, &members, &mut out);
            }
        }
        Err(e) => out.diagnostics.push(yaml::parse_error(path, &e, "YAML")),
    }
    out
}

/// Whether a YAML or JSON file of no telling name holds this format, from its text alone.
pub fn claims(text: &str) -> bool {
    text.contains("backstage.io/")
}

fn is_backstage(doc: &Node) -> bool {
    doc.get_str("apiVersion").is_some_and(|v| v.trim().starts_with("backstage.io/"))
}

/// One entity document; `members` are the users of the file by the group they belong to.
fn entity(path: &str, doc: &Node, members: &about::Members, out: &mut Extracted) {
    let kind = doc.get_str("kind").unwrap_or_default().trim();
    let Some(node_kind) = refs::node_kind(kind) else {
        // User, Location, Template and custom kinds (AiResource) are not operational nodes.
        return;
    };
    let metadata = doc.get("metadata");
    let name = metadata.and_then(|m| m.get("name"));
    let Some((name, name_node)) = name.and_then(|n| Some((n.as_str()?.trim(), n))).filter(|(n, _)| !n.is_empty())
    else {
        let at = metadata.unwrap_or(doc);
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            at.source(path),
            format!("Backstage {kind} has no `metadata.name`; it is skipped"),
        ));
        return;
    };
    let metadata = metadata.unwrap_or(doc);
    let spec = doc.get("spec");
    let mut node = NodeFact::new(node_kind, name, name_node.source(path));
    let mut lines = Vec::new();
    if let Some(head) = about::headline(metadata) {
        lines.push(head);
    }
    lines.push(about::kind_sentence(kind, spec));
    if let Some(ns) = metadata.get_str("namespace").map(str::trim).filter(|ns| !ns.is_empty() && *ns != "default") {
        lines.push(format!("In Backstage namespace `{ns}`."));
    }
    if let Some(owner) = spec.and_then(|s| s.get("owner"))
        && let Some(r) = owner.as_str().and_then(|o| EntityRef::parse(o, "group"))
    {
        if r.kind != "group" || r.namespace.is_some() {
            lines.push(format!("Owned by {} in Backstage.", about::code(owner.as_str().unwrap_or_default().trim())));
        }
        node.attrs.owner = Some(Located::new(r.name, owner.source(path)));
    }
    if node_kind == NodeKind::Team
        && let Some(group) = about::group_sentences(spec)
    {
        lines.push(group);
    }
    if node_kind == NodeKind::Team
        && let Some(people) = members.get(name)
    {
        lines.push(format!("Members: {}.", people.join(", ")));
    }
    let links = about::links(path, metadata, &mut node.attrs);
    lines.extend(about::annotations(path, metadata, &mut node.attrs));
    lines.extend(links);
    node.attrs.description = Some(lines.join("\n\n"));
    let from = crate::extract::NodeRef::new(node_kind, name);
    edges::of_entity(path, &from, kind, spec, &mut out.facts.edges, &mut out.diagnostics);
    out.facts.nodes.push(node);
}
