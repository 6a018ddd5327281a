//! Retry, timeout and HTTP calls found in code, resolved through imports.

use super::*;

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
    // A file with an `# Operations` section: one without is not parsed (the pre-filter).
    let x = run("fn ok() {}\n\n/// # Operations\nfn broken() {\n    let x = ;\n}\n");
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line, d.source.column), ("parse-error", Severity::Error, 5, 13));
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

#[test]
fn a_builder_changed_in_a_branch_is_unknown_where_it_changed() {
    let src = "use reqwest_retry::policies::ExponentialBackoff;\nuse std::time::Duration;\nfn client(slow: bool) {\n    let mut b = ExponentialBackoff::builder();\n    if slow {\n        b = b.retry_bounds(Duration::from_secs(5), Duration::from_secs(60));\n    }\n    let p = b.build_with_max_retries(3);\n}\n";
    let r = code_retry(src);
    assert_eq!(r.max_attempts, Value::Known(Some(4)));
    assert_eq!(
        r.max_delay_ms,
        Value::Unknown { expr: "b.retry_bounds(Duration::from_secs(5), Duration::from_secs(60)) (in a branch)".into() }
    );
    assert!(matches!(r.initial_delay_ms, Value::Unknown { .. }));
    assert_eq!(r.factor, Value::Known(2.0));
    // The same assignment at the top level of the body is certain.
    let r = code_retry(&src.replace("    if slow {\n", "").replace(");\n    }\n", ");\n"));
    assert_eq!((r.initial_delay_ms, r.max_delay_ms), (Value::Known(5_000), Value::Known(Some(60_000))));
}

#[test]
fn a_strategy_from_elsewhere_is_a_retry_of_unknown_shape() {
    let src = "use tokio_retry::Retry;\nasync fn f(strategy: Strategy) {\n    let strategy = strategy;\n    Retry::spawn(strategy, || async { op() }).await\n}\n";
    let r = code_retry(src);
    assert_eq!((r.library.as_str(), r.source.line, r.text.as_str()), ("tokio-retry", 4, "strategy"));
    assert_eq!(r.max_attempts, Value::Unknown { expr: "strategy".into() });
    assert_eq!(r.jitter, Jitter::Unknown);
    // A closure parameter shadows a local of the same name.
    let src = "use backon::{ExponentialBuilder, Retryable};\nfn f() {\n    let b = ExponentialBuilder::default();\n    let run = |b: Builder| fetch.retry(b);\n}\n";
    let r = code_retry(src);
    assert!(matches!(r.initial_delay_ms, Value::Unknown { .. }), "{r:?}");
}

#[test]
fn tower_timeouts() {
    let src = "use tower::{ServiceBuilder, timeout::TimeoutLayer};\n/// # Operations\n/// - owner: me\nfn f() {\n    ServiceBuilder::new().timeout(Duration::from_secs(4));\n    let l = TimeoutLayer::new(Duration::from_millis(250));\n}\n";
    let t = timeouts_of(src, "f");
    assert_eq!(
        t,
        [
            ("tower::ServiceBuilder::timeout".to_string(), Origin::Code, Some(4_000), 5),
            ("tower::timeout::TimeoutLayer".to_string(), Origin::Code, Some(250), 6)
        ]
    );
}

#[test]
fn a_compound_assignment_makes_a_count_unknown() {
    let src = "use tokio_retry::{Retry, strategy::FixedInterval};\nasync fn f() {\n    let mut n = 3;\n    n += 1;\n    Retry::spawn(FixedInterval::from_millis(10).take(n), op).await\n}\n";
    assert_eq!(code_retry(src).max_attempts, Value::Unknown { expr: "n".into() });
}

#[test]
fn backoff_fields_set_in_place() {
    let src = "use backoff::ExponentialBackoff;\nfn f() {\n    let mut b = ExponentialBackoff::default();\n    b.max_elapsed_time = None;\n    b.initial_interval = std::time::Duration::from_millis(50);\n    backoff::retry(b, op)\n}\n";
    let r = code_retry(src);
    assert_eq!((r.max_elapsed_ms, r.initial_delay_ms, r.source.line), (Value::Known(None), Value::Known(50), 3));
    assert_eq!(
        r.text,
        "ExponentialBackoff::default(); b.max_elapsed_time = None; b.initial_interval = std::time::Duration::from_millis(50)"
    );
}

#[test]
fn a_static_client_lends_its_timeout_and_retries() {
    let src = r#"use std::sync::LazyLock;
use std::time::Duration;
use reqwest_retry::{policies::ExponentialBackoff, RetryTransientMiddleware};

static HTTP: LazyLock<ClientWithMiddleware> = LazyLock::new(|| {
    let inner = reqwest::Client::builder().timeout(Duration::from_secs(8)).build().unwrap();
    reqwest_middleware::ClientBuilder::new(inner)
        .with(RetryTransientMiddleware::new_with_policy(ExponentialBackoff::builder().build_with_max_retries(2)))
        .build()
});

/// # Operations
/// - owner: me
async fn notify() {
    HTTP.put(URL).send().await;
}
"#;
    let x = run(src);
    let s = step(&x, "notify");
    let t: Vec<(&str, Option<u64>, u32)> =
        s.attrs.timeouts.iter().map(|t| (t.library.as_str(), known(&t.ms), t.source.line)).collect();
    assert_eq!(t, [("reqwest::ClientBuilder::timeout", Some(8_000), 6)]);
    let r: Vec<(&str, Option<Option<u32>>, u32)> =
        s.attrs.retries.iter().map(|r| (r.library.as_str(), known(&r.max_attempts), r.source.line)).collect();
    assert_eq!(r, [("reqwest-retry", Some(Some(3)), 8)]);
}
