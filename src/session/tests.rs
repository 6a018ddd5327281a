//! Session tests: incremental rebuilds equal fresh builds after edits, breaks, deletes and config changes.

use std::fs;

use super::*;
use crate::test_rng::Rng;
use crate::write;

#[test]
fn classifies_changes_by_path() {
    let c = |p: &str| classify_change(p, Some("book"), "templates", "docs/runbooks");
    assert_eq!(c("src/erp.rs"), ChangeKind::Source(SourceKind::Rust));
    assert_eq!(c("compose.yaml"), ChangeKind::Source(SourceKind::Compose));
    assert_eq!(c("sm/ship.asl.json"), ChangeKind::Source(SourceKind::Asl));
    assert_eq!(c("opsbook.toml"), ChangeKind::Config);
    assert_eq!(c("svc/opsbook.toml"), ChangeKind::Ignored, "only the root's config counts");
    assert_eq!(c("templates/runbook.html"), ChangeKind::Template);
    assert_eq!(c("templates/old/runbook.html"), ChangeKind::Ignored);
    assert_eq!(c("book/index.html"), ChangeKind::Output);
    assert_eq!(c("book"), ChangeKind::Output);
    assert_eq!(c("bookshelf/a.rs"), ChangeKind::Source(SourceKind::Rust));
    assert_eq!(c(".gitignore"), ChangeKind::IgnoreRules);
    assert_eq!(c("svc/.opsbookignore"), ChangeKind::IgnoreRules);
    assert_eq!(c("target/debug/build.rs"), ChangeKind::Ignored);
    assert_eq!(c(".git/index"), ChangeKind::Ignored);
    assert_eq!(c("README.md"), ChangeKind::Ignored);
    assert_eq!(c("docs/runbooks/erp.md"), ChangeKind::Source(SourceKind::Runbook));
    assert_eq!(c("svc/push.runbook.md"), ChangeKind::Source(SourceKind::Runbook));
    assert_eq!(c("opsbook.lock"), ChangeKind::Lock);
    assert_eq!(c("src"), ChangeKind::Other, "a folder, maybe renamed or removed");
    for temp in [
        "src/.erp.rs.swp",
        "src/erp.rs~",
        "src/4913",
        "src/#erp.rs#",
        "src/.#erp.rs",
        "src/erp.rs___jb_tmp___",
        "src/.goutputstream-XYZ12",
        "src/erp.rs.crswap",
        "src/erp.rs.tmp",
    ] {
        assert_eq!(c(temp), ChangeKind::Temporary, "{temp}");
    }
    assert_eq!(c(".book.opsbook-new-12/graph.json"), ChangeKind::Output, "the staging folder of a build");
    assert_eq!(c("book/steps/.x.html.opsbook-new-12"), ChangeKind::Output);
    assert_eq!(classify_change("out/x.html", None, "templates", "docs/runbooks"), ChangeKind::Ignored);
}

fn step_source(name: &str, workflow: usize, timeout: u64, attempts: u64, idempotent: bool) -> String {
    format!(
        "/// The {name} step.\n///\n/// # Operations\n/// - workflow: flow-{workflow}\n/// - depends-on: store-{workflow}\n\
         /// - retry: attempts={attempts} initial=100ms factor=2\n/// - timeout: {timeout}s\n/// - idempotent: {}\n\
         ///\n/// # Recovery\n/// 1. Restart {name}.\npub async fn {name}() {{}}\n",
        if idempotent { "yes" } else { "no" }
    )
}

const COMPOSE: &str = "services:\n  api:\n    image: api:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n";

/// A tree with one step, `charge_card`, in `src/pay.rs`, and a session opened on it.
fn one_step_session(idempotent: bool) -> (tempfile::TempDir, PathBuf, PathBuf, Session) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(root.join("src/pay.rs"), step_source("charge_card", 0, 5, 3, idempotent)).unwrap();
    let out = root.join("book");
    let session = Session::open(&root, Config::default(), &out, &|_, _| {});
    (dir, root, out, session)
}

