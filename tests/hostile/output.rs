//! The output folder: opsbook writes only its own book, and never deletes anything else.

use std::os::unix::fs::symlink;

use crate::common::stderr;
use crate::tree::{Tree, assert_good_step_documented};

#[test]
fn the_scanned_folder_itself_is_never_the_output() {
    let t = Tree::new();
    let before = crate::tree::files(&t.root());
    let output = crate::common::opsbook().arg("build").arg(t.root()).arg("--out").arg(t.root()).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("not made by opsbook"), "{}", stderr(&output));
    assert_eq!(crate::tree::files(&t.root()), before, "nothing in the repository changed");
}

#[test]
fn an_output_path_that_is_a_file_is_refused_and_kept() {
    let t = Tree::new();
    std::fs::write(t.book(), "my notes").unwrap();
    let output = t.build(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("is not a folder"), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(t.book()).unwrap(), "my notes");
}

#[test]
fn a_folder_without_the_marker_is_refused_and_kept() {
    let t = Tree::new();
    std::fs::create_dir_all(t.book().join("sub")).unwrap();
    std::fs::write(t.book().join("sub/keep.txt"), "mine").unwrap();
    let output = t.build(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(t.book().join("sub/keep.txt")).unwrap(), "mine");
}

#[test]
fn links_planted_in_the_book_do_not_reach_outside_on_rebuild() {
    let t = Tree::new();
    assert!(t.build(&[]).status.success());
    // Someone plants links in the book: to a folder and to a file outside it, one named
    // like a page the next build writes.
    let outside = t.dir.path().join("precious");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("data.txt"), "keep me").unwrap();
    std::fs::write(outside.join("page.html"), "keep me too").unwrap();
    symlink(&outside, t.book().join("planted")).unwrap();
    std::fs::remove_file(t.book().join("index.html")).unwrap();
    symlink(outside.join("page.html"), t.book().join("index.html")).unwrap();

    let output = t.build(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(outside.join("data.txt")).unwrap(), "keep me");
    assert_eq!(std::fs::read_to_string(outside.join("page.html")).unwrap(), "keep me too");
    let index = t.book().join("index.html");
    assert!(!index.symlink_metadata().unwrap().file_type().is_symlink(), "the page is a file of the book again");
    assert!(!t.book().join("planted").exists(), "the new book holds only what opsbook wrote");
    assert_good_step_documented(&t);
}

#[test]
fn a_rebuild_replaces_the_book_whole_and_leaves_nothing_beside_it() {
    let t = Tree::new();
    assert!(t.build(&[]).status.success());
    std::fs::write(t.book().join("stale.html"), "old").unwrap();
    let output = t.build(&[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!t.book().join("stale.html").exists());
    assert!(t.book().join(".opsbook-book").is_file());
    let beside: Vec<String> = std::fs::read_dir(t.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut beside = beside;
    beside.sort();
    assert_eq!(beside, ["book", "repo"], "no staging folder is left behind");
    assert_good_step_documented(&t);
}
