//! CODEOWNERS pattern matching and owners given to nodes, on hand-written facts.

use super::*;
use crate::extract::{Facts, NodeFact, codeowners};
use crate::model::{EdgeKind, build};
use crate::source::Source;

#[test]
fn patterns_match_as_github_documents() {
    let table: &[(&str, &str, bool)] = &[
        // Unanchored: any depth.
        ("*", "a/b/c.rs", true),
        ("*.js", "app.js", true),
        ("*.js", "web/src/app.js", true),
        ("*.js", "web/src/app.ts", false),
        ("docs", "docs/x.md", true),
        ("docs", "svc/docs/x.md", true),
        ("apps/", "apps/a/b.rs", true),
        ("apps/", "svc/apps/b.rs", true),
        ("apps/", "apps", false),
        // Anchored.
        ("/docs/", "docs/guide/x.md", true),
        ("/docs/", "svc/docs/x.md", false),
        ("/svc/", "svc/compose.yaml", true),
        ("/README.md", "README.md", true),
        ("/README.md", "x/README.md", false),
        ("svc/api", "svc/api/main.rs", true),
        ("svc/api", "x/svc/api/main.rs", false),
        // `*` stays within a segment; `docs/*` matches direct children only.
        ("docs/*", "docs/a.md", true),
        ("docs/*", "docs/a/b.md", false),
        ("/src/*.rs", "src/main.rs", true),
        ("/src/*.rs", "src/bin/x.rs", false),
        // `**` crosses folders.
        ("/docs/**", "docs/a/b/c.md", true),
        ("**/logs", "a/b/logs/x.log", true),
        ("**/logs", "logs", true),
        ("/.features/**/*.md", ".features/x/y/z.md", true),
        ("/.features/**/*.md", ".features/z.md", true),
        ("/.features/**/*.md", ".features/z.txt", false),
        ("a?c.rs", "abc.rs", true),
        ("a?c.rs", "abbc.rs", false),
    ];
    for &(pattern, path, want) in table {
        assert_eq!(matches(pattern, path), want, "{pattern} vs {path}");
    }
}

fn rules(path: &str, text: &str) -> Facts {
    let x = codeowners::extract(path, text);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    x.facts
}

fn node(kind: NodeKind, name: &str, file: &str) -> NodeFact {
    NodeFact::new(kind, name, Source::new(file, 3, 1))
}

fn owner(g: &Graph, id: &str) -> Option<(String, Source)> {
    let n = g.node(id).unwrap_or_else(|| panic!("no {id}"));
    n.attrs.owner.as_ref().map(|o| (o.value.clone(), o.source.clone()))
}

#[test]
fn last_matching_rule_wins_and_an_empty_rule_clears() {
    let owners = rules("CODEOWNERS", "* @acme/all\n*.rs @acme/rust @dev\n/vendor/\n");
    let code = Facts {
        nodes: vec![
            node(NodeKind::Step, "a", "src/a.rs"),
            node(NodeKind::Step, "b", "vendor/b.rs"),
            node(NodeKind::Service, "web", "compose.yaml"),
        ],
        ..Facts::default()
    };
    let g = build([&owners, &code]);
    assert_eq!(owner(&g, "step:a"), Some(("@acme/rust, @dev".into(), Source::new("CODEOWNERS", 2, 1))));
    assert_eq!(owner(&g, "step:b"), None);
    assert_eq!(owner(&g, "service:web").map(|o| o.0), Some("@acme/all".into()));
}

#[test]
fn compose_service_gets_its_folder_owner_as_a_team_that_owns_it() {
    let owners = rules(".github/CODEOWNERS", "/svc/ @acme/platform\n");
    let compose = Facts { nodes: vec![node(NodeKind::Service, "api", "svc/compose.yaml")], ..Facts::default() };
    let g = build([&owners, &compose]);
    assert_eq!(owner(&g, "service:api"), Some(("@acme/platform".into(), Source::new(".github/CODEOWNERS", 1, 1))));
    let team = g.by_id["team:acme-platform"];
    assert_eq!(g.graph[team].name, "@acme/platform");
    let api = g.by_id["service:api"];
    let owns = g.graph.edges_connecting(team, api).any(|e| e.weight().kind == EdgeKind::Owns);
    assert!(owns, "the team owns the service");
}

