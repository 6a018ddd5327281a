//! The Prometheus extractor on real rule files from `shared/corpus`, the example, and small fixtures.

use super::*;
use crate::diag::Severity;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/order-to-cash/monitoring/alerts.yaml");

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn alerts(x: &Extracted) -> Vec<&NodeFact> {
    x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Alert).collect()
}

/// `(alert, target, detail, line)` of every edge.
fn edges(x: &Extracted) -> Vec<(&str, &str, &str, u32)> {
    x.facts
        .edges
        .iter()
        .map(|e| (e.from.name.as_str(), e.to.name.as_str(), e.detail.as_deref().unwrap_or(""), e.source.line))
        .collect()
}

#[test]
fn thanos_alerts_are_48_alerts_with_their_runbooks() {
    let text = read(&format!("{CORPUS}thanos/examples/alerts/alerts.yaml"));
    assert!(claims(&text));
    let x = extract("alerts.yaml", &text);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let a = alerts(&x);
    assert_eq!(a.len(), 48);
    assert!(a.iter().all(|n| n.attrs.runbook.is_some()));
    let first = a[0];
    assert_eq!((first.name.as_str(), first.source.line, first.source.column), ("ThanosCompactMultipleRunning", 4, 5));
    let runbook = first.attrs.runbook.as_ref().unwrap();
    assert_eq!(
        runbook.value,
        "https://github.com/thanos-io/thanos/tree/main/mixin/runbook.md#alert-name-thanoscompactmultiplerunning"
    );
    assert_eq!(runbook.source.line, 7);
    let d = first.attrs.description.as_deref().unwrap();
    assert!(d.starts_with("Thanos Compact has multiple instances running."), "{d}");
    assert!(d.contains("There are {{$value}} instances running."), "{d}");
    assert!(d.contains("```promql\nsum by (job) (up{job=~\".*thanos-compact.*\"}) > 1\n```"), "{d}");
    assert!(d.contains("`5m`") && d.contains("Severity: `warning`."), "{d}");
    // `job=~".*thanos-compact.*"` is a regular expression, not a name: no edges.
    assert!(x.facts.edges.is_empty());
}

#[test]
fn recording_rules_give_no_alerts() {
    for file in ["thanos/examples/alerts/rules.yaml", "k8s-examples/AI/vllm-deployment/hpa/prometheus-rule.yaml"] {
        let text = read(&format!("{CORPUS}{file}"));
        assert!(claims(&text), "{file}");
        let x = extract(file, &text);
        assert_eq!((x.facts.nodes.len(), x.facts.edges.len(), x.diagnostics.len()), (0, 0, 0), "{file}");
    }
}

#[test]
fn a_prometheus_config_is_not_a_rule_file() {
    let text = read(&format!("{CORPUS}awesome-compose/prometheus-grafana/prometheus/prometheus.yml"));
    assert!(!claims(&text));
    assert_eq!(extract("prometheus.yml", &text), Extracted::default());
}

#[test]
fn order_to_cash_alerts_have_owners_runbooks_and_watch_their_jobs() {
    let x = extract("monitoring/alerts.yaml", &read(EXAMPLE));
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let a = alerts(&x);
    assert_eq!(a.len(), 8);
    assert!(a.iter().all(|n| n.attrs.runbook.is_some() && n.attrs.owner.is_some()));
    let down = a[0];
    assert_eq!((down.name.as_str(), down.source.line), ("OrdersApiDown", 6));
    assert_eq!(down.attrs.owner.as_ref().map(|o| (o.value.as_str(), o.source.line)), Some(("team-checkout", 11)));
    assert_eq!(
        down.attrs.runbook.as_ref().map(|r| (r.value.as_str(), r.source.line)),
        Some(("https://wiki.acme-shop.internal/oncall/orders-api", 14))
    );
    let erp = a.iter().find(|n| n.name == "ErpSyncFailing").unwrap();
    assert_eq!(erp.attrs.owner.as_ref().unwrap().value, "team-integrations");
    assert_eq!(
        edges(&x),
        [
            ("OrdersApiDown", "orders-api", "expr job=\"orders-api\"", 7),
            ("OrdersApi5xxRate", "orders-api", "expr job=\"orders-api\"", 17),
            ("PaymentsWorkerDown", "payments-worker", "expr job=\"payments-worker\"", 30),
            ("ErpSyncDown", "erp-sync", "expr job=\"erp-sync\"", 60),
        ]
    );
    assert!(x.facts.edges.iter().all(|e| e.resolve == Resolve::IfKnown
        && e.kind == EdgeKind::Alerts
        && e.from == NodeRef::new(NodeKind::Alert, e.from.name.clone())
        && e.to.kind.is_none()));
}

