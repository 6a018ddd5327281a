//! Name resolution while the graph is built: a reference (kind, name, scope, file) to the
//! node it means, through the hashed name, function and slug tables.

use super::*;

/// Kinds tried, in order, for a reference that names no kind (`depends-on: orders-db`).
const ANY_KIND_ORDER: [NodeKind; 7] = [
    NodeKind::Service,
    NodeKind::Resource,
    NodeKind::Api,
    NodeKind::Workflow,
    NodeKind::Step,
    NodeKind::System,
    NodeKind::Team,
];

impl Builder {
    /// Resolves what a hand-written runbook names: any node, and a bare name may also be
    /// an alert or another runbook.
    pub(super) fn lookup_documented(&self, r: &NodeRef, file: Option<&str>) -> Option<NodeIndex> {
        // An id (`step:push-order`) is found at once, not by a scan of every slug.
        let by_id = r.kind.and_then(|k| self.graph.by_id.get(&format!("{}:{}", k.as_str(), r.name)).copied());
        by_id.or_else(|| self.lookup(r, file)).or_else(|| {
            let kinds = if r.kind.is_none() { [NodeKind::Alert, NodeKind::Runbook].as_slice() } else { &[] };
            kinds.iter().find_map(|&k| self.lookup(&NodeRef::new(k, &r.name), file))
        })
    }

    /// Resolves a reference. A scoped reference resolves only within its scope; among
    /// several unscoped nodes of one name, the one in `file` wins.
    pub(super) fn lookup(&self, r: &NodeRef, file: Option<&str>) -> Option<NodeIndex> {
        let pick = |candidates: &[NodeIndex]| -> Option<NodeIndex> {
            if r.scope.is_none() && candidates.len() == 1 {
                return Some(candidates[0]);
            }
            if r.scope.is_some() {
                return candidates.iter().find(|&&i| self.graph.graph[i].scope == r.scope).copied();
            }
            let same_file = candidates
                .iter()
                .find(|&&i| file.is_some_and(|f| self.graph.graph[i].sources.iter().any(|s| s.file == f)));
            same_file.or(candidates.first()).copied()
        };
        let kinds: &[NodeKind] = match &r.kind {
            Some(k) => std::slice::from_ref(k),
            None => &ANY_KIND_ORDER,
        };
        let g = &self.graph.graph;
        let h = hash(&r.name);
        for &kind in kinds {
            if let Some(c) = self.by_name.get(&(kind, h))
                && let Some(c) = only(c, |i| g[i].name == r.name)
            {
                return pick(&c);
            }
            if kind == NodeKind::Step
                && let Some(c) = self.by_function.get(&h)
                && let Some(c) = only(c, |i| g[i].attrs.function.as_deref() == Some(r.name.as_str()))
            {
                return pick(&c);
            }
        }
        // `orders_db` and `orders-db` are the same name written two ways: the nodes of that
        // slug by name, then index.
        let slug = slugify(&r.name);
        let h = hash(&slug);
        for &kind in kinds {
            let Some(c) = self.by_slug.get(&(kind, h)) else { continue };
            let Some(c) = only(c, |i| g[i].slug == slug) else { continue };
            let mut found = c.into_owned();
            found.sort_by(|&a, &b| (&g[a].name, a).cmp(&(&g[b].name, b)));
            if let Some(i) = pick(&found) {
                return Some(i);
            }
        }
        None
    }

    /// Whether a node of `kind` has this slug.
    pub(super) fn taken(&self, kind: NodeKind, slug: &str) -> bool {
        let g = &self.graph.graph;
        self.by_slug.get(&(kind, hash(slug))).is_some_and(|c| c.iter().any(|&i| g[i].slug == slug))
    }

    /// The nodes of one kind and name, in index order.
    pub(super) fn named(&self, kind: NodeKind, name: &str) -> Option<Cow<'_, [NodeIndex]>> {
        let c = self.by_name.get(&(kind, hash(name)))?;
        only(c, |i| self.graph.graph[i].name == name)
    }
}

/// The candidates that hold, in their order; `None` when none does. (A table of hashes can
/// hold another name's node: almost never, so the list is copied only then.)
fn only(candidates: &[NodeIndex], holds: impl Fn(NodeIndex) -> bool) -> Option<Cow<'_, [NodeIndex]>> {
    if candidates.iter().all(|&i| holds(i)) {
        return (!candidates.is_empty()).then_some(Cow::Borrowed(candidates));
    }
    let kept: Vec<NodeIndex> = candidates.iter().copied().filter(|&i| holds(i)).collect();
    (!kept.is_empty()).then_some(Cow::Owned(kept))
}
