//! `alert-without-runbook`: an alert with no runbook link, or one that points at a page this book does not have.

use crate::analyze::Finding;
use crate::config::Config;
use crate::diag::Severity;
use crate::model::{EdgeKind, Graph, NodeKind};

/// Pages every book has, besides one page per node.
const FIXED_PAGES: [&str; 5] = ["index.html", "retries.html", "failure-points.html", "graph.html", "graph.json"];

/// Alerts defined by a rule file (not the ones a Rust `alerts:` key only names, which are
/// external) must carry a runbook link, and a link into this book must reach a page of it.
pub fn check(graph: &Graph, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let site = config.site_url.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // Every page of the book, gathered once: one look-up per alert, not one pass.
    let pages: std::collections::HashSet<&str> =
        if site.is_some() { graph.nodes().map(|(_, n)| n.page.as_str()).collect() } else { Default::default() };
    for (_, node) in graph.nodes() {
        if node.kind != NodeKind::Alert || node.external {
            continue;
        }
        // A hand-written runbook that covers the alert, or that its `runbook_url` names.
        let index = graph.by_id[&node.id];
        if graph
            .graph
            .edges_directed(index, petgraph::Direction::Incoming)
            .any(|e| e.weight().kind == EdgeKind::Documents)
        {
            continue;
        }
        let Some(runbook) = &node.attrs.runbook else {
            out.push(Finding::new(
                "alert-without-runbook",
                Severity::Warning,
                Some(&node.id),
                &super::at(node),
                format!(
                    "{} has no runbook: when it fires at night, the on-call engineer gets no instructions",
                    super::named(node)
                ),
                "add a `runbook_url` annotation to the rule, pointing at this alert's page in the book \
                 or at a hand-written runbook",
            ));
            continue;
        };
        let Some(page) = site.and_then(|s| page_in(s, &runbook.value)) else { continue };
        let known = FIXED_PAGES.contains(&page.as_str()) || pages.contains(page.as_str());
        if !known {
            out.push(Finding::new(
                "alert-without-runbook",
                Severity::Warning,
                Some(&node.id),
                &runbook.source,
                format!(
                    "{} links its runbook to `{}`, which points at a page this book does not have: \
                     the on-call engineer who follows it lands on a 404",
                    super::named(node),
                    runbook.value
                ),
                format!(
                    "point `runbook_url` at a page the book has (this alert's own is `{}`), \
                     or add the runbook that page should hold",
                    node.page
                ),
            ));
        }
    }
    out
}

