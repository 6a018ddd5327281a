//! Extractors: one pure function per source format, from a file's bytes to facts.
//!
//! No extractor sees another file or the disk. Everything an extractor knows is a
//! [`Facts`] value whose every item carries a [`Source`]; problems are [`Diagnostic`]s
//! returned beside the facts, never errors that stop the build.

pub mod argo;
pub mod asl;
pub mod backstage;
pub mod bpmn;
pub mod cargo;
pub mod codeowners;
pub mod compose;
pub mod duration;
pub mod gha;
pub mod k8s;
pub mod prometheus;
pub mod runbook;
pub mod rust;
pub mod yaml;

use serde::{Deserialize, Serialize};

use crate::diag::Diagnostic;
use crate::model::{EdgeKind, NodeKind};
use crate::scan::SourceKind;
use crate::source::{Located, Source};

/// What one file says.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub nodes: Vec<NodeFact>,
    pub edges: Vec<EdgeFact>,
    /// A Cargo package rooted at this file's folder (from `Cargo.toml`).
    pub packages: Vec<PackageFact>,
    /// Ownership rules of a CODEOWNERS file, in file order (the last match wins).
    pub owners: Vec<OwnerRule>,
}

/// One line of a CODEOWNERS file: files matching `pattern` are owned by `owners`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OwnerRule {
    /// The pattern as written (gitignore-like, GitHub's rules).
    pub pattern: String,
    /// `@org/team`, `@user` or an e-mail, as written; empty means "no owner" for the match.
    pub owners: Vec<String>,
    /// The folder the patterns are relative to: the repository root that holds the
    /// CODEOWNERS file (`""` for the scanned root; `svc` for `svc/.github/CODEOWNERS`).
    pub root: String,
    pub source: Source,
}

/// The facts of one file and the problems met while reading it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extracted {
    pub facts: Facts,
    pub diagnostics: Vec<Diagnostic>,
}

/// Ways for extractor tests to look into what a file gave.
#[cfg(test)]
impl Extracted {
    /// The names of the workflow nodes, in the order they were emitted.
    pub fn workflow_names(&self) -> Vec<&str> {
        self.facts.nodes.iter().filter(|n| n.kind == NodeKind::Workflow).map(|n| n.name.as_str()).collect()
    }

    /// The node of `kind` named `name`; panics with every fact when there is none.
    pub fn node(&self, kind: NodeKind, name: &str) -> &NodeFact {
        let found = self.facts.nodes.iter().find(|n| n.kind == kind && n.name == name);
        found.unwrap_or_else(|| panic!("no {kind:?} `{name}` in {self:#?}"))
    }

    /// The names of the steps scoped to `scope`, in the order they were emitted.
    pub fn step_names(&self, scope: &str) -> Vec<&str> {
        let in_scope = |n: &&NodeFact| n.kind == NodeKind::Step && n.scope.as_deref() == Some(scope);
        self.facts.nodes.iter().filter(in_scope).map(|n| n.name.as_str()).collect()
    }
}

/// A file of the shared corpus beside the checkout, by its path below `corpus/`.
#[cfg(test)]
pub fn corpus_text(rel: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/").to_string() + rel;
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Runs the extractor that claims `kind`. `path` is relative to the scanned root.
///
/// Total: for any text it returns facts or diagnostics. Each extractor bounds its own
/// recursion and work (the YAML reader's depth and alias budgets, the Rust reader's nesting
/// bound and stack); a panic that still escapes one is the last line of defence, turned
/// into a diagnostic on the file so the rest of the build goes on.
pub fn extract(kind: SourceKind, path: &str, text: &str) -> Extracted {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dispatch(kind, path, text)));
    read.unwrap_or_else(|_| Extracted {
        diagnostics: vec![Diagnostic::error(
            "parse-error",
            Source::new(path, 1, 1),
            "opsbook failed while reading this file (internal error); it was skipped",
        )],
        ..Extracted::default()
    })
}

