//! The task names in a DAG task's `depends` expression, and whether each is a success or a
//! failure path: `A && (B.Succeeded || C.Failed)`.

/// One task a `depends` expression waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dep {
    pub task: String,
    /// The clause runs the task when `task` failed (`.Failed`, `.Errored`, `.AllFailed`, or a
    /// negated success): an error path rather than the normal flow.
    pub on_error: bool,
}

/// Every task named in `expr`, in order, once per path kind. A bare name means
/// `(X.Succeeded || X.Skipped || X.Daemoned)`, a success path.
pub fn parse(expr: &str) -> Vec<Dep> {
    let mut deps: Vec<Dep> = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut negated = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '!' && chars.get(i + 1) != Some(&'=') {
            negated = true;
            i += 1;
            continue;
        }
        if !is_name_char(c) {
            // `(` keeps a pending `!` for the group, which is not followed: only a directly
            // negated clause changes its path.
            if c != ' ' && c != '(' {
                negated = false;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && is_name_char(chars[i]) {
            i += 1;
        }
        let task: String = chars[start..i].iter().collect();
        let mut result = String::new();
        if chars.get(i) == Some(&'.') {
            i += 1;
            let r = i;
            while i < chars.len() && chars[i].is_ascii_alphabetic() {
                i += 1;
            }
            result = chars[r..i].iter().collect();
        }
        let failure = matches!(result.as_str(), "Failed" | "Errored" | "AllFailed");
        let dep = Dep { task, on_error: failure != negated };
        if !deps.contains(&dep) {
            deps.push(dep);
        }
        negated = false;
    }
    deps
}

/// Task names are DNS-label-like: letters, digits, `-` and `_`.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(expr: &str) -> Vec<(String, bool)> {
        parse(expr).into_iter().map(|d| (d.task, d.on_error)).collect()
    }

    #[test]
    fn names_results_and_groups() {
        let s = |t: &str, e: bool| (t.to_string(), e);
        assert_eq!(read("A"), [s("A", false)]);
        assert_eq!(read("B && C"), [s("B", false), s("C", false)]);
        assert_eq!(read("A && (C.Succeeded || C.Failed)"), [s("A", false), s("C", false), s("C", true)]);
        assert_eq!(
            read("should-execute-2.Succeeded || should-not-execute"),
            [s("should-execute-2", false), s("should-not-execute", false)]
        );
        assert_eq!(read("B.Errored || !C.Succeeded"), [s("B", true), s("C", true)]);
        assert_eq!(read("fan.AnySucceeded && fan2.AllFailed"), [s("fan", false), s("fan2", true)]);
        assert!(read("").is_empty());
    }
}
