//! The scale benchmark: `cargo bench --bench scale`.
//!
//! On a generated monorepo (200 services × 40 Rust files by default) and on the example, it
//! measures in one run, as child processes timed the same way:
//! - the floor: walk, read and `syn::parse_file` every `.rs` file on all cores (this same
//!   binary, `floor DIR`);
//! - a full `opsbook build` (the release binary) into an empty output folder;
//! - their ratio, taken pair by pair; peak memory (the child's maximum resident set);
//!   pages and bytes written;
//! - mdBook building a Markdown book of the same number of pages, as pages per second.
//!
//! Every figure is the median of `--runs` runs (5 by default), after one warm-up run.
//!
//! - edit-to-book latency: the real `opsbook watch` (release binary) on the generated tree;
//!   one step file gets a new `owner:` per edit, and the time runs from the write of
//!   that file until `graph.json` on disk shows the new owner (debounce included);
//!   median and p90 over `--edits` edits (15 by default);
//!   beside it, the rebuild's own time as the watcher reports it (`OPSBOOK_TIMINGS`), so the
//!   difference is the watcher's: notify and the event loop (and the debouncer, for
//!   changes other than a plain write);
//! - the same edits in process (a child, `incremental`): `Session::apply` +
//!   `write::apply`, the median of each stage (read and extract, model, analyze, render,
//!   write, the rest) and of the total, and the total's p90.
//!
//! Other modes: `generate DIR [--services N] [--files M]` writes a tree and prints its
//! digest; `floor DIR` is the floor alone; `stages DIR` times each stage of a full build;
//! `incremental DIR [--edits E]` times the in-process edits alone, stage by stage;
//! `watch DIR [--edits E]` times the real watcher alone.

mod generator;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The allocator of the `opsbook` binary, so in-process figures match the real program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    mode: String,
    dir: Option<PathBuf>,
    services: usize,
    files: usize,
    runs: usize,
    mdbook: bool,
    edits: usize,
}

fn args() -> Args {
    let mut a = Args { mode: "report".into(), dir: None, services: 200, files: 40, runs: 5, mdbook: true, edits: 15 };
    let mut it = std::env::args().skip(1).filter(|s| s != "--bench");
    while let Some(arg) = it.next() {
        let mut num = |what: &str| -> usize {
            let v = it.next().unwrap_or_else(|| die(&format!("{what} needs a number")));
            v.parse().unwrap_or_else(|_| die(&format!("{what}: `{v}` is not a number")))
        };
        match arg.as_str() {
            "--services" => a.services = num("--services"),
            "--files" => a.files = num("--files").max(2),
            "--runs" => a.runs = num("--runs").max(1),
            "--no-mdbook" => a.mdbook = false,
            "--edits" => a.edits = num("--edits").max(1),
            "generate" | "floor" | "stages" | "incremental" | "watch" => a.mode = arg,
            _ if a.mode != "report" && a.dir.is_none() => a.dir = Some(PathBuf::from(arg)),
            _ => die(&format!(
                "unknown argument `{arg}`; usage: scale [--services N] [--files M] [--runs R] [--edits E] [--no-mdbook] \
                 | generate DIR [--services N] [--files M]  | floor DIR | stages DIR | incremental DIR [--edits E] | watch DIR [--edits E]"
            )),
        }
    }
    a
}

fn die(msg: &str) -> ! {
    eprintln!("scale: {msg}");
    std::process::exit(2)
}