fn dispatch(kind: SourceKind, path: &str, text: &str) -> Extracted {
    match kind {
        SourceKind::Rust => rust::extract(path, text),
        SourceKind::Compose => compose::extract(path, text),
        SourceKind::CargoManifest => cargo::extract(path, text),
        SourceKind::Asl => asl::extract(path, text),
        SourceKind::GithubActions => gha::extract(path, text),
        SourceKind::Bpmn => bpmn::extract(path, text),
        SourceKind::CodeOwners => codeowners::extract(path, text),
        SourceKind::Runbook => runbook::extract(path, text),
        SourceKind::Yaml | SourceKind::Json => sniffed(path, text),
    }
}

/// [`extract`], but every Rust file is parsed, even one the literal pre-filter
/// (`rust::prefilter`) passes over: the reference the pre-filter is tested against.
pub fn extract_unfiltered(kind: SourceKind, path: &str, text: &str) -> Extracted {
    match kind {
        SourceKind::Rust => rust::extract_unfiltered(path, text),
        _ => extract(kind, path, text),
    }
}

/// A format's cheap test of a file's text.
type Claims = fn(&str) -> bool;
/// A format's reader: a file's path and text to its facts.
type Extractor = fn(&str, &str) -> Extracted;

/// The formats that may live in a YAML or JSON file of no telling name, each with its cheap
/// text test. Several may claim one file: a multi-document manifest can hold Deployments,
/// a PrometheusRule and an Argo workflow side by side, and each reads only its documents.
const SNIFFED: [(Claims, Extractor); 5] = [
    (asl::claims, asl::extract),
    (argo::claims, argo::extract),
    (prometheus::claims, prometheus::extract),
    (backstage::claims, backstage::extract),
    (k8s::claims, k8s::extract),
];

/// A YAML or JSON file whose name does not say what it is: each format that can live in
/// such a file looks at the text first (a substring test, no parse), and every one that
/// claims it reads it. A file nobody claims gives nothing, not even a parse error: most
/// YAML and JSON in a repository is not ours to judge. A parse error that several readers
/// meet is reported once.
fn sniffed(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    for (claims, extract) in SNIFFED {
        if claims(text) {
            let x = extract(path, text);
            out.facts.nodes.extend(x.facts.nodes);
            out.facts.edges.extend(x.facts.edges);
            out.facts.packages.extend(x.facts.packages);
            out.facts.owners.extend(x.facts.owners);
            for d in x.diagnostics {
                if !out.diagnostics.contains(&d) {
                    out.diagnostics.push(d);
                }
            }
        }
    }
    out
}

/// A node as one file describes it. Facts about the same `(kind, name)` from several files
/// are merged by the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NodeFact {
    pub kind: NodeKind,
    pub name: String,
    /// What makes the name unique when it is not unique alone: a state name is unique only
    /// within its state machine (`ship-order`) or branch (`ship-order › Fan out › branch 1`).
    /// Nodes merge by kind, name and scope; the page slug is derived from scope and name.
    pub scope: Option<String>,
    pub source: Source,
    pub attrs: NodeAttrs,
}

impl NodeFact {
    pub fn new(kind: NodeKind, name: impl Into<String>, source: Source) -> NodeFact {
        NodeFact { kind, name: name.into(), scope: None, source, attrs: NodeAttrs::default() }
    }

    /// A node whose name is unique only within `scope`.
    pub fn scoped(kind: NodeKind, name: impl Into<String>, scope: impl Into<String>, source: Source) -> NodeFact {
        NodeFact { scope: Some(scope.into()), ..NodeFact::new(kind, name, source) }
    }
}

