//! Which extractor claims a file, decided from its path alone.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Rust,
    Compose,
    CargoManifest,
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
    if is_compose(name) {
        return Some(SourceKind::Compose);
    }
    None
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
        for name in ["composer.yaml", "compose.json", "my-compose.yml", "config.yaml"] {
            assert_eq!(classify(name), None, "{name}");
        }
    }

    #[test]
    fn rust_and_cargo() {
        assert_eq!(classify("src/lib.rs"), Some(SourceKind::Rust));
        assert_eq!(classify("svc/Cargo.toml"), Some(SourceKind::CargoManifest));
        assert_eq!(classify("Cargo.lock"), None);
    }
}
