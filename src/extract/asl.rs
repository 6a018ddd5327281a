//! AWS Step Functions: ASL definitions (JSON or YAML) and state machines embedded in SAM and CloudFormation templates.

use crate::extract::Extracted;

pub fn extract(_path: &str, _text: &str) -> Extracted {
    Extracted::default()
}

/// Whether a YAML or JSON file of no telling name is this format, from its text alone.
pub fn claims(_text: &str) -> bool {
    false
}
