//! Small inline workflows, one behaviour each.

use super::*;

const WF: &str = ".github/workflows/ci.yml";

fn read(text: &str) -> Extracted {
    extract(WF, text)
}

fn codes(x: &Extracted) -> Vec<(&str, u32)> {
    x.diagnostics.iter().map(|d| (d.code.as_str(), d.source.line)).collect()
}

#[test]
fn needs_as_a_string_and_as_a_list_order_jobs() {
    let x = read(
        "on: push
jobs:
  build:
    runs-on: ubuntu-latest
  lint:
    runs-on: ubuntu-latest
  test:
    needs: build
    runs-on: ubuntu-latest
  ship:
    needs: [build, test]
    runs-on: ubuntu-latest
",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(jobs(&x), ["build", "lint", "test", "ship"]);
    assert_eq!(next_of(&x, EdgeKind::Next, WF), ["build", "lint"]);
    assert_eq!(next_of(&x, EdgeKind::Next, "build"), ["ship", "test"]);
    let e = edge(&x, EdgeKind::Next, "build", "test");
    assert_eq!((e.source.line, e.source.column), (8, 12));
    assert_eq!(e.from, crate::extract::NodeRef::scoped(NodeKind::Step, "build", WF));
    assert_eq!(e.to, crate::extract::NodeRef::scoped(NodeKind::Step, "test", WF));
    assert_eq!(e.resolve, Resolve::Required);
    let e = edge(&x, EdgeKind::Next, "test", "ship");
    assert_eq!((e.source.line, e.source.column), (11, 20));
    let c = edge(&x, EdgeKind::Contains, WF, "ship");
    assert_eq!(c.resolve, Resolve::Required);
    assert_eq!(c.from, crate::extract::NodeRef::new(NodeKind::Workflow, WF));
    assert_eq!((c.source.line, c.source.column), (10, 3));
}

#[test]
fn a_need_that_names_no_job_dangles_at_its_own_line() {
    let x = read(
        "on: push
jobs:
  build:
    runs-on: ubuntu-latest
  deploy:
    runs-on: ubuntu-latest
    needs:
      - build
      - tset
",
    );
    // The model turns the unresolved name into a `dangling-reference`; no diagnostic here.
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    let e = edge(&x, EdgeKind::Next, "tset", "deploy");
    assert_eq!(e.resolve, Resolve::Required);
    assert_eq!(e.from, crate::extract::NodeRef::scoped(NodeKind::Step, "tset", WF));
    assert_eq!((e.source.line, e.source.column), (9, 9));
    assert_eq!(edge(&x, EdgeKind::Next, "build", "deploy").source.line, 8);
    // A job with needs does not also start with the workflow.
    assert_eq!(next_of(&x, EdgeKind::Next, WF), ["build"]);
}

#[test]
fn a_job_that_runs_on_failure_of_its_needs_is_an_error_path() {
    let x = read(
        "on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
  rollback:
    needs: deploy
    if: failure()
    runs-on: ubuntu-latest
  page:
    needs: [deploy]
    if: ${{ needs.deploy.result == 'failure' }}
    runs-on: ubuntu-latest
  report:
    needs: deploy
    if: ${{ !failure() && !cancelled() }}
    runs-on: ubuntu-latest
  cleanup:
    needs: deploy
    if: always()
    runs-on: ubuntu-latest
",
    );
    let e = edge(&x, EdgeKind::OnError, "deploy", "rollback");
    assert_eq!(e.detail.as_deref(), Some("if: failure()"));
    assert_eq!(e.source.line, 6);
    assert_eq!(
        edge(&x, EdgeKind::OnError, "deploy", "page").detail.as_deref(),
        Some("if: ${{ needs.deploy.result == 'failure' }}")
    );
    assert!(edges(&x, EdgeKind::Next, "deploy", "rollback").is_empty());
    // Negated and unconditional runs are what comes next, not error handlers.
    assert_eq!(
        edge(&x, EdgeKind::Next, "deploy", "report").detail.as_deref(),
        Some("if: ${{ !failure() && !cancelled() }}")
    );
    assert_eq!(edge(&x, EdgeKind::Next, "deploy", "cleanup").detail.as_deref(), Some("if: always()"));
    assert!(description(job(&x, "rollback")).contains("Runs only if `failure()`."));
}

#[test]
fn continue_on_error_is_error_handling_and_an_expression_stays_text() {
    let x = read(
        "on: push
jobs:
  flaky:
    runs-on: ubuntu-latest
    continue-on-error: true
  experimental:
    runs-on: ubuntu-latest
    continue-on-error: ${{ matrix.experimental }}
  strict:
    runs-on: ubuntu-latest
    continue-on-error: false
  typo:
    runs-on: ubuntu-latest
    continue-on-error: sometimes
",
    );
    let handling = |id| -> Vec<(String, u32)> {
        job(&x, id).attrs.error_handling.iter().map(|h| (h.value.clone(), h.source.line)).collect()
    };
    assert_eq!(handling("flaky"), [("continue-on-error".to_string(), 5)]);
    assert_eq!(handling("experimental"), [("continue-on-error: ${{ matrix.experimental }}".to_string(), 8)]);
    assert!(handling("strict").is_empty());
    assert!(handling("typo").is_empty());
    assert_eq!(codes(&x), [("invalid-value", 14)]);
    assert!(x.diagnostics[0].message.contains("true, false or an expression"), "{}", x.diagnostics[0].message);
}

#[test]
fn an_environment_waits_for_approval_in_both_shapes() {
    let x = read(
        "on: workflow_dispatch
jobs:
  prod:
    runs-on: ubuntu-latest
    environment: production
  staging:
    runs-on: ubuntu-latest
    environment:
      name: staging
      url: https://staging.example.com
",
    );
    let waits = job(&x, "prod").attrs.waits.as_ref().unwrap();
    assert_eq!(waits.value, "environment production (may require approval)");
    assert_eq!((waits.source.line, waits.source.column), (5, 18));
    let waits = job(&x, "staging").attrs.waits.as_ref().unwrap();
    assert_eq!(waits.value, "environment staging (may require approval)");
    assert_eq!(waits.source.line, 9);
    assert!(description(job(&x, "prod")).contains("Deploys to environment `production`, which may require approval."));
}

#[test]
fn timeouts_in_minutes_expressions_unknown_and_nonsense_warned() {
    let x = read(
        "on: push
jobs:
  fixed:
    runs-on: ubuntu-latest
    timeout-minutes: 30
  half:
    runs-on: ubuntu-latest
    timeout-minutes: 2.5
  templated:
    runs-on: ubuntu-latest
    timeout-minutes: ${{ inputs.timeout }}
  wrong:
    runs-on: ubuntu-latest
    timeout-minutes: soon
  default:
    runs-on: ubuntu-latest
",
    );
    let t = timeout(&x, "fixed");
    assert_eq!((t.ms.clone(), t.text.as_str(), t.source.line), (minutes(30), "timeout-minutes: 30", 5));
    assert_eq!(t.origin, crate::extract::Origin::Code);
    assert_eq!(timeout(&x, "half").ms, Value::Known(150_000));
    let t = timeout(&x, "templated");
    assert_eq!(t.ms, Value::Unknown { expr: "${{ inputs.timeout }}".into() });
    assert_eq!(t.text, "timeout-minutes: ${{ inputs.timeout }}");
    assert_eq!(timeout(&x, "wrong").ms, Value::Unknown { expr: "soon".into() });
    assert_eq!(codes(&x), [("invalid-value", 14)]);
    assert!(x.diagnostics[0].message.contains("number of minutes"));
    let t = timeout(&x, "default");
    assert_eq!((t.ms.clone(), t.text.as_str(), t.source.line), (minutes(360), "timeout-minutes: 360 (default)", 15));
}

#[test]
fn broken_yaml_is_one_parse_error_at_its_line() {
    let x = read("on: push\njobs:\n  build:\n    runs-on: [ubuntu-latest\n    steps: []\n");
    assert!(x.facts.nodes.is_empty() && x.facts.edges.is_empty());
    assert_eq!(x.diagnostics.len(), 1, "{:#?}", x.diagnostics);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity), ("parse-error", Severity::Error));
    assert!(d.message.starts_with("invalid YAML: "), "{}", d.message);
    assert_eq!(d.source.file, WF);
    // The unclosed flow list swallows the next line; the parser stops at its `:`.
    assert_eq!((d.source.line, d.source.column), (5, 10));
    let x = read("on: [push\n");
    assert_eq!(codes(&x), [("parse-error", 1)]);
}

