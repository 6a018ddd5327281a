//! What a state does and how long it may take: integrations, waits, timeouts, heartbeats, retriers and catchers.

use crate::extract::yaml::Node;
use crate::extract::{Idempotency, NodeAttrs, NodeRef, Origin, Resolve, TimeoutFact, Value};
use crate::model::{EdgeKind, NodeKind};
use crate::source::Located;

use super::machine::edge;
use super::resource::{self, Integration};
use super::{Cx, number, retry};

/// A Task: what its `Resource` calls, with the parameters that name the target.
pub(super) fn task(cx: &mut Cx, me: &NodeRef, body: &Node, attrs: &mut NodeAttrs) {
    let Some(res) = body.get("Resource") else {
        cx.warn(body, "a Task state needs `Resource`: the integration or function it runs");
        attrs.activity = body.get("Type").map(|t| Located::new("task".to_string(), cx.at(t)));
        return;
    };
    let Some(text) = res.as_str() else {
        cx.warn(res, "`Resource` must be an ARN");
        attrs.activity = Some(Located::new("task".to_string(), cx.at(res)));
        return;
    };
    let params = body.get("Parameters").or_else(|| body.get("Arguments"));
    let found = resource::integration(text, params);
    apply(cx, me, res, found, attrs);
}

/// A distributed Map reads its items from and writes its results to S3 through
/// integrations of their own (`ItemReader`, `ResultWriter`).
pub(super) fn map_io(cx: &mut Cx, me: &NodeRef, body: &Node, attrs: &mut NodeAttrs) {
    for key in ["ItemReader", "ResultWriter"] {
        let Some(io) = body.get(key) else { continue };
        let Some(res) = io.get("Resource") else { continue };
        let Some(text) = res.as_str() else { continue };
        let params = io.get("Parameters").or_else(|| io.get("Arguments"));
        let mut found = resource::integration(text, params);
        // The reader and writer are part of the Map: they add dependencies and effects,
        // not a second activity or a wait.
        found.waits = None;
        let activity = attrs.activity.take();
        apply(cx, me, res, found, attrs);
        attrs.activity = activity;
    }
}

fn apply(cx: &mut Cx, me: &NodeRef, res: &Node, found: Integration, attrs: &mut NodeAttrs) {
    let at = cx.at(res);
    for (target, node) in &found.targets {
        let source = node.map_or_else(|| at.clone(), |n| cx.at(n));
        let mut e = edge(
            EdgeKind::DependsOn,
            me.clone(),
            NodeRef::new(NodeKind::Resource, target.clone()),
            source,
            Some(found.activity.clone()),
        );
        e.resolve = Resolve::External;
        cx.out.facts.edges.push(e);
    }
    if let Some(effect) = found.side_effect {
        attrs.side_effects.push(Located::new(effect, at.clone()));
    }
    if let Some((key, node)) = found.idempotency_key {
        attrs.idempotent = Some(Located::new(Idempotency::Key(key), cx.at(node)));
    }
    attrs.waits = found.waits.map(|w| Located::new(w, at.clone()));
    attrs.activity = Some(Located::new(found.activity, at));
}

/// A Wait state's fixed time; `SecondsPath` and timestamps are known only at run time.
pub(super) fn wait(cx: &mut Cx, name: &str, body: &Node, attrs: &mut NodeAttrs) {
    let value = if let Some((key, v)) = super::entry(body, "Seconds") {
        Some((key, number::seconds_ms(cx, "Seconds", v, 0)))
    } else {
        ["SecondsPath", "Timestamp", "TimestampPath"].iter().find_map(|k| {
            let (key, v) = super::entry(body, k)?;
            Some((key, Value::Unknown { expr: format!("{k} {}", super::one_line(v, 0)) }))
        })
    };
    match value {
        Some((key, ms)) => attrs.duration_ms = Some(Located::new(ms, cx.at(key))),
        None => {
            cx.warn(body, format!("Wait state `{name}` needs `Seconds`, `SecondsPath`, `Timestamp` or `TimestampPath`"))
        }
    }
}

/// Limits any state may carry: `TimeoutSeconds`, `HeartbeatSeconds`, `Retry`, `Catch`.
pub(super) fn limits(cx: &mut Cx, me: &NodeRef, body: &Node, attrs: &mut NodeAttrs) {
    if let Some((key, ms)) = seconds(cx, body, "TimeoutSeconds") {
        let text = format!("{} {}", key.as_str().unwrap_or_default(), expr_or_ms(&ms, body, key));
        attrs.timeouts.push(TimeoutFact {
            source: cx.at(key),
            origin: Origin::Code,
            library: "asl TimeoutSeconds".to_string(),
            text,
            ms,
        });
    }
    if let Some((key, ms)) = seconds(cx, body, "HeartbeatSeconds") {
        attrs.heartbeat_ms = Some(Located::new(ms, cx.at(key)));
    }
    if let Some(list) = body.get("Retry") {
        retry::retriers(cx, list, &mut attrs.retries);
    }
    if let Some(list) = body.get("Catch") {
        retry::catchers(cx, me, list, &mut attrs.error_handling);
    }
}

/// `<key>` in seconds, or `<key>Path` (a JSONPath read at run time).
fn seconds<'a>(cx: &mut Cx, body: &'a Node, key: &str) -> Option<(&'a Node, Value<u64>)> {
    if let Some((k, v)) = super::entry(body, key) {
        return Some((k, number::seconds_ms(cx, key, v, 1)));
    }
    let path_key = format!("{key}Path");
    let (k, v) = super::entry(body, &path_key)?;
    Some((k, Value::Unknown { expr: super::one_line(v, 0) }))
}

/// The value as written, for a timeout's text.
fn expr_or_ms(ms: &Value<u64>, body: &Node, key: &Node) -> String {
    match ms {
        Value::Unknown { expr } => expr.clone(),
        Value::Known(_) => key.as_str().and_then(|k| body.get(k)).map(|v| super::one_line(v, 0)).unwrap_or_default(),
    }
}
