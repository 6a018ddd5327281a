//! Tests of the Rust extractor as a whole: inline fixtures and the shared corpus.

use super::{extract, read_file};
use crate::diag::Severity;
use crate::extract::{
    EdgeFact, Extracted, Idempotency, Jitter, NodeFact, NodeRef, Origin, Resolve, RetryFact, Strategy, Value,
};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Source;

const FILE: &str = "src/erp.rs";

fn run(src: &str) -> Extracted {
    extract(FILE, src)
}

fn step<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts
        .nodes
        .iter()
        .find(|n| n.kind == NodeKind::Step && n.name == name)
        .unwrap_or_else(|| panic!("no step {name} in {:#?}", x.facts.nodes))
}

fn steps(x: &Extracted) -> Vec<&str> {
    x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).map(|n| n.name.as_str()).collect()
}

fn at(line: u32, column: u32) -> Source {
    Source::new(FILE, line, column)
}

fn known<T: Clone>(v: &Value<T>) -> Option<T> {
    match v {
        Value::Known(t) => Some(t.clone()),
        Value::Unknown { .. } => None,
    }
}

/// A policy's numbers; `None` in an outer position means the value is unknown.
#[derive(Debug, PartialEq)]
struct Numbers {
    strategy: Strategy,
    initial: Option<u64>,
    factor: Option<f64>,
    max_delay: Option<Option<u64>>,
    attempts: Option<Option<u32>>,
    elapsed: Option<Option<u64>>,
    jitter: Jitter,
}

fn numbers(r: &RetryFact) -> Numbers {
    Numbers {
        strategy: r.strategy,
        initial: known(&r.initial_delay_ms),
        factor: known(&r.factor),
        max_delay: known(&r.max_delay_ms),
        attempts: known(&r.max_attempts),
        elapsed: known(&r.max_elapsed_ms),
        jitter: r.jitter.clone(),
    }
}

fn exp(
    initial: u64,
    factor: f64,
    max_delay: Option<u64>,
    attempts: Option<u32>,
    elapsed: Option<u64>,
    jitter: Jitter,
) -> Numbers {
    let strategy = Strategy::Exponential;
    Numbers {
        strategy,
        initial: Some(initial),
        factor: Some(factor),
        max_delay: Some(max_delay),
        attempts: Some(attempts),
        elapsed: Some(elapsed),
        jitter,
    }
}

/// The one code retry of the one step in `src`.
fn code_retry(src: &str) -> RetryFact {
    let x = run(src);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    let nodes: Vec<&NodeFact> = x.facts.nodes.iter().filter(|n| n.kind == NodeKind::Step).collect();
    assert_eq!(nodes.len(), 1, "{src}\n{nodes:#?}");
    assert_eq!(nodes[0].attrs.retries.len(), 1, "{src}\n{:#?}", nodes[0].attrs.retries);
    let r = nodes[0].attrs.retries[0].clone();
    assert_eq!(r.origin, Origin::Code);
    r
}

/// Data-driven: each case is (imports, body of `async fn op_step()`, library, numbers).
fn check_retries(cases: &[(&str, &str, &str, Numbers)]) {
    for (imports, body, library, want) in cases {
        let src = format!("{imports}\nasync fn op_step(cfg: &Config) {{\n    {body}\n}}\n");
        let r = code_retry(&src);
        assert_eq!(r.library, *library, "{src}");
        assert_eq!(numbers(&r), *want, "{src}");
    }
}

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
fn tokio_retry_strategies_are_read_as_powers() {
    let imports = "use tokio_retry::{Retry, RetryIf};\nuse tokio_retry::strategy::{jitter, ExponentialBackoff, FibonacciBackoff, FixedInterval};\nconst BASE_MS: u64 = 250;\nconst RETRIES: usize = 2;";
    let fixed = |initial, attempts| Numbers {
        strategy: Strategy::Fixed,
        ..exp(initial, 1.0, None, Some(attempts), None, Jitter::None)
    };
    check_retries(&[
        (
            imports,
            "let s = ExponentialBackoff::from_millis(10)\n        .map(jitter) // add jitter\n        .take(3);\n    Retry::spawn(s, action).await",
            "tokio-retry",
            exp(10, 10.0, None, Some(4), None, Jitter::Full),
        ),
        (
            imports,
            "Retry::spawn(ExponentialBackoff::from_millis(2).factor(500), action).await",
            "tokio-retry",
            exp(1_000, 2.0, None, None, None, Jitter::None),
        ),
        (
            imports,
            "Retry::spawn(ExponentialBackoff::from_millis(100).max_delay(Duration::from_secs(10)).take(5), a).await",
            "tokio-retry",
            exp(100, 100.0, Some(10_000), Some(6), None, Jitter::None),
        ),
        (imports, "RetryIf::spawn(FixedInterval::from_millis(100).take(5), a, c).await", "tokio-retry", fixed(100, 6)),
        (
            imports,
            "Retry::spawn(FixedInterval::from_millis(BASE_MS).take(RETRIES), a).await",
            "tokio-retry",
            fixed(250, 3),
        ),
        (
            imports,
            "Retry::spawn(FixedInterval::new(Duration::from_secs(2)).take(1), a).await",
            "tokio-retry",
            fixed(2_000, 2),
        ),
        (
            imports,
            "Retry::spawn(FibonacciBackoff::from_millis(50), a).await",
            "tokio-retry",
            Numbers { strategy: Strategy::Fibonacci, ..exp(50, 1.0, None, None, None, Jitter::None) },
        ),
    ]);
    let src = format!(
        "{imports}\nasync fn f(cfg: &Config) {{ Retry::spawn(FixedInterval::from_millis(100).take(cfg.retries), a).await }}"
    );
    let r = code_retry(&src);
    assert_eq!(r.max_attempts, Value::Unknown { expr: "cfg.retries".into() });
    assert_eq!(r.initial_delay_ms, Value::Known(100));
    assert_eq!(r.text, "FixedInterval::from_millis(100).take(cfg.retries)");
}

