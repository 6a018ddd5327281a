//! The `opsbook` binary: argument parsing and exit codes only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use opsbook::cmd::{self, Outcome};

/// mimalloc instead of the system allocator: the build and, above all, the rebuild after an
/// edit allocate and free many small strings and maps on every core, and glibc's malloc
/// spent a fifth of an edit's time there (`cargo bench --bench scale`: a 200x40 edit took
/// 0.76x the time with mimalloc, in one run). Built with `no_thp`: with transparent huge
/// pages its arenas made a 200x40 build's peak memory 1.8 times glibc's; without, 1.15.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns a repository into the book its on-call engineers read during an incident.
///
/// opsbook reads annotated Rust code (`# Operations`, `# Failure modes` and `# Recovery`
/// doc sections, and retry/timeout calls of tokio-retry, backon, backoff, reqwest-retry,
/// tokio and reqwest), docker-compose files, and workflow definitions (AWS Step Functions,
/// Argo Workflows, GitHub Actions, BPMN) and hand-written Markdown runbooks, builds one
/// dependency graph in which every fact
/// points at its source line, and writes a static site of runbooks, workflow pages, retry
/// schedules and failure points that works offline.
///
/// Exit codes: 0 success, 1 findings at the failing severity (check, build --strict) or a
/// change (diff --exit-code), 2 opsbook itself failed (bad flags, unwritable output, output
/// folder not made by opsbook).
#[derive(Parser)]
#[command(name = "opsbook", version, about, long_about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the book of DIR into OUT (default: DIR/book, or `out` in DIR/opsbook.toml).
    ///
    /// The output folder is replaced atomically. A folder opsbook did not make is never
    /// overwritten. Diagnostics (unreadable files, unknown keys) and error findings are
    /// printed like rustc; every finding is on the book's failure-points page.
    Build {
        /// The folder to scan.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the book.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Exit 1 when there are findings at or above the failing severity
        /// (`[findings] fail_on` in opsbook.toml, default "error").
        #[arg(long)]
        strict: bool,
        /// Also print notes and every finding.
        #[arg(long, short, conflicts_with = "quiet")]
        verbose: bool,
        /// Print only errors.
        #[arg(long, short)]
        quiet: bool,
        /// html: the static site; markdown: Markdown pages with relative links, for MkDocs
        /// and Backstage TechDocs.
        #[arg(long, value_enum, default_value_t = cmd::build::BookFormat::Html)]
        format: cmd::build::BookFormat,
    },
    /// Check DIR without writing the book: the CI gate.
    ///
    /// Prints every finding and exits 1 when one is at or above the failing severity
    /// (`[findings] fail_on` in opsbook.toml, default "error"). Paths are relative to the
    /// working directory, as CI annotations and code scanning expect.
    Check {
        /// The folder to check.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// human: rustc-style on stderr; json: graph.json's `findings`; sarif: SARIF 2.1.0;
        /// github: workflow annotations.
        #[arg(long, value_enum, default_value_t = cmd::check::CheckFormat::Human)]
        format: cmd::check::CheckFormat,
    },
    /// Print the graph of DIR for other tools: Graphviz DOT, Mermaid, or graph.json.
    Graph {
        /// The folder to scan.
        #[arg(default_value = ".")]
        dir: PathBuf,
        #[arg(long, value_enum, default_value_t = cmd::graph::GraphFormat::Json)]
        format: cmd::graph::GraphFormat,
    },
    /// Print the operational diff of OLD and NEW as Markdown for a pull-request comment.
    ///
    /// OLD and NEW are folders (each is built in memory) or graph.json files. With --git REV,
    /// the work tree (DIR, default ".") is compared with that revision, checked out into a
    /// temporary git worktree that is removed afterwards. Nothing changed: nothing printed.
    /// Hand-written runbooks whose covered facts changed are listed under "Runbooks to review".
    Diff {
        /// OLD NEW, or with --git at most one folder: the work tree.
        #[arg(value_name = "PATH", num_args = 0..=2)]
        paths: Vec<PathBuf>,
        /// Compare the work tree with this git revision (a branch, tag or commit).
        #[arg(long, value_name = "REV")]
        git: Option<String>,
        /// Exit 1 when something changed.
        #[arg(long)]
        exit_code: bool,
    },
    /// Write a commented opsbook.toml into DIR, with every key at its default.
    Init {
        /// The folder to write it into; an existing opsbook.toml is never overwritten.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Mark hand-written runbooks as reviewed against today's facts.
    ///
    /// Records, in opsbook.lock at the root of DIR, every fact of every node each runbook
    /// covers. `build` then reports `stale-runbook`, with what changed, when those facts
    /// no longer match. Also sets each runbook's `reviewed:` front matter to today (UTC).
    /// Commit opsbook.lock.
    Review {
        /// Runbook files (Markdown under `runbooks` in opsbook.toml, or `*.runbook.md`).
        #[arg(required = true)]
        runbooks: Vec<PathBuf>,
        /// The scanned folder.
        #[arg(long, short, default_value = ".")]
        dir: PathBuf,
    },
    /// Print the runbook of one node: what it is, owner, recovery, retries with their
    /// schedule and worst case, dependencies, blast radius, sources as file:line.
    ///
    /// NAME is a node's name, id (`step:push-order`) or slug, in any case; a part of a name
    /// works when only one node has it. When nothing matches, the closest names are
    /// suggested and the exit code is 2. Coloured on a terminal, plain when piped.
    Explain {
        /// The node to explain.
        name: String,
        /// The folder to scan.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// Build the book, then rebuild it on every change to DIR, incrementally.
    ///
    /// Only changed files are read again and only pages whose bytes change are written. A
    /// file that no longer parses keeps its last good facts in the book; its diagnostic is
    /// printed and the watcher goes on. One line per rebuild says what changed.
    Watch {
        /// The folder to scan and watch.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the book.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Watch DIR and serve its book over HTTP, reloading open pages after each rebuild.
    ///
    /// Pages get a live-reload script (only when served); while the tree does not build,
    /// they show the diagnostics in an overlay. Loopback only unless --bind says otherwise.
    #[cfg(feature = "serve")]
    Serve {
        /// The folder to scan and watch.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Where to write the book.
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// The port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 3000)]
        port: u16,
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
    },
    /// Hand-written runbooks.
    Runbook {
        #[command(subcommand)]
        command: RunbookCommand,
    },
}

#[derive(Subcommand)]
enum RunbookCommand {
    /// Write a runbook skeleton for node NAME, pre-filled with its facts, to
    /// DIR/docs/runbooks/<slug>.md (`runbooks` in opsbook.toml). Never overwrites.
    New {
        /// A node's name (`push_order`) or id (`step:push-order`).
        name: String,
        /// The scanned folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Build { dir, out, strict, verbose, quiet, format } => {
            cmd::build::run_as(&cmd::build::BuildArgs { dir, out, strict, verbose, quiet }, format)
        }
        Command::Review { runbooks, dir } => cmd::review::run(&cmd::review::ReviewArgs { runbooks, dir }),
        Command::Runbook { command: RunbookCommand::New { name, dir } } => {
            cmd::runbook::new(&cmd::runbook::NewArgs { name, dir })
        }
        Command::Check { dir, format } => cmd::check::run(&cmd::check::CheckArgs { dir, format }),
        Command::Graph { dir, format } => cmd::graph::run(&cmd::graph::GraphArgs { dir, format }),
        Command::Diff { paths, git, exit_code } => cmd::diff::run(&cmd::diff::DiffArgs { paths, git, exit_code }),
        Command::Init { dir } => cmd::init::run(&dir),
        Command::Explain { name, dir } => cmd::explain::run(&cmd::explain::ExplainArgs { name, dir }),
        Command::Watch { dir, out } => cmd::watch::run(&cmd::watch::WatchArgs { dir, out }),
        #[cfg(feature = "serve")]
        Command::Serve { dir, out, port, bind } => cmd::serve::run(&cmd::serve::ServeArgs { dir, out, port, bind }),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            cmd::report::eprint(&format!("error: {e:#}\n"));
            ExitCode::from(2)
        }
    }
}
