//! The model: one typed graph of every node and edge, names resolved, facts merged.

mod build;
mod cache;
mod fxhash;
mod merge;
mod owners;
mod slug;

pub use build::build;
pub use cache::Cache;
pub use slug::slugify;

use std::collections::BTreeMap;

use petgraph::graph::{DiGraph, NodeIndex};
use serde::{Deserialize, Serialize};

use crate::extract::NodeAttrs;
use crate::source::Source;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    System,
    Service,
    Workflow,
    Step,
    Resource,
    Api,
    Alert,
    Team,
    Runbook,
}

impl NodeKind {
    pub const ALL: [NodeKind; 9] = [
        NodeKind::System,
        NodeKind::Service,
        NodeKind::Workflow,
        NodeKind::Step,
        NodeKind::Resource,
        NodeKind::Api,
        NodeKind::Alert,
        NodeKind::Team,
        NodeKind::Runbook,
    ];

    /// The id prefix and `graph.json` kind: `step`, `service`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::System => "system",
            NodeKind::Service => "service",
            NodeKind::Workflow => "workflow",
            NodeKind::Step => "step",
            NodeKind::Resource => "resource",
            NodeKind::Api => "api",
            NodeKind::Alert => "alert",
            NodeKind::Team => "team",
            NodeKind::Runbook => "runbook",
        }
    }

    /// The folder of this kind's pages: `steps`, `services`, ...
    pub fn folder(self) -> &'static str {
        match self {
            NodeKind::System => "systems",
            NodeKind::Service => "services",
            NodeKind::Workflow => "workflows",
            NodeKind::Step => "steps",
            NodeKind::Resource => "resources",
            NodeKind::Api => "apis",
            NodeKind::Alert => "alerts",
            NodeKind::Team => "teams",
            NodeKind::Runbook => "runbooks",
        }
    }

    /// A heading for a list of nodes of this kind.
    pub fn plural_title(self) -> &'static str {
        match self {
            NodeKind::System => "Systems",
            NodeKind::Service => "Services",
            NodeKind::Workflow => "Workflows",
            NodeKind::Step => "Steps",
            NodeKind::Resource => "Resources",
            NodeKind::Api => "APIs",
            NodeKind::Alert => "Alerts",
            NodeKind::Team => "Teams",
            NodeKind::Runbook => "Runbooks",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    Contains,
    DependsOn,
    Calls,
    Next,
    OnError,
    Owns,
    Alerts,
    Documents,
    Triggers,
}

impl EdgeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Contains => "contains",
            EdgeKind::DependsOn => "depends_on",
            EdgeKind::Calls => "calls",
            EdgeKind::Next => "next",
            EdgeKind::OnError => "on_error",
            EdgeKind::Owns => "owns",
            EdgeKind::Alerts => "alerts",
            EdgeKind::Documents => "documents",
            EdgeKind::Triggers => "triggers",
        }
    }

    /// Whether `from` stops working when `to` is down: a caller when its callee fails,
    /// a service or workflow when a step it contains fails. `next`, `owns`, `alerts`,
    /// `documents` and `triggers` carry no such dependency.
    pub fn is_dependency(self) -> bool {
        matches!(self, EdgeKind::DependsOn | EdgeKind::Calls | EdgeKind::Contains)
    }
}

/// One node of the system, merged from every fact that names it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// `<kind>:<slug>`, stable across builds.
    pub id: String,
    pub kind: NodeKind,
    pub name: String,
    /// What makes the name unique, for a node whose name is unique only within it (a
    /// state of one state machine): see `extract::NodeFact::scope`.
    pub scope: Option<String>,
    pub slug: String,
    /// Page path relative to the book root: `<kind folder>/<slug>.html`.
    pub page: String,
    /// Every place that defines or describes this node, sorted.
    pub sources: Vec<Source>,
    pub attrs: NodeAttrs,
    /// Named in a reference but defined nowhere (an external dependency).
    pub external: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub kind: EdgeKind,
    pub sources: Vec<Source>,
    pub detail: Option<String>,
}

/// A reference that had to resolve and did not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dangling {
    pub from: String,
    pub name: String,
    pub kind: EdgeKind,
    pub source: Source,
}

/// The whole system. Node indices are stable for one build; ids are stable across builds.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub graph: DiGraph<Node, Edge>,
    pub by_id: BTreeMap<String, NodeIndex>,
    pub dangling: Vec<Dangling>,
}

impl Graph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.by_id.get(id).map(|&i| &self.graph[i])
    }

    /// Nodes in id order, which is the order of every listing.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.by_id.values().map(|&i| (i, &self.graph[i]))
    }
}

#[cfg(test)]
mod tests;
