//! Argo Workflows: Workflow, WorkflowTemplate, ClusterWorkflowTemplate and CronWorkflow.
//!
//! Each Argo document becomes a workflow node. The steps of a workflow are the tasks (or
//! `steps` entries) of its entrypoint template; a step whose template is itself a `dag` or
//! `steps` template contains a nested workflow named `<workflow> › <template>`, read once
//! per template however many steps run it. A step takes the operational attributes of the
//! template it runs (activity, timeouts, retry strategy), with `spec.templateDefaults`
//! filling what the template leaves out. Templated values (`{{inputs.parameters.x}}`) are
//! resolved only from literal arguments of the calling task; anything else stays an
//! unknown expression.

mod depends;
mod flow;
mod retry;
mod template;
mod value;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{EdgeFact, Extracted, NodeFact, NodeRef, Resolve, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::{Located, Source};

/// The kinds of document read; any other kind in the same file is skipped silently.
const KINDS: [&str; 4] = ["Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow"];

/// The annotation Argo's UI shows as a workflow's (or template's) description.
const DESCRIPTION: &str = "workflows.argoproj.io/description";

/// Reads every Argo document of a (possibly multi-document) YAML or JSON file.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    yaml::each_document(path, text, &mut out, |doc, out| document(path, text, doc, out));
    out
}

/// Whether a YAML or JSON file of no telling name is this format, from its text alone.
pub fn claims(text: &str) -> bool {
    text.contains("argoproj.io/")
        && KINDS.iter().any(|k| {
            // `kind: Workflow` is a prefix of `kind: WorkflowTemplate`, which is fine: both are ours.
            text.contains(&format!("kind: {k}")) || text.contains(&format!("\"kind\": \"{k}\""))
        })
}

/// What every part of the extractor needs to know about the document being read.
pub(crate) struct Doc<'a> {
    pub path: &'a str,
    pub text: &'a str,
    /// The document's workflow name: the scope of its steps and the prefix of nested workflows.
    pub root: String,
    pub templates: Vec<(&'a str, &'a Node, &'a Node)>,
    /// `spec.templateDefaults`: fields every template inherits unless it sets them itself.
    pub defaults: Option<&'a Node>,
    /// `spec.retryStrategy` with its key: the retry of every leaf step without its own.
    pub wf_retry: Option<(&'a Node, &'a Node)>,
}

impl<'a> Doc<'a> {
    /// The template named `name`, with its `name` key (where facts about it point).
    pub fn template(&self, name: &str) -> Option<(&'a Node, &'a Node)> {
        self.templates.iter().find(|(n, _, _)| *n == name).map(|(_, k, t)| (*k, *t))
    }

    pub fn src(&self, node: &Node) -> Source {
        node.source(self.path)
    }
}

/// One `---` document.
fn document(path: &str, text: &str, doc: &Node, out: &mut Extracted) {
    let is_argo = doc.get_str("apiVersion").is_some_and(|v| v.starts_with("argoproj.io/"));
    let Some(kind) = doc.get_str("kind").filter(|k| is_argo && KINDS.contains(k)) else {
        return;
    };
    let spec =
        if kind == "CronWorkflow" { doc.get("spec").and_then(|s| s.get("workflowSpec")) } else { doc.get("spec") };
    let (name, name_src) = workflow_name(path, doc);
    let mut wf = NodeFact::new(NodeKind::Workflow, name.clone(), name_src.clone());
    wf.attrs.description = description(doc.get("metadata"));
    if kind == "CronWorkflow" {
        cron_description(doc.get("spec"), &mut wf.attrs.description);
    }
    let Some(spec) = spec.filter(|s| s.as_map().is_some()) else {
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            name_src,
            format!(
                "`{kind}` `{name}` has no {}; it has no steps",
                if kind == "CronWorkflow" { "`spec.workflowSpec`" } else { "`spec`" }
            ),
        ));
        out.facts.nodes.push(wf);
        return;
    };
    let cx = Doc {
        path,
        text,
        root: name.clone(),
        templates: templates(path, spec, &mut out.diagnostics),
        defaults: spec.get("templateDefaults"),
        wf_retry: entry(spec, "retryStrategy"),
    };
    workflow_attrs(&cx, spec, &mut wf, &mut out.diagnostics);
    if let Some((key, r)) = entry(spec, "workflowTemplateRef") {
        let target = r.get_str("name").unwrap_or_default();
        out.facts.edges.push(EdgeFact {
            from: NodeRef::new(NodeKind::Workflow, &name),
            to: NodeRef::new(NodeKind::Workflow, target),
            kind: EdgeKind::Calls,
            source: cx.src(key),
            resolve: Resolve::External,
            detail: Some(format!("workflowTemplateRef {target}")),
        });
    }
    let entrypoint = entry(spec, "entrypoint").and_then(|(_, v)| v.as_str().map(|s| (s, v)));
    let mut expanded = BTreeSet::new();
    match entrypoint {
        Some((entry_name, value)) => match cx.template(entry_name) {
            Some((_, tmpl)) => {
                entrypoint_attrs(&cx, tmpl, &mut wf, &mut out.diagnostics);
                flow::entrypoint(&cx, &name, entry_name, &mut expanded, out);
            }
            None => {
                out.diagnostics.push(
                    Diagnostic::warning(
                        "invalid-value",
                        cx.src(value),
                        format!(
                            "`entrypoint` must name one of the workflow's templates; there is no template \
                             `{entry_name}`, so each template is read as a step"
                        ),
                    )
                    .with_len(entry_name.len()),
                );
                flow::library(&cx, &name, &mut expanded, out);
            }
        },
        // A template library (a WorkflowTemplate run only through `templateRef`): each of its
        // templates is a step others may call. A Workflow that names a template to run
        // elsewhere has nothing of its own.
        None if spec.get("workflowTemplateRef").is_none() => {
            if matches!(kind, "Workflow" | "CronWorkflow") && !cx.templates.is_empty() {
                out.diagnostics.push(Diagnostic::warning(
                    "invalid-value",
                    name_src,
                    format!("`{kind}` `{name}` needs `spec.entrypoint` naming the template to run; each template is read as a step"),
                ));
            }
            flow::library(&cx, &name, &mut expanded, out);
        }
        None => {}
    }
    out.facts.nodes.push(wf);
}

