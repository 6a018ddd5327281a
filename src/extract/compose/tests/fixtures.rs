//! The extractor on small compose files written for one behaviour each.

use super::*;

fn fixture(text: &str) -> Extracted {
    extract("compose.yaml", text)
}

/// Facts inherited through an anchor point at the anchored definition (where the value's
/// text is, and where one edit changes every service), not at the `<<: *defaults` line.
#[test]
fn merge_key_inherits_restart_and_healthcheck_at_their_definition() {
    let x = fixture(
        "x-defaults: &defaults
  restart: on-failure:5
  healthcheck:
    test: [\"CMD\", \"pg_isready\", \"-U\", \"app\"]
    interval: 1m30s
x-env: &env
  DB_HOST: db
services:
  api:
    <<: *defaults
    image: api:1
    environment: *env
  worker:
    <<: *defaults
    restart: always
  db:
    image: postgres
",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(names(&x), ["api", "worker", "db"], "x- blocks are not services");
    let r = restart(&x, "api");
    assert_eq!((r.condition.as_str(), r.max_attempts, line_col(&r.source)), ("on-failure", Some(5), (2, 12)));
    assert_eq!(r.text, "restart: on-failure:5");
    let hc = health(&x, "api");
    assert_eq!(hc.test, "pg_isready -U app");
    assert_eq!(
        (hc.interval_ms, hc.timeout_ms, hc.retries, hc.start_period_ms),
        (Some(90_000), Some(30_000), Some(3), Some(0))
    );
    assert_eq!(hc.source.line, 3);
    assert_eq!(health(&x, "worker").source.line, 3);
    // A service's own key beats the merged one.
    assert_eq!((restart(&x, "worker").condition.as_str(), restart(&x, "worker").source.line), ("always", 15));
    let e = edge(&x, "api", "db");
    assert_eq!((e.detail.as_deref(), e.source.line), (Some("env DB_HOST"), 7));
    assert_eq!(edges(&x, "worker", "db").count(), 0);
}

#[test]
fn env_urls_name_services_by_name_hostname_and_alias() {
    let x = fixture(
        "services:
  api:
    hostname: api-host
    environment:
      DATABASE_URL: postgres://user:pw@pg:5432/app
      AMQP_URL: amqp://rabbitmq
      BACKEND: http://backend.internal:8080/path
      CACHE_URL: redis://cache-alias:6379/0
      SEARCH: \"${SEARCH_HOST:-search}:9200\"
      PRICE: \"$$search\"
      SELF_URL: http://api-host:80
      POSTGRES_USER: pg
  pg: {image: postgres}
  rabbitmq: {image: rabbitmq}
  backend: {hostname: backend.internal}
  redis:
    networks:
      default:
        aliases: [cache-alias]
  search: {image: elasticsearch}
",
    );
    let found: Vec<(&str, u32, &str)> = x
        .facts
        .edges
        .iter()
        .map(|e| (e.to.name.as_str(), e.source.line, e.detail.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        found,
        [
            ("pg", 5, "env DATABASE_URL"),
            ("rabbitmq", 6, "env AMQP_URL"),
            ("backend", 7, "env BACKEND"),
            ("redis", 8, "env CACHE_URL"),
        ]
    );
    assert!(x.facts.edges.iter().all(|e| e.resolve == Resolve::Required && e.kind == EdgeKind::DependsOn));
}

#[test]
fn optional_dependency_resolves_as_external() {
    let x = fixture(
        "services:
  web:
    depends_on:
      db:
        condition: service_healthy
        restart: true
      metrics:
        condition: service_started
        required: false
  db:
",
    );
    let db = edge(&x, "web", "db");
    assert_eq!(
        (db.resolve, db.detail.as_deref()),
        (Resolve::Required, Some("condition: service_healthy, restart: true"))
    );
    assert_eq!(line_col(&db.source), (4, 7));
    let metrics = edge(&x, "web", "metrics");
    assert_eq!(metrics.resolve, Resolve::External);
    assert!(metrics.detail.as_deref().unwrap().contains("optional"), "{:?}", metrics.detail);
    assert_eq!(names(&x), ["web", "db"], "a service with an empty body is still a service");
}

#[test]
fn links_network_mode_and_volumes_from_are_dependencies() {
    let x = fixture(
        "services:
  app:
    links: [\"db\", \"cache:redis\"]
    network_mode: \"service:vpn\"
    volumes_from: [\"data:ro\", \"container:legacy\"]
  db: {}
  cache: {}
  vpn: {}
  data: {}
",
    );
    let found: Vec<(&str, &str)> =
        x.facts.edges.iter().map(|e| (e.to.name.as_str(), e.detail.as_deref().unwrap_or_default())).collect();
    assert_eq!(
        found,
        [
            ("db", "links"),
            ("cache", "links (as `redis`)"),
            ("vpn", "network_mode: service:vpn"),
            ("data", "volumes_from")
        ]
    );
    assert_eq!(edge(&x, "app", "vpn").source.line, 4);
}

#[test]
fn broken_yaml_is_one_parse_error_at_the_parsers_line_and_no_facts() {
    let x = fixture("services:\n  web:\n    image: nginx\n      restart: always\n  db:\n    image: postgres\n");
    assert_eq!(x.facts, Default::default());
    assert_eq!(x.diagnostics.len(), 1, "{:#?}", x.diagnostics);
    let d = &x.diagnostics[0];
    assert_eq!((d.severity, d.code.as_str(), d.source.line), (Severity::Error, "parse-error", 4));
    assert!(d.message.starts_with("invalid YAML: ") && !d.message.contains("at line"), "{}", d.message);

    let x = fixture("services:\n  web:\n    ports: [\"80:80\"\n  db: {}\n");
    assert_eq!(x.diagnostics[0].code, "parse-error");
    assert!(x.facts.nodes.is_empty());
}

#[test]
fn service_whose_value_is_a_string_is_skipped_with_a_warning() {
    let x = fixture("services:\n  web: nginx:latest\n  db:\n    image: postgres\n");
    assert_eq!(names(&x), ["db"]);
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.severity, d.code.as_str(), line_col(&d.source)), (Severity::Warning, "invalid-value", (2, 3)));
    assert!(d.message.contains("`web`"), "{}", d.message);
}

#[test]
fn a_file_without_services_gives_nothing() {
    for text in ["", "# nothing yet\n", "version: '3'\nvolumes:\n  data:\n", "services:\n", "- a\n- b\n"] {
        let x = fixture(text);
        assert_eq!(x, Extracted::default(), "{text:?}");
    }
}

#[test]
fn labels_give_description_and_owner_in_map_and_list_form() {
    let x = fixture(
        "services:
  api:
    labels:
      com.example.description: \"Accepts orders\"
      opsbook.owner: team-payments
  worker:
    labels:
      - \"org.opencontainers.image.description=Drains the queue\"
      - owner=team-ops
",
    );
    let api = &node(&x, "api").attrs;
    assert_eq!(api.description.as_deref(), Some("Accepts orders"));
    let owner = api.owner.as_ref().unwrap();
    assert_eq!((owner.value.as_str(), owner.source.line), ("team-payments", 5));
    let worker = &node(&x, "worker").attrs;
    assert_eq!(worker.description.as_deref(), Some("Drains the queue"));
    assert_eq!(worker.owner.as_ref().map(|o| (o.value.as_str(), o.source.line)), Some(("team-ops", 9)));
}

#[test]
fn disabled_and_image_health_checks() {
    let x = fixture(
        "services:
  a:
    healthcheck:
      disable: true
  b:
    healthcheck:
      test: [\"NONE\"]
  c:
    healthcheck:
      interval: 2s
  d:
    healthcheck:
      test: curl -f http://localhost/health || exit 1
      timeout: 500ms
  e:
    healthcheck:
      test: [\"CMD\", \"sh\", \"-c\", \"echo it's up\"]
",
    );
    assert!(node(&x, "a").attrs.health_checks.is_empty());
    assert!(node(&x, "b").attrs.health_checks.is_empty());
    let c = health(&x, "c");
    assert_eq!((c.test.as_str(), c.interval_ms), ("(the image's HEALTHCHECK)", Some(2_000)));
    let d = health(&x, "d");
    assert_eq!((d.test.as_str(), d.timeout_ms), ("curl -f http://localhost/health || exit 1", Some(500)));
    assert_eq!(health(&x, "e").test, r"sh -c 'echo it'\''s up'");
}

#[test]
fn restart_forms_and_swarm_policy_winning() {
    let x = fixture(
        "services:
  a:
    restart: no
  b:
    restart: on-failure:3
  c:
    restart: unless-stopped
  d:
    restart: always
    deploy:
      restart_policy:
        condition: none
  e:
    deploy:
      restart_policy:
        max_attempts: 4
  f:
    restart: ${RESTART_POLICY:-always}
",
    );
    let got = |n: &str| {
        let r = restart(&x, n);
        (r.condition.clone(), r.max_attempts)
    };
    assert_eq!(got("a"), ("no".to_string(), Some(0)), "unquoted no is the string `no` in YAML 1.2");
    assert_eq!(got("b"), ("on-failure".to_string(), Some(3)));
    assert_eq!(got("c"), ("unless-stopped".to_string(), None));
    assert_eq!(got("d"), ("none".to_string(), Some(0)));
    assert_eq!(restart(&x, "d").source.line, 11, "deploy.restart_policy wins over restart");
    assert_eq!(got("e"), ("any".to_string(), Some(4)), "condition defaults to any");
    assert!(node(&x, "f").attrs.restart.is_none(), "an interpolated policy is not guessed");
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
}

#[test]
fn values_that_are_not_understood_are_warnings_at_their_line() {
    let x = fixture(
        "services:
  a:
    restart: sometimes
    healthcheck:
      test: [\"CMD\", \"true\"]
      interval: 10
      retries: many
      timeout: ${HC_TIMEOUT:-5s}
    depends_on: [a]
",
    );
    let lines: Vec<(u32, &str)> = x.diagnostics.iter().map(|d| (d.source.line, d.code.as_str())).collect();
    assert_eq!(lines, [(6, "invalid-value"), (7, "invalid-value"), (3, "invalid-value"), (9, "invalid-value")]);
    let hc = health(&x, "a");
    assert_eq!((hc.interval_ms, hc.retries, hc.timeout_ms), (None, None, None), "unknown, not defaulted");
    assert!(node(&x, "a").attrs.restart.is_none());
    assert!(x.facts.edges.is_empty(), "no edge from a service to itself");
}

#[test]
fn alias_bomb_is_refused_without_hanging() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    text.push_str("services:\n  web:\n    labels: *a9\n");
    let x = fixture(&text);
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics[0].code, "parse-error");
}
