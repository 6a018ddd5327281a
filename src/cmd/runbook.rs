//! `opsbook runbook new NAME [DIR]`: writes a runbook skeleton for a node, pre-filled with its facts.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

use crate::Book;
use crate::analyze::fingerprint;
use crate::cmd::{Outcome, load_config, out_dir};
use crate::model::{EdgeKind, Node, NodeKind, slugify};

#[derive(Clone, Debug, Default)]
pub struct NewArgs {
    /// A node's name or id.
    pub name: String,
    pub dir: PathBuf,
}

/// Kinds preferred when a name is shared: what an on-call engineer writes runbooks for.
const PREFERRED: [NodeKind; 8] = [
    NodeKind::Step,
    NodeKind::Workflow,
    NodeKind::Service,
    NodeKind::Alert,
    NodeKind::Resource,
    NodeKind::Api,
    NodeKind::System,
    NodeKind::Team,
];

pub fn new(args: &NewArgs) -> Result<Outcome> {
    let root = args.dir.as_path();
    if !root.is_dir() {
        bail!("{} is not a folder", root.display());
    }
    let config = match load_config(root)? {
        Ok(c) => c,
        Err((d, _)) => bail!("opsbook.toml is not valid ({}: {}); nothing was written", d.source, d.message),
    };
    let book = crate::run(root, &config, &out_dir(root, &config, None));
    let Some(node) = find(&book, &args.name) else {
        bail!(
            "no node of {} is named `{}`: use a name or an id from the book (`step:push-order`)",
            root.display(),
            args.name
        );
    };
    let rel = std::path::Path::new(config.runbooks.trim_matches('/'));
    if rel.components().any(|c| !matches!(c, std::path::Component::Normal(_))) {
        bail!("`runbooks = \"{}\"` in opsbook.toml must be a folder inside {}", config.runbooks, root.display());
    }
    let folder = root.join(rel);
    let path = folder.join(format!("{}.md", node.slug));
    if path.exists() {
        bail!("{} already exists; opsbook does not overwrite a runbook", path.display());
    }
    std::fs::create_dir_all(&folder).with_context(|| format!("cannot create {}", folder.display()))?;
    let text = skeleton(&book, node, &today());
    // `create_new` so that a file made since the check above is not overwritten either.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    crate::cmd::report::eprint(&format!(
        "Wrote {}. Edit it, then run `opsbook review {}` to record the facts it was written against.\n",
        path.display(),
        path.display()
    ));
    Ok(Outcome::Success)
}

/// A node by id, by name, by function name or by slug, in the preferred kinds' order.
fn find<'a>(book: &'a Book, name: &str) -> Option<&'a Node> {
    if let Some(n) = book.graph.node(name) {
        return Some(n);
    }
    let slug = slugify(name);
    let tests: [&dyn Fn(&Node) -> bool; 3] =
        [&|n: &Node| n.name == name, &|n: &Node| n.attrs.function.as_deref() == Some(name), &|n: &Node| n.slug == slug];
    tests.iter().find_map(|test| {
        PREFERRED
            .iter()
            .find_map(|&k| book.graph.nodes().map(|(_, n)| n).find(|n| n.kind == k && !n.external && test(n)))
    })
}

