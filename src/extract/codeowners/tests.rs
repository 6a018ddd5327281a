//! CODEOWNERS extraction on the corpus files and on hand-written lines.

use super::*;

macro_rules! corpus {
    ($path:literal) => {
        // The path inside its repository, as a scan of that repository would give it.
        (
            $path.split_once('/').map_or($path, |(_, p)| p),
            include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/", $path)),
        )
    };
}

fn rules(x: &Extracted) -> Vec<(&str, Vec<&str>, u32)> {
    x.facts
        .owners
        .iter()
        .map(|r| (r.pattern.as_str(), r.owners.iter().map(String::as_str).collect(), r.source.line))
        .collect()
}

#[test]
fn codeowners_corpus_files_extract_without_warnings() {
    let (path, text) = corpus!("argo-workflows/CODEOWNERS");
    let x = extract(path, text);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    assert_eq!(x.facts.owners.len(), 12);
    let r = rules(&x);
    assert_eq!(r[0], ("*", vec!["@argoproj/argo-workflows-approvers"], 2));
    assert_eq!(r[1], ("*.proto", vec!["@joibel", "@terrytangyuan"], 4));
    assert_eq!(r[2].0, "/docs/**");
    assert_eq!(r[2].2, 7);
    assert!(x.facts.owners.iter().all(|r| r.root.is_empty()));

    let (path, text) = corpus!("awesome-compose/.github/CODEOWNERS");
    let x = extract(path, text);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    assert_eq!(rules(&x), vec![("*", vec!["aiordache", "glours"], 1)]);
    assert_eq!(x.facts.owners[0].root, "");

    let (path, text) = corpus!("backstage-demo/.github/CODEOWNERS");
    let x = extract(path, text);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    assert_eq!(rules(&x), vec![("*", vec!["@backstage/operations-maintainers", "@MihaiTabara"], 7)]);
    assert_eq!(x.facts.owners[0].source, Source::new(path, 7, 1));
}

#[test]
fn codeowners_root_is_the_repository_holding_the_file() {
    for (path, root) in [
        ("CODEOWNERS", ""),
        (".github/CODEOWNERS", ""),
        ("docs/CODEOWNERS", ""),
        ("svc/.github/CODEOWNERS", "svc"),
        ("svc/CODEOWNERS", "svc"),
        ("a/b/docs/CODEOWNERS", "a/b"),
    ] {
        assert_eq!(root_of(path), root, "{path}");
    }
    assert!(rank(".github/CODEOWNERS") < rank("CODEOWNERS"));
    assert!(rank("svc/CODEOWNERS") < rank("svc/docs/CODEOWNERS"));
}

#[test]
fn codeowners_comments_escapes_and_empty_rules() {
    let text = "# comment\n\n  /src/  @acme/core  # inline\n\\#notes.md  a@b.io\n/vendor/\n[Docs][2] @acme/docs\n^[Optional]\n";
    let x = extract("CODEOWNERS", text);
    assert!(x.diagnostics.is_empty(), "{:?}", x.diagnostics);
    assert_eq!(
        rules(&x),
        vec![("/src/", vec!["@acme/core"], 3), ("#notes.md", vec!["a@b.io"], 4), ("/vendor/", vec![], 5)]
    );
    assert_eq!(x.facts.owners[0].source.column, 3);
}

#[test]
fn codeowners_warns_on_bad_owners_and_unsupported_syntax() {
    let text = "*.js @acme/web @@x\n!*.md @acme/docs\n*.[ch] @acme/c\n/api/ foo/bar\n";
    let x = extract("svc/CODEOWNERS", text);
    let d: Vec<(&str, u32, u32)> =
        x.diagnostics.iter().map(|d| (d.code.as_str(), d.source.line, d.source.column)).collect();
    assert_eq!(
        d,
        vec![("invalid-value", 1, 16), ("invalid-value", 2, 1), ("invalid-value", 3, 1), ("invalid-value", 4, 7)]
    );
    // The bad owner is dropped; a line with only bad owners does not clear ownership.
    assert_eq!(rules(&x), vec![("*.js", vec!["@acme/web"], 1)]);
    assert_eq!(x.facts.owners[0].root, "svc");
}
