//! Name resolution, merging and blast radius on small hand-written fact sets.

use crate::analyze::blast::blast_radius;
use crate::extract::*;
use crate::model::{EdgeKind, NodeKind, build};
use crate::source::{Located, Source};

fn step_in(file: &str, name: &str, line: u32) -> NodeFact {
    let mut n = NodeFact::new(NodeKind::Step, name, Source::new(file, line, 1));
    n.attrs.function = Some(name.to_string());
    n
}

fn edge(from: NodeRef, to: NodeRef, kind: EdgeKind, file: &str, line: u32, resolve: Resolve) -> EdgeFact {
    EdgeFact { from, to, kind, source: Source::new(file, line, 1), resolve, detail: None }
}

#[test]
fn compose_service_and_rust_service_key_are_one_node() {
    let compose = Facts {
        nodes: vec![NodeFact::new(NodeKind::Service, "erp-sync", Source::new("compose.yaml", 4, 3))],
        ..Facts::default()
    };
    let mut s = step_in("erp/src/erp.rs", "push_order", 14);
    s.attrs.service = Some(Located::new("erp-sync".into(), Source::new("erp/src/erp.rs", 5, 5)));
    let rust = Facts {
        nodes: vec![s, NodeFact::new(NodeKind::Service, "erp-sync", Source::new("erp/src/erp.rs", 5, 5))],
        edges: vec![edge(
            NodeRef::new(NodeKind::Service, "erp-sync"),
            NodeRef::new(NodeKind::Step, "push_order"),
            EdgeKind::Contains,
            "erp/src/erp.rs",
            5,
            Resolve::Required,
        )],
        ..Facts::default()
    };
    let g = build([&compose, &rust]);
    let svc = g.node("service:erp-sync").expect("one merged service");
    assert_eq!(svc.sources.len(), 2);
    assert_eq!(g.graph.node_count(), 2);
    assert_eq!(g.graph.edge_count(), 1);
}

#[test]
fn unknown_dependency_becomes_an_external_resource() {
    let rust = Facts {
        nodes: vec![step_in("src/erp.rs", "push_order", 14)],
        edges: vec![edge(
            NodeRef::new(NodeKind::Step, "push_order"),
            NodeRef::any("erp-api"),
            EdgeKind::DependsOn,
            "src/erp.rs",
            6,
            Resolve::External,
        )],
        ..Facts::default()
    };
    let g = build([&rust]);
    let r = g.node("resource:erp-api").expect("resource created");
    assert!(r.external);
    assert_eq!(r.page, "resources/erp-api.html");
    assert!(g.dangling.is_empty());
}

#[test]
fn calls_resolve_by_function_and_unknown_callees_are_dropped() {
    let mut caller = step_in("a/src/lib.rs", "handle", 3);
    caller.attrs.owner = Some(Located::new("team-a".into(), Source::new("a/src/lib.rs", 2, 5)));
    let mut callee = step_in("b/src/erp.rs", "push_order", 9);
    callee.name = "push-to-erp".into();
    let facts = Facts {
        nodes: vec![caller, callee],
        edges: vec![
            edge(
                NodeRef::new(NodeKind::Step, "handle"),
                NodeRef::new(NodeKind::Step, "push_order"),
                EdgeKind::Calls,
                "a/src/lib.rs",
                5,
                Resolve::IfKnown,
            ),
            edge(
                NodeRef::new(NodeKind::Step, "handle"),
                NodeRef::new(NodeKind::Step, "to_string"),
                EdgeKind::Calls,
                "a/src/lib.rs",
                6,
                Resolve::IfKnown,
            ),
        ],
        ..Facts::default()
    };
    let g = build([&facts]);
    let calls: Vec<_> = g.graph.edge_indices().filter(|&e| g.graph[e].kind == EdgeKind::Calls).collect();
    assert_eq!(calls.len(), 1);
    let (a, b) = g.graph.edge_endpoints(calls[0]).unwrap();
    assert_eq!((g.graph[a].id.as_str(), g.graph[b].id.as_str()), ("step:handle", "step:push-to-erp"));
    assert!(g.node("team:team-a").is_some(), "owners become team nodes");
}

