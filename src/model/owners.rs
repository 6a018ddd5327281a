//! CODEOWNERS in the model: a node with no owner of its own gets the owner of its source file.
//!
//! GitHub's rules: of one repository root only the first of `.github/CODEOWNERS`,
//! `CODEOWNERS` and `docs/CODEOWNERS` counts, and within it the last matching pattern wins.
//! A file under several roots (a sub-repository) follows the deepest one. Patterns are
//! matched here, gitignore-like: see [`matches`].

use std::collections::BTreeMap;

use crate::extract::OwnerRule;
use crate::extract::codeowners::rank;
use crate::model::{EdgeKind, Graph, NodeKind};
use crate::source::Located;

/// Sets `attrs.owner` of every node that has none, has a source and is defined (not only
/// named by reference), from the CODEOWNERS rule that wins for its first source's file. The
/// value is the rule's owners joined with `, `, the source the rule's line. Team nodes are
/// left alone: a team owned by a team says nothing an on-call engineer needs.
pub fn apply(graph: &mut Graph, rules: &[&OwnerRule]) {
    let files = governing(rules);
    if files.is_empty() {
        return;
    }
    let nodes: Vec<_> = graph.graph.node_indices().collect();
    for idx in nodes {
        let node = &graph.graph[idx];
        if node.attrs.owner.is_some() || node.external || node.kind == NodeKind::Team {
            continue;
        }
        let Some(file) = node.sources.first().map(|s| s.file.as_str()) else { continue };
        let Some(owner) = owner_of(&files, file) else { continue };
        graph.graph[idx].attrs.owner = Some(owner);
    }
}

/// The rules that count, per root: those of the root's first CODEOWNERS file, in line order.
fn governing<'a>(rules: &[&'a OwnerRule]) -> BTreeMap<&'a str, Vec<&'a OwnerRule>> {
    let mut chosen: BTreeMap<&str, (u8, &str)> = BTreeMap::new();
    for r in rules {
        let candidate = (rank(&r.source.file), r.source.file.as_str());
        let best = chosen.entry(r.root.as_str()).or_insert(candidate);
        if candidate < *best {
            *best = candidate;
        }
    }
    let mut out: BTreeMap<&str, Vec<&OwnerRule>> = BTreeMap::new();
    for r in rules {
        if chosen.get(r.root.as_str()).is_some_and(|(_, file)| *file == r.source.file) {
            out.entry(r.root.as_str()).or_default().push(r);
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.source.cmp(&b.source));
    }
    out
}

/// The owner of `file` (relative to the scanned root) under the deepest root holding it.
fn owner_of(files: &BTreeMap<&str, Vec<&OwnerRule>>, file: &str) -> Option<Located<String>> {
    let (rel, rules) = files
        .iter()
        .filter_map(|(root, rules)| relative(file, root).map(|rel| (root.len(), rel, rules)))
        .max_by_key(|(depth, _, _)| *depth)
        .map(|(_, rel, rules)| (rel, rules))?;
    let rule = rules.iter().rev().find(|r| matches(&r.pattern, rel))?;
    if rule.owners.is_empty() {
        return None;
    }
    Some(Located::new(rule.owners.join(", "), rule.source.clone()))
}

/// `file` relative to the folder `root`, if it lies under it.
fn relative<'f>(file: &'f str, root: &str) -> Option<&'f str> {
    if root.is_empty() {
        return Some(file);
    }
    file.strip_prefix(root)?.strip_prefix('/')
}

/// Whether a CODEOWNERS pattern matches a file path relative to its root. A pattern with no
/// `/` but a trailing one matches at any depth (`*.js`, `docs`, `apps/`); a leading or
/// inner `/` anchors it to the root; a trailing `/` matches only a folder, and so what is
/// under it; a pattern that matches a folder owns everything under it, except that a last
/// `*` after a `/` (`docs/*`) matches only direct children, as GitHub documents; `*` and `?`
/// stay within one path segment, `**` spans any number.
pub fn matches(pattern: &str, path: &str) -> bool {
    let dir_only = pattern.ends_with('/');
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.contains('/');
    let mut segs: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
    if segs.is_empty() {
        // `/` alone: the whole repository.
        return pattern.starts_with('/');
    }
    if !anchored {
        segs.insert(0, "**");
    }
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if !dir_only && segments(&segs, &parts) {
        return true;
    }
    if anchored && segs.last() == Some(&"*") {
        return false;
    }
    (1..parts.len()).any(|n| segments(&segs, &parts[..n]))
}

/// Whether the pattern segments match the path parts. A table of every (segment, part)
/// suffix pair, filled from the end, instead of backtracking: a pattern with many `**`
/// (`**/a/**/a/**/a/...`) would otherwise take time exponential in their number.
fn segments(segs: &[&str], parts: &[&str]) -> bool {
    let width = parts.len() + 1;
    // matched[i * width + j]: segs[i..] matches parts[j..].
    let mut matched = vec![false; (segs.len() + 1) * width];
    matched[segs.len() * width + parts.len()] = true;
    for i in (0..segs.len()).rev() {
        for j in (0..=parts.len()).rev() {
            matched[i * width + j] = if segs[i] == "**" {
                // Zero parts, or one more part and still `**`.
                matched[(i + 1) * width + j] || (j < parts.len() && matched[i * width + j + 1])
            } else {
                j < parts.len() && wildcard(segs[i], parts[j]) && matched[(i + 1) * width + j + 1]
            };
        }
    }
    matched[0]
}

/// One segment against one name: `*` any run of characters, `?` one character.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == n[ni])) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A service or workflow with no owner of its own, all of whose steps name the same owner,
/// is owned by that team: the fact points at the first step's `owner` line.
pub(super) fn infer_owners(graph: &mut Graph) {
    let mut inferred = Vec::new();
    for idx in graph.graph.node_indices() {
        let node = &graph.graph[idx];
        if node.attrs.owner.is_some() || !matches!(node.kind, NodeKind::Service | NodeKind::Workflow) {
            continue;
        }
        let owners: Vec<&Located<String>> = graph
            .graph
            .edges_directed(idx, petgraph::Direction::Outgoing)
            .filter(|e| e.weight().kind == EdgeKind::Contains)
            .filter_map(|e| graph.graph[petgraph::visit::EdgeRef::target(&e)].attrs.owner.as_ref())
            .collect();
        if let Some(first) = owners.iter().min_by(|a, b| a.source.cmp(&b.source))
            && owners.iter().all(|o| o.value == first.value)
        {
            inferred.push((idx, (*first).clone()));
        }
    }
    for (idx, owner) in inferred {
        graph.graph[idx].attrs.owner = Some(owner);
    }
}

#[cfg(test)]
mod tests;
