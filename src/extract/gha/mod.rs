//! GitHub Actions workflows: jobs as steps, `needs` as edges, timeouts and reusable calls.
//!
//! A workflow file is one node named by its path (`.github/workflows/ci.yml`), because a
//! reusable-workflow call names the file it calls; the `name:` goes into the description.
//! Each job is a step scoped to that path. Jobs run in parallel unless `needs` orders
//! them, so the workflow points (`next`) at every job without `needs`, and each job's
//! `needs` point at it. The file is read as YAML 1.2 (see [`yaml::parse`]), so `on:` is
//! the key `on`, not the boolean a YAML 1.1 parser would make of it.

mod describe;
mod edges;
mod job;
mod triggers;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::extract::yaml::{self, Node};
use crate::extract::{Extracted, NodeFact};
use crate::model::NodeKind;
use crate::source::Source;

/// Reads one workflow file. `path` is relative to the scanned root.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            out.diagnostics.push(yaml::parse_error(path, &e, "YAML"));
            return out;
        }
    };
    let mut docs = docs.iter().filter(|d| !d.is_null());
    let Some(doc) = docs.next() else {
        out.diagnostics.push(no_jobs(Source::new(path, 1, 1)));
        return out;
    };
    if let Some(extra) = docs.next() {
        // GitHub reads one document per workflow file and rejects the rest.
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            at(extra, path),
            "a workflow file holds one YAML document; the documents after the first are not read",
        ));
    }
    workflow(path, doc, &mut out);
    out
}

/// The workflow node and its jobs.
fn workflow(path: &str, doc: &Node, out: &mut Extracted) {
    let Some(top) = doc.as_map() else {
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            at(doc, path),
            format!("a workflow must be a mapping with `on` and `jobs`, found {}", doc.shape()),
        ));
        return;
    };
    let mut node = NodeFact::new(NodeKind::Workflow, path, at(doc, path));
    node.attrs.description = describe::workflow(doc);
    if doc.get("on").is_none() {
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            at(doc, path),
            "a workflow needs `on`, the events that start it; GitHub runs this file on none",
        ));
    }
    let jobs_entry = top.iter().find(|(k, _)| k.as_str() == Some("jobs"));
    out.facts.nodes.push(node);
    let Some((jobs_key, jobs)) = jobs_entry else {
        out.diagnostics.push(no_jobs(at(doc, path)));
        return;
    };
    let Some(entries) = jobs.as_map() else {
        let at_value = if jobs.is_null() { at(jobs_key, path) } else { at(jobs, path) };
        out.diagnostics.push(Diagnostic::warning(
            "invalid-value",
            at_value,
            format!("`jobs` must map job ids to their settings, found {}", jobs.shape()),
        ));
        return;
    };
    let ctx = Context { path, doc };
    for (key, body) in entries {
        let Some(id) = key.as_str() else { continue };
        if body.as_map().is_none() {
            out.diagnostics.push(
                Diagnostic::warning(
                    "invalid-value",
                    at(key, path),
                    format!("job `{id}` must be a mapping of settings, found {}; it is skipped", body.shape()),
                )
                .with_len(id.len()),
            );
            continue;
        }
        job::extract(&ctx, id, key, body, out);
    }
}

/// What every job of one file needs to know about the rest of it.
pub(crate) struct Context<'a> {
    /// The workflow file, which is also the workflow's name and its jobs' scope.
    pub path: &'a str,
    /// The whole document, for workflow-level settings jobs inherit (`permissions`).
    pub doc: &'a Node,
}

fn no_jobs(source: Source) -> Diagnostic {
    Diagnostic::warning("invalid-value", source, "a workflow needs `jobs`; this file has none, so it runs nothing")
}

/// A node's source, never at line 0: the parser gives an empty document no position.
pub(crate) fn at(node: &Node, path: &str) -> Source {
    let s = node.source(path);
    Source::new(path, s.line.max(1), s.column.max(1))
}
