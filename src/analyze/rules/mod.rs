//! Finding rules: one file per finding code.

use crate::analyze::{Analysis, Finding};
use crate::config::Config;
use crate::diag::Diagnostic;
use crate::model::Graph;

pub fn run(_graph: &Graph, _analysis: &Analysis, _diagnostics: &[Diagnostic], _config: &Config) -> Vec<Finding> {
    Vec::new()
}
