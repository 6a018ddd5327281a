//! A Task's `Resource`: what it calls, what it waits for, what it changes, and what makes it safe to repeat.

use crate::extract::yaml::Node;

use super::number::is_templated;

/// A Task's integration, read from its `Resource` and `Parameters` (or `Arguments`).
pub(super) struct Integration<'a> {
    /// In words: `lambda invoke`, `sqs sendMessage (waits for a task token)`.
    pub activity: String,
    /// Resource nodes it depends on, each with the parameter that names it (the
    /// `Resource` line when none does).
    pub targets: Vec<(String, Option<&'a Node>)>,
    pub waits: Option<String>,
    /// A verb phrase (`sends a message to sqs orders`), read after "it".
    pub side_effect: Option<String>,
    /// A parameter that makes a repeat harmless, in words, and where it is written.
    pub idempotency_key: Option<(String, &'a Node)>,
}

/// Parameters that name an integration's target, most telling first.
const TARGET_KEYS: [&str; 15] = [
    "FunctionName",
    "QueueUrl",
    "TopicArn",
    "TableName",
    "StateMachineArn",
    "ApiEndpoint",
    "Bucket",
    "JobName",
    "JobDefinition",
    "TaskDefinition",
    "ProjectName",
    "WorkGroup",
    "ModelId",
    "ClusterName",
    "SecretId",
];

/// Parameters that AWS APIs treat as idempotency tokens.
const TOKEN_KEYS: [&str; 3] = ["ClientToken", "ClientRequestToken", "IdempotencyToken"];

/// API verbs that change something on the other side (`putObject`, `startJobRun`).
const MUTATING: [&str; 30] = [
    "put",
    "update",
    "delete",
    "batchWrite",
    "transactWrite",
    "send",
    "publish",
    "create",
    "start",
    "run",
    "submit",
    "copy",
    "write",
    "terminate",
    "stop",
    "modify",
    "remove",
    "add",
    "upload",
    "restore",
    "reboot",
    "cancel",
    "tag",
    "untag",
    "attach",
    "detach",
    "register",
    "deregister",
    "abort",
    "purge",
];

pub(super) fn integration<'a>(resource: &str, params: Option<&'a Node>) -> Integration<'a> {
    let parts = arn_parts(resource);
    let at = |i: usize| parts.get(i).copied().unwrap_or_default();
    if parts.len() >= 6 && at(0) == "arn" {
        let rest = parts[5..].join(":");
        match (at(2), at(3).is_empty() && at(4).is_empty(), at(5)) {
            ("states", true, _) => return optimized(&rest, params),
            ("states", false, "activity") => {
                let name = at(6);
                return Integration {
                    activity: format!("activity {name}"),
                    targets: vec![(format!("activity {name}"), None)],
                    waits: Some(format!("activity worker {name}")),
                    side_effect: None,
                    idempotency_key: None,
                };
            }
            ("lambda", _, "function") => {
                return Integration {
                    activity: "lambda invoke".to_string(),
                    targets: vec![(format!("lambda {}", at(6)), None)],
                    waits: None,
                    side_effect: None,
                    idempotency_key: None,
                };
            }
            _ => {}
        }
    }
    // A whole-ARN substitution (`${ProcessFunctionArn}`) or an ARN of no known shape:
    // named as written, never guessed.
    let verb = if is_templated(resource) { "invoke" } else { "task" };
    Integration {
        activity: format!("{verb} {resource}"),
        targets: vec![(resource.to_string(), None)],
        waits: None,
        side_effect: None,
        idempotency_key: None,
    }
}

/// `arn:aws:states:::<service>:<api>[.sync|.sync:2|.waitForTaskToken]`, and the SDK form
/// `arn:aws:states:::aws-sdk:<service>:<api>`.
fn optimized<'a>(rest: &str, params: Option<&'a Node>) -> Integration<'a> {
    let rest = rest.strip_prefix("aws-sdk:").unwrap_or(rest);
    let (service, call) = rest.split_once(':').unwrap_or((rest, ""));
    let (api, suffix) = call.split_once('.').unwrap_or((call, ""));
    let mode = if suffix.starts_with("sync") {
        " (runs to completion)"
    } else if suffix == "waitForTaskToken" {
        " (waits for a task token)"
    } else {
        ""
    };
    let targets = targets(service, params);
    let named = targets.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>().join(", ");
    Integration {
        activity: format!("{service} {api}{mode}"),
        waits: (suffix == "waitForTaskToken").then(|| "task token (.waitForTaskToken)".to_string()),
        side_effect: side_effect(service, api, &named, params),
        idempotency_key: idempotency_key(service, api, params),
        targets,
    }
}

