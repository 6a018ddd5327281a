//! `parse-error`: a source that could not be read, or a definition read only in part; the rest
//! of the build goes on.

use crate::analyze::Finding;
use crate::diag::{Diagnostic, Severity};

/// A file that does not parse is an error: nothing in it is in the book. A definition that
/// parses but breaks its format's rules (`invalid-value`: a missing `StartAt`, a word where a
/// number belongs) is a warning: the book shows what could be read, without that part.
pub fn check(diagnostics: &[Diagnostic]) -> Vec<Finding> {
    diagnostics
        .iter()
        .filter_map(|d| {
            let (severity, consequence, help) = match d.code.as_str() {
                "parse-error" => (
                    Severity::Error,
                    "nothing in this file is in the book",
                    "fix the syntax at this line; every other file was still read",
                ),
                "invalid-value" => (
                    Severity::Warning,
                    "this part of the definition is missing from the book",
                    "correct the value at this line to what the format expects",
                ),
                _ => return None,
            };
            Some(Finding::new(
                "parse-error",
                severity,
                None,
                &d.source,
                format!("{}: {}; {consequence}", d.source.file, d.message),
                d.help.clone().unwrap_or_else(|| help.to_string()),
            ))
        })
        .collect()
}
