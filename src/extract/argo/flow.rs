//! Steps and their order: a `dag` template's tasks, a `steps` template's groups, and the
//! nested workflows of steps that run a `dag` or `steps` template themselves.

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

use super::value::{Params, invalid, raw};
use super::{Doc, depends, description, entry, template};

/// How deep nested `dag`/`steps` templates are read. Each template is read once, so this
/// bounds only chains of distinct templates; a template that runs itself is caught sooner.
const MAX_DEPTH: usize = 32;

/// Templates being read (the current chain) and templates already read.
struct Walk<'w> {
    /// The entrypoint template, whose steps are the workflow's own: a step that runs it
    /// again contains the workflow itself, not a nested copy.
    entry: Option<String>,
    stack: Vec<String>,
    expanded: &'w mut BTreeSet<String>,
}

/// The steps of a workflow whose entrypoint is `entry_name`.
pub fn entrypoint(cx: &Doc, wf: &str, entry_name: &str, expanded: &mut BTreeSet<String>, out: &mut Extracted) {
    let Some((key, tmpl)) = cx.template(entry_name) else { return };
    let mut walk = Walk { entry: Some(entry_name.to_string()), stack: vec![entry_name.to_string()], expanded };
    if template::is_flow(tmpl) {
        walk.expanded.insert(entry_name.to_string());
        expand(cx, wf, tmpl, &mut walk, out);
    } else {
        // A single-template workflow: its one template is its one step.
        let src = cx.src(key);
        contain(wf, entry_name, &src, out);
        start(wf, entry_name, &src, None, out);
        let mut step = NodeFact::scoped(NodeKind::Step, entry_name, wf, src);
        run(cx, &mut step, None, entry_name, tmpl, &mut walk, out);
        out.facts.nodes.push(step);
    }
}

/// A template library: every template is a step that others may call, in no order.
pub fn library(cx: &Doc, wf: &str, expanded: &mut BTreeSet<String>, out: &mut Extracted) {
    let mut walk = Walk { entry: None, stack: Vec::new(), expanded };
    for (name, key, tmpl) in &cx.templates {
        let src = cx.src(key);
        contain(wf, name, &src, out);
        let mut step = NodeFact::scoped(NodeKind::Step, *name, wf, src);
        run(cx, &mut step, None, name, tmpl, &mut walk, out);
        out.facts.nodes.push(step);
    }
}

/// The steps of a `dag` or `steps` template, as steps of `wf`.
fn expand(cx: &Doc, wf: &str, tmpl: &Node, walk: &mut Walk, out: &mut Extracted) {
    if let Some(dag) = tmpl.get("dag") {
        let tasks = dag.get("tasks").and_then(Node::as_seq).unwrap_or_default();
        for task in tasks {
            let Some(mut step) = step(cx, wf, task, &mut out.diagnostics) else { continue };
            contain(wf, &step.name, &step.source, out);
            let deps = dag_edges(cx, wf, task, &step, out);
            if !deps {
                start(wf, &step.name, &step.source, when(task), out);
            }
            call(cx, &mut step, task, walk, out);
            out.facts.nodes.push(step);
        }
    } else if let Some(groups) = tmpl.get("steps") {
        let mut previous: Vec<String> = Vec::new();
        for group in groups.as_seq().unwrap_or_default() {
            let Some(items) = group.as_seq() else {
                out.diagnostics.push(invalid(
                    cx,
                    group,
                    "each entry of `steps` must be a list of steps run in parallel".into(),
                ));
                continue;
            };
            let mut current = Vec::new();
            for item in items {
                let Some(mut step) = step(cx, wf, item, &mut out.diagnostics) else { continue };
                contain(wf, &step.name, &step.source, out);
                if previous.is_empty() {
                    start(wf, &step.name, &step.source, when(item), out);
                }
                for p in &previous {
                    out.facts.edges.push(EdgeFact {
                        from: NodeRef::scoped(NodeKind::Step, p, wf),
                        to: NodeRef::scoped(NodeKind::Step, &step.name, wf),
                        kind: EdgeKind::Next,
                        source: step.source.clone(),
                        resolve: Resolve::Required,
                        detail: when(item),
                    });
                }
                call(cx, &mut step, item, walk, out);
                current.push(step.name.clone());
                out.facts.nodes.push(step);
            }
            if !current.is_empty() {
                previous = current;
            }
        }
    }
}

