//! Incremental rendering: after random edits of a small tree, `render_cached` (only the
//! pages `dirty` picks, the site updated in place) equals a full `render` byte for byte,
//! and its `changed` and `removed` sets are exactly the paths that moved.

use std::collections::{BTreeMap, BTreeSet};

use super::{PageCache, Site, render, render_cached};
use crate::analyze::{self, Analysis};
use crate::config::Config;
use crate::model::{self, Graph};
use crate::scan::{SourceKind, classify, is_runbook};
use crate::test_rng::Rng;

/// One step file's annotations, each of which some page reads.
#[derive(Clone)]
struct Step {
    name: String,
    workflow: usize,
    depends: &'static str,
    attempts: u64,
    timeout: u64,
    idempotent: bool,
    owner: String,
    alert: Option<String>,
    /// Bumped to change the step's description (the search index reads it).
    summary: usize,
}

impl Step {
    fn source(&self) -> String {
        let mut s = format!(
            "/// The {} step, take {}.\n///\n/// # Operations\n{}/// - depends-on: {}\n\
             /// - retry: attempts={} initial=100ms factor=2\n/// - timeout: {}s\n/// - idempotent: {}\n\
             /// - owner: {}\n",
            self.name,
            self.summary,
            if self.workflow == NO_WORKFLOW {
                String::new()
            } else {
                format!("/// - workflow: flow-{}\n", self.workflow)
            },
            self.depends,
            self.attempts,
            self.timeout,
            if self.idempotent { "yes" } else { "no" },
            self.owner
        );
        if let Some(a) = &self.alert {
            s.push_str(&format!("/// - alerts: {a}\n"));
        }
        s.push_str(&format!("///\n/// # Recovery\n/// 1. Restart {}.\npub async fn {}() {{}}\n", self.name, self.name));
        s
    }
}

/// A step of no workflow: drawn for itself on its owner's diagram, not folded.
const NO_WORKFLOW: usize = 9;

const COMPOSE: &str = "services:\n  api:\n    image: api:1\n    depends_on: [db]\n  db:\n    image: postgres:16\n";
const TEAMS: [&str; 3] = ["team-a", "team-b", "team-c"];
const TARGETS: [&str; 4] = ["api", "db", "store-1", "store-2"];

fn build(files: &BTreeMap<String, String>, config: &Config) -> (Graph, Analysis) {
    let extracted: Vec<_> = files
        .iter()
        .filter_map(|(path, text)| {
            let kind = if is_runbook(path, &config.runbooks) { Some(SourceKind::Runbook) } else { classify(path) };
            Some(crate::extract::extract(kind?, path, text))
        })
        .collect();
    let diagnostics: Vec<_> = extracted.iter().flat_map(|x| x.diagnostics.iter().cloned()).collect();
    let graph = model::build(extracted.iter().map(|x| &x.facts));
    let texts: analyze::suppress::Texts = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let analysis = analyze::analyze_sources(&graph, &diagnostics, config, &texts);
    (graph, analysis)
}

