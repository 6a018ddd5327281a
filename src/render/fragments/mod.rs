//! The root pages that list every node, made from fragments kept between incremental
//! renders: `index.html` (a row per node), `graph.html` (an item per node, a card per
//! service, a diagram per owner), `retries.html` (a section per node that retries) and
//! `search-index.js` (an entry per node). After an edit only the fragments whose inputs
//! changed are made again; the page is the cached fragments spliced in node order.
//!
//! The pages are written here, without tera, exactly as their embedded templates write
//! them (`index.html`, `graph.html`, `retries.html`, with `base.html` around them from
//! [`Engine::layout`], and `components.html`, `_finding.html`, `_policy.html`): a full
//! [`super::render`] still goes through tera, and the tests hold both to the same bytes.
//! A project that overrides one of those templates gets the tera render of that page
//! ([`usable`]).
//!
//! What each fragment reads, and so when it is made again ([`Dirty`]):
//! - an overview row: its node, the node's analysis entries (retry headline, workflow
//!   worst case), its finding count and, for a workflow, its `contains` edges;
//! - a column item and a service card on `graph.html`: the node and its outgoing edges;
//! - a retries section: the node's `all_retries` entry;
//! - a search entry: the node and its `alerts` edges, either way;
//! - an owner's diagram on `graph.html`: the nodes it draws (part of its key), and the
//!   data and edges of its members, its boxes, the steps folded into them and every node
//!   one edge from those ([`system::owner_reads_any`]).
//!
//! Ids, names, kinds and page paths of nodes are read everywhere: when one changes the
//! render is global and every fragment is made again. A page that does not render in an
//! incremental render forgets the fragments of the nodes that changed in it.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use petgraph::graph::NodeIndex;

use crate::model::{Graph, NodeKind};
use crate::render::engine::Engine;
use crate::render::findings::FindingView;
use crate::render::links::{NodeLink, SourceView};
use crate::render::lookup::Lookup;
use crate::render::policy::PolicyView;
use crate::render::{overview, policy, search, system};

mod graph;
mod html;
mod pages;

use graph::graph_page;
use html::*;
use pages::{index_page, retries_page};

/// Which nodes' fragments are stale.
#[derive(Clone, Copy)]
pub enum Dirty<'a> {
    /// Every fragment (a first or a global render).
    All,
    /// Nodes of the new graph whose data, edges either way or analysis entries changed,
    /// or that are new (and any others: a superset only costs time).
    Nodes(&'a HashSet<NodeIndex>),
}

impl Dirty<'_> {
    fn has(self, i: NodeIndex) -> bool {
        match self {
            Dirty::All => true,
            Dirty::Nodes(set) => set.contains(&i),
        }
    }
}

/// Fragments by node id.
type Keep = HashMap<String, String>;

/// What the root pages keep between renders.
#[derive(Default)]
pub struct Fragments {
    index: Keep,
    columns: Keep,
    services: Keep,
    owners: HashMap<String, OwnerDiagram>,
    retries: Keep,
    search: Keep,
    /// The bytes of earlier pages, by path, written over by the next ones.
    spare: HashMap<&'static str, Vec<u8>>,
}

/// One owner's diagram and the nodes it draws.
struct OwnerDiagram {
    /// Member ids in order, then the drawn ids in order each with whether it is the
    /// owner's own (dimmed otherwise).
    key: Vec<(String, bool)>,
    svg: String,
}

/// The root pages made here, by their place in `ROOT_PATHS`.
pub const INDEX: usize = 0;
pub const RETRIES: usize = 1;
pub const GRAPH: usize = 3;
pub const SEARCH: usize = 5;

/// The paths of the pages made here, in the order of the four above.
const PATHS: [&str; 4] = ["index.html", "retries.html", "graph.html", "search-index.js"];

/// Whether root page `which` is made here: it is one of ours and the project overrides
/// none of the templates it is written with.
pub fn usable(engine: &Engine, which: usize) -> bool {
    let common = ["base.html", "components.html"];
    match which {
        INDEX => !engine.overrides_any(&common) && !engine.overrides_any(&["index.html", "_finding.html"]),
        RETRIES => !engine.overrides_any(&common) && !engine.overrides_any(&["retries.html", "_policy.html"]),
        GRAPH => !engine.overrides_any(&common) && !engine.overrides_any(&["graph.html"]),
        SEARCH => true,
        _ => false,
    }
}