fn fresh_site(root: &Path, out: &Path) -> Site {
    crate::run(root, &Config::default(), out).site
}

/// Applies random edits (edit a step's doc, break a file, fix it, delete, add, rename) and
/// after each one compares the session's site with a fresh build of the same tree, whenever
/// every file parses. The book the session writes with `write::update` must equal a fresh
/// `write` of that build, file for file.
#[test]
fn random_edits_keep_the_book_identical_to_a_fresh_build() {
    for seed in [0x5eed_u64, 0xdead_beef, 42] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let out = dir.path().join("book");
        fs::create_dir_all(root.join("src")).unwrap();
        fs::write(root.join("compose.yaml"), COMPOSE).unwrap();
        let mut names: Vec<String> = (0..6).map(|i| format!("step_{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            fs::write(root.join(format!("src/{n}.rs")), step_source(n, i % 2, 5, 3, true)).unwrap();
        }
        let mut session = Session::open(&root, Config::default(), &out, &|_, _| {});
        assert_eq!(session.site, fresh_site(&root, &out), "seed {seed:#x}: first build");
        write::write(&session.site, &out).unwrap();
        let mut rng = Rng(seed);
        let mut next_name = names.len();
        let mut compared = 0;
        for round in 0..40 {
            let mut changed = Vec::new();
            let pick = rng.below(names.len().max(1));
            let held: Vec<String> = session.held().iter().map(|p| p.to_string()).collect();
            let what = if names.is_empty() {
                4
            } else if !held.is_empty() && rng.below(2) == 0 {
                7
            } else {
                rng.below(7)
            };
            match what {
                7 => {
                    // Fix a broken file.
                    let p = held[rng.below(held.len())].clone();
                    let n = p.trim_start_matches("src/").trim_end_matches(".rs");
                    fs::write(root.join(&p), step_source(n, 1, 11, 2, true)).unwrap();
                    changed.push(p);
                }
                0 | 1 => {
                    let n = &names[pick];
                    let mut text = step_source(
                        n,
                        rng.below(3),
                        1 + rng.below(30) as u64,
                        1 + rng.below(5) as u64,
                        rng.below(2) == 0,
                    );
                    // Sometimes with an allow comment: the session keeps each file's
                    // allows, which must follow its text (silencing or `unused-allow`).
                    if rng.below(3) == 0 {
                        text =
                            text.replace("pub async fn", "// opsbook: allow(retry-without-idempotency)\npub async fn");
                    }
                    fs::write(root.join(format!("src/{n}.rs")), text).unwrap();
                    changed.push(format!("src/{n}.rs"));
                }
                2 => {
                    let p = format!("src/{}.rs", names[pick]);
                    let mut text = fs::read_to_string(root.join(&p)).unwrap();
                    text.push_str("\nfn broken( {\n");
                    fs::write(root.join(&p), text).unwrap();
                    changed.push(p);
                }
                3 => {
                    let p = format!("src/{}.rs", names.remove(pick));
                    fs::remove_file(root.join(&p)).unwrap();
                    changed.push(p);
                }
                4 => {
                    let n = format!("step_{next_name}");
                    next_name += 1;
                    let p = format!("src/{n}.rs");
                    fs::write(root.join(&p), step_source(&n, rng.below(3), 7, 2, false)).unwrap();
                    names.push(n);
                    changed.push(p);
                }
                5 => {
                    // An editor's save: write a temporary file, then rename it over the source.
                    let n = &names[pick];
                    let p = format!("src/{n}.rs");
                    let tmp = format!("src/.{n}.rs.swp");
                    fs::write(root.join(&tmp), step_source(n, 2, 9, 4, true)).unwrap();
                    fs::rename(root.join(&tmp), root.join(&p)).unwrap();
                    changed.extend([tmp, p]);
                }
                _ => {
                    let old = names.remove(pick);
                    let n = format!("step_{next_name}");
                    next_name += 1;
                    fs::rename(root.join(format!("src/{old}.rs")), root.join(format!("src/{n}.rs"))).unwrap();
                    changed.extend([format!("src/{old}.rs"), format!("src/{n}.rs")]);
                    names.push(n);
                }
            }
            let before = session.site.clone();
            let update = session.apply(&changed);
            // The session names exactly the files of the book whose bytes changed, and
            // writing those alone keeps the book on disk equal to the session's site.
            let (changed_pages, removed_pages) = write::changes(&before, &session.site);
            assert_eq!(update.changed, changed_pages, "seed {seed:#x}, round {round}");
            assert_eq!(update.removed, removed_pages, "seed {seed:#x}, round {round}");
            write::apply(&session.site, &out, &update.changed, &update.removed).unwrap();
            // A broken file stays broken until an edit rewrites it whole (0, 1, 5, 7) or removes it.
            if session.held().is_empty() {
                let book = crate::run(&root, &Config::default(), &out);
                assert_eq!(session.diagnostics, book.diagnostics, "seed {seed:#x}, round {round}: {changed:?}");
                let fresh = book.site;
                assert!(session.site == fresh, "seed {seed:#x}, round {round}: the book differs after {changed:?}");
                compared += 1;
                if round % 8 == 0 {
                    let check = dir.path().join(format!("check-{round}"));
                    write::write(&fresh, &check).unwrap();
                    assert_eq!(listing(&out), listing(&check), "seed {seed:#x}, round {round}: the book on disk");
                }
            }
        }
        assert!(compared >= 10, "seed {seed:#x}: only {compared} comparisons");
        // The book on disk is exactly a fresh build's.
        let check = dir.path().join("check");
        write::write(&fresh_site(&root, &out), &check).unwrap();
        if session.held().is_empty() {
            assert_eq!(listing(&out), listing(&check), "seed {seed:#x}");
        }
    }
}