#[test]
fn a_retry_is_located_where_its_policy_is_built() {
    let src = "use tokio_retry::{Retry, strategy::ExponentialBackoff};\n\nasync fn pull() {\n    let s = ExponentialBackoff::from_millis(10)\n        .take(3);\n    Retry::spawn(s, action).await\n}\n";
    let x = run(src);
    let s = step(&x, "pull");
    assert_eq!(s.source, at(3, 1));
    let r = &s.attrs.retries[0];
    assert_eq!((r.source.clone(), r.text.as_str()), (at(4, 13), "ExponentialBackoff::from_millis(10).take(3)"));
}

#[test]
fn backon_defaults_and_setters() {
    let imports = "use backon::{ConstantBuilder, ExponentialBuilder, Retryable};\nuse std::time::Duration;";
    let setters = "fetch.retry(ExponentialBuilder::default()\n        .with_min_delay(Duration::from_millis(100))\n        .with_max_delay(Duration::from_secs(5))\n        .with_factor(3.0)\n        .with_max_times(5)\n        .with_jitter()\n        .with_total_delay(Some(Duration::from_secs(30)))).await";
    check_retries(&[
        (
            imports,
            "fetch.retry(ExponentialBuilder::default()).await",
            "backon",
            exp(1_000, 2.0, Some(60_000), Some(4), None, Jitter::None),
        ),
        (imports, setters, "backon", exp(100, 3.0, Some(5_000), Some(6), Some(30_000), Jitter::Proportional(1.0))),
        (
            imports,
            "let b = ExponentialBuilder::default().without_max_times();\n    let b = b.without_max_delay();\n    fetch.retry(&b).when(|e| true).await",
            "backon",
            exp(1_000, 2.0, None, None, None, Jitter::None),
        ),
        (
            imports,
            "fetch.retry(ConstantBuilder::default().with_delay(Duration::from_millis(200))).await",
            "backon",
            Numbers { strategy: Strategy::Fixed, ..exp(200, 1.0, None, Some(4), None, Jitter::None) },
        ),
        (
            "",
            "fetch.retry(backon::ExponentialBuilder::default()).await",
            "backon",
            exp(1_000, 2.0, Some(60_000), Some(4), None, Jitter::None),
        ),
    ]);
}

#[test]
fn backoff_defaults_struct_update_and_builder() {
    let imports = "use backoff::future::retry;\nuse backoff::{ExponentialBackoff, ExponentialBackoffBuilder};\nuse std::time::Duration;";
    let default = || {
        let mut n = exp(500, 1.5, Some(60_000), None, Some(900_000), Jitter::Proportional(0.5));
        n.attempts = Some(None);
        n
    };
    check_retries(&[
        (imports, "retry(ExponentialBackoff::default(), op).await", "backoff", default()),
        (
            imports,
            "let b = ExponentialBackoff {\n        max_elapsed_time: None,\n        initial_interval: Duration::from_millis(100),\n        ..ExponentialBackoff::default()\n    };\n    retry(b, op).await",
            "backoff",
            Numbers { initial: Some(100), elapsed: Some(None), ..default() },
        ),
        (
            imports,
            "let b = ExponentialBackoffBuilder::new().with_initial_interval(Duration::from_millis(25)).with_max_interval(Duration::from_secs(1)).with_randomization_factor(0.0).with_max_elapsed_time(Some(Duration::from_secs(3))).build();\n    backoff::retry(b, op)",
            "backoff",
            Numbers {
                initial: Some(25),
                max_delay: Some(Some(1_000)),
                elapsed: Some(Some(3_000)),
                jitter: Jitter::None,
                ..default()
            },
        ),
        (
            imports,
            "let mut b = ExponentialBackoffBuilder::new();\n    b.with_multiplier(2.0);\n    retry(b.build(), op).await",
            "backoff",
            Numbers { factor: Some(2.0), ..default() },
        ),
    ]);
}

