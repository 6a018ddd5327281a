//! What every fuzz target checks: the extractor returns (no panic, no abort, no hang), it
//! reported no internal error, and the rest of the pipeline takes its facts.

#![allow(dead_code, reason = "each target uses a different subset")]

use opsbook::config::Config;
use opsbook::extract::Extracted;

/// Bytes as a file's text: the scanner hands extractors UTF-8 only.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// Fails the run on an internal error (a panic caught inside an extractor), then models and
/// analyses the facts, so panics further down the pipeline are found too. With
/// `OPSBOOK_FUZZ_RENDER=1` the book is rendered as well (ten times fewer runs a second).
pub fn check(x: Extracted) {
    for d in &x.diagnostics {
        assert!(!d.message.contains("internal error"), "{d:?}");
    }
    let config = Config::default();
    let graph = opsbook::model::build([&x.facts]);
    let analysis = opsbook::analyze::analyze(&graph, &x.diagnostics, &config);
    if std::env::var_os("OPSBOOK_FUZZ_RENDER").is_some() {
        let _ = opsbook::render::render(&graph, &analysis, &config, &Default::default());
    }
}
