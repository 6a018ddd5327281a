//! The extractor on real manifests from `shared/corpus`.

use super::*;

/// Every YAML file below the corpus with a top-level `kind:` line.
fn manifests() -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                stack.push(path);
            } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if text.lines().any(|l| l.starts_with("kind:")) {
                    files.push(path);
                }
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_manifest_in_the_corpus_extracts_without_panic_or_error() {
    let files = manifests();
    assert!(files.len() >= 80, "found only {} manifests", files.len());
    let mut claimed = 0;
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let x = extract(&path.to_string_lossy(), &text);
        if claims(&text) {
            claimed += 1;
            let problems = problems(&x);
            assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        }
        for e in &x.facts.edges {
            assert!(!e.to.name.is_empty(), "{}: {e:?}", path.display());
        }
    }
    assert!(claimed >= 30, "claimed only {claimed}");
}

#[test]
fn voting_app_has_five_workloads_four_services_and_no_edges_between_them() {
    let x = folder("example-voting-app/k8s-specifications");
    assert!(problems(&x).is_empty());
    assert_eq!(
        names(&x, NodeKind::Service),
        ["db", "db", "redis", "redis", "result", "result", "vote", "vote", "worker"]
    );
    // Every Service selects `app` equal to its own name: they merge with their workloads.
    assert!(x.facts.edges.is_empty(), "{:#?}", x.facts.edges);
    let vote = x.facts.nodes.iter().find(|n| n.name == "vote" && n.attrs.image.is_some()).unwrap();
    assert_eq!(vote.attrs.image.as_ref().unwrap().value, "dockersamples/examplevotingapp_vote");
    assert_eq!(vote.attrs.restart.as_ref().unwrap().condition, "Always");
}

#[test]
fn guestbook_folder_and_all_in_one_give_the_same_services() {
    let folder = folder("k8s-examples/web/guestbook");
    let all = corpus("k8s-examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml");
    let want = ["frontend", "frontend", "redis-master", "redis-master", "redis-replica", "redis-replica"];
    assert_eq!(names(&folder, NodeKind::Service), want);
    assert_eq!(names(&all, NodeKind::Service), want);
    // `GET_HOSTS_FROM: dns` names no host: the frontend finds Redis by DNS in its code.
    assert!(all.facts.edges.is_empty(), "{:#?}", all.facts.edges);
    // Split over files, `selector: {app: redis, role: master, tier: backend}` names no
    // workload by its `app` value: no guess that would join another repository's `redis`.
    assert!(folder.facts.edges.is_empty(), "{:#?}", folder.facts.edges);
    let master = all.facts.nodes.iter().find(|n| n.name == "redis-master" && n.attrs.image.is_some()).unwrap();
    assert_eq!(master.source.line, 21);
}

#[test]
fn cassandra_statefulset_probes_and_its_seed_address_to_itself() {
    let x = folder("k8s-examples/databases/cassandra");
    assert_eq!(names(&x, NodeKind::Service), ["cassandra", "cassandra"]);
    // `CASSANDRA_SEEDS: cassandra-0.cassandra.default.svc.cluster.local` names itself.
    assert!(x.facts.edges.is_empty(), "{:#?}", x.facts.edges);
    let set = x.facts.nodes.iter().find(|n| !n.attrs.health_checks.is_empty()).unwrap();
    let hc = &set.attrs.health_checks;
    assert_eq!(hc.len(), 2);
    assert_eq!(hc[0].kind, "liveness probe");
    assert_eq!(hc[0].test, "/bin/bash -c nodetool status");
    assert_eq!(hc[1].kind, "readiness probe");
    assert_eq!(hc[1].test, "/bin/bash -c /ready-probe.sh");
    assert_eq!(
        (hc[1].interval_ms, hc[1].timeout_ms, hc[1].retries, hc[1].start_period_ms),
        (Some(10_000), Some(5_000), Some(3), Some(15_000))
    );
    assert_eq!(hc[1].source.line, 69);
}

#[test]
fn job_pi_retries_five_times_with_the_controller_back_off() {
    let x = corpus("k8s-website/content/en/examples/controllers/job.yaml");
    let pi = x.node(NodeKind::Step, "pi");
    assert_eq!(pi.scope, None);
    assert_eq!(pi.attrs.activity.as_ref().unwrap().value, "job perl");
    let r = &pi.attrs.retries[0];
    assert_eq!(r.library, "kubernetes backoffLimit");
    assert_eq!(r.max_attempts.known(), Some(Some(5)));
    assert_eq!(r.initial_delay_ms.known(), Some(10_000));
    assert_eq!(r.max_delay_ms.known(), Some(Some(360_000)));
    assert_eq!(r.limit_text.as_deref(), Some("backoffLimit: 4"));
    assert_eq!(r.source.line, 13);
    assert_eq!(pi.attrs.restart.as_ref().unwrap().condition, "Never");
    assert!(pi.attrs.timeouts.is_empty() && pi.attrs.deadline.is_none());
}

#[test]
fn v1beta1_cron_job_runs_on_its_schedule_with_the_default_back_off_limit() {
    let x = corpus("k8s-website/content/en/examples/application/job/cronjob.yaml");
    assert_eq!(x.facts.nodes.len(), 1);
    let hello = x.node(NodeKind::Step, "hello");
    assert_eq!(hello.attrs.activity.as_ref().unwrap().value, "cron job * * * * *");
    assert_eq!(hello.attrs.image.as_ref().unwrap().value, "busybox");
    let r = &hello.attrs.retries[0];
    assert_eq!(r.max_attempts.known(), Some(Some(7)));
    assert_eq!(r.limit_text.as_deref(), Some("backoffLimit: 6 (default)"));
    assert_eq!(hello.attrs.restart.as_ref().unwrap().condition, "OnFailure");
}

#[test]
fn tcp_probes_carry_their_numbers_and_the_defaults() {
    let x = corpus("k8s-website/content/en/examples/pods/probe/tcp-liveness-readiness.yaml");
    let pod = x.node(NodeKind::Service, "goproxy");
    let hc = &pod.attrs.health_checks;
    assert_eq!(hc.len(), 2);
    assert_eq!((hc[0].kind.as_str(), hc[0].test.as_str(), hc[0].source.line), ("liveness probe", "tcp :8080", 18));
    assert_eq!((hc[1].kind.as_str(), hc[1].source.line), ("readiness probe", 13));
    for h in hc {
        assert_eq!(
            (h.interval_ms, h.timeout_ms, h.retries, h.start_period_ms),
            (Some(10_000), Some(1_000), Some(3), Some(15_000))
        );
    }
    assert_eq!(pod.attrs.restart.as_ref().unwrap().text, "restartPolicy: Always (default)");
}

#[test]
fn vllm_service_reaches_its_deployment_through_the_selector() {
    let x = folder("k8s-examples/AI/vllm-deployment");
    let names = names(&x, NodeKind::Service);
    assert!(names.contains(&"vllm-gemma-deployment") && names.contains(&"vllm-service"), "{names:?}");
    let e = edge(&x, "vllm-service", "gemma-server");
    assert_eq!((e.kind, e.resolve), (EdgeKind::DependsOn, Resolve::IfKnown));
    assert_eq!(e.detail.as_deref(), Some("selector app=gemma-server"));
    assert_eq!(e.source.line, 7);
    // `LD_LIBRARY_PATH` and `MODEL_ID` name no host.
    assert_eq!(pairs(&x), [("vllm-service", "gemma-server")]);
    let d = x.node(NodeKind::Service, "vllm-gemma-deployment");
    assert!(d.attrs.image.is_some());
}
