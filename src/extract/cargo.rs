//! Cargo manifests: a package's name and folder, a binary crate as a service, path dependencies as its edges.
//!
//! A manifest alone cannot see `src/main.rs`, so only a package that declares a `[[bin]]`
//! target becomes a `service` node; every other package (a library, or a binary built from
//! the default `src/main.rs`) stays a package fact, which still joins its Rust steps to a
//! compose or Kubernetes service of the same name.

use crate::diag::Diagnostic;
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, PackageFact, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Source, line_col};

/// The dependency tables whose path entries a running binary needs. `[dev-dependencies]`
/// is left out on purpose: a test helper being broken does not stop a service.
const RUNTIME_TABLES: [&str; 2] = ["dependencies", "build-dependencies"];

/// Reads `[package] name`, `[[bin]]`, path dependencies and `[workspace] members`.
/// Workspace roots without a package give no facts.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let table = match toml::from_str::<toml::Table>(text) {
        Ok(table) => table,
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            let len = e.span().map_or(0, |s| s.len());
            out.diagnostics.push(
                Diagnostic::error(
                    "parse-error",
                    Source::new(path, line, column),
                    format!("invalid Cargo.toml: {}", e.message()),
                )
                .with_len(len),
            );
            return out;
        }
    };
    let package = table.get("package").and_then(|p| p.as_table());
    let Some(name) = package.and_then(|p| p.get("name")).and_then(|n| n.as_str()) else {
        return out;
    };
    let line =
        text.lines().position(|l| l.trim_start().starts_with("name") && l.contains(name)).map_or(1, |i| i as u32 + 1);
    let source = Source::new(path, line, 1);
    out.facts.packages.push(PackageFact { name: name.to_string(), dir, source: source.clone() });

    if table.get("bin").and_then(|b| b.as_array()).is_some_and(|b| !b.is_empty()) {
        let mut node = NodeFact::new(NodeKind::Service, name, source);
        let mut description: Vec<String> = Vec::new();
        if let Some(d) = package.and_then(|p| p.get("description")).and_then(|d| d.as_str()) {
            description.push(d.to_string());
        }
        if let Some(members) = workspace_members(&table) {
            description.push(format!("Cargo workspace root; members: {}.", members.join(", ")));
        }
        node.attrs.description = (!description.is_empty()).then(|| description.join("\n\n"));
        out.facts.nodes.push(node);
    }

    for section in RUNTIME_TABLES {
        let Some(deps) = table.get(section).and_then(|d| d.as_table()) else { continue };
        for (key, spec) in deps {
            let Some(spec) = spec.as_table() else { continue };
            if !spec.contains_key("path") {
                continue;
            }
            // `alias = { package = "real-name", path = "..." }`: the package is the real name.
            let target = spec.get("package").and_then(|p| p.as_str()).unwrap_or(key);
            out.facts.edges.push(EdgeFact {
                from: NodeRef::new(NodeKind::Service, name),
                to: NodeRef::any(target),
                kind: EdgeKind::DependsOn,
                source: Source::new(path, dependency_line(text, section, key).unwrap_or(line), 1),
                resolve: Resolve::IfKnown,
                detail: Some("path dependency".to_string()),
            });
        }
    }
    out
}

fn workspace_members(table: &toml::Table) -> Option<Vec<String>> {
    let members = table.get("workspace")?.get("members")?.as_array()?;
    let names: Vec<String> = members.iter().filter_map(|m| m.as_str()).map(str::to_string).collect();
    (!names.is_empty()).then_some(names)
}