const RULE: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: not-ours}
data: {groups: x}
---
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: shop
spec:
  groups:
    - name: checkout
      rules:
        - record: job:up:sum
          expr: sum(up)
        - alert: CheckoutDown
          expr: |
            up{service=\"checkout\", namespace=\"prod\"} == 0
              or kube_pod_status_ready{pod=~\"checkout-worker-.*\", app=~\"vote\"} == 0
          labels:
            severity: critical
            owner: team-shop
            job: checkout-api
          annotations:
            summary: Checkout is down on {{ $labels.instance }}
";

#[test]
fn a_prometheus_rule_alert_without_runbook_watches_what_its_labels_and_matchers_name() {
    assert!(claims(RULE));
    let x = extract("k8s/rules.yaml", RULE);
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let a = alerts(&x);
    assert_eq!(a.len(), 1);
    assert_eq!((a[0].name.as_str(), a[0].source.line, a[0].source.column), ("CheckoutDown", 16, 11));
    assert!(a[0].attrs.runbook.is_none());
    assert_eq!(a[0].attrs.owner.as_ref().map(|o| (o.value.as_str(), o.source.line)), Some(("team-shop", 22)));
    let d = a[0].attrs.description.as_deref().unwrap();
    assert!(d.starts_with("Checkout is down on {{ $labels.instance }}"), "{d}");
    assert!(
        d.contains("first evaluation") && d.contains("Severity: `critical`.") && d.contains("`job=checkout-api`"),
        "{d}"
    );
    assert_eq!(
        edges(&x),
        [
            ("CheckoutDown", "checkout-api", "label job=checkout-api", 23),
            ("CheckoutDown", "checkout", "expr service=\"checkout\"", 18),
            ("CheckoutDown", "checkout-worker", "expr pod=~\"checkout-worker-.*\"", 19),
            ("CheckoutDown", "vote", "expr app=~\"vote\"", 19),
        ]
    );
}

#[test]
fn runbooks_in_labels_and_single_line_exprs() {
    let text = "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up{job='api'} == 0\n    for: 5m\n    labels:\n      runbook: https://x/a\n";
    let x = extract("r.yaml", text);
    let a = alerts(&x);
    assert_eq!(a[0].attrs.runbook.as_ref().map(|r| (r.value.as_str(), r.source.line)), Some(("https://x/a", 8)));
    assert_eq!(edges(&x), [("A", "api", "expr job=\"api\"", 5)]);
}

#[test]
fn a_broken_file_is_one_parse_error() {
    let text = "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: [unclosed\n";
    assert!(claims(text));
    let x = extract("r.yaml", text);
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!((x.diagnostics[0].code.as_str(), x.diagnostics[0].severity), ("parse-error", Severity::Error));
    assert!(x.diagnostics[0].source.line >= 5, "{:?}", x.diagnostics[0]);
}

#[test]
fn groups_of_the_wrong_shape_are_invalid_values() {
    let x = extract("r.yaml", "groups:\n  name: g\n  rules: []\n# alert\n");
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!((x.diagnostics[0].code.as_str(), x.diagnostics[0].source.line), ("invalid-value", 2));

    let text =
        "groups:\n- name: g\n  rules: {alert: A}\n- name: h\n  rules:\n  - just text\n  - alert: B\n    expr: up\n";
    let x = extract("r.yaml", text);
    let found: Vec<_> = x.diagnostics.iter().map(|d| (d.code.as_str(), d.source.line)).collect();
    assert_eq!(found, [("invalid-value", 3), ("invalid-value", 6)]);
    assert_eq!(alerts(&x).len(), 1, "the good rule is still read");
}

#[test]
fn claims_rule_files_in_yaml_and_json_only() {
    assert!(claims("groups:\n- name: g\n  rules:\n  - alert: A\n"));
    assert!(claims(r#"{"groups": [{"name": "g", "rules": [{"record": "r", "expr": "up"}]}]}"#));
    assert!(claims("kind: PrometheusRule\n"));
    assert!(!claims("groups:\n  admins: [ann]\nrules: strict\n# alerting is elsewhere\n"));
}

#[test]
fn a_sniffed_yaml_file_gives_the_alerts_once() {
    let x = crate::extract::extract(crate::scan::SourceKind::Yaml, "monitoring/alerts.yaml", &read(EXAMPLE));
    assert_eq!((alerts(&x).len(), x.facts.edges.len(), x.diagnostics.len()), (8, 4, 0));
}

#[test]
fn group_labels_apply_to_their_rules() {
    let text = "groups:\n- name: g\n  labels: {team: t-group, severity: info}\n  rules:\n  - alert: A\n    expr: up\n    labels: {severity: page}\n";
    let x = extract("r.yaml", text);
    let a = alerts(&x);
    assert_eq!(a[0].attrs.owner.as_ref().map(|o| (o.value.as_str(), o.source.line)), Some(("t-group", 3)));
    let d = a[0].attrs.description.as_deref().unwrap();
    assert!(d.contains("Severity: `page`.") && d.contains("`team=t-group`"), "{d}");
}
