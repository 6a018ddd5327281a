//! The template engine: embedded templates, the project's overrides, and the fallback when one breaks.

use std::collections::{BTreeMap, BTreeSet};

use rust_embed::RustEmbed;
use tera::{Context, ErrorKind, Kwargs, State, Tera, Value};

use crate::diag::Diagnostic;
use crate::extract::duration::human;
use crate::render::markdown;
use crate::source::Source;

#[derive(RustEmbed)]
#[folder = "templates/"]
struct Templates;

/// One `Tera` for the whole render (parsing templates per page would dominate the build),
/// plus a second one with the project's overrides when there are any.
pub struct Engine {
    embedded: Tera,
    custom: Option<Tera>,
    /// Override names that parsed and now stand in for an embedded template.
    overridden: BTreeSet<String>,
    /// Where the project's templates live, for diagnostics: `templates`.
    folder: String,
    /// Overrides already reported, so a broken `runbook.html` is one warning, not one per page.
    reported: BTreeSet<String>,
    /// Overrides that failed to parse, reported when the engine was made.
    construction: BTreeSet<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The internal template [`Engine::layout`] renders: `base.html` around [`CONTENT`].
const LAYOUT: &str = "__opsbook_layout.html";
/// Where the content goes in [`LAYOUT`].
const CONTENT: char = '\u{1}';

/// A template problem met while rendering one page. Pages render in parallel with a
/// shared `&Engine`; [`Engine::merge`] then takes their events in page order, so the
/// diagnostics and their order are those of rendering one page after another.
#[derive(Debug)]
pub enum Event {
    /// A broken override, by name: reported once per render, however many pages meet it.
    Override(String, Diagnostic),
    Plain(Diagnostic),
}

impl Engine {
    pub fn new(overrides: &BTreeMap<String, String>, folder: &str, site_title: &str) -> Engine {
        let mut embedded = Tera::new();
        register(&mut embedded);
        embedded.global_context().insert("site_title", site_title);
        let sources: Vec<(String, String)> = Templates::iter()
            .filter_map(|name| {
                let file = Templates::get(&name)?;
                Some((name.to_string(), String::from_utf8_lossy(&file.data).into_owned()))
            })
            .collect();
        // The embedded templates are part of opsbook: a failure here is a bug the tests catch.
        embedded.add_raw_templates(sources).expect("embedded templates parse");
        // The layout alone, its content a marker: pages made from cached fragments
        // (`fragments/`) put their content where the marker is.
        let layout = format!("{{% extends \"base.html\" %}}{{% block content %}}{CONTENT}{{% endblock content %}}");
        embedded.add_raw_template(LAYOUT, &layout).expect("the layout template parses");

        let mut engine = Engine {
            embedded,
            custom: None,
            overridden: BTreeSet::new(),
            folder: folder.trim_end_matches('/').to_string(),
            reported: BTreeSet::new(),
            construction: BTreeSet::new(),
            diagnostics: Vec::new(),
        };
        if !overrides.is_empty() {
            let mut custom = engine.embedded.clone();
            for (name, text) in overrides {
                // A failed add leaves the embedded template of that name in place.
                match custom.add_raw_template(name, text) {
                    Ok(()) => {
                        engine.overridden.insert(name.clone());
                    }
                    Err(e) => engine.report(name, &e),
                }
            }
            engine.custom = Some(custom);
        }
        engine.construction = engine.reported.clone();
        engine
    }

    /// Renders `template`, with the project's override when it has one. An override that
    /// fails is reported once and the embedded template renders the page instead. The
    /// problems met are pushed on `events`, for [`Engine::merge`].
    pub fn render(&self, template: &str, context: &Context, events: &mut Vec<Event>) -> String {
        if let Some(custom) = &self.custom {
            match custom.render(template, context) {
                Ok(html) => return html,
                Err(e) => {
                    let blamed = blame(&e, template, &self.overridden);
                    if !self.reported.contains(&blamed) {
                        let d = self.override_diagnostic(&blamed, &e);
                        events.push(Event::Override(blamed, d));
                    }
                }
            }
        }
        match self.embedded.render(template, context) {
            Ok(html) => html,
            Err(e) => {
                // Only reachable through a bug in an embedded template: keep the page (links
                // to it must resolve) and say what went wrong.
                let source = Source::new(format!("<embedded>/{template}"), 1, 1);
                events.push(Event::Plain(Diagnostic::error("template-error", source, error_message(&e))));
                format!(
                    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Error</title></head><body><pre>{}</pre></body></html>",
                    markdown::escape(&error_message(&e))
                )
            }
        }
    }

    /// Whether the project overrides any of `names` (templates that parsed and stand in
    /// for the embedded ones).
    pub fn overrides_any(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.overridden.contains(*n))
    }

    /// The embedded `base.html` of a page at `path`, split where the page's content goes:
    /// what [`Engine::render`] writes before and after the `content` block of a page
    /// template that extends it. Only for pages whose templates the project does not
    /// override (see [`Engine::overrides_any`]).
    pub fn layout(&self, path: &str, title: &str, nav: &str) -> (String, String) {
        let mut context = Context::new();
        context.insert("root", &super::links::root_of(path));
        context.insert("page_title", title);
        context.insert("nav", nav);
        let html = self.embedded.render(LAYOUT, &context).expect("the embedded layout renders");
        let (before, after) = html.split_once(CONTENT).expect("the layout has its content marker");
        (before.to_string(), after.to_string())
    }

