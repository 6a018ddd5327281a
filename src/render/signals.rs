//! How a node tells you it is broken, and what happens if it runs again: the facts of a runbook's
//! `#signals` and rerun sections, each with its source line.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::analyze::Analysis;
use crate::extract::duration::human;
use crate::extract::{Idempotency, Origin, Value};
use crate::model::{EdgeKind, Node, NodeKind};
use crate::render::links::{NodeLink, SourceLinker, SourceView};
use crate::render::lookup::Lookup;

/// A fact in words with the line that states it.
#[derive(Clone, Debug, Serialize)]
pub struct FactView {
    pub text: String,
    pub source: SourceView,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignalsView {
    pub alerts: Vec<AlertView>,
    pub health_checks: Vec<HealthView>,
    pub timeouts: Vec<TimeoutView>,
    pub deadline: Option<FactView>,
    pub restart: Option<FactView>,
    pub dashboard: Option<ExternalLink>,
    pub runbook: Option<ExternalLink>,
    /// Nothing at all would tell anyone this node is in trouble.
    pub none: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct AlertView {
    pub link: NodeLink,
    pub source: Option<SourceView>,
}

#[derive(Clone, Debug, Serialize)]
pub struct HealthView {
    pub kind: String,
    pub test: String,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub retries: Option<u32>,
    pub start_period: Option<String>,
    pub source: SourceView,
}

#[derive(Clone, Debug, Serialize)]
pub struct TimeoutView {
    /// "10 s", or "not known statically (cfg.timeout)".
    pub value: String,
    pub ms: Option<u64>,
    pub library: String,
    pub origin: &'static str,
    pub text: String,
    /// The timeout that bounds each attempt in the retry maths.
    pub effective: bool,
    pub source: SourceView,
}

/// A URL from a source: a link only when it is plainly http(s), else shown as text.
#[derive(Clone, Debug, Serialize)]
pub struct ExternalLink {
    pub text: String,
    pub href: Option<String>,
    pub source: SourceView,
}

/// "What happens if this runs again?"
#[derive(Clone, Debug, Serialize)]
pub struct RerunView {
    /// `yes`, `no`, `key` or `unknown`.
    pub idempotent: &'static str,
    pub key: Option<String>,
    pub source: Option<SourceView>,
    pub side_effects: Vec<FactView>,
    pub retried: bool,
    /// Worth a section: a step, or anything with side effects, retries or a declaration.
    pub relevant: bool,
    /// A retry repeats side effects nobody declared safe to repeat.
    pub repeats_side_effects: bool,
}

pub fn signals(lookup: &Lookup, node: &Node, root: &str) -> SignalsView {
    let (graph, analysis, sources) = (lookup.graph, lookup.analysis, &lookup.sources);
    let attrs = &node.attrs;
    let mut alerts = Vec::new();
    let mut seen = BTreeSet::new();
    for alert in &attrs.alerts {
        let link = lookup
            .find(NodeKind::Alert, &alert.value)
            .map(|n| NodeLink::new(n, root))
            .unwrap_or_else(|| NodeLink { href: None, ..NodeLink::by_id(graph, &alert.value, root) });
        if seen.insert(link.id.clone()) {
            alerts.push(AlertView { link, source: Some(sources.view(&alert.source)) });
        }
    }
    let index = graph.by_id[&node.id];
    for e in graph.graph.edges_directed(index, petgraph::Direction::Incoming) {
        let other = &graph.graph[petgraph::visit::EdgeRef::source(&e)];
        if e.weight().kind == EdgeKind::Alerts && seen.insert(other.id.clone()) {
            let source = e.weight().sources.first().map(|s| sources.view(s));
            alerts.push(AlertView { link: NodeLink::new(other, root), source });
        }
    }

    let health_checks: Vec<HealthView> = attrs
        .health_checks
        .iter()
        .map(|h| HealthView {
            kind: h.kind.clone(),
            test: h.test.clone(),
            interval: h.interval_ms.map(human),
            timeout: h.timeout_ms.map(human),
            retries: h.retries,
            start_period: h.start_period_ms.map(human),
            source: sources.view(&h.source),
        })
        .collect();

    let effective_ms = analysis.timeout_ms.get(&node.id).copied();
    let any_code = attrs.timeouts.iter().any(|t| t.origin == Origin::Code && t.ms.known().is_some());
    let mut marked = false;
    let timeouts = attrs
        .timeouts
        .iter()
        .map(|t| {
            let candidate = !any_code || t.origin == Origin::Code;
            let effective = !marked && candidate && effective_ms.is_some() && t.ms.known() == effective_ms;
            marked |= effective;
            TimeoutView {
                value: match &t.ms {
                    Value::Known(ms) => human(*ms),
                    Value::Unknown { expr } => format!("not known statically ({expr})"),
                },
                ms: t.ms.known(),
                library: t.library.clone(),
                origin: origin_words(t.origin),
                text: t.text.clone(),
                effective,
                source: sources.view(&t.source),
            }
        })
        .collect();

    let deadline = attrs.deadline.as_ref().map(|d| FactView {
        text: match &d.value {
            Value::Known(ms) => format!("the whole operation must finish within {}", human(*ms)),
            Value::Unknown { expr } => format!("a deadline not known statically ({expr})"),
        },
        source: sources.view(&d.source),
    });
    let restart = attrs.restart.as_ref().map(|r| {
        let mut text = r.condition.clone();
        if !matches!(r.condition.as_str(), "no" | "none") {
            match r.max_attempts {
                Some(n) => text.push_str(&format!(", at most {n} restarts")),
                None => text.push_str(", restarts without limit"),
            }
        }
        if let Some(d) = r.delay_ms {
            text.push_str(&format!(", {} apart", human(d)));
        }
        if let Some(w) = r.window_ms {
            text.push_str(&format!(", counted over {}", human(w)));
        }
        FactView { text, source: sources.view(&r.source) }
    });
    let external = |l: &crate::source::Located<String>| ExternalLink {
        text: l.value.clone(),
        href: is_web_url(&l.value).then(|| l.value.clone()),
        source: sources.view(&l.source),
    };
    let none = alerts.is_empty() && health_checks.is_empty() && attrs.dashboard.is_none();
    SignalsView {
        alerts,
        health_checks,
        timeouts,
        deadline,
        restart,
        dashboard: attrs.dashboard.as_ref().map(external),
        runbook: attrs.runbook.as_ref().map(external),
        none,
    }
}

pub fn rerun(node: &Node, analysis: &Analysis, sources: &SourceLinker) -> RerunView {
    let attrs = &node.attrs;
    let (idempotent, key) = match attrs.idempotent.as_ref().map(|l| &l.value) {
        Some(Idempotency::Yes) => ("yes", None),
        Some(Idempotency::No) => ("no", None),
        Some(Idempotency::Key(k)) => ("key", Some(k.clone())),
        None => ("unknown", None),
    };
    let mut side_effects: Vec<FactView> = attrs
        .side_effects
        .iter()
        .map(|s| FactView { text: s.value.clone(), source: sources.view(&s.source) })
        .collect();
    side_effects.extend(
        attrs
            .http_calls
            .iter()
            .filter(|c| c.is_side_effect())
            .map(|c| FactView { text: format!("HTTP {} {}", c.method, c.target), source: sources.view(&c.source) }),
    );
    let retried = analysis.retry.contains_key(&node.id);
    RerunView {
        idempotent,
        key,
        source: attrs.idempotent.as_ref().map(|l| sources.view(&l.source)),
        relevant: node.kind == NodeKind::Step || retried || !side_effects.is_empty() || attrs.idempotent.is_some(),
        repeats_side_effects: retried && !side_effects.is_empty() && matches!(idempotent, "no" | "unknown"),
        side_effects,
        retried,
    }
}

fn origin_words(origin: Origin) -> &'static str {
    match origin {
        Origin::Code => "found in code",
        Origin::Declared => "declared",
    }
}

fn is_web_url(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")) && !text.contains(char::is_whitespace)
}
