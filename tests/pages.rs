//! Every page offline and correct, on the disk as a browser reads it: every internal link
//! and anchor resolves, nothing is requested from the network, scripts are the book's own,
//! pages keep to a weight budget, and a large generated tree stays legible and searchable.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{build, fixture, read};

/// Page weight budget of a runbook page, bytes of HTML. Inline SVG is counted: it is the page.
const PAGE_BUDGET: usize = 256 * 1024;
/// The book-wide pages at the root (failure points, retries, graph.html) list every node,
/// so they grow with the system.
const LIST_BUDGET: usize = 2 * 1024 * 1024;

fn files(book: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![book.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(book).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn attribute_values<'h>(html: &'h str, name: &str) -> Vec<&'h str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// `href` relative to the page at `page`, as a browser resolves it, without query.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for seg in href.split('/') {
        match seg {
            ".." => {
                parts.pop();
            }
            "." | "" => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Checks every page of the book at `book`; returns (pages, links checked, largest runbook
/// page).
fn check_book(book: &Path) -> (usize, usize, (String, usize)) {
    let files = files(book);
    let css = std::str::from_utf8(&files["style.css"]).unwrap();
    assert!(!css.contains("url(") && !css.contains("@import"), "the stylesheet fetches nothing");
    assert!(css.contains("@media print") && css.contains("prefers-color-scheme: dark"));
    let (mut pages, mut links, mut largest) = (0, 0, (String::new(), 0));
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = std::str::from_utf8(bytes).unwrap();
        pages += 1;
        if path.contains('/') && bytes.len() > largest.1 {
            largest = (path.clone(), bytes.len());
        }
        let budget = if path.contains('/') { PAGE_BUDGET } else { LIST_BUDGET };
        assert!(bytes.len() <= budget, "{path} weighs {} bytes, over {budget}", bytes.len());
        assert!(html.contains("Content-Security-Policy"), "{path}");
        // Nothing from the network: every src is a file of the book; <a> may point anywhere
        // (a source line, a dashboard) because following one is the reader's choice.
        for src in attribute_values(html, "src") {
            assert!(!src.contains(':') && !src.starts_with("//"), "{path}: src {src}");
            let target = resolve(path, src);
            assert!(target == "search.js" || target == "search-index.js", "{path}: a script not the book's: {src}");
            assert!(files.contains_key(&target), "{path}: {src} missing");
        }
        assert_eq!(html.matches("<script").count(), if path == "search.html" { 2 } else { 1 }, "{path}");
        assert_eq!(html.matches("<link ").count(), 1, "{path}: the stylesheet only");
        for href in attribute_values(html, "href") {
            if href.starts_with("https://") || href.starts_with("http://") || href.starts_with("mailto:") {
                continue;
            }
            assert!(!href.contains(':'), "{path}: {href}");
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let file = file.split('?').next().unwrap();
            let target = if file.is_empty() { path.clone() } else { resolve(path, file) };
            let body = files.get(&target).unwrap_or_else(|| panic!("{path}: {href} -> {target} is not in the book"));
            if !fragment.is_empty() {
                let text = std::str::from_utf8(body).unwrap();
                assert!(text.contains(&format!("id=\"{fragment}\"")), "{path}: {href}: no #{fragment} in {target}");
            }
            links += 1;
        }
    }
    (pages, links, largest)
}

#[test]
fn every_link_of_the_example_and_fixture_books_resolves_and_nothing_is_fetched() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash");
    let mut trees: Vec<PathBuf> = vec![example, fixture("shop"), fixture("boutique")];
    for entry in std::fs::read_dir(fixture("workflows")).unwrap() {
        trees.push(entry.unwrap().path());
    }
    for tree in trees {
        let (out, output) = build(&tree);
        assert!(output.status.code() == Some(0), "{}: {}", tree.display(), common::stderr(&output));
        let (pages, links, largest) = check_book(&out.path().join("book"));
        assert!(pages > 3 && links > pages * 5, "{}: {pages} pages, {links} links", tree.display());
        eprintln!(
            "{}: {pages} pages, {links} links, largest runbook page {} ({} bytes)",
            tree.display(),
            largest.0,
            largest.1
        );
    }
}

/// A system of `services` services, each with a workflow of 8 steps, owned by 12 teams.
fn generate(root: &Path, services: usize) {
    for s in 0..services {
        let dir = root.join(format!("svc{s}/src"));
        std::fs::create_dir_all(&dir).unwrap();
        let mut code = String::new();
        for k in 0..8 {
            code.push_str(&format!(
                "/// Step {k} of service {s}: moves the record on.\n///\n/// # Operations\n\
                 /// - workflow: flow-{s}\n/// - service: svc-{s}\n/// - owner: team-{team}\n\
                 /// - depends-on: db-{db}, svc-{next}\n/// - retry: attempts=4 initial=200ms factor=2\n\
                 /// - timeout: 3s\n/// - alerts: Svc{s}Failing\n///\n/// # Failure modes\n\
                 /// - The database {db} refuses connections during failover.\n///\n/// # Recovery\n\
                 /// 1. Check replication lag on db-{db}.\n/// 2. Replay step {k} with `svcctl replay {s} {k}`.\n\
                 pub async fn step_{s}_{k}() {{}}\n\n",
                team = s % 12,
                db = s % 7,
                next = (s + 1) % services,
            ));
        }
        std::fs::write(dir.join("lib.rs"), code).unwrap();
    }
}

#[test]
fn a_large_tree_stays_legible_offline_and_its_search_index_small() {
    let tree = tempfile::tempdir().unwrap();
    generate(tree.path(), 60);
    let (out, output) = build(tree.path());
    assert_eq!(output.status.code(), Some(0), "{}", common::stderr(&output));
    let book = out.path().join("book");
    let graph = common::graph(&book);
    let nodes = graph["nodes"].as_array().unwrap().len();
    assert!(nodes >= 500, "{nodes} nodes");
    let (pages, links, largest) = check_book(&book);
    let index = read(&book, "search-index.js");
    let html = read(&book, "graph.html");
    eprintln!(
        "large tree: {nodes} nodes, {pages} pages, {links} links; search-index.js {} bytes ({} per node); graph.html {} bytes; failure-points.html {} bytes; largest runbook page {} ({} bytes)",
        index.len(),
        index.len() / nodes,
        html.len(),
        read(&book, "failure-points.html").len(),
        largest.0,
        largest.1
    );
    assert!(index.len() < nodes * 600, "the index stays small: {} bytes for {nodes} nodes", index.len());
    assert!(index.contains("svcctl replay 17 3"), "recovery steps are indexed");
    // graph.html is split by owner: no diagram holds more than 48 nodes.
    assert!(html.contains("Diagrams by owner") && html.contains("id=\"owner-team-11\""));
    // A team's diagram draws its steps' edges from their workflow: flow-3's steps need db-3.
    let team = &html[html.find("id=\"owner-team-3\"").unwrap()..];
    let team = &team[..team.find("</details>").unwrap()];
    assert!(team.contains("<a href=\"workflows/flow-3.html\">") && team.contains("<a href=\"resources/db-3.html\">"));
    assert!(team.contains("e-depends_on") && !team.contains("steps/"), "steps folded, their edges kept");
    for svg in html.split("<svg").skip(1) {
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.matches("<rect").count() <= 48, "a diagram of {} nodes", svg.matches("<rect").count());
    }
}
