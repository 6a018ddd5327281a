//! `opsbook check` end to end: the same findings, lines, levels and exit code in every format,
//! suppressions by config and by comment, and the report of allows that match nothing.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

const GATE: &str = "tests/fixtures/check/gate";
const LIB: &str = "tests/fixtures/check/gate/payments/src/lib.rs";

/// Runs `opsbook check GATE --format FORMAT` from the crate root, as CI runs it from the
/// repository root, so paths come out relative to it.
fn check(dir: &Path, format: &str) -> std::process::Output {
    opsbook().current_dir(env!("CARGO_MANIFEST_DIR")).args(["check", "--format", format]).arg(dir).output().unwrap()
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The gate's findings as (severity, code, file, line), which every format must agree on.
fn expected() -> Vec<(&'static str, &'static str, String, u64)> {
    vec![
        ("error", "unbounded-retry", LIB.to_string(), 56),
        ("warning", "unused-allow", format!("{GATE}/opsbook.toml"), 6),
        ("warning", "retry-amplification", LIB.to_string(), 13),
        ("warning", "unused-allow", LIB.to_string(), 60),
    ]
}

#[test]
fn json_lists_the_findings_of_the_contract_and_exits_1_on_an_error() {
    let output = check(Path::new(GATE), "json");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let findings: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let got: Vec<_> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = format!("{GATE}/{}", f["file"].as_str().unwrap());
            (f["severity"].as_str().unwrap(), f["code"].as_str().unwrap(), file, f["line"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(got, expected());
    // Paths in JSON are the contract's: relative to the checked folder, like graph.json.
    assert_eq!(findings[0]["file"], "payments/src/lib.rs");
    let amp = &findings[2];
    assert_eq!(amp["node"], "step:handle-order-placed");
    let message = amp["message"].as_str().unwrap();
    assert!(message.starts_with("up to 20 calls reach resource `card-provider`"), "{message}");
    // Each layer with its source line.
    assert!(message.contains("× 4 (doc, payments/src/lib.rs:13:7)"), "{message}");
    assert!(message.contains("× 5 (doc, payments/src/lib.rs:27:7)"), "{message}");
}

#[test]
fn github_annotations_carry_file_line_column_and_code() {
    let output = check(Path::new(GATE), "github");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for (line, (severity, code, file, at)) in lines.iter().zip(expected()) {
        let head = format!("::{severity} file={file},line={at},");
        assert!(line.starts_with(&head), "{line} should start with {head}");
        assert!(line.contains(&format!(",title={code}::")), "{line}");
    }
    // The amplification message's arrow and backticks pass through; the message is one line.
    assert!(lines[2].contains("(handle_order_placed → capture_card)"), "{}", lines[2]);
}

#[test]
fn human_output_has_snippets_and_a_summary() {
    let output = check(Path::new(GATE), "human");
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains(&format!("[{LIB}:56:7]")), "{err}");
    assert!(err.contains("retry: attempts=unbounded initial=30s"), "the snippet shows the line: {err}");
    assert!(err.contains(&format!("[{GATE}/opsbook.toml:6:1]")), "{err}");
    assert!(err.contains("  \"dependency-cycle\","), "the unused allow's line is shown: {err}");
    assert!(err.contains("1 errors, 3 warnings, 0 notes; failed: 1 at or above `error`."), "{err}");
    assert!(stdout(&output).is_empty(), "human output goes to stderr");
}

/// The schema's required properties (SARIF 2.1.0, sarif-schema-2.1.0.json), checked on every
/// object that has them, plus the enumerations of `level`.
fn assert_valid_sarif(log: &Value) {
    let required = |v: &Value, keys: &[&str], what: &str| {
        for k in keys {
            assert!(v.get(*k).is_some(), "{what} lacks required `{k}`: {v}");
        }
    };
    required(log, &["version", "runs"], "sarifLog");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    for run in log["runs"].as_array().unwrap() {
        required(run, &["tool"], "run");
        required(&run["tool"], &["driver"], "tool");
        let driver = &run["tool"]["driver"];
        required(driver, &["name", "version", "informationUri", "rules"], "driver");
        let rules = driver["rules"].as_array().unwrap();
        for rule in rules {
            required(rule, &["id", "shortDescription", "fullDescription", "help", "defaultConfiguration"], "rule");
            for m in ["shortDescription", "fullDescription", "help"] {
                assert!(!rule[m]["text"].as_str().unwrap().is_empty(), "{rule}");
            }
            let level = rule["defaultConfiguration"]["level"].as_str().unwrap();
            assert!(["none", "note", "warning", "error"].contains(&level), "{rule}");
        }
        for result in run["results"].as_array().unwrap() {
            required(result, &["message", "ruleId", "level", "locations"], "result");
            assert!(result["message"]["text"].is_string());
            assert!(["none", "note", "warning", "error"].contains(&result["level"].as_str().unwrap()));
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"]);
            for loc in result["locations"].as_array().unwrap() {
                let physical = &loc["physicalLocation"];
                let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
                assert!(!uri.starts_with('/') && !uri.contains('\\'), "relative, forward slashes: {uri}");
                assert!(physical["region"]["startLine"].as_u64().unwrap() >= 1);
                assert!(physical["region"]["startColumn"].as_u64().unwrap() >= 1);
            }
        }
    }
}

#[test]
fn sarif_is_valid_2_1_0_with_rules_and_located_results() {
    let output = check(Path::new(GATE), "sarif");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let log: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    assert_valid_sarif(&log);
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "opsbook");
    let got: Vec<_> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let p = &r["locations"][0]["physicalLocation"];
            (
                r["level"].as_str().unwrap(),
                r["ruleId"].as_str().unwrap(),
                p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
                p["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected());
    // The config's levels are the rules' levels: denied is an error, allowed is none.
    let level = |id: &str| {
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        rules.iter().find(|r| r["id"] == id).unwrap()["defaultConfiguration"]["level"].clone()
    };
    assert_eq!(level("unbounded-retry"), "error");
    assert_eq!(level("no-signal"), "none");
    assert_eq!(level("retry-amplification"), "warning");
}

/// Copies the gate fixture so a test can change it.
fn gate_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for rel in ["opsbook.toml", "compose.yaml", "payments/src/lib.rs"] {
        let to = dir.path().join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixture("check/gate").join(rel), to).unwrap();
    }
    dir
}

fn codes(dir: &Path) -> (Option<i32>, Vec<(String, String, u64)>) {
    let output = check(dir, "json");
    let findings: Value = serde_json::from_str(&stdout(&output)).expect("JSON");
    let codes = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (f["code"].as_str().unwrap().into(), f["severity"].as_str().unwrap().into(), f["line"].as_u64().unwrap())
        })
        .collect();
    (output.status.code(), codes)
}

