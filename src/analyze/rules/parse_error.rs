//! `parse-error`: a source that could not be read; the rest of the build goes on.

use crate::analyze::Finding;
use crate::diag::{Diagnostic, Severity};

pub fn check(diagnostics: &[Diagnostic]) -> Vec<Finding> {
    diagnostics
        .iter()
        .filter(|d| d.code == "parse-error")
        .map(|d| {
            Finding::new(
                "parse-error",
                Severity::Error,
                None,
                &d.source,
                format!("{}: {}; nothing in this file is in the book", d.source.file, d.message),
                d.help.clone().unwrap_or_else(|| "fix the syntax at this line; every other file was still read".into()),
            )
        })
        .collect()
}