#[test]
fn same_function_name_in_two_files_is_two_steps_with_unique_slugs() {
    let facts =
        Facts { nodes: vec![step_in("a/src/lib.rs", "run", 3), step_in("b/src/lib.rs", "run", 3)], ..Facts::default() };
    let g = build([&facts]);
    assert!(g.node("step:run").is_some());
    assert!(g.node("step:run-2").is_some());
}

#[test]
fn blast_radius_follows_dependents_transitively() {
    let facts = Facts {
        nodes: vec![
            step_in("src/erp.rs", "push_order", 14),
            step_in("src/sync.rs", "sync", 3),
            NodeFact::new(NodeKind::Workflow, "order-to-cash", Source::new("src/sync.rs", 2, 5)),
        ],
        edges: vec![
            edge(
                NodeRef::new(NodeKind::Step, "push_order"),
                NodeRef::any("erp-api"),
                EdgeKind::DependsOn,
                "src/erp.rs",
                6,
                Resolve::External,
            ),
            edge(
                NodeRef::new(NodeKind::Step, "sync"),
                NodeRef::new(NodeKind::Step, "push_order"),
                EdgeKind::Calls,
                "src/sync.rs",
                9,
                Resolve::IfKnown,
            ),
            edge(
                NodeRef::new(NodeKind::Workflow, "order-to-cash"),
                NodeRef::new(NodeKind::Step, "sync"),
                EdgeKind::Contains,
                "src/sync.rs",
                2,
                Resolve::Required,
            ),
        ],
        ..Facts::default()
    };
    let g = build([&facts]);
    let radius = blast_radius(&g);
    assert_eq!(radius["resource:erp-api"], vec!["step:push-order", "step:sync", "workflow:order-to-cash"]);
    assert_eq!(radius["step:push-order"], vec!["step:sync", "workflow:order-to-cash"]);
    assert!(!radius.contains_key("workflow:order-to-cash"));
}

#[test]
fn a_service_inherits_the_owner_all_its_steps_share() {
    let mut s = step_in("erp/src/erp.rs", "push_order", 14);
    s.attrs.owner = Some(Located::new("team-integrations".into(), Source::new("erp/src/erp.rs", 11, 5)));
    let facts = Facts {
        nodes: vec![s, NodeFact::new(NodeKind::Service, "erp-sync", Source::new("compose.yaml", 4, 3))],
        packages: vec![PackageFact {
            name: "erp-sync".into(),
            dir: "erp".into(),
            source: Source::new("erp/Cargo.toml", 2, 1),
        }],
        ..Facts::default()
    };
    let g = build([&facts]);
    let svc = g.node("service:erp-sync").unwrap();
    assert_eq!(svc.attrs.owner.as_ref().map(|o| o.value.as_str()), Some("team-integrations"));
}

#[test]
fn an_unknown_container_of_an_external_edge_is_an_external_node() {
    let catalog = Facts {
        nodes: vec![NodeFact::new(NodeKind::Service, "playback-order", Source::new("catalog-info.yaml", 4, 9))],
        edges: vec![edge(
            NodeRef::new(NodeKind::System, "audio-playback"),
            NodeRef::new(NodeKind::Service, "playback-order"),
            EdgeKind::Contains,
            "catalog-info.yaml",
            13,
            Resolve::External,
        )],
        ..Facts::default()
    };
    let g = build([&catalog]);
    let system = g.node("system:audio-playback").expect("system created");
    assert!(system.external);
    assert!(g.dangling.is_empty());
}

#[test]
fn a_service_selects_workloads_by_pod_labels_across_files() {
    let mut svc = NodeFact::new(NodeKind::Service, "vllm-service", Source::new("svc.yaml", 4, 9));
    svc.attrs.selector = Some(Located::new(vec![("app".into(), "gemma-server".into())], Source::new("svc.yaml", 7, 5)));
    let mut deployment = NodeFact::new(NodeKind::Service, "vllm-gemma-deployment", Source::new("deploy.yaml", 4, 9));
    deployment.attrs.pod_labels = vec![("app".into(), "gemma-server".into()), ("tier".into(), "model".into())];
    let mut other = NodeFact::new(NodeKind::Service, "web", Source::new("web.yaml", 4, 9));
    other.attrs.pod_labels = vec![("app".into(), "web".into())];
    let a = Facts { nodes: vec![svc], ..Facts::default() };
    let b = Facts { nodes: vec![deployment, other], ..Facts::default() };
    let g = build([&a, &b]);
    let deps: Vec<(String, String)> = g
        .graph
        .edge_indices()
        .filter(|&e| g.graph[e].kind == EdgeKind::DependsOn)
        .map(|e| {
            let (x, y) = g.graph.edge_endpoints(e).unwrap();
            (g.graph[x].id.clone(), g.graph[y].id.clone())
        })
        .collect();
    assert_eq!(deps, vec![("service:vllm-service".to_string(), "service:vllm-gemma-deployment".to_string())]);
    let e = g.graph.edge_indices().next().unwrap();
    assert_eq!(g.graph[e].sources[0].line, 7, "the edge points at the selector");
}

