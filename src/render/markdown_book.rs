//! The book as Markdown pages with relative links, for MkDocs and Backstage TechDocs: the same
//! model and analysis as the HTML book, the same paths with `.md` for `.html`.
//!
//! Names and messages from sources are escaped as Markdown text; prose (descriptions,
//! recovery steps, failure modes) keeps its Markdown, but raw HTML in it is shown as text.

use std::collections::BTreeMap;

use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::analyze::{Analysis, Finding, RetryPolicy};
use crate::config::Config;
use crate::extract::duration::human;
use crate::model::{Graph, Node, NodeKind};
use crate::render::Site;
use crate::render::links::{SourceLinker, root_of};
use crate::source::Source;

/// Escapes text from a source so Markdown shows it as written: no emphasis, links, code,
/// headings, tables or HTML.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A finding message: its `backticked` names stay code spans, the rest is [`text`].
fn message(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    let mut out = String::with_capacity(s.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        // An odd part is inside a pair of backticks, unless it is the unpaired last one.
        if i % 2 == 1 && i + 1 < parts.len() {
            out.push('`');
            out.push_str(&part.replace(['\n', '\r'], " "));
            out.push('`');
        } else {
            if i % 2 == 1 {
                out.push_str("\\`");
            }
            out.push_str(&text(part));
        }
    }
    out
}

/// Prose keeps its Markdown, but raw HTML becomes text (`<` outside code spans and code
/// blocks is written `&lt;`; inside them Markdown shows it as written), and every line
/// after the first is indented by `indent` so it stays inside its list item.
fn prose(s: &str, indent: &str) -> String {
    let mut safe = String::with_capacity(s.len());
    let mut in_code = false;
    for c in s.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                safe.push(c);
            }
            '<' if !in_code => safe.push_str("&lt;"),
            c => safe.push(c),
        }
    }
    let lines: Vec<&str> = safe.trim().lines().collect();
    lines.iter().enumerate().map(|(i, l)| if i == 0 { l.to_string() } else { format!("\n{indent}{l}") }).collect()
}

/// The Markdown page of an HTML page path.
fn md_path(html: &str) -> String {
    match html.strip_suffix(".html") {
        Some(stem) => format!("{stem}.md"),
        None => html.to_string(),
    }
}

struct Writer<'a> {
    graph: &'a Graph,
    analysis: &'a Analysis,
    sources: SourceLinker,
    findings: BTreeMap<&'a str, Vec<&'a Finding>>,
}

