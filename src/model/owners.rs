//! CODEOWNERS in the model: a node with no owner of its own gets the owner of its source file.
//!
//! GitHub's rules: of one repository root only the first of `.github/CODEOWNERS`,
//! `CODEOWNERS` and `docs/CODEOWNERS` counts, and within it the last matching pattern wins.
//! A file under several roots (a sub-repository) follows the deepest one. Patterns are
//! matched here, gitignore-like: see [`matches`].

use std::collections::BTreeMap;

use crate::extract::OwnerRule;
use crate::extract::codeowners::rank;
use crate::model::fxhash::FxHashMap;
use crate::model::{EdgeKind, Graph, NodeKind};
use crate::source::Located;

/// The governing rules of each root, each pattern compiled.
type Compiled<'a> = Vec<(&'a str, Vec<(Pattern, &'a OwnerRule)>)>;

/// The owner [`apply`] found for each file, kept from one build to the next while the rules
/// stay the same.
#[derive(Default)]
pub(super) struct Memo {
    rules: Vec<OwnerRule>,
    by_file: FxHashMap<String, Option<Located<String>>>,
}

/// Sets `attrs.owner` of every node that has none, has a source and is defined (not only
/// named by reference), from the CODEOWNERS rule that wins for its first source's file. The
/// value is the rule's owners joined with `, `, the source the rule's line. Team nodes are
/// left alone: a team owned by a team says nothing an on-call engineer needs.
///
/// Each rule's pattern is compiled once, and only when a file is to be matched; each
/// distinct file is matched once (many nodes share a file), and not again in the next build
/// while the rules stay the same (`memo`).
pub(super) fn apply(graph: &mut Graph, rules: &[&OwnerRule], memo: &mut Memo) {
    // Files that left the tree leave their entries: start again when they outnumber the rest.
    let stale = memo.by_file.len() > 2 * graph.graph.node_count() + 1024;
    if stale || memo.rules.len() != rules.len() || memo.rules.iter().zip(rules).any(|(a, b)| a != *b) {
        memo.rules = rules.iter().map(|r| (*r).clone()).collect();
        memo.by_file.clear();
    }
    if rules.is_empty() {
        return;
    }
    let mut compiled: Option<Compiled> = None;
    let by_file = &mut memo.by_file;
    for idx in graph.graph.node_indices() {
        let node = &graph.graph[idx];
        if node.attrs.owner.is_some() || node.external || node.kind == NodeKind::Team {
            continue;
        }
        let Some(file) = node.sources.first().map(|s| s.file.as_str()) else { continue };
        let owner = match by_file.get(file) {
            Some(owner) => owner.clone(),
            None => {
                let compiled = compiled.get_or_insert_with(|| {
                    governing(rules)
                        .into_iter()
                        .map(|(root, rules)| (root, rules.iter().map(|r| (Pattern::new(&r.pattern), *r)).collect()))
                        .collect()
                });
                let owner = owner_of(compiled, file);
                by_file.insert(file.to_string(), owner.clone());
                owner
            }
        };
        if let Some(owner) = owner {
            graph.graph[idx].attrs.owner = Some(owner);
        }
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
fn owner_of(files: &[(&str, Vec<(Pattern, &OwnerRule)>)], file: &str) -> Option<Located<String>> {
    let (rel, rules) = files
        .iter()
        .filter_map(|(root, rules)| relative(file, root).map(|rel| (root.len(), rel, rules)))
        .max_by_key(|(depth, _, _)| *depth)
        .map(|(_, rel, rules)| (rel, rules))?;
    let parts: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
    let (_, rule) = rules.iter().rev().find(|(p, _)| p.matches(&parts))?;
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
/// stay within one path segment, `**` spans any number. ([`apply`] compiles each pattern once.)
#[cfg(test)]
fn matches(pattern: &str, path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    Pattern::new(pattern).matches(&parts)
}

/// A CODEOWNERS pattern split once into what [`matches`] needs.
struct Pattern {
    /// Path segments; an unanchored pattern starts with `**`. Empty for `/` alone (and for
    /// a pattern of only slashes that is not anchored, which matches nothing).
    segs: Vec<Segment>,
    /// `/` alone: the whole repository.
    everything: bool,
    dir_only: bool,
    anchored: bool,
    last_star: bool,
}

/// One segment of a pattern: `**`, a literal name, or a name with `*` or `?`.
enum Segment {
    Any,
    Literal(String),
    Wild(Vec<char>),
}

impl Segment {
    fn matches(&self, name: &str) -> bool {
        match self {
            Segment::Any => true,
            Segment::Literal(l) => l == name,
            Segment::Wild(p) => wildcard(p, name),
        }
    }
}

impl Pattern {
    fn new(pattern: &str) -> Pattern {
        let dir_only = pattern.ends_with('/');
        let trimmed = pattern.trim_end_matches('/');
        let anchored = trimmed.contains('/');
        let raw: Vec<&str> = trimmed.split('/').filter(|s| !s.is_empty()).collect();
        let everything = raw.is_empty() && pattern.starts_with('/');
        let last_star = raw.last() == Some(&"*");
        let mut segs = Vec::with_capacity(raw.len() + 1);
        if !raw.is_empty() && !anchored {
            segs.push(Segment::Any);
        }
        segs.extend(raw.iter().map(|s| match *s {
            "**" => Segment::Any,
            s if s.contains(['*', '?']) => Segment::Wild(s.chars().collect()),
            s => Segment::Literal(s.to_string()),
        }));
        Pattern { segs, everything, dir_only, anchored, last_star }
    }

    /// Whether the pattern matches a path given as its non-empty parts.
    fn matches(&self, parts: &[&str]) -> bool {
        if self.segs.is_empty() {
            return self.everything;
        }
        // Segments before the first `**` must each match the part at their position, in
        // the whole path and in every folder of it: a cheap test that rejects most rules
        // (`/services/orders/` against `services/billing/...`) before the table is built.
        let lead = self.segs.iter().take_while(|s| !matches!(s, Segment::Any)).count();
        if parts.len() < lead || !self.segs[..lead].iter().zip(parts).all(|(s, p)| s.matches(p)) {
            return false;
        }
        if !self.dir_only && segments(&self.segs, parts) {
            return true;
        }
        if self.anchored && self.last_star {
            return false;
        }
        (1..parts.len()).any(|n| segments(&self.segs, &parts[..n]))
    }
}

/// Whether the pattern segments match the path parts. A table of every (segment, part)
/// suffix pair, filled from the end, instead of backtracking: a pattern with many `**`
/// (`**/a/**/a/**/a/...`) would otherwise take time exponential in their number.
fn segments(segs: &[Segment], parts: &[&str]) -> bool {
    let width = parts.len() + 1;
    // matched[i * width + j]: segs[i..] matches parts[j..].
    let mut matched = vec![false; (segs.len() + 1) * width];
    matched[segs.len() * width + parts.len()] = true;
    for i in (0..segs.len()).rev() {
        for j in (0..=parts.len()).rev() {
            matched[i * width + j] = if matches!(segs[i], Segment::Any) {
                // Zero parts, or one more part and still `**`.
                matched[(i + 1) * width + j] || (j < parts.len() && matched[i * width + j + 1])
            } else {
                j < parts.len() && segs[i].matches(parts[j]) && matched[(i + 1) * width + j + 1]
            };
        }
    }
    matched[0]
}

/// One segment against one name: `*` any run of characters, `?` one character.
fn wildcard(p: &[char], name: &str) -> bool {
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