fn main() {
    let a = args();
    match a.mode.as_str() {
        "generate" => {
            let dir = a.dir.unwrap_or_else(|| die("generate needs a folder"));
            let (count, digest) = generate(&dir, a.services, a.files);
            println!("{count} files in {}, digest {digest:016x}", dir.display());
        }
        "floor" => {
            let dir = a.dir.unwrap_or_else(|| die("floor needs a folder"));
            let (files, bytes) = floor(&dir);
            println!("{files} Rust files, {bytes} bytes parsed");
        }
        "stages" => stages(&a.dir.unwrap_or_else(|| die("stages needs a folder"))),
        "incremental" => {
            for (stage, d) in incremental(&a.dir.unwrap_or_else(|| die("incremental needs a folder")), a.edits) {
                println!("{stage:<8} {:>12} ns {:>9.2} ms", d.as_nanos(), d.as_secs_f64() * 1000.0);
            }
        }
        "watch" => {
            let dir = a.dir.unwrap_or_else(|| die("watch needs a folder"));
            let work = dir.with_extension("watch-work");
            let w = watch_latency(&dir, &work, a.edits);
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!("edit-to-book     median {:>8.1} ms   p90 {:>8.1} ms", ms(w.median), ms(w.p90));
            println!("rebuild (watch)  median {:>8.1} ms", ms(w.rebuild));
            println!("watcher overhead median {:>8.1} ms", ms(w.median.saturating_sub(w.rebuild)));
        }
        _ => report(&a),
    }
}

/// The pipeline of `opsbook::run` in this process, each stage timed: where a build's time
/// goes.
fn stages(root: &Path) {
    use opsbook::{analyze, extract, model, render, scan};
    use rayon::prelude::*;
    let config = opsbook::config::parse("").unwrap();
    let out = root.join("book");
    let mut last = Instant::now();
    let mut lap = |stage: &str| {
        println!("{stage:<10} {:>9.1} ms", last.elapsed().as_secs_f64() * 1000.0);
        last = Instant::now();
    };
    let inventory = scan::scan(root, &config, &out);
    lap("scan");
    let extracted: Vec<extract::Extracted> =
        inventory.files.par_iter().map(|f| extract::extract(f.kind, &f.path, &f.text)).collect();
    lap("extract");
    let diagnostics: Vec<_> = extracted.iter().flat_map(|x| x.diagnostics.iter().cloned()).collect();
    let graph = model::build(extracted.iter().map(|x| &x.facts));
    lap("model");
    let analysis = analyze::analyze(&graph, &diagnostics, &config);
    lap("analyze");
    let (site, _) = render::render(&graph, &analysis, &config, &inventory.templates);
    lap("render");
    let bytes: usize = site.files.values().map(Vec::len).sum();
    println!(
        "{} files scanned, {} nodes, {} pages, {bytes} bytes",
        inventory.files.len(),
        graph.graph.node_count(),
        site.files.len()
    );
    // A one-file edit as `Session::rebuild` sees it: the model and the analysis with every
    // file's text, again over all facts, after re-extracting the edited file.
    let (rel, text, _) = edit(root, 0);
    let mut extracted = extracted;
    let i = inventory.files.iter().position(|f| f.path == rel).unwrap_or_else(|| die(&format!("{rel}: not scanned")));
    extracted[i] = extract::extract(inventory.files[i].kind, &rel, &text);
    let texts: analyze::suppress::Texts = inventory
        .files
        .iter()
        .map(|f| (f.path.as_str(), if f.path == rel { text.as_str() } else { f.text.as_str() }))
        .collect();
    let (mut model_ms, mut analyze_ms) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let graph = model::build(extracted.iter().map(|x| &x.facts));
        model_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        std::hint::black_box(analyze::analyze_sources(&graph, &diagnostics, &config, &texts));
        analyze_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!(
        "after one edit, median of 5: model {:.1} ms, analyze_sources {:.1} ms",
        median(model_ms),
        median(analyze_ms)
    );
}

/// Writes the generated tree into `dir` (emptied first). Returns the file count and digest.
fn generate(dir: &Path, services: usize, files: usize) -> (usize, u64) {
    let tree = generator::tree(services, files);
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
    }
    for (path, text) in &tree {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap_or_else(|e| die(&format!("{}: {e}", path.display())));
    }
    (tree.len(), generator::digest(&tree))
}