/// A random file's facts over a few names written several ways, so that keys merge across
/// files, slugs collide, references resolve by name, function, slug and file, miss (dangling
/// or external), and some edges point into another file.
fn random_facts(rng: &mut crate::test_rng::Rng, file: &str, files: &[String]) -> Facts {
    const NAMES: [&str; 8] = ["orders", "orders_db", "orders-db", "run", "push", "Orders DB", "erp", "billing"];
    const TEAMS: [&str; 3] = ["team-a", "team-b", "team-c"];
    const KINDS: [NodeKind; 7] = [
        NodeKind::Step,
        NodeKind::Step,
        NodeKind::Service,
        NodeKind::Workflow,
        NodeKind::Resource,
        NodeKind::Alert,
        NodeKind::Runbook,
    ];
    let name = |rng: &mut crate::test_rng::Rng| NAMES[rng.below(NAMES.len())].to_string();
    let at = |rng: &mut crate::test_rng::Rng| Source::new(file, 1 + rng.below(30) as u32, 1 + rng.below(3) as u32);
    let mut facts = Facts::default();
    for _ in 0..rng.below(5) {
        let kind = KINDS[rng.below(KINDS.len())];
        let mut n = NodeFact::new(kind, name(rng), at(rng));
        if rng.below(6) == 0 {
            n.scope = Some(["m1", "m2"][rng.below(2)].to_string());
        }
        if kind == NodeKind::Step && rng.below(2) == 0 {
            n.attrs.function = Some(name(rng));
        }
        if rng.below(3) == 0 {
            n.attrs.owner = Some(Located::new(TEAMS[rng.below(TEAMS.len())].to_string(), at(rng)));
        }
        if rng.below(4) == 0 {
            n.attrs.alerts.push(Located::new(format!("alert-{}", rng.below(3)), at(rng)));
        }
        if rng.below(3) == 0 {
            n.attrs.description = Some(format!("said in {file}"));
        }
        if rng.below(4) == 0 {
            n.attrs.side_effects.push(Located::new(format!("writes {}", rng.below(3)), at(rng)));
        }
        if kind == NodeKind::Service && rng.below(3) == 0 {
            n.attrs.pod_labels = vec![("app".into(), name(rng))];
        }
        if kind == NodeKind::Service && rng.below(3) == 0 {
            n.attrs.selector = Some(Located::new(vec![("app".into(), name(rng))], at(rng)));
        }
        facts.nodes.push(n);
    }
    const EDGES: [EdgeKind; 5] =
        [EdgeKind::Calls, EdgeKind::DependsOn, EdgeKind::Contains, EdgeKind::Next, EdgeKind::Owns];
    const RESOLVE: [Resolve; 3] = [Resolve::Required, Resolve::External, Resolve::IfKnown];
    for _ in 0..rng.below(6) {
        let r = |rng: &mut crate::test_rng::Rng| match rng.below(4) {
            0 => NodeRef::any(name(rng)),
            1 => NodeRef::scoped(KINDS[rng.below(KINDS.len())], name(rng), "m1"),
            _ => NodeRef::new(KINDS[rng.below(KINDS.len())], name(rng)),
        };
        let (from, to) = (r(rng), r(rng));
        let mut source = at(rng);
        if rng.below(8) == 0 && !files.is_empty() {
            source.file = files[rng.below(files.len())].clone();
        }
        let mut e = EdgeFact {
            from,
            to,
            kind: EDGES[rng.below(EDGES.len())],
            source,
            resolve: RESOLVE[rng.below(RESOLVE.len())],
            detail: None,
        };
        if rng.below(4) == 0 {
            e.detail = Some(format!("detail {}", rng.below(2)));
        }
        facts.edges.push(e);
    }
    if rng.below(5) == 0 {
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        facts.packages.push(PackageFact { name: name(rng), dir, source: at(rng) });
    }
    if rng.below(6) == 0 {
        facts.owners.push(OwnerRule {
            pattern: ["*", "/a/", "b/*.rs"][rng.below(3)].to_string(),
            owners: vec![format!("@acme/{}", TEAMS[rng.below(TEAMS.len())])],
            root: String::new(),
            source: at(rng),
        });
    }
    facts
}