/// The 1-based line of `key` in `[section]`, or of a `[section.key]` header.
fn dependency_line(text: &str, section: &str, key: &str) -> Option<u32> {
    let mut inside = false;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.starts_with('[') {
            let header = l.trim_start_matches('[').split(']').next().unwrap_or("").trim();
            if header == format!("{section}.{key}") || header == format!("{section}.\"{key}\"") {
                return Some(i as u32 + 1);
            }
            inside = header == section;
            continue;
        }
        let Some(rest) = l.strip_prefix(key).or_else(|| l.strip_prefix(&format!("\"{key}\""))) else { continue };
        if inside && matches!(rest.trim_start().chars().next(), Some('=' | '.')) {
            return Some(i as u32 + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_and_folder() {
        let x = extract("payments/Cargo.toml", "[package]\nname = \"payments-worker\"\n");
        assert_eq!(x.facts.packages[0].name, "payments-worker");
        assert_eq!(x.facts.packages[0].dir, "payments");
        assert_eq!(x.facts.packages[0].source.line, 2);
    }

    #[test]
    fn broken_manifest_is_a_parse_error_with_its_line() {
        let x = extract("Cargo.toml", "[package]\nname = \n");
        assert_eq!(x.diagnostics[0].code, "parse-error");
        assert_eq!(x.diagnostics[0].source.line, 2);
    }

    const API: &str = r#"[package]
name = "orders-api"
description = "Takes orders"

[[bin]]
name = "orders-api"
path = "src/main.rs"

[dependencies]
serde = "1"
ledger = { path = "../ledger" }
client = { package = "billing-client", path = "../billing-client" }

[dev-dependencies]
fixtures = { path = "../fixtures" }

[dependencies.audit]
path = "../audit"
"#;

    #[test]
    fn a_bin_crate_is_a_service_that_depends_on_its_path_dependencies() {
        let x = extract("orders/Cargo.toml", API);
        let services: Vec<_> = x.facts.nodes.iter().map(|n| (n.kind, n.name.as_str())).collect();
        assert_eq!(services, [(NodeKind::Service, "orders-api")]);
        assert_eq!(x.facts.nodes[0].attrs.description.as_deref(), Some("Takes orders"));
        let edges: Vec<_> = x.facts.edges.iter().map(|e| (e.to.name.as_str(), e.source.line)).collect();
        // The rename is followed to the real package; the registry crate and the dev-dependency are not edges.
        assert_eq!(edges, [("audit", 17), ("billing-client", 12), ("ledger", 11)]);
        let e = &x.facts.edges[0];
        assert_eq!((e.from.kind, e.from.name.as_str()), (Some(NodeKind::Service), "orders-api"));
        assert_eq!(
            (e.kind, e.resolve, e.detail.as_deref()),
            (EdgeKind::DependsOn, Resolve::IfKnown, Some("path dependency"))
        );
    }

    #[test]
    fn a_path_dependency_on_another_bin_crate_is_an_edge_in_the_model() {
        let api = extract("orders/Cargo.toml", API);
        let ledger = extract("ledger/Cargo.toml", "[package]\nname = \"ledger\"\n[[bin]]\nname = \"ledger\"\n");
        let lib = extract("audit/Cargo.toml", "[package]\nname = \"audit\"\n[lib]\npath = \"src/lib.rs\"\n");
        assert!(lib.facts.nodes.is_empty(), "a library is no service: {:?}", lib.facts.nodes);
        assert_eq!(lib.facts.packages[0].name, "audit");
        let graph = crate::model::build([&api.facts, &ledger.facts, &lib.facts]);
        let g = &graph.graph;
        let edges: Vec<_> = g
            .edge_indices()
            .filter_map(|e| g.edge_endpoints(e).map(|(a, b)| (g[a].id.as_str(), g[b].id.as_str(), g[e].kind)))
            .collect();
        assert_eq!(edges, [("service:orders-api", "service:ledger", EdgeKind::DependsOn)]);
        assert!(graph.dangling.is_empty(), "an unknown path dependency is dropped, not dangling");
    }

    #[test]
    fn a_workspace_root_with_a_bin_notes_its_members() {
        let text = "[workspace]\nmembers = [\"a\", \"b\"]\n[package]\nname = \"root\"\n[[bin]]\nname = \"root\"\n";
        let x = extract("Cargo.toml", text);
        let d = x.facts.nodes[0].attrs.description.as_deref().unwrap_or_default();
        assert!(d.contains("members: a, b"), "{d}");
        // A virtual manifest gives nothing.
        assert_eq!(extract("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"), Extracted::default());
    }

    #[test]
    fn opsbook_itself_is_a_bin_crate() {
        let text = include_str!("../../Cargo.toml");
        let x = extract("Cargo.toml", text);
        assert_eq!(x.diagnostics, []);
        let nodes: Vec<_> = x.facts.nodes.iter().map(|n| (n.kind, n.name.as_str(), n.source.line)).collect();
        assert_eq!(nodes, [(NodeKind::Service, "opsbook", 2)]);
        assert!(x.facts.edges.is_empty(), "opsbook has no path dependencies");
    }
}
