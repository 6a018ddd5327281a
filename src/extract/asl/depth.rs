//! A cheap upper estimate of how deeply a YAML or JSON text nests, checked before parsing.
//!
//! The YAML tree is built by recursion, one chain of stack frames per level. The parser's
//! own budget stops at 64 levels, but in a debug build on a 2 MiB thread the stack runs out
//! between 60 and 80 levels, before the budget answers. A state machine nests ten or
//! twenty levels; a file far deeper is refused unread.

/// The estimate above which a file is not parsed.
pub(super) const MAX_DEPTH: usize = 48;

/// The first line at which the estimated depth passes [`MAX_DEPTH`], if any. Each block
/// indentation level counts twice (a `- key:` line opens a list and a mapping at once), each
/// further `- ` on the same line once, and each open `{` or `[` outside a double-quoted
/// string once, so the estimate is never below the real depth of a file without aliases.
pub(super) fn too_deep(text: &str) -> Option<u32> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if flow == 0 && !trimmed.is_empty() && !trimmed.starts_with('#') {
            let indent = line.len() - trimmed.len();
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
        }
        let dashes = if flow == 0 { leading_dashes(trimmed) } else { 0 };
        let mut in_string = false;
        let mut escaped = false;
        for c in trimmed.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '{' | '[' if !in_string => flow += 1,
                '}' | ']' if !in_string => flow = flow.saturating_sub(1),
                _ => {}
            }
            if 2 * indents.len() + dashes + flow > MAX_DEPTH {
                return Some(u32::try_from(n + 1).unwrap_or(u32::MAX));
            }
        }
    }
    None
}

/// `- - - x` nests three lists on one line.
fn leading_dashes(mut line: &str) -> usize {
    let mut n = 0;
    while let Some(rest) = line.strip_prefix('-').filter(|r| r.starts_with([' ', '\t'])) {
        n += 1;
        line = rest.trim_start();
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_files_pass_and_deep_ones_do_not() {
        assert_eq!(too_deep("StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"), None);
        assert_eq!(too_deep(r#"{"a": {"b": [1, "{[{[{["]}}"#), None);
        let deep = format!("{{\n{}1{}", "{\"a\": ".repeat(100), "}".repeat(101));
        assert_eq!(too_deep(&deep), Some(2));
        let block: String = (0..40).map(|i| format!("{}k{i}:\n", "  ".repeat(i))).collect();
        assert_eq!(too_deep(&block), Some(25));
        assert_eq!(too_deep(&format!("a:\n  {}x\n", "- ".repeat(60))), Some(2));
    }
}
