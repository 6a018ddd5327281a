//! The `# Operations`, `# Failure modes` and `# Recovery` sections, and which functions are steps.

use super::*;

const DESIGN_EXAMPLE: &str = r#"use crate::erp::ErpClient;

/// Pushes a confirmed order into the ERP.
///
/// # Operations
/// - workflow: order-fulfilment
/// - depends-on: erp-api, orders-db
/// - side-effects: creates a sales order in the ERP
/// - idempotent: no
/// - retry: attempts=5 initial=500ms factor=2 max-delay=30s jitter=full
/// - timeout: 10s
/// - owner: team-integrations
/// - alerts: ErpSyncFailing
///
/// # Failure modes
/// - ERP returns 503 during its nightly batch window (01:00-02:00 UTC).
///
/// # Recovery
/// 1. Check the ERP status page.
/// 2. Replay from the dead-letter queue with `erpctl replay --since 1h`.
pub async fn push_order(order: &Order) -> Result<ErpRef> {
    todo!()
}
"#;

#[test]
fn the_design_example_gives_every_fact_at_its_line() {
    let x = run(DESIGN_EXAMPLE);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    // Spans are cleared after each file: a second read on the same thread is identical.
    assert_eq!(run(DESIGN_EXAMPLE), x);
    let s = step(&x, "push_order");
    assert_eq!(s.source, at(21, 1));
    let a = &s.attrs;
    assert_eq!(a.function.as_deref(), Some("push_order"));
    assert_eq!(a.description.as_deref(), Some("Pushes a confirmed order into the ERP."));
    assert_eq!(a.retries.len(), 1);
    let r = &a.retries[0];
    assert_eq!((r.origin, r.library.as_str(), r.source.clone()), (Origin::Declared, "doc", at(10, 7)));
    assert_eq!(r.text, "attempts=5 initial=500ms factor=2 max-delay=30s jitter=full");
    assert_eq!(numbers(r), exp(500, 2.0, Some(30_000), Some(5), None, Jitter::Full));
    assert_eq!(a.timeouts.len(), 1);
    assert_eq!(
        (a.timeouts[0].ms.clone(), a.timeouts[0].origin, a.timeouts[0].source.line),
        (Value::Known(10_000), Origin::Declared, 11)
    );
    let idem = a.idempotent.as_ref().unwrap();
    assert_eq!((&idem.value, idem.source.line), (&Idempotency::No, 9));
    let owner = a.owner.as_ref().unwrap();
    assert_eq!((owner.value.as_str(), owner.source.line), ("team-integrations", 12));
    let alerts: Vec<(&str, u32)> = a.alerts.iter().map(|l| (l.value.as_str(), l.source.line)).collect();
    assert_eq!(alerts, [("ErpSyncFailing", 13)]);
    assert_eq!(a.side_effects[0].value, "creates a sales order in the ERP");
    assert_eq!(a.workflow.as_ref().map(|w| (w.value.as_str(), w.source.line)), Some(("order-fulfilment", 6)));

    let workflow = x.facts.nodes.iter().find(|n| n.kind == NodeKind::Workflow).unwrap();
    assert_eq!((workflow.name.as_str(), workflow.source.clone()), ("order-fulfilment", at(6, 7)));
    let step_ref = NodeRef::new(NodeKind::Step, "push_order");
    let contains = EdgeFact {
        from: NodeRef::new(NodeKind::Workflow, "order-fulfilment"),
        to: step_ref.clone(),
        kind: EdgeKind::Contains,
        source: at(6, 7),
        resolve: Resolve::Required,
        detail: None,
    };
    assert!(x.facts.edges.contains(&contains), "{:#?}", x.facts.edges);
    let deps: Vec<(&NodeRef, &NodeRef, EdgeKind, Resolve, u32)> = x
        .facts
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::DependsOn)
        .map(|e| (&e.from, &e.to, e.kind, e.resolve, e.source.line))
        .collect();
    assert_eq!(
        deps,
        [
            (&step_ref, &NodeRef::any("erp-api"), EdgeKind::DependsOn, Resolve::External, 7),
            (&step_ref, &NodeRef::any("orders-db"), EdgeKind::DependsOn, Resolve::External, 7)
        ]
    );

    let failure: Vec<(&str, u32)> = a.failure_modes.iter().map(|l| (l.value.as_str(), l.source.line)).collect();
    assert_eq!(failure, [("ERP returns 503 during its nightly batch window (01:00-02:00 UTC).", 16)]);
    let recovery: Vec<(&str, u32)> = a.recovery.iter().map(|l| (l.value.as_str(), l.source.line)).collect();
    assert_eq!(
        recovery,
        [
            ("Check the ERP status page.", 19),
            ("Replay from the dead-letter queue with `erpctl replay --since 1h`.", 20)
        ]
    );
}

