//! Hand-written runbooks end to end: woven into the book, linked to the graph, kept honest by `opsbook.lock`.

mod common;

use std::path::Path;

use common::*;

fn erp_rs(attempts: u32, depends: &str) -> String {
    format!(
        "/// Pushes a confirmed order into the ERP.
///
/// # Operations
/// - workflow: order-sync
/// - depends-on: {depends}
/// - side-effects: creates a sales order in the ERP
/// - idempotent: no
/// - retry: attempts={attempts} initial=500ms factor=2 max-delay=30s jitter=full
/// - timeout: 10s
/// - owner: team-integrations
pub async fn push_order(order: &Order) -> Result<ErpRef> {{
    todo!()
}}
"
    )
}

const RUNBOOK: &str = "---
title: ERP push fails
covers: [push_order]
owner: team-integrations
severity: critical
reviewed: 2026-11-02
---
# ERP push fails

[[push_order]] tries {{ push_order.retry.max_attempts }} times, each within {{ step:push-order.timeout }}.

## Mitigation

1. Call the ERP vendor before replaying anything.
2. Replay with `erpctl replay --since 1h`.

## Escalation

Page [[team-integrations]].
";

/// A tree with one annotated step and one runbook covering it.
fn tree(runbook: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/erp.rs", &erp_rs(5, "erp-api"));
    write(dir.path(), "docs/runbooks/erp-push.md", runbook);
    dir
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Builds `dir` into its own `book/` and returns graph.json.
fn build_in(dir: &Path) -> (serde_json::Value, std::process::Output) {
    let output = opsbook().arg("build").arg(dir).arg("--verbose").output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    (graph(&dir.join("book")), output)
}

fn review(dir: &Path) {
    let output = opsbook().arg("review").arg("docs/runbooks/erp-push.md").arg("--dir").arg(dir).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn a_runbook_covering_a_step_renders_on_both_pages() {
    let dir = tree(RUNBOOK);
    let (g, _) = build_in(dir.path());
    assert_eq!(node(&g, "runbook:erp-push")["kind"], "runbook");
    assert!(has_edge(&g, "runbook:erp-push", "step:push-order", "documents"));

    let book = dir.path().join("book");
    let step = read(&book, "steps/push-order.html");
    let recovery = &step[step.find("id=\"recovery\"").unwrap()..step.find("id=\"failure-modes\"").unwrap()];
    assert!(recovery.contains("href=\"../runbooks/erp-push.html\""), "{recovery}");
    assert!(recovery.contains("Call the ERP vendor before replaying anything."), "{recovery}");
    assert!(!recovery.contains("Page "), "only the mitigation section, not the escalation: {recovery}");
    assert!(!recovery.contains("No recovery steps are documented"), "{recovery}");

    let page = read(&book, "runbooks/erp-push.html");
    assert!(page.contains("<h1>ERP push fails</h1>"), "{page}");
    assert!(page.contains("Call the ERP vendor before replaying anything."), "{page}");
    assert!(page.contains("<dt>Attempts</dt><dd>5</dd>"), "live facts of the covered step: {page}");
    assert!(page.contains("<dt>Timeout per attempt</dt><dd>10 s</dd>"), "{page}");
    assert!(page.contains("<dt>Idempotent</dt><dd>no</dd>"), "{page}");
}

#[test]
fn wiki_links_and_live_values_render_the_current_facts() {
    let dir = tree(RUNBOOK);
    build_in(dir.path());
    let page = read(&dir.path().join("book"), "runbooks/erp-push.html");
    assert!(page.contains("<a class=\"node k-step\" href=\"../steps/push-order.html\">push_order</a> tries"), "{page}");
    assert!(page.contains("title=\"push_order.retry.max_attempts\">5</span> times"), "{page}");
    assert!(page.contains("title=\"step:push-order.timeout\">10 s</span>"), "{page}");
    assert!(page.contains("href=\"../teams/team-integrations.html\""), "{page}");
    assert!(page.contains("<h4 id=\"rb-mitigation\">Mitigation</h4>"), "heading anchors: {page}");

    // The code changes; the prose follows without an edit.
    write(dir.path(), "src/erp.rs", &erp_rs(8, "erp-api"));
    build_in(dir.path());
    let page = read(&dir.path().join("book"), "runbooks/erp-push.html");
    assert!(page.contains("title=\"push_order.retry.max_attempts\">8</span> times"), "{page}");
}

#[test]
fn review_then_a_retry_change_makes_the_runbook_stale_until_reviewed_again() {
    let dir = tree(RUNBOOK);
    let (g, _) = build_in(dir.path());
    let never = findings(&g, "stale-runbook");
    assert_eq!(never.len(), 1, "{never:?}");
    assert_eq!(never[0]["severity"], "info");
    assert!(never[0]["message"].as_str().unwrap().contains("never been reviewed"), "{never:?}");

    review(dir.path());
    let lock = std::fs::read_to_string(dir.path().join("opsbook.lock")).unwrap();
    assert!(lock.contains("[docs/runbooks/erp-push.md]\n"), "{lock}");
    assert!(lock.contains("step:push-order retry.max_attempts = 5\n"), "{lock}");
    let (g, _) = build_in(dir.path());
    assert!(findings(&g, "stale-runbook").is_empty(), "{:?}", findings(&g, "stale-runbook"));

    write(dir.path(), "src/erp.rs", &erp_rs(8, "erp-api, tax-service"));
    let (g, output) = build_in(dir.path());
    let stale = findings(&g, "stale-runbook");
    assert_eq!(stale.len(), 1, "{stale:?}");
    assert_eq!(stale[0]["severity"], "warning");
    assert_eq!(stale[0]["file"], "docs/runbooks/erp-push.md");
    assert_eq!(stale[0]["line"], 3, "the front matter's covers line");
    let message = stale[0]["message"].as_str().unwrap();
    assert!(message.contains("push_order: attempts 5 -> 8; new dependency tax-service"), "{message}");
    assert!(stderr(&output).contains("attempts 5 -> 8"), "{}", stderr(&output));
    let step = read(&dir.path().join("book"), "steps/push-order.html");
    assert!(step.contains("changed since it was last reviewed"), "the covered page warns too");

    // `check` and the lock agree byte for byte on a second review: stable order.
    review(dir.path());
    let first = std::fs::read_to_string(dir.path().join("opsbook.lock")).unwrap();
    review(dir.path());
    assert_eq!(std::fs::read_to_string(dir.path().join("opsbook.lock")).unwrap(), first);
    let (g, _) = build_in(dir.path());
    assert!(findings(&g, "stale-runbook").is_empty(), "{:?}", findings(&g, "stale-runbook"));
}

/// `review` with "today" fixed at 2027-03-14 (23:59 UTC) through `SOURCE_DATE_EPOCH`.
fn review_on_pi_day(dir: &Path, runbook: &str) -> std::process::Output {
    let output = opsbook()
        .env("SOURCE_DATE_EPOCH", "1805068740")
        .arg("review")
        .arg(runbook)
        .arg("--dir")
        .arg(dir)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    output
}

#[test]
fn review_sets_the_reviewed_date_and_keeps_every_other_byte() {
    let dir = tree(RUNBOOK);
    let output = review_on_pi_day(dir.path(), "docs/runbooks/erp-push.md");
    let file = dir.path().join("docs/runbooks/erp-push.md");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        RUNBOOK.replace("reviewed: 2026-11-02\n", "reviewed: 2027-03-14\n")
    );
    assert!(stderr(&output).contains("Set `reviewed: 2027-03-14` in docs/runbooks/erp-push.md"), "{}", stderr(&output));
    let leftovers: Vec<_> =
        std::fs::read_dir(file.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no staging file is left: {leftovers:?}");

    // Without the key, CRLF line endings: the date is added as the front matter's last line.
    let crlf = RUNBOOK.replace("reviewed: 2026-11-02\n", "").replace('\n', "\r\n");
    write(dir.path(), "docs/runbooks/erp-push.md", &crlf);
    review_on_pi_day(dir.path(), "docs/runbooks/erp-push.md");
    let expected = crlf.replacen("severity: critical\r\n---", "severity: critical\r\nreviewed: 2027-03-14\r\n---", 1);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
    let (g, _) = build_in(dir.path());
    assert!(findings(&g, "stale-runbook").is_empty(), "{:?}", findings(&g, "stale-runbook"));
}

#[test]
fn an_unknown_wiki_link_is_a_dangling_reference_at_its_line() {
    let dir = tree(&RUNBOOK.replace("Page [[team-integrations]].", "Page [[team-integrashuns]]."));
    let (g, _) = build_in(dir.path());
    let dangling = findings(&g, "dangling-reference");
    assert_eq!(dangling.len(), 1, "{dangling:?}");
    assert_eq!(dangling[0]["file"], "docs/runbooks/erp-push.md");
    assert_eq!(dangling[0]["line"], 19);
    assert_eq!(dangling[0]["column"], 6);
    assert!(dangling[0]["message"].as_str().unwrap().contains("`team-integrashuns`"), "{dangling:?}");
    let page = read(&dir.path().join("book"), "runbooks/erp-push.html");
    assert!(page.contains("<span class=\"missing\" title=\"names nothing in this book\">team-integrashuns</span>"));
}

#[test]
fn runbook_new_writes_a_skeleton_with_live_facts_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "src/erp.rs", &erp_rs(5, "erp-api"));
    let output = opsbook().args(["runbook", "new", "push_order"]).arg(dir.path()).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let path = dir.path().join("docs/runbooks/push-order.md");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("---\ntitle: push_order fails\ncovers: [step:push-order]\nowner: team-integrations\n"));
    for section in ["## Meaning", "## Impact", "## Diagnosis", "## Mitigation", "## Escalation"] {
        assert!(text.contains(section), "{section}: {text}");
    }
    assert!(text.contains("{{ step:push-order.retry.max_attempts }}"), "{text}");

    let (g, _) = build_in(dir.path());
    assert!(findings(&g, "dangling-reference").is_empty(), "the skeleton's links resolve: {g}");
    let page = read(&dir.path().join("book"), "runbooks/push-order.html");
    assert!(page.contains("title=\"step:push-order.retry.max_attempts\">5</span>"), "{page}");

    std::fs::write(&path, "edited by hand\n").unwrap();
    let again = opsbook().args(["runbook", "new", "push_order"]).arg(dir.path()).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("already exists"), "{}", stderr(&again));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "edited by hand\n");

    write(dir.path(), "opsbook.toml", "runbooks = \"../elsewhere\"\n");
    let outside = opsbook().args(["runbook", "new", "push_order"]).arg(dir.path()).output().unwrap();
    assert_eq!(outside.status.code(), Some(2), "never writes outside the tree");
    assert!(!dir.path().join("../elsewhere").exists());
}

