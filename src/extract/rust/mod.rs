//! Rust sources (syn): `# Operations` doc sections, retry and timeout calls, HTTP verbs.

use crate::extract::Extracted;

pub fn extract(_path: &str, _text: &str) -> Extracted {
    Extracted::default()
}
