//! Diagnostics: problems in the user's repository, collected as values and printed like rustc.

use serde::{Deserialize, Serialize};

use crate::source::Source;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem found while reading a source. Extractors return these beside their facts;
/// they never abort a build. `code` is a stable kebab-case name (`parse-error`,
/// `unknown-key`, `skipped-file`, ...). Diagnostics whose code is a finding code (for
/// example `parse-error`) also become findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: String,
    pub source: Source,
    /// Byte length of the span that starts at `source`, for the snippet underline.
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &str, source: Source, message: impl Into<String>) -> Self {
        Diagnostic { severity, code: code.to_string(), source, len: 0, message: message.into(), help: None }
    }

    pub fn error(code: &str, source: Source, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Error, code, source, message)
    }

    pub fn warning(code: &str, source: Source, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Warning, code, source, message)
    }

    pub fn info(code: &str, source: Source, message: impl Into<String>) -> Self {
        Diagnostic::new(Severity::Info, code, source, message)
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_len(mut self, len: usize) -> Self {
        self.len = len;
        self
    }
}