#[test]
fn an_unknown_key_is_a_warning_at_the_key() {
    let x = run("/// # Operations\n/// - owner: me\n/// - colour: blue\n/// - timeout: soon\nfn f() {}\n");
    assert_eq!(steps(&x), ["f"]);
    let d: Vec<(&str, Severity, u32, u32)> =
        x.diagnostics.iter().map(|d| (d.code.as_str(), d.severity, d.source.line, d.source.column)).collect();
    assert_eq!(d, [("unknown-key", Severity::Warning, 3, 7), ("invalid-value", Severity::Warning, 4, 16)]);
    assert_eq!((x.diagnostics[0].len, x.diagnostics[1].len), (6, 4), "underline the key, then the value");
    assert!(x.diagnostics[1].message.contains("a duration"), "{}", x.diagnostics[1].message);
}

#[test]
fn step_service_calls_and_idempotency_keys() {
    let src = "/// # Operations\n/// - step: Reserve stock\n/// - service: warehouse\n/// - calls: charge_card\n/// - idempotent: key=order.id\nfn reserve() { charge_card(); }\n";
    let x = run(src);
    let s = step(&x, "Reserve stock");
    assert_eq!(s.attrs.function.as_deref(), Some("reserve"));
    assert_eq!(s.attrs.idempotent.as_ref().unwrap().value, Idempotency::Key("order.id".into()));
    assert!(x.facts.nodes.iter().any(|n| n.kind == NodeKind::Service && n.name == "warehouse"));
    let calls: Vec<(&str, Resolve)> =
        x.facts.edges.iter().filter(|e| e.kind == EdgeKind::Calls).map(|e| (e.to.name.as_str(), e.resolve)).collect();
    // The declared call must resolve; the same call found in code adds its own line.
    assert_eq!(calls, [("charge_card", Resolve::Required), ("charge_card", Resolve::IfKnown)]);
    let service = x.facts.edges.iter().find(|e| e.from.kind == Some(NodeKind::Service)).unwrap();
    assert_eq!((service.to.name.as_str(), service.kind, service.source.line), ("Reserve stock", EdgeKind::Contains, 3));
}

#[test]
fn calls_between_functions_in_source_order_once_each() {
    let src = r#"use crate::erp;
/// # Operations
/// - workflow: w
pub async fn sync(&self, o: &Order) {
    let v = Vec::new();
    self.validate(o);
    erp::push_order(o).await;
    Self::notify(o);
    push_order(o);
    let f = |x| x;
    f(1);
    tokio::try_join!(archive(o), Some(1));
    axum::serve(listener, app);
}
"#;
    let x = run(src);
    let calls: Vec<(&str, u32)> = x
        .facts
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Calls)
        .map(|e| (e.to.name.as_str(), e.source.line))
        .collect();
    assert_eq!(calls, [("validate", 6), ("push_order", 7), ("notify", 8), ("archive", 12)]);
    assert!(x.facts.edges.iter().filter(|e| e.kind == EdgeKind::Calls).all(|e| e.resolve == Resolve::IfKnown));
}

#[test]
fn tests_and_test_modules_are_not_steps() {
    let src = "#[test]\n/// # Operations\nfn t() {}\n#[cfg(test)]\nmod tests {\n    /// # Operations\n    fn u() {}\n}\nmod inner {\n    /// # Operations\n    pub(crate) fn v() {}\n}\ntrait T {\n    /// # Operations\n    fn w(&self) {}\n}\n";
    let x = run(src);
    assert_eq!(steps(&x), ["v", "w"]);
    assert_eq!(step(&x, "v").source, at(11, 5));
}

#[test]
fn side_effects_split_outside_code_and_parentheses() {
    let src = "/// # Operations\n/// - side-effects: inserts into `orders` and `order_lines`; upserts `stock (sku, qty)`, publishes `order.placed`\n/// - depends-on: postgres, rabbitmq\nfn f() {}\n#[cfg(all(test, feature = \"db\"))]\nmod db_tests {\n    /// # Operations\n    fn g() {}\n}\n#[cfg(not(test))]\nmod live {\n    /// # Operations\n    fn h() {}\n}\n";
    let x = run(src);
    assert_eq!(steps(&x), ["f", "h"]);
    let effects: Vec<(&str, u32)> =
        step(&x, "f").attrs.side_effects.iter().map(|s| (s.value.as_str(), s.source.column)).collect();
    assert_eq!(
        effects,
        [
            ("inserts into `orders` and `order_lines`", 21),
            ("upserts `stock (sku, qty)`", 62),
            ("publishes `order.placed`", 90)
        ]
    );
}
