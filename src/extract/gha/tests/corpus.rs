//! The extractor on real workflow files from `shared/corpus`.

use super::*;

/// Every `.github/workflows/*.yml|yaml` file below the corpus, relative to it, sorted.
fn workflow_files() -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(CORPUS)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(CORPUS).unwrap().to_string_lossy().replace('\\', "/");
            if path.is_dir() {
                stack.push(path);
            } else if rel.contains(".github/workflows/") && (rel.ends_with(".yml") || rel.ends_with(".yaml")) {
                files.push(rel);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_workflow_in_the_corpus_extracts_its_jobs_without_problems() {
    let expected = [
        ("argo-workflows/.github/workflows/ci-build.yaml", 10),
        ("argo-workflows/.github/workflows/release.yaml", 8),
        ("backstage-demo/.github/workflows/master.yml", 1),
        ("example-voting-app/.github/workflows/call-docker-build-vote.yaml", 1),
        ("kube-rs/.github/workflows/ci.yml", 7),
        ("thanos/.github/workflows/go.yaml", 8),
    ];
    let files = workflow_files();
    assert_eq!(files, expected.iter().map(|(f, _)| f.to_string()).collect::<Vec<_>>());
    for (file, count) in expected {
        let x = corpus(file);
        assert!(problems(&x).is_empty(), "{file}: {:#?}", problems(&x));
        assert_eq!(workflow(&x).name, file);
        assert!(description(workflow(&x)).contains("Runs on "), "{file}: {:?}", workflow(&x).attrs.description);
        let ids = jobs(&x);
        assert_eq!(ids.len(), count, "{file}: {ids:?}");
        for id in &ids {
            let n = job(&x, id);
            assert_eq!(n.scope.as_deref(), Some(file));
            assert!(n.attrs.activity.is_some(), "{file}: `{id}` has no activity");
            edge(&x, EdgeKind::Contains, file, id);
        }
        // Every `needs` names a job of the same file, so nothing dangles.
        for e in x.facts.edges.iter().filter(|e| e.kind != EdgeKind::Calls) {
            assert_eq!(e.resolve, Resolve::Required);
            assert!(e.from.name == file || ids.contains(&e.from.name.as_str()), "{file}: dangling {e:?}");
        }
    }
}

#[test]
fn thanos_orders_e2e_after_its_image_and_coverage_after_both_test_jobs() {
    let file = "thanos/.github/workflows/go.yaml";
    let x = corpus(file);
    assert_eq!(
        jobs(&x),
        ["unit", "cross-build-check", "build-stringlabels", "lint", "codespell", "build-e2e-image", "e2e", "coverage"]
    );
    // `on:` is read as the key `on` (YAML 1.2), so its events are the triggers.
    assert_eq!(description(workflow(&x)), "go\n\nRuns on push to main, pull_request.");

    assert_eq!(
        next_of(&x, EdgeKind::Next, file),
        ["build-e2e-image", "build-stringlabels", "codespell", "cross-build-check", "lint", "unit"]
    );
    let e = edge(&x, EdgeKind::Next, "build-e2e-image", "e2e");
    assert_eq!((e.source.line, e.source.column), (173, 12));
    assert_eq!(e.from.scope.as_deref(), Some(file));
    assert_eq!(e.detail, None);
    assert_eq!(edge(&x, EdgeKind::Next, "unit", "coverage").source.line, 223);
    assert_eq!(edge(&x, EdgeKind::Next, "e2e", "coverage").source.line, 223);

    // No job sets a timeout: each gets GitHub's six hours, at its key.
    let t = timeout(&x, "unit");
    assert_eq!(t.ms, minutes(360));
    assert_eq!(t.text, "timeout-minutes: 360 (default)");
    assert_eq!(t.library, "github-actions timeout-minutes");
    assert_eq!((t.source.line, t.source.column), (14, 3));
    assert_eq!(activity(&x, "build-e2e-image"), "job on ubuntu-24.04");

    let e2e = description(job(&x, "e2e"));
    assert!(e2e.contains("Matrix over `parallelism` (1 value), `index` (8 values); fail-fast off."), "{e2e}");
    let unit = description(job(&x, "unit"));
    assert!(unit.starts_with("Thanos unit tests\n\n"), "{unit}");
    assert!(unit.contains("Service containers: `swift` (`quay.io/thanos/docker-swift-onlyone-authv2-keystone:v0.1`)."));
    assert!(unit.contains("Steps: Checkout code (`actions/checkout@692973e`), Install Go."), "{unit}");
    // `contents: read` gives the token nothing to change.
    assert!(job(&x, "unit").attrs.side_effects.is_empty());
}

#[test]
fn argo_ci_reads_explicit_timeouts_conditions_and_step_limits() {
    let file = "argo-workflows/.github/workflows/ci-build.yaml";
    let x = corpus(file);
    let wf = description(workflow(&x));
    assert!(
        wf.starts_with("CI\n\nRuns on push to main or release-* (not release-2.8), pull_request to main or release-*.")
    );
    assert!(wf.contains("a new run cancels the one in progress"), "{wf}");

    let t = timeout(&x, "tests");
    assert_eq!(t.ms, minutes(20));
    assert_eq!(t.text, "timeout-minutes: 20");
    assert_eq!((t.source.line, t.source.column), (130, 22));
    assert_eq!(timeout(&x, "ui").ms, minutes(6));
    assert_eq!(timeout(&x, "lint").text, "timeout-minutes: 15");
    assert_eq!(timeout(&x, "changed-files").ms, minutes(360));

    assert_eq!(next_of(&x, EdgeKind::Next, file), ["changed-files"]);
    let e = edge(&x, EdgeKind::Next, "changed-files", "tests");
    assert_eq!(e.detail.as_deref(), Some("if: ${{ needs.changed-files.outputs.tests == 'true' }}"));
    // `always()` runs after success and failure alike: an ordinary next step.
    let e = edge(&x, EdgeKind::Next, "e2e-tests", "e2e-tests-composite-result");
    assert_eq!(e.detail.as_deref(), Some("if: ${{ always() }}"));
    assert!(x.facts.edges.iter().all(|e| e.kind != EdgeKind::OnError));

    let e2e = description(job(&x, "e2e-tests"));
    assert!(e2e.contains("Step timeouts: "), "{e2e}");
    assert!(e2e.contains("15 min"), "{e2e}");
    assert!(e2e.contains("Matrix of "), "{e2e}");
    assert!(e2e.contains(", and "), "more than ten steps are cut short: {e2e}");
}

#[test]
fn argo_release_publishes_after_four_jobs_with_a_token_that_writes_contents() {
    let file = "argo-workflows/.github/workflows/release.yaml";
    let x = corpus(file);
    assert_eq!(next_of(&x, EdgeKind::Next, file), ["build-linux", "build-ui", "build-windows"]);
    for need in ["push-images", "test-images-linux-amd64", "test-images-windows", "build-clis"] {
        assert_eq!(edge(&x, EdgeKind::Next, need, "publish-release").source.line, 387);
    }
    let effects = &job(&x, "publish-release").attrs.side_effects;
    assert_eq!(effects.len(), 1);
    assert_eq!(effects[0].value, "`GITHUB_TOKEN` can write contents");
    assert_eq!(effects[0].source.line, 384);
    assert!(job(&x, "push-images").attrs.side_effects.is_empty(), "the workflow grants `contents: read` only");
    assert_eq!(activity(&x, "publish-release"), "job on oracle-vm-16cpu-64gb-x86-64");
}

#[test]
fn kube_rs_keeps_the_matrix_runner_as_written() {
    let file = "kube-rs/.github/workflows/ci.yml";
    let x = corpus(file);
    // `on: { pull_request: }`: an event with no filters.
    let wf = description(workflow(&x));
    assert!(wf.starts_with("test\n\nRuns on pull_request.\n\nConcurrency group "), "{wf}");
    assert_eq!(activity(&x, "unit"), "job on ${{ matrix.os }}");
    let unit = description(job(&x, "unit"));
    assert!(unit.contains("Matrix over `os` (3 values); fail-fast off."), "{unit}");
    assert_eq!(timeout(&x, "integration").ms, minutes(360));
    assert_eq!(next_of(&x, EdgeKind::Next, file).len(), 7);
}

#[test]
fn voting_app_calls_a_reusable_workflow_in_another_repository() {
    let file = "example-voting-app/.github/workflows/call-docker-build-vote.yaml";
    let x = corpus(file);
    assert_eq!(jobs(&x), ["call-docker-build"]);
    assert_eq!(description(workflow(&x)), "Build Vote\n\nRuns on push to main, pull_request to main.");
    let called = "dockersamples/.github/.github/workflows/reusable-docker-build.yaml@main";
    assert_eq!(activity(&x, "call-docker-build"), format!("reusable workflow {called}"));
    // A call job cannot set a timeout: the called workflow's jobs have their own.
    assert!(job(&x, "call-docker-build").attrs.timeouts.is_empty());
    let e = edge(&x, EdgeKind::Calls, "call-docker-build", called);
    assert_eq!(e.resolve, Resolve::External);
    assert_eq!(e.to.kind, Some(NodeKind::Workflow));
    assert_eq!(e.to.scope, None);
    assert_eq!((e.source.line, e.source.column), (26, 11));
    let effects: Vec<&str> = job(&x, "call-docker-build").attrs.side_effects.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(effects, ["`GITHUB_TOKEN` can write packages", "`GITHUB_TOKEN` can write pull-requests"]);
    assert_eq!(description(job(&x, "call-docker-build")), "Vote Call Docker Build");
}

#[test]
fn backstage_build_names_its_first_ten_steps() {
    let x = corpus("backstage-demo/.github/workflows/master.yml");
    let d = description(job(&x, "build"));
    assert!(d.starts_with("Steps: `actions/checkout@3d3c42e`, use node.js (`actions/setup-node@8207627`),"), "{d}");
    assert!(d.ends_with(", and 5 more."), "{d}");
    assert_eq!(description(workflow(&x)), "Main Master Build\n\nRuns on push to master.");
}