fn listing(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut map = BTreeMap::new();
    for entry in ignore::WalkBuilder::new(dir).hidden(false).build().flatten() {
        if entry.file_type().is_some_and(|t| t.is_file()) {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            map.insert(rel, fs::read(entry.path()).unwrap());
        }
    }
    map
}

#[test]
fn a_broken_edit_keeps_the_last_good_facts_and_reports_the_error() {
    let (_dir, root, out, mut session) = one_step_session(true);
    let root = root.as_path();
    assert!(session.site.files.contains_key("steps/charge-card.html"), "{:?}", session.site.files.keys());

    fs::write(root.join("src/pay.rs"), "/// # Operations\n/// - timeout: 5s\npub async fn charge_card( {\n").unwrap();
    let update = session.apply(&["src/pay.rs".to_string()]);
    assert_eq!(update.extracted, vec!["src/pay.rs".to_string()]);
    assert_eq!(session.held(), vec!["src/pay.rs"]);
    assert!(session.site.files.contains_key("steps/charge-card.html"), "the runbook stays");
    let errors = session.file_diagnostics("src/pay.rs");
    assert!(errors.iter().any(|d| d.code == "parse-error" && d.source.line == 3), "{errors:?}");
    let failures = String::from_utf8_lossy(&session.site.files["failure-points.html"]).into_owned();
    assert!(failures.contains("parse-error"), "the failure-points page names the broken file");

    // Fixing it rebuilds from the new facts; deleting it drops its pages.
    fs::write(root.join("src/pay.rs"), step_source("charge_card", 0, 9, 3, true)).unwrap();
    session.apply(&["src/pay.rs".to_string()]);
    assert!(session.held().is_empty());
    assert_eq!(session.site, fresh_site(root, &out));
    fs::remove_file(root.join("src/pay.rs")).unwrap();
    let update = session.apply(&["src/pay.rs".to_string()]);
    assert_eq!(update.dropped, vec!["src/pay.rs".to_string()]);
    assert!(!session.site.files.contains_key("steps/charge-card.html"));
    assert!(update.removed.contains("steps/charge-card.html"), "{:?}", update.removed);
    assert!(update.changed.contains("graph.json") && update.changed.contains("index.html"), "{:?}", update.changed);
}

