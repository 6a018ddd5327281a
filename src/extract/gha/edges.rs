//! A job's edges: contained by its workflow, started by it or by its `needs`, and the
//! reusable workflow it calls.

use crate::diag::Diagnostic;
use crate::extract::yaml::Node;
use crate::extract::{EdgeFact, NodeRef, Resolve};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Source;

use super::{Context, at};

/// Every edge of job `id`. A job without `needs` starts with the workflow; a job with
/// `needs` starts after each of them, and when its `if:` asks for a failure it is an
/// error path of theirs (`on_error`) rather than what comes next.
pub fn of_job(ctx: &Context, id: &str, key: &Node, body: &Node, diags: &mut Vec<Diagnostic>) -> Vec<EdgeFact> {
    let path = ctx.path;
    let job = NodeRef::scoped(NodeKind::Step, id, path);
    let workflow = NodeRef::new(NodeKind::Workflow, path);
    let cond = body.get_str("if");
    let detail = cond.map(|c| format!("if: {c}"));
    let mut edges = vec![edge(workflow.clone(), job.clone(), EdgeKind::Contains, at(key, path), None)];
    let needs = needs(path, id, body, diags);
    if needs.is_empty() {
        edges.push(edge(workflow, job.clone(), EdgeKind::Next, at(key, path), detail.clone()));
    }
    let kind = if cond.is_some_and(on_failure) { EdgeKind::OnError } else { EdgeKind::Next };
    for (need, source) in needs {
        // A need that names no job dangles at its own line: the model reports it.
        let from = NodeRef::scoped(NodeKind::Step, need, path);
        edges.push(edge(from, job.clone(), kind, source, detail.clone()));
    }
    if let Some(uses) = body.get("uses") {
        edges.extend(call(path, id, job, uses, diags));
    }
    edges
}

fn edge(from: NodeRef, to: NodeRef, kind: EdgeKind, source: Source, detail: Option<String>) -> EdgeFact {
    EdgeFact { from, to, kind, source, resolve: Resolve::Required, detail }
}

/// `needs: build` or `needs: [build, test]`, each with the place it is written.
fn needs(path: &str, id: &str, body: &Node, diags: &mut Vec<Diagnostic>) -> Vec<(String, Source)> {
    let Some(needs) = body.get("needs") else { return Vec::new() };
    if let Some(one) = needs.as_str() {
        return vec![(one.to_string(), at(needs, path))];
    }
    let mut found = Vec::new();
    let Some(list) = needs.as_seq() else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            at(needs, path),
            format!("`needs` of job `{id}` must be a job id or a list of job ids, found {}", needs.shape()),
        ));
        return found;
    };
    for item in list {
        match item.as_str() {
            Some(name) => found.push((name.to_string(), at(item, path))),
            None => diags.push(Diagnostic::warning(
                "invalid-value",
                at(item, path),
                format!("each entry of `needs` must be a job id, found {}", item.shape()),
            )),
        }
    }
    found
}

/// Whether an `if:` runs the job when something it needs failed: `failure()` (not
/// negated) or a comparison of a result with `'failure'`. `always()` runs on success
/// too, so it stays an ordinary next step.
pub fn on_failure(cond: &str) -> bool {
    let c: String = cond.chars().filter(|ch| !ch.is_whitespace()).collect();
    let called = c.match_indices("failure()").any(|(i, _)| !c[..i].ends_with('!'));
    let compared = ["=='failure'", "==\"failure\""].iter().any(|p| c.contains(p));
    let listed = !c.contains("!contains(") && (c.contains(",'failure')") || c.contains(",\"failure\")"));
    called || compared || listed
}

/// `uses: ./.github/workflows/deploy.yml` (this repository) or
/// `owner/repo/.github/workflows/x.yml@ref` (another one): a call to that workflow,
/// which shows even when the file is outside the scan.
fn call(path: &str, id: &str, job: NodeRef, uses: &Node, diags: &mut Vec<Diagnostic>) -> Option<EdgeFact> {
    let Some(text) = uses.as_str().filter(|t| !t.trim().is_empty()) else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            at(uses, path),
            format!("`uses` of job `{id}` must name a reusable workflow, found {}", uses.shape()),
        ));
        return None;
    };
    let local = text.starts_with("./");
    if !text.contains(".github/workflows/") || (!local && !text.contains('@')) {
        diags.push(
            Diagnostic::warning(
                "invalid-value",
                at(uses, path),
                format!(
                    "job `{id}` uses `{text}`, which is not a reusable workflow: expected \
                     `./.github/workflows/<file>` or `<owner>/<repo>/.github/workflows/<file>@<ref>`"
                ),
            )
            .with_len(text.len()),
        );
    }
    let name = if local { format!("{}{}", repo_root(path), &text[2..]) } else { text.to_string() };
    let to = NodeRef::new(NodeKind::Workflow, name);
    let mut e = edge(job, to, EdgeKind::Calls, at(uses, path), None);
    e.resolve = Resolve::External;
    Some(e)
}

/// The folder that holds `.github` for a workflow at `path`, with its trailing `/`: a
/// local `uses: ./...` is relative to the repository root, which for a sub-project
/// (`svc/.github/workflows/ci.yml`) is `svc/`.
pub fn repo_root(path: &str) -> &str {
    let marker = ".github/workflows/";
    match path.rfind(marker) {
        Some(i) if i == 0 || path[..i].ends_with('/') => &path[..i],
        _ => "",
    }
}
