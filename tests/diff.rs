//! `opsbook diff` end to end: two versions of a fixture (attempts raised, a dependency added,
//! an alert removed) as folders, as graph.json files and as git revisions; the hand-written
//! runbook covering the changed step is listed for review, the one covering an unchanged
//! resource is not.

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::*;

fn diff(args: &[&Path], extra: &[&str]) -> std::process::Output {
    let mut cmd = opsbook();
    cmd.arg("diff").args(args).args(extra);
    cmd.output().unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every entry the change from v1 to v2 must produce.
fn assert_entries(md: &str) {
    assert!(md.starts_with("## Operational changes\n"), "{md}");
    assert!(
        md.contains(
            "- step `push_order`: 3 attempts over at most 31.5 s, 10 s per attempt → **6 attempts over at most 1 min \
             15 s, 10 s per attempt**"
        ),
        "{md}"
    );
    assert!(md.contains("| step `push_order` | attempts | 3 | 6 |"), "{md}");
    assert!(md.contains("| step `push_order` | schedule | 500 ms, 1 s | 500 ms, 1 s, 2 s, 4 s, 8 s |"), "{md}");
    assert!(md.contains("| step `push_order` | worst case | 31.5 s | 1 min 15 s |"), "{md}");
    assert!(
        md.contains(
            "### Dependencies added\n\n- step `push_order` → resource `orders-db` (depends_on) (src/sync.rs:11)\n"
        ),
        "{md}"
    );
    assert!(md.contains("### Alerts lost\n\n- alert `ErpSyncSlow` (monitoring/alerts.yaml:13)\n"), "{md}");
    assert!(
        md.contains(
            "### Runbooks to review\n\n- **ERP push fails** (`docs/runbooks/erp-push.md`): push_order: attempts 3 -> 6; \
             new dependency orders-db; retry schedule 500 ms, 1 s -> 500 ms, 1 s, 2 s, 4 s, 8 s; retry worst case \
             31.5 s -> 1 min 15 s; worst case 31.5 s -> 1 min 15 s\n\n"
        ),
        "{md}"
    );
    assert!(md.contains(", 1 runbook to review.\n"), "{md}");
    assert!(!md.contains("erp-api-down.md"), "its resource did not change: {md}");
    assert!(!md.contains("### Dependencies removed"), "{md}");
    assert!(!md.contains("### Owners changed"), "{md}");
}

#[test]
fn two_trees_give_each_change() {
    let output = diff(&[&fixture("diff/v1"), &fixture("diff/v2")], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_entries(&stdout(&output));
    let output = diff(&[&fixture("diff/v1"), &fixture("diff/v2")], &["--exit-code"]);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn identical_trees_print_nothing_and_exit_0() {
    let output = diff(&[&fixture("diff/v1"), &fixture("diff/v1")], &["--exit-code"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn two_graph_json_files_give_the_same_diff_as_the_trees() {
    let (old, _) = build(&fixture("diff/v1"));
    let (new, _) = build(&fixture("diff/v2"));
    let (old_json, new_json) = (old.path().join("book/graph.json"), new.path().join("book/graph.json"));
    let output = diff(&[&old_json, &new_json], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let from_files = stdout(&output);
    assert_entries(&from_files);
    assert_eq!(from_files, stdout(&diff(&[&fixture("diff/v1"), &fixture("diff/v2")], &[])));

    let not_a_graph = old.path().join("other.json");
    std::fs::write(&not_a_graph, "{\"schema\": \"something-else\"}").unwrap();
    let output = diff(&[&not_a_graph, &new_json], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("opsbook.graph/v1"), "{}", stderr(&output));
}

#[test]
fn a_change_no_runbook_covers_lists_no_runbook() {
    // v1 with only v2's alerts: an alert is lost, nothing a runbook covers changed.
    let new = tempfile::tempdir().unwrap();
    copy_tree(&fixture("diff/v1"), new.path());
    std::fs::copy(fixture("diff/v2/monitoring/alerts.yaml"), new.path().join("monitoring/alerts.yaml")).unwrap();
    let output = diff(&[&fixture("diff/v1"), new.path()], &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let md = stdout(&output);
    assert!(md.contains("### Alerts lost\n\n- alert `ErpSyncSlow`"), "{md}");
    assert!(!md.contains("Runbooks to review") && !md.contains("runbook to review"), "{md}");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let output = Process::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git runs");
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn copy_tree(from: &Path, to: &Path) {
    for rel in ["src/sync.rs", "monitoring/alerts.yaml", "docs/runbooks/erp-push.md", "docs/runbooks/erp-api-down.md"] {
        std::fs::create_dir_all(to.join(rel).parent().unwrap()).unwrap();
        std::fs::copy(from.join(rel), to.join(rel)).unwrap();
    }
}

#[test]
fn git_revision_against_the_work_tree_and_the_worktree_is_removed() {
    let repo = tempfile::tempdir().unwrap();
    git(repo.path(), &["init", "--quiet"]);
    // The system lives in a subfolder, as in a monorepo.
    let sys = repo.path().join("ops");
    copy_tree(&fixture("diff/v1"), &sys);
    git(repo.path(), &["add", "."]);
    git(repo.path(), &["commit", "--quiet", "-m", "v1"]);
    copy_tree(&fixture("diff/v2"), &sys);

    let output = opsbook().current_dir(&sys).args(["diff", "--git", "HEAD"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_entries(&stdout(&output));
    assert_eq!(git(repo.path(), &["worktree", "list"]).lines().count(), 1, "the temporary worktree is gone");

    // With the change committed, the work tree equals HEAD.
    git(repo.path(), &["commit", "--quiet", "-am", "v2"]);
    let output = opsbook().args(["diff", "--exit-code", "--git", "HEAD"]).arg(&sys).output().unwrap();
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), String::new()), "{}", stderr(&output));

    // A revision that does not exist is opsbook failing: exit 2, and nothing left behind.
    let output = opsbook().args(["diff", "--git", "no-such-rev"]).arg(&sys).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no-such-rev"), "{}", stderr(&output));
    assert_eq!(git(repo.path(), &["worktree", "list"]).lines().count(), 1);
}
