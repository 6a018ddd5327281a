//! Deployment and catalog configs end to end: a dozen Kubernetes services wired by env
//! addresses, a Backstage catalog, CODEOWNERS and alert rules, none seen by the extractors.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use serde_json::Value;

fn book() -> Value {
    let (out, output) = build(&fixture("boutique"));
    assert!(output.status.success(), "{}", stderr(&output));
    graph(&out.path().join("book"))
}

#[test]
fn every_env_address_is_an_edge() {
    let g = book();
    let wired = [
        ("frontend", "productcatalogservice"),
        ("frontend", "currencyservice"),
        ("frontend", "cartservice"),
        ("frontend", "recommendationservice"),
        ("frontend", "shippingservice"),
        ("frontend", "checkoutservice"),
        ("frontend", "adservice"),
        ("cartservice", "redis-cart"),
        ("checkoutservice", "productcatalogservice"),
        ("checkoutservice", "shippingservice"),
        ("checkoutservice", "paymentservice"),
        ("checkoutservice", "emailservice"),
        ("checkoutservice", "currencyservice"),
        ("checkoutservice", "cartservice"),
        ("recommendationservice", "productcatalogservice"),
        ("loadgenerator", "frontend"),
    ];
    for (from, to) in wired {
        assert!(has_edge(&g, &format!("service:{from}"), &format!("service:{to}"), "depends_on"), "{from} -> {to}");
    }
    let between_services = g["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["kind"] == "depends_on"
                && e["from"].as_str().unwrap().starts_with("service:")
                && e["to"].as_str().unwrap().starts_with("service:")
        })
        .count();
    // The sixteen env addresses, and the external Service that selects the frontend.
    assert_eq!(between_services, 17);
    // `ENABLE_PROFILER: "0"` and `USERS: "10"` are not addresses.
    assert_eq!(g["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "service").count(), 13);
}

#[test]
fn probes_are_health_checks_and_blast_radius_follows_the_wiring() {
    let g = book();
    let frontend = node(&g, "service:frontend");
    let checks = frontend["health_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 2, "readiness and liveness");
    assert!(checks.iter().any(|c| c["interval_ms"] == 10_000));
    let redis = node(&g, "service:redis-cart");
    let services: BTreeSet<&str> = redis["blast_radius"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .filter(|n| n.starts_with("service:"))
        .collect();
    let expected: BTreeSet<&str> = [
        "service:cartservice",
        "service:checkoutservice",
        "service:frontend",
        "service:frontend-external",
        "service:loadgenerator",
    ]
    .into();
    assert_eq!(services, expected);
}

#[test]
fn catalog_and_manifests_are_one_service_and_owners_come_from_each() {
    let g = book();
    let cart = node(&g, "service:cartservice");
    let files: BTreeSet<&str> =
        cart["sources"].as_array().unwrap().iter().map(|s| s["file"].as_str().unwrap()).collect();
    assert!(files.contains("kubernetes-manifests.yaml") && files.contains("catalog-info.yaml"), "{files:?}");
    assert_eq!(cart["owner"], "team-cart", "the catalog's owner wins over CODEOWNERS");
    assert_eq!(node(&g, "service:frontend")["owner"], "@shop/platform", "from CODEOWNERS");
    assert!(has_edge(&g, "team:team-cart", "service:cartservice", "owns"));
    assert!(has_edge(&g, "system:online-boutique", "service:cartservice", "contains"));
}

#[test]
fn alerts_watch_what_they_name_and_keep_their_runbooks() {
    let g = book();
    let down = node(&g, "alert:cartservicedown");
    assert_eq!(down["runbook"], "https://ops.shop.example/book/services/cartservice.html#recovery");
    assert!(has_edge(&g, "alert:cartservicedown", "service:cartservice", "alerts"));
    assert!(has_edge(&g, "alert:rediscartmemoryhigh", "service:redis-cart", "alerts"));
    let ids: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "alert")
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "the recording rule is not an alert: {ids:?}");
    let missing = findings(&g, "alert-without-runbook");
    assert_eq!(missing.len(), 1, "{missing:?}");
    assert_eq!((missing[0]["file"].as_str(), missing[0]["line"].as_u64()), (Some("monitoring/rules.yaml"), Some(14)));
}

#[test]
fn a_real_alert_rule_set_keeps_every_runbook_link() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/thanos/examples/alerts");
    let (out, output) = build(&corpus);
    assert!(output.status.success(), "{}", stderr(&output));
    let g = graph(&out.path().join("book"));
    let alerts: Vec<&Value> = g["nodes"].as_array().unwrap().iter().filter(|n| n["kind"] == "alert").collect();
    assert_eq!(alerts.len(), 48, "every `alert:` rule of alerts.yaml; rules.yaml records only");
    assert!(alerts.iter().all(|a| a["runbook"].as_str().is_some_and(|r| r.starts_with("https://"))));
    assert!(findings(&g, "alert-without-runbook").is_empty());
}

#[test]
fn a_service_reaches_its_workload_in_another_file_by_labels() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/k8s-examples/AI/vllm-deployment");
    let (out, output) = build(&corpus);
    assert!(output.status.success(), "{}", stderr(&output));
    let g = graph(&out.path().join("book"));
    // vllm-service selects `app: gemma-server`, the pod label of vllm-gemma-deployment.
    assert!(has_edge(&g, "service:vllm-service", "service:vllm-gemma-deployment", "depends_on"));
}

#[test]
fn a_dependency_page_lists_who_calls_it_and_how_hard() {
    let (out, output) = build(&fixture("boutique"));
    assert!(output.status.success(), "{}", stderr(&output));
    let page = read(&out.path().join("book"), "services/redis-cart.html");
    let callers = &page[page.find("id=\"callers\"").expect("a callers section")..];
    assert!(callers.contains("cartservice") && callers.contains("kubernetes-manifests.yaml:82"), "{callers}");
    assert!(callers.contains("none of them retries"), "nobody retries, so nothing amplifies");
    let team = read(&out.path().join("book"), "teams/team-cart.html");
    assert!(team.contains("id=\"owns\"") && team.contains("cartservice"));
    assert!(team.contains("id=\"paged-for\"") && team.contains("CartServiceDown"));
}
