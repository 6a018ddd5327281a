//! opsbook: turns a repository into the book its on-call engineers read during an incident.
//!
//! The pipeline runs in one direction:
//! [`scan`] -> [`extract`] -> [`model`] -> [`analyze`] -> [`render`] -> [`write`].

pub mod analyze;
pub mod config;
pub mod diag;
pub mod extract;
pub mod model;
pub mod render;
pub mod scan;
pub mod source;
pub mod write;
