//! `opsbook explain NAME [DIR]`: one node's runbook in the terminal, in the order of its
//! page: what it is, who owns it, what to do, how it fails, what watches it, how it
//! retries, what it needs and what breaks with it, and where each fact is written.
//!
//! Coloured when stdout is a terminal (and `NO_COLOR` is not set), plain when piped. A name
//! that matches nothing is an error (exit 2) that suggests the closest names.

use std::fmt::Write;
use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Result;
use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use rayon::prelude::*;

use crate::analyze::{self, Analysis};
use crate::cmd::{Outcome, out_dir};
use crate::diag::Severity;
use crate::extract::{self, Extracted};
use crate::model::{self, EdgeKind, Graph, Node};
use crate::render::links::SourceLinker;
use crate::render::policy;
use crate::render::search::plain;
use crate::scan;
use crate::source::Source;

#[derive(Clone, Debug, Default)]
pub struct ExplainArgs {
    pub name: String,
    pub dir: PathBuf,
}

pub fn run(args: &ExplainArgs) -> Result<Outcome> {
    let root = args.dir.as_path();
    let config = crate::cmd::open_tree(root, "nothing was explained")?;
    let out = out_dir(root, &config, None);
    // The pipeline up to the analysis: nothing is rendered or written.
    let inventory = scan::scan(root, &config, &out);
    let extracted: Vec<Extracted> =
        inventory.files.par_iter().map(|f| extract::extract(f.kind, &f.path, &f.text)).collect();
    let mut diagnostics = inventory.diagnostics.clone();
    diagnostics.extend(extracted.iter().flat_map(|x| x.diagnostics.iter().cloned()));
    let graph = model::build(extracted.iter().map(|x| &x.facts));
    let analysis = analyze::analyze(&graph, &diagnostics, &config);

    let index = match find(&graph, &args.name) {
        Ok(index) => index,
        Err(suggestions) => {
            let mut message = format!("no node in {} is named `{}`", root.display(), args.name);
            if !suggestions.is_empty() {
                message.push_str(&format!("; did you mean {}?", suggestions.join(", ")));
            }
            anyhow::bail!(message);
        }
    };
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let page = out.join(&graph.graph[index].page);
    let mut text = explain(&graph, &analysis, index, &SourceLinker::new(None), Style { colour });
    let _ = writeln!(text, "\nBook page: {}", page.display());
    print!("{text}");
    Ok(Outcome::Success)
}

/// The node `name` means: its id (`step:push-order`), its name or slug (any case), or the
/// only name that contains it. Else the closest names, at most five.
pub fn find(graph: &Graph, name: &str) -> Result<NodeIndex, Vec<String>> {
    let wanted = name.trim().to_lowercase();
    let slug = model::slugify(name);
    let nodes: Vec<(NodeIndex, &Node)> = graph.nodes().collect();
    let exact = |n: &Node| n.id == name || n.name.to_lowercase() == wanted || (!slug.is_empty() && n.slug == slug);
    // Several kinds can share a name (a service and its workflow): the one with the most
    // to say on call comes first, in this order.
    let rank = |n: &Node| {
        ["step", "service", "workflow", "resource", "api", "alert", "team", "system", "runbook"]
            .iter()
            .position(|k| *k == n.kind.as_str())
            .unwrap_or(9)
    };
    if let Some((i, _)) = nodes.iter().filter(|(_, n)| exact(n)).min_by_key(|(_, n)| (rank(n), n.id.clone())) {
        return Ok(*i);
    }
    let containing: Vec<&(NodeIndex, &Node)> =
        nodes.iter().filter(|(_, n)| !wanted.is_empty() && n.name.to_lowercase().contains(&wanted)).collect();
    if containing.len() == 1 {
        return Ok(containing[0].0);
    }
    let mut scored: Vec<(usize, String)> = nodes
        .iter()
        .map(|(_, n)| {
            let lower = n.name.to_lowercase();
            let d = if lower.contains(&wanted) { 0 } else { distance(&wanted, &lower) };
            (d, format!("{} ({})", n.name, n.kind.as_str()))
        })
        .filter(|(d, _)| *d <= (wanted.chars().count() / 2).max(2))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    Err(scored.into_iter().take(5).map(|(_, s)| s).collect())
}

