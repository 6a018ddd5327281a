//! The operational diff of two `graph.json` documents, as Markdown for a pull-request comment.
//! Pure: both sides are the contract's data, whether built from a tree or read from a file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::analyze::fingerprint;
use crate::extract::duration::human;
use crate::lock::{NodeFacts, Section};

/// Everything that changed, each list sorted; empty when nothing did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes {
    /// Retry, timeout and idempotency changes of nodes in both graphs.
    pub policies: Vec<PolicyChange>,
    pub nodes_added: Vec<String>,
    pub nodes_removed: Vec<String>,
    pub dependencies_added: Vec<String>,
    pub dependencies_removed: Vec<String>,
    pub blast_grew: Vec<String>,
    pub findings_introduced: Vec<String>,
    pub findings_fixed: Vec<String>,
    pub alerts_added: Vec<String>,
    pub alerts_lost: Vec<String>,
    pub runbooks_added: Vec<String>,
    pub runbooks_lost: Vec<String>,
    pub owners: Vec<String>,
    /// Hand-written runbooks whose covered facts changed: the runbook, then what changed.
    pub runbooks_to_review: Vec<String>,
}

/// One node whose retry, timeout or idempotency changed.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyChange {
    pub node: String,
    /// The whole policy in words, before and after: "5 attempts over at most 57.5 s".
    pub summary: (String, String),
    /// (field, before, after) for each field that changed.
    pub fields: Vec<(&'static str, String, String)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self == &Changes::default()
    }
}

fn nodes(graph: &Value) -> BTreeMap<&str, &Value> {
    let list = graph["nodes"].as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter().filter_map(|n| Some((n["id"].as_str()?, n))).collect()
}

/// A node as a reader names it: kind and name, with its scope when it has one.
fn name(node: &Value) -> String {
    let base = format!("{} `{}`", node["kind"].as_str().unwrap_or("node"), code(node["name"].as_str().unwrap_or("?")));
    match node["scope"].as_str() {
        Some(scope) => format!("{base} (in `{}`)", code(scope)),
        None => base,
    }
}

fn name_of(all: &BTreeMap<&str, &Value>, id: &str) -> String {
    all.get(id).map_or_else(|| format!("`{}`", code(id)), |n| name(n))
}

/// Text for inside a code span: a backtick would end it.
fn code(text: &str) -> String {
    text.replace('`', "'").replace(['\n', '\r'], " ")
}

/// Plain text from a source for Markdown: no HTML, no table breaks, one line.
fn text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn at(sources: &Value) -> String {
    match (sources[0]["file"].as_str(), sources[0]["line"].as_u64()) {
        (Some(file), Some(line)) => format!(" ({}:{line})", code(file)),
        _ => String::new(),
    }
}

fn duration(v: &Value) -> String {
    v.as_u64().map_or_else(|| "none".to_string(), human)
}

fn attempts(retry: &Value) -> String {
    if retry.is_null() {
        return "1 (no retry)".to_string();
    }
    retry["max_attempts"].as_u64().map_or_else(|| "unbounded".to_string(), |n| n.to_string())
}

fn worst(retry: &Value) -> String {
    if retry.is_null() {
        return "none".to_string();
    }
    retry["worst_case_ms"].as_u64().map_or_else(|| "unbounded".to_string(), human)
}

fn schedule(retry: &Value) -> String {
    match retry["schedule_ms"].as_array() {
        Some(list) if !list.is_empty() => {
            let mut s: Vec<String> = list.iter().map(duration).collect();
            if retry["schedule_truncated"] == true {
                s.push("…".to_string());
            }
            s.join(", ")
        }
        _ => "none".to_string(),
    }
}

fn idempotency(node: &Value) -> String {
    match (&node["idempotent"], node["idempotency_key"].as_str()) {
        (_, Some(key)) => format!("yes, key `{}`", code(key)),
        (Value::Bool(true), _) => "yes".to_string(),
        (Value::Bool(false), _) => "no".to_string(),
        _ => "not declared".to_string(),
    }
}

