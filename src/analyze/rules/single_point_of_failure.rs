//! `single-point-of-failure`: a node that more than half of the workflows reach: when it is down, they all stop.

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::analyze::{Analysis, Finding};
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

/// How many workflows a message names before it says "and N more".
const NAMED: usize = 3;

pub fn check(graph: &Graph, analysis: &Analysis) -> Vec<Finding> {
    let g = &graph.graph;
    // Top-level workflows only: a workflow a step contains is a branch of another.
    let workflows: Vec<&str> = graph
        .nodes()
        .filter(|(idx, n)| {
            n.kind == NodeKind::Workflow
                && !g
                    .edges_directed(*idx, Direction::Incoming)
                    .any(|e| e.weight().kind == EdgeKind::Contains && g[e.source()].kind == NodeKind::Step)
        })
        .map(|(_, n)| n.id.as_str())
        .collect();
    if workflows.len() < 2 {
        return Vec::new();
    }
    // Sorted by id like each radius, so a radius's workflows are matched in one walk.
    let mut top: Vec<&str> = workflows.clone();
    top.sort_unstable();
    let mut out = Vec::new();
    for (_, node) in graph.nodes() {
        if matches!(node.kind, NodeKind::Workflow | NodeKind::Team | NodeKind::Alert) {
            continue;
        }
        let Some(radius) = analysis.blast_radius.get(&node.id) else { continue };
        // The radius is sorted by id, so its workflows are one run of it (`workflow:` ids),
        // already in the order of `workflows`: only that run is looked at.
        let from = radius.partition_point(|id| id.as_str() < "workflow:");
        let to = radius.partition_point(|id| id.as_str() < "workflow;");
        if (to - from) * 2 <= workflows.len() {
            continue;
        }
        let mut j = 0;
        let reached: Vec<&str> = radius[from..to]
            .iter()
            .map(String::as_str)
            .filter(|w| {
                while top.get(j).is_some_and(|t| t < w) {
                    j += 1;
                }
                top.get(j) == Some(w)
            })
            .collect();
        if reached.len() * 2 <= workflows.len() {
            continue;
        }
        let mut names: Vec<String> = reached
            .iter()
            .take(NAMED)
            .map(|id| graph.node(id).map_or_else(|| id.to_string(), |w| format!("`{}`", w.name)))
            .collect();
        if reached.len() > NAMED {
            names.push(format!("{} more", reached.len() - NAMED));
        }
        out.push(Finding::new(
            "single-point-of-failure",
            Severity::Warning,
            Some(&node.id),
            &super::at(node),
            format!(
                "{} is reached by {} of {} workflows ({}): when it is down, they all stop",
                super::named(node),
                reached.len(),
                workflows.len(),
                names.join(", ")
            ),
            "give it redundancy (a replica or failover), a fallback the workflows can use while it is down, \
             or isolate the workflows that do not need it",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analyze::analyze;
    use crate::config::Config;
    use crate::extract::*;
    use crate::model::{self, EdgeKind, NodeKind};
    use crate::source::Source;

    fn edge(from: NodeRef, to: NodeRef, kind: EdgeKind, line: u32) -> EdgeFact {
        EdgeFact {
            from,
            to,
            kind,
            source: Source::new("flows.yaml", line, 1),
            resolve: Resolve::Required,
            detail: None,
        }
    }

    /// Three workflows of one step each; the steps of the first `shared` of them depend
    /// on `db`, every step depends on its own cache.
    fn facts(shared: usize) -> Facts {
        let mut f = Facts::default();
        f.nodes.push(NodeFact::new(NodeKind::Resource, "db", Source::new("compose.yaml", 4, 3)));
        for (i, w) in ["checkout", "refund", "ship"].iter().enumerate() {
            let step = format!("{w}-step");
            let cache = format!("{w}-cache");
            let line = i as u32 * 10 + 1;
            f.nodes.push(NodeFact::new(NodeKind::Workflow, *w, Source::new("flows.yaml", line, 1)));
            f.nodes.push(NodeFact::new(NodeKind::Step, step.as_str(), Source::new("flows.yaml", line + 1, 1)));
            f.nodes.push(NodeFact::new(NodeKind::Resource, cache.as_str(), Source::new("compose.yaml", 20 + line, 3)));
            f.edges.push(edge(
                NodeRef::new(NodeKind::Workflow, *w),
                NodeRef::new(NodeKind::Step, step.as_str()),
                EdgeKind::Contains,
                line,
            ));
            f.edges.push(edge(
                NodeRef::new(NodeKind::Step, step.as_str()),
                NodeRef::new(NodeKind::Resource, cache.as_str()),
                EdgeKind::DependsOn,
                line + 2,
            ));
            if i < shared {
                f.edges.push(edge(
                    NodeRef::new(NodeKind::Step, step.as_str()),
                    NodeRef::new(NodeKind::Resource, "db"),
                    EdgeKind::DependsOn,
                    line + 3,
                ));
            }
        }
        f
    }

    fn spof(shared: usize) -> Vec<crate::analyze::Finding> {
        let graph = model::build([&facts(shared)]);
        let a = analyze(&graph, &[], &Config::default());
        a.findings.into_iter().filter(|f| f.code == "single-point-of-failure").collect()
    }

    #[test]
    fn a_database_every_workflow_reaches_is_a_single_point_of_failure() {
        let found = spof(3);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = &found[0];
        assert_eq!(f.node.as_deref(), Some("resource:db"));
        assert_eq!((f.file.as_str(), f.line), ("compose.yaml", 4));
        assert!(f.message.contains("reached by 3 of 3 workflows"), "{}", f.message);
        assert!(f.message.contains("`checkout`") && f.message.contains("`ship`"), "{}", f.message);
    }

    #[test]
    fn a_resource_one_workflow_reaches_is_not() {
        assert!(spof(1).is_empty(), "{:?}", spof(1));
        // Two of three is more than half.
        assert_eq!(spof(2).len(), 1);
    }

    #[test]
    fn a_branch_a_step_contains_is_not_counted_as_a_workflow() {
        // One top-level workflow whose step holds a branch: both reach `db`, but there is
        // only one workflow to stop.
        let mut f = Facts::default();
        let src = |line| Source::new("flows.yaml", line, 1);
        f.nodes.push(NodeFact::new(NodeKind::Resource, "db", src(1)));
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "checkout", src(2)));
        f.nodes.push(NodeFact::new(NodeKind::Step, "fan-out", src(3)));
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "branch", src(4)));
        f.nodes.push(NodeFact::new(NodeKind::Step, "save", src(5)));
        let (wf, step) = (|n| NodeRef::new(NodeKind::Workflow, n), |n| NodeRef::new(NodeKind::Step, n));
        f.edges.push(edge(wf("checkout"), step("fan-out"), EdgeKind::Contains, 6));
        f.edges.push(edge(step("fan-out"), wf("branch"), EdgeKind::Contains, 7));
        f.edges.push(edge(wf("branch"), step("save"), EdgeKind::Contains, 8));
        f.edges.push(edge(step("save"), NodeRef::new(NodeKind::Resource, "db"), EdgeKind::DependsOn, 9));
        let graph = model::build([&f]);
        let a = analyze(&graph, &[], &Config::default());
        assert!(!a.findings.iter().any(|f| f.code == "single-point-of-failure"), "{:?}", a.findings);
    }
}
