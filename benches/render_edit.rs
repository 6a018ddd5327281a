//! The render part of a one-file edit: `cargo bench --bench render_edit -- DIR [--edits N]`.
//!
//! On a tree made by `scale generate`, builds the graph and analysis once, then for each
//! edit (a new `owner:` on the first step of `m03.rs`, a new `TIMEOUT_MS`, one more retry
//! attempt; then each edit undone) re-extracts that one file, builds the model and the
//! analysis again (not timed) and times `render::render_cached` alone, against the site and
//! page cache of the previous render. Prints the median and p90 per kind of edit, the pages
//! rendered and changed, and a full `render::render` of the same graph for scale.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opsbook::analyze::{self, Analysis};
use opsbook::model::{self, Graph};
use opsbook::render::{self, PageCache, Site};
use opsbook::{extract, scan};
use rayon::prelude::*;

/// The allocator of the `opsbook` binary, so in-process figures match the real program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: render_edit DIR [--edits N]");
        std::process::exit(2);
    };
    let edits: usize = args
        .iter()
        .position(|a| a == "--edits")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    run(&dir, edits);
}

fn run(root: &Path, edits: usize) {
    let config = opsbook::config::parse("").unwrap();
    let out = root.join("book");
    let inventory = scan::scan(root, &config, &out);
    let mut extracted: Vec<extract::Extracted> =
        inventory.files.par_iter().map(|f| extract::extract(f.kind, &f.path, &f.text)).collect();
    let build = |extracted: &[extract::Extracted]| {
        let diagnostics: Vec<_> = extracted.iter().flat_map(|x| x.diagnostics.iter().cloned()).collect();
        let graph = model::build(extracted.iter().map(|x| &x.facts));
        let analysis = analyze::analyze(&graph, &diagnostics, &config);
        (graph, analysis)
    };
    let (mut graph, mut analysis) = build(&extracted);

    let start = Instant::now();
    let (full, _) = render::render(&graph, &analysis, &config, &inventory.templates);
    let full_time = start.elapsed();

    let mut cache = PageCache::default();
    let mut site = Site::default();
    let mut previous = (Graph::default(), Analysis::default());
    render_edit(&graph, &analysis, &previous, &config, &inventory.templates, &mut cache, &mut site);
    assert!(site == full, "the first cached render equals a full render");

    let mut services: Vec<PathBuf> =
        std::fs::read_dir(root.join("services")).unwrap().flatten().map(|e| e.path()).collect();
    services.sort();
    for kind in ["owner", "timeout", "retry"] {
        let mut samples = Vec::new();
        let mut rendered = Vec::new();
        for n in 0..edits {
            let file = services[(n * 37) % services.len()].join("src/m03.rs");
            let rel = file.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let at = inventory.files.iter().position(|f| f.path == rel).expect("the file is in the tree");
            let original = inventory.files[at].text.clone();
            let edited = edit(&original, kind, n);
            for text in [&edited, &original] {
                extracted[at] = extract::extract(inventory.files[at].kind, &rel, text);
                previous = (std::mem::take(&mut graph), std::mem::take(&mut analysis));
                (graph, analysis) = build(&extracted);
                let start = Instant::now();
                let r = render_edit(&graph, &analysis, &previous, &config, &inventory.templates, &mut cache, &mut site);
                samples.push(start.elapsed());
                rendered.push(r);
            }
        }
        let (median, p90) = percentiles(samples);
        rendered.sort();
        println!(
            "{kind:<8} render: median {:>8.2} ms, p90 {:>8.2} ms; pages rendered: median {} of {}",
            ms(median),
            ms(p90),
            rendered[rendered.len() / 2],
            full.files.len()
        );
    }
    let (fresh, _) = render::render(&graph, &analysis, &config, &inventory.templates);
    assert!(site == fresh, "after the edits the cached site equals a full render");
    println!("full     render: {:>8.2} ms ({} files)", ms(full_time), full.files.len());
}

/// One incremental render; the pages it rendered.
fn render_edit(
    graph: &Graph,
    analysis: &Analysis,
    previous: &(Graph, Analysis),
    config: &opsbook::config::Config,
    templates: &std::collections::BTreeMap<String, String>,
    cache: &mut PageCache,
    site: &mut Site,
) -> usize {
    let _ = render::render_cached(graph, analysis, &previous.0, &previous.1, config, templates, cache, site);
    cache.rendered
}

/// The file with one edit of `kind`: a new owner on its first step, a new `TIMEOUT_MS`,
/// or one more attempt in its first retry annotation.
fn edit(text: &str, kind: &str, n: usize) -> String {
    let (marker, value) = match kind {
        "owner" => ("/// - owner: ", format!("team-edit-{}", 1000 + n)),
        "timeout" => ("const TIMEOUT_MS: u64 = ", format!("{};", 10_100 + n)),
        _ => ("/// - retry: attempts=", format!("{} initial=200ms factor=2 max-delay=10s jitter=full", 11 + n)),
    };
    let at = text.find(marker).unwrap_or_else(|| panic!("no `{marker}` to edit")) + marker.len();
    let end = at + text[at..].find('\n').unwrap_or(text.len() - at);
    format!("{}{value}{}", &text[..at], &text[end..])
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[(v.len() * 9 / 10).min(v.len() - 1)])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
