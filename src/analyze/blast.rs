//! Blast radius: every node that stops working when a node is down.

use std::collections::BTreeMap;

use crate::model::Graph;

pub fn blast_radius(_graph: &Graph) -> BTreeMap<String, Vec<String>> {
    BTreeMap::new()
}
