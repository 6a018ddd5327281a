//! The `opsbook` binary: argument parsing and exit codes only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use opsbook::cmd::{self, Outcome};

/// Turns a repository into the book its on-call engineers read during an incident.
///
/// opsbook reads annotated Rust code (`# Operations`, `# Failure modes` and `# Recovery`
/// doc sections, and retry/timeout calls of tokio-retry, backon, backoff, reqwest-retry,
/// tokio and reqwest), docker-compose files, and workflow definitions (AWS Step Functions,
/// Argo Workflows, GitHub Actions, BPMN), builds one dependency graph in which every fact
/// points at its source line, and writes a static site of runbooks, workflow pages, retry
/// schedules and failure points that works offline.
///
/// Exit codes: 0 success, 1 findings at the failing severity (with --strict),
/// 2 opsbook itself failed (bad flags, unwritable output, output folder not made by opsbook).
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
        Command::Build { dir, out, strict, verbose, quiet } => {
            cmd::build::run(&cmd::build::BuildArgs { dir, out, strict, verbose, quiet })
        }
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