/// The skeleton: front matter, then the sections on-call engineers expect, each pre-filled
/// with what the book already knows, in live values that stay true.
pub fn skeleton(book: &Book, node: &Node, date: &str) -> String {
    let (graph, analysis) = (&book.graph, &book.analysis);
    let index = graph.by_id[&node.id];
    let facts = fingerprint::facts(graph, analysis, index);
    let id = &node.id;
    let mut s = String::new();
    let _ = writeln!(s, "---\ntitle: {} fails\ncovers: [{id}]", yaml_text(&node.name));
    if let Some(owner) = &node.attrs.owner {
        let _ = writeln!(s, "owner: {}", yaml_text(&owner.value));
    }
    let severity = if facts.get("idempotent").is_some_and(|v| v == "no") { "critical" } else { "warning" };
    let _ = writeln!(s, "severity: {severity}\nreviewed: {date}\n---\n");
    let _ = writeln!(s, "# {} fails\n\n## Meaning\n", node.name);
    match &node.attrs.description {
        Some(d) => {
            let _ = writeln!(s, "[[{id}]]: {}\n", d.trim());
        }
        None => {
            let _ = writeln!(s, "[[{id}]] has failed or is failing.\n");
        }
    }
    let live = [
        ("retry.max_attempts", "Attempts, the first included"),
        ("retry.schedule", "Waits between attempts"),
        ("retry.worst_case", "Gives up after at most"),
        ("timeout", "Timeout per attempt"),
        ("worst_case", "Worst case, start to end"),
        ("side_effects", "Side effects"),
        ("idempotent", "Idempotent"),
    ];
    for (key, label) in live {
        if facts.contains_key(key) {
            let _ = writeln!(s, "- {label}: {{{{ {id}.{key} }}}}");
        }
    }
    let _ = writeln!(s, "\n## Impact\n");
    match analysis.blast_radius.get(id).filter(|b| !b.is_empty()) {
        Some(ids) => {
            let links: Vec<String> = ids.iter().map(|i| format!("[[{i}]]")).collect();
            let _ = writeln!(s, "When it is down, these stop working too: {}.\n", links.join(", "));
        }
        None => {
            let _ = writeln!(s, "Nothing else in the book depends on it; say here who notices when it fails.\n");
        }
    }
    let _ = writeln!(s, "## Diagnosis\n");
    let alerts: Vec<String> = graph
        .graph
        .edges_directed(index, Direction::Incoming)
        .filter(|e| e.weight().kind == EdgeKind::Alerts)
        .map(|e| format!("[[{}]]", graph.graph[e.source()].id))
        .collect();
    if !alerts.is_empty() {
        let _ = writeln!(s, "- Alerts that fire: {}.", alerts.join(", "));
    }
    let deps: Vec<String> = graph
        .graph
        .edges_directed(index, Direction::Outgoing)
        .filter(|e| matches!(e.weight().kind, EdgeKind::DependsOn | EdgeKind::Calls))
        .map(|e| format!("[[{}]]", graph.graph[e.target()].id))
        .collect();
    if !deps.is_empty() {
        let _ = writeln!(s, "- Check what it depends on: {}.", deps.join(", "));
    }
    for f in &node.attrs.failure_modes {
        let _ = writeln!(s, "- Known failure: {}", f.value.trim());
    }
    let _ = writeln!(s, "- Confirm the failure in its logs and dashboards before acting.\n\n## Mitigation\n");
    if facts.get("idempotent").is_some_and(|v| v == "no") {
        let _ = writeln!(s, "It is **not idempotent**: find out what already happened before you run it again.\n");
    }
    for (i, step) in node.attrs.recovery.iter().enumerate() {
        let _ = writeln!(s, "{}. {}", i + 1, step.value.trim());
    }
    if node.attrs.recovery.is_empty() {
        let _ = writeln!(s, "1. Stop the damage: pause what feeds [[{id}]].\n2. Fix the cause.\n3. Replay or resume.");
    }
    let _ = writeln!(s, "\n## Escalation\n");
    match &node.attrs.owner {
        Some(o) => {
            let _ = writeln!(s, "Page [[{}]], who own it ({{{{ {id}.owner }}}}).", o.value);
        }
        None => {
            let _ = writeln!(s, "Nobody owns it in the book yet: name the team to page here and in its source.");
        }
    }
    s
}

/// A scalar for YAML front matter: quoted when plain text would be read otherwise.
fn yaml_text(text: &str) -> String {
    let plain = text.chars().all(|c| c.is_alphanumeric() || " _-./()".contains(c)) && !text.starts_with(' ');
    if plain { text.to_string() } else { serde_json::to_string(text).unwrap_or_default() }
}

/// Today's date in UTC, `YYYY-MM-DD` (Howard Hinnant's days-to-civil algorithm).
fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
