//! Building a scratch repository and reading what the build wrote.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::opsbook;

/// A scratch repository with one good Rust step in it, and a folder for its book.
pub struct Tree {
    pub dir: tempfile::TempDir,
}

/// A Rust step that must be in every book, whatever else the tree holds.
const GOOD: &str = "/// Charges the card.\n///\n/// # Operations\n/// - timeout: 10s\n/// - owner: team-payments\npub async fn charge_card() {}\n";

impl Tree {
    pub fn new() -> Tree {
        let tree = Tree { dir: tempfile::tempdir().unwrap() };
        tree.write("good/src/lib.rs", GOOD);
        tree
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    pub fn book(&self) -> PathBuf {
        self.dir.path().join("book")
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// `opsbook build repo --out book`, plus `extra` flags.
    pub fn build(&self, extra: &[&str]) -> Output {
        let mut cmd = opsbook();
        cmd.arg("build").arg(self.root()).arg("--out").arg(self.book()).args(extra);
        cmd.timeout(std::time::Duration::from_secs(120));
        cmd.output().unwrap()
    }

    pub fn graph(&self) -> Value {
        crate::common::graph(&self.book())
    }
}

/// The good step is in the book: its node, its page and its timeout.
pub fn assert_good_step_documented(tree: &Tree) {
    let g = tree.graph();
    let step = crate::common::node(&g, "step:charge-card");
    assert_eq!(step["timeout_ms"], 10_000);
    assert!(tree.book().join("steps/charge-card.html").is_file());
}

/// The `parse-error` or `skipped-file` diagnostic on `file`, from stderr: its line.
pub fn diagnostic_line<'a>(stderr: &'a str, file: &str) -> Option<&'a str> {
    stderr.lines().find(|l| l.contains(file))
}

/// Every file under `dir`, relative.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            if t.is_dir() {
                todo.push(e.path());
            } else {
                out.push(e.path());
            }
        }
    }
    out.sort();
    out
}