#[test]
fn one_edit_extracts_one_file_and_renders_only_the_pages_it_touches() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("src")).unwrap();
    for i in 0..20 {
        fs::write(root.join(format!("src/s{i}.rs")), step_source(&format!("step_{i}"), i % 4, 5, 3, true)).unwrap();
    }
    let out = root.join("book");
    let mut session = Session::open(root, Config::default(), &out, &|_, _| {});
    let pages = session.site.files.keys().filter(|p| p.ends_with(".html")).count();
    fs::write(root.join("src/s3.rs"), step_source("step_3", 3, 6, 3, true)).unwrap();
    let update = session.apply(&["src/s3.rs".to_string(), "src/.s3.rs.swp".to_string()]);
    assert_eq!(update.extracted, vec!["src/s3.rs".to_string()]);
    assert!(!update.rescanned);
    assert!(update.rendered >= 1 && update.rendered < pages / 2, "{} of {pages} pages rendered", update.rendered);
    assert!(update.changed.contains("steps/step-3.html") && update.changed.contains("graph.json"), "{update:?}");
    assert!(update.changed.len() < pages / 2 && update.removed.is_empty(), "{update:?}");
    let t = update.timings;
    assert!(t.total >= t.read + t.model + t.analyze + t.render && t.render > Duration::ZERO, "{t:?}");
    let page = String::from_utf8_lossy(&session.site.files["steps/step-3.html"]).into_owned();
    assert!(page.contains("6 s") || page.contains("6s"), "the new timeout is on the page");
    assert_eq!(session.site, fresh_site(root, &out));

    // Touching a file without changing it extracts nothing and renders nothing.
    let update = session.apply(&["src/s3.rs".to_string()]);
    assert!(update.extracted.is_empty() && update.rendered == 0, "{update:?}");
    assert!(update.changed.is_empty() && update.removed.is_empty(), "{update:?}");
}

#[test]
fn a_template_or_config_change_renders_again_what_depends_on_it() {
    let (_dir, root, out, mut session) = one_step_session(true);
    let root = root.as_path();

    fs::create_dir_all(root.join("templates")).unwrap();
    let base = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/templates/base.html"))
        .unwrap()
        .replace("<main id=\"main\">", "<main id=\"main\"><p>Staging</p>");
    fs::write(root.join("templates/base.html"), base).unwrap();
    let update = session.apply(&["templates/base.html".to_string()]);
    assert!(!update.rescanned && update.extracted.is_empty());
    let page = String::from_utf8_lossy(&session.site.files["steps/charge-card.html"]).into_owned();
    assert!(page.contains("<p>Staging</p>"), "every page uses the new layout");
    assert_eq!(session.site, fresh_site(root, &out));

    let config = Config { title: "Payments book".to_string(), ..Config::default() };
    session.set_config(config.clone());
    let index = String::from_utf8_lossy(&session.site.files["index.html"]).into_owned();
    assert!(index.contains("Payments book"));
    assert_eq!(session.site, crate::run(root, &config, &out).site);
}