/// Two graphs are the same: nodes at the same indices, edges in the same order, the same
/// ids and dangling references.
fn assert_same_graph(a: &crate::model::Graph, b: &crate::model::Graph, what: &str) {
    let nodes = |g: &crate::model::Graph| g.graph.node_weights().cloned().collect::<Vec<_>>();
    assert_eq!(nodes(a), nodes(b), "{what}: nodes");
    let edges = |g: &crate::model::Graph| {
        g.graph.raw_edges().iter().map(|e| (e.source(), e.target(), e.weight.clone())).collect::<Vec<_>>()
    };
    assert_eq!(edges(a), edges(b), "{what}: edges");
    assert_eq!(a.by_id, b.by_id, "{what}: ids");
    assert_eq!(a.dangling, b.dangling, "{what}: dangling references");
}

/// Random edits to a random fact set (change, add, drop files; change a file without
/// naming it when its fact counts change): the cached model equals a full build each time.
#[test]
fn the_cached_model_equals_a_full_build_after_random_edits() {
    use std::collections::BTreeMap;
    let mut seen = (0, 0, 0, 0);
    for seed in [1_u64, 0x5eed, 0xdead_beef, 7] {
        let mut rng = crate::test_rng::Rng(seed);
        let mut files: BTreeMap<String, Facts> = BTreeMap::new();
        let paths = |files: &BTreeMap<String, Facts>| files.keys().cloned().collect::<Vec<_>>();
        for i in 0..10 {
            let path = format!("{}/f{i}.rs", ["a", "b", "a/deep"][i % 3]);
            let facts = random_facts(&mut rng, &path, &paths(&files));
            files.insert(path, facts);
        }
        let mut cache = crate::model::Cache::default();
        let mut next = files.len();
        let mut previous = None;
        for round in 0..80 {
            let mut changed = Vec::new();
            if round > 0 {
                for _ in 0..1 + rng.below(2) {
                    let all = paths(&files);
                    match rng.below(6) {
                        0 if !all.is_empty() => {
                            let gone = all[rng.below(all.len())].clone();
                            files.remove(&gone);
                            changed.push(gone);
                        }
                        1 => {
                            let path = format!("{}/f{next}.rs", ["a", "b", "c"][rng.below(3)]);
                            next += 1;
                            files.insert(path.clone(), random_facts(&mut rng, &path, &all));
                            changed.push(path);
                        }
                        _ if !all.is_empty() => {
                            let path = all[rng.below(all.len())].clone();
                            let facts = random_facts(&mut rng, &path, &all);
                            files.insert(path.clone(), facts);
                            changed.push(path);
                        }
                        _ => {}
                    }
                }
            }
            let what = format!("seed {seed:#x}, round {round}, changed {changed:?}");
            let cached = cache.build(files.iter().map(|(p, f)| (p.as_str(), f)), &changed);
            let full = build(files.values());
            assert_same_graph(&cached, &full, &what);
            // As the session does: the graph before this one comes back once it is done with.
            if let Some(old) = previous.replace(cached) {
                cache.recycle(old);
            }
            seen.0 += full.dangling.len();
            seen.1 += full.graph.node_weights().filter(|n| n.external).count();
            seen.2 += full.graph.node_weights().filter(|n| n.slug.ends_with("-2")).count();
            seen.3 += full.graph.edge_count();
        }
    }
    // The generated facts reach every path of the build.
    assert!(seen.0 > 0 && seen.1 > 0 && seen.2 > 0 && seen.3 > 100, "{seen:?}");
}
