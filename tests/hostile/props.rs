//! Properties checked on generated input in every CI run (the fuzz targets in `fuzz/` go
//! further, on a nightly toolchain): any text read by any extractor gives facts or
//! diagnostics, never a panic; and a book rendered from any names escapes every one.

use proptest::prelude::*;

use opsbook::config::Config;
use opsbook::extract::{self, Extracted};
use opsbook::scan::SourceKind;

/// Real files of each format, mutated by the properties.
const SEEDS: &[(SourceKind, &str, &str)] = &[
    (SourceKind::Rust, "src/sync.rs", include_str!("../fixtures/shop/worker/src/sync.rs")),
    (SourceKind::Rust, "src/pay.rs", include_str!("../fixtures/shop/api/src/pay.rs")),
    (SourceKind::Compose, "compose.yaml", include_str!("../fixtures/shop/compose.yaml")),
    (SourceKind::CargoManifest, "Cargo.toml", include_str!("../fixtures/shop/api/Cargo.toml")),
    (SourceKind::Asl, "orders/fulfil.asl.json", include_str!("../fixtures/workflows/orders/fulfil.asl.json")),
    (SourceKind::Yaml, "export/nightly.yaml", include_str!("../fixtures/workflows/export/nightly-export.yaml")),
    (
        SourceKind::GithubActions,
        ".github/workflows/release.yml",
        include_str!("../fixtures/workflows/.github/workflows/release.yml"),
    ),
    (SourceKind::Bpmn, "refunds/refund.bpmn", include_str!("../fixtures/workflows/refunds/refund.bpmn")),
    (SourceKind::Yaml, "catalog-info.yaml", include_str!("../fixtures/boutique/catalog-info.yaml")),
    (SourceKind::Yaml, "monitoring/rules.yaml", include_str!("../fixtures/boutique/monitoring/rules.yaml")),
    (SourceKind::Yaml, "k8s.yaml", include_str!("../fixtures/boutique/kubernetes-manifests.yaml")),
    (SourceKind::CodeOwners, ".github/CODEOWNERS", include_str!("../fixtures/boutique/.github/CODEOWNERS")),
];

/// Pieces of syntax and hostile text spliced into the seeds.
const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "\"",
    "'",
    ":",
    ",",
    "\n",
    "\n  ",
    "- ",
    "&a ",
    "*a",
    "<<: *a",
    "---\n",
    "/// ",
    "# Operations\n",
    "- retry: attempts=4294967295 factor=1e308 initial=9999999999999h\n",
    "- timeout: 18446744073709551615ms\n",
    "- retry: attempts=unbounded\n",
    "MaxAttempts: -1",
    "\"MaxAttempts\": 99999999999",
    "\"BackoffRate\": 1e308",
    "\"IntervalSeconds\": -5",
    "limit: \"99999999999\"",
    "factor: 1e309",
    "timeout-minutes: -1",
    "R99999999/PT99999999H",
    "PT-5M",
    "<![CDATA[",
    "]]>",
    "<!--",
    "-->",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "\u{feff}",
    "\u{2028}",
    "é",
    "𝄞",
    "\r",
    "\t",
    "\\",
    "${{",
    "}}",
    "{{",
    "%}",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "../../etc/x",
    "Next",
    "StartAt",
    "States",
    "Type: Parallel",
    "\"Type\": \"Map\"",
    "dependencies: [",
    "depends: \"",
    "needs: [",
    "kind: Workflow",
    "apiVersion: argoproj.io/v1alpha1",
    "fn f() {",
    "retry(",
    ".await?",
    "Duration::from_secs(",
    "u64::MAX",
    "0x",
    "1e9",
    "-",
    "0",
    "@org/team ",
    "* ",
    "**/",
    "!",
];

