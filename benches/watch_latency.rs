//! Edit-to-book latency of `opsbook watch` on a large generated tree.
//!
//! `cargo bench --bench watch_latency` (release profile). `OPSBOOK_BENCH_FILES` sets the
//! tree's size (default 10 000 Rust files, one annotated step each, in 100 workflows),
//! `OPSBOOK_BENCH_EDITS` the number of one-file edits timed (default 30).
//!
//! It prints, in one run on the same tree:
//! - the baseline: a full build (`opsbook::run` + `write::write`), as `opsbook build` does;
//! - the incremental core alone: `Session::apply` + `write::apply` after one edit;
//! - end to end: the real watcher (notify, the debouncer, rebuild, write), from the moment
//!   the edited file is written until the rebuild has written the book.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use opsbook::cmd::watch::Watcher;
use opsbook::config::Config;
use opsbook::session::Session;

/// The allocator of the `opsbook` binary, so in-process figures match the real program's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const WORKFLOWS: usize = 100;

fn step(i: usize, timeout_s: usize) -> String {
    let workflow = i % WORKFLOWS;
    let mut s = String::new();
    let _ = write!(
        s,
        "//! Step {i} of flow {workflow}.\n\n\
         /// Handles part {i} of flow {workflow}.\n///\n/// # Operations\n\
         /// - workflow: flow-{workflow}\n/// - depends-on: store-{}\n/// - side-effects: writes record {i}\n\
         /// - idempotent: {}\n/// - retry: attempts={} initial=200ms factor=2 max-delay=10s\n\
         /// - timeout: {timeout_s}s\n/// - owner: team-{}\n///\n/// # Failure modes\n\
         /// - store-{} is slow during its backup window.\n///\n/// # Recovery\n\
         /// 1. Check store-{}.\n/// 2. Replay step {i} with `opsctl replay {i}`.\n\
         pub async fn step_{i}(input: &Input) -> Result<Output, Error> {{\n    run(input).await\n}}\n",
        i % 37,
        if i.is_multiple_of(3) { "no" } else { "yes" },
        2 + i % 4,
        i % 12,
        i % 37,
        i % 37,
    );
    s
}

fn generate(root: &Path, files: usize) {
    for i in 0..files {
        let dir = root.join(format!("services/svc-{:03}/src", i % WORKFLOWS));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("step_{i}.rs")), step(i, 5 + i % 20)).unwrap();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(name: &str, mut samples: Vec<Duration>, baseline: Duration) {
    samples.sort();
    let median = percentile(&samples, 0.5);
    println!(
        "{name:<34} median {:>9}  p90 {:>9}  max {:>9}  ({:.1}% of a full build, {:.0}x faster)",
        ms(median),
        ms(percentile(&samples, 0.9)),
        ms(*samples.last().unwrap()),
        100.0 * median.as_secs_f64() / baseline.as_secs_f64(),
        baseline.as_secs_f64() / median.as_secs_f64()
    );
}

fn main() {
    let files: usize = std::env::var("OPSBOOK_BENCH_FILES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let edits: usize = std::env::var("OPSBOOK_BENCH_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("tree");
    generate(&root, files);
    let out = root.join("book");
    let config = Config::default();

    // Baseline: what `opsbook build` does, twice (the first warms the page cache of the OS).
    let mut full = Duration::MAX;
    let mut pages = 0;
    for _ in 0..2 {
        let t = Instant::now();
        let book = opsbook::run(&root, &config, &out);
        opsbook::write::write(&book.site, &out).unwrap();
        full = full.min(t.elapsed());
        pages = book.site.files.keys().filter(|p| p.ends_with(".html")).count();
    }
    println!("tree: {files} Rust files, {pages} pages");
    println!("{:<34} {:>16}", "full build (run + write)", ms(full));

    // The incremental core, without the watcher.
    let t = Instant::now();
    let mut session = Session::open(&root, config.clone(), &out, &|_, _| {});
    println!("{:<34} {:>16}", "session first build (no write)", ms(t.elapsed()));
    let mut samples = Vec::new();
    for n in 0..edits {
        let i = (n * 7919) % files;
        let rel = format!("services/svc-{:03}/src/step_{i}.rs", i % WORKFLOWS);
        std::fs::write(root.join(&rel), step(i, 100 + n)).unwrap();
        let t = Instant::now();
        let update = session.apply(std::slice::from_ref(&rel));
        opsbook::write::apply(&session.site, &out, &update.changed, &update.removed).unwrap();
        samples.push(t.elapsed());
    }
    summary("one edit: Session::apply + write", samples, full);

    // End to end through the real watcher.
    let watcher = Watcher::start(&root, None).unwrap();
    let (done, rebuilt) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = watcher.run(|_| {
            let _ = done.send(Instant::now());
        });
    });
    std::thread::sleep(Duration::from_millis(500));
    while rebuilt.try_recv().is_ok() {}
    let mut samples = Vec::new();
    for n in 0..edits {
        let i = (n * 104_729 + 13) % files;
        let rel = format!("services/svc-{:03}/src/step_{i}.rs", i % WORKFLOWS);
        let text = step(i, 500 + n);
        let t = Instant::now();
        std::fs::write(root.join(&rel), text).unwrap();
        let finished = rebuilt.recv_timeout(Duration::from_secs(30)).expect("the watcher rebuilt");
        samples.push(finished - t);
        // Let the watcher settle before the next edit, so each sample is one edit.
        std::thread::sleep(Duration::from_millis(150));
        while rebuilt.try_recv().is_ok() {}
    }
    summary("one edit: watcher, edit to book", samples, full);
}
