//! Backstage entity references, `[kind:][namespace/]name`, and the node kinds they name.

use crate::model::NodeKind;

/// One entity reference as written, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityRef {
    /// The kind, lower-cased: written, or the field's default.
    pub kind: String,
    /// A namespace other than `default`; `None` for the default one.
    pub namespace: Option<String>,
    pub name: String,
}

impl EntityRef {
    /// Reads `text`; `default_kind` is the kind the field implies when none is written
    /// (`owner` → `group`, `dependsOn` → `component`). `None` for an empty name.
    pub fn parse(text: &str, default_kind: &str) -> Option<EntityRef> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((k, rest)) if !k.is_empty() && !k.contains('/') => (k.to_ascii_lowercase(), rest),
            _ => (default_kind.to_string(), text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, rest),
        };
        let namespace = namespace.filter(|ns| !ns.is_empty() && !ns.eq_ignore_ascii_case("default"));
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        Some(EntityRef { kind, namespace: namespace.map(str::to_string), name: name.to_string() })
    }

    /// The node kind this reference names in opsbook's graph; `None` for kinds that are
    /// not nodes (a user, a location, a kind opsbook does not know).
    pub fn node_kind(&self) -> Option<NodeKind> {
        node_kind(&self.kind)
    }

    /// Words for an edge whose end lives in another namespace.
    pub fn namespace_note(&self) -> Option<String> {
        self.namespace.as_ref().map(|ns| format!("namespace `{ns}`"))
    }
}

/// The opsbook node kind of a Backstage kind (any case).
pub fn node_kind(kind: &str) -> Option<NodeKind> {
    match kind.to_ascii_lowercase().as_str() {
        "component" => Some(NodeKind::Service),
        "api" => Some(NodeKind::Api),
        "resource" => Some(NodeKind::Resource),
        "system" | "domain" => Some(NodeKind::System),
        "group" => Some(NodeKind::Team),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str, default: &str) -> (String, Option<String>, String) {
        let r = EntityRef::parse(text, default).expect("a ref");
        (r.kind, r.namespace, r.name)
    }

    #[test]
    fn refs_with_and_without_kind_and_namespace() {
        assert_eq!(r("team-a", "group"), ("group".into(), None, "team-a".into()));
        assert_eq!(r("group:default/team-a", "group"), ("group".into(), None, "team-a".into()));
        assert_eq!(r("resource:artists-db", "component"), ("resource".into(), None, "artists-db".into()));
        assert_eq!(r("Component:default/foo", "component"), ("component".into(), None, "foo".into()));
        assert_eq!(
            r("backstage/maintainers", "group"),
            ("group".into(), Some("backstage".into()), "maintainers".into())
        );
        assert_eq!(r("user:guest", "group"), ("user".into(), None, "guest".into()));
        assert_eq!(EntityRef::parse("  ", "group"), None);
        assert_eq!(EntityRef::parse("group:default/", "group"), None);
    }

    #[test]
    fn kinds_map_to_nodes() {
        assert_eq!(node_kind("Component"), Some(NodeKind::Service));
        assert_eq!(node_kind("resource"), Some(NodeKind::Resource));
        assert_eq!(node_kind("API"), Some(NodeKind::Api));
        assert_eq!(node_kind("user"), None);
    }
}
