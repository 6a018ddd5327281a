//! The catalogue of finding codes: what each catches and how to fix it, for `check`'s SARIF
//! rules and anything else that lists codes rather than findings.

use crate::diag::Severity;

/// One finding code as a tool's rule.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    pub code: &'static str,
    pub severity: Severity,
    /// One line: what it catches.
    pub short: &'static str,
    /// What happens in production.
    pub full: &'static str,
    /// How to fix it.
    pub help: &'static str,
}

const fn code(
    code: &'static str,
    severity: Severity,
    short: &'static str,
    full: &'static str,
    help: &'static str,
) -> Code {
    Code { code, severity, short, full, help }
}

use Severity::{Error, Warning};

/// Every code a finding can carry, in the README's order.
pub const CODES: &[Code] = &[
    code(
        "parse-error",
        Error,
        "A source that could not be read",
        "A source file could not be read, or a definition was read only in part; its facts are missing from the book.",
        "Fix the syntax error at the location shown; the rest of the build goes on without it.",
    ),
    code(
        "retry-without-idempotency",
        Error,
        "A retried step with side effects that is not declared idempotent",
        "Every retry repeats the side effect: a payment charged twice, an order created twice.",
        "Make the side effect idempotent (an idempotency key, an upsert) and declare `idempotent: key=<expr>`, or stop retrying it.",
    ),
    code(
        "unbounded-retry",
        Warning,
        "A retry with no attempt limit and no elapsed-time limit",
        "While its dependency is down it never gives up, never reports the failure, and keeps load on the dependency.",
        "Bound it with a maximum number of attempts or a total time limit.",
    ),
    code(
        "retry-amplification",
        Warning,
        "Nested retries multiply the calls that reach one dependency",
        "Every layer retries all the attempts of the layer under it, so a failing dependency receives the product of the attempts, exactly when it is struggling.",
        "Retry in one layer only and let the others fail fast, or lower the attempts below `max_retry_amplification`.",
    ),
    code(
        "timeout-inversion",
        Warning,
        "A caller gives up before its callee's retries can finish",
        "The caller times out while the callee is still retrying: a late success is thrown away and the caller's own retry starts a second chain.",
        "Give the caller a timeout longer than the callee's worst case, or shrink the callee's retries.",
    ),
    code(
        "missing-error-handler",
        Warning,
        "A workflow task whose failure is neither caught nor documented",
        "When the task fails the whole run fails, with no fallback and no recovery steps for the on-call engineer.",
        "Add a catch or error path, or document the recovery in a `# Recovery` section.",
    ),
    code(
        "missing-timeout",
        Warning,
        "A step that can wait forever",
        "An HTTP call, or a step waiting for a callback or a person, with no timeout hangs as long as the other side does.",
        "Set a timeout on the client, the request or the task.",
    ),
    code(
        "dangling-reference",
        Error,
        "A name that resolves to nothing",
        "A dependency names something the repository does not define: a typo, or a service that was removed.",
        "Fix the name, or define what it names.",
    ),
    code(
        "dependency-cycle",
        Warning,
        "Nodes that depend on each other in a loop",
        "None of them can start or recover first; one failure takes down the whole loop.",
        "Break the loop: make one of the dependencies asynchronous or optional.",
    ),
    code(
        "no-owner",
        Warning,
        "A service, workflow or alert nobody owns",
        "When it breaks, nobody is paged and nobody knows whom to ask.",
        "Declare an owner (`owner:`, `spec.owner`, CODEOWNERS).",
    ),
    code(
        "no-signal",
        Warning,
        "A service with no alert and no health check",
        "When it breaks, nothing notices until a user does.",
        "Add a health check or an alert that watches it.",
    ),
    code(
        "alert-without-runbook",
        Warning,
        "An alert whose runbook is missing or points at no page",
        "The engineer who is paged has no instructions.",
        "Set the alert's `runbook_url` to a page that exists.",
    ),
    code(
        "single-point-of-failure",
        Warning,
        "A node that most workflows reach",
        "When it is down, most of the system stops with it.",
        "Add redundancy, a fallback, or make the callers degrade gracefully.",
    ),
    code(
        "doc-code-mismatch",
        Warning,
        "A doc comment that contradicts the code",
        "The documentation promises a retry or timeout the code does not have; the code is what runs.",
        "Update the `# Operations` section to match the code, or the code to match it.",
    ),
    code(
        "stale-runbook",
        Warning,
        "A hand-written runbook whose covered facts changed since `opsbook review`",
        "The runbook describes retries, timeouts or dependencies the code no longer has; at 2 a.m. it sends the reader the wrong way.",
        "Read the runbook against the changes the message lists, update it, then run `opsbook review <runbook>` and commit opsbook.lock.",
    ),
    code(
        "long-worst-case",
        Warning,
        "A retry policy or workflow that can take longer than `max_worst_case`",
        "A failure stays invisible while the retries run, longer than the project accepts.",
        "Bound the retries more tightly, or raise `max_worst_case` in opsbook.toml.",
    ),
    code(
        "unused-allow",
        Warning,
        "An allow, in opsbook.toml or an `opsbook: allow(<code>)` comment, that silences nothing",
        "A stale suppression would silence a new finding of its code without anyone noticing.",
        "Remove the allow, or move the comment onto or just above the line the finding points at.",
    ),
];

/// The catalogue entry of `code`, if it is a known code.
pub fn find(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new rule file without a catalogue entry would upload to code scanning without a
    /// description: every `rules/<code>.rs` must be here, at the severity it reports.
    #[test]
    fn every_rule_file_has_an_entry() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze/rules");
        let mut missing = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            let Some(stem) = name.strip_suffix(".rs") else { continue };
            if matches!(stem, "mod" | "tests") {
                continue;
            }
            if find(&stem.replace('_', "-")).is_none() {
                missing.push(stem.to_string());
            }
        }
        assert!(missing.is_empty(), "no catalogue entry for {missing:?}");
        assert_eq!(find("retry-without-idempotency").unwrap().severity, Severity::Error);
        assert!(find("unused-allow").is_some());
    }
}
