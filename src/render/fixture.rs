//! A hand-built system for render tests: an order-fulfilment workflow, its steps and
//! dependencies, retry policies, findings, and one node whose every string is hostile.

use crate::analyze::retry::normalise;
use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::extract::{HealthCheck, Idempotency, Jitter, NodeAttrs, Origin, RetryFact, Strategy, TimeoutFact, Value};
use crate::model::{Edge, EdgeKind, Graph, Node, NodeKind};
use crate::source::{Located, Source};

pub const EVIL_NAME: &str = "<b>\"evil\"</b> 'x'";
pub const EVIL_DESCRIPTION: &str = "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>";

fn at(file: &str, line: u32) -> Source {
    Source::new(file, line, 1)
}

fn located(value: &str, file: &str, line: u32) -> Located<String> {
    Located::new(value.to_string(), at(file, line))
}

fn node(kind: NodeKind, slug: &str, name: &str, source: Option<Source>) -> Node {
    Node {
        scope: None,
        id: format!("{}:{slug}", kind.as_str()),
        kind,
        name: name.to_string(),
        slug: slug.to_string(),
        page: format!("{}/{slug}.html", kind.folder()),
        external: source.is_none(),
        sources: source.into_iter().collect(),
        attrs: NodeAttrs::default(),
    }
}

fn retry(file: &str, line: u32, origin: Origin, library: &str, attempts: Value<Option<u32>>) -> RetryFact {
    RetryFact {
        source: at(file, line),
        origin,
        library: library.to_string(),
        text: format!("{library} policy"),
        strategy: Strategy::Exponential,
        initial_delay_ms: Value::Known(500),
        factor: Value::Known(2.0),
        max_delay_ms: Value::Known(Some(30_000)),
        max_attempts: attempts,
        max_elapsed_ms: Value::Known(None),
        jitter: Jitter::Full,
        limit_text: None,
        on_errors: Vec::new(),
    }
}