/// `metadata.name`, else `metadata.generateName` without its trailing dash, else the file's
/// name (with a warning: a workflow must be called something).
fn workflow_name(path: &str, doc: &Node) -> (String, Source) {
    let meta = doc.get("metadata");
    if let Some((key, v)) =
        meta.and_then(|m| entry(m, "name")).filter(|(_, v)| v.as_str().is_some_and(|s| !s.is_empty()))
    {
        return (v.as_str().unwrap_or_default().to_string(), key.source(path));
    }
    if let Some((key, v)) = meta.and_then(|m| entry(m, "generateName")).filter(|(_, v)| v.as_str().is_some()) {
        let base = v.as_str().unwrap_or_default();
        let trimmed = base.strip_suffix('-').unwrap_or(base);
        if !trimmed.is_empty() {
            return (trimmed.to_string(), key.source(path));
        }
    }
    let stem = path.rsplit('/').next().unwrap_or(path);
    let stem = stem.split('.').next().unwrap_or(stem);
    let at = doc.get("kind").map_or_else(|| Source::new(path, 1, 1), |k| k.source(path));
    (stem.to_string(), at)
}

/// The description annotation of a `metadata` block, trimmed.
fn description(meta: Option<&Node>) -> Option<String> {
    let text = meta?.get("annotations")?.get_str(DESCRIPTION)?.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// A CronWorkflow runs on a schedule: the page says when, and what happens when a run is
/// still going as the next one starts.
fn cron_description(spec: Option<&Node>, description: &mut Option<String>) {
    let Some(spec) = spec else { return };
    let mut schedules: Vec<String> = spec.get_str("schedule").map(str::to_string).into_iter().collect();
    if let Some(list) = spec.get("schedules").and_then(Node::as_seq) {
        schedules.extend(list.iter().filter_map(|s| s.as_str().map(str::to_string)));
    }
    if schedules.is_empty() {
        return;
    }
    let list = schedules.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
    let mut line = format!("Runs on the cron schedule {list}");
    if let Some(tz) = spec.get_str("timezone") {
        line.push_str(&format!(" ({tz})"));
    }
    line.push_str(&format!("; concurrency policy {}.", spec.get_str("concurrencyPolicy").unwrap_or("Allow")));
    *description = Some(match description.take() {
        Some(d) => format!("{d}\n\n{line}"),
        None => line,
    });
}

/// The templates of a spec by name, each with its `name` key.
fn templates<'a>(path: &str, spec: &'a Node, diags: &mut Vec<Diagnostic>) -> Vec<(&'a str, &'a Node, &'a Node)> {
    let mut found = Vec::new();
    for t in spec.get("templates").and_then(Node::as_seq).unwrap_or_default() {
        match entry(t, "name").and_then(|(k, v)| v.as_str().map(|n| (n, k))) {
            Some((name, key)) => found.push((name, key, t)),
            None => diags.push(Diagnostic::warning(
                "invalid-value",
                t.source(path),
                "a template needs a `name`; it is skipped",
            )),
        }
    }
    found
}

/// Workflow-wide facts: the deadline, the exit handler.
fn workflow_attrs(cx: &Doc, spec: &Node, wf: &mut NodeFact, diags: &mut Vec<Diagnostic>) {
    if let Some((key, v)) = entry(spec, "activeDeadlineSeconds") {
        let ms = value::seconds(cx, v, &value::Params::default(), "activeDeadlineSeconds", diags);
        wf.attrs.deadline = Some(Located::new(ms, cx.src(key)));
    }
    let exit = spec.get_str("onExit").map(|t| (t, entry(spec, "onExit").map(|(k, _)| k)));
    let hook = spec
        .get("hooks")
        .and_then(|h| h.get("exit"))
        .and_then(|e| e.get_str("template"))
        .map(|t| (t, entry(spec, "hooks").map(|(k, _)| k)));
    for (template, key) in exit.into_iter().chain(hook) {
        let at = key.map_or_else(|| wf.source.clone(), |k| cx.src(k));
        wf.attrs.error_handling.push(Located::new(format!("onExit: {template}"), at));
    }
}

/// A `dag` or `steps` entrypoint's own limits and retries apply to the whole run: they go on
/// the workflow. (A leaf entrypoint is the workflow's one step and keeps them itself.)
fn entrypoint_attrs(cx: &Doc, tmpl: &Node, wf: &mut NodeFact, diags: &mut Vec<Diagnostic>) {
    if !template::is_flow(tmpl) {
        return;
    }
    let params = value::Params::of(None, tmpl);
    wf.attrs.timeouts.extend(template::timeouts(cx, tmpl, &params, diags));
    wf.attrs.retries.extend(template::retry(cx, tmpl, &params, diags));
    if wf.attrs.description.is_none() {
        wf.attrs.description = description(tmpl.get("metadata"));
    }
}

/// A key and its value in a map node.
pub(crate) fn entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
}

/// A value not known statically, shown as the text written.
pub(crate) fn unknown<T>(expr: impl Into<String>) -> Value<T> {
    Value::Unknown { expr: expr.into() }
}
