//! The extractor on small inline catalog files.

use super::*;
use crate::diag::Severity;
use crate::extract::backstage::claims;

#[test]
fn claims_only_text_naming_backstage() {
    assert!(claims("apiVersion: backstage.io/v1alpha1\nkind: Component\n"));
    assert!(!claims("apiVersion: apps/v1\nkind: Deployment\n"));
}

#[test]
fn refs_with_and_without_kind_and_namespace() {
    let x = extract(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1beta1
kind: Component
metadata:
  name: orders
  namespace: shop
spec:
  type: service
  owner: group:default/payments
  system: system:default/checkout
  dependsOn:
    - resource:orders-db
    - component:default/inventory
    - billing
    - component:other/audit
  consumesApis: [api:default/pricing, shipping]
  providesApis: [orders]
",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let n = x.node(NodeKind::Service, "orders");
    assert_eq!(n.attrs.owner.as_ref().map(|o| o.value.as_str()), Some("payments"));
    let d = description(&x, NodeKind::Service, "orders");
    assert_eq!(d, "Backstage component (service).\n\nIn Backstage namespace `shop`.");
    assert_eq!(edge(&x, "checkout", EdgeKind::Contains, "orders").from.kind, Some(NodeKind::System));
    assert_eq!(edge(&x, "orders", EdgeKind::DependsOn, "orders-db").to.kind, Some(NodeKind::Resource));
    assert_eq!(edge(&x, "orders", EdgeKind::DependsOn, "inventory").to.kind, Some(NodeKind::Service));
    assert_eq!(edge(&x, "orders", EdgeKind::DependsOn, "billing").to.kind, Some(NodeKind::Service));
    let audit = edge(&x, "orders", EdgeKind::DependsOn, "audit");
    assert_eq!((audit.detail.as_deref(), audit.source.line), (Some("namespace `other`"), 14));
    assert_eq!(edge(&x, "orders", EdgeKind::DependsOn, "pricing").to.kind, Some(NodeKind::Api));
    assert_eq!(edge(&x, "orders", EdgeKind::DependsOn, "shipping").to.kind, Some(NodeKind::Api));
    let provided = edge(&x, "orders", EdgeKind::DependsOn, "orders");
    assert_eq!(provided.from.kind, Some(NodeKind::Api));
    assert_eq!(x.facts.edges.len(), 8);
}

#[test]
fn documents_of_other_api_versions_are_skipped() {
    let x = extract(
        "all.yaml",
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  labels:
    backstage.io/kubernetes-id: orders
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: orders-queue
spec:
  type: queue
  owner: payments
",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(x.facts.nodes.len(), 1);
    let q = x.node(NodeKind::Resource, "orders-queue");
    assert_eq!(q.source.line, 11);
    assert_eq!(description(&x, NodeKind::Resource, "orders-queue"), "Backstage resource (queue).");
}

#[test]
fn broken_yaml_is_one_parse_error_at_its_line() {
    let x = extract("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: [a\n");
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1, "{:#?}", x.diagnostics);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity), ("parse-error", Severity::Error));
    assert!(d.source.line >= 4, "{d:?}");
}

#[test]
fn an_entity_without_a_name_is_an_invalid_value() {
    let x = extract(
        "catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  description: nameless\nspec:\n  owner: a\n",
    );
    assert!(x.facts.nodes.is_empty() && x.facts.edges.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line), ("invalid-value", Severity::Warning, 4));
}

#[test]
fn a_group_with_a_display_name_and_links_annotations_for_on_call() {
    let x = extract(
        "org.yaml",
        "apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  profile:
    displayName: Payments Team
  parent: group:default/commerce
  children: []
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  title: Checkout
  description: Takes the money.
  annotations:
    pagerduty.com/service-id: PX1234
    pagerduty.com/integration-key: secret-key
    opsbook.io/runbook: https://wiki/checkout-runbook
  links:
    - url: https://grafana/d/checkout
      title: Checkout
      icon: dashboard
    - url: https://wiki/checkout-playbook
      title: Playbook
spec:
  type: service
  lifecycle: production
  owner: payments
  dependsOn: [{name: ledger}]
",
    );
    assert_eq!(
        description(&x, NodeKind::Team, "payments"),
        "Backstage group (team).\n\nKnown as Payments Team. Part of group `group:default/commerce`."
    );
    let n = x.node(NodeKind::Service, "checkout");
    assert_eq!(
        n.attrs.dashboard.as_ref().map(|l| (l.value.as_str(), l.source.line)),
        Some(("https://grafana/d/checkout", 23))
    );
    assert_eq!(
        n.attrs.runbook.as_ref().map(|l| (l.value.as_str(), l.source.line)),
        Some(("https://wiki/checkout-runbook", 21))
    );
    let d = description(&x, NodeKind::Service, "checkout");
    assert_eq!(
        d,
        "**Checkout**: Takes the money.\n\nBackstage component (service, production).\n\n\
         Paged through PagerDuty service `PX1234`.\n\nPaged through PagerDuty (an integration key is set)."
    );
    assert!(!d.contains("secret-key"));
    // A mapping is not an entity reference.
    assert!(x.facts.edges.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!((x.diagnostics[0].code.as_str(), x.diagnostics[0].source.line), ("invalid-value", 32));
}
