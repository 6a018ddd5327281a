//! First pass: every process and sub-process with its flow nodes, each named uniquely in its scope.

use std::collections::{HashMap, HashSet};

use roxmltree::{Document, Node};

use crate::diag::Diagnostic;

use super::{Cx, MAX_DEPTH, children, clean, is};

/// Elements that are steps of their scope.
const FLOW_NODES: [&str; 21] = [
    "task",
    "serviceTask",
    "userTask",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "businessRuleTask",
    "manualTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
];

/// Flow nodes whose content is a scope of its own.
pub const SUB_PROCESSES: [&str; 3] = ["subProcess", "transaction", "adHocSubProcess"];

/// A process or sub-process: one workflow.
pub struct Scope<'a, 'i> {
    pub workflow: String,
    pub el: Node<'a, 'i>,
    /// For a sub-process: its step's name and the workflow that step belongs to.
    pub parent: Option<(String, String)>,
    pub steps: Vec<Step<'a, 'i>>,
    pub boundaries: Vec<Node<'a, 'i>>,
    pub flows: Vec<Node<'a, 'i>>,
    pub associations: Vec<Node<'a, 'i>>,
}

/// A flow node and the name it is known by in its scope.
pub struct Step<'a, 'i> {
    pub name: String,
    pub el: Node<'a, 'i>,
}

impl Step<'_, '_> {
    pub fn kind(&self) -> &str {
        self.el.tag_name().name()
    }
}

/// What an id names.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    /// `(scope index, step index)`
    Step(usize, usize),
    /// A boundary event: read with the task it is attached to, never a step.
    Boundary,
}

/// Every scope of the file and an index of its ids.
pub struct Scopes<'a, 'i> {
    pub list: Vec<Scope<'a, 'i>>,
    pub ids: HashMap<&'a str, Target>,
    /// Process id -> workflow name, so a call activity to a process of the same file
    /// names that workflow as it is known.
    pub processes: HashMap<&'a str, String>,
}

impl Scopes<'_, '_> {
    pub fn step(&self, (s, i): (usize, usize)) -> &Step<'_, '_> {
        &self.list[s].steps[i]
    }
}

pub fn collect<'a, 'i>(cx: &Cx, doc: &'a Document<'i>, diags: &mut Vec<Diagnostic>) -> Scopes<'a, 'i> {
    let mut scopes = Scopes { list: Vec::new(), ids: HashMap::new(), processes: HashMap::new() };
    let processes: Vec<Node<'a, 'i>> = doc.root_element().descendants().filter(|n| is(*n, "process")).collect();
    // In a collaboration diagram the name is often on the pool (`participant`), not on
    // the process: a process without a name takes its pool's.
    let pools: HashMap<&str, String> = doc
        .root_element()
        .descendants()
        .filter(|n| is(*n, "participant"))
        .filter_map(|p| Some((p.attribute("processRef")?, clean(p.attribute("name")?))))
        .filter(|(_, name)| !name.is_empty())
        .collect();
    let names = unique_names(&processes, |p| p.attribute("id").and_then(|id| pools.get(id).cloned()));
    for (el, name) in processes.iter().zip(&names) {
        if let Some(id) = el.attribute("id") {
            scopes.processes.insert(id, name.clone());
        }
    }
    for (el, name) in processes.into_iter().zip(names) {
        walk(cx, &mut scopes, el, name, None, 0, diags);
    }
    scopes
}

fn walk<'a, 'i>(
    cx: &Cx,
    scopes: &mut Scopes<'a, 'i>,
    el: Node<'a, 'i>,
    workflow: String,
    parent: Option<(String, String)>,
    depth: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let mut scope = Scope {
        workflow,
        el,
        parent,
        steps: Vec::new(),
        boundaries: Vec::new(),
        flows: Vec::new(),
        associations: Vec::new(),
    };
    let mut nodes = Vec::new();
    for c in children(el) {
        match c.tag_name().name() {
            k if FLOW_NODES.contains(&k) => nodes.push(c),
            "boundaryEvent" => scope.boundaries.push(c),
            "sequenceFlow" => scope.flows.push(c),
            "association" => scope.associations.push(c),
            _ => {}
        }
    }
    let idx = scopes.list.len();
    for (i, (node, name)) in nodes.iter().zip(unique_names(&nodes, |_| None)).enumerate() {
        register(cx, scopes, node, Target::Step(idx, i), diags);
        scope.steps.push(Step { name, el: *node });
    }
    for b in &scope.boundaries {
        register(cx, scopes, b, Target::Boundary, diags);
    }
    let subs: Vec<(String, Node)> =
        scope.steps.iter().filter(|s| SUB_PROCESSES.contains(&s.kind())).map(|s| (s.name.clone(), s.el)).collect();
    let parent_name = scope.workflow.clone();
    scopes.list.push(scope);
    for (step, sub) in subs {
        if depth + 1 >= MAX_DEPTH {
            diags.push(Diagnostic::warning(
                "invalid-value",
                cx.of(sub),
                format!("sub-processes are nested more than {MAX_DEPTH} deep; the content of this one is not read"),
            ));
            continue;
        }
        let name = format!("{parent_name} › {step}");
        walk(cx, scopes, sub, name, Some((step, parent_name.clone())), depth + 1, diags);
    }
}

fn register<'a>(
    cx: &Cx,
    scopes: &mut Scopes<'a, '_>,
    node: &Node<'a, '_>,
    target: Target,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(id) = node.attribute("id") else { return };
    if scopes.ids.insert(id, target).is_some() {
        diags.push(Diagnostic::warning(
            "invalid-value",
            cx.attr_at(*node, "id"),
            format!("id `{id}` is used by more than one element; references to it go to the last one"),
        ));
    }
}

/// `name` (whitespace collapsed), else `alt`, else the id; a name met again is qualified
/// with its id (`Approve (Task_2)`) so that the name is unique within its scope.
fn unique_names(nodes: &[Node], alt: impl Fn(&Node) -> Option<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let id = n.attribute("id").map(clean).filter(|s| !s.is_empty());
            let base = n
                .attribute("name")
                .map(clean)
                .filter(|s| !s.is_empty())
                .or_else(|| alt(n))
                .or_else(|| id.clone())
                .unwrap_or_else(|| format!("{} {}", n.tag_name().name(), i + 1));
            let mut name = base.clone();
            if seen.contains(&name) {
                name = format!("{base} ({})", id.unwrap_or_else(|| (i + 1).to_string()));
            }
            let mut k = 2;
            while seen.contains(&name) {
                name = format!("{base} ({k})");
                k += 1;
            }
            seen.insert(name.clone());
            name
        })
        .collect()
}
