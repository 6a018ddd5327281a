//! A schema-less YAML (and JSON) tree whose every node keeps the line and column its text is at.
//!
//! Shared by every YAML or JSON extractor. The formats are open-ended (any key may appear,
//! many keys take several shapes), so a typed serde model would need untagged enums, and
//! serde-saphyr loses spans inside those. JSON is read as YAML 1.2, which contains it.
//! Instead every map key and value is read as `Spanned<Yaml>`: the deserializer sees a
//! concrete spanned request at each level, merge keys (`<<`) are expanded by the parser,
//! and a node reached through an alias or a merge keeps its anchored definition's place.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};

use crate::diag::Diagnostic;
use crate::extract::Extracted;
use crate::source::Source;

/// A YAML node with the places it was written.
#[derive(Clone, Debug)]
pub struct Node {
    pub value: Yaml,
    /// Where the text of the node is: the anchored definition for aliases and merges.
    /// (serde-saphyr also gives the place of use, the `*a` or `<<` site; no fact needs it.)
    pub defined: Pos,
}

/// A 1-based line and character column, and the byte length of the node when known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: Option<usize>,
}

/// Scalars are kept as text: compose reads numbers and booleans as strings in most places
/// (`restart: "no"`, `retries: 3`), and the extractor only ever needs the text.
#[derive(Clone, Debug)]
pub enum Yaml {
    Null,
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Yaml::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Yaml::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Yaml::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Yaml::Null)
    }

    /// The value of `key` in a map node.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// The value of `key` when it is a scalar.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// Where the node's text is, as a fact's source. Facts point at the definition so the
    /// linked line shows the value itself, even when a service inherits it through an
    /// anchor or a merge key.
    pub fn source(&self, file: &str) -> Source {
        Source::new(file, self.defined.line, self.defined.column)
    }

    /// A word for the node's shape, for messages.
    pub fn shape(&self) -> &'static str {
        match &self.value {
            Yaml::Null => "nothing",
            Yaml::Scalar(_) => "a string",
            Yaml::Seq(_) => "a list",
            Yaml::Map(_) => "a mapping",
        }
    }
}

impl Pos {
    pub fn from_location(loc: &Location) -> Pos {
        let len = loc.span().byte_len().and_then(|l| usize::try_from(l).ok());
        Pos { line: clamp(loc.line()), column: clamp(loc.column()), len }
    }
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

impl From<Spanned<Yaml>> for Node {
    fn from(s: Spanned<Yaml>) -> Node {
        Node { value: s.value, defined: Pos::from_location(&s.defined) }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        Spanned::<Yaml>::deserialize(d).map(Node::from)
    }
}

impl<'de> Deserialize<'de> for Yaml {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Yaml, D::Error> {
        d.deserialize_any(YamlVisitor)
    }
}

struct YamlVisitor;

impl<'de> Visitor<'de> for YamlVisitor {
    type Value = Yaml;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Yaml, E> {
        Ok(Yaml::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Yaml, D::Error> {
        Yaml::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Yaml, E> {
        Ok(Yaml::Scalar(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Yaml, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Yaml::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Yaml, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Yaml::Map(entries))
    }
}

/// The deepest nesting of maps and sequences read; deeper input is a parse error.
pub const MAX_DEPTH: usize = 48;

/// Parses every document of `text` as YAML 1.2: `no` and `on` are strings, not booleans (a
/// YAML 1.1 parser turns GitHub Actions' `on:` into `true`), and number spellings such as
/// `0755` are kept, as compose-go keeps them.
pub fn parse(text: &str) -> Result<Vec<Node>, serde_saphyr::Error> {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    options.leading_zero_numbers_as_strings = true;
    options.underscored_numbers_as_strings = true;
    // The parser's default allows a million replayed alias events. Each `*alias` in a
    // config file replays one small block, so a tenth of that leaves wide room and
    // stops an alias bomb ten times sooner.
    options.alias_limits.max_total_replayed_events = 100_000;
    // Every nesting level costs a few frames of recursion here and in the parser; between
    // 60 and 80 levels a rayon thread's 2 MiB stack overflows in a debug build. Real files
    // nest far less (a Kubernetes manifest, 15 levels; a Step Functions Parallel state adds
    // 4 per branch level), so deeper input is refused with a parse error, not a crash.
    let mut budget = options.budget.take().unwrap_or_default();
    budget.max_depth = MAX_DEPTH;
    budget.flow_nesting_limit = MAX_DEPTH;
    options.budget = Some(budget);
    serde_saphyr::from_str_multiple_with_options::<Node, Vec<Node>>(text, options)
}

/// Reads every document of `text` with `document`, or records the one `parse-error` the
/// file has: the loop of every extractor that reads a file document by document.
pub fn each_document(path: &str, text: &str, out: &mut Extracted, mut document: impl FnMut(&Node, &mut Extracted)) {
    match parse(text) {
        Ok(docs) => {
            for doc in &docs {
                document(doc, out);
            }
        }
        Err(e) => out.diagnostics.push(parse_error(path, &e, "YAML")),
    }
}

/// The parser's complaint as one `parse-error`, at the parser's line and column.
pub fn parse_error(path: &str, e: &serde_saphyr::Error, what: &str) -> Diagnostic {
    let location = e.location();
    let (line, column) = location.map_or((1, 1), |l| {
        let p = Pos::from_location(&l);
        (p.line.max(1), p.column.max(1))
    });
    let len = location.and_then(|l| Pos::from_location(&l).len).unwrap_or(0);
    let message = e.without_snippet().to_string();
    Diagnostic::error(
        "parse-error",
        Source::new(path, line, column),
        format!("invalid {what}: {}", strip_location(&message)),
    )
    .with_len(len)
}

/// serde-saphyr ends its messages with ` at line N, column M`; the diagnostic already
/// carries the position, so the words alone are kept.
fn strip_location(message: &str) -> &str {
    let Some(at) = message.rfind(" at line ") else {
        return message;
    };
    let tail = &message[at + " at line ".len()..];
    let is_position = tail.split_once(", column ").is_some_and(|(l, c)| {
        !l.is_empty() && !c.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) && c.bytes().all(|b| b.is_ascii_digit())
    });
    if is_position { &message[..at] } else { message }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread with the stack a rayon worker has, as extraction does.
    fn on_worker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f).unwrap().join().expect("no stack overflow")
    }

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_crash() {
        let block: String = (0..200).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        let flow = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let objects = format!("{}1{}", "{\"a\": ".repeat(10_000), "}".repeat(10_000));
        for text in [block, flow, objects] {
            let result = on_worker_stack(move || parse(&text).map(|_| ()).map_err(|e| e.to_string()));
            assert!(result.is_err(), "refused");
        }
    }

    #[test]
    fn nesting_up_to_the_limit_reads_on_a_worker_stack() {
        let text: String = (0..MAX_DEPTH - 1).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        let docs = on_worker_stack(move || parse(&text).map(|d| d.len()).map_err(|e| e.to_string()));
        assert_eq!(docs, Ok(1));
    }
}
