//! The extractor on the real catalog files in `shared/corpus`.

use super::*;
use crate::extract::Resolve;

const EXAMPLES: &str = "backstage-catalog/packages/catalog-model/examples/";

/// Every YAML file of both corpus folders, with the nodes of each kind and the edges it gives:
/// (file, services, APIs, resources, systems, teams, edges).
const COUNTS: [(&str, usize, usize, usize, usize, usize, usize); 17] = [
    ("backstage-catalog/packages/catalog-model/examples/acme/team-a-group.yaml", 0, 0, 0, 0, 1, 0),
    ("backstage-catalog/packages/catalog-model/examples/all-components.yaml", 0, 0, 0, 0, 0, 0),
    ("backstage-catalog/packages/catalog-model/examples/apis/wayback-search-api.yaml", 0, 1, 0, 0, 0, 0),
    ("backstage-catalog/packages/catalog-model/examples/components/artist-lookup-component.yaml", 1, 0, 0, 0, 0, 2),
    ("backstage-catalog/packages/catalog-model/examples/components/playback-order-component.yaml", 1, 0, 0, 0, 0, 1),
    ("backstage-catalog/packages/catalog-model/examples/components/wayback-archive-component.yaml", 1, 0, 0, 0, 0, 1),
    (
        "backstage-catalog/packages/catalog-model/examples/components/wayback-archive-ingestion-component.yaml",
        1,
        0,
        0,
        0,
        0,
        1,
    ),
    (
        "backstage-catalog/packages/catalog-model/examples/components/wayback-archive-storage-component.yaml",
        1,
        0,
        0,
        0,
        0,
        1,
    ),
    ("backstage-catalog/packages/catalog-model/examples/components/wayback-search-component.yaml", 1, 0, 0, 0, 0, 2),
    ("backstage-catalog/packages/catalog-model/examples/domains/artists-domain.yaml", 0, 0, 0, 1, 0, 0),
    ("backstage-catalog/packages/catalog-model/examples/resources/artists-db-resource.yaml", 0, 0, 1, 0, 0, 1),
    (
        "backstage-catalog/packages/catalog-model/examples/systems/artist-engagement-portal-system.yaml",
        0,
        0,
        0,
        1,
        0,
        1,
    ),
    ("backstage-demo/.github/workflows/master.yml", 0, 0, 0, 0, 0, 0),
    ("backstage-demo/catalog-info.yaml", 1, 1, 0, 0, 0, 1),
    ("backstage-demo/examples/ai-resources.yaml", 0, 0, 0, 0, 0, 0),
    ("backstage-demo/examples/mcp-server-api.yaml", 0, 1, 0, 0, 0, 0),
    ("backstage-demo/open-telemetry/docker-compose.yaml", 0, 0, 0, 0, 0, 0),
];