/// The retry in words: "5 attempts over at most 57.5 s, 10 s per attempt".
fn policy_words(node: &Value) -> String {
    let retry = &node["retry"];
    let whole = node["workflow"]["worst_case_ms"].as_u64();
    let mut s = if retry.is_null() {
        match whole {
            Some(w) => return format!("the whole run takes at most {}", human(w)),
            None => "no retry".to_string(),
        }
    } else {
        match (retry["max_attempts"].as_u64(), retry["worst_case_ms"].as_u64()) {
            (Some(n), Some(w)) => format!("{n} attempts over at most {}", human(w)),
            (Some(n), None) => format!("{n} attempts with no bound on time"),
            (None, Some(w)) => format!("retries for at most {}", human(w)),
            (None, None) => "retries forever".to_string(),
        }
    };
    if let Some(t) = node["timeout_ms"].as_u64() {
        s.push_str(&format!(", {} per attempt", human(t)));
    }
    if let Some(w) = whole {
        s.push_str(&format!(", the whole run at most {}", human(w)));
    }
    s
}

fn policy_change(old: &Value, new: &Value) -> Option<PolicyChange> {
    let (or, nr) = (&old["retry"], &new["retry"]);
    let mut fields = Vec::new();
    let mut field = |label: &'static str, a: String, b: String| {
        if a != b {
            fields.push((label, a, b));
        }
    };
    field("attempts", attempts(or), attempts(nr));
    field("schedule", schedule(or), schedule(nr));
    field("worst case", worst(or), worst(nr));
    field("timeout", duration(&old["timeout_ms"]), duration(&new["timeout_ms"]));
    field("idempotent", idempotency(old), idempotency(new));
    field(
        "workflow worst case",
        duration(&old["workflow"]["worst_case_ms"]),
        duration(&new["workflow"]["worst_case_ms"]),
    );
    if fields.is_empty() {
        return None;
    }
    Some(PolicyChange { node: name(new), summary: (policy_words(old), policy_words(new)), fields })
}

type EdgeKey<'a> = (&'a str, &'a str, &'a str);

fn dependency_edges(graph: &Value) -> BTreeMap<EdgeKey<'_>, &Value> {
    let list = graph["edges"].as_array().map(Vec::as_slice).unwrap_or_default();
    list.iter()
        .filter(|e| matches!(e["kind"].as_str(), Some("depends_on" | "calls")))
        .filter_map(|e| Some(((e["from"].as_str()?, e["to"].as_str()?, e["kind"].as_str()?), e)))
        .collect()
}

/// Findings keyed so a finding that only moved lines is the same finding.
fn findings(graph: &Value) -> BTreeMap<(String, String, String), Vec<&Value>> {
    let mut out: BTreeMap<_, Vec<&Value>> = BTreeMap::new();
    for f in graph["findings"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let key = (
            f["code"].as_str().unwrap_or_default().to_string(),
            f["node"].as_str().unwrap_or_default().to_string(),
            f["file"].as_str().unwrap_or_default().to_string(),
        );
        out.entry(key).or_default().push(f);
    }
    out
}

fn finding_line(f: &Value) -> String {
    format!(
        "**{}** `{}` at {}:{}: {}",
        f["severity"].as_str().unwrap_or("?"),
        code(f["code"].as_str().unwrap_or("?")),
        code(f["file"].as_str().unwrap_or("?")),
        f["line"].as_u64().unwrap_or(0),
        text(f["message"].as_str().unwrap_or(""))
    )
}

fn set(v: &Value) -> BTreeSet<&str> {
    v.as_array().map(Vec::as_slice).unwrap_or_default().iter().filter_map(Value::as_str).collect()
}

