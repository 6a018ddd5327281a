//! An entity's relations: `system`, `domain`, `subcomponentOf`, `dependsOn`, `dependencyOf`,
//! `providesApis`, `consumesApis`, and an API's `apiProvidedBy` and `apiConsumedBy`.

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{EdgeFact, NodeRef, Resolve};
use crate::model::EdgeKind;

use super::refs::EntityRef;

/// Which way an edge runs between this entity and the entity a field names.
#[derive(Clone, Copy)]
enum Dir {
    /// this → named
    Out,
    /// named → this
    In,
}

/// A relation field: its key, the kind its refs default to, the edge and its direction.
struct Field {
    key: &'static str,
    default_kind: &'static str,
    edge: EdgeKind,
    dir: Dir,
    detail: Option<&'static str>,
}

const fn field(key: &'static str, default_kind: &'static str, edge: EdgeKind, dir: Dir) -> Field {
    Field { key, default_kind, edge, dir, detail: None }
}

const FIELDS: [Field; 9] = [
    field("system", "system", EdgeKind::Contains, Dir::In),
    field("domain", "domain", EdgeKind::Contains, Dir::In),
    field("subcomponentOf", "component", EdgeKind::Contains, Dir::In),
    field("dependsOn", "component", EdgeKind::DependsOn, Dir::Out),
    field("dependencyOf", "component", EdgeKind::DependsOn, Dir::In),
    field("consumesApis", "api", EdgeKind::DependsOn, Dir::Out),
    // An API breaks when its provider is down.
    Field { detail: Some("provided by"), ..field("providesApis", "api", EdgeKind::DependsOn, Dir::In) },
    Field { detail: Some("provided by"), ..field("apiProvidedBy", "component", EdgeKind::DependsOn, Dir::Out) },
    field("apiConsumedBy", "component", EdgeKind::DependsOn, Dir::In),
];

/// Edges of entity `me` (of Backstage kind `kind`) from its `spec`, each pointing at the
/// reference that states it. The same edge stated twice in a file is kept once.
pub fn of_entity(
    path: &str,
    me: &NodeRef,
    kind: &str,
    spec: Option<&Node>,
    edges: &mut Vec<EdgeFact>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(spec) = spec else { return };
    let is_group = kind.eq_ignore_ascii_case("group");
    for f in &FIELDS {
        // A Group's `parent` is a note in its description, and groups relate to nothing else here.
        if is_group {
            break;
        }
        let Some(value) = spec.get(f.key).filter(|v| !v.is_null()) else { continue };
        let items: Vec<&Node> = match (value.as_seq(), value.as_str()) {
            (Some(seq), _) => seq.iter().collect(),
            (None, Some(_)) => vec![value],
            (None, None) => {
                diags.push(Diagnostic::warning(
                    "invalid-value",
                    value.source(path),
                    format!("`spec.{}` must be an entity reference or a list of them, found {}", f.key, value.shape()),
                ));
                continue;
            }
        };
        for item in items {
            let Some(r) = item.as_str().and_then(|t| EntityRef::parse(t, f.default_kind)) else {
                diags.push(Diagnostic::warning(
                    "invalid-value",
                    item.source(path),
                    format!("`spec.{}` holds {}, not an entity reference; it is skipped", f.key, item.shape()),
                ));
                continue;
            };
            let Some(other_kind) = r.node_kind() else { continue };
            let other = NodeRef::new(other_kind, r.name.clone());
            let (from, to) = match f.dir {
                Dir::Out => (me.clone(), other),
                Dir::In => (other, me.clone()),
            };
            if from == to {
                continue;
            }
            let detail = match (f.detail, r.namespace_note()) {
                (Some(d), Some(ns)) => Some(format!("{d}, {ns}")),
                (Some(d), None) => Some(d.to_string()),
                (None, ns) => ns,
            };
            let duplicate = edges.iter().any(|e| e.from == from && e.to == to && e.kind == f.edge);
            if !duplicate {
                edges.push(EdgeFact {
                    from,
                    to,
                    kind: f.edge,
                    source: item.source(path),
                    resolve: Resolve::External,
                    detail,
                });
            }
        }
    }
}
