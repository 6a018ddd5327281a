//! Printing diagnostics and findings like rustc: a header, the location, a source snippet, help.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

use crate::analyze::Finding;
use crate::diag::{Diagnostic, Severity};
use crate::source::offset_of;

/// Source texts by path, for snippets.
pub type Texts<'a> = BTreeMap<&'a str, &'a str>;

/// One problem to print, whether a diagnostic or a finding.
#[derive(Clone, Copy)]
pub struct Problem<'a> {
    pub severity: Severity,
    pub code: &'a str,
    pub file: &'a str,
    pub line: u32,
    pub column: u32,
    /// Byte length of the underlined span.
    pub len: usize,
    pub message: &'a str,
    pub help: Option<&'a str>,
}

/// Renders one problem with a snippet of `text` when the file is known.
pub fn render(p: &Problem, text: Option<&str>) -> String {
    let Problem { severity, code, file, line, column, len, message, help } = *p;
    let mut d = MietteDiagnostic::new(message.to_string()).with_code(code.to_string()).with_severity(match severity {
        Severity::Info => miette::Severity::Advice,
        Severity::Warning => miette::Severity::Warning,
        Severity::Error => miette::Severity::Error,
    });
    if let Some(h) = help {
        d = d.with_help(h.to_string());
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    match text {
        Some(text) if line > 0 => {
            let start = offset_of(text, line, column);
            let end = (start + len.max(1)).min(text.len());
            let label = LabeledSpan::at(start..end.max(start), "here");
            d = d.with_labels(vec![label]);
            let report = Report::new(d).with_source_code(NamedSource::new(file, text.to_string()));
            let _ = handler.render_report(&mut out, report.as_ref());
        }
        _ => {
            let report = Report::new(d);
            let _ = handler.render_report(&mut out, report.as_ref());
            out.push_str(&format!("  --> {file}:{line}:{column}\n"));
        }
    }
    out
}

pub fn diagnostic(d: &Diagnostic, texts: &Texts) -> String {
    let p = Problem {
        severity: d.severity,
        code: &d.code,
        file: &d.source.file,
        line: d.source.line,
        column: d.source.column,
        len: d.len,
        message: &d.message,
        help: d.help.as_deref(),
    };
    render(&p, texts.get(d.source.file.as_str()).copied())
}

pub fn finding(f: &Finding, texts: &Texts) -> String {
    let p = Problem {
        severity: f.severity,
        code: &f.code,
        file: &f.file,
        line: f.line,
        column: f.column,
        len: 0,
        message: &f.message,
        help: Some(&f.help),
    };
    render(&p, texts.get(f.file.as_str()).copied())
}

/// Writes to stderr, ignoring a closed pipe: the reader went away, which is not an error.
pub fn eprint(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}
