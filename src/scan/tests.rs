//! Scanning real folders: ignore rules, skipped folders, binary and over-size files.

use std::fs;
use std::path::Path;

use crate::config::Config;
use crate::scan::{SourceKind, scan};

fn tree(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    dir
}

fn paths(root: &Path, config: &Config) -> (Vec<String>, Vec<(String, String)>) {
    let inv = scan(root, config, &root.join("book"));
    let files = inv.files.iter().map(|f| f.path.clone()).collect();
    let diags = inv.diagnostics.iter().map(|d| (d.source.file.clone(), d.message.clone())).collect();
    (files, diags)
}

#[test]
fn gitignore_applies_outside_a_git_checkout_and_skipped_folders_are_said() {
    let dir = tree(&[
        (".gitignore", b"generated/\n"),
        ("src/lib.rs", b"fn a() {}"),
        ("generated/gen.rs", b"fn g() {}"),
        ("target/debug/build.rs", b"fn t() {}"),
        ("book/steps/x.rs", b"fn b() {}"),
        ("compose.yaml", b"services: {}"),
        ("README.md", b"# hi"),
    ]);
    fs::write(dir.path().join("book/.opsbook-book"), "").unwrap();
    let (files, diags) = paths(dir.path(), &Config::default());
    assert_eq!(files, vec!["compose.yaml", "src/lib.rs"]);
    assert!(diags.iter().any(|(f, m)| f == "target/" && m.contains("never read")), "{diags:?}");
    assert!(diags.iter().any(|(f, m)| f == "book/" && m.contains("output folder")), "{diags:?}");
}

#[test]
fn binary_oversize_and_non_utf8_files_each_get_a_diagnostic() {
    let big = vec![b'a'; 64];
    let dir = tree(&[
        ("src/bin.rs", b"fn a() {}\0\0"),
        ("src/big.rs", &big),
        ("src/latin1.rs", b"// caf\xe9\nfn a() {}"),
        ("src/ok.rs", b"fn ok() {}"),
    ]);
    let config = Config { max_file_size: 32, ..Config::default() };
    let inv = scan(dir.path(), &config, &dir.path().join("book"));
    assert_eq!(inv.files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(), vec!["src/ok.rs"]);
    assert_eq!(inv.files[0].kind, SourceKind::Rust);
    let by_file = |f: &str| inv.diagnostics.iter().find(|d| d.source.file == f).map(|d| d.message.clone());
    assert!(by_file("src/bin.rs").unwrap().contains("binary"));
    assert!(by_file("src/big.rs").unwrap().contains("over the 32 byte limit"));
    let latin = inv.diagnostics.iter().find(|d| d.source.file == "src/latin1.rs").unwrap();
    assert_eq!((latin.code.as_str(), latin.source.line), ("parse-error", 1));
}

#[test]
fn include_and_exclude_globs_from_the_config() {
    let dir = tree(&[("svc/a/src/lib.rs", b""), ("svc/b/src/lib.rs", b""), ("tools/x.rs", b"")]);
    let config = Config { include: vec!["svc/**".into()], exclude: vec!["svc/b/**".into()], ..Config::default() };
    let (files, _) = paths(dir.path(), &config);
    assert_eq!(files, vec!["svc/a/src/lib.rs"]);
}
