//! Compose extractor tests: real files from the corpus, then small inline fixtures.

use super::extract;
use crate::diag::Severity;
use crate::extract::{EdgeFact, Extracted, HealthCheck, NodeFact, Resolve, RestartFact};
use crate::model::{EdgeKind, NodeKind};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/");

fn corpus(rel: &str) -> Extracted {
    let text = std::fs::read_to_string(format!("{CORPUS}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"));
    extract(rel, &text)
}

fn node<'a>(x: &'a Extracted, name: &str) -> &'a NodeFact {
    x.facts.nodes.iter().find(|n| n.name == name).unwrap_or_else(|| panic!("no service `{name}` in {x:#?}"))
}

fn edge<'a>(x: &'a Extracted, from: &str, to: &str) -> &'a EdgeFact {
    edges(x, from, to).next().unwrap_or_else(|| panic!("no edge {from} -> {to} in {:#?}", x.facts.edges))
}

fn edges<'a>(x: &'a Extracted, from: &str, to: &str) -> impl Iterator<Item = &'a EdgeFact> {
    let (from, to) = (from.to_string(), to.to_string());
    x.facts.edges.iter().filter(move |e| e.from.name == from && e.to.name == to)
}

fn health<'a>(x: &'a Extracted, name: &str) -> &'a HealthCheck {
    node(x, name).attrs.health_checks.first().unwrap_or_else(|| panic!("`{name}` has no health check"))
}

fn restart<'a>(x: &'a Extracted, name: &str) -> &'a RestartFact {
    node(x, name).attrs.restart.as_ref().unwrap_or_else(|| panic!("`{name}` has no restart policy"))
}

fn names(x: &Extracted) -> Vec<&str> {
    x.facts.nodes.iter().map(|n| n.name.as_str()).collect()
}

fn line_col(source: &crate::source::Source) -> (u32, u32) {
    (source.line, source.column)
}

// ---- corpus ----

#[test]
fn every_compose_file_in_the_corpus_extracts_services_without_errors() {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if (name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml")))
                || name == "docker-stack.yml"
            {
                files.push(path);
            }
        }
    }
    assert!(files.len() >= 20, "found only {} compose files", files.len());
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let x = extract(&path.to_string_lossy(), &text);
        assert!(!x.facts.nodes.is_empty(), "{}: no services", path.display());
        let problems: Vec<_> = x.diagnostics.iter().filter(|d| d.severity >= Severity::Warning).collect();
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        for e in &x.facts.edges {
            assert!(x.facts.nodes.iter().any(|n| n.name == e.to.name), "{}: dangling {e:?}", path.display());
        }
    }
}

#[test]
fn nginx_golang_mysql_backend_waits_for_a_healthy_db() {
    let x = corpus("awesome-compose/nginx-golang-mysql/compose.yaml");
    assert_eq!(names(&x), ["backend", "db", "proxy"]);
    assert_eq!(line_col(&node(&x, "backend").source), (2, 3));

    let e = edge(&x, "backend", "db");
    assert_eq!(e.kind, EdgeKind::DependsOn);
    assert_eq!(e.from.kind, Some(NodeKind::Service));
    assert_eq!(e.resolve, Resolve::Required);
    assert_eq!(e.detail.as_deref(), Some("condition: service_healthy"));
    assert_eq!(line_col(&e.source), (9, 7));
    let e = edge(&x, "proxy", "backend");
    assert_eq!(e.detail.as_deref(), Some("condition: service_started"));
    assert_eq!(e.source.line, 44);

    let hc = health(&x, "db");
    assert_eq!(hc.kind, "compose healthcheck");
    assert!(hc.test.starts_with("mysqladmin ping -h 127.0.0.1"), "{}", hc.test);
    assert_eq!(hc.interval_ms, Some(3_000));
    assert_eq!(hc.retries, Some(5));
    assert_eq!(hc.start_period_ms, Some(30_000));
    assert_eq!(hc.timeout_ms, Some(30_000), "timeout defaults to 30 s");
    assert_eq!(hc.source.line, 19);

    let r = restart(&x, "db");
    assert_eq!((r.condition.as_str(), r.max_attempts, r.source.line), ("always", None, 18));
    let image = node(&x, "db").attrs.image.as_ref().unwrap();
    assert_eq!((image.value.as_str(), line_col(&image.source)), ("mariadb:10-focal", (14, 12)));
    assert!(node(&x, "backend").attrs.image.is_none(), "backend is built, not pulled");
}