pub fn graph() -> Graph {
    let mut push = node(NodeKind::Step, "push-order", "push_order", Some(at("src/erp.rs", 14)));
    push.attrs = NodeAttrs {
        description: Some("Pushes a confirmed order into the **ERP**.".into()),
        owner: Some(located("team-integrations", "src/erp.rs", 10)),
        workflow: Some(located("order-fulfilment", "src/erp.rs", 4)),
        side_effects: vec![located("creates a sales order in the ERP", "src/erp.rs", 6)],
        idempotent: Some(Located::new(Idempotency::No, at("src/erp.rs", 7))),
        retries: vec![
            retry("src/erp.rs", 30, Origin::Code, "tokio-retry", Value::Known(Some(5))),
            retry("src/erp.rs", 8, Origin::Declared, "doc", Value::Known(Some(3))),
        ],
        timeouts: vec![TimeoutFact {
            source: at("src/erp.rs", 9),
            origin: Origin::Declared,
            library: "doc".into(),
            text: "timeout: 10s".into(),
            ms: Value::Known(10_000),
        }],
        alerts: vec![located("ErpSyncFailing", "src/erp.rs", 11)],
        failure_modes: vec![located("ERP returns 503 during its nightly batch window.", "src/erp.rs", 13)],
        recovery: vec![
            located("Check the ERP status page.", "src/erp.rs", 16),
            located("Replay from the dead-letter queue with `erpctl replay --since 1h`.", "src/erp.rs", 17),
        ],
        health_checks: vec![HealthCheck {
            source: at("docker-compose.yml", 22),
            kind: "compose healthcheck".into(),
            test: "curl -f http://localhost/health".into(),
            interval_ms: Some(30_000),
            timeout_ms: Some(5_000),
            retries: Some(3),
            start_period_ms: None,
        }],
        ..NodeAttrs::default()
    };
    let mut dead = node(NodeKind::Step, "dead-letter", "dead_letter", Some(at("src/dlq.rs", 3)));
    dead.attrs.retries = vec![
        retry("src/dlq.rs", 12, Origin::Code, "backon", Value::Unknown { expr: "cfg.retries".into() }),
        retry("src/dlq.rs", 2, Origin::Declared, "doc", Value::Known(None)),
    ];
    let mut evil = node(NodeKind::Step, "b-evil-b-x", EVIL_NAME, Some(at("src/evil.rs", 1)));
    evil.attrs.description = Some(EVIL_DESCRIPTION.into());
    evil.attrs.recovery = vec![located("<script>alert(2)</script> run `\"quoted\"`", "src/evil.rs", 2)];
    evil.attrs.owner = Some(located("<i>team</i>", "src/evil.rs", 3));
    evil.attrs.retries = vec![retry("src/evil.rs", 5, Origin::Code, "<script>lib</script>", Value::Known(None))];
    evil.attrs.dashboard = Some(located("https://dash.example/\"><script>alert(4)</script>", "src/evil.rs", 6));
    evil.attrs.runbook = Some(located("javascript:alert(3)", "src/evil.rs", 7));
    evil.attrs.alerts = vec![located("<svg onload=alert(5)>", "src/evil.rs", 8)];
    evil.sources.push(at("src/<x> \"y\".rs", 9));
    let mut flow = node(NodeKind::Workflow, "order-fulfilment", "order-fulfilment", Some(at("src/erp.rs", 4)));
    flow.attrs.owner = Some(located("team-integrations", "CODEOWNERS", 1));
    let nodes = vec![
        push,
        dead,
        evil,
        flow,
        node(NodeKind::Resource, "erp-api", "erp-api", None),
        node(NodeKind::Resource, "orders-db", "orders-db", Some(at("docker-compose.yml", 20))),
        node(NodeKind::Service, "storefront", "storefront", Some(at("docker-compose.yml", 2))),
        node(NodeKind::Team, "team-integrations", "team-integrations", Some(at("CODEOWNERS", 1))),
        node(NodeKind::Alert, "erpsyncfailing", "ErpSyncFailing", Some(at("alerts.yml", 5))),
    ];
    let mut g = Graph::default();
    for n in nodes {
        let id = n.id.clone();
        let index = g.graph.add_node(n);
        g.by_id.insert(id, index);
    }
    let edges = [
        ("workflow:order-fulfilment", "step:push-order", EdgeKind::Contains, 4),
        ("step:push-order", "resource:erp-api", EdgeKind::DependsOn, 5),
        ("step:push-order", "resource:orders-db", EdgeKind::DependsOn, 5),
        ("step:push-order", "step:b-evil-b-x", EdgeKind::Calls, 40),
        ("step:push-order", "step:dead-letter", EdgeKind::OnError, 41),
        ("service:storefront", "workflow:order-fulfilment", EdgeKind::Triggers, 3),
        ("team:team-integrations", "workflow:order-fulfilment", EdgeKind::Owns, 1),
        ("alert:erpsyncfailing", "step:push-order", EdgeKind::Alerts, 5),
    ];
    for (from, to, kind, line) in edges {
        let edge = Edge { kind, sources: vec![at("src/erp.rs", line)], detail: None };
        g.graph.add_edge(g.by_id[from], g.by_id[to], edge);
    }
    g
}

pub fn analysis(graph: &Graph) -> Analysis {
    let mut a = Analysis::default();
    for (_, n) in graph.nodes() {
        let timeout = n.attrs.timeouts.iter().filter_map(|t| t.ms.known()).min();
        if let Some(ms) = timeout {
            a.timeout_ms.insert(n.id.clone(), ms);
        }
        let policies: Vec<_> = n.attrs.retries.iter().map(|f| normalise(f, timeout)).collect();
        if let Some(first) = policies.first() {
            a.retry.insert(n.id.clone(), first.clone());
            a.all_retries.insert(n.id.clone(), policies);
        }
    }
    std::sync::Arc::make_mut(&mut a.blast_radius)
        .insert("step:push-order".into(), vec!["service:storefront".into(), "workflow:order-fulfilment".into()]);
    std::sync::Arc::make_mut(&mut a.blast_radius).insert("step:b-evil-b-x".into(), vec!["step:push-order".into()]);
    let finding = |code: &str, severity, node: Option<&str>, file: &str, line, message: &str| {
        Finding::new(code, severity, node, &at(file, line), message, format!("fix {code}"))
    };
    a.findings = vec![
        finding(
            "retry-without-idempotency",
            Severity::Error,
            Some("step:push-order"),
            "src/erp.rs",
            14,
            "push_order is retried 5 times but creates a sales order each time",
        ),
        finding(
            "unbounded-retry",
            Severity::Warning,
            Some("step:b-evil-b-x"),
            "src/evil.rs",
            5,
            "<b>\"evil\"</b> retries forever",
        ),
        finding(
            "missing-timeout",
            Severity::Warning,
            Some("step:dead-letter"),
            "src/dlq.rs",
            3,
            "dead_letter can wait forever",
        ),
        finding("parse-error", Severity::Info, None, "broken.yml", 2, "broken.yml could not be read"),
    ];
    a
}