impl Writer<'_> {
    fn link(&self, node: &Node, root: &str) -> String {
        format!("[{}]({root}{})", text(&node.name), md_path(&node.page))
    }

    fn link_id(&self, id: &str, root: &str) -> String {
        self.graph.node(id).map_or_else(|| format!("`{}`", id.replace('`', "'")), |n| self.link(n, root))
    }

    fn source(&self, s: &Source) -> String {
        let v = self.sources.view(s);
        match v.href {
            Some(href) => {
                format!("[{}]({})", text(&v.text), href.replace('(', "%28").replace(')', "%29").replace(' ', "%20"))
            }
            None => format!("`{}`", v.text.replace('`', "'")),
        }
    }

    fn finding(&self, f: &Finding, root: &str, with_node: bool) -> String {
        let mut s = format!("**{}** `{}`", f.severity.as_str(), f.code);
        if with_node && let Some(id) = &f.node {
            s.push_str(&format!(" on {}", self.link_id(id, root)));
        }
        s.push_str(&format!(
            " at {}: {}\n  *Fix:* {}",
            self.source(&f.source()),
            message(&f.message),
            message(&f.help)
        ));
        s
    }

    fn policy(&self, p: &RetryPolicy) -> String {
        let attempts = p.max_attempts.map_or_else(|| "unbounded attempts".to_string(), |n| format!("{n} attempts"));
        let worst = p
            .worst_case_ms
            .map_or_else(|| "with no bound on time".to_string(), |w| format!("over at most {}", human(w)));
        let mut s = format!("{attempts} {worst}");
        if let Some(limit) = &p.limit_text {
            s.push_str(&format!(" ({})", text(limit)));
        }
        let per = p
            .attempt_timeout_ms
            .map_or_else(|| "no timeout bounds an attempt".to_string(), |t| format!("{} per attempt", human(t)));
        s.push_str(&format!("; {per}; jitter {}", text(&p.jitter)));
        if !p.schedule_ms.is_empty() {
            let delays: Vec<String> = p.schedule_ms.iter().map(|&d| human(d)).collect();
            let more = if p.schedule_truncated { ", …" } else { "" };
            s.push_str(&format!("; delays {}{more}", delays.join(", ")));
        }
        for u in &p.unknown {
            s.push_str(&format!("; {} is `{}`", text(&u.field), u.expr.replace('`', "'")));
        }
        s.push_str(&format!(" ({}, {})", text(&p.library), self.source(&p.source)));
        s
    }

    fn node_page(&self, node: &Node) -> String {
        let root = root_of(&node.page);
        let g = &self.graph.graph;
        let idx = self.graph.by_id[&node.id];
        let a = &node.attrs;
        let mut out = format!("# {}\n\n", text(&node.name));
        let mut facts = vec![format!("*{}*", node.kind.as_str())];
        if let Some(owner) = &a.owner {
            facts.push(format!("owner: {} ({})", text(&owner.value), self.source(&owner.source)));
        }
        if node.external {
            facts.push("named but defined nowhere in the repository".to_string());
        }
        facts.push(format!("[the book]({root}index.md)"));
        out.push_str(&format!("{}\n", facts.join(" · ")));
        if let Some(d) = &a.description {
            out.push_str(&format!("\n{}\n", prose(d, "")));
        }
        if !a.recovery.is_empty() {
            out.push_str("\n## Recovery\n\n");
            for (i, r) in a.recovery.iter().enumerate() {
                out.push_str(&format!("{}. {} ({})\n", i + 1, prose(&r.value, "   "), self.source(&r.source)));
            }
        }
        if !a.failure_modes.is_empty() {
            out.push_str("\n## Failure modes\n\n");
            for f in &a.failure_modes {
                out.push_str(&format!("- {} ({})\n", prose(&f.value, "  "), self.source(&f.source)));
            }
        }
        if let Some(list) = self.findings.get(node.id.as_str()) {
            out.push_str("\n## Findings\n\n");
            for f in list {
                out.push_str(&format!("- {}\n", self.finding(f, &root, false)));
            }
        }
        let mut signals = Vec::new();
        for alert in &a.alerts {
            signals.push(format!("alert {} ({})", text(&alert.value), self.source(&alert.source)));
        }
        for h in &a.health_checks {
            let every = h.interval_ms.map_or_else(String::new, |i| format!(", every {}", human(i)));
            signals.push(format!(
                "{}: `{}`{every} ({})",
                text(&h.kind),
                h.test.replace('`', "'"),
                self.source(&h.source)
            ));
        }
        if let Some(d) = &a.dashboard {
            signals.push(format!("dashboard {}", text(&d.value)));
        }
        if let Some(r) = &a.runbook {
            signals.push(format!("runbook {}", text(&r.value)));
        }
        if !signals.is_empty() {
            out.push_str("\n## Signals\n\n");
            out.push_str(&signals.iter().map(|s| format!("- {s}\n")).collect::<String>());
        }
        let mut behaviour = Vec::new();
        if let Some(all) = self.analysis.all_retries.get(&node.id) {
            for (i, p) in all.iter().enumerate() {
                let label = if i == 0 { "Retry" } else { "Also declared" };
                behaviour.push(format!("{label}: {}", self.policy(p)));
            }
        }
        if let Some(&t) = self.analysis.timeout_ms.get(&node.id) {
            behaviour.push(format!("Timeout: {}", human(t)));
        }
        if let Some(i) = &a.idempotent {
            let v = match &i.value {
                crate::extract::Idempotency::No => "no".to_string(),
                crate::extract::Idempotency::Yes => "yes".to_string(),
                crate::extract::Idempotency::Key(k) => format!("yes, key `{}`", k.replace('`', "'")),
            };
            behaviour.push(format!("Idempotent: {v} ({})", self.source(&i.source)));
        }
        for s in &a.side_effects {
            behaviour.push(format!("Side effect: {} ({})", text(&s.value), self.source(&s.source)));
        }
        if let Some(w) = self.analysis.workflows.get(&node.id) {
            let worst = w.worst_case_ms.map_or_else(|| "no bound".to_string(), human);
            let path: Vec<String> = w.critical_path.iter().map(|id| self.link_id(id, &root)).collect();
            behaviour.push(format!("Worst case of a run: {worst}, along {}", path.join(" → ")));
        }
        if !behaviour.is_empty() {
            out.push_str("\n## Retries and timeouts\n\n");
            out.push_str(&behaviour.iter().map(|s| format!("- {s}\n")).collect::<String>());
        }
        for (title, dir) in [("Links from here", Direction::Outgoing), ("Links to here", Direction::Incoming)] {
            let mut items: Vec<(String, String)> = g
                .edges_directed(idx, dir)
                .map(|e| {
                    let other = if dir == Direction::Outgoing { e.target() } else { e.source() };
                    (e.weight().kind.as_str().to_string(), self.link(&g[other], &root))
                })
                .collect();
            items.sort();
            items.dedup();
            if !items.is_empty() {
                out.push_str(&format!("\n## {title}\n\n"));
                for (kind, link) in items {
                    out.push_str(&format!("- {link} ({kind})\n"));
                }
            }
        }
        if let Some(blast) = self.analysis.blast_radius.get(&node.id).filter(|b| !b.is_empty()) {
            out.push_str(&format!("\n## Blast radius\n\nWhen it is down, {} nodes stop working: ", blast.len()));
            let links: Vec<String> = blast.iter().map(|id| self.link_id(id, &root)).collect();
            out.push_str(&format!("{}.\n", links.join(", ")));
        }
        out.push_str("\n## Sources\n\n");
        out.push_str(&node.sources.iter().map(|s| format!("- {}\n", self.source(s))).collect::<String>());
        out
    }

    fn index(&self, title: &str) -> String {
        let mut out = format!("# {}\n\n", text(title));
        let findings = &self.analysis.findings;
        out.push_str(&format!(
            "{} nodes, {} findings. See [failure points](failure-points.md) and [retry policies](retries.md).\n",
            self.graph.graph.node_count(),
            findings.len()
        ));
        if !findings.is_empty() {
            out.push_str("\n## Top failure points\n\n");
            for f in findings.iter().take(10) {
                out.push_str(&format!("- {}\n", self.finding(f, "", true)));
            }
        }
        for kind in NodeKind::ALL {
            let nodes: Vec<&Node> = self.graph.nodes().map(|(_, n)| n).filter(|n| n.kind == kind).collect();
            if nodes.is_empty() {
                continue;
            }
            out.push_str(&format!("\n## {}\n\n", kind.plural_title()));
            for n in nodes {
                out.push_str(&format!("- {}\n", self.link(n, "")));
            }
        }
        out
    }

    fn retries(&self) -> String {
        let mut out = String::from("# Retry policies\n\n");
        let mut any = false;
        for (_, n) in self.graph.nodes() {
            if let Some(p) = self.analysis.retry.get(&n.id) {
                any = true;
                out.push_str(&format!("- {}: {}\n", self.link(n, ""), self.policy(p)));
            }
        }
        if !any {
            out.push_str("Nothing in this repository retries.\n");
        }
        out
    }

    fn failure_points(&self) -> String {
        let mut out = String::from("# Failure points\n\n");
        if self.analysis.findings.is_empty() {
            out.push_str("No findings.\n");
        }
        for (i, f) in self.analysis.findings.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, self.finding(f, "", true).replace("\n  ", "\n   ")));
        }
        out
    }
}

