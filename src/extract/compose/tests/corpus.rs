//! The extractor on real compose files from `shared/corpus`.

use super::*;

/// Every file below the corpus whose name passes `keep`, in a stable order.
fn corpus_files(keep: impl Fn(&str) -> bool) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&entry.file_name().to_string_lossy()) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_compose_file_in_the_corpus_extracts_services_without_errors() {
    let files = corpus_files(|name| {
        (name.contains("compose") && (name.ends_with(".yml") || name.ends_with(".yaml"))) || name == "docker-stack.yml"
    });
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

#[test]
fn any_yaml_or_json_file_is_read_without_panic() {
    // Kubernetes streams, Helm templates (not YAML until rendered), ASL JSON: none is a
    // compose file, and none may crash the extractor.
    let files = corpus_files(|name| name.ends_with(".yml") || name.ends_with(".yaml") || name.ends_with(".json"));
    assert!(files.len() > 100, "found only {} files", files.len());
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let _ = extract(&path.to_string_lossy(), &String::from_utf8_lossy(&bytes));
    }
}
