//! Descriptions in Markdown: what a workflow and a job say about themselves, kept short.
//!
//! These are prose for the page, not facts the analysis reads: a job's matrix, its
//! `if:`, its concurrency group, its service containers and the names of its first steps.

use crate::extract::yaml::Node;

use super::triggers;

/// How many steps a job's description names before it says "and N more".
const STEPS_SHOWN: usize = 10;

/// The workflow's `name`, its triggers and its concurrency, as paragraphs.
pub fn workflow(doc: &Node) -> Option<String> {
    let mut parts = Vec::new();
    parts.extend(doc.get_str("name").filter(|n| !n.trim().is_empty()).map(str::to_string));
    parts.extend(triggers::words(doc.get("on")));
    parts.extend(concurrency(doc.get("concurrency"), "run"));
    paragraphs(parts)
}

/// A job's `name`, then what shapes how it runs, then its steps.
pub fn job(body: &Node) -> Option<String> {
    let mut parts = Vec::new();
    parts.extend(body.get_str("name").filter(|n| !n.trim().is_empty()).map(str::to_string));
    if let Some(cond) = body.get_str("if") {
        parts.push(format!("Runs only if {}.", code(cond)));
    }
    parts.extend(matrix(body.get("strategy")));
    if let Some(env) = environment(body) {
        parts.push(format!("Deploys to environment {}, which may require approval.", code(&env)));
    }
    parts.extend(concurrency(body.get("concurrency"), "run of this job"));
    parts.extend(services(body.get("services")));
    if let Some(steps) = body.get("steps").and_then(Node::as_seq) {
        parts.extend(steps_line(steps));
        parts.extend(step_limits(steps));
    }
    paragraphs(parts)
}

/// The environment a job deploys to: `environment: production` or `{name, url}`.
pub fn environment(body: &Node) -> Option<String> {
    let env = body.get("environment")?;
    let name = env.as_str().or_else(|| env.get_str("name"))?;
    (!name.trim().is_empty()).then(|| name.to_string())
}

/// `concurrency: group` or `{group, cancel-in-progress}`: one run at a time per group.
fn concurrency(node: Option<&Node>, what: &str) -> Option<String> {
    let node = node?;
    let group = node.as_str().or_else(|| node.get_str("group"))?;
    let cancel = node.get_str("cancel-in-progress").unwrap_or("false");
    let then = match cancel {
        "true" => format!("a new {what} cancels the one in progress"),
        "false" => format!("a new {what} waits for the one in progress"),
        expr => format!("cancel-in-progress: {}", code(expr)),
    };
    Some(format!("Concurrency group {}: {then}.", code(group)))
}

/// `strategy.matrix`: each dimension and how many values it has, and whether one failing
/// combination cancels the others (`fail-fast`, on unless set to false).
fn matrix(strategy: Option<&Node>) -> Option<String> {
    let strategy = strategy?;
    let matrix = strategy.get("matrix")?;
    let mut text = if let Some(expr) = matrix.as_str() {
        format!("Matrix from {}", code(expr))
    } else {
        let dims: Vec<String> = matrix
            .as_map()
            .unwrap_or_default()
            .iter()
            .filter_map(|(k, v)| {
                let k = k.as_str().filter(|k| !matches!(*k, "include" | "exclude"))?;
                Some(match v.as_seq() {
                    Some(values) => format!("{} ({} value{})", code(k), values.len(), plural(values.len())),
                    None => format!("{} (from {})", code(k), code(v.as_str().unwrap_or("a mapping"))),
                })
            })
            .collect();
        let include = matrix.get("include").and_then(Node::as_seq).map_or(0, <[Node]>::len);
        match (dims.is_empty(), include) {
            (true, n) => format!("Matrix of {n} listed combination{}", plural(n)),
            (false, 0) => format!("Matrix over {}", dims.join(", ")),
            (false, n) => format!("Matrix over {}, {n} included combination{}", dims.join(", "), plural(n)),
        }
    };
    match strategy.get_str("fail-fast") {
        Some("false") => text.push_str("; fail-fast off"),
        Some("true") | None => text.push_str("; one failing combination cancels the rest (fail-fast)"),
        Some(expr) => text.push_str(&format!("; fail-fast: {}", code(expr))),
    }
    if let Some(n) = strategy.get_str("max-parallel") {
        text.push_str(&format!("; at most {n} at a time"));
    }
    text.push('.');
    Some(text)
}

