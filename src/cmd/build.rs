//! `opsbook build`: scan, extract, model, analyze, render, and write the book.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cmd::report::{self, Texts};
use crate::cmd::{Outcome, out_dir};
use crate::diag::Severity;

/// What kind of book `build` writes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BookFormat {
    /// The HTML site.
    #[default]
    Html,
    /// Markdown pages with relative links, for MkDocs and Backstage TechDocs.
    Markdown,
}

#[derive(Clone, Debug, Default)]
pub struct BuildArgs {
    pub dir: PathBuf,
    pub out: Option<PathBuf>,
    /// Fail (exit 1) on findings at or above the configured severity.
    pub strict: bool,
    /// Print info diagnostics and every finding.
    pub verbose: bool,
    /// Print only errors.
    pub quiet: bool,
}

pub fn run(args: &BuildArgs) -> Result<Outcome> {
    run_as(args, BookFormat::Html)
}

/// [`run`], writing the book as HTML pages or as Markdown pages.
pub fn run_as(args: &BuildArgs, format: BookFormat) -> Result<Outcome> {
    let root = args.dir.as_path();
    let config = crate::cmd::open_tree(root, "nothing was written")?;
    let out = out_dir(root, &config, args.out.as_deref());
    let book = crate::run(root, &config, &out);
    let texts: Texts = book.inventory.files.iter().map(|f| (f.path.as_str(), f.text.as_str())).collect();

    let floor = if args.quiet {
        Severity::Error
    } else if args.verbose {
        Severity::Info
    } else {
        Severity::Warning
    };
    let mut hidden = 0;
    for d in &book.diagnostics {
        // Unreadable sources are printed once, as `parse-error` findings.
        if matches!(d.code.as_str(), "parse-error" | "invalid-value") {
            continue;
        }
        if d.severity >= floor {
            report::eprint(&report::diagnostic(d, &texts));
        } else {
            hidden += 1;
        }
    }
    // Every error finding is printed; of the rest, unreadable sources at the diagnostic floor
    // (they are problems with the files, like diagnostics), and everything with --verbose.
    let shown = |f: &&crate::analyze::Finding| {
        f.severity >= Severity::Error || args.verbose || (f.code == "parse-error" && f.severity >= floor)
    };
    for f in book.analysis.findings.iter().filter(shown) {
        report::eprint(&report::finding(f, &texts));
    }

    let markdown_site;
    let site = match format {
        BookFormat::Html => &book.site,
        BookFormat::Markdown => {
            markdown_site = crate::render::markdown_book::render(&book.graph, &book.analysis, &config);
            &markdown_site
        }
    };
    let stats =
        crate::write::write(site, &out).with_context(|| format!("cannot write the book to {}", out.display()))?;

    let count = |s: Severity| book.analysis.findings.iter().filter(|f| f.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    if !args.quiet {
        let pages = site.files.keys().filter(|p| p.ends_with(".html") || p.ends_with(".md")).count();
        let mut summary = format!(
            "Built the book of {} ({} files read, {} nodes, {} edges): {} pages in {}, {} files changed.\n",
            root.display(),
            book.inventory.files.len(),
            book.graph.graph.node_count(),
            book.graph.graph.edge_count(),
            pages,
            out.display(),
            stats.written,
        );
        let ext = if format == BookFormat::Markdown { "md" } else { "html" };
        summary.push_str(&format!(
            "{errors} error and {warnings} warning findings: see {}.\n",
            display(&out.join(format!("failure-points.{ext}")))
        ));
        if hidden > 0 {
            summary.push_str(&format!("{hidden} notes not shown (--verbose shows them).\n"));
        }
        summary.push_str(&format!("Open {}\n", display(&out.join(format!("index.{ext}")))));
        report::eprint(&summary);
    }
    let failing = book.analysis.findings.iter().any(|f| f.severity >= config.findings.fail_on);
    Ok(if args.strict && failing { Outcome::Findings } else { Outcome::Success })
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