/// Checks one incremental render against a full one: same bytes, exact change sets.
/// The first incremental render of a session: from an empty graph and site.
fn first_render(
    graph: &Graph,
    analysis: &Analysis,
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> (PageCache, Site) {
    let mut cache = PageCache::default();
    let mut site = Site::default();
    render_cached(graph, analysis, &Graph::default(), &Analysis::default(), config, overrides, &mut cache, &mut site);
    (cache, site)
}

fn check(before: &Site, after: &Site, cache: &PageCache, fresh: &Site, what: &str) {
    assert!(after == fresh, "{what}: the incremental site differs from a full render: {:?}", {
        let keys: BTreeSet<&String> = after.files.keys().chain(fresh.files.keys()).collect();
        keys.into_iter().filter(|k| after.files.get(*k) != fresh.files.get(*k)).take(5).collect::<Vec<_>>()
    });
    let changed: BTreeSet<String> =
        fresh.files.iter().filter(|(p, b)| before.files.get(*p) != Some(*b)).map(|(p, _)| p.clone()).collect();
    let missing: Vec<&String> = changed.difference(&cache.changed).collect();
    assert!(missing.is_empty(), "{what}: changed but not reported: {missing:?}");
    let wasted: Vec<&String> = cache.changed.difference(&changed).collect();
    assert!(wasted.is_empty(), "{what}: reported as changed with equal bytes: {wasted:?}");
    let removed: BTreeSet<String> = before.files.keys().filter(|p| !fresh.files.contains_key(*p)).cloned().collect();
    assert_eq!(cache.removed, removed, "{what}: removed paths");
}

/// Random edits that move what the dependency rules follow: owners (a team appearing or
/// disappearing), renames, edges, retries and timeouts, findings appearing (and shifting
/// every later rank), alerts, workflows, nodes added next to others of their kind, a
/// hand-written runbook's live values.
#[test]
fn random_edits_render_only_what_changed_and_equal_a_full_render() {
    random_edits(&[0x5eed_u64, 0xdead_beef, 42, 7], 8, 12, &BTreeMap::new());
}

/// Past 40 nodes `graph.html` draws a diagram per owner, each kept between renders and
/// drawn again only when a node it reads changed: owners, workflows (a step folds into
/// its workflow's box), edges and nodes coming and going move them.
#[test]
fn random_edits_of_a_system_split_by_owner_equal_a_full_render() {
    random_edits(&[0xb16, 3], 36, 44, &BTreeMap::new());
}

/// A project's override of a root page's template is honoured by the incremental render
/// too (the page is not made from fragments then); an override of another template
/// leaves the fragments in use.
#[test]
fn overridden_root_pages_render_through_their_override() {
    let overrides = BTreeMap::from([
        (
            "graph.html".to_string(),
            "{% extends \"base.html\" %}{% block content %}<p>{{ page.node_count }} nodes</p>{% endblock content %}"
                .to_string(),
        ),
        ("_policy.html".to_string(), "<p>{{ policy.headline }}</p>".to_string()),
        ("runbook.html".to_string(), "{{ page_title }}".to_string()),
    ]);
    random_edits(&[11], 8, 12, &overrides);
}

/// Random edits of a tree of `initial` step files (at most `max`), each followed by an
/// incremental render checked against a full one.
fn random_edits(seeds: &[u64], initial: usize, max: usize, overrides: &BTreeMap<String, String>) {
    let config = Config::default();
    for &seed in seeds {
        let mut rng = Rng(seed);
        let mut steps: Vec<Step> = (0..initial)
            .map(|i| Step {
                name: format!("step_{i}"),
                workflow: if i % 5 == 4 { NO_WORKFLOW } else { i % 3 },
                depends: TARGETS[i % TARGETS.len()],
                attempts: 3,
                timeout: 5,
                idempotent: true,
                owner: TEAMS[i % TEAMS.len()].to_string(),
                alert: None,
                summary: 0,
            })
            .collect();
        let mut next = steps.len();
        let runbook = "---\ntitle: Step zero\ncovers: [step_0]\n---\n\n## Mitigation\n\n1. Replay.\n\n\
                       Attempts: {{ step_0.retry.max_attempts }}.\n";
        let files = |steps: &[Step]| -> BTreeMap<String, String> {
            let mut f: BTreeMap<String, String> =
                steps.iter().enumerate().map(|(i, s)| (format!("src/s{i:02}.rs"), s.source())).collect();
            f.insert("compose.yaml".to_string(), COMPOSE.to_string());
            f.insert("docs/runbooks/zero.md".to_string(), runbook.to_string());
            f
        };
        let (mut graph, mut analysis) = build(&files(&steps), &config);
        let (mut cache, mut site) = first_render(&graph, &analysis, &config, overrides);
        assert_eq!(site, render(&graph, &analysis, &config, overrides).0, "seed {seed:#x}: first render");
        assert_eq!(cache.changed, site.files.keys().cloned().collect(), "the first render changes everything");
        let mut partial = 0;
        for round in 0..60 {
            let pick = rng.below(steps.len());
            let what = rng.below(11);
            match what {
                0 => {
                    // An owner, sometimes a team nobody else names (a team node appears).
                    steps[pick].owner = match rng.below(4) {
                        3 => format!("team-new-{round}"),
                        t => TEAMS[t].to_string(),
                    }
                }
                1 => steps[pick].attempts = 1 + rng.below(6) as u64,
                2 => steps[pick].timeout = 1 + rng.below(40) as u64,
                3 => steps[pick].idempotent = !steps[pick].idempotent,
                4 => steps[pick].depends = TARGETS[rng.below(TARGETS.len())],
                5 => steps[pick].workflow = [0, 1, 2, 3, NO_WORKFLOW][rng.below(5)],
                6 => {
                    steps[pick].alert =
                        [None, Some("pager-high".to_string()), Some("slow".to_string())][rng.below(3)].clone()
                }
                7 => {
                    // A rename: one step goes, another comes, next to others of its kind.
                    steps[pick].name = format!("step_{next}");
                    next += 1;
                }
                10 => steps[pick].summary += 1,
                8 if steps.len() < max => {
                    let mut s = steps[pick].clone();
                    s.name = format!("step_{next}");
                    next += 1;
                    steps.push(s);
                }
                _ if steps.len() > 3 => {
                    steps.remove(pick);
                }
                _ => steps[pick].attempts += 1,
            }
            let (g, a) = build(&files(&steps), &config);
            // The blast radius a build may share with the last one is what a fresh
            // computation gives (a `depends` edit moves an edge's target alone).
            assert_eq!(
                *a.blast_radius,
                analyze::blast::blast_radius(&g),
                "seed {seed:#x}, round {round}: blast radius"
            );
            let before = site.clone();
            render_cached(&g, &a, &graph, &analysis, &config, overrides, &mut cache, &mut site);
            let fresh = render(&g, &a, &config, overrides).0;
            check(&before, &site, &cache, &fresh, &format!("seed {seed:#x}, round {round}, edit {what}"));
            if cache.rendered < fresh.files.keys().filter(|p| p.ends_with(".html")).count() {
                partial += 1;
            }
            (graph, analysis) = (g, a);
        }
        assert!(partial >= 20, "seed {seed:#x}: only {partial} of 60 renders skipped a page");
    }
}

/// A rebuild with nothing changed renders nothing and changes nothing; one timeout edit
/// renders its step, the pages that show the step, and the root pages, not the rest.
#[test]
fn an_unchanged_build_renders_nothing_and_an_edit_renders_its_neighbourhood() {
    let config = Config::default();
    let overrides = BTreeMap::new();
    let steps: Vec<Step> = (0..12)
        .map(|i| Step {
            name: format!("step_{i}"),
            workflow: i % 4,
            depends: TARGETS[i % 2],
            attempts: 3,
            timeout: 5,
            idempotent: true,
            owner: TEAMS[i % 3].to_string(),
            alert: None,
            summary: 0,
        })
        .collect();
    let files = |steps: &[Step]| -> BTreeMap<String, String> {
        steps.iter().enumerate().map(|(i, s)| (format!("src/s{i:02}.rs"), s.source())).collect()
    };
    let (graph, analysis) = build(&files(&steps), &config);
    let (mut cache, mut site) = first_render(&graph, &analysis, &config, &overrides);
    let pages = site.files.keys().filter(|p| p.ends_with(".html")).count();

    let (g, a) = build(&files(&steps), &config);
    render_cached(&g, &a, &graph, &analysis, &config, &overrides, &mut cache, &mut site);
    assert_eq!((cache.rendered, cache.changed.len(), cache.removed.len()), (0, 0, 0));

    let mut edited = steps.clone();
    edited[5].timeout = 17;
    let (g2, a2) = build(&files(&edited), &config);
    let before = site.clone();
    render_cached(&g2, &a2, &g, &a, &config, &overrides, &mut cache, &mut site);
    let fresh = render(&g2, &a2, &config, &overrides).0;
    check(&before, &site, &cache, &fresh, "timeout edit");
    assert!(cache.changed.contains("steps/step-5.html"), "{:?}", cache.changed);
    assert!(String::from_utf8_lossy(&site.files["steps/step-5.html"]).contains("17 s"));
    assert!(!cache.changed.contains("steps/step-6.html"), "a step of another workflow is untouched");
    assert!(cache.rendered < pages / 2, "{} of {pages} pages rendered", cache.rendered);

    // A new description shows on pages but not in graph.json, which is left as it is;
    // the next edit that reaches graph.json writes it from the kept parts.
    let mut described = edited.clone();
    described[5].summary = 1;
    let (g3, a3) = build(&files(&described), &config);
    let before = site.clone();
    render_cached(&g3, &a3, &g2, &a2, &config, &overrides, &mut cache, &mut site);
    check(&before, &site, &cache, &render(&g3, &a3, &config, &overrides).0, "description edit");
    assert!(cache.changed.contains("steps/step-5.html"), "{:?}", cache.changed);
    assert!(!cache.changed.contains("graph.json"), "{:?}", cache.changed);
    let mut timed = described.clone();
    timed[5].timeout = 18;
    let (g4, a4) = build(&files(&timed), &config);
    let before = site.clone();
    render_cached(&g4, &a4, &g3, &a3, &config, &overrides, &mut cache, &mut site);
    check(&before, &site, &cache, &render(&g4, &a4, &config, &overrides).0, "timeout edit after it");
    assert!(cache.changed.contains("graph.json"), "{:?}", cache.changed);
}

/// An owner's diagram keeps its boxes when one of its steps depends on another of the
/// nodes it already draws, but the arrow moves: the diagram is drawn again.
#[test]
fn an_owner_diagram_is_drawn_again_when_an_arrow_between_its_boxes_moves() {
    let config = Config::default();
    let overrides = BTreeMap::new();
    let step = |i: usize, workflow: usize, depends: &'static str, owner: &str| Step {
        name: format!("step_{i}"),
        workflow,
        depends,
        attempts: 3,
        timeout: 5,
        idempotent: true,
        owner: owner.to_string(),
        alert: None,
        summary: 0,
    };
    // Past 40 nodes, so graph.html draws one diagram per owner.
    let mut steps: Vec<Step> = (0..40).map(|i| step(i, i % 3, TARGETS[i % 2], TEAMS[1])).collect();
    steps.extend([
        step(40, NO_WORKFLOW, "api", TEAMS[0]),
        step(41, NO_WORKFLOW, "db", TEAMS[0]),
        step(42, NO_WORKFLOW, "api", TEAMS[0]),
    ]);
    let files = |steps: &[Step]| -> BTreeMap<String, String> {
        let mut f: BTreeMap<String, String> =
            steps.iter().enumerate().map(|(i, s)| (format!("src/s{i:02}.rs"), s.source())).collect();
        f.insert("compose.yaml".to_string(), COMPOSE.to_string());
        f
    };
    let (graph, analysis) = build(&files(&steps), &config);
    assert!(graph.by_id.len() > 40, "{} nodes", graph.by_id.len());
    let (mut cache, mut site) = first_render(&graph, &analysis, &config, &overrides);
    steps[42].depends = "db";
    let (g, a) = build(&files(&steps), &config);
    let before = site.clone();
    render_cached(&g, &a, &graph, &analysis, &config, &overrides, &mut cache, &mut site);
    let fresh = render(&g, &a, &config, &overrides).0;
    check(&before, &site, &cache, &fresh, "an arrow of team-a's diagram moved");
    // The arrow from step_42 now ends at db, in the diagram of team-a.
    let diagram = |site: &Site| {
        let html = String::from_utf8_lossy(&site.files["graph.html"]).into_owned();
        let at = html.find("id=\"owner-team-a\"").expect("team-a's diagram");
        html[at..at + html[at..].find("</details>").unwrap()].to_string()
    };
    assert_ne!(diagram(&before), diagram(&site), "team-a's diagram changed");
}
