//! State machines in SAM and CloudFormation templates: inline definitions, definition strings, `DefinitionUri`.

use crate::diag::Diagnostic;
use crate::extract::NodeFact;
use crate::extract::yaml::{self, Node};
use crate::model::NodeKind;
use crate::source::{Source, offset_of};

use super::{Cx, Place, machine, machine_name};

/// Every state machine resource of one template document.
pub(super) fn document(cx: &mut Cx, doc: &Node) {
    let Some(resources) = doc.get("Resources").and_then(Node::as_map) else { return };
    for (id_key, res) in resources {
        let Some(id) = id_key.as_str() else { continue };
        let Some(ty) = res.get_str("Type").filter(|t| super::TEMPLATE_TYPES.contains(t)) else { continue };
        let props = res.get("Properties");
        let sam = ty == "AWS::Serverless::StateMachine";
        let note = note(cx, id, ty, props);
        let name = literal(cx, props, if sam { "Name" } else { "StateMachineName" }).unwrap_or_else(|| id.to_string());
        let get = |k: &str| super::entry(props?, k);
        if let Some((_, uri)) = get("DefinitionUri").filter(|_| sam) {
            definition_uri(cx, id_key, uri, note);
        } else if let Some((_, def)) = get("Definition") {
            if def.as_map().is_some() {
                machine::top(cx, &name, def, Some(note));
            } else {
                cx.warn(def, format!("`Definition` of `{id}` must be a state machine mapping"));
            }
        } else if let Some((key, def)) = get("DefinitionString").filter(|_| !sam) {
            definition_string(cx, &name, key, def, note);
        } else if let Some((key, _)) = get("DefinitionS3Location") {
            cx.warn(key, format!("the definition of `{id}` is in S3 and cannot be read from the repository"));
        } else {
            cx.warn(id_key, format!("state machine `{id}` has no `Definition`, `DefinitionString` or `DefinitionUri`"));
        }
    }
}

/// A SAM `DefinitionUri` names an ASL file beside the template: the workflow takes that
/// file's name, so the template's facts join the file's own.
fn definition_uri(cx: &mut Cx, id_key: &Node, uri: &Node, note: String) {
    let Some(path) = uri.as_str() else {
        cx.warn(uri, "a `DefinitionUri` in S3 (`Bucket`, `Key`) cannot be read from the repository");
        return;
    };
    let mut wf = NodeFact::new(NodeKind::Workflow, machine_name(path), cx.at(id_key));
    wf.attrs.description = Some(note);
    cx.out.facts.nodes.push(wf);
}

/// CloudFormation's `DefinitionString`: a JSON document in a string, as is or through
/// `Fn::Sub`. A string built with `Fn::Join` (or any other function) is only known once
/// deployed.
fn definition_string(cx: &mut Cx, name: &str, key: &Node, def: &Node, note: String) {
    // `Fn::Sub` in JSON is a mapping; YAML's `!Sub` tag is dropped by the reader, which
    // leaves its argument: the string, or `[string, variables]`. A `!Join` leaves
    // `[delimiter, [parts]]`, which is not read.
    let sub =
        def.get("Fn::Sub").map(|s| s.as_seq().and_then(|l| l.first()).unwrap_or(s)).or_else(|| match def.as_seq()? {
            [body, vars] if body.as_str().is_some() && vars.as_map().is_some() => Some(body),
            _ => None,
        });
    let Some(body) = sub.or(Some(def)).filter(|d| d.as_str().is_some()) else {
        let message = "`DefinitionString` is built with an intrinsic function; it cannot be read before deployment";
        cx.warn(key, message);
        return;
    };
    let text = body.as_str().unwrap_or_default();
    let place = place_of(cx, key, body);
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            let inner = yaml::parse_error(cx.path, &e, "ASL in `DefinitionString`");
            let at = match &place {
                Place::Shifted { line, column } => {
                    Source::new(cx.path, inner.source.line + line, inner.source.column + column)
                }
                _ => cx.at(key),
            };
            cx.out.diagnostics.push(Diagnostic { source: at, ..inner });
            return;
        }
    };
    let outer = std::mem::replace(&mut cx.place, place);
    for doc in &docs {
        machine::top(cx, name, doc, Some(note.clone()));
    }
    cx.place = outer;
}

/// Where the text of a string value sits. A block scalar (`|`) keeps its lines, shifted
/// by its indentation; a quoted string's escapes move positions, so its facts point at
/// the key that holds it.
fn place_of(cx: &Cx, key: &Node, value: &Node) -> Place {
    let v = value.defined;
    let offset = offset_of(cx.text, v.line, v.column);
    let first = cx.text[offset..].chars().next();
    let block = matches!(cx.place, Place::File) && !matches!(first, Some('"' | '\'' | '|' | '>'));
    if block && value.as_str().is_some_and(|s| s.contains('\n')) {
        Place::Shifted { line: v.line.saturating_sub(1), column: v.column.saturating_sub(1) }
    } else {
        Place::Fixed(cx.at(key))
    }
}

/// A property's value when it is a plain string, not an intrinsic function (`!Ref`,
/// `!Sub`, `!Join`, which the YAML tree keeps as their argument).
fn literal(cx: &Cx, props: Option<&Node>, key: &str) -> Option<String> {
    let v = props?.get(key)?;
    let s = v.as_str()?;
    if tagged(cx, v) || s.is_empty() || s.contains("${") {
        return None;
    }
    Some(s.to_string())
}

/// Whether a value carries a YAML tag (`Name: !Ref Param`): the tag is just before it.
fn tagged(cx: &Cx, v: &Node) -> bool {
    if !matches!(cx.place, Place::File) {
        return false;
    }
    let offset = offset_of(cx.text, v.defined.line, v.defined.column);
    let line_start = cx.text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = cx.text[line_start..offset].trim_end();
    before.rsplit([' ', ':', '[', ',', '-']).next().is_some_and(|w| w.starts_with('!'))
}

/// The template's facts about the machine, for its page.
fn note(cx: &Cx, id: &str, ty: &str, props: Option<&Node>) -> String {
    let file = cx.path.rsplit('/').next().unwrap_or(cx.path);
    let mut facts = Vec::new();
    for key in ["Name", "StateMachineName"] {
        if let Some(name) = literal(cx, props, key) {
            facts.push(format!("named `{name}`"));
        }
    }
    let get = |k: &str| props.and_then(|p| p.get(k));
    if let Some(kind) = get("Type").or_else(|| get("StateMachineType")).and_then(Node::as_str) {
        facts.push(format!("type {kind}"));
    }
    let tracing = get("Tracing").or_else(|| get("TracingConfiguration")).and_then(|t| t.get_str("Enabled"));
    if let Some(on) = tracing {
        facts.push(format!("tracing {}", if on == "true" { "on" } else { "off" }));
    }
    let mut text = format!("Deployed by `{file}` as `{id}` ({ty})");
    if !facts.is_empty() {
        text.push_str(&format!(", {}", facts.join(", ")));
    }
    text.push('.');
    let subs: Vec<&str> = get("DefinitionSubstitutions")
        .and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, _)| k.as_str())
        .collect();
    if !subs.is_empty() {
        let list: Vec<String> = subs.iter().map(|s| format!("`${{{s}}}`")).collect();
        text.push_str(&format!(" `DefinitionSubstitutions` fill {} at deployment.", list.join(", ")));
    }
    if let Some(desc) = get("Description").and_then(Node::as_str) {
        text = format!("{desc}\n\n{text}");
    }
    text
}