/// The floor: walk (honouring ignore files, as opsbook does), read and parse every `.rs`
/// file, on every core.
fn floor(dir: &Path) -> (usize, usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (files, bytes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    ignore::WalkBuilder::new(dir).hidden(false).require_git(false).build_parallel().run(|| {
        Box::new(|entry| {
            if let Ok(e) = entry
                && e.file_type().is_some_and(|t| t.is_file())
                && e.path().extension().is_some_and(|x| x == "rs")
                && let Ok(text) = std::fs::read_to_string(e.path())
            {
                // A file that does not parse still cost its parse.
                let parsed = syn::parse_file(&text);
                std::hint::black_box(&parsed);
                files.fetch_add(1, Ordering::Relaxed);
                bytes.fetch_add(text.len(), Ordering::Relaxed);
            }
            ignore::WalkState::Continue
        })
    });
    (files.into_inner(), bytes.into_inner())
}

/// One child process: its wall time and peak resident memory (bytes).
struct Run {
    wall: Duration,
    /// User and system time of the child: less sensitive than wall time to a loaded machine.
    cpu: Duration,
    peak: u64,
}

#[allow(clippy::zombie_processes, reason = "the child is reaped by wait4, which also reads its resource usage")]
fn measure(cmd: &mut Command) -> Run {
    cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
    let start = Instant::now();
    let child = cmd.spawn().unwrap_or_else(|e| die(&format!("{cmd:?}: {e}")));
    let mut status = 0;
    // SAFETY: an all-zero `rusage` is a valid value, and `wait4` writes into the two locals
    // it is given for the child we spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if pid < 0 || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) > 1 {
        die(&format!("{cmd:?} failed (status {status})"));
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    Run { wall, cpu: tv(usage.ru_utime) + tv(usage.ru_stime), peak: usage.ru_maxrss as u64 * 1024 }
}

/// The `n`th edit of the latency runs: which step file, its new text, and the text
/// `graph.json` shows once the book has it. The edit gives the file's first step the owner
/// `team-edit-{pid}-{n}`, a value the tree holds nowhere else, even when an earlier run
/// edited it (the same value again would change nothing and time an empty rebuild). (An
/// owner rather than a timeout: the generated steps set their timeouts in code, which wins
/// over an annotation.)
fn edit(tree: &Path, n: usize) -> (String, String, String) {
    let mut services: Vec<PathBuf> = std::fs::read_dir(tree.join("services"))
        .unwrap_or_else(|e| die(&format!("{}: {e}", tree.display())))
        .flatten()
        .map(|e| e.path())
        .collect();
    services.sort();
    let service = &services[(n * 37) % services.len()];
    let file = service.join("src/m03.rs");
    let rel = file.strip_prefix(tree).unwrap().to_string_lossy().replace('\\', "/");
    let original = std::fs::read_to_string(&file).unwrap_or_else(|e| die(&format!("{}: {e}", file.display())));
    let owner = format!("team-edit-{}-{n}", std::process::id());
    let Some(at) = original.find("/// - owner: ") else { die(&format!("{rel}: no annotated step to edit")) };
    let line_end = at + original[at..].find('\n').unwrap_or(original.len() - at);
    let text = format!("{}/// - owner: {owner}{}", &original[..at], &original[line_end..]);
    (rel, text, format!("\"owner\": \"{owner}\""))
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    let at = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
    (at(0.5), at(0.9))
}

/// What the real watcher's edits took.
struct WatchFigures {
    /// From the write of the source until graph.json shows it.
    median: Duration,
    p90: Duration,
    /// The rebuild's own time, as the watcher's rebuild line reports it: median.
    rebuild: Duration,
}

/// Edit-to-book latency of the real `opsbook watch` on `tree`, and its rebuilds' own time.
fn watch_latency(tree: &Path, work: &Path, edits: usize) -> WatchFigures {
    use std::io::BufRead;
    let out = work.join("watch-book");
    if out.exists() {
        std::fs::remove_dir_all(&out).unwrap();
    }
    // `SCALE_OPSBOOK` names another opsbook binary to time (a baseline), in `watch` mode.
    let bin =
        std::env::var_os("SCALE_OPSBOOK").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_opsbook")), PathBuf::from);
    let mut child = Command::new(bin)
        .arg("watch")
        .arg(tree)
        .arg("--out")
        .arg(&out)
        .env(opsbook::cmd::watch::TIMINGS_VAR, "1")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| die(&format!("opsbook watch: {e}")));
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let (rebuilt_tx, rebuilt) = std::sync::mpsc::channel();
    let stderr = child.stderr.take().unwrap();
    // Drains the watcher's messages so it never blocks on a full pipe; passes on each
    // rebuild's own time, the `total` its line ends with.
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("Watching for changes") {
                let _ = ready_tx.send(());
            }
            let total = line.rsplit_once("; total ").and_then(|(_, t)| t.trim_end_matches(" ms]").parse::<f64>().ok());
            if let Some(ms) = total.filter(|_| line.starts_with("Rebuilt after")) {
                let _ = rebuilt_tx.send(Duration::from_secs_f64(ms / 1000.0));
            }
        }
    });
    if ready.recv_timeout(Duration::from_secs(300)).is_err() {
        let _ = child.kill();
        die("opsbook watch did not finish its first build");
    }
    let graph = out.join("graph.json");
    let mut samples = Vec::new();
    let mut rebuilds = Vec::new();
    // One unmeasured edit first: it warms the watcher's caches as the later ones find them.
    for n in 0..=edits {
        let (rel, text, needle) = edit(tree, n);
        let start = Instant::now();
        std::fs::write(tree.join(&rel), &text).unwrap();
        let mut seen = None;
        let found = loop {
            if start.elapsed() > Duration::from_secs(60) {
                break None;
            }
            // Reads graph.json only when it changed on disk; a stat is cheap. The book was
            // updated when the new graph.json appeared, not when this loop finished reading
            // its 13 MB, so the time is taken before the read.
            let stamp = std::fs::metadata(&graph).ok().map(|m| (m.modified().ok(), m.len(), file_id(&m)));
            if stamp != seen {
                let at = start.elapsed();
                seen = stamp;
                if std::fs::read_to_string(&graph).is_ok_and(|g| g.contains(&needle)) {
                    break Some(at);
                }
            }
            std::thread::sleep(Duration::from_micros(500));
        };
        let Some(took) = found else {
            let _ = child.kill();
            die(&format!("opsbook watch: graph.json never showed the edit of {rel}"));
        };
        // Let the watcher settle, so each sample is one edit.
        std::thread::sleep(Duration::from_millis(200));
        // The edit's rebuild is the first one after it (a later one, from the same save's
        // other events, finds nothing to do).
        let first = rebuilt.try_iter().collect::<Vec<_>>().first().copied();
        if n > 0 {
            samples.push(took);
            rebuilds.extend(first);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let (median, p90) = percentiles(samples);
    let rebuild = if rebuilds.is_empty() { Duration::ZERO } else { percentiles(rebuilds).0 };
    WatchFigures { median, p90, rebuild }
}

/// The stages `incremental` reports, in its order.
const STAGES: [&str; 8] = ["read", "model", "analyze", "render", "write", "other", "total", "p90"];

/// The same edits in this process: `Session::apply` + `write::apply`. The median of each
/// stage over the edits (`other` is the bookkeeping between them), of the total, and the
/// total's p90, in the order of [`STAGES`].
fn incremental(tree: &Path, edits: usize) -> Vec<(&'static str, Duration)> {
    use opsbook::session::Session;
    let out = tree.with_extension("incremental-book");
    let config = opsbook::config::Config::default();
    let session_out = out.clone();
    let mut session = Session::open(tree, config, &session_out, &|_, _| {});
    opsbook::write::write(&session.site, &out).unwrap();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); STAGES.len() - 1];
    for n in 0..=edits {
        let (rel, text, _) = edit(tree, n);
        std::fs::write(tree.join(&rel), &text).unwrap();
        let start = Instant::now();
        let update = session.apply(std::slice::from_ref(&rel));
        let writing = Instant::now();
        opsbook::write::apply(&session.site, &out, &update.changed, &update.removed).unwrap();
        let write = writing.elapsed();
        let total = start.elapsed();
        let t = update.timings;
        let other = total.saturating_sub(t.read + t.model + t.analyze + t.render + write);
        if n > 0 {
            for (v, d) in samples.iter_mut().zip([t.read, t.model, t.analyze, t.render, write, other, total]) {
                v.push(d);
            }
        }
    }
    let (total, p90) = percentiles(samples.pop().unwrap());
    let mut rows: Vec<(&'static str, Duration)> =
        STAGES.iter().zip(samples).map(|(name, v)| (*name, percentiles(v).0)).collect();
    rows.extend([("total", total), ("p90", p90)]);
    rows
}

