//! Label matchers in a PromQL expression (`job="api"`, `pod=~"api-.*"`), read by a small scanner, not a parser.

/// Labels whose value names a service or job as written.
const EXACT: [&str; 4] = ["job", "service", "app", "component"];
/// Labels whose value names a workload instance: `name-.*` means the workload `name`.
const PREFIX: [&str; 3] = ["container", "deployment", "pod"];

/// One matcher that names something the alert watches.
#[derive(Clone, Debug, PartialEq)]
pub struct Matcher {
    pub label: String,
    /// `=` or `=~`.
    pub op: &'static str,
    /// The quoted value as written.
    pub value: String,
    /// The name it points at.
    pub name: String,
    /// Lines before the matcher within the expression (0 for the first line).
    pub line: u32,
}

/// Every `label="value"` or `label=~"value"` of a watched label whose value is a plain
/// name (or, for pods and containers, a name followed by `-.*`). Negative matchers,
/// `namespace` and real regular expressions are ignored.
pub fn scan(expr: &str) -> Vec<Matcher> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'"' || c == b'\'' || c == b'`' {
            i = skip_string(bytes, i).1;
            continue;
        }
        if !(c.is_ascii_alphabetic() || c == b'_') || (i > 0 && is_ident(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i]) {
            i += 1;
        }
        let label = &expr[start..i];
        let mut j = skip_space(bytes, i);
        let op = if bytes[j..].starts_with(b"=~") {
            "=~"
        } else if bytes.get(j) == Some(&b'=') && bytes.get(j + 1) != Some(&b'=') {
            "="
        } else {
            continue;
        };
        j = skip_space(bytes, j + op.len());
        if !matches!(bytes.get(j), Some(b'"' | b'\'' | b'`')) {
            continue;
        }
        let (value, end) = skip_string(bytes, j);
        i = end;
        if let Some(name) = target(label, op, &value) {
            let line = expr[..start].matches('\n').count() as u32;
            out.push(Matcher { label: label.to_string(), op, value, name, line });
        }
    }
    out
}

/// The name a matcher points at, if it points at one.
fn target(label: &str, op: &str, value: &str) -> Option<String> {
    let value = value.trim();
    if EXACT.contains(&label) {
        return (!value.is_empty() && !is_regex(value)).then(|| value.to_string());
    }
    if PREFIX.contains(&label) {
        let name = if op == "=~" { value.strip_suffix(".*").unwrap_or(value).trim_end_matches('-') } else { value };
        return (!name.is_empty() && !is_regex(name)).then(|| name.to_string());
    }
    None
}

fn is_regex(value: &str) -> bool {
    value.contains(['.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\'])
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The contents of the string literal opening at `start` and the index after it.
fn skip_string(bytes: &[u8], start: usize) -> (String, usize) {
    let quote = bytes[start];
    let mut value = Vec::new();
    let mut i = start + 1;
    while i < bytes.len() && bytes[i] != quote {
        if bytes[i] == b'\\' && quote != b'`' && i + 1 < bytes.len() {
            i += 1;
        }
        value.push(bytes[i]);
        i += 1;
    }
    (String::from_utf8_lossy(&value).into_owned(), (i + 1).min(bytes.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(expr: &str) -> Vec<(String, String)> {
        scan(expr).into_iter().map(|m| (m.label, m.name)).collect()
    }

    #[test]
    fn exact_names_and_plain_regexes_count() {
        let found = names(r#"up{job="api", service = "checkout", app=~"vote", namespace="prod"} == 0"#);
        assert_eq!(
            found,
            [("job".into(), "api".into()), ("service".into(), "checkout".into()), ("app".into(), "vote".into())]
        );
    }

    #[test]
    fn workload_prefixes_name_the_workload() {
        let found = names(r#"kube_pod_status{pod=~"payments-worker-.*", container="erp", deployment=~"x.*"}"#);
        assert_eq!(
            found,
            [
                ("pod".into(), "payments-worker".into()),
                ("container".into(), "erp".into()),
                ("deployment".into(), "x".into())
            ]
        );
    }

    #[test]
    fn regexes_negations_and_comparisons_are_not_names() {
        let expr =
            r#"sum by (job) (up{job=~".*thanos-compact.*", service!="a", app!~"b", code=~"5.."}) == 1 and job == 2"#;
        assert!(scan(expr).is_empty());
    }

    #[test]
    fn matcher_lines_count_within_the_expression() {
        let m = scan("sum(rate(x[5m]))\n  / sum(y{job='erp-sync'})");
        assert_eq!((m.len(), m[0].line, m[0].value.as_str()), (1, 1, "erp-sync"));
    }
}
