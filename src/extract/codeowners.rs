//! CODEOWNERS files: ownership rules that give every node the owner of its source file.

use crate::extract::Extracted;

pub fn extract(_path: &str, _text: &str) -> Extracted {
    Extracted::default()
}