/// The file's identity on disk (a page replaced by a swap or a rename is a new file).
#[cfg(unix)]
fn file_id(m: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(m)
}

#[cfg(not(unix))]
fn file_id(_: &std::fs::Metadata) -> u64 {
    0
}

fn median<T: Copy + PartialOrd>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Files and bytes under `dir`, and how many of the files are HTML pages.
fn written(dir: &Path) -> (usize, usize, u64) {
    let (mut files, mut pages, mut bytes) = (0, 0, 0);
    for e in ignore::WalkBuilder::new(dir).standard_filters(false).build().flatten() {
        if e.file_type().is_some_and(|t| t.is_file()) {
            files += 1;
            pages += usize::from(e.path().extension().is_some_and(|x| x == "html"));
            bytes += e.metadata().map_or(0, |m| m.len());
        }
    }
    (files, pages, bytes)
}

struct Figures {
    name: String,
    rust_files: usize,
    floor: Duration,
    floor_cpu: Duration,
    floor_peak: u64,
    build: Duration,
    build_cpu: Duration,
    build_peak: u64,
    ratio: f64,
    cpu_ratio: f64,
    pages: usize,
    files: usize,
    bytes: u64,
    mdbook: Option<Duration>,
}

fn bench_tree(name: &str, tree: &Path, work: &Path, runs: usize, mdbook: Option<&Path>) -> Figures {
    let me = std::env::current_exe().unwrap();
    let opsbook = Path::new(env!("CARGO_BIN_EXE_opsbook"));
    let out = work.join("book");
    // Counted, not parsed, here: this process must stay small, since a child's peak memory
    // counts what it shares with its parent when it forks.
    let rust_files = ignore::WalkBuilder::new(tree)
        .hidden(false)
        .require_git(false)
        .build()
        .flatten()
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()) && e.path().extension().is_some_and(|x| x == "rs"))
        .count();
    let floor_cmd = || {
        let mut c = Command::new(&me);
        c.arg("floor").arg(tree);
        c
    };
    let build = || {
        if out.exists() {
            std::fs::remove_dir_all(&out).unwrap();
        }
        let mut c = Command::new(opsbook);
        c.arg("build").arg(tree).arg("--out").arg(&out).arg("--quiet");
        measure(&mut c)
    };
    // Warm the page cache and the binaries.
    measure(&mut floor_cmd());
    build();
    let (mut floors, mut builds, mut ratios, mut cpu_ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let f = measure(&mut floor_cmd());
        let b = build();
        eprintln!("{name}: run {run}/{runs}: floor {}, build {}", secs(f.wall), secs(b.wall));
        ratios.push(b.wall.as_secs_f64() / f.wall.as_secs_f64());
        cpu_ratios.push(b.cpu.as_secs_f64() / f.cpu.as_secs_f64().max(1e-6));
        floors.push(f);
        builds.push(b);
    }
    let (files, pages, bytes) = written(&out);
    let mdbook = mdbook.map(|bin| {
        let book = work.join("mdbook");
        markdown_book(&book, pages);
        let run = || {
            let mut c = Command::new(bin);
            c.arg("build").arg(&book);
            measure(&mut c).wall
        };
        run();
        median((0..runs).map(|_| run()).collect())
    });
    Figures {
        name: name.into(),
        rust_files,
        floor: median(floors.iter().map(|r| r.wall).collect()),
        floor_cpu: median(floors.iter().map(|r| r.cpu).collect()),
        floor_peak: median(floors.iter().map(|r| r.peak).collect()),
        build: median(builds.iter().map(|r| r.wall).collect()),
        build_cpu: median(builds.iter().map(|r| r.cpu).collect()),
        build_peak: median(builds.iter().map(|r| r.peak).collect()),
        ratio: median(ratios),
        cpu_ratio: median(cpu_ratios),
        pages,
        files,
        bytes,
        mdbook,
    }
}