/// A task or step entry as a step node, contained in `wf`, with its own error handling.
fn step(cx: &Doc, wf: &str, task: &Node, diags: &mut Vec<Diagnostic>) -> Option<NodeFact> {
    let Some((key, name)) = entry(task, "name").and_then(|(k, v)| v.as_str().map(|n| (k, n))) else {
        diags.push(invalid(cx, task, "a task needs a `name`; it is skipped".into()));
        return None;
    };
    let mut step = NodeFact::scoped(NodeKind::Step, name, wf, cx.src(key));
    if let Some((k, c)) = entry(task, "continueOn") {
        let on: Vec<&str> = ["failed", "error"].into_iter().filter(|f| c.get_str(f) == Some("true")).collect();
        if !on.is_empty() {
            step.attrs.error_handling.push(Located::new(format!("continueOn: {}", on.join(", ")), cx.src(k)));
        }
    }
    if let Some((k, t)) = entry(task, "onExit").and_then(|(k, v)| v.as_str().map(|t| (k, t))) {
        step.attrs.error_handling.push(Located::new(format!("onExit: {t}"), cx.src(k)));
    }
    for fan in ["withItems", "withParam", "withSequence"] {
        if let Some(v) = task.get(fan) {
            // A fan-out runs the template once per item, in parallel: its retries and side
            // effects multiply by the item count.
            step.attrs.description = Some(format!("Runs once per item of `{fan}: {}`, in parallel.", raw(cx, v)));
        }
    }
    if let Some((k, h)) = entry(task, "hooks")
        && let Some(t) = h.get("exit").and_then(|e| e.get_str("template"))
    {
        step.attrs.error_handling.push(Located::new(format!("onExit: {t}"), cx.src(k)));
    }
    Some(step)
}

/// `dependencies` and `depends` as edges into `step`; false when the task has neither (it
/// starts the DAG).
fn dag_edges(cx: &Doc, wf: &str, task: &Node, step: &NodeFact, out: &mut Extracted) -> bool {
    let mut any = false;
    let when = when(task);
    let mut edge = |dep: &str, kind: EdgeKind, source: Source, detail: Option<String>| {
        any = true;
        // A dependency on no task is kept (and required) so the model reports it at its line.
        out.facts.edges.push(EdgeFact {
            from: NodeRef::scoped(NodeKind::Step, dep, wf),
            to: NodeRef::scoped(NodeKind::Step, &step.name, wf),
            kind,
            source,
            resolve: Resolve::Required,
            detail,
        });
    };
    for dep in task.get("dependencies").and_then(Node::as_seq).unwrap_or_default() {
        if let Some(d) = dep.as_str() {
            edge(d, EdgeKind::Next, cx.src(dep), when.clone());
        }
    }
    if let Some(expr_node) = task.get("depends")
        && let Some(expr) = expr_node.as_str()
    {
        let detail = Some(match &when {
            Some(w) => format!("depends: {expr}; {w}"),
            None => format!("depends: {expr}"),
        });
        for d in depends::parse(expr) {
            let kind = if d.on_error { EdgeKind::OnError } else { EdgeKind::Next };
            edge(&d.task, kind, cx.src(expr_node), detail.clone());
        }
    }
    any
}

/// What the step runs: a template of this workflow, one of another WorkflowTemplate, or an
/// inline template.
fn call(cx: &Doc, step: &mut NodeFact, task: &Node, walk: &mut Walk, out: &mut Extracted) {
    if let Some((key, name)) = entry(task, "template").and_then(|(k, v)| v.as_str().map(|n| (k, n))) {
        match cx.template(name) {
            Some((_, tmpl)) => run(cx, step, Some(task), name, tmpl, walk, out),
            None => out.diagnostics.push(invalid(
                cx,
                key,
                format!("`template` must name one of the workflow's templates; there is no template `{name}`"),
            )),
        }
    } else if let Some((key, r)) = entry(task, "templateRef") {
        let (name, tmpl) = (r.get_str("name").unwrap_or_default(), r.get_str("template").unwrap_or_default());
        let what = format!("templateRef {name}/{tmpl}");
        step.attrs.activity = Some(Located::new(what.clone(), cx.src(key)));
        out.facts.edges.push(EdgeFact {
            from: NodeRef::scoped(NodeKind::Step, &step.name, step.scope.clone().unwrap_or_default()),
            to: NodeRef::new(NodeKind::Workflow, name),
            kind: EdgeKind::Calls,
            source: cx.src(key),
            resolve: Resolve::External,
            detail: Some(what),
        });
    } else if let Some(inline) = task.get("inline").filter(|i| i.as_map().is_some()) {
        // An inline template has no name to nest under: only its own work is read.
        template::apply(cx, inline, &Params::of(Some(task), inline), step, &mut out.diagnostics);
    } else {
        out.diagnostics.push(invalid(
            cx,
            task,
            format!("task `{}` needs `template`, `templateRef` or `inline` to say what it runs", step.name),
        ));
    }
}

