//! Workflow durations: the longest path through a workflow's steps and its worst case.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::{Deserialize, Serialize};

use crate::analyze::Analysis;
use crate::model::{EdgeKind, Graph, NodeKind};

/// How long one workflow can take when every step takes its worst case.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkflowSummary {
    /// Step ids of the longest path along `next` edges, from a start step, in order.
    pub critical_path: Vec<String>,
    /// The sum of the worst cases along the critical path (a step that contains branches
    /// counts its longest branch); `None` when a step on it has no bound.
    pub worst_case_ms: Option<u64>,
    /// What the known steps of the critical path add up to, bounded or not.
    pub known_ms: u64,
    /// Steps on the critical path whose duration has no bound: a task with no timeout and
    /// no retry limit. Each one makes the workflow's worst case unbounded.
    pub unbounded: Vec<String>,
    /// The workflow's own deadline (`deadline` attribute), when it has one.
    pub deadline_ms: Option<u64>,
}

/// Summarises every workflow node that contains steps, and says what each of their steps costs.
pub fn summarise(
    graph: &Graph,
    analysis: &Analysis,
) -> (BTreeMap<String, WorkflowSummary>, BTreeMap<String, Option<u64>>) {
    let mut memo = Memo::default();
    for (idx, node) in graph.nodes() {
        if node.kind == NodeKind::Workflow {
            let mut visiting = BTreeSet::new();
            summary(graph, analysis, idx, &mut memo, &mut visiting);
        }
    }
    let id = |i: NodeIndex| graph.graph[i].id.clone();
    let workflows = memo.workflows.into_iter().filter_map(|(i, s)| s.map(|s| (id(i), s))).collect();
    let steps = memo.steps.into_iter().map(|(i, c)| (id(i), c)).collect();
    (workflows, steps)
}

#[derive(Default)]
struct Memo {
    workflows: BTreeMap<NodeIndex, Option<WorkflowSummary>>,
    steps: BTreeMap<NodeIndex, Option<u64>>,
}

fn summary(
    graph: &Graph,
    analysis: &Analysis,
    wf: NodeIndex,
    memo: &mut Memo,
    visiting: &mut BTreeSet<NodeIndex>,
) -> Option<WorkflowSummary> {
    if let Some(done) = memo.workflows.get(&wf) {
        return done.clone();
    }
    // A workflow that (through its branches) contains itself is counted once.
    if !visiting.insert(wf) {
        return None;
    }
    let g = &graph.graph;
    let steps: BTreeSet<NodeIndex> = g
        .edges(wf)
        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.target()].kind == NodeKind::Step)
        .map(|e| e.target())
        .collect();
    let result = if steps.is_empty() {
        None
    } else {
        let mut cost = BTreeMap::new();
        for &s in &steps {
            let c = step_cost(graph, analysis, s, memo, visiting);
            memo.steps.insert(s, c);
            cost.insert(s, c);
        }
        Some(longest_path(graph, wf, &steps, &cost))
    };
    let result = result.map(|mut s| {
        s.deadline_ms = g[wf].attrs.deadline.as_ref().and_then(|d| d.value.known());
        s
    });
    visiting.remove(&wf);
    memo.workflows.insert(wf, result.clone());
    result
}

