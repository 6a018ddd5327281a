//! The writer: atomic replacement, changed files only, never outside the book.

use super::*;

fn site(files: &[(&str, &str)]) -> Site {
    Site { files: files.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())).collect() }
}

#[test]
fn replace_puts_new_bytes_in_place_and_leaves_nothing_beside() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("graph.json");
    fs::write(&dest, "old").unwrap();
    // A reader that opened the page before keeps reading whole old bytes.
    let reader = fs::File::open(&dest).unwrap();
    let temp = dir.path().join(".graph.json.new");
    fs::write(&temp, "new").unwrap();
    replace(&temp, &dest).unwrap();
    assert_eq!(fs::read_to_string(&dest).unwrap(), "new");
    assert_eq!(std::io::read_to_string(reader).unwrap(), "old");
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["graph.json"], "the old bytes are unlinked, no temporary file stays");

    // No file there yet: a plain rename.
    fs::write(&temp, "first").unwrap();
    replace(&temp, &dir.path().join("new.html")).unwrap();
    assert_eq!(fs::read_to_string(dir.path().join("new.html")).unwrap(), "first");
    assert!(!temp.exists());

    // A folder in the way is not swapped away: the rename fails and the folder stays.
    fs::create_dir(dir.path().join("taken")).unwrap();
    fs::write(dir.path().join("taken/keep.txt"), "mine").unwrap();
    fs::write(&temp, "page").unwrap();
    assert!(replace(&temp, &dir.path().join("taken")).is_err());
    assert_eq!(fs::read_to_string(dir.path().join("taken/keep.txt")).unwrap(), "mine");
}

#[test]
fn replaces_its_own_book_and_keeps_unchanged_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let s = write(&site(&[("index.html", "a"), ("steps/x.html", "x")]), &out).unwrap();
    assert_eq!(s, WriteStats { written: 2, unchanged: 0 });
    let s = write(&site(&[("index.html", "b"), ("steps/x.html", "x")]), &out).unwrap();
    assert_eq!(s, WriteStats { written: 1, unchanged: 1 });
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
    assert!(out.join(MARKER).is_file());
    let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers, vec![std::ffi::OsString::from("book")]);
}

#[test]
fn update_writes_changed_files_and_removes_dropped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let first = site(&[("index.html", "a"), ("steps/x.html", "x"), ("teams/t.html", "t")]);
    write(&first, &out).unwrap();
    fs::write(out.join("notes.txt"), "by hand").unwrap();
    let next = site(&[("index.html", "b"), ("steps/x.html", "x"), ("steps/y.html", "y")]);
    let s = update(&first, &next, &out).unwrap();
    // index.html and steps/y.html written, teams/t.html removed.
    assert_eq!(s, WriteStats { written: 3, unchanged: 1 });
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
    assert_eq!(fs::read_to_string(out.join("steps/y.html")).unwrap(), "y");
    assert!(!out.join("teams").exists(), "the emptied folder is gone");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "by hand", "only its own files go");
    assert!(out.join(MARKER).is_file());
    let names: Vec<_> = fs::read_dir(out.join("steps")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
}

#[test]
fn changes_names_new_changed_and_dropped_paths_only() {
    let before = site(&[("a.html", "a"), ("b.html", "b"), ("steps/c.html", "c"), ("z.html", "z")]);
    let after = site(&[("a.html", "a"), ("b.html", "B"), ("steps/d.html", "d"), ("z.html", "z")]);
    let (changed, removed) = changes(&before, &after);
    assert_eq!(changed.into_iter().collect::<Vec<_>>(), ["b.html", "steps/d.html"]);
    assert_eq!(removed.into_iter().collect::<Vec<_>>(), ["steps/c.html"]);
    let (changed, removed) = changes(&Site::default(), &before);
    assert_eq!(changed.len(), 4);
    assert!(removed.is_empty());
    let (changed, removed) = changes(&before, &Site::default());
    assert!(changed.is_empty());
    assert_eq!(removed.len(), 4);
}

