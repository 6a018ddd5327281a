//! The literal pre-filter of Rust files changes nothing in a book: every fixture and the
//! example give the same bytes, page by page, as a build that parses every Rust file.

mod common;

use std::path::Path;

use opsbook::extract;
use opsbook::{config, render};

/// `opsbook::run`, with every Rust file parsed.
fn unfiltered_site(root: &Path, config: &config::Config, out: &Path) -> (render::Site, Vec<String>) {
    let book = opsbook::run_with(root, config, out, extract::extract_unfiltered);
    (book.site, book.diagnostics.iter().map(|d| format!("{d:?}")).collect())
}

#[test]
fn prefiltered_books_are_byte_identical_to_fully_parsed_ones() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let trees = ["boutique", "shop", "workflows"].map(common::fixture);
    let trees = trees.iter().cloned().chain([manifest.join("examples/order-to-cash")]);
    let config = config::parse("").unwrap();
    let mut pages = 0;
    for root in trees {
        let out = root.join("book");
        let book = opsbook::run(&root, &config, &out);
        let (site, diagnostics) = unfiltered_site(&root, &config, &out);
        let paths = |s: &render::Site| s.files.keys().cloned().collect::<Vec<_>>();
        assert_eq!(paths(&book.site), paths(&site), "{}", root.display());
        for (path, bytes) in &site.files {
            assert!(book.site.files[path] == *bytes, "{}: {path} differs", root.display());
        }
        let filtered: Vec<String> = book.diagnostics.iter().map(|d| format!("{d:?}")).collect();
        assert_eq!(filtered, diagnostics, "{}", root.display());
        pages += site.files.len();
    }
    assert!(pages > 50, "only {pages} files in four books");
}