/// A page made here: its path and bytes.
pub struct Made {
    pub which: usize,
    pub path: &'static str,
    pub bytes: Vec<u8>,
}

impl Fragments {
    /// Makes the root pages in `which` (each [`usable`]), in parallel.
    pub fn render(
        &mut self,
        lookup: &Lookup,
        engine: &Engine,
        site_title: &str,
        which: &[usize],
        dirty: Dirty,
    ) -> Vec<Made> {
        let graph = lookup.graph;
        let wants = |k: usize| which.contains(&k);
        let Fragments { index, columns, services, owners, retries, search, spare } = self;
        let mut buffer = |path: &str| {
            String::from_utf8(
                spare
                    .remove(path)
                    .map(|mut b| {
                        b.clear();
                        b
                    })
                    .unwrap_or_default(),
            )
            .expect("an empty buffer is UTF-8")
        };
        let [b_index, b_retries, b_graph, b_search] = PATHS.map(&mut buffer);
        let ((a, b), (c, d)) = rayon::join(
            || {
                rayon::join(
                    || wants(INDEX).then(|| index_page(index, lookup, engine, site_title, dirty, b_index)),
                    || wants(RETRIES).then(|| retries_page(retries, lookup, engine, dirty, b_retries)),
                )
            },
            || {
                rayon::join(
                    || wants(GRAPH).then(|| graph_page(columns, services, owners, graph, engine, dirty, b_graph)),
                    || wants(SEARCH).then(|| search_js(search, graph, dirty, b_search)),
                )
            },
        );
        [a, b, c, d].into_iter().flatten().collect()
    }

    /// Gives back the bytes of a page the site no longer holds, when it is one of ours.
    pub fn recycle(&mut self, path: &str, bytes: Vec<u8>) {
        if let Some(&path) = PATHS.iter().find(|p| **p == path) {
            self.spare.insert(path, bytes);
        }
    }

    /// Forgets, for each root page not in `rendered`, the fragments of the nodes `dirty`
    /// names (all of them for [`Dirty::All`]): they may be stale when that page renders again.
    pub fn forget(&mut self, graph: &Graph, rendered: &[usize], dirty: Dirty) {
        let ids: Option<Vec<&str>> = match dirty {
            Dirty::All => None,
            Dirty::Nodes(set) if set.is_empty() => return,
            Dirty::Nodes(set) => Some(set.iter().map(|&i| graph.graph[i].id.as_str()).collect()),
        };
        let drop = |keep: &mut Keep| match &ids {
            None => keep.clear(),
            Some(ids) => ids.iter().for_each(|id| {
                keep.remove(*id);
            }),
        };
        if !rendered.contains(&INDEX) {
            drop(&mut self.index);
        }
        if !rendered.contains(&RETRIES) {
            drop(&mut self.retries);
        }
        if !rendered.contains(&GRAPH) {
            drop(&mut self.columns);
            drop(&mut self.services);
            // Which diagram reads a node is not known without planning them: all go.
            self.owners.clear();
        }
        if !rendered.contains(&SEARCH) {
            drop(&mut self.search);
        }
    }
}

/// The fragment of node `i` (id `id`) in `keep`, made again when stale or missing.
fn fragment<'k>(keep: &'k mut Keep, dirty: Dirty, i: NodeIndex, id: &str, make: impl FnOnce() -> String) -> &'k str {
    if dirty.has(i) || !keep.contains_key(id) {
        keep.insert(id.to_string(), make());
    }
    &keep[id]
}

/// Drops the fragments of nodes the graph no longer has.
fn prune(keep: &mut Keep, graph: &Graph) {
    if keep.len() > graph.by_id.len() {
        keep.retain(|id, _| graph.by_id.contains_key(id));
    }
}