/// Operational attributes. Every field is optional: each format fills what it knows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeAttrs {
    /// Markdown prose (a doc comment's summary, a description field). Sanitised at render.
    pub description: Option<String>,
    pub owner: Option<Located<String>>,
    /// The Rust function that defines this step, so `calls` edges resolve even when a
    /// `step:` key renames it.
    pub function: Option<String>,
    /// The service this node belongs to (`service:` key).
    pub service: Option<Located<String>>,
    /// The workflow this step belongs to (`workflow:` key).
    pub workflow: Option<Located<String>>,
    /// Side effects in words (`side-effects:` key, or a mutating HTTP call found in code).
    pub side_effects: Vec<Located<String>>,
    pub idempotent: Option<Located<Idempotency>>,
    /// Retry policies, declared (doc comments, config) and found in code.
    pub retries: Vec<RetryFact>,
    /// Per-attempt timeouts, declared and found in code.
    pub timeouts: Vec<TimeoutFact>,
    /// A whole-operation deadline (`deadline:` key).
    pub deadline: Option<Located<Value<u64>>>,
    pub alerts: Vec<Located<String>>,
    pub dashboard: Option<Located<String>>,
    pub runbook: Option<Located<String>>,
    /// One entry per failure mode, Markdown.
    pub failure_modes: Vec<Located<String>>,
    /// Recovery steps in order, Markdown.
    pub recovery: Vec<Located<String>>,
    pub health_checks: Vec<HealthCheck>,
    pub restart: Option<RestartFact>,
    /// Container image (compose).
    pub image: Option<Located<String>>,
    /// HTTP calls made by this step's code.
    pub http_calls: Vec<HttpCall>,
    /// What a workflow task does, in words: `lambda invoke`, `sqs send`, `container`,
    /// `job`, `service task`. A step with an activity is a task that can fail; states
    /// that only route (Choice, Pass, Wait, gateways) have none.
    pub activity: Option<Located<String>>,
    /// The step waits for something outside itself to answer: a task token, an activity
    /// worker, a person. Without a timeout such a step can wait forever.
    pub waits: Option<Located<String>>,
    /// How the definition handles this step's failure, one entry per handler, in words:
    /// `Catch States.ALL -> NotifyFailure`, `continue-on-error`, `error boundary event`.
    pub error_handling: Vec<Located<String>>,
    /// A fixed time this step spends by design: an ASL Wait state's `Seconds`, a BPMN
    /// timer event. Counted in its workflow's worst case.
    pub duration_ms: Option<Located<Value<u64>>>,
    /// A liveness limit: the step fails when its worker stays silent this long (ASL
    /// `HeartbeatSeconds`). It bounds a waiting step, but not the length of an attempt.
    pub heartbeat_ms: Option<Located<Value<u64>>>,
    /// The labels of a workload's pods (Kubernetes), for Service selectors in other files.
    pub pod_labels: Vec<(String, String)>,
    /// The pods a Kubernetes Service sends traffic to: every pair must be a pod label. The
    /// model joins it to the workloads of every file whose pod labels hold it.
    pub selector: Option<Located<Vec<(String, String)>>>,
    /// A hand-written runbook's front matter, prose, wiki links and live values.
    pub handwritten: Option<Box<runbook::RunbookDoc>>,
}

/// A value written as a literal, or an expression opsbook could not evaluate statically.
/// Unknown values are shown as their source text, never guessed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Value<T> {
    Known(T),
    Unknown { expr: String },
}