/// Gives `step` the facts of the template `name` it runs; a `dag` or `steps` template
/// becomes a nested workflow the step contains.
fn run(
    cx: &Doc,
    step: &mut NodeFact,
    task: Option<&Node>,
    name: &str,
    tmpl: &Node,
    walk: &mut Walk,
    out: &mut Extracted,
) {
    template::apply(cx, tmpl, &Params::of(task, tmpl), step, &mut out.diagnostics);
    if !template::is_flow(tmpl) {
        return;
    }
    let shape = if tmpl.get("dag").is_some() { "dag" } else { "steps" };
    let at = entry(tmpl, shape).map_or_else(|| step.source.clone(), |(k, _)| cx.src(k));
    step.attrs.activity = Some(Located::new(format!("{shape} {name}"), at));
    let nested = if walk.entry.as_deref() == Some(name) { cx.root.clone() } else { format!("{} › {name}", cx.root) };
    out.facts.edges.push(EdgeFact {
        from: NodeRef::scoped(NodeKind::Step, &step.name, step.scope.clone().unwrap_or_default()),
        to: NodeRef::new(NodeKind::Workflow, &nested),
        kind: EdgeKind::Contains,
        source: task.and_then(|t| entry(t, "template")).map_or_else(|| step.source.clone(), |(k, _)| cx.src(k)),
        resolve: Resolve::Required,
        detail: None,
    });
    if walk.stack.iter().any(|s| s == name) {
        let note = format!(
            "Runs `{name}` again, a template it is itself part of: a recursion whose depth the definition does not bound."
        );
        step.attrs.description = Some(match step.attrs.description.take() {
            Some(d) => format!("{d}\n\n{note}"),
            None => note,
        });
        return;
    }
    if !walk.expanded.insert(name.to_string()) {
        return;
    }
    let key = cx.template(name).map(|(k, _)| k);
    let src = key.map_or_else(|| step.source.clone(), |k| cx.src(k));
    if walk.stack.len() >= MAX_DEPTH {
        out.diagnostics.push(Diagnostic::info(
            "nesting-too-deep",
            src,
            format!("templates nest more than {MAX_DEPTH} deep; `{name}` and what it runs are not read"),
        ));
        return;
    }
    let mut wf = NodeFact::new(NodeKind::Workflow, &nested, src);
    wf.attrs.description = description(tmpl.get("metadata"));
    out.facts.nodes.push(wf);
    walk.stack.push(name.to_string());
    expand(cx, &nested, tmpl, walk, out);
    walk.stack.pop();
}

fn contain(wf: &str, step: &str, src: &Source, out: &mut Extracted) {
    out.facts.edges.push(EdgeFact {
        from: NodeRef::new(NodeKind::Workflow, wf),
        to: NodeRef::scoped(NodeKind::Step, step, wf),
        kind: EdgeKind::Contains,
        source: src.clone(),
        resolve: Resolve::Required,
        detail: None,
    });
}

fn start(wf: &str, step: &str, src: &Source, detail: Option<String>, out: &mut Extracted) {
    out.facts.edges.push(EdgeFact {
        from: NodeRef::new(NodeKind::Workflow, wf),
        to: NodeRef::scoped(NodeKind::Step, step, wf),
        kind: EdgeKind::Next,
        source: src.clone(),
        resolve: Resolve::Required,
        detail,
    });
}

/// A step's `when` condition, for the edges that lead into it.
fn when(task: &Node) -> Option<String> {
    task.get_str("when").map(|w| format!("when: {w}"))
}
