//! A literal test of a Rust file's text, run before it is parsed: a file that cannot hold
//! a step is not parsed at all.
//!
//! A function is a step only when its doc comment has an `# Operations` heading or its code
//! runs a retry of tokio-retry, backon, backoff or reqwest-retry. Headings are matched in
//! any ASCII case, and a library call counts only when its path resolves, through the
//! file's own `use` trees, `extern crate` items or a full path, to one of those crates, so
//! the crate's name is written in the file. A doc string can spell `Operations` with escapes
//! only in an explicit `#[doc = "..."]` attribute, so such a file is always read. Timeouts,
//! HTTP calls and calls between functions are facts only of steps. A file with none of
//! these words therefore gives no facts and no diagnostics but a syntax error, which is
//! not reported for it.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// The words that may make a step: the heading (any case), then the retry crates (as
/// written in paths: exact case).
const WORDS: [&str; 6] = ["operations", "tokio_retry", "backoff", "backon", "reqwest_retry", "retry_policies"];

static FINDER: LazyLock<AhoCorasick> =
    LazyLock::new(|| AhoCorasick::builder().ascii_case_insensitive(true).build(WORDS).expect("fixed patterns build"));

/// Whether `text` may hold a step; `false` only when parsing it would give no facts.
pub fn may_hold_facts(text: &str) -> bool {
    let bytes = text.as_bytes();
    let word = FINDER.find_overlapping_iter(text).any(|m| {
        let pattern = m.pattern().as_usize();
        pattern == 0 || &bytes[m.range()] == WORDS[pattern].as_bytes()
    });
    word || escaped_doc_attribute(text)
}

/// `doc = "..."` (as in `#[doc = "..."]`) in a file that has a backslash somewhere: the
/// string's value may differ from its text.
fn escaped_doc_attribute(text: &str) -> bool {
    text.contains('\\') && text.match_indices("doc").any(|(at, _)| text[at + 3..].trim_start().starts_with('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_code_is_not_a_candidate() {
        let src =
            "use std::collections::HashMap;\n/// Sums the totals.\npub fn total(x: &[u64]) -> u64 { x.iter().sum() }\n";
        assert!(!may_hold_facts(src));
        // A type name in another case is not a crate path.
        assert!(!may_hold_facts("struct Backoff; fn f() -> Backoff { Backoff }"));
    }

    #[test]
    fn every_word_that_can_make_a_step_makes_a_candidate() {
        for src in [
            "/// # OPERATIONS\nfn f() {}",
            "/// ## operations:\nfn f() {}",
            "use tokio_retry2::Retry;",
            "extern crate backoff as bo;",
            "use backon::Retryable as _;",
            "use reqwest_retry::RetryTransientMiddleware;",
            "let p = retry_policies::ExponentialBackoff::builder();",
            "#[doc = \"# Op\\x65rations\"] fn f() {}",
        ] {
            assert!(may_hold_facts(src), "{src}");
        }
    }
}