#[test]
fn suppressions_by_comment_and_by_config_and_what_happens_without_them() {
    let dir = gate_copy();
    let lib = dir.path().join("payments/src/lib.rs");
    let text = std::fs::read_to_string(&lib).unwrap();

    // Without the comment, the retried refund is an error at its function.
    let without = text.replace("// opsbook: allow(retry-without-idempotency)", "//");
    std::fs::write(&lib, &without).unwrap();
    let (_, found) = codes(dir.path());
    assert!(found.contains(&("retry-without-idempotency".into(), "error".into(), 46)), "{found:?}");

    // Without the config's allow, the compose service's missing signal is reported.
    std::fs::write(&lib, &text).unwrap();
    std::fs::write(dir.path().join("opsbook.toml"), "[findings]\ndeny = [\"unbounded-retry\"]\n").unwrap();
    let (_, found) = codes(dir.path());
    assert!(found.iter().any(|(c, _, _)| c == "no-signal"), "{found:?}");
    assert!(!found.iter().any(|(c, _, l)| c == "unused-allow" && *l == 6), "{found:?}");

    // Without the deny, nothing is an error: exit 0; a stricter `fail_on` fails on warnings.
    std::fs::write(dir.path().join("opsbook.toml"), "[findings]\nallow = [\"no-signal\"]\n").unwrap();
    let (status, found) = codes(dir.path());
    assert_eq!(status, Some(0), "{found:?}");
    assert!(found.contains(&("unbounded-retry".into(), "warning".into(), 56)), "{found:?}");
    std::fs::write(dir.path().join("opsbook.toml"), "[findings]\nallow = [\"no-signal\"]\nfail_on = \"warning\"\n")
        .unwrap();
    assert_eq!(codes(dir.path()).0, Some(1));

    // The amplification limit is configurable: 20 calls pass a limit of 20.
    std::fs::write(
        dir.path().join("opsbook.toml"),
        "[findings]\nallow = [\"no-signal\"]\nmax_retry_amplification = 20\n",
    )
    .unwrap();
    let (_, found) = codes(dir.path());
    assert!(!found.iter().any(|(c, _, _)| c == "retry-amplification"), "{found:?}");
}

#[test]
fn a_broken_config_exits_2_and_a_missing_folder_too() {
    let dir = gate_copy();
    std::fs::write(dir.path().join("opsbook.toml"), "[findings]\nfail_on = \"loud\"\n").unwrap();
    let output = check(dir.path(), "json");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("opsbook.toml"), "{}", stderr(&output));
    assert_eq!(check(&dir.path().join("nowhere"), "human").status.code(), Some(2));
}

#[test]
fn init_writes_a_config_that_check_accepts_and_never_overwrites_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = opsbook().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = std::fs::read_to_string(dir.path().join("opsbook.toml")).unwrap();
    assert!(text.contains("# max_retry_amplification = 10"), "{text}");
    std::fs::write(dir.path().join("opsbook.toml"), format!("{text}\n# edited\n")).unwrap();
    let again = opsbook().arg("init").arg(dir.path()).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(std::fs::read_to_string(dir.path().join("opsbook.toml")).unwrap().ends_with("# edited\n"));
    // An empty project with the default config passes the gate.
    let output = check(dir.path(), "github");
    assert_eq!((output.status.code(), stdout(&output)), (Some(0), String::new()), "{}", stderr(&output));
}

#[test]
fn a_broken_source_is_an_error_with_its_line_and_the_rest_is_still_checked() {
    let dir = gate_copy();
    std::fs::write(dir.path().join("compose.yaml"), "services:\n  payments:\n    image: [unclosed\n").unwrap();
    let output = check(dir.path(), "github");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    let parse = text.lines().find(|l| l.contains("title=parse-error::")).unwrap_or_else(|| panic!("{text}"));
    assert!(parse.starts_with("::error file=compose.yaml,line="), "{parse}");
    assert!(text.contains("title=retry-amplification::"), "the Rust file is still checked: {text}");
}

#[test]
fn check_json_is_the_findings_of_the_books_graph_json() {
    let (out, output) = build(&fixture("check/gate"));
    assert!(output.status.success(), "{}", stderr(&output));
    let book = graph(&out.path().join("book"));
    let checked: Value = serde_json::from_str(&stdout(&check(&fixture("check/gate"), "json"))).unwrap();
    assert_eq!(book["findings"], checked);
    // The comment's suppression holds in the book too.
    assert!(findings(&book, "retry-without-idempotency").is_empty());
}