#[test]
fn reqwest_retry_policies_where_they_are_built() {
    let imports = "use reqwest_retry::{Jitter, RetryTransientMiddleware, policies::ExponentialBackoff};\nuse std::time::Duration;";
    check_retries(&[
        (
            imports,
            "let retry_policy = ExponentialBackoff::builder().build_with_max_retries(3);\n    let client = ClientBuilder::new(reqwest::Client::new()).with(RetryTransientMiddleware::new_with_policy(retry_policy)).build();",
            "reqwest-retry",
            exp(1_000, 2.0, Some(1_800_000), Some(4), None, Jitter::Full),
        ),
        (
            imports,
            "let p = ExponentialBackoff::builder().retry_bounds(Duration::from_millis(30), Duration::from_secs(5)).base(3).jitter(Jitter::None).build_with_total_retry_duration(Duration::from_secs(60));",
            "reqwest-retry",
            Numbers { attempts: Some(None), ..exp(30, 3.0, Some(5_000), None, Some(60_000), Jitter::None) },
        ),
        (
            "use retry_policies::policies::ExponentialBackoff;",
            "let p = ExponentialBackoff::builder().build_with_max_retries(cfg.n);",
            "reqwest-retry",
            Numbers { attempts: None, ..exp(1_000, 2.0, Some(1_800_000), None, None, Jitter::Full) },
        ),
    ]);
}

#[test]
fn a_local_struct_of_a_library_name_is_not_a_retry() {
    let src = "use backoff::*;\nstruct ExponentialBackoff { base: u64 }\nfn retry<T>(b: ExponentialBackoff, op: T) {}\nfn f() {\n    let s = ExponentialBackoff::from_millis(10);\n    retry(s, op);\n    ExponentialBackoff::builder().build_with_max_retries(3);\n}\n";
    let x = run(src);
    assert!(x.facts.nodes.is_empty(), "{:#?}", x.facts.nodes);
    // tokio-retry runs the policy, but a local strategy type is not read as tokio-retry's.
    let src = "use tokio_retry::Retry;\nstruct ExponentialBackoff;\nasync fn f() { Retry::spawn(ExponentialBackoff::from_millis(10), op).await }\n";
    let r = code_retry(src);
    assert_eq!(
        (r.library.as_str(), r.initial_delay_ms.clone()),
        ("tokio-retry", Value::Unknown { expr: "ExponentialBackoff::from_millis(10)".into() })
    );
}

fn timeouts_of(src: &str, name: &str) -> Vec<(String, Origin, Option<u64>, u32)> {
    let x = run(src);
    step(&x, name).attrs.timeouts.iter().map(|t| (t.library.clone(), t.origin, known(&t.ms), t.source.line)).collect()
}

#[test]
fn tokio_timeouts_in_every_import_form() {
    let ops = "/// # Operations\n/// - owner: me\n";
    let full = format!("{ops}async fn f() {{ tokio::time::timeout(std::time::Duration::from_secs(20), fut).await }}");
    assert_eq!(timeouts_of(&full, "f"), [("tokio::time::timeout".to_string(), Origin::Code, Some(20_000), 3)]);
    let alias = format!(
        "use tokio::time::{{timeout as deadline, Duration}};\n{ops}async fn f() {{ deadline(Duration::from_secs(20), fut).await }}"
    );
    assert_eq!(timeouts_of(&alias, "f"), [("tokio::time::timeout".to_string(), Origin::Code, Some(20_000), 4)]);
    // A local function called `timeout` is not tokio's.
    let local = format!("fn timeout(d: u64) {{}}\n{ops}async fn f() {{ timeout(5) }}");
    assert!(timeouts_of(&local, "f").is_empty());
}