#[test]
fn on_reads_as_triggers_in_every_shape_never_as_true() {
    let one = read("on: push\njobs: {}\n");
    assert_eq!(description(workflow(&one)), "Runs on push.");
    let list = read("name: CI\non: [push, pull_request, workflow_dispatch]\njobs: {}\n");
    assert_eq!(description(workflow(&list)), "CI\n\nRuns on push, pull_request, workflow_dispatch.");
    let map = read(
        "on:
  push:
    branches: [main]
    tags: ['v*']
  pull_request:
    types: [opened, synchronize]
  schedule:
    - cron: '0 3 * * *'
  workflow_run:
    workflows: [Build]
    types: [completed]
  workflow_call:
  workflow_dispatch:
jobs: {}
",
    );
    assert_eq!(
        description(workflow(&map)),
        "Runs on push to main or of tags v*, pull_request (opened, synchronize), schedule `0 3 * * *`, \
         workflow_run of Build (completed), workflow_call (a reusable workflow), workflow_dispatch."
    );
}

#[test]
fn a_file_without_jobs_is_warned_and_odd_jobs_are_skipped() {
    let x = read("name: nothing\non: push\n");
    assert_eq!(codes(&x), [("invalid-value", 1)]);
    assert_eq!(workflow(&x).name, WF);

    let x = read("on: push\njobs:\n  - build\n");
    assert_eq!(codes(&x), [("invalid-value", 3)]);

    let x = read(
        "on: push
jobs:
  broken: ubuntu-latest
  fine:
    runs-on: ubuntu-latest
    needs: {job: broken}
",
    );
    assert_eq!(codes(&x), [("invalid-value", 3), ("invalid-value", 6)]);
    assert_eq!(jobs(&x), ["fine"]);
    // With its `needs` unreadable, the job still starts with the workflow.
    assert_eq!(next_of(&x, EdgeKind::Next, WF), ["fine"]);

    for text in ["", "---\n", "just text\n", "on: push\njobs:\n", "on: 1\njobs:\n  7:\n    runs-on: [1, {a: b}]\n"] {
        let x = read(text);
        assert!(!x.diagnostics.is_empty() || jobs(&x) == ["7"], "{text:?}: {x:#?}");
    }

    let x = read("name: no triggers\njobs:\n  a:\n    runs-on: x\n");
    assert_eq!(codes(&x), [("invalid-value", 1)]);
    assert!(x.diagnostics[0].message.contains("`on`"));
    assert_eq!(jobs(&x), ["a"]);
}