#[test]
fn an_alert_whose_runbook_url_is_a_hand_written_runbook_is_covered() {
    let dir = tree(RUNBOOK);
    write(dir.path(), "opsbook.toml", "site_url = \"https://ops.example.com/book/\"\n");
    write(
        dir.path(),
        "monitoring/alerts.yaml",
        "groups:
  - name: erp
    rules:
      - alert: ErpPushFailing
        expr: erp_push_failures_total > 0
        labels: { severity: page, team: team-integrations }
        annotations:
          runbook_url: https://ops.example.com/book/runbooks/erp-push.html#rb-mitigation
",
    );
    let (g, _) = build_in(dir.path());
    assert!(has_edge(&g, "runbook:erp-push", "alert:erppushfailing", "documents"));
    assert!(findings(&g, "alert-without-runbook").is_empty(), "{:?}", findings(&g, "alert-without-runbook"));
    let alert = read(&dir.path().join("book"), "alerts/erppushfailing.html");
    assert!(alert.contains("Call the ERP vendor before replaying anything."), "the alert's page shows the steps");
}

#[test]
fn review_refuses_a_file_that_is_not_a_runbook() {
    let dir = tree(RUNBOOK);
    let output = opsbook().args(["review", "src/erp.rs", "--dir"]).arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("is not a runbook"), "{}", stderr(&output));
    assert!(!dir.path().join("opsbook.lock").exists());
}

#[test]
fn the_example_runbook_is_on_its_page_and_on_the_erp_push() {
    let (out, output) = build(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash").as_path());
    assert!(output.status.success(), "{}", stderr(&output));
    let book = out.path().join("book");
    let g = graph(&book);
    let id = "runbook:erp-duplicate-sales-orders";
    assert!(has_edge(&g, id, "step:push-order", "documents"));
    assert!(has_edge(&g, id, "alert:erpsyncfailing", "documents"));
    let page = read(&book, "runbooks/erp-duplicate-sales-orders.html");
    assert!(page.contains("title=\"push_order.retry.max_attempts\">5</span> attempts"), "{page}");
    let step = read(&book, "steps/push-order.html");
    assert!(
        step.contains("Call the ERP vendor&#39;s support line") || step.contains("Call the ERP vendor's support line")
    );
}