impl<T: Copy> Value<T> {
    pub fn known(&self) -> Option<T> {
        match self {
            Value::Known(v) => Some(*v),
            Value::Unknown { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Idempotency {
    Yes,
    No,
    /// Idempotent through a key, e.g. `key=order.id`.
    Key(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Written by a person: a doc comment or a config key.
    Declared,
    /// Found in code: a library call.
    Code,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// delay(n) = initial * factor^n
    Exponential,
    /// The same delay every time.
    Fixed,
    /// delay(n) = initial * fib(n): 1, 1, 2, 3, 5, ...
    Fibonacci,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    None,
    /// Each delay is drawn from [0, d].
    Full,
    /// Each delay is drawn from [d/2, d].
    Equal,
    /// Each delay is d × (1 ± factor), as the backoff crate's randomization_factor.
    Proportional(f64),
    /// Some jitter whose bounds are not known statically.
    Unknown,
}

/// A retry policy as its source states it, already in attempts (the first try counts).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetryFact {
    pub source: Source,
    pub origin: Origin,
    /// `doc`, `tokio-retry`, `backon`, `backoff`, `reqwest-retry`, `compose`, ...
    pub library: String,
    /// The source text of the policy, as written, for display next to the numbers.
    pub text: String,
    pub strategy: Strategy,
    /// Delay before the second attempt.
    pub initial_delay_ms: Value<u64>,
    /// Growth per retry (exponential only; 1.0 otherwise).
    pub factor: Value<f64>,
    /// Cap on one delay; `Known(None)` means no cap.
    pub max_delay_ms: Value<Option<u64>>,
    /// Every try, the first included; `Known(None)` means unbounded.
    pub max_attempts: Value<Option<u32>>,
    /// Give up after this much time in total; `Known(None)` means no limit.
    pub max_elapsed_ms: Value<Option<u64>>,
    pub jitter: Jitter,
    /// The attempt limit as the source writes it, for display beside the attempts:
    /// `MaxAttempts 6`, `limit: "3"`, `.take(4)`, `R3`. `None` when the source sets none.
    pub limit_text: Option<String>,
    /// The errors this policy retries (ASL `ErrorEquals`, Argo `retryPolicy`); empty means
    /// every error.
    pub on_errors: Vec<String>,
}

/// A time limit on one attempt of an operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeoutFact {
    pub source: Source,
    pub origin: Origin,
    /// `doc`, `tokio::time::timeout`, `reqwest::ClientBuilder::timeout`, ...
    pub library: String,
    pub text: String,
    pub ms: Value<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HttpCall {
    pub source: Source,
    /// Upper-case verb: GET, POST, PUT, PATCH, DELETE, HEAD, ...
    pub method: String,
    /// The URL or expression passed, as written.
    pub target: String,
}

impl HttpCall {
    /// POST, PUT, PATCH and DELETE change something on the other side.
    pub fn is_side_effect(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HealthCheck {
    pub source: Source,
    /// `compose healthcheck`, `liveness probe`, ...
    pub kind: String,
    /// The command or request, as written.
    pub test: String,
    pub interval_ms: Option<u64>,
    pub timeout_ms: Option<u64>,
    pub retries: Option<u32>,
    pub start_period_ms: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RestartFact {
    pub source: Source,
    /// `no`, `always`, `on-failure`, `unless-stopped`, `any`, `none`, ...
    pub condition: String,
    /// Restarts allowed; `None` means unlimited.
    pub max_attempts: Option<u32>,
    pub delay_ms: Option<u64>,
    pub window_ms: Option<u64>,
    pub text: String,
}

/// A reference to a node by name. With no kind, the model resolves it against every
/// node of that name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeRef {
    pub kind: Option<NodeKind>,
    pub name: String,
    /// Resolve within this scope first (see [`NodeFact::scope`]).
    pub scope: Option<String>,
}

impl NodeRef {
    pub fn new(kind: NodeKind, name: impl Into<String>) -> NodeRef {
        NodeRef { kind: Some(kind), name: name.into(), scope: None }
    }

    pub fn any(name: impl Into<String>) -> NodeRef {
        NodeRef { kind: None, name: name.into(), scope: None }
    }

    /// A node whose name is unique only within `scope`.
    pub fn scoped(kind: NodeKind, name: impl Into<String>, scope: impl Into<String>) -> NodeRef {
        NodeRef { kind: Some(kind), name: name.into(), scope: Some(scope.into()) }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EdgeFact {
    pub from: NodeRef,
    pub to: NodeRef,
    pub kind: EdgeKind,
    pub source: Source,
    /// How an unresolved `to` is treated.
    pub resolve: Resolve,
    /// Extra words for the edge, e.g. `condition: service_healthy`.
    pub detail: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolve {
    /// Must name a known node: otherwise a `dangling-reference` finding.
    Required,
    /// An unknown name is an external dependency: it becomes a `resource` node.
    External,
    /// Only meaningful if it names a known node: otherwise dropped silently
    /// (a call to a function that is not a step).
    IfKnown,
}

/// A Cargo package: Rust steps in files below `dir` belong to the service `name`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackageFact {
    pub name: String,
    /// Folder of the manifest, relative to the scanned root (`""` for the root).
    pub dir: String,
    pub source: Source,
}