/// A step's worst case: the longest of its retry policies' worst cases (ASL gives each error
/// its own retrier, and any of them may be the one that runs), else its timeout, else its
/// fixed duration, plus the longest of the workflows (branches, iterations) it contains. A
/// task with none of these has no bound (`None`); a step that only routes costs nothing.
fn step_cost(
    graph: &Graph,
    analysis: &Analysis,
    step: NodeIndex,
    memo: &mut Memo,
    visiting: &mut BTreeSet<NodeIndex>,
) -> Option<u64> {
    let g = &graph.graph;
    let node = &g[step];
    // A retried task whose attempts no timeout bounds has no bound, whatever its delays.
    let bounded = |p: &crate::analyze::RetryPolicy| {
        p.worst_case_ms.filter(|_| p.attempt_timeout_ms.is_some() || node.attrs.activity.is_none())
    };
    let own = if let Some(policies) = analysis.all_retries.get(&node.id) {
        policies.iter().map(bounded).try_fold(0u64, |longest, w| w.map(|w| longest.max(w)))
    } else if let Some(&t) = analysis.timeout_ms.get(&node.id) {
        Some(t)
    } else if let Some(d) = &node.attrs.duration_ms {
        d.value.known()
    } else if node.attrs.activity.is_some() {
        None
    } else {
        Some(0)
    };
    let children: Vec<NodeIndex> = g
        .edges(step)
        .filter(|e| e.weight().kind == EdgeKind::Contains && g[e.target()].kind == NodeKind::Workflow)
        .map(|e| e.target())
        .collect();
    let mut inner = Some(0u64);
    for child in children {
        let s = summary(graph, analysis, child, memo, visiting);
        inner = match (inner, s.and_then(|s| s.worst_case_ms)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
    }
    Some(own?.saturating_add(inner?))
}

/// The heaviest path along `next` edges among `steps`, starting where the workflow points
/// (`workflow --next--> step`) or, failing that, at steps nothing inside leads to. Loops
/// (an ASL Choice that goes back) are walked once.
fn longest_path(
    graph: &Graph,
    wf: NodeIndex,
    steps: &BTreeSet<NodeIndex>,
    cost: &BTreeMap<NodeIndex, Option<u64>>,
) -> WorkflowSummary {
    let g = &graph.graph;
    let next = |n: NodeIndex| -> Vec<NodeIndex> {
        let mut v: Vec<NodeIndex> = g
            .edges(n)
            .filter(|e| e.weight().kind == EdgeKind::Next && steps.contains(&e.target()))
            .map(|e| e.target())
            .collect();
        v.sort_by(|a, b| g[*a].id.cmp(&g[*b].id));
        v.dedup();
        v
    };
    let mut starts = next(wf);
    if starts.is_empty() {
        starts = steps
            .iter()
            .copied()
            .filter(|&s| {
                !g.edges_directed(s, Direction::Incoming)
                    .any(|e| e.weight().kind == EdgeKind::Next && steps.contains(&e.source()))
            })
            .collect();
    }
    if starts.is_empty() {
        starts = steps.iter().copied().take(1).collect();
    }
    // Weight of a step for ordering paths: an unbounded step weighs more than any bound.
    let weight = |s: NodeIndex| cost[&s].unwrap_or(u64::MAX / 4);
    let mut best: BTreeMap<NodeIndex, Best> = BTreeMap::new();
    for &s in &starts {
        let mut on_path = BTreeSet::new();
        heaviest(s, &next, &weight, &mut on_path, &mut best);
    }
    let path = starts
        .iter()
        .filter_map(|&s| best.get(&s).map(|b| (s, *b)))
        .max_by(|(_, a), (_, b)| a.weight.cmp(&b.weight).then_with(|| b.len.cmp(&a.len)))
        .map(|(s, _)| path(s, &best))
        .unwrap_or_default();
    let mut summary = WorkflowSummary::default();
    let mut total = Some(0u64);
    for &s in &path {
        summary.critical_path.push(g[s].id.clone());
        match cost[&s] {
            Some(c) => {
                summary.known_ms = summary.known_ms.saturating_add(c);
                total = total.map(|t| t.saturating_add(c));
            }
            None => {
                summary.unbounded.push(g[s].id.clone());
                total = None;
            }
        }
    }
    summary.worst_case_ms = total;
    summary
}

/// The heaviest path found from a step: its weight, its length and the step after it.
#[derive(Clone, Copy)]
struct Best {
    weight: u64,
    len: usize,
    next: Option<NodeIndex>,
}

/// Depth-first heaviest path from `start`, skipping steps already on the current path, with
/// each step's result kept once it is known. The walk keeps its own stack (a state machine
/// may chain tens of thousands of states, far deeper than the thread's stack) and stores,
/// per step, only the step after it on its heaviest path; `path` follows those links.
fn heaviest(
    start: NodeIndex,
    next: &dyn Fn(NodeIndex) -> Vec<NodeIndex>,
    weight: &dyn Fn(NodeIndex) -> u64,
    on_path: &mut BTreeSet<NodeIndex>,
    best: &mut BTreeMap<NodeIndex, Best>,
) {
    if best.contains_key(&start) {
        return;
    }
    // One frame per step on the current path: its successors, the next one to try, and
    // the heaviest tail so far.
    struct Frame {
        node: NodeIndex,
        succ: Vec<NodeIndex>,
        at: usize,
        tail: Best,
    }
    let empty = Best { weight: 0, len: 0, next: None };
    on_path.insert(start);
    let mut stack = vec![Frame { node: start, succ: next(start), at: 0, tail: empty }];
    while let Some(frame) = stack.last_mut() {
        if let Some(&m) = frame.succ.get(frame.at) {
            frame.at += 1;
            if on_path.contains(&m) {
                continue;
            }
            if let Some(&b) = best.get(&m) {
                offer(&mut frame.tail, m, b);
                continue;
            }
            on_path.insert(m);
            stack.push(Frame { node: m, succ: next(m), at: 0, tail: empty });
            continue;
        }
        let done = stack.pop().expect("the frame just read");
        on_path.remove(&done.node);
        let result = Best {
            weight: weight(done.node).saturating_add(done.tail.weight),
            len: done.tail.len + 1,
            next: done.tail.next,
        };
        best.insert(done.node, result);
        if let Some(parent) = stack.last_mut() {
            offer(&mut parent.tail, done.node, result);
        }
    }
}

/// Keeps the path through `m` as the tail when it is heavier, or as heavy and longer.
fn offer(tail: &mut Best, m: NodeIndex, b: Best) {
    if b.weight > tail.weight || (b.weight == tail.weight && b.len > tail.len) {
        *tail = Best { weight: b.weight, len: b.len, next: Some(m) };
    }
}

/// The steps of the heaviest path from `start`, following each step's link to the next.
fn path(start: NodeIndex, best: &BTreeMap<NodeIndex, Best>) -> Vec<NodeIndex> {
    let mut out = Vec::new();
    let mut at = Some(start);
    while let Some(n) = at {
        out.push(n);
        at = best.get(&n).and_then(|b| b.next);
        if out.len() > best.len() {
            break; // links never loop; this only guards the walk
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::analyze::analyze;
    use crate::config::Config;
    use crate::extract::*;
    use crate::model::{self, EdgeKind, NodeKind};
    use crate::source::{Located, Source};

    fn at(line: u32) -> Source {
        Source::new("machine.asl.json", line, 5)
    }

    fn state(name: &str, scope: &str, line: u32, timeout_ms: Option<u64>, task: bool) -> NodeFact {
        let mut n = NodeFact::scoped(NodeKind::Step, name, scope, at(line));
        if task {
            n.attrs.activity = Some(Located::new("lambda invoke".into(), at(line)));
        }
        if let Some(ms) = timeout_ms {
            n.attrs.timeouts.push(TimeoutFact {
                source: at(line + 1),
                origin: Origin::Code,
                library: "asl TimeoutSeconds".into(),
                text: String::new(),
                ms: Value::Known(ms),
            });
        }
        n
    }

    fn edge(kind: EdgeKind, from: NodeRef, to: NodeRef, line: u32) -> EdgeFact {
        EdgeFact { from, to, kind, source: at(line), resolve: Resolve::Required, detail: None }
    }

    #[test]
    fn a_chain_of_ten_thousand_states_is_walked_without_recursing() {
        // A 1 MiB state machine holds about thirty thousand states in one chain. The walk
        // runs here on a 256 KiB stack, where one frame per state would overflow.
        let n = 10_000u32;
        let mut f = Facts::default();
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "long", at(1)));
        let st = |i: u32| NodeRef::scoped(NodeKind::Step, i.to_string(), "long");
        for i in 0..n {
            f.nodes.push(state(&i.to_string(), "long", i + 2, Some(10), true));
            f.edges.push(edge(EdgeKind::Contains, NodeRef::new(NodeKind::Workflow, "long"), st(i), i + 2));
            if i + 1 < n {
                f.edges.push(edge(EdgeKind::Next, st(i), st(i + 1), i + 2));
            }
        }
        f.edges.push(edge(EdgeKind::Next, NodeRef::new(NodeKind::Workflow, "long"), st(0), 1));
        let graph = model::build([&f]);
        let a = std::thread::scope(|s| {
            let worker = std::thread::Builder::new().stack_size(256 << 10);
            worker.spawn_scoped(s, || analyze(&graph, &[], &Config::default())).unwrap().join().unwrap()
        });
        let long = &a.workflows["workflow:long"];
        assert_eq!(long.worst_case_ms, Some(10 * u64::from(n)));
        assert_eq!(long.critical_path.len(), n as usize);
        assert_eq!(long.critical_path[0], "step:long-0");
    }

    /// ship: Validate (1 s) -> Fan out (two branches: 5 s and 2 s) -> Done; a loop back
    /// from Done to Validate is walked once.
    fn machine(fan_out_timeout: Option<u64>) -> Facts {
        let wf = |n: &str| NodeRef::new(NodeKind::Workflow, n);
        let st = |n: &str, s: &str| NodeRef::scoped(NodeKind::Step, n, s);
        let mut f = Facts::default();
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "ship", at(1)));
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "ship › Fan out › 1", at(20)));
        f.nodes.push(NodeFact::new(NodeKind::Workflow, "ship › Fan out › 2", at(30)));
        f.nodes.push(state("Validate", "ship", 3, Some(1_000), true));
        f.nodes.push(state("Fan out", "ship", 10, fan_out_timeout, false));
        f.nodes.push(state("Done", "ship", 40, None, false));
        f.nodes.push(state("Slow", "ship › Fan out › 1", 21, Some(5_000), true));
        f.nodes.push(state("Fast", "ship › Fan out › 2", 31, Some(2_000), true));
        for (w, s, sc, l) in [
            ("ship", "Validate", "ship", 3),
            ("ship", "Fan out", "ship", 10),
            ("ship", "Done", "ship", 40),
            ("ship › Fan out › 1", "Slow", "ship › Fan out › 1", 21),
            ("ship › Fan out › 2", "Fast", "ship › Fan out › 2", 31),
        ] {
            f.edges.push(edge(EdgeKind::Contains, wf(w), st(s, sc), l));
        }
        f.edges.push(edge(EdgeKind::Next, wf("ship"), st("Validate", "ship"), 2));
        f.edges.push(edge(EdgeKind::Next, st("Validate", "ship"), st("Fan out", "ship"), 4));
        f.edges.push(edge(EdgeKind::Next, st("Fan out", "ship"), st("Done", "ship"), 11));
        f.edges.push(edge(EdgeKind::Next, st("Done", "ship"), st("Validate", "ship"), 41));
        f.edges.push(edge(EdgeKind::Contains, st("Fan out", "ship"), wf("ship › Fan out › 1"), 20));
        f.edges.push(edge(EdgeKind::Contains, st("Fan out", "ship"), wf("ship › Fan out › 2"), 30));
        f
    }

    #[test]
    fn worst_case_follows_the_longest_branch_and_walks_loops_once() {
        let facts = machine(None);
        let graph = model::build([&facts]);
        let a = analyze(&graph, &[], &Config::default());
        let ship = &a.workflows["workflow:ship"];
        assert_eq!(ship.worst_case_ms, Some(1_000 + 5_000));
        assert_eq!(ship.critical_path, vec!["step:ship-validate", "step:ship-fan-out", "step:ship-done"]);
        assert!(ship.unbounded.is_empty());
    }

    #[test]
    fn a_task_without_a_bound_makes_the_workflow_unbounded() {
        let mut facts = machine(None);
        facts.nodes.iter_mut().find(|n| n.name == "Slow").unwrap().attrs.timeouts.clear();
        let graph = model::build([&facts]);
        let a = analyze(&graph, &[], &Config::default());
        let ship = &a.workflows["workflow:ship"];
        assert_eq!(ship.worst_case_ms, None);
        assert_eq!(ship.unbounded, vec!["step:ship-fan-out"]);
        assert_eq!(ship.known_ms, 1_000);
    }
}