#[test]
fn reusable_calls_name_the_file_from_the_folder_that_holds_github() {
    let text = "on: push
jobs:
  deploy:
    uses: ./.github/workflows/deploy.yml
    timeout-minutes: 10
    secrets: inherit
  shared:
    uses: acme/pipelines/.github/workflows/release.yml@v2
";
    let x = read(text);
    let e = edge(&x, EdgeKind::Calls, "deploy", ".github/workflows/deploy.yml");
    assert_eq!((e.resolve, e.to.kind, e.source.line), (Resolve::External, Some(NodeKind::Workflow), 4));
    assert_eq!(activity(&x, "deploy"), "reusable workflow ./.github/workflows/deploy.yml");
    assert!(job(&x, "deploy").attrs.timeouts.is_empty());
    assert_eq!(codes(&x), [("invalid-value", 5)]);
    edge(&x, EdgeKind::Calls, "shared", "acme/pipelines/.github/workflows/release.yml@v2");

    let sub = "svc/api/.github/workflows/ci.yml";
    let x = extract(sub, text);
    edge(&x, EdgeKind::Calls, "deploy", "svc/api/.github/workflows/deploy.yml");
    assert_eq!(workflow(&x).name, sub);
    assert_eq!(job(&x, "deploy").scope.as_deref(), Some(sub));
}

#[test]
fn a_job_with_neither_runs_on_nor_uses_is_warned() {
    let x = read("on: push\njobs:\n  build:\n    steps:\n      - run: make\n");
    assert_eq!(codes(&x), [("invalid-value", 3)]);
    assert_eq!(activity(&x, "build"), "job");
    assert_eq!(timeout(&x, "build").ms, minutes(360));
}

#[test]
fn runners_step_limits_concurrency_and_permissions_are_described() {
    let x = read(
        "on: push
permissions: write-all
jobs:
  build:
    name: Build it
    runs-on: [self-hosted, linux]
    concurrency:
      group: deploy
    strategy:
      matrix:
        node: [18, 20]
        include:
          - node: 22
      max-parallel: 1
    steps:
      - uses: actions/checkout@v4
      - name: Test
        run: make test
        timeout-minutes: 5
        continue-on-error: true
      - run: |

          ./upload-a-very-long-artifact-name-to-the-store.sh --everything
  pooled:
    runs-on:
      group: big-runners
      labels: gpu
    permissions:
      contents: read
      deployments: write
",
    );
    assert!(x.diagnostics.is_empty(), "{:#?}", x.diagnostics);
    assert_eq!(activity(&x, "build"), "job on self-hosted, linux");
    assert_eq!(activity(&x, "pooled"), "job on group big-runners, gpu");
    assert_eq!(
        description(job(&x, "build")),
        "Build it\n\n\
         Matrix over `node` (2 values), 1 included combination; one failing combination cancels the rest (fail-fast); \
         at most 1 at a time.\n\n\
         Concurrency group `deploy`: a new run of this job waits for the one in progress.\n\n\
         Steps: `actions/checkout@v4`, Test, `./upload-a-very-long-artifact-name-to-th…`.\n\n\
         Step timeouts: Test 5 min.\n\n\
         Steps that may fail without failing the job (continue-on-error): Test."
    );
    let build: Vec<&str> = job(&x, "build").attrs.side_effects.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(build, ["`GITHUB_TOKEN` can write every scope (`write-all`)"]);
    // A job's own `permissions` replace the workflow's.
    let pooled: Vec<&str> = job(&x, "pooled").attrs.side_effects.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(pooled, ["`GITHUB_TOKEN` can write deployments"]);
}

#[test]
fn only_the_first_document_is_read() {
    let x = read("on: push\njobs:\n  a:\n    runs-on: x\n---\non: push\njobs:\n  b:\n    runs-on: y\n");
    assert_eq!(jobs(&x), ["a"]);
    assert_eq!(codes(&x), [("invalid-value", 6)]);
}
