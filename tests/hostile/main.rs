//! Hostile and broken input, end to end: files that try to crash, exhaust, escape or inject
//! into the book. Each case asserts the diagnostic a user sees, that the good files beside
//! the bad one are still documented, and that nothing from a source runs in the book.

#[path = "../common/mod.rs"]
mod common;

mod book;
mod broken;
mod inject;
mod output;
mod payloads;
mod props;
mod regressions;
mod tree;
