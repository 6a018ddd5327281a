//! Render tests of workflow pages over the state machine in `fixture_flow.rs`: the flow
//! diagram, the step table, the worst case in words, step pages, escaping, links, determinism.

use std::collections::BTreeMap;

use super::fixture_flow::{self, ERROR_EDGES, EVIL_STATE};
use super::tests::{check_links, page, pages, section};
use super::{Site, render};
use crate::analyze::analyze;
use crate::config::Config;
use crate::extract::Facts;
use crate::model;

fn render_facts(facts: &Facts) -> Site {
    let graph = model::build([facts]);
    let analysis = analyze(&graph, &[], &Config::default());
    let (site, diagnostics) = render(&graph, &analysis, &Config::default(), &BTreeMap::new());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    site
}

fn build() -> Site {
    let (graph, analysis) = fixture_flow::system();
    let (site, diagnostics) = render(&graph, &analysis, &Config::default(), &BTreeMap::new());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    site
}

const FLOW_PAGE: &str = "workflows/ship-order.html";

#[test]
fn the_flow_links_every_step_and_dashes_exactly_the_error_paths() {
    let (graph, _) = fixture_flow::system();
    let site = build();
    let html = page(&site, FLOW_PAGE);
    let flow = section(html, "flow");
    assert!(flow.contains("<svg"), "{flow}");
    let steps: Vec<_> = graph.nodes().filter(|(_, n)| n.scope.as_deref() == Some(fixture_flow::FLOW)).collect();
    assert_eq!(steps.len(), 10);
    let table = section(html, "steps");
    for (_, n) in &steps {
        assert!(flow.contains(&format!("<a href=\"../{}\">", n.page)), "{} is linked", n.id);
        assert!(table.contains(&format!("href=\"../{}\"", n.page)), "{} has a row", n.id);
    }
    // Exactly the error edges are dashed, each one red and labelled with its errors.
    assert_eq!(flow.matches("stroke-dasharray").count(), ERROR_EDGES, "{flow}");
    assert_eq!(flow.matches("class=\"edge e-on_error\"").count(), ERROR_EDGES);
    for error_edge in flow.split("<path ").filter(|p| p.contains("e-on_error")) {
        assert!(error_edge.contains("stroke-dasharray=\"6 4\"") && error_edge.contains("arrow-error"));
    }
    assert!(flow.contains(">States.ALL</text>") && flow.contains(">error ShipmentRejected</text>"));
    assert_eq!(flow.matches("class=\"edge e-next loop\"").count(), 1, "the loop back to Charge, drawn but not dashed");
    assert!(
        flow.contains(">$.total &gt; 1000</text>") && flow.contains(">Default</text>"),
        "conditions label next edges"
    );
    // Retries, waiting and the branches a Parallel runs are visible in the boxes.
    assert!(flow.contains("↻ 4/7"), "the two retriers' attempts");
    assert!(flow.contains("class=\"badge-wait\"") || flow.contains("· waits"), "Approve waits");
    assert!(flow.contains("waits 5 min"), "the Wait state");
    assert!(flow.contains("href=\"../workflows/ship-order-fan-out-branch-1.html\""));
    assert!(flow.contains("href=\"../workflows/ship-order-fan-out-branch-2.html\""));
    // The critical path is drawn: Validate .. Approve .. Ship.
    assert!(flow.matches("class=\"edge e-next critical\"").count() >= 5, "{flow}");
    assert!(flow.contains("class=\"node step critical waits\""), "Approve is on the longest path");
}

