//! Inputs that once crashed or hung an extractor (found by the fuzz targets in `fuzz/`),
//! kept as files under `regressions/<target>/`, replayed through the extractor and the rest
//! of the pipeline.

use std::path::Path;

use opsbook::config::Config;
use opsbook::scan::SourceKind;

/// The fuzz target's folder name: the kind and path its extractor is called with.
fn target(name: &str) -> (SourceKind, &'static str) {
    match name {
        "rust" | "doc_comment" => (SourceKind::Rust, "src/lib.rs"),
        "compose" => (SourceKind::Compose, "docker-compose.yml"),
        "cargo_manifest" => (SourceKind::CargoManifest, "Cargo.toml"),
        "asl" => (SourceKind::Asl, "flows/order.asl.json"),
        "gha" => (SourceKind::GithubActions, ".github/workflows/ci.yml"),
        "bpmn" => (SourceKind::Bpmn, "order.bpmn"),
        "codeowners" => (SourceKind::CodeOwners, ".github/CODEOWNERS"),
        "argo" | "k8s" | "backstage" | "prometheus" | "yaml" => (SourceKind::Yaml, "deploy/app.yaml"),
        other => panic!("regressions/{other}: no such fuzz target"),
    }
}

#[test]
fn every_kept_crash_input_now_reads_and_renders() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/regressions");
    let mut replayed = 0;
    for dir in std::fs::read_dir(&root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            // README.md says what each input was.
            continue;
        }
        let (kind, path) = target(dir.file_name().unwrap().to_str().unwrap());
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let bytes = std::fs::read(&file).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let x = opsbook::extract::extract(kind, path, &text);
            for d in &x.diagnostics {
                assert!(!d.message.contains("internal error"), "{}: {d:?}", file.display());
            }
            let config = Config::default();
            let graph = opsbook::model::build([&x.facts]);
            let analysis = opsbook::analyze::analyze(&graph, &x.diagnostics, &config);
            let _ = opsbook::render::render(&graph, &analysis, &config, &Default::default());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression inputs under {}", root.display());
}