pub fn compare(old: &Value, new: &Value) -> Changes {
    let (on, nn) = (nodes(old), nodes(new));
    let mut c = Changes::default();
    for (id, n) in &nn {
        match on.get(id) {
            None => {
                let line = format!("{}{}", name(n), at(&n["sources"]));
                match n["kind"].as_str() {
                    Some("alert") => c.alerts_added.push(line),
                    Some("runbook") => c.runbooks_added.push(line),
                    _ => c.nodes_added.push(line),
                }
            }
            Some(o) => {
                c.policies.extend(policy_change(o, n));
                let (ob, nb) = (set(&o["blast_radius"]), set(&n["blast_radius"]));
                let grown: Vec<String> = nb.difference(&ob).map(|id| name_of(&nn, id)).collect();
                if !grown.is_empty() {
                    c.blast_grew.push(format!(
                        "{}: {} → {} nodes depend on it; new: {}",
                        name(n),
                        ob.len(),
                        nb.len(),
                        grown.join(", ")
                    ));
                }
                match (o["runbook"].as_str(), n["runbook"].as_str()) {
                    (None, Some(r)) => c.runbooks_added.push(format!("{}: {}", name(n), text(r))),
                    (Some(r), None) => c.runbooks_lost.push(format!("{}: was {}", name(n), text(r))),
                    (Some(a), Some(b)) if a != b => {
                        c.runbooks_added.push(format!("{}: {} (was {})", name(n), text(b), text(a)))
                    }
                    _ => {}
                }
                if o["owner"] != n["owner"] {
                    let owner =
                        |v: &Value| v.as_str().map_or_else(|| "nobody".to_string(), |s| format!("`{}`", code(s)));
                    c.owners.push(format!("{}: {} → {}", name(n), owner(&o["owner"]), owner(&n["owner"])));
                }
            }
        }
    }
    for (id, o) in &on {
        if !nn.contains_key(id) {
            let line = format!("{}{}", name(o), at(&o["sources"]));
            match o["kind"].as_str() {
                Some("alert") => c.alerts_lost.push(line),
                Some("runbook") => c.runbooks_lost.push(line),
                _ => c.nodes_removed.push(line),
            }
        }
    }

    let (oe, ne) = (dependency_edges(old), dependency_edges(new));
    let edge = |all: &BTreeMap<&str, &Value>, (from, to, kind): &EdgeKey, e: &Value| {
        format!("{} → {} ({kind}){}", name_of(all, from), name_of(all, to), at(&e["sources"]))
    };
    for (key, e) in &ne {
        if !oe.contains_key(key) {
            c.dependencies_added.push(edge(&nn, key, e));
        }
    }
    for (key, e) in &oe {
        if !ne.contains_key(key) {
            c.dependencies_removed.push(edge(&on, key, e));
        }
    }

    let (of, nf) = (findings(old), findings(new));
    for (key, list) in &nf {
        let before = of.get(key).map_or(0, Vec::len);
        c.findings_introduced.extend(list.iter().skip(before).map(|f| finding_line(f)));
    }
    for (key, list) in &of {
        let after = nf.get(key).map_or(0, Vec::len);
        c.findings_fixed.extend(list.iter().skip(after).map(|f| finding_line(f)));
    }
    c.runbooks_to_review = stale_runbooks(old, new);
    c
}