#[test]
fn a_client_timeout_from_a_const_applies_to_steps_that_send_requests() {
    let src = r#"use reqwest::Client;
use std::time::Duration;

const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

fn client() -> Client {
    Client::builder()
        .timeout(CLIENT_REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// # Operations
/// - owner: me
async fn push(c: &Client, url: &str, map: &HashMap<String, String>) {
    let _ = map.get("k");
    c.post(url).json(&1).send().await;
    c.get(format!("{url}/status")).timeout(Duration::from_millis(500)).send().await;
}

/// # Operations
/// - owner: me
async fn local_only() {}
"#;
    let x = run(src);
    let push = step(&x, "push");
    let timeouts: Vec<(&str, Option<u64>, u32, &str)> = push
        .attrs
        .timeouts
        .iter()
        .map(|t| (t.library.as_str(), known(&t.ms), t.source.line, t.text.as_str()))
        .collect();
    assert_eq!(
        timeouts,
        [
            (
                "reqwest::RequestBuilder::timeout",
                Some(500),
                19,
                "c.get(format!(\"{url}/status\")).timeout(Duration::from_millis(500))"
            ),
            ("reqwest::ClientBuilder::timeout", Some(60_000), 8, "Client::builder().timeout(CLIENT_REQUEST_TIMEOUT)"),
        ]
    );
    let http: Vec<(&str, &str, u32)> =
        push.attrs.http_calls.iter().map(|h| (h.method.as_str(), h.target.as_str(), h.source.line)).collect();
    assert_eq!(http, [("POST", "url", 18), ("GET", "format!(\"{url}/status\")", 19)]);
    let effects: Vec<(&str, u32)> = push.attrs.side_effects.iter().map(|s| (s.value.as_str(), s.source.line)).collect();
    assert_eq!(effects, [("HTTP POST url", 18)]);
    assert!(step(&x, "local_only").attrs.timeouts.is_empty());
}

#[test]
fn http_verbs_need_a_request() {
    let src = "use reqwest::Method;\n/// # Operations\n/// - owner: me\nasync fn f(c: &Client, m: &HashMap<u8, u8>) {\n    m.get(&1);\n    c.request(Method::PUT, \"https://erp/orders\").send().await;\n    reqwest::get(URL).await;\n    let req = c.delete(url);\n    req.send().await;\n}\n";
    let x = run(src);
    let s = step(&x, "f");
    let http: Vec<(&str, &str, u32)> =
        s.attrs.http_calls.iter().map(|h| (h.method.as_str(), h.target.as_str(), h.source.line)).collect();
    assert_eq!(http, [("PUT", "\"https://erp/orders\"", 6), ("GET", "URL", 7), ("DELETE", "url", 8)]);
    let effects: Vec<&str> = s.attrs.side_effects.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(effects, ["HTTP PUT \"https://erp/orders\"", "HTTP DELETE url"]);
}

#[test]
fn a_syntax_error_is_one_parse_error_at_its_line() {
    let x = run("fn ok() {}\n\nfn broken() {\n    let x = ;\n}\n");
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line, d.source.column), ("parse-error", Severity::Error, 4, 13));
    assert!(d.message.contains("expected an expression"), "{}", d.message);
}

#[test]
fn odd_inputs_do_not_panic() {
    for src in [
        "",
        "\u{feff}fn a() {}",
        "#!/usr/bin/env rust\nfn a() {}",
        "fn",
        "/// # Operations\n/// -\n/// - :\nfn a() {}",
        "const A: u64 = A;\nfn f() { Retry::spawn(FixedInterval::from_millis(A), a) }",
    ] {
        let _ = run(src);
    }
}

fn corpus(rel: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/").to_string() + rel;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_corpus_rust_file_extracts() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let x = extract(&path.to_string_lossy(), &text);
                assert!(
                    x.diagnostics.iter().all(|d| d.severity != Severity::Error),
                    "{}: {:?}",
                    path.display(),
                    x.diagnostics
                );
                seen += 1;
            }
        }
    }
    assert!(seen >= 14, "only {seen} Rust files in the corpus");
}

#[test]
fn corpus_doc_comment_examples_are_not_code() {
    for rel in ["rust-tokio-retry/src/lib.rs", "reqwest-middleware/reqwest-retry/src/lib.rs"] {
        let x = extract(rel, &corpus(rel));
        assert_eq!(x, Extracted::default(), "{rel}");
    }
}