/// A Markdown book of `pages` runbook-like chapters for mdBook.
fn markdown_book(dir: &Path, pages: usize) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).unwrap();
    }
    std::fs::create_dir_all(dir.join("src/pages")).unwrap();
    std::fs::write(dir.join("book.toml"), "[book]\ntitle = \"Operations\"\nsrc = \"src\"\n").unwrap();
    let mut summary = String::from("# Summary\n\n");
    for p in 0..pages {
        let name = generator::service_name(p);
        summary.push_str(&format!("- [{name} step {p}](pages/p{p:05}.md)\n"));
        let text = format!(
            "# {name} step {p}\n\nSends the order to {name}. Owned by **team-{t}**.\n\n## Recovery\n\n\
             1. Check the {name} dashboard.\n2. Replay with `opsctl replay {name} --since 1h`.\n\n## Failure modes\n\n\
             - {name} answers 503 while it deploys.\n- The request times out after 10 s and is retried.\n\n## Retries\n\n\
             | attempt | delay | elapsed |\n| --- | --- | --- |\n| 1 | 0 ms | 0 ms |\n| 2 | 200 ms | 10.2 s |\n| 3 | 400 ms | 20.6 s |\n\n\
             5 attempts over at most 57.5 s.\n\n## Sources\n\n- `services/{name}/src/m03.rs:{l}`\n",
            t = p % 6,
            l = 10 + p % 90
        );
        std::fs::write(dir.join(format!("src/pages/p{p:05}.md")), text).unwrap();
    }
    std::fs::write(dir.join("src/SUMMARY.md"), summary).unwrap();
}

