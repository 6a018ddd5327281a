//! A team's surface: what it owns, by kind, and every alert that pages it.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::model::{EdgeKind, NodeKind};
use crate::render::links::{NodeLink, SourceView};
use crate::render::lookup::Lookup;

#[derive(Debug, Serialize)]
pub struct OwnedGroup {
    /// "Workflows", "Services", ...
    pub title: &'static str,
    pub items: Vec<OwnedItem>,
}

#[derive(Debug, Serialize)]
pub struct OwnedItem {
    pub node: NodeLink,
    pub source: Option<SourceView>,
}

/// One alert that pages the team, with what it watches.
#[derive(Debug, Serialize)]
pub struct PagedView {
    /// The alert's node, or its bare name when no rule file defines it.
    pub alert: NodeLink,
    pub watches: Vec<NodeLink>,
    pub source: Option<SourceView>,
}

#[derive(Debug, Default, Serialize)]
pub struct TeamView {
    pub owns: Vec<OwnedGroup>,
    pub paged_for: Vec<PagedView>,
}

/// The team's page sections; `None` for any other kind of node.
pub fn view(lookup: &Lookup, index: NodeIndex, root: &str) -> Option<TeamView> {
    let (graph, sources) = (lookup.graph, &lookup.sources);
    let g = &graph.graph;
    if g[index].kind != NodeKind::Team {
        return None;
    }
    let owned: Vec<(NodeIndex, Option<SourceView>)> = g
        .edges(index)
        .filter(|e| e.weight().kind == EdgeKind::Owns)
        .map(|e| (e.target(), e.weight().sources.first().map(|s| sources.view(s))))
        .collect();
    let mut groups: BTreeMap<NodeKind, Vec<OwnedItem>> = BTreeMap::new();
    for (i, source) in &owned {
        groups
            .entry(g[*i].kind)
            .or_default()
            .push(OwnedItem { node: NodeLink::new(&g[*i], root), source: source.clone() });
    }
    let owns = groups
        .into_iter()
        .map(|(kind, mut items)| {
            items.sort_by(|a, b| a.node.id.cmp(&b.node.id));
            OwnedGroup { title: kind.plural_title(), items }
        })
        .collect();

    // What the team answers for: the owned nodes and everything they contain.
    let mut surface = BTreeSet::new();
    let mut stack: Vec<NodeIndex> = owned.iter().map(|(i, _)| *i).collect();
    while let Some(i) = stack.pop() {
        if surface.insert(i) {
            stack.extend(g.edges(i).filter(|e| e.weight().kind == EdgeKind::Contains).map(|e| e.target()));
        }
    }
    // Alert id (or name) -> the alert, what it watches, where it is named.
    let mut paged: BTreeMap<String, PagedView> = BTreeMap::new();
    for &i in &surface {
        let watched = NodeLink::new(&g[i], root);
        for e in g.edges_directed(i, Direction::Incoming).filter(|e| e.weight().kind == EdgeKind::Alerts) {
            let alert = &g[e.source()];
            let entry = paged.entry(alert.id.clone()).or_insert_with(|| PagedView {
                alert: NodeLink::new(alert, root),
                watches: Vec::new(),
                source: alert.sources.first().map(|s| sources.view(s)),
            });
            entry.watches.push(watched.clone());
        }
        for named in &g[i].attrs.alerts {
            let alert = lookup.find(NodeKind::Alert, &named.value);
            let key = alert.map_or_else(|| format!("alert-name:{}", named.value), |a| a.id.clone());
            let entry = paged.entry(key).or_insert_with(|| PagedView {
                alert: match alert {
                    Some(a) => NodeLink::new(a, root),
                    None => NodeLink {
                        id: named.value.clone(),
                        name: named.value.clone(),
                        kind: "alert",
                        href: None,
                        external: true,
                    },
                },
                watches: Vec::new(),
                source: Some(sources.view(&named.source)),
            });
            entry.watches.push(watched.clone());
        }
    }
    let paged_for = paged
        .into_values()
        .map(|mut p| {
            p.watches.sort_by(|a, b| a.id.cmp(&b.id));
            p.watches.dedup_by(|a, b| a.id == b.id);
            p
        })
        .collect();
    Some(TeamView { owns, paged_for })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use crate::config::Config;
    use crate::model::{Edge, EdgeKind};
    use crate::render::tests::{page, section};
    use crate::render::{fixture, render};
    use crate::source::Source;

    #[test]
    fn a_team_page_lists_what_it_owns_and_what_pages_it() {
        let mut graph = fixture::graph();
        let edge = Edge { kind: EdgeKind::Owns, sources: vec![Source::new("CODEOWNERS", 2, 1)], detail: None };
        graph.graph.add_edge(graph.by_id["team:team-integrations"], graph.by_id["service:storefront"], edge);
        let analysis = fixture::analysis(&graph);
        let (site, diagnostics) = render(&graph, &analysis, &Config::default(), &BTreeMap::new());
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let html = page(&site, "teams/team-integrations.html");

        let owns = section(html, "owns");
        let services = owns.find("Services").expect("grouped by kind");
        let workflows = owns.find("Workflows").expect("grouped by kind");
        assert!(owns[services..workflows].contains("href=\"../services/storefront.html\""), "{owns}");
        assert!(owns[workflows..].contains("href=\"../workflows/order-fulfilment.html\""), "{owns}");

        // The team owns the workflow; ErpSyncFailing watches a step of it.
        let paged = section(html, "paged-for");
        assert!(paged.contains("href=\"../alerts/erpsyncfailing.html\""), "{paged}");
        assert!(paged.contains("href=\"../steps/push-order.html\""), "{paged}");
        assert_eq!(paged.matches("ErpSyncFailing").count(), 1, "one alert, listed once: {paged}");
        assert!(html.find("id=\"paged-for\"").unwrap() < html.find("id=\"recovery\"").unwrap());

        // Other pages have no team sections.
        assert!(!page(&site, "steps/push-order.html").contains("id=\"owns\""));
    }
}