/// `search-index.js`.
fn search_js(keep: &mut Keep, graph: &Graph, dirty: Dirty, out: String) -> Made {
    prune(keep, graph);
    for (i, n) in graph.nodes() {
        fragment(keep, dirty, i, &n.id, || search::entry_script(graph, i, n));
    }
    let bytes = search::index_js_from(graph.nodes().map(|(_, n)| keep[&n.id].as_str()), out.into_bytes());
    Made { which: SEARCH, path: "search-index.js", bytes }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::analyze::Analysis;
    use crate::config::Config;
    use crate::render::fixture;
    use crate::render::links::SourceLinker;

    /// The first difference between two pages, with some text around it.
    pub(crate) fn first_difference(a: &[u8], b: &[u8]) -> Option<String> {
        let at = a.iter().zip(b).position(|(x, y)| x != y).or((a.len() != b.len()).then(|| a.len().min(b.len())))?;
        let around =
            |s: &[u8]| String::from_utf8_lossy(&s[at.saturating_sub(120)..(at + 120).min(s.len())]).into_owned();
        Some(format!("at byte {at}:\n--- spliced:\n{}\n--- tera:\n{}", around(a), around(b)))
    }

    /// Every page made here equals tera's render of its template, byte for byte.
    fn same_as_tera(graph: &Graph, analysis: &Analysis, config: &Config) {
        let engine = Engine::new(&BTreeMap::new(), "templates", &config.title);
        let lookup = Lookup::new(graph, analysis, SourceLinker::new(config.source_url.as_deref()));
        let (site, _) = super::super::render(graph, analysis, config, &BTreeMap::new());
        let made =
            Fragments::default().render(&lookup, &engine, &config.title, &[INDEX, RETRIES, GRAPH, SEARCH], Dirty::All);
        assert_eq!(made.len(), 4);
        for m in made {
            if let Some(d) = first_difference(&m.bytes, &site.files[m.path]) {
                panic!("{}: {d}", m.path);
            }
        }
    }

    #[test]
    fn spliced_pages_equal_teras() {
        let graph = fixture::graph();
        let analysis = fixture::analysis(&graph);
        let mut config = Config::default();
        same_as_tera(&graph, &analysis, &config);
        config.source_url = Some("https://git.example.com/x/blob/main/{file}#L{line}".to_string());
        config.title = "Ops <&> 'book'".to_string();
        same_as_tera(&graph, &analysis, &config);
        let (graph, analysis) = crate::render::fixture_flow::system();
        same_as_tera(&graph, &analysis, &config);
        same_as_tera(&Graph::default(), &Analysis::default(), &config);
    }

    /// Source text full of markup reaches the spliced pages escaped exactly as tera
    /// escapes it, and never raw.
    #[test]
    fn hostile_text_is_escaped_as_tera_escapes_it() {
        let payload = "<script>alert(1)</script>&\"'";
        let mut graph = fixture::graph();
        for i in graph.graph.node_indices().collect::<Vec<_>>() {
            let n = &mut graph.graph[i];
            n.attrs.description = Some(format!("{payload} {}", n.name));
            if let Some(owner) = &mut n.attrs.owner {
                owner.value = format!("{payload}{}", owner.value);
            }
            if let Some(service) = &mut n.attrs.service {
                service.value.push_str(payload);
            }
        }
        let analysis = fixture::analysis(&graph);
        let config = Config::default();
        same_as_tera(&graph, &analysis, &config);
        let engine = Engine::new(&BTreeMap::new(), "templates", &config.title);
        let lookup = Lookup::new(&graph, &analysis, SourceLinker::new(None));
        for m in
            Fragments::default().render(&lookup, &engine, &config.title, &[INDEX, RETRIES, GRAPH, SEARCH], Dirty::All)
        {
            let text = String::from_utf8_lossy(&m.bytes);
            assert!(!text.contains("<script>alert"), "{} carries the payload raw", m.path);
        }
    }

    #[test]
    fn escaping_is_teras() {
        let text = "a&b <c> \"d\" 'e' / ü";
        let mut ours = String::new();
        esc(&mut ours, text);
        let mut theirs = Vec::new();
        tera::escape_html(text, &mut theirs).unwrap();
        assert_eq!(ours.as_bytes(), theirs.as_slice());
    }
}
