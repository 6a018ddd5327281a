//! The operational diff on graph.json data: what is news, and how the comment says it.

use serde_json::{Value, json};

use super::{compare, markdown};

fn step(attempts: u64, worst: u64, owner: &str) -> Value {
    json!({"id": "step:push-order", "kind": "step", "name": "push_order", "owner": owner,
           "sources": [{"file": "src/erp.rs", "line": 14, "column": 1}],
           "idempotent": false, "timeout_ms": 10000, "blast_radius": ["workflow:sync"],
           "retry": {"max_attempts": attempts, "schedule_ms": [500, 1000], "worst_case_ms": worst}})
}

fn graph(nodes: Vec<Value>, edges: Vec<Value>, findings: Vec<Value>) -> Value {
    json!({"schema": "opsbook.graph/v1", "nodes": nodes, "edges": edges, "findings": findings})
}

#[test]
fn identical_graphs_print_nothing() {
    let g = graph(vec![step(5, 57_500, "team-a")], vec![], vec![]);
    assert!(compare(&g, &g).is_empty());
    assert_eq!(markdown(&compare(&g, &g)), "");
}

#[test]
fn attempts_worst_case_and_owner_changes_are_listed_in_words() {
    let old = graph(vec![step(5, 57_500, "team-a")], vec![], vec![]);
    let new = graph(vec![step(8, 125_000, "team-<b>")], vec![], vec![]);
    let md = markdown(&compare(&old, &new));
    assert!(
        md.contains(
            "- step `push_order`: 5 attempts over at most 57.5 s, 10 s per attempt → **8 attempts over at most \
             2 min 5 s, 10 s per attempt**"
        ),
        "{md}"
    );
    assert!(md.contains("| step `push_order` | attempts | 5 | 8 |"), "{md}");
    assert!(md.contains("| step `push_order` | worst case | 57.5 s | 2 min 5 s |"), "{md}");
    assert!(md.contains("### Owners changed\n\n- step `push_order`: `team-a` → `team-<b>`"), "{md}");
}

#[test]
fn findings_that_only_moved_are_not_news() {
    let f = |line: u64| {
        json!({"code": "no-owner", "severity": "warning", "node": "service:a", "file": "c.yaml",
                               "line": line, "message": "a <b> | c"})
    };
    let old = graph(vec![], vec![], vec![f(3)]);
    assert!(compare(&old, &graph(vec![], vec![], vec![f(9)])).is_empty());
    let c = compare(&old, &graph(vec![], vec![], vec![f(9), f(12)]));
    assert_eq!(c.findings_introduced, vec!["**warning** `no-owner` at c.yaml:12: a &lt;b&gt; \\| c"]);
    let c = compare(&old, &graph(vec![], vec![], vec![]));
    assert_eq!(c.findings_fixed.len(), 1);
}

#[test]
fn blast_radius_runbooks_alerts_and_removed_dependencies() {
    let db = |blast: Value, runbook: Value| {
        json!({"id": "resource:db", "kind": "resource", "name": "db", "sources": [], "blast_radius": blast,
               "runbook": runbook})
    };
    let svc = |name: &str| json!({"id": format!("service:{name}"), "kind": "service", "name": name, "sources": []});
    let alert = json!({"id": "alert:dbdown", "kind": "alert", "name": "DbDown",
                       "sources": [{"file": "alerts.yaml", "line": 4, "column": 9}]});
    let dep = json!({"from": "service:api", "to": "resource:db", "kind": "depends_on",
                     "sources": [{"file": "compose.yaml", "line": 7, "column": 5}]});
    let old = graph(
        vec![db(json!(["service:api"]), json!("https://wiki/db")), svc("api"), svc("web"), alert],
        vec![dep],
        vec![],
    );
    let new =
        graph(vec![db(json!(["service:api", "service:web"]), Value::Null), svc("api"), svc("web")], vec![], vec![]);
    let c = compare(&old, &new);
    assert_eq!(c.blast_grew, vec!["resource `db`: 1 → 2 nodes depend on it; new: service `web`"]);
    assert_eq!(c.runbooks_lost, vec!["resource `db`: was https://wiki/db"]);
    assert_eq!(c.alerts_lost, vec!["alert `DbDown` (alerts.yaml:4)"]);
    assert_eq!(c.dependencies_removed, vec!["service `api` → resource `db` (depends_on) (compose.yaml:7)"]);
    assert!(c.nodes_removed.is_empty(), "an alert is listed as an alert, not a node: {:?}", c.nodes_removed);
    let md = markdown(&c);
    assert!(md.contains("\n1 dependency removed.\n"), "{md}");
}