/// Sidecar containers the job's steps talk to (`services.<name>.image`).
fn services(node: Option<&Node>) -> Option<String> {
    let list: Vec<String> = node?
        .as_map()?
        .iter()
        .filter_map(|(k, v)| {
            let name = code(k.as_str()?);
            Some(match v.get_str("image").or(v.as_str()) {
                Some(image) => format!("{name} ({})", code(image)),
                None => name,
            })
        })
        .collect();
    (!list.is_empty()).then(|| format!("Service containers: {}.", list.join(", ")))
}

/// "Steps: Checkout (`actions/checkout@v4`), Build, Test, and 3 more."
fn steps_line(steps: &[Node]) -> Option<String> {
    let labels: Vec<String> = steps.iter().enumerate().take(STEPS_SHOWN).map(|(i, s)| label(i, s)).collect();
    if labels.is_empty() {
        return None;
    }
    let more = steps.len().saturating_sub(STEPS_SHOWN);
    // Step names may hold commas ("boot rustls, latest k8s"): then semicolons separate them.
    let sep = if labels.iter().any(|l| l.contains(',')) { "; " } else { ", " };
    let tail = if more > 0 { format!("{sep}and {more} more") } else { String::new() };
    Some(format!("Steps: {}{tail}.", labels.join(sep)))
}

/// Steps with their own `timeout-minutes` or `continue-on-error`. Both act inside the job:
/// the job's own timeout still bounds it, so they are words here, not facts.
fn step_limits(steps: &[Node]) -> Vec<String> {
    let mut timed = Vec::new();
    let mut may_fail = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if let Some(t) = step.get_str("timeout-minutes") {
            let t = if t.contains("${{") { code(t) } else { format!("{t} min") };
            timed.push(format!("{} {t}", label(i, step)));
        }
        match step.get_str("continue-on-error") {
            None | Some("false") => {}
            Some("true") => may_fail.push(label(i, step)),
            Some(expr) => may_fail.push(format!("{} (if {})", label(i, step), code(expr))),
        }
    }
    let mut out = Vec::new();
    if !timed.is_empty() {
        out.push(format!("Step timeouts: {}.", timed.join(", ")));
    }
    if !may_fail.is_empty() {
        out.push(format!("Steps that may fail without failing the job (continue-on-error): {}.", may_fail.join(", ")));
    }
    out
}

/// A step as a reader finds it in the file: its name, what it uses, or its command.
fn label(index: usize, step: &Node) -> String {
    let name = step.get_str("name").map(str::trim).filter(|n| !n.is_empty());
    match (name, step.get_str("uses"), step.get_str("run")) {
        (Some(n), Some(u), _) => format!("{n} ({})", code(&short_pin(u))),
        (Some(n), None, _) => n.to_string(),
        (None, Some(u), _) => code(&short_pin(u)),
        (None, None, Some(run)) => code(&shorten(run.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim())),
        (None, None, None) => format!("step {}", index + 1),
    }
}

/// `actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1` as `actions/checkout@3d3c42e`:
/// a commit pin is read by its first characters, as git prints it.
fn short_pin(uses: &str) -> String {
    match uses.rsplit_once('@') {
        Some((action, sha)) if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{action}@{}", &sha[..7])
        }
        _ => uses.to_string(),
    }
}

fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

/// Inline code that survives a backtick in the text.
pub fn code(text: &str) -> String {
    if text.contains('`') { format!("`` {text} ``") } else { format!("`{text}`") }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn paragraphs(parts: Vec<String>) -> Option<String> {
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}
