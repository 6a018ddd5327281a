//! Number fields of ASL (`*Seconds`, `MaxAttempts`, `BackoffRate`): literal, templated, or wrong.

use crate::extract::Value;
use crate::extract::yaml::Node;

use super::Cx;

/// What a number field holds.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Num {
    Known(f64),
    /// A deploy-time substitution (`${Timeout}`) or a JSONata expression (`{% $t %}`):
    /// known only when the machine runs, so kept as text.
    Templated(String),
    /// Anything else: not a number ASL accepts.
    Invalid(String),
}

/// Whether a value is filled in later: by SAM `DefinitionSubstitutions`, CloudFormation
/// `Fn::Sub`, or JSONata at run time.
pub(super) fn is_templated(text: &str) -> bool {
    text.contains("${") || text.contains("{%")
}

pub(super) fn read(node: &Node) -> Num {
    match node.as_str() {
        Some(s) if is_templated(s) => Num::Templated(s.trim().to_string()),
        Some(s) => match s.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Num::Known(v),
            _ => Num::Invalid(s.to_string()),
        },
        None => Num::Invalid(super::one_line(node, 0)),
    }
}

/// A whole number of seconds >= `min` as milliseconds. A wrong value is warned about
/// with `what` and read as unknown, so the rest of the state still counts.
pub(super) fn seconds_ms(cx: &mut Cx, key: &str, node: &Node, min: u64) -> Value<u64> {
    match read(node) {
        Num::Known(v) if v.fract() == 0.0 && v >= min as f64 && v <= (u64::MAX / 1_000) as f64 => {
            Value::Known(v as u64 * 1_000)
        }
        Num::Templated(expr) => Value::Unknown { expr },
        Num::Known(_) | Num::Invalid(_) => {
            let text = super::one_line(node, 0);
            cx.warn(node, format!("`{key}` must be a whole number of seconds of at least {min}, found `{text}`"));
            Value::Unknown { expr: text }
        }
    }
}
