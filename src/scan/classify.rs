//! Which extractor claims a file, decided from its path alone.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Rust,
    Compose,
    CargoManifest,
    /// `*.asl.json`, `*.asl.yaml`: an AWS Step Functions state machine.
    Asl,
    /// `.github/workflows/*.yml`
    GithubActions,
    /// `*.bpmn`, `*.bpmn20.xml`
    Bpmn,
    /// `CODEOWNERS` (GitHub reads it at the root, in `.github/` and in `docs/`).
    CodeOwners,
    /// A hand-written runbook: `*.runbook.md`, or Markdown under the configured folder.
    Runbook,
    /// Any other YAML file: read only if a format recognises its text (Argo, a SAM or
    /// CloudFormation template, an ASL definition).
    Yaml,
    /// Any other JSON file, likewise.
    Json,
}

impl SourceKind {
    /// Claimed by extension alone: the text decides whether any extractor reads it.
    pub fn is_sniffed(self) -> bool {
        matches!(self, SourceKind::Yaml | SourceKind::Json)
    }
}

/// The extractor for a path relative to the scanned root, or `None` when no extractor
/// reads it.
pub fn classify(path: &str) -> Option<SourceKind> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name.ends_with(".rs") {
        return Some(SourceKind::Rust);
    }
    if name == "Cargo.toml" {
        return Some(SourceKind::CargoManifest);
    }
    if name == "CODEOWNERS" {
        return Some(SourceKind::CodeOwners);
    }
    if is_compose(name) {
        return Some(SourceKind::Compose);
    }
    if [".asl.json", ".asl.yaml", ".asl.yml"].iter().any(|e| name.ends_with(e)) {
        return Some(SourceKind::Asl);
    }
    if name.ends_with(".bpmn") || name.ends_with(".bpmn20.xml") {
        return Some(SourceKind::Bpmn);
    }
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    if yaml && (dir == ".github/workflows" || dir.ends_with("/.github/workflows")) {
        return Some(SourceKind::GithubActions);
    }
    if yaml {
        return Some(SourceKind::Yaml);
    }
    if name.ends_with(".json") {
        return Some(SourceKind::Json);
    }
    None
}

/// A hand-written runbook: any `*.runbook.md`, and every `.md` file under `folder`
/// (`runbooks` in `opsbook.toml`, `docs/runbooks` by default).
pub fn is_runbook(path: &str, folder: &str) -> bool {
    if path.ends_with(".runbook.md") {
        return true;
    }
    let folder = folder.trim_matches('/');
    !folder.is_empty() && path.ends_with(".md") && path.strip_prefix(folder).is_some_and(|rest| rest.starts_with('/'))
}

/// `compose.yaml`, `docker-compose.yml`, overrides such as `compose.override.yaml` or
/// `docker-compose.prod.yml`, and Swarm's `docker-stack.yml`.
fn is_compose(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".yaml").or_else(|| name.strip_suffix(".yml")) else {
        return false;
    };
    ["compose", "docker-compose", "docker-stack"]
        .iter()
        .any(|base| stem == *base || stem.strip_prefix(base).is_some_and(|rest| rest.starts_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compose_names_and_overrides() {
        for name in [
            "compose.yaml",
            "a/compose.yml",
            "docker-compose.yml",
            "docker-compose.override.yaml",
            "docker-stack.yml",
            "docker-compose.images.yml",
        ] {
            assert_eq!(classify(name), Some(SourceKind::Compose), "{name}");
        }
        for name in ["composer.yaml", "my-compose.yml", "config.yaml"] {
            assert_eq!(classify(name), Some(SourceKind::Yaml), "{name}: any YAML, not compose");
        }
        assert_eq!(classify("compose.json"), Some(SourceKind::Json));
        assert_eq!(classify("compose.toml"), None);
    }

    #[test]
    fn workflow_formats_by_path() {
        assert_eq!(classify("sm/ship.asl.json"), Some(SourceKind::Asl));
        assert_eq!(classify("sm/ship.asl.yaml"), Some(SourceKind::Asl));
        assert_eq!(classify(".github/workflows/ci.yml"), Some(SourceKind::GithubActions));
        assert_eq!(classify("svc/.github/workflows/ci.yaml"), Some(SourceKind::GithubActions));
        assert_eq!(classify("docs/github/workflows/ci.yaml"), Some(SourceKind::Yaml));
        assert_eq!(classify("p/loan.bpmn"), Some(SourceKind::Bpmn));
        assert_eq!(classify("template.yaml"), Some(SourceKind::Yaml));
        assert_eq!(classify("package.json"), Some(SourceKind::Json));
    }

    #[test]
    fn rust_and_cargo() {
        assert_eq!(classify("src/lib.rs"), Some(SourceKind::Rust));
        assert_eq!(classify("svc/Cargo.toml"), Some(SourceKind::CargoManifest));
        assert_eq!(classify("Cargo.lock"), None);
    }

    #[test]
    fn runbooks_by_suffix_or_folder() {
        assert!(is_runbook("erp/push.runbook.md", "docs/runbooks"));
        assert!(is_runbook("docs/runbooks/erp/push.md", "docs/runbooks/"));
        assert!(!is_runbook("docs/runbooks-old/push.md", "docs/runbooks"));
        assert!(!is_runbook("README.md", "docs/runbooks"));
        assert_eq!(classify("opsbook.lock"), None, "the lock is not a source");
    }
}
