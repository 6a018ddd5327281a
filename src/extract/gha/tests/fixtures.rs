//! Small inline workflows, one behaviour each.
use super::*;