/// Hand-written runbooks are sources like any other, `opsbook.lock` is re-read when it
/// changes, and allow comments reach the analysis: each step equals a fresh build.
#[test]
fn runbooks_the_lock_and_allow_comments_follow_like_a_fresh_build() {
    let (_dir, root, out, mut session) = one_step_session(false);
    let root = root.as_path();
    fs::create_dir_all(root.join("docs/runbooks")).unwrap();
    assert_eq!(session.site, fresh_site(root, &out));

    // A new runbook under the runbooks folder: a page of its own, its steps on the step's page.
    let runbook = "---\ntitle: Card charges\ncovers: [charge_card]\n---\n\n## Mitigation\n\n1. Call the card \
                   processor before replaying.\n\nAttempts: {{ charge_card.retry.max_attempts }}.\n";
    fs::write(root.join("docs/runbooks/cards.md"), runbook).unwrap();
    session.apply(&["docs/runbooks/cards.md".to_string()]);
    assert!(session.site.files.contains_key("runbooks/cards.html"), "{:?}", session.site.files.keys());
    let step = String::from_utf8_lossy(&session.site.files["steps/charge-card.html"]).into_owned();
    assert!(step.contains("Call the card processor"), "the runbook's steps are on the step's page");
    assert_eq!(session.site, fresh_site(root, &out));
    let stale = |s: &Session| s.analysis.findings.iter().filter(|f| f.code == "stale-runbook").count();
    assert_eq!(stale(&session), 1, "never reviewed: one info finding");

    // Editing the runbook takes the single-file path.
    fs::write(root.join("docs/runbooks/cards.md"), runbook.replace("Call the card", "Phone the card")).unwrap();
    let update = session.apply(&["docs/runbooks/cards.md".to_string()]);
    assert_eq!(update.extracted, vec!["docs/runbooks/cards.md".to_string()]);
    assert!(!update.rescanned);
    assert_eq!(session.site, fresh_site(root, &out));

    // A lock written by `review` clears the never-reviewed finding without a source change.
    let args =
        crate::cmd::review::ReviewArgs { runbooks: vec![root.join("docs/runbooks/cards.md")], dir: root.to_path_buf() };
    crate::cmd::review::run(&args).unwrap();
    session.apply(&[crate::lock::FILE_NAME.to_string()]);
    assert_eq!(stale(&session), 0, "{:?}", session.analysis.findings);
    // Review also dated the runbook's `reviewed:` front matter: a change of its own.
    session.apply(&["docs/runbooks/cards.md".to_string()]);
    assert_eq!(session.site, fresh_site(root, &out));

    // Allow comments reach the analysis as in a full build: one that silences nothing is
    // reported, so the session sees the file's text, not only its facts.
    let text = step_source("charge_card", 0, 5, 3, false)
        .replace("pub async fn", "// opsbook: allow(dependency-cycle)\npub async fn");
    fs::write(root.join("src/pay.rs"), text).unwrap();
    session.apply(&["src/pay.rs".to_string()]);
    let unused: Vec<_> = session.analysis.findings.iter().filter(|f| f.code == "unused-allow").collect();
    assert_eq!(unused.len(), 1, "{:?}", session.analysis.findings);
    assert_eq!((unused[0].file.as_str(), unused[0].line), ("src/pay.rs", 12));
    assert_eq!(session.site, fresh_site(root, &out));
}

/// A removed folder is reported by its own path alone: the session finds the files it read
/// under it (and not under a sibling whose name starts the same) and drops their pages.
#[test]
fn a_removed_folder_drops_the_files_read_under_it() {
    let (_dir, root, out, _) = one_step_session(true);
    let root = root.as_path();
    fs::create_dir_all(root.join("billing")).unwrap();
    fs::create_dir_all(root.join("billing-old")).unwrap();
    fs::write(root.join("billing/invoice.rs"), step_source("send_invoice", 1, 20, 2, true)).unwrap();
    fs::write(root.join("billing-old/refund.rs"), step_source("refund", 1, 20, 2, true)).unwrap();
    let mut session = Session::open(root, Config::default(), &out, &|_, _| {});
    fs::remove_dir_all(root.join("billing")).unwrap();
    let update = session.apply(&["billing".to_string()]);
    assert!(update.rescanned, "{update:?}");
    assert_eq!(update.dropped, vec!["billing/invoice.rs".to_string()]);
    assert!(update.removed.contains("steps/send-invoice.html"), "{:?}", update.removed);
    assert!(session.site.files.contains_key("steps/refund.html"));
    assert_eq!(session.site, fresh_site(root, &out));
    // A name that is neither a folder nor one the session read from changes nothing.
    let update = session.apply(&["billing".to_string()]);
    assert!(!update.rescanned && update.changed.is_empty(), "{update:?}");
}
