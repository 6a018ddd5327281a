#![no_main]

//! The doc-comment grammar (`# Operations`, `# Failure modes`, `# Recovery` and every key's
//! value): each input line becomes a `///` line of a function under an `# Operations`
//! heading, so the input reaches the grammar rather than Rust's lexer.

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = common::text(data) {
        let mut file = String::from("/// Summary.\n///\n/// # Operations\n");
        for line in text.lines() {
            // A bare carriage return is not allowed in a doc comment: rustc's lexer rejects it.
            file.push_str("/// ");
            file.push_str(&line.replace('\r', " "));
            file.push('\n');
        }
        file.push_str("pub async fn step() {}\n");
        common::check(opsbook::extract::rust::extract("src/lib.rs", &file));
    }
});