#[test]
fn voting_app_compose_has_its_conditions_checks_and_no_restart_seed() {
    let x = corpus("example-voting-app/docker-compose.yml");
    assert_eq!(names(&x), ["vote", "result", "worker", "redis", "db", "seed"]);
    assert_eq!(edge(&x, "worker", "redis").source.line, 47);
    assert_eq!(edge(&x, "worker", "db").source.line, 49);
    assert_eq!(x.facts.edges.len(), 5);

    let vote = health(&x, "vote");
    assert_eq!(vote.test, "curl -f http://localhost");
    assert_eq!((vote.interval_ms, vote.timeout_ms, vote.retries), (Some(15_000), Some(5_000), Some(3)));
    let redis = health(&x, "redis");
    assert_eq!(redis.test, "/healthchecks/redis.sh");
    assert_eq!((redis.interval_ms, redis.retries), (Some(5_000), Some(3)));

    let seed = restart(&x, "seed");
    assert_eq!((seed.condition.as_str(), seed.max_attempts, seed.source.line), ("no", Some(0), 89));
    assert!(node(&x, "vote").attrs.restart.is_none());
}

#[test]
fn swarm_stack_restart_policy_has_its_delay_attempts_and_window() {
    let x = corpus("example-voting-app-2022/docker-stack.yml");
    let worker = restart(&x, "worker");
    assert_eq!(worker.condition, "on-failure");
    assert_eq!(worker.delay_ms, Some(10_000));
    assert_eq!(worker.max_attempts, Some(3));
    assert_eq!(worker.window_ms, Some(120_000));
    assert_eq!(worker.source.line, 69);
    assert!(worker.text.contains("max_attempts: 3"), "{}", worker.text);

    let vote = restart(&x, "vote");
    assert_eq!((vote.condition.as_str(), vote.max_attempts, vote.delay_ms), ("on-failure", None, Some(0)));
    assert!(node(&x, "db").attrs.restart.is_none());
    assert_eq!(edge(&x, "vote", "redis").source.line, 34);
    assert_eq!(edges(&x, "worker", "db").count() + edges(&x, "worker", "redis").count(), 2);
}

#[test]
fn obsolete_version_key_is_ignored() {
    let x = corpus("example-voting-app/docker-stack.yml");
    assert_eq!(names(&x), ["redis", "db", "vote", "result", "worker"]);
    assert!(x.diagnostics.is_empty());
}

#[test]
fn env_list_form_names_the_database_host() {
    let x = corpus("awesome-compose/gitea-postgres/compose.yaml");
    let e = edge(&x, "gitea", "db");
    assert_eq!((e.detail.as_deref(), e.source.line), (Some("env DB_HOST"), 6));
    // DB_TYPE=postgres, DB_USER=gitea: no service of those names, no edge.
    assert_eq!(x.facts.edges.len(), 1);

    let x = corpus("awesome-compose/nextcloud-redis-mariadb/compose.yaml");
    assert_eq!(edge(&x, "nc", "redis").source.line, 13);
    assert_eq!(edge(&x, "nc", "db").detail.as_deref(), Some("env MYSQL_HOST"));
}

#[test]
fn env_edge_does_not_repeat_depends_on() {
    // backend says DATABASE_HOST=db (line 13) and depends_on db (line 30).
    let x = corpus("awesome-compose/react-express-mysql/compose.yaml");
    assert_eq!(edges(&x, "backend", "db").count(), 1);
    assert_eq!(edge(&x, "backend", "db").source.line, 30);
}

#[test]
fn env_value_naming_its_own_service_is_no_edge() {
    // logstash sets `discovery.seed_hosts: logstash`.
    let x = corpus("awesome-compose/elasticsearch-logstash-kibana/compose.yaml");
    assert_eq!(x.facts.edges.len(), 2);
    assert!(x.facts.edges.iter().all(|e| e.from.name != e.to.name));
}

// ---- inline fixtures ----

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