/// A seed with `edits` applied: each inserts a fragment at, or deletes a run after, a place.
fn mutate(seed: &str, edits: &[(u16, u8, bool)]) -> String {
    let mut text = seed.to_string();
    for &(at, which, delete) in edits {
        let mut i = (at as usize * text.len()) / usize::from(u16::MAX).max(1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        if delete {
            let mut end = (i + which as usize % 24).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(i..end, "");
        } else {
            text.insert_str(i, FRAGMENTS[which as usize % FRAGMENTS.len()]);
        }
    }
    text
}

fn assert_total(x: &Extracted) {
    for d in &x.diagnostics {
        assert!(!d.message.contains("internal error"), "{d:?}");
    }
    let config = Config::default();
    let graph = opsbook::model::build([&x.facts]);
    let _ = opsbook::analyze::analyze(&graph, &x.diagnostics, &config);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_mutation_of_a_real_file_reads_without_a_panic(
        seed in 0..SEEDS.len(),
        edits in prop::collection::vec((any::<u16>(), any::<u8>(), any::<bool>()), 1..12),
    ) {
        let (kind, path, text) = SEEDS[seed];
        let text = mutate(text, &edits);
        assert_total(&extract::extract(kind, path, &text));
    }

    #[test]
    fn any_text_reads_without_a_panic_in_every_extractor(text in ".{0,400}", kind in 0..SEEDS.len()) {
        let (kind, path, _) = SEEDS[kind];
        assert_total(&extract::extract(kind, path, &text));
    }
}

/// Hostile text for names: markup, quotes, script URLs, separators, path parts.
fn hostile_name() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "<script>alert(1)</script>",
        "\"><img src=x onerror=alert(1)>",
        "'",
        "\"",
        "<",
        ">",
        "&",
        "javascript:alert(1)",
        "</svg><foreignObject>",
        "]]>",
        "\u{2028}",
        "../",
        "/",
        "\\",
        " ",
        "{{ x }}",
        "{% raw %}",
        "`",
        "*",
        "_",
        "[x](javascript:y)",
        "a",
        "Z",
        "9",
        "é",
        "-",
    ]);
    prop::collection::vec(piece, 1..8).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Names and text from a compose file and a state machine, both generated, reach every
    /// page, diagram and graph.json; nothing in them runs.
    #[test]
    fn a_book_of_any_names_escapes_every_one(
        services in prop::collection::vec(hostile_name(), 1..5),
        states in prop::collection::vec(hostile_name(), 1..5),
        comment in hostile_name(),
    ) {
        let q = |s: &str| serde_json::to_string(s).unwrap();
        let mut compose = String::from("services:\n");
        for (i, s) in services.iter().enumerate() {
            let next = &services[(i + 1) % services.len()];
            compose.push_str(&format!("  {}:\n    image: {}\n    depends_on: [{}]\n", q(s), q(s), q(next)));
        }
        let mut machine = serde_json::Map::new();
        for (i, s) in states.iter().enumerate() {
            let state = match states.get(i + 1) {
                Some(next) => serde_json::json!({ "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Comment": comment, "Next": next }),
                None => serde_json::json!({ "Type": "Succeed", "Comment": comment }),
            };
            machine.insert(s.clone(), state);
        }
        let asl = serde_json::json!({ "Comment": comment, "StartAt": states[0], "States": machine });
        let doc = format!("/// {comment}\n///\n/// # Operations\n/// - owner: {}\n/// - depends-on: {}\n/// # Recovery\n/// 1. {comment}\npub fn step() {{}}\n", services[0], states[0]);

        let files = [
            extract::extract(SourceKind::Compose, "compose.yaml", &compose),
            extract::extract(SourceKind::Asl, "m.asl.json", &asl.to_string()),
            extract::extract(SourceKind::Rust, "src/lib.rs", &doc),
        ];
        let config = Config::default();
        let graph = opsbook::model::build(files.iter().map(|x| &x.facts));
        let diagnostics: Vec<_> = files.iter().flat_map(|x| x.diagnostics.clone()).collect();
        let analysis = opsbook::analyze::analyze(&graph, &diagnostics, &config);
        let (site, _) = opsbook::render::render(&graph, &analysis, &config, &Default::default());
        prop_assert!(site.files.len() > 3);
        for (path, bytes) in &site.files {
            prop_assert!(!path.contains("..") && !path.starts_with('/'), "{}", path);
            let text = String::from_utf8_lossy(bytes);
            if path.ends_with(".html") || path.ends_with(".svg") {
                let bad = crate::book::dangers(&text);
                prop_assert!(bad.is_empty(), "{}: {:?}", path, bad);
            }
            if path.ends_with(".json") {
                prop_assert!(serde_json::from_slice::<serde_json::Value>(bytes).is_ok(), "{}", path);
            }
        }
    }
}