#[test]
fn a_declared_owner_wins() {
    let owners = rules("CODEOWNERS", "* @acme/all\n");
    let mut step = node(NodeKind::Step, "charge", "pay/src/lib.rs");
    step.attrs.owner = Some(Located::new("payments".into(), Source::new("pay/src/lib.rs", 2, 5)));
    let rust = Facts { nodes: vec![step], ..Facts::default() };
    let g = build([&owners, &rust]);
    assert_eq!(owner(&g, "step:charge").map(|o| o.0), Some("payments".into()));
}

#[test]
fn a_sub_repository_uses_its_own_file_and_github_folder_beats_root() {
    let top = rules("CODEOWNERS", "* @acme/root\n");
    let top_github = rules(".github/CODEOWNERS", "* @acme/github\n");
    let sub = rules("svc/.github/CODEOWNERS", "/api/ @acme/svc-api\n");
    let sub_root = rules("svc/CODEOWNERS", "* @acme/ignored\n");
    let code = Facts {
        nodes: vec![
            node(NodeKind::Service, "api", "svc/api/compose.yaml"),
            node(NodeKind::Service, "other", "svc/other/compose.yaml"),
            node(NodeKind::Service, "web", "web/compose.yaml"),
        ],
        ..Facts::default()
    };
    let g = build([&top, &top_github, &sub, &sub_root, &code]);
    assert_eq!(owner(&g, "service:api").map(|o| o.0), Some("@acme/svc-api".into()));
    // The sub-repository's file has no rule for it: the root's files do not speak for it.
    assert_eq!(owner(&g, "service:other"), None);
    assert_eq!(owner(&g, "service:web").map(|o| o.0), Some("@acme/github".into()));
}

#[test]
fn owners_do_not_depend_on_the_order_of_facts() {
    let a = rules("CODEOWNERS", "* @acme/root\n");
    let b = rules(".github/CODEOWNERS", "*.rs @acme/rust\n/svc/ @acme/svc\n");
    let c = Facts {
        nodes: vec![node(NodeKind::Step, "s", "svc/src/s.rs"), node(NodeKind::Service, "svc", "svc/compose.yaml")],
        ..Facts::default()
    };
    let one = build([&a, &b, &c]);
    let two = build([&c, &b, &a]);
    for id in ["step:s", "service:svc"] {
        assert_eq!(owner(&one, id), owner(&two, id));
    }
    assert_eq!(owner(&one, "step:s").map(|o| o.0), Some("@acme/svc".into()));
    let ids = |g: &Graph| g.by_id.keys().cloned().collect::<Vec<_>>();
    assert_eq!(ids(&one), ids(&two));
}

#[test]
fn many_double_stars_match_in_linear_time() {
    // Backtracking would try every way to split 40 parts among 30 `**`: far past any timeout.
    let pattern = format!("/{}z", "**/a/".repeat(30));
    let path = format!("{}b", "a/".repeat(40));
    assert!(!matches(&pattern, &path));
    let hit = format!("{}z", "a/".repeat(40));
    assert!(matches(&pattern, &hit));
    assert!(matches("/**/**/**/x", "x") && matches("/**/**/**/x", "p/q/x") && !matches("/**/**/x", "p/q/y"));
}

#[test]
fn leading_segments_reject_only_what_cannot_match() {
    let table: &[(&str, &str, bool)] = &[
        ("/services/orders/", "services/orders/src/a.rs", true),
        ("/services/orders/", "services/billing/src/a.rs", false),
        ("/services/orders/", "services", false),
        ("/services/orders", "services/orders", true),
        ("services/*/src", "services/a/src/b/c.rs", true),
        ("services/*/src", "services/a/lib/c.rs", false),
        ("/svc/**/x.rs", "svc/x.rs", true),
        ("/svc/**/x.rs", "other/x.rs", false),
        ("/s?c/", "sac/main.rs", true),
        ("/s?c/", "sc/main.rs", false),
        ("/", "anything/at/all.rs", true),
        ("///", "a.rs", true),
    ];
    for &(pattern, path, want) in table {
        assert_eq!(matches(pattern, path), want, "{pattern} vs {path}");
    }
}