#[test]
fn the_step_table_reads_in_flow_order_with_both_numbers_for_attempts() {
    let site = build();
    let html = page(&site, FLOW_PAGE);
    let steps = section(html, "steps");
    assert!(steps.contains("4 attempts (MaxAttempts 3) on <code>States.Timeout, Lambda.ServiceException</code>"));
    assert!(steps.contains("7 attempts (MaxAttempts 6) on <code>States.ALL</code>"), "{steps}");
    assert!(steps.contains("1 s, 2 s, 4 s"), "the default-like retrier's waits");
    // Charge's two retriers: 4 × 30 s + 7 s, and 7 × 30 s + 41 s for States.ALL. Either may
    // be the one that runs, so the step counts the longer.
    assert!(steps.contains("4 min 11 s"), "Charge counts its longest retrier");
    assert!(steps.contains("sfn/ship-order.asl.json:10"), "a source for each step");
    assert!(steps.contains("Catch States.ALL -&gt; NotifyFailure"));
    assert!(steps.contains("<code>States.ALL</code>"));
    assert!(steps.contains("charges the customer&#39;s card"), "{steps}");
    assert!(steps.contains("href=\"../resources/lambda-processpayment.html\""), "the integration");
    assert!(
        steps.contains("calls <a class=\"node k-workflow\" href=\"../workflows/notify-oncall.html\">"),
        "a sub-workflow call"
    );
    let order: Vec<usize> = ["Validate", "Charge", "Route", "Approve", "Cool off", "Ship"]
        .iter()
        .map(|name| steps.find(&format!(">{name}</a>")).unwrap_or_else(|| panic!("{name} missing")))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "flow order: {order:?}");
    // Approve has no timeout and no handler: both are marked.
    let approve = &steps[steps.find(">Approve</a>").unwrap()..];
    let approve = &approve[..approve.find("</tr>").unwrap()];
    assert_eq!(approve.matches("class=\"missing\"").count(), 3, "no bound, no timeout, no handler: {approve}");
}

