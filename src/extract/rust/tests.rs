//! End-to-end tests of the Rust extractor: inline fixtures and the shared corpus.
