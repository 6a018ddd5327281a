//! Health checks and restart policies, with compose's defaults filled in.

use crate::diag::Diagnostic;
use crate::extract::duration;
use crate::extract::{HealthCheck, RestartFact};

use super::entry;
use crate::extract::yaml::Node;

/// Values for the keys a `healthcheck` leaves out: Docker's `HEALTHCHECK` defaults.
const INTERVAL_MS: u64 = 30_000;
const TIMEOUT_MS: u64 = 30_000;
const RETRIES: u32 = 3;
const START_PERIOD_MS: u64 = 0;

/// `healthcheck` as one [`HealthCheck`], or `None` when it is disabled (`disable: true`,
/// `test: ["NONE"]`). A health check without `test` keeps the image's own command and
/// only changes its timing.
pub fn healthcheck(path: &str, key: &Node, hc: &Node, diags: &mut Vec<Diagnostic>) -> Option<HealthCheck> {
    if hc.is_null() {
        return None;
    }
    if hc.as_map().is_none() {
        diags.push(Diagnostic::warning(
            "invalid-value",
            hc.source(path),
            format!("`healthcheck` must be a mapping, found {}", hc.shape()),
        ));
        return None;
    }
    if hc.get_str("disable") == Some("true") {
        return None;
    }
    let test = match hc.get("test") {
        None => "(the image's HEALTHCHECK)".to_string(),
        Some(test) => test_command(test)?,
    };
    let mut duration = |name: &str, default: u64| match hc.get(name) {
        None => Some(default),
        Some(v) => duration_ms(path, name, v, diags),
    };
    let interval_ms = duration("interval", INTERVAL_MS);
    let timeout_ms = duration("timeout", TIMEOUT_MS);
    let start_period_ms = duration("start_period", START_PERIOD_MS);
    let retries = match hc.get("retries") {
        None => Some(RETRIES),
        Some(v) => count(path, "retries", v, diags),
    };
    Some(HealthCheck {
        source: key.source(path),
        kind: "compose healthcheck".to_string(),
        test,
        interval_ms,
        timeout_ms,
        retries,
        start_period_ms,
    })
}

/// The command a health check runs, as a person would type it; `None` for `["NONE"]`.
fn test_command(test: &Node) -> Option<String> {
    if let Some(text) = test.as_str() {
        // The string form runs through the container's shell, like CMD-SHELL.
        return Some(text.to_string());
    }
    let words: Vec<&str> = test.as_seq()?.iter().filter_map(Node::as_str).collect();
    match words.split_first() {
        None | Some((&"NONE", _)) => None,
        Some((&"CMD-SHELL", rest)) => Some(rest.join(" ")),
        Some((&"CMD", rest)) => Some(rest.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" ")),
        Some(_) => Some(words.iter().map(|w| shell_word(w)).collect::<Vec<_>>().join(" ")),
    }
}

/// An exec-form argument quoted so the joined command still reads as the same words.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if plain { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

/// The restart policy. Swarm's `deploy.restart_policy` wins over `restart` when both are
/// set: `docker stack deploy` ignores `restart`, and `docker compose` (getRestartPolicy
/// in compose/v2) overwrites `restart` with the deploy policy.
pub fn restart(path: &str, body: &Node, diags: &mut Vec<Diagnostic>) -> Option<RestartFact> {
    let deploy_policy = body.get("deploy").and_then(|d| entry(d, "restart_policy"));
    if let Some((key, policy)) = deploy_policy.filter(|(_, p)| !p.is_null()) {
        return swarm_policy(path, key, policy, diags);
    }
    let node = body.get("restart")?;
    let text = node.as_str()?;
    if text.contains('$') {
        // `${RESTART:-always}` is decided at `docker compose up`; guessing would mislead.
        return None;
    }
    let (condition, max_attempts) = match text.split_once(':') {
        Some(("on-failure", n)) => match n.trim().parse::<u32>() {
            Ok(n) => ("on-failure", Some(n)),
            Err(_) => {
                diags.push(invalid(path, node, "restart", text, "`on-failure:<max retries>`, e.g. `on-failure:3`"));
                ("on-failure", None)
            }
        },
        _ => match text {
            "no" => ("no", Some(0)),
            "always" | "on-failure" | "unless-stopped" => (text, None),
            _ => {
                let help = "`no`, `always`, `on-failure[:N]` or `unless-stopped`";
                diags.push(invalid(path, node, "restart", text, help));
                return None;
            }
        },
    };
    Some(RestartFact {
        source: node.source(path),
        condition: condition.to_string(),
        max_attempts,
        delay_ms: None,
        window_ms: None,
        text: format!("restart: {text}"),
    })
}

/// `deploy.restart_policy {condition, delay, max_attempts, window}`, with the compose
/// spec's defaults: condition `any`, delay 0, unlimited attempts, window 0.
fn swarm_policy(path: &str, key: &Node, policy: &Node, diags: &mut Vec<Diagnostic>) -> Option<RestartFact> {
    let Some(map) = policy.as_map() else {
        diags.push(Diagnostic::warning(
            "invalid-value",
            policy.source(path),
            format!("`restart_policy` must be a mapping, found {}", policy.shape()),
        ));
        return None;
    };
    let condition = policy.get_str("condition").unwrap_or("any").to_string();
    let mut duration = |name: &str| match policy.get(name) {
        None => Some(0),
        Some(v) => duration_ms(path, name, v, diags),
    };
    let delay_ms = duration("delay");
    let window_ms = duration("window");
    let max_attempts = match (condition.as_str(), policy.get("max_attempts")) {
        ("none", _) => Some(0),
        (_, None) => None,
        (_, Some(v)) => count(path, "max_attempts", v, diags),
    };
    let written: Vec<String> =
        map.iter().filter_map(|(k, v)| Some(format!("{}: {}", k.as_str()?, v.as_str().unwrap_or_default()))).collect();
    Some(RestartFact {
        source: key.source(path),
        condition,
        max_attempts,
        delay_ms,
        window_ms,
        text: format!("restart_policy: {{{}}}", written.join(", ")),
    })
}

/// A Go-style duration (`1m30s`). An interpolation (`${INTERVAL:-10s}`) is unknown, not
/// wrong; anything else that does not parse is reported.
fn duration_ms(path: &str, name: &str, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<u64> {
    let text = node.as_str()?;
    if text.contains('$') {
        return None;
    }
    let ms = duration::parse_ms(text);
    if ms.is_none() {
        diags.push(invalid(path, node, name, text, "a duration with a unit, e.g. `10s` or `1m30s`"));
    }
    ms
}

/// A whole number such as `retries: 5`; unknown when interpolated.
fn count(path: &str, name: &str, node: &Node, diags: &mut Vec<Diagnostic>) -> Option<u32> {
    let text = node.as_str()?;
    if text.contains('$') {
        return None;
    }
    let n = text.trim().parse::<u32>().ok();
    if n.is_none() {
        diags.push(invalid(path, node, name, text, "a whole number, e.g. `3`"));
    }
    n
}

fn invalid(path: &str, node: &Node, name: &str, text: &str, want: &str) -> Diagnostic {
    Diagnostic::warning("invalid-value", node.source(path), format!("`{name}: {text}` is not understood"))
        .with_len(node.defined.len.unwrap_or(text.len()))
        .with_help(format!("write {want}"))
}