#[test]
fn corpus_backon_examples() {
    let x = extract("async.rs", &corpus("backon/examples/async.rs"));
    assert_eq!(steps(&x), ["main"]);
    let main = step(&x, "main");
    let r = &main.attrs.retries[0];
    assert_eq!((r.library.as_str(), r.source.line, r.text.as_str()), ("backon", 19, "ExponentialBuilder::default()"));
    assert_eq!(numbers(r), exp(1_000, 2.0, Some(60_000), Some(4), None, Jitter::None));
    let calls: Vec<&str> =
        x.facts.edges.iter().filter(|e| e.kind == EdgeKind::Calls).map(|e| e.to.name.as_str()).collect();
    assert_eq!(calls, ["fetch"]);

    let x = extract("closure.rs", &corpus("backon/examples/closure.rs"));
    assert_eq!(steps(&x), ["main"]);
    let r = &step(&x, "main").attrs.retries[0];
    assert_eq!((r.library.as_str(), r.source.line, r.max_attempts.clone()), ("backon", 11, Value::Known(Some(4))));
}

#[test]
fn corpus_backoff_examples() {
    let unbounded_default = |r: &RetryFact| {
        assert_eq!(r.library, "backoff");
        let mut n = exp(500, 1.5, Some(60_000), None, Some(900_000), Jitter::Proportional(0.5));
        n.attempts = Some(None);
        assert_eq!(numbers(r), n);
    };
    let x = extract("retry.rs", &corpus("rust-backoff/examples/retry.rs"));
    assert_eq!(steps(&x), ["fetch_url"]);
    let s = step(&x, "fetch_url");
    assert_eq!(s.source.line, 5);
    unbounded_default(&s.attrs.retries[0]);
    assert_eq!(s.attrs.retries[0].source.line, 15);
    assert_eq!(s.attrs.http_calls.iter().map(|h| (h.method.as_str(), h.source.line)).collect::<Vec<_>>(), [("GET", 8)]);

    let x = extract("async.rs", &corpus("rust-backoff/examples/async.rs"));
    assert_eq!(steps(&x), ["fetch_url"]);
    let s = step(&x, "fetch_url");
    unbounded_default(&s.attrs.retries[0]);
    assert_eq!((s.attrs.retries[0].source.line, s.attrs.retries[0].source.column), (7, 11));
    assert_eq!(s.attrs.http_calls[0].target, "url");
}

#[test]
fn corpus_kube_job_api_waits_twenty_seconds() {
    let read = read_file("job_api.rs", &corpus("kube-rs/examples/job_api.rs")).unwrap();
    let main = read.functions.iter().find(|f| f.ident == "main").unwrap();
    let t: Vec<(&str, Option<u64>, u32)> =
        main.code.timeouts.iter().map(|t| (t.library.as_str(), known(&t.ms), t.source.line)).collect();
    assert_eq!(t, [("tokio::time::timeout", Some(20_000), 42)]);
    // A timeout alone does not make a step.
    assert!(extract("job_api.rs", &corpus("kube-rs/examples/job_api.rs")).facts.nodes.is_empty());
}

#[test]
fn corpus_reqwest_retry_tests_are_tests() {
    let rel = "reqwest-middleware/reqwest-retry/tests/all/retry.rs";
    let x = extract(rel, &corpus(rel));
    assert!(x.facts.nodes.is_empty(), "{:#?}", x.facts.nodes);
    // Read as plain functions, the policies and request timeouts inside are recognised.
    let read = read_file(rel, &corpus(rel).replace("#[tokio::test]", "")).unwrap();
    let f = read.functions.iter().find(|f| f.ident == "assert_retry_on_request_timeout").unwrap();
    assert_eq!(numbers(&f.code.client_retries[0]), exp(30, 2.0, Some(100), Some(4), None, Jitter::Full));
    assert_eq!(f.code.timeouts[0].library, "reqwest::RequestBuilder::timeout");
    assert_eq!(f.code.timeouts[0].ms, Value::Known(10));
}

#[test]
fn a_retrying_client_built_in_a_constructor_retries_the_steps_that_send_with_it() {
    let src = r#"use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};

impl Mailer {
    pub fn new() -> Mailer {
        let policy = ExponentialBackoff::builder().build_with_max_retries(3);
        let http = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
            .with(RetryTransientMiddleware::new_with_policy(policy))
            .build();
        Mailer { http }
    }
}

/// # Operations
/// - workflow: w
pub async fn send(m: &Mailer) {
    m.http.post(URL).json(&1).send().await;
}
"#;
    let x = run(src);
    assert_eq!(steps(&x), ["send"]);
    let r = &step(&x, "send").attrs.retries;
    assert_eq!(r.len(), 1);
    assert_eq!((r[0].library.as_str(), r[0].source.line), ("reqwest-retry", 5));
    assert_eq!(numbers(&r[0]), exp(1_000, 2.0, Some(1_800_000), Some(4), None, Jitter::Full));
}
