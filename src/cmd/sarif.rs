//! SARIF 2.1.0 for code-scanning uploads: one run, one rule per finding code, one result per finding.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::analyze::Finding;
use crate::analyze::codes::{self, CODES};
use crate::config::FindingsConfig;
use crate::diag::Severity;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://crates.io/crates/opsbook";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The SARIF log of `findings`. Rules list every known code (at its configured level; an
/// allowed code is `none`) and any other code a finding carries; `prefix` makes each file
/// relative to the working directory.
pub fn log(findings: &[Finding], config: &FindingsConfig, prefix: &str) -> Value {
    let mut ids: Vec<&str> = CODES.iter().map(|c| c.code).collect();
    let known: BTreeSet<&str> = ids.iter().copied().collect();
    let extra: BTreeSet<&str> = findings.iter().map(|f| f.code.as_str()).filter(|c| !known.contains(c)).collect();
    ids.extend(extra);
    let rules: Vec<Value> = ids
        .iter()
        .map(|&id| {
            let c = codes::find(id);
            let default = c.map_or(Severity::Warning, |c| c.severity);
            let configured = config.level(id, default).map_or("none", level);
            json!({
                "id": id,
                "name": id,
                "shortDescription": {"text": c.map_or(id, |c| c.short)},
                "fullDescription": {"text": c.map_or(id, |c| c.full)},
                "help": {"text": c.map_or("", |c| c.help)},
                "defaultConfiguration": {"level": configured},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let mut physical = json!({
                "artifactLocation": {"uri": crate::render::links::encode_path(&format!("{prefix}{}", f.file)), "uriBaseId": "%SRCROOT%"},
            });
            if f.line > 0 {
                physical["region"] = json!({"startLine": f.line, "startColumn": f.column.max(1)});
            }
            let mut result = json!({
                "ruleId": f.code,
                "ruleIndex": ids.iter().position(|&id| id == f.code).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": format!("{}\nhelp: {}", f.message, f.help)},
                "locations": [{"physicalLocation": physical}],
            });
            if let Some(node) = &f.node {
                result["properties"] = json!({"node": node});
            }
            result
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "opsbook",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }},
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    #[test]
    fn results_point_at_their_rule_and_location() {
        let f = Finding::new(
            "no-owner",
            Severity::Warning,
            Some("service:a"),
            &Source::new("my dir/c.yaml", 4, 2),
            "m",
            "h",
        );
        let config = FindingsConfig {
            deny: vec!["no-signal".into()],
            allow: vec!["dependency-cycle".into()],
            ..Default::default()
        };
        let log = log(&[f], &config, "ex/");
        let run = &log["runs"][0];
        let r = &run["results"][0];
        assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "ex/my%20dir/c.yaml");
        assert_eq!(r["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
        let rule = &run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "no-owner");
        let level = |id: &str| {
            run["tool"]["driver"]["rules"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
                ["defaultConfiguration"]["level"]
                .clone()
        };
        assert_eq!(level("no-signal"), "error");
        assert_eq!(level("dependency-cycle"), "none");
        assert_eq!(level("no-owner"), "warning");
    }
}