/// Every YAML file below the two corpus folders, relative to the corpus.
fn corpus_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = ["backstage-catalog", "backstage-demo"]
        .iter()
        .map(|d| std::path::PathBuf::from(format!("{CORPUS}{d}")))
        .collect();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                files.push(path.to_string_lossy().trim_start_matches(CORPUS).to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_corpus_file_extracts_its_counts_without_diagnostics() {
    let files = corpus_files();
    let expected: Vec<&str> = COUNTS.iter().map(|c| c.0).collect();
    assert_eq!(files, expected);
    for (file, services, apis, resources, systems, teams, edges) in &COUNTS {
        let x = corpus(file);
        assert!(x.diagnostics.is_empty(), "{file}: {:#?}", x.diagnostics);
        let got = (
            count(&x, NodeKind::Service),
            count(&x, NodeKind::Api),
            count(&x, NodeKind::Resource),
            count(&x, NodeKind::System),
            count(&x, NodeKind::Team),
            x.facts.edges.len(),
        );
        assert_eq!(got, (*services, *apis, *resources, *systems, *teams, *edges), "{file}");
        assert!(x.facts.edges.iter().all(|e| e.resolve == Resolve::External && e.source.file == *file), "{file}");
    }
}

#[test]
fn a_component_has_owner_lifecycle_system_and_depends_on_a_resource() {
    let x = corpus(&format!("{EXAMPLES}components/artist-lookup-component.yaml"));
    let n = x.node(NodeKind::Service, "artist-lookup");
    assert_eq!((n.source.line, n.source.column), (7, 9));
    let owner = n.attrs.owner.as_ref().expect("owner");
    assert_eq!((owner.value.as_str(), owner.source.line), ("team-a", 37));
    let d = description(&x, NodeKind::Service, "artist-lookup");
    assert!(d.starts_with("Artist Lookup\n\nBackstage component (service, experimental)."), "{d}");
    assert!(d.contains("TechDocs: `url:https://github.com/jsqcloud/backstage/tree/master`."), "{d}");
    let system = edge(&x, "artist-engagement-portal", EdgeKind::Contains, "artist-lookup");
    assert_eq!((system.from.kind, system.source.line), (Some(NodeKind::System), 38));
    let db = edge(&x, "artist-lookup", EdgeKind::DependsOn, "artists-db");
    assert_eq!((db.to.kind, db.source.line, db.source.column), (Some(NodeKind::Resource), 39, 15));
}

#[test]
fn metadata_links_fill_the_dashboard_and_list_the_rest() {
    let x = corpus(&format!("{EXAMPLES}components/artist-lookup-component.yaml"));
    let n = x.node(NodeKind::Service, "artist-lookup");
    let dashboard = n.attrs.dashboard.as_ref().expect("dashboard");
    assert_eq!((dashboard.value.as_str(), dashboard.source.line), ("https://example.com/dashboard", 22));
    assert_eq!(n.attrs.runbook, None);
    let d = description(&x, NodeKind::Service, "artist-lookup");
    assert!(d.contains("Links:\n\n- [Examples Users](https://example.com/user)\n"), "{d}");
    assert!(d.ends_with("- [Alerts](https://example.com/alert)"), "{d}");
    assert_eq!(d.matches("\n- [").count(), 6, "{d}");
    let x = corpus(&format!("{EXAMPLES}domains/artists-domain.yaml"));
    let domain = x.node(NodeKind::System, "artists");
    let dashboard = domain.attrs.dashboard.as_ref().expect("dashboard");
    assert_eq!(dashboard.value, "http://example.com/domains/artists/dashboard");
    let d = description(&x, NodeKind::System, "artists");
    assert!(d.starts_with("**Artists**: Everything related to artists\n\nBackstage domain."), "{d}");
}

#[test]
fn apis_provided_and_consumed() {
    let x = corpus(&format!("{EXAMPLES}components/wayback-search-component.yaml"));
    let provided = edge(&x, "wayback-search", EdgeKind::DependsOn, "wayback-search");
    assert_eq!((provided.from.kind, provided.to.kind), (Some(NodeKind::Api), Some(NodeKind::Service)));
    assert_eq!((provided.detail.as_deref(), provided.source.line), (Some("provided by"), 13));
    let consumed = edge(&x, "wayback-search", EdgeKind::DependsOn, "wayback-archive");
    assert_eq!((consumed.from.kind, consumed.to.kind), (Some(NodeKind::Service), Some(NodeKind::Api)));
    let x = corpus(&format!("{EXAMPLES}apis/wayback-search-api.yaml"));
    assert_eq!(
        description(&x, NodeKind::Api, "wayback-search"),
        "Search API for the wayback machine\n\nBackstage API (openapi, production)."
    );
}

#[test]
fn subcomponents_systems_and_domains_contain() {
    let x = corpus(&format!("{EXAMPLES}components/wayback-archive-storage-component.yaml"));
    let e = edge(&x, "wayback-archive", EdgeKind::Contains, "wayback-archive-storage");
    assert_eq!((e.from.kind, e.source.line), (Some(NodeKind::Service), 10));
    let x = corpus(&format!("{EXAMPLES}systems/artist-engagement-portal-system.yaml"));
    let e = edge(&x, "artists", EdgeKind::Contains, "artist-engagement-portal");
    assert_eq!((e.from.kind, e.to.kind), (Some(NodeKind::System), Some(NodeKind::System)));
    let x = corpus(&format!("{EXAMPLES}resources/artists-db-resource.yaml"));
    let db = x.node(NodeKind::Resource, "artists-db");
    assert_eq!(db.attrs.owner.as_ref().map(|o| o.value.as_str()), Some("team-a"));
    edge(&x, "artist-engagement-portal", EdgeKind::Contains, "artists-db");
}

#[test]
fn a_user_owner_and_a_group_of_users() {
    let x = corpus(&format!("{EXAMPLES}components/playback-order-component.yaml"));
    let n = x.node(NodeKind::Service, "playback-order");
    assert_eq!(n.attrs.owner.as_ref().map(|o| o.value.as_str()), Some("guest"));
    assert!(description(&x, NodeKind::Service, "playback-order").contains("Owned by `user:guest` in Backstage."));
    let x = corpus(&format!("{EXAMPLES}acme/team-a-group.yaml"));
    assert_eq!(x.facts.nodes.len(), 1, "users give no node");
    assert_eq!(
        description(&x, NodeKind::Team, "team-a"),
        "Team A\n\nBackstage group (team).\n\nE-mail team-a@example.com. Part of group `backstage`.\n\n\
         Members: breanna.davison (breanna-davison@example.com), Janelle Dawe (janelle-dawe@example.com), \
         Nigel Manning (nigel-manning@example.com), Guest User (guest@example.com)."
    );
}

#[test]
fn a_multi_document_catalog_info_and_a_location() {
    let x = corpus("backstage-demo/catalog-info.yaml");
    let n = x.node(NodeKind::Service, "backstage-demo");
    assert_eq!(n.attrs.owner.as_ref().map(|o| o.value.as_str()), Some("maintainers"));
    let d = description(&x, NodeKind::Service, "backstage-demo");
    assert!(d.contains("Backstage component (website, experimental)."), "{d}");
    assert!(d.contains("Owned by `backstage/maintainers` in Backstage."), "{d}");
    assert!(d.contains("GitHub repository [backstage/demo](https://github.com/backstage/demo)."), "{d}");
    // `consumesApis` and the API's `apiConsumedBy` state one edge.
    let e = edge(&x, "backstage-demo", EdgeKind::DependsOn, "demo-graphql");
    assert_eq!(e.source.line, 15);
    assert_eq!(x.node(NodeKind::Api, "demo-graphql").source.line, 20);
    assert!(corpus(&format!("{EXAMPLES}all-components.yaml")).facts.nodes.is_empty());
}