/// The book page a URL names when it lies under `site`: the path after it, without the
/// fragment or query; the site root is `index.html`.
fn page_in(site: &str, url: &str) -> Option<String> {
    let base = site.trim_end_matches('/');
    let rest = url.strip_prefix(base)?;
    let rest = rest.split(['#', '?']).next().unwrap_or_default();
    if !rest.is_empty() && !rest.starts_with('/') {
        return None; // `https://ops.example.com/bookshelf` is not under `.../book`.
    }
    let rest = rest.trim_start_matches('/');
    Some(if rest.is_empty() { "index.html".to_string() } else { rest.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::analyze;
    use crate::extract::{Facts, NodeFact};
    use crate::model;
    use crate::source::{Located, Source};

    fn alert(name: &str, runbook: Option<&str>) -> NodeFact {
        let mut n = NodeFact::new(NodeKind::Alert, name, Source::new("monitoring/alerts.yaml", 6, 9));
        n.attrs.runbook = runbook.map(|r| Located::new(r.to_string(), Source::new("monitoring/alerts.yaml", 14, 24)));
        n.attrs.owner = Some(Located::new("team-checkout".into(), Source::new("monitoring/alerts.yaml", 11, 17)));
        n
    }

    fn findings(nodes: Vec<NodeFact>, site: Option<&str>) -> Vec<(String, u32, Option<String>)> {
        let graph = model::build([&Facts { nodes, ..Facts::default() }]);
        let config = Config { site_url: site.map(str::to_string), ..Config::default() };
        let a = analyze(&graph, &[], &config);
        a.findings
            .into_iter()
            .filter(|f| f.code == "alert-without-runbook")
            .map(|f| (f.message, f.line, f.node))
            .collect()
    }

    #[test]
    fn an_alert_with_no_runbook_is_a_finding_at_the_alert() {
        let found = findings(vec![alert("OrdersApiDown", None)], None);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].1, found[0].2.as_deref()), (6, Some("alert:ordersapidown")), "{found:?}");
        assert!(found[0].0.contains("no instructions"), "{}", found[0].0);
    }

    #[test]
    fn a_runbook_outside_the_book_is_trusted() {
        let found = findings(
            vec![alert("OrdersApiDown", Some("https://wiki.example.com/x"))],
            Some("https://ops.example.com/book/"),
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_runbook_into_the_book_must_reach_a_page() {
        let site = Some("https://ops.example.com/book");
        let graph = model::build([&Facts { nodes: vec![alert("A", None)], ..Facts::default() }]);
        let page = graph.nodes().next().map(|(_, n)| n.page.clone()).unwrap_or_default();
        let good = format!("https://ops.example.com/book/{page}#recovery");
        assert!(findings(vec![alert("A", Some(&good))], site).is_empty());
        assert!(findings(vec![alert("A", Some("https://ops.example.com/book/failure-points.html"))], site).is_empty());
        assert!(findings(vec![alert("A", Some("https://ops.example.com/book/"))], site).is_empty());

        let found = findings(vec![alert("A", Some("https://ops.example.com/book/alerts/gone.html#x"))], site);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, 14, "at the runbook's line");
        assert!(found[0].0.contains("does not have"), "{}", found[0].0);
    }

    #[test]
    fn an_alert_only_named_in_rust_is_not_judged() {
        let mut step = NodeFact::new(NodeKind::Step, "push_order", Source::new("src/erp.rs", 3, 1));
        step.attrs.alerts.push(Located::new("ErpSyncFailing".into(), Source::new("src/erp.rs", 2, 1)));
        assert!(findings(vec![step], None).is_empty());
    }

    #[test]
    fn a_rule_alert_named_in_rust_is_one_node_judged_by_its_rule() {
        let mut step = NodeFact::new(NodeKind::Step, "push_order", Source::new("src/erp.rs", 3, 1));
        step.attrs.alerts.push(Located::new("ErpSyncFailing".into(), Source::new("src/erp.rs", 2, 1)));
        let rule = alert("ErpSyncFailing", None);
        let graph = model::build([&Facts { nodes: vec![step.clone(), rule.clone()], ..Facts::default() }]);
        let alerts: Vec<_> = graph.nodes().filter(|(_, n)| n.kind == NodeKind::Alert).collect();
        assert_eq!((alerts.len(), alerts[0].1.external), (1, false));
        assert_eq!(findings(vec![step, rule], None).len(), 1);
    }

    #[test]
    fn an_alert_a_hand_written_runbook_covers_needs_no_runbook_url() {
        let text = "---\ntitle: Orders API down\ncovers: [OrdersApiDown]\n---\n1. Restart it.\n";
        let runbook = crate::extract::runbook::extract("docs/runbooks/orders.md", text).facts;
        let alerts = Facts { nodes: vec![alert("OrdersApiDown", None)], ..Facts::default() };
        let graph = model::build([&alerts, &runbook]);
        let a = analyze(&graph, &[], &Config::default());
        assert!(a.findings.iter().all(|f| f.code != "alert-without-runbook"), "{:?}", a.findings);
        assert_eq!(findings(vec![alert("OrdersApiDown", None)], None).len(), 1, "without the runbook it fires");
    }

    #[test]
    fn page_in_reads_the_path_under_the_site() {
        assert_eq!(
            page_in("https://o.x/book/", "https://o.x/book/alerts/a.html?x#y").as_deref(),
            Some("alerts/a.html")
        );
        assert_eq!(page_in("https://o.x/book", "https://o.x/book").as_deref(), Some("index.html"));
        assert_eq!(page_in("https://o.x/book", "https://o.x/bookshelf/a.html"), None);
    }
}
