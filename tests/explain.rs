//! `opsbook explain`: one node's runbook in the terminal.

mod common;

use std::path::{Path, PathBuf};

use common::{opsbook, stderr};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash")
}

#[test]
fn explains_a_step_with_recovery_retries_blast_radius_and_sources_plain_when_piped() {
    let output = opsbook().args(["explain", "push_order"]).arg(example()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = String::from_utf8(output.stdout).unwrap();
    assert!(!out.contains('\x1b'), "no colour codes when piped:\n{out}");
    assert!(out.starts_with("push_order step erp-sync/src/erp.rs:97\n"), "{out}");
    let section = |title: &str| {
        let start = out.find(&format!("\n{title}\n")).unwrap_or_else(|| panic!("no {title} in\n{out}"));
        let rest = &out[start + title.len() + 2..];
        rest[..rest.find("\n\n").unwrap_or(rest.len())].to_string()
    };
    assert!(section("Owner").contains("team-integrations erp-sync/src/erp.rs:79"));
    let recovery = section("Recovery");
    assert!(
        recovery.contains("3. Replay from the dead-letter queue with erpctl replay --since 1h. erp-sync/src/erp.rs:95")
    );
    let retries = section("Retries and timeouts");
    assert!(retries.contains("schedule: waits 500 ms, 1 s, 2 s, 4 s between attempts"), "{retries}");
    assert!(retries.contains("worst case: 57.5 s (57500 ms)"), "{retries}");
    assert!(retries.contains("timeout: 10 s per attempt"), "{retries}");
    assert!(section("Dependencies").contains("depends_on resource:erp-api erp-sync/src/erp.rs:74"));
    let blast = section("Blast radius");
    assert!(blast.contains("3 other nodes") && blast.contains("workflow:order-to-cash"), "{blast}");
    assert!(section("Findings").contains("error retry-without-idempotency"));
    assert!(section("Alerts").contains("ErpSyncFailing"));
}

#[test]
fn a_unique_part_of_a_name_or_an_id_is_enough() {
    for name in ["step:push-order", "PUSH-ORDER", "push_ord"] {
        let output = opsbook().args(["explain", name]).arg(example()).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{name}: {}", stderr(&output));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("push_order step"), "{name}");
    }
}

#[test]
fn an_unknown_name_exits_2_with_the_closest_names() {
    let output = opsbook().args(["explain", "pusj_ordr"]).arg(example()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let err = stderr(&output);
    assert!(err.contains("no node in") && err.contains("named `pusj_ordr`"), "{err}");
    assert!(err.contains("did you mean push_order (step)"), "{err}");
    let output = opsbook().args(["explain", "qqqqqqqqqqqqqqqq"]).arg(example()).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!stderr(&output).contains("did you mean"), "nothing close, no guesses");
}
