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