fn covered_step(attempts: &str) -> Value {
    json!({"id": "step:push-order", "kind": "step", "name": "push_order", "sources": [],
           "facts": {"name": "push_order", "retry.max_attempts": attempts, "depends_on": "erp-api"}})
}

fn runbook(file: Option<&str>) -> Value {
    json!({"id": "runbook:erp", "kind": "runbook", "name": "erp", "sources": [], "file": file,
           "title": "ERP <b>push</b> | fails"})
}

fn documents() -> Value {
    json!({"from": "runbook:erp", "to": "step:push-order", "kind": "documents", "sources": []})
}

#[test]
fn a_covered_change_names_the_runbook_escaped_and_an_old_graph_json_names_none() {
    let old = graph(vec![covered_step("5"), runbook(Some("docs/runbooks/erp.md"))], vec![documents()], vec![]);
    let new = graph(vec![covered_step("8"), runbook(Some("docs/runbooks/erp.md"))], vec![documents()], vec![]);
    let c = compare(&old, &new);
    assert_eq!(
        c.runbooks_to_review,
        ["**ERP &lt;b>push&lt;/b> \\| fails** (`docs/runbooks/erp.md`): push_order: attempts 5 -> 8"]
    );
    assert!(markdown(&c).contains("\n1 runbook to review.\n"), "{}", markdown(&c));
    // A runbook that covers nothing that changed, and a graph.json from before runbooks had
    // a `file`, list nothing.
    assert!(compare(&old, &old).runbooks_to_review.is_empty());
    let (old, new) = (
        graph(vec![covered_step("5"), runbook(None)], vec![documents()], vec![]),
        graph(vec![covered_step("8"), runbook(None)], vec![documents()], vec![]),
    );
    assert!(compare(&old, &new).runbooks_to_review.is_empty());
}

/// graph.json carries what `fingerprint::stale_by_change` reads from the model: both name
/// the same runbooks with the same words.
#[test]
fn graph_json_facts_agree_with_the_model() {
    use crate::extract::Extracted;
    let book = |attempts: u32| {
        let step = format!(
            "/// # Operations\n/// - retry: attempts={attempts} initial=1s\n/// - depends-on: erp-api\npub fn push_order() {{}}\n"
        );
        let x: [Extracted; 2] = [
            crate::extract::rust::extract("src/erp.rs", &step),
            crate::extract::runbook::extract(
                "docs/runbooks/erp.md",
                "---\ntitle: ERP\ncovers: [push_order]\n---\n1. Replay.\n",
            ),
        ];
        let graph = crate::model::build(x.iter().map(|e| &e.facts));
        let analysis = crate::analyze::analyze(&graph, &[], &crate::config::Config::default());
        let json: Value = serde_json::from_slice(&crate::render::json::graph_json(&graph, &analysis)).unwrap();
        (graph, analysis, json)
    };
    let (old, new) = (book(3), book(4));
    let model = crate::analyze::fingerprint::stale_by_change((&old.0, &old.1), (&new.0, &new.1));
    assert_eq!(model.len(), 1);
    let words = model[0].1.join("; ");
    assert!(words.starts_with("push_order: attempts 3 -> 4; "), "{words}");
    assert_eq!(compare(&old.2, &new.2).runbooks_to_review, [format!("**ERP** (`docs/runbooks/erp.md`): {words}")]);
}