#[test]
fn the_worst_case_is_said_in_words_with_the_unbounded_step_named() {
    let site = build();
    let html = page(&site, FLOW_PAGE);
    let duration = section(html, "duration");
    assert!(
        duration.contains(
            "No bound: Approve waits for a person to approve (task token) and has no timeout, so the workflow can wait forever."
        ),
        "{duration}"
    );
    assert!(duration.contains("Its deadline of 1 h is the only thing that stops it."));
    assert!(duration.contains("The bounded steps along Validate →"), "{duration}");
    let branch = page(&site, "workflows/ship-order-fan-out-branch-1.html");
    assert!(section(branch, "duration").contains("At most 5 min along Pick → Label."));
    assert!(branch.contains("href=\"../steps/ship-order-fan-out.html\""), "a branch links the step that runs it");
    // The incident-first order holds on workflow pages too.
    let order = ["owner", "recovery", "failure-modes", "signals", "findings", "duration", "flow", "steps", "retries"];
    let at: Vec<usize> = order.iter().map(|id| html.find(&format!("id=\"{id}\"")).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
}

#[test]
fn a_worst_case_past_the_deadline_is_a_warning() {
    let mut facts = fixture_flow::facts();
    let branch = facts.nodes.iter_mut().find(|n| n.name == fixture_flow::BRANCH_1).unwrap();
    branch.attrs.deadline =
        Some(crate::source::Located::new(crate::extract::Value::Known(60_000), branch.source.clone()));
    let site = render_facts(&facts);
    let duration = section(page(&site, "workflows/ship-order-fan-out-branch-1.html"), "duration");
    assert!(
        duration.contains(
            "<p class=\"missing\">Its deadline is 1 min, but the worst case is 4 min longer: a run that meets every retry and timeout misses it.</p>"
        ),
        "{duration}"
    );
}

#[test]
fn step_pages_say_where_they_sit_and_list_each_retrier() {
    let site = build();
    let html = page(&site, "steps/ship-order-charge.html");
    let facts = section(html, "in-workflow");
    assert!(facts.contains("A step of <a class=\"node k-workflow\" href=\"../workflows/ship-order.html\">"), "{facts}");
    assert!(facts.contains("lambda invoke") && facts.contains("sfn/ship-order.asl.json:11"));
    assert!(facts.contains("<code>Catch States.ALL -&gt; NotifyFailure</code>"));
    assert!(facts.contains(">NotifyFailure</a> on <code>States.ALL</code>"), "the error path with its errors");
    assert!(facts.contains(">Route</a>"), "the next step");
    let retries = section(html, "retries");
    assert!(retries.contains("4 attempts over at most 2 min 7 s (MaxAttempts 3)"), "{retries}");
    assert!(retries.contains("7 (the first try and 6 retries; MaxAttempts 6)"));
    assert!(retries.contains("<code>States.Timeout, Lambda.ServiceException</code>"));
    assert!(!retries.contains("not in effect"), "each retrier is in effect for its errors");
    let all = page(&site, "retries.html");
    assert!(all.contains("7 attempts over at most") && all.contains("(MaxAttempts 6)"));
    assert!(all.contains("<code>States.ALL</code>"));

    let approve = section(page(&site, "steps/ship-order-approve.html"), "in-workflow");
    assert!(approve.contains("a person to approve (task token)") && approve.contains("on the workflow's longest path"));
    assert!(approve.contains("none: it can wait as long as the other side lets it"));
    let cool = section(page(&site, "steps/ship-order-cool-off.html"), "in-workflow");
    assert!(cool.contains("waits 5 min by design"), "{cool}");
    let validate = section(page(&site, "steps/ship-order-validate.html"), "in-workflow");
    assert!(validate.contains("the workflow starts here"));
}

#[test]
fn overview_and_graph_group_workflows_and_their_steps() {
    let site = build();
    let index = page(&site, "index.html");
    let workflows = section(index, "workflows");
    assert!(workflows.contains("10 steps, no bound"), "{workflows}");
    assert!(workflows.contains("2 steps, at most 5 min"));
    let graph = page(&site, "graph.html");
    let steps = section(graph, "by-kind");
    let group = steps.find("<summary>ship-order (10)</summary>").expect("steps grouped by workflow");
    let branch = steps.find("<summary>ship-order › Fan out › branch 1 (2)</summary>").expect("branch group");
    assert!(steps[group..].contains(">Charge</a>") && group != branch);
    assert!(steps.contains("10 steps, under Steps"), "a workflow's steps are not listed twice");
}

#[test]
fn a_hostile_state_name_is_escaped_in_the_diagram_the_table_and_links() {
    let site = build();
    assert!(EVIL_STATE.contains("<script>"));
    for (path, html) in pages(&site) {
        assert!(!super::tests::without_own_scripts(path, html).contains("<script"), "{path}");
        assert!(!html.contains("'../../x'"), "{path}: a quote from a name");
    }
    let html = page(&site, FLOW_PAGE);
    assert!(
        section(html, "flow").contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || section(html, "flow").contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(section(html, "steps").contains("&lt;script&gt;alert(1)&lt;"));
    let slug = "ship-order-script-alert-1-script-q-x";
    assert!(site.files.contains_key(&format!("steps/{slug}.html")), "the page path comes from the slug");
    assert!(section(html, "flow").contains(&format!("href=\"../steps/{slug}.html\"")));
}

#[test]
fn every_link_resolves_and_two_renders_are_identical() {
    let site = build();
    assert!(check_links(&site) > 200);
    assert_eq!(site, build());
}

#[test]
fn past_the_limit_the_table_stands_alone() {
    use crate::extract::{EdgeFact, NodeFact, NodeRef, Resolve};
    use crate::model::{EdgeKind, NodeKind};
    use crate::source::Source;
    let step = |i: usize| NodeRef::scoped(NodeKind::Step, format!("s{i}"), "long");
    let link = |kind, from, to, line| EdgeFact {
        from,
        to,
        kind,
        source: Source::new("long.yml", line, 1),
        resolve: Resolve::Required,
        detail: None,
    };
    let mut facts = fixture_flow::facts();
    facts.nodes.push(NodeFact::new(NodeKind::Workflow, "long", Source::new("long.yml", 1, 1)));
    for i in 0..super::flow::MAX_FLOW_STEPS + 1 {
        let line = i as u32 + 2;
        facts.nodes.push(NodeFact::scoped(NodeKind::Step, format!("s{i}"), "long", Source::new("long.yml", line, 1)));
        facts.edges.push(link(EdgeKind::Contains, NodeRef::new(NodeKind::Workflow, "long"), step(i), line));
    }
    // Steps nothing joins have no flow to draw, whatever their number.
    let site = render_facts(&facts);
    assert!(section(page(&site, "workflows/long.html"), "flow").contains("there is no flow to draw"));

    for i in 1..super::flow::MAX_FLOW_STEPS + 1 {
        facts.edges.push(link(EdgeKind::Next, step(i - 1), step(i), i as u32 + 1));
    }
    let site = render_facts(&facts);
    let html = page(&site, "workflows/long.html");
    assert!(!section(html, "flow").contains("<svg"));
    assert!(section(html, "flow").contains("too many for a legible diagram"));
    assert_eq!(
        section(html, "steps").matches("<tr").count(),
        super::flow::MAX_FLOW_STEPS + 2,
        "every step and the header"
    );
    let steps = section(html, "steps");
    assert!(steps.find(">s9</a>").unwrap() < steps.find(">s10</a>").unwrap(), "flow order, not name order");
    assert!(section(page(&site, FLOW_PAGE), "flow").contains("<svg"), "small workflows keep their diagram");
}
