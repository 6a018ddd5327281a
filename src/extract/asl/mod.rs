//! AWS Step Functions: ASL definitions (JSON or YAML) and state machines embedded in SAM and CloudFormation templates.
//!
//! A state machine is read from the spanned YAML tree ([`yaml`]), which reads JSON too, so
//! every fact points at the line of its key. `machine.rs` walks the states and their
//! transitions, `state.rs` reads a state's limits (timeouts, waits, retriers, catchers),
//! `resource.rs` turns a Task's `Resource` into an integration (what it calls, whether it
//! changes something), `choice.rs` writes Choice rules in short text and `template.rs` finds
//! state machines inside SAM and CloudFormation templates.

mod choice;
mod machine;
mod number;
mod resource;
mod retry;
mod state;
mod template;

#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::extract::Extracted;
use crate::extract::yaml::{self, Node};
use crate::source::Source;

/// The template resource types that hold a state machine.
const TEMPLATE_TYPES: [&str; 2] = ["AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"];

/// Reads one ASL file, or the state machines of one SAM or CloudFormation template.
pub fn extract(path: &str, text: &str) -> Extracted {
    let mut out = Extracted::default();
    let is_template = TEMPLATE_TYPES.iter().any(|t| text.contains(t));
    let docs = match yaml::parse(text) {
        Ok(docs) => docs,
        Err(e) => {
            let what = if is_template { "CloudFormation template" } else { "ASL" };
            out.diagnostics.push(yaml::parse_error(path, &e, what));
            return out;
        }
    };
    let mut cx = Cx { path, text, place: Place::File, out: &mut out };
    for doc in &docs {
        if is_template && doc.get("Resources").is_some() {
            template::document(&mut cx, doc);
        } else if doc.get("StartAt").is_some() || doc.get("States").is_some() {
            machine::top(&mut cx, &machine_name(path), doc, None);
        } else if is_asl_file(path) && !doc.is_null() {
            cx.warn(doc, "an ASL file must be a state machine: a mapping with `StartAt` and `States`");
        }
    }
    out
}

/// Whether a YAML or JSON file of no telling name is this format, from its text alone.
pub fn claims(text: &str) -> bool {
    (text.contains("StartAt") && text.contains("States")) || TEMPLATE_TYPES.iter().any(|t| text.contains(t))
}

fn is_asl_file(path: &str) -> bool {
    [".asl.json", ".asl.yaml", ".asl.yml"].iter().any(|e| path.ends_with(e))
}

/// A whole-file state machine is named by its file: `ship-order.asl.json` is `ship-order`,
/// which is also the name a SAM template's `DefinitionUri` gives it, so the two merge.
fn machine_name(path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    [".asl.json", ".asl.yaml", ".asl.yml", ".json", ".yaml", ".yml"]
        .iter()
        .find_map(|e| file.strip_suffix(e))
        .filter(|stem| !stem.is_empty())
        .unwrap_or(file)
        .to_string()
}

/// Where the nodes of the tree being read are in the scanned file.
#[derive(Clone, Debug)]
enum Place {
    /// The tree is the file: positions are exact.
    File,
    /// The tree was parsed from a block scalar (`DefinitionString: !Sub |`): its lines are
    /// the file's lines from `line + 1` on, indented by `column` characters.
    Shifted { line: u32, column: u32 },
    /// The tree was parsed from a quoted string whose escapes move every position: all
    /// facts point at the key that holds the string.
    Fixed(Source),
}

/// What the readers share: the file, where its tree sits in it, and the output.
struct Cx<'a> {
    path: &'a str,
    /// The scanned file's text, to tell a tagged value (`!Ref Name`) from a literal.
    text: &'a str,
    place: Place,
    out: &'a mut Extracted,
}

impl Cx<'_> {
    /// Where `node` is written in the scanned file.
    fn at(&self, node: &Node) -> Source {
        match &self.place {
            Place::File => node.source(self.path),
            Place::Shifted { line, column } => Source::new(
                self.path,
                node.defined.line.saturating_add(*line),
                node.defined.column.saturating_add(*column),
            ),
            Place::Fixed(source) => source.clone(),
        }
    }

    fn warn(&mut self, node: &Node, message: impl Into<String>) {
        let d = Diagnostic::warning("invalid-value", self.at(node), message);
        let d = match (&self.place, node.defined.len) {
            (Place::Fixed(_), _) | (_, None) => d,
            (_, Some(len)) => d.with_len(len),
        };
        self.out.diagnostics.push(d);
    }
}

/// A key and its value in a map node.
fn entry<'a>(map: &'a Node, key: &str) -> Option<(&'a Node, &'a Node)> {
    map.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v))
}

/// A value in one line: scalars as written, lists as `[a, b]`, mappings as `{k: v}`.
fn one_line(node: &Node, depth: usize) -> String {
    if depth > 4 {
        return "…".to_string();
    }
    match &node.value {
        yaml::Yaml::Null => "null".to_string(),
        yaml::Yaml::Scalar(s) => s.replace('\n', " ").trim().to_string(),
        yaml::Yaml::Seq(items) => {
            format!("[{}]", items.iter().map(|i| one_line(i, depth + 1)).collect::<Vec<_>>().join(", "))
        }
        yaml::Yaml::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", one_line(k, depth + 1), one_line(v, depth + 1)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Text cut to `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}
