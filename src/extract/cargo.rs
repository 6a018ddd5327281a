//! Cargo manifests: a package's name, so the Rust steps below its folder belong to a service.

use crate::diag::Diagnostic;
use crate::extract::{Extracted, PackageFact};
use crate::source::{Source, line_col};

/// Reads `[package] name`. Workspace roots without a package give no facts.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    match toml::from_str::<toml::Table>(text) {
        Ok(table) => {
            let name = table.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str());
            if let Some(name) = name {
                let line = text
                    .lines()
                    .position(|l| l.trim_start().starts_with("name") && l.contains(name))
                    .map_or(1, |i| i as u32 + 1);
                out.facts.packages.push(PackageFact {
                    name: name.to_string(),
                    dir,
                    source: Source::new(path, line, 1),
                });
            }
        }
        Err(e) => {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            let len = e.span().map_or(0, |s| s.len());
            out.diagnostics.push(
                Diagnostic::error(
                    "parse-error",
                    Source::new(path, line, column),
                    format!("invalid Cargo.toml: {}", e.message()),
                )
                .with_len(len),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_name_and_folder() {
        let x = extract("payments/Cargo.toml", "[package]\nname = \"payments-worker\"\n");
        assert_eq!(x.facts.packages[0].name, "payments-worker");
        assert_eq!(x.facts.packages[0].dir, "payments");
        assert_eq!(x.facts.packages[0].source.line, 2);
    }

    #[test]
    fn broken_manifest_is_a_parse_error_with_its_line() {
        let x = extract("Cargo.toml", "[package]\nname = \n");
        assert_eq!(x.diagnostics[0].code, "parse-error");
        assert_eq!(x.diagnostics[0].source.line, 2);
    }
}