#[test]
fn apply_touches_only_the_paths_it_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let first = site(&[("index.html", "a"), ("steps/x.html", "x"), ("teams/t.html", "t"), ("graph.json", "1")]);
    write(&first, &out).unwrap();
    fs::write(out.join("notes.txt"), "by hand").unwrap();
    // A file the changes do not name stays as it is on disk, even if it differs.
    fs::write(out.join("steps/x.html"), "edited by hand").unwrap();
    let next = site(&[("index.html", "b"), ("steps/x.html", "x"), ("steps/y.html", "y"), ("graph.json", "2")]);
    let (changed, removed) = changes(&first, &next);
    let s = apply(&next, &out, &changed, &removed).unwrap();
    // index.html, steps/y.html and graph.json written, teams/t.html removed.
    assert_eq!(s, WriteStats { written: 4, unchanged: 1 });
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "b");
    assert_eq!(fs::read_to_string(out.join("steps/y.html")).unwrap(), "y");
    assert_eq!(fs::read_to_string(out.join("graph.json")).unwrap(), "2");
    assert_eq!(fs::read_to_string(out.join("steps/x.html")).unwrap(), "edited by hand", "not named, not read");
    assert!(!out.join("teams").exists(), "the emptied folder is gone");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "by hand", "only its own files go");
    let names: Vec<_> = fs::read_dir(out.join("steps")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "no temporary files left: {names:?}");

    // A path outside the book is refused, and a changed path the site lacks is an error.
    let evil: BTreeSet<String> = ["../evil.html".to_string()].into();
    assert!(apply(&next, &out, &BTreeSet::new(), &evil).is_err());
    let missing: BTreeSet<String> = ["nope.html".to_string()].into();
    assert!(apply(&next, &out, &missing, &BTreeSet::new()).is_err());

    // Without a book of ours in `out`, the whole site is written.
    let fresh = dir.path().join("fresh");
    let s = apply(&next, &fresh, &BTreeSet::new(), &BTreeSet::new()).unwrap();
    assert_eq!(s.written, 4);
    assert_eq!(fs::read_to_string(fresh.join("steps/x.html")).unwrap(), "x");
    assert!(fresh.join(MARKER).is_file());
}

/// graph.json is staged beside the pages while they are written, but takes its place
/// only when they all did: a page that cannot be written leaves the old graph.json and
/// no temporary file.
#[test]
fn apply_keeps_the_old_graph_json_when_a_page_fails() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let first = site(&[("index.html", "a"), ("graph.json", "1")]);
    write(&first, &out).unwrap();
    // A file where the new page's folder must go.
    fs::write(out.join("steps"), "in the way").unwrap();
    let next = site(&[("index.html", "b"), ("steps/y.html", "y"), ("graph.json", "2")]);
    let (changed, removed) = changes(&first, &next);
    let err = apply(&next, &out, &changed, &removed).unwrap_err();
    assert!(format!("{err:#}").contains("steps"), "{err:#}");
    assert_eq!(fs::read_to_string(out.join("graph.json")).unwrap(), "1");
    let mut names: Vec<_> = fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, [MARKER, "graph.json", "index.html", "steps"].map(std::ffi::OsString::from));

    // With the way clear, graph.json is written with the pages.
    fs::remove_file(out.join("steps")).unwrap();
    apply(&next, &out, &changed, &removed).unwrap();
    assert_eq!(fs::read_to_string(out.join("graph.json")).unwrap(), "2");
    assert_eq!(fs::read_to_string(out.join("steps/y.html")).unwrap(), "y");
}

#[test]
fn never_overwrites_a_folder_it_did_not_make() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("docs");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("precious.md"), "mine").unwrap();
    let err = write(&site(&[("index.html", "a")]), &out).unwrap_err();
    assert!(err.to_string().contains("not made by opsbook"), "{err}");
    assert_eq!(fs::read_to_string(out.join("precious.md")).unwrap(), "mine");
}

#[test]
fn refuses_paths_that_leave_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book");
    let err = write(&site(&[("../evil.html", "x")]), &out).unwrap_err();
    assert!(err.to_string().contains("inside the book"));
    assert!(!dir.path().join("evil.html").exists());
    assert!(!out.exists(), "a failed build leaves no book behind");
}
