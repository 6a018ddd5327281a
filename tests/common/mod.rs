//! Helpers for end-to-end tests: run the binary on a fixture and read what it wrote.

#![allow(dead_code, reason = "each test file uses a different subset")]

pub mod running;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub fn opsbook() -> Command {
    Command::cargo_bin("opsbook").expect("the binary is built")
}

/// Builds `dir` into a fresh temporary folder and returns it with the command's output.
pub fn build(dir: &Path) -> (tempfile::TempDir, std::process::Output) {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("book");
    let output = opsbook().arg("build").arg(dir).arg("--out").arg(&book).output().unwrap();
    (out, output)
}

pub fn read(book: &Path, page: &str) -> String {
    std::fs::read_to_string(book.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

pub fn graph(book: &Path) -> Value {
    serde_json::from_str(&read(book, "graph.json")).expect("graph.json is JSON")
}

pub fn node<'a>(graph: &'a Value, id: &str) -> &'a Value {
    graph["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap_or_else(|| {
        let ids: Vec<_> = graph["nodes"].as_array().unwrap().iter().map(|n| n["id"].to_string()).collect();
        panic!("no node {id}; nodes: {}", ids.join(", "))
    })
}

pub fn has_edge(graph: &Value, from: &str, to: &str, kind: &str) -> bool {
    graph["edges"].as_array().unwrap().iter().any(|e| e["from"] == from && e["to"] == to && e["kind"] == kind)
}

pub fn findings<'a>(graph: &'a Value, code: &str) -> Vec<&'a Value> {
    graph["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).collect()
}

pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