/// Each hand-written runbook (by file) with the facts of what it covers, as `opsbook.lock`
/// would record them. A graph.json without the runbook's `file` has none.
fn runbooks(graph: &Value) -> BTreeMap<&str, (&Value, Section)> {
    let all = nodes(graph);
    let mut covers: BTreeMap<&str, Section> = BTreeMap::new();
    for e in graph["edges"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let (Some(from), Some(to)) = (e["from"].as_str(), e["to"].as_str()) else { continue };
        if e["kind"] != "documents" {
            continue;
        }
        let facts: NodeFacts = all
            .get(to)
            .and_then(|t| t["facts"].as_object())
            .map(|f| f.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        covers.entry(from).or_default().insert(to.to_string(), facts);
    }
    all.iter()
        .filter(|(_, n)| n["kind"] == "runbook")
        .filter_map(|(id, n)| Some((n["file"].as_str()?, (*n, covers.remove(id).unwrap_or_default()))))
        .collect()
}

/// The runbooks of `new` whose covered facts differ from `old`'s, in the words of
/// `stale-runbook`. A runbook new in `new` is not listed: nothing it was written against changed.
fn stale_runbooks(old: &Value, new: &Value) -> Vec<String> {
    let (before, nn) = (runbooks(old), nodes(new));
    let name_of = |id: &str| nn.get(id).and_then(|n| n["name"].as_str()).map(str::to_string);
    runbooks(new)
        .into_iter()
        .filter_map(|(file, (node, now))| {
            let changed = fingerprint::changes_named(&before.get(file)?.1, &now, name_of);
            if changed.is_empty() {
                return None;
            }
            let title = node["title"].as_str().filter(|t| !t.is_empty()).unwrap_or(file);
            Some(format!("**{}** (`{}`): {}", prose(title), code(file), prose(&changed.join("; "))))
        })
        .collect()
}

/// Like [`text`], but keeps `>`: without a `<` no tag can open, and `5 -> 8` stays as the
/// `stale-runbook` finding says it.
fn prose(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn section(out: &mut String, title: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    out.push_str(&format!("\n### {title}\n\n"));
    for item in items {
        out.push_str(&format!("- {item}\n"));
    }
}

/// The Markdown comment; empty when nothing changed.
pub fn markdown(c: &Changes) -> String {
    if c.is_empty() {
        return String::new();
    }
    let mut out = String::from("## Operational changes\n");
    let counts = [
        (
            c.policies.len(),
            "node with retry, timeout or idempotency changes",
            "nodes with retry, timeout or idempotency changes",
        ),
        (c.dependencies_added.len(), "dependency added", "dependencies added"),
        (c.dependencies_removed.len(), "dependency removed", "dependencies removed"),
        (c.findings_introduced.len(), "finding introduced", "findings introduced"),
        (c.findings_fixed.len(), "finding fixed", "findings fixed"),
        (c.runbooks_to_review.len(), "runbook to review", "runbooks to review"),
    ];
    let summary: Vec<String> = counts
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if *n == 1 { one } else { many }))
        .collect();
    if !summary.is_empty() {
        out.push_str(&format!("\n{}.\n", summary.join(", ")));
    }
    if !c.policies.is_empty() {
        out.push_str("\n### Retries, timeouts and idempotency\n\n");
        for p in &c.policies {
            out.push_str(&format!("- {}: {} → **{}**\n", p.node, p.summary.0, p.summary.1));
        }
        out.push_str("\n| node | what | before | after |\n| --- | --- | --- | --- |\n");
        for p in &c.policies {
            for (field, before, after) in &p.fields {
                out.push_str(&format!("| {} | {field} | {} | {} |\n", p.node, text(before), text(after)));
            }
        }
    }
    section(&mut out, "Runbooks to review", &c.runbooks_to_review);
    section(&mut out, "Dependencies added", &c.dependencies_added);
    section(&mut out, "Dependencies removed", &c.dependencies_removed);
    section(&mut out, "Blast radius grew", &c.blast_grew);
    section(&mut out, "Findings introduced", &c.findings_introduced);
    section(&mut out, "Findings fixed", &c.findings_fixed);
    section(&mut out, "Alerts added", &c.alerts_added);
    section(&mut out, "Alerts lost", &c.alerts_lost);
    section(&mut out, "Runbooks added or changed", &c.runbooks_added);
    section(&mut out, "Runbooks lost", &c.runbooks_lost);
    section(&mut out, "Owners changed", &c.owners);
    section(&mut out, "Nodes added", &c.nodes_added);
    section(&mut out, "Nodes removed", &c.nodes_removed);
    out
}