fn targets<'a>(service: &str, params: Option<&'a Node>) -> Vec<(String, Option<&'a Node>)> {
    if service == "events" {
        let entries = params.and_then(|p| p.get("Entries")).and_then(Node::as_seq).unwrap_or_default();
        let mut found: Vec<(String, Option<&Node>)> = Vec::new();
        for e in entries {
            let bus = match param(Some(e), "EventBusName") {
                Some((v, n)) if !is_dynamic(n, v) => (format!("events {}", short(service, v)), Some(n)),
                _ => ("events default".to_string(), None),
            };
            if !found.iter().any(|(b, _)| *b == bus.0) {
                found.push(bus);
            }
        }
        if !found.is_empty() {
            return found;
        }
    }
    let named = TARGET_KEYS.iter().find_map(|k| {
        let (v, n) = param(params, k)?;
        (!is_dynamic(n, v)).then(|| (format!("{service} {}", short(service, v)), Some(n)))
    });
    vec![named.unwrap_or_else(|| (service.to_string(), None))]
}

fn side_effect(service: &str, api: &str, target: &str, params: Option<&Node>) -> Option<String> {
    let effect = match (service, api) {
        ("lambda", _) => return None,
        ("sqs", "sendMessage" | "sendMessageBatch") => format!("sends a message to {target}"),
        ("sns", "publish") => format!("publishes a message to {target}"),
        ("dynamodb", "putItem") => format!("writes an item to {target}"),
        ("dynamodb", "updateItem") => format!("updates an item in {target}"),
        ("dynamodb", "deleteItem") => format!("deletes an item from {target}"),
        ("dynamodb", "batchWriteItem" | "transactWriteItems") => format!("writes items to {target}"),
        ("events", "putEvents") => format!("puts events on event bus {}", target.replace("events ", "")),
        ("http", "invoke") => {
            let method = param(params, "Method").and_then(|(v, _)| v.as_str())?.to_ascii_uppercase();
            if !matches!(method.as_str(), "POST" | "PUT" | "PATCH" | "DELETE") {
                return None;
            }
            format!("calls {method} {target}")
        }
        _ if is_mutating(api) && target != service => format!("calls {service} {api} on {target}"),
        _ if is_mutating(api) => format!("calls {service} {api}"),
        _ => return None,
    };
    Some(effect)
}

fn is_mutating(api: &str) -> bool {
    MUTATING.iter().any(|verb| {
        api.strip_prefix(verb).is_some_and(|rest| rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_uppercase()))
    })
}

/// What the definition itself says makes a repeat harmless.
fn idempotency_key<'a>(service: &str, api: &str, params: Option<&'a Node>) -> Option<(String, &'a Node)> {
    let written = |key: &str| param(params, key).map(|(v, n)| (format!("{key} {}", super::one_line(v, 0)), n));
    if service == "dynamodb"
        && let Some(found) = written("ConditionExpression")
    {
        return Some(found);
    }
    if service == "sqs"
        && let Some(found) = written("MessageDeduplicationId")
    {
        return Some(found);
    }
    if service == "states"
        && api == "startExecution"
        && let Some((v, n)) = param(params, "Name")
    {
        // A standard workflow will not start a second execution of the same name.
        return Some((format!("execution Name {}", super::one_line(v, 0)), n));
    }
    TOKEN_KEYS.iter().find_map(|k| written(k))
}

/// A parameter by name, static (`Key`) or a run-time path (`Key.$`): its value and the
/// key's node (where it is written).
fn param<'a>(params: Option<&'a Node>, key: &str) -> Option<(&'a Node, &'a Node)> {
    let dynamic = format!("{key}.$");
    params?.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key) || k.as_str() == Some(&dynamic)).map(|(k, v)| (v, k))
}

/// A value known only at run time: a JSONPath (`Key.$`) or a JSONata expression.
fn is_dynamic(key: &Node, value: &Node) -> bool {
    key.as_str().is_some_and(|k| k.ends_with(".$")) || value.as_str().is_none_or(|v| v.contains("{%"))
}

/// A readable, stable name from an ARN, a queue URL or a name as written.
fn short(service: &str, value: &Node) -> String {
    let text = value.as_str().unwrap_or_default().trim();
    let parts = arn_parts(text);
    if parts.len() >= 6 && parts[0] == "arn" {
        if service == "lambda" && parts[5] == "function" && parts.len() > 6 {
            return parts[6].to_string();
        }
        let last = parts[parts.len() - 1];
        return last.rsplit('/').next().unwrap_or(last).to_string();
    }
    if (text.starts_with("https://") || text.starts_with("http://")) && service == "sqs" {
        return text.trim_end_matches('/').rsplit('/').next().unwrap_or(text).to_string();
    }
    text.to_string()
}

/// An ARN's `:`-separated fields; a `${...}` substitution (which may hold `::`, as in
/// `${AWS::Region}`) stays whole.
fn arn_parts(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}