/// Levenshtein distance in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            cur.push((prev[j + 1] + 1).min(cur[j] + 1).min(prev[j] + usize::from(ca != *cb)));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub colour: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
    fn heading(self, text: &str) -> String {
        self.paint("1;36", text)
    }
    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }
    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }
    fn warn(self, text: &str) -> String {
        self.paint("33", text)
    }
    fn error(self, text: &str) -> String {
        self.paint("31", text)
    }
}

fn at(s: &Source) -> String {
    format!("{}:{}", s.file, s.line)
}

/// The runbook of one node as terminal text.
pub fn explain(graph: &Graph, analysis: &Analysis, index: NodeIndex, linker: &SourceLinker, style: Style) -> String {
    let node = &graph.graph[index];
    let attrs = &node.attrs;
    let mut t = String::new();
    let where_ = node.sources.first().map(at).unwrap_or_else(|| "defined outside this repository".to_string());
    let _ = writeln!(t, "{} {} {}", style.bold(&node.name), node.kind.as_str(), style.dim(&where_));
    if let Some(d) = &attrs.description {
        let _ = writeln!(t, "{}", plain(d));
    }
    let part_of: Vec<String> = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Contains)
        .map(|e| graph.graph[e.source()].id.clone())
        .collect();
    if !part_of.is_empty() {
        let _ = writeln!(t, "Part of {}", part_of.join(", "));
    }

    let _ = writeln!(t, "\n{}", style.heading("Owner"));
    match &attrs.owner {
        Some(o) => {
            let _ = writeln!(t, "  {} {}", style.bold(&o.value), style.dim(&at(&o.source)));
        }
        None => {
            let teams: Vec<&str> = graph
                .graph
                .edges_directed(index, Direction::Incoming)
                .filter(|e| e.weight().kind == EdgeKind::Owns)
                .map(|e| graph.graph[e.source()].name.as_str())
                .collect();
            if teams.is_empty() {
                let _ = writeln!(t, "  {}", style.warn("no owner is recorded"));
            } else {
                let _ = writeln!(t, "  {}", style.bold(&teams.join(", ")));
            }
        }
    }

    let _ = writeln!(t, "\n{}", style.heading("Recovery"));
    if attrs.recovery.is_empty() {
        let _ = writeln!(t, "  {}", style.warn("no recovery steps are documented"));
    }
    for (i, step) in attrs.recovery.iter().enumerate() {
        let _ = writeln!(t, "  {}. {} {}", i + 1, plain(&step.value), style.dim(&at(&step.source)));
    }

    let _ = writeln!(t, "\n{}", style.heading("Failure modes"));
    if attrs.failure_modes.is_empty() {
        let _ = writeln!(t, "  {}", style.dim("none documented"));
    }
    for f in &attrs.failure_modes {
        let _ = writeln!(t, "  - {} {}", plain(&f.value), style.dim(&at(&f.source)));
    }

    let mut alerts: Vec<String> = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Alerts)
        .map(|e| graph.graph[e.source()].name.clone())
        .collect();
    alerts.extend(attrs.alerts.iter().map(|a| a.value.clone()));
    alerts.sort();
    alerts.dedup();
    let _ = writeln!(t, "\n{}", style.heading("Alerts"));
    if alerts.is_empty() && attrs.health_checks.is_empty() {
        let _ = writeln!(t, "  {}", style.warn("nothing tells anyone this is broken: no alert, no health check"));
    }
    for a in &alerts {
        let _ = writeln!(t, "  - {a}");
    }
    for h in &attrs.health_checks {
        let _ = writeln!(t, "  - health check ({}): {} {}", h.kind, h.test, style.dim(&at(&h.source)));
    }

    let _ = writeln!(t, "\n{}", style.heading("Retries and timeouts"));
    let policies = analysis.all_retries.get(&node.id).map(|all| policy::views(all, linker)).unwrap_or_default();
    if policies.is_empty() {
        let _ = writeln!(t, "  no retries: one attempt");
    }
    for p in &policies {
        let _ = writeln!(
            t,
            "  {}{} {}",
            style.bold(&p.headline),
            if p.effective { "" } else { " (not in effect)" },
            style.dim(&p.source.text)
        );
        let _ = writeln!(t, "    attempts: {}", p.attempts);
        let _ = writeln!(t, "    backoff: {}", p.backoff);
        if let Some(s) = &p.schedule {
            let _ = writeln!(t, "    schedule: {s}");
        }
        match &p.worst_case {
            Some(w) => {
                let _ = writeln!(t, "    worst case: {w}");
            }
            None => {
                let _ = writeln!(t, "    worst case: {}", style.warn("no bound"));
            }
        }
        let _ = writeln!(t, "    per attempt: {}", p.attempt_timeout);
    }
    match analysis.timeout_ms.get(&node.id) {
        Some(ms) => {
            let _ = writeln!(t, "  timeout: {} per attempt", crate::extract::duration::human(*ms));
        }
        None if matches!(node.kind.as_str(), "step" | "api") => {
            let _ = writeln!(t, "  timeout: {}", style.warn("none: it can wait as long as the other side lets it"));
        }
        None => {}
    }

    let _ = writeln!(t, "\n{}", style.heading("Dependencies"));
    let mut deps: Vec<String> = graph
        .graph
        .edges_directed(index, Direction::Outgoing)
        .filter(|e| !matches!(e.weight().kind, EdgeKind::Contains | EdgeKind::Owns | EdgeKind::Alerts))
        .map(|e| {
            let w = e.weight();
            let src = w.sources.first().map(at).unwrap_or_default();
            format!("{} {} {}", w.kind.as_str(), graph.graph[e.target()].id, style.dim(&src))
        })
        .collect();
    deps.sort();
    if deps.is_empty() {
        let _ = writeln!(t, "  none this book knows about");
    }
    for d in deps {
        let _ = writeln!(t, "  - {}", d.trim_end());
    }

    let _ = writeln!(t, "\n{}", style.heading("Blast radius"));
    match analysis.blast_radius.get(&node.id).filter(|b| !b.is_empty()) {
        Some(ids) => {
            let _ = writeln!(t, "  when this is down, {} other nodes stop working:", ids.len());
            for id in ids {
                let _ = writeln!(t, "  - {id}");
            }
        }
        None => {
            let _ = writeln!(t, "  nothing else stops working when this is down");
        }
    }

    let findings: Vec<_> = analysis.findings.iter().filter(|f| f.node.as_deref() == Some(&node.id)).collect();
    if !findings.is_empty() {
        let _ = writeln!(t, "\n{}", style.heading("Findings"));
        for f in findings {
            let label = format!("{} {}", f.severity.as_str(), f.code);
            let label = if f.severity >= Severity::Error { style.error(&label) } else { style.warn(&label) };
            let _ = writeln!(t, "  {label}: {} {}", f.message, style.dim(&format!("{}:{}", f.file, f.line)));
        }
    }

    let _ = writeln!(t, "\n{}", style.heading("Sources"));
    if node.sources.is_empty() {
        let _ = writeln!(t, "  named in a reference, defined nowhere in this repository");
    }
    for s in &node.sources {
        let _ = writeln!(t, "  {}", at(s));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(Style { colour: false }.heading("Recovery"), "Recovery");
        assert_eq!(Style { colour: true }.heading("Recovery"), "\x1b[1;36mRecovery\x1b[0m");
    }

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("pusj_ordr", "push_order"), 2);
        assert_eq!(distance("", "abc"), 3);
    }
}