/// mdBook, installed with `cargo install --locked` into the benchmark's own folder on first
/// use (never into the user's cargo home).
fn mdbook(tools: &Path) -> Result<PathBuf, String> {
    let bin = tools.join("mdbook/bin/mdbook");
    if bin.exists() {
        return Ok(bin);
    }
    eprintln!("installing mdBook into {} (once)...", tools.display());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["install", "mdbook", "--locked", "--root"])
        .arg(tools.join("mdbook"))
        .env("CARGO_TARGET_DIR", tools.join("mdbook-build"))
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() && bin.exists() { Ok(bin) } else { Err(format!("cargo install mdbook: {status}")) }
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
}

fn report(a: &Args) {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("opsbook-scale");
    let tree = base.join(format!("tree-{}x{}", a.services, a.files));
    // In a child, so this process stays small: a child's peak memory counts the pages it
    // shares with its parent when it forks.
    let me = std::env::current_exe().unwrap();
    let generated = Command::new(&me)
        .arg("generate")
        .arg(&tree)
        .args(["--services", &a.services.to_string(), "--files", &a.files.to_string()])
        .output()
        .unwrap_or_else(|e| die(&format!("generate: {e}")));
    if !generated.status.success() {
        die(&format!("generate failed: {}", String::from_utf8_lossy(&generated.stderr)));
    }
    print!(
        "generated {} services x {} Rust files: {}",
        a.services,
        a.files,
        String::from_utf8_lossy(&generated.stdout)
    );
    let mdbook = if a.mdbook {
        match mdbook(&base.join("tools")) {
            Ok(bin) => Some(bin),
            Err(e) => {
                println!("mdBook: not available ({e}); its comparison is left out");
                None
            }
        }
    } else {
        None
    };
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/order-to-cash");
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{} runs each, medians; {cores} cores\n", a.runs);
    let results = [
        bench_tree("generated", &tree, &base.join("work-generated"), a.runs, mdbook.as_deref()),
        bench_tree("example", &example, &base.join("work-example"), a.runs, mdbook.as_deref()),
    ];
    let row = |label: &str, f: &dyn Fn(&Figures) -> String| {
        println!("{label:<38} {:>16} {:>16}", f(&results[0]), f(&results[1]));
    };
    row("", &|r| r.name.clone());
    row("Rust files", &|r| r.rust_files.to_string());
    row("floor: walk+read+syn::parse_file", &|r| secs(r.floor));
    row("opsbook build (full, release)", &|r| secs(r.build));
    row("build / floor, wall (pair by pair)", &|r| format!("{:.2}", r.ratio));
    row("floor CPU time (user+sys)", &|r| secs(r.floor_cpu));
    row("build CPU time (user+sys)", &|r| secs(r.build_cpu));
    row("build / floor, CPU (pair by pair)", &|r| format!("{:.2}", r.cpu_ratio));
    row("peak memory, build", &|r| mib(r.build_peak));
    row("peak memory, floor", &|r| mib(r.floor_peak));
    row("pages (HTML) written", &|r| r.pages.to_string());
    row("files written", &|r| r.files.to_string());
    row("bytes written", &|r| r.bytes.to_string());
    row("opsbook pages/s", &|r| format!("{:.0}", r.pages as f64 / r.build.as_secs_f64()));
    row("mdBook build, same page count", &|r| r.mdbook.map_or("-".into(), secs));
    row("mdBook pages/s", &|r| r.mdbook.map_or("-".into(), |d| format!("{:.0}", r.pages as f64 / d.as_secs_f64())));
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
    let w = watch_latency(&tree, &base.join("work-generated"), a.edits);
    let inproc = Command::new(&me)
        .arg("incremental")
        .arg(&tree)
        .args(["--edits", &a.edits.to_string()])
        .output()
        .unwrap_or_else(|e| die(&format!("incremental: {e}")));
    // `stage nanos ...` lines, in the order of STAGES.
    let stages: Vec<(String, Duration)> = String::from_utf8_lossy(&inproc.stdout)
        .lines()
        .filter_map(|l| {
            let mut it = l.split_whitespace();
            Some((it.next()?.to_string(), Duration::from_nanos(it.next()?.parse().ok()?)))
        })
        .collect();
    if !inproc.status.success() || stages.len() != STAGES.len() {
        die(&format!("incremental failed: {}", String::from_utf8_lossy(&inproc.stderr)));
    }
    let edits = a.edits;
    let generated = |d: Duration| move |r: &Figures| if r.name == "generated" { ms(d) } else { "-".into() };
    row(&format!("edit-to-book in watch, median ({edits})"), &generated(w.median));
    row("edit-to-book in watch, p90", &generated(w.p90));
    row("  its rebuild (watch's own), median", &generated(w.rebuild));
    row("  the watcher (notify, event loop)", &generated(w.median.saturating_sub(w.rebuild)));
    row("in process: apply+write, median", &generated(stages[STAGES.len() - 2].1));
    row("in process: apply+write, p90", &generated(stages[STAGES.len() - 1].1));
    for (stage, d) in &stages[..STAGES.len() - 2] {
        let label = match stage.as_str() {
            "read" => "read+extract",
            "other" => "the rest",
            s => s,
        };
        row(&format!("  {label}, median"), &generated(*d));
    }
    println!("\ngoals (about 200x40): build/floor <= 1.00, peak memory <= 500 MiB, edit-to-book <= 100 ms median");
}