/// Renders the Markdown book: `index.md`, `retries.md`, `failure-points.md`, one page per
/// node at its HTML page's path with `.md`, and `graph.json`.
pub fn render(graph: &Graph, analysis: &Analysis, config: &Config) -> Site {
    let mut findings: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &analysis.findings {
        if let Some(id) = &f.node {
            findings.entry(id.as_str()).or_default().push(f);
        }
    }
    let w = Writer { graph, analysis, sources: SourceLinker::new(config.source_url.as_deref()), findings };
    let mut site = Site::default();
    let mut put = |path: String, body: String| {
        site.files.insert(path, body.into_bytes());
    };
    put("index.md".into(), w.index(&config.title));
    put("retries.md".into(), w.retries());
    put("failure-points.md".into(), w.failure_points());
    for (_, node) in graph.nodes() {
        if super::is_safe_page(&node.page) {
            put(md_path(&node.page), w.node_page(node));
        }
    }
    site.files.insert("graph.json".into(), super::json::graph_json(graph, analysis));
    site
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_text_cannot_become_markup() {
        assert_eq!(text("<script>a|b</script> *x* [l](u)"), "&lt;script&gt;a\\|b&lt;/script&gt; \\*x\\* \\[l\\](u)");
        assert_eq!(
            prose("Check the **ERP**.\n<img src=x onerror=alert(1)>", "  "),
            "Check the **ERP**.\n  &lt;img src=x onerror=alert(1)>"
        );
        assert_eq!(md_path("steps/push-order.html"), "steps/push-order.md");
    }
}