    /// Takes one page's events into the diagnostics: a broken override once per render.
    pub fn merge(&mut self, events: Vec<Event>) {
        for event in events {
            match event {
                Event::Override(name, d) => {
                    if self.reported.insert(name) {
                        self.diagnostics.push(d);
                    }
                }
                Event::Plain(d) => self.diagnostics.push(d),
            }
        }
    }

    fn report(&mut self, name: &str, error: &tera::Error) {
        if !self.reported.insert(name.to_string()) {
            return;
        }
        let d = self.override_diagnostic(name, error);
        self.diagnostics.push(d);
    }

    fn override_diagnostic(&self, name: &str, error: &tera::Error) -> Diagnostic {
        let (line, col) = position(error);
        let source = Source::new(format!("{}/{name}", self.folder), line, col);
        Diagnostic::warning(
            "template-error",
            source,
            format!("template `{name}` does not work, the built-in one is used: {}", error_message(error)),
        )
        .with_help("fix the template, or delete it to keep the built-in one")
    }

    /// Forgets the overrides reported so far, for the next render with this engine.
    pub fn start(&mut self) -> Vec<Diagnostic> {
        self.reported.retain(|name| self.construction.contains(name));
        std::mem::take(&mut self.diagnostics)
    }
}

/// The override to blame for a render error: the template the error points into when it
/// is an override, else the page's own template, else any override it may include.
fn blame(error: &tera::Error, template: &str, overridden: &BTreeSet<String>) -> String {
    if let ErrorKind::RenderingError(r) | ErrorKind::SyntaxError(r) = error.kind()
        && overridden.contains(r.filename())
    {
        return r.filename().to_string();
    }
    if overridden.contains(template) || overridden.is_empty() {
        return template.to_string();
    }
    overridden.iter().next().cloned().unwrap_or_else(|| template.to_string())
}

fn position(error: &tera::Error) -> (u32, u32) {
    match error.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => {
            let span = r.span();
            (span.start_line.max(1) as u32, span.start_col as u32 + 1)
        }
        // Reference checks (unknown filter, component, include) come as a finished report
        // whose ` --> name:line:col` line is the only place the position is kept.
        ErrorKind::Msg(report) => report
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .and_then(|at| {
                let mut parts = at.rsplitn(3, ':');
                let col = parts.next()?.trim().parse().ok()?;
                let line = parts.next()?.trim().parse().ok()?;
                Some((line, col))
            })
            .unwrap_or((1, 1)),
        _ => (1, 1),
    }
}

/// The message without tera's multi-line source report: the diagnostic prints its own.
fn error_message(error: &tera::Error) -> String {
    match error.kind() {
        ErrorKind::SyntaxError(r) | ErrorKind::RenderingError(r) => r.message().to_string(),
        ErrorKind::Msg(report) => {
            let first = report.lines().next().unwrap_or_default();
            first.strip_prefix("error: ").unwrap_or(first).to_string()
        }
        other => other.to_string(),
    }
}

/// Filters for project templates: tera 2 has no `markdown`, and durations should read alike
/// on every page.
fn register(tera: &mut Tera) {
    tera.register_filter("markdown", |text: &str, _: Kwargs, _: &State| Value::safe_string(&markdown::to_html(text)));
    tera.register_filter("human_ms", |ms: u64, _: Kwargs, _: &State| human(ms));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        let engine = Engine::new(&BTreeMap::new(), "templates", "Ops");
        assert!(engine.diagnostics.is_empty());
        assert!(engine.embedded.get_template_names().any(|n| n == "runbook.html"));
    }

    #[test]
    fn a_syntax_error_names_the_override_and_its_line() {
        let overrides = BTreeMap::from([("index.html".to_string(), "ok\n{% if %}\n".to_string())]);
        let engine = Engine::new(&overrides, "templates", "Ops");
        assert_eq!(engine.diagnostics.len(), 1, "{:?}", engine.diagnostics);
        let d = &engine.diagnostics[0];
        assert_eq!(d.code, "template-error");
        assert_eq!(d.source.file, "templates/index.html");
        assert_eq!(d.source.line, 2);
        // The embedded template is still there.
        assert!(engine.custom.as_ref().unwrap().get_template_names().any(|n| n == "index.html"));
        let _ = engine.render("index.html", &Context::new(), &mut Vec::new());
    }

    #[test]
    fn filters_escape_and_sanitise() {
        let mut tera = Tera::new();
        register(&mut tera);
        tera.add_raw_template("t.html", "{{ md | markdown }}|{{ ms | human_ms }}").unwrap();
        let mut ctx = Context::new();
        ctx.insert("md", "**a** <script>x</script>");
        ctx.insert("ms", &57_500u64);
        let out = tera.render("t.html", &ctx).unwrap();
        assert_eq!(out, "<p><strong>a</strong> &lt;script&gt;x&lt;/script&gt;</p>\n|57.5 s");
    }
}
