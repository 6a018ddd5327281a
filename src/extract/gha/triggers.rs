//! The `on:` key in words: "Runs on push to main, pull_request, workflow_dispatch".
//!
//! `on` takes three shapes: one event (`on: push`), a list of events, or a map from event
//! to its filters. Only the filters an on-call engineer reads at a glance are kept:
//! branches and tags, activity types, cron schedules and the workflows a `workflow_run`
//! follows. Path filters are left out: they say which changes, not when.

use crate::extract::yaml::Node;

use super::describe::code;

/// The triggers of a workflow as one sentence, or `None` when `on` is missing or empty.
pub fn words(on: Option<&Node>) -> Option<String> {
    let on = on?;
    let events: Vec<String> = if let Some(event) = on.as_str() {
        vec![event.to_string()]
    } else if let Some(list) = on.as_seq() {
        list.iter().filter_map(Node::as_str).map(str::to_string).collect()
    } else if let Some(map) = on.as_map() {
        map.iter().filter_map(|(k, v)| Some(event(k.as_str()?, v))).collect()
    } else {
        Vec::new()
    };
    if events.is_empty() { None } else { Some(format!("Runs on {}.", events.join(", "))) }
}

/// One event of the map form with its filters: `push to main or release-* (not release-2.8)`.
fn event(name: &str, filters: &Node) -> String {
    let mut text = name.to_string();
    match name {
        "schedule" => {
            let crons: Vec<String> =
                filters.as_seq().unwrap_or_default().iter().filter_map(|s| s.get_str("cron")).map(code).collect();
            if !crons.is_empty() {
                text.push_str(&format!(" {}", crons.join(" and ")));
            }
            return text;
        }
        "workflow_run" => {
            let workflows = strings(filters.get("workflows"));
            if !workflows.is_empty() {
                text.push_str(&format!(" of {}", workflows.join(" or ")));
            }
        }
        _ => {}
    }
    let refs = [("branches", "to", true), ("branches-ignore", "except to", false), ("tags", "of tags", true)];
    let mut targets = Vec::new();
    for (key, lead, may_negate) in refs {
        let list = strings(filters.get(key));
        if list.is_empty() {
            continue;
        }
        // In `branches`, a `!name` entry excludes what an earlier pattern let in.
        let (not, yes): (Vec<&String>, Vec<&String>) = list.iter().partition(|b| may_negate && b.starts_with('!'));
        let yes: Vec<&str> = yes.iter().map(|s| s.as_str()).collect();
        let yes = if yes.is_empty() { "any".to_string() } else { yes.join(" or ") };
        let mut phrase = format!("{lead} {yes}");
        if !not.is_empty() {
            let not: Vec<&str> = not.iter().map(|s| &s[1..]).collect();
            phrase.push_str(&format!(" (not {})", not.join(" or ")));
        }
        targets.push(phrase);
    }
    if !targets.is_empty() {
        text.push_str(&format!(" {}", targets.join(" or ")));
    }
    let types = strings(filters.get("types"));
    if !types.is_empty() {
        text.push_str(&format!(" ({})", types.join(", ")));
    }
    if name == "workflow_call" {
        text.push_str(" (a reusable workflow)");
    }
    text
}

/// A string or a list of strings, as filters are written either way.
fn strings(node: Option<&Node>) -> Vec<String> {
    let Some(node) = node else { return Vec::new() };
    if let Some(s) = node.as_str() {
        return vec![s.to_string()];
    }
    node.as_seq().unwrap_or_default().iter().filter_map(Node::as_str).map(str::to_string).collect()
}
