//! Render tests over the hand-built system in `fixture.rs`: page content, escaping, links,
//! overrides and determinism.

use std::collections::BTreeMap;

use super::fixture::{self, EVIL_NAME};
use super::{Site, render};
use crate::config::Config;
use crate::diag::Diagnostic;

fn build_with(config: &Config, overrides: &BTreeMap<String, String>) -> (Site, Vec<Diagnostic>) {
    let graph = fixture::graph();
    let analysis = fixture::analysis(&graph);
    render(&graph, &analysis, config, overrides)
}

fn build() -> Site {
    let (site, diagnostics) = build_with(&Config::default(), &BTreeMap::new());
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    site
}

pub(super) fn page<'s>(site: &'s Site, path: &str) -> &'s str {
    std::str::from_utf8(site.files.get(path).unwrap_or_else(|| panic!("{path} missing"))).unwrap()
}

/// The text of the `<section id="...">` that holds `id`.
pub(super) fn section<'p>(html: &'p str, id: &str) -> &'p str {
    let start = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id}"));
    let end = html[start..].find("</section>").map_or(html.len(), |e| start + e);
    &html[start..end]
}

pub(super) fn pages(site: &Site) -> impl Iterator<Item = (&String, &str)> {
    site.files.iter().filter(|(p, _)| p.ends_with(".html")).map(|(p, b)| (p, std::str::from_utf8(b).unwrap()))
}

#[test]
fn step_page_leads_with_what_on_call_needs() {
    let site = build();
    let html = page(&site, "steps/push-order.html");
    let retries = section(html, "retries");
    assert!(retries.contains("5 attempts over at most 57.5 s"), "{retries}");
    assert!(retries.contains("waits 500 ms, 1 s, 2 s, 4 s between attempts"));
    assert!(retries.contains("57.5 s (57500 ms)"));
    assert!(retries.contains("src/erp.rs:30"), "the effective policy cites its line");
    assert!(retries.contains("3 attempts over at most"), "the doc policy that code overrides is listed too");
    assert!(retries.contains("running it again repeats its side effects"));

    let recovery = section(html, "recovery");
    let first = recovery.find("Check the ERP status page.").expect("step 1");
    let second = recovery.find("<code>erpctl replay --since 1h</code>").expect("step 2");
    assert!(first < second && recovery.contains("<ol"), "{recovery}");
    assert!(recovery.contains("src/erp.rs:16"));

    assert!(section(html, "owner").contains("team-integrations"));
    let findings = section(html, "findings");
    assert!(findings.contains("push_order is retried 5 times but creates a sales order each time"));
    assert!(findings.contains("src/erp.rs:14"));
    let signals = section(html, "signals");
    assert!(signals.contains("every 30 s") && signals.contains("docker-compose.yml:22"), "{signals}");
    assert!(signals.contains("10 s") && signals.contains("src/erp.rs:9"));
    assert!(section(html, "diagram").contains("<svg"));
    assert!(section(html, "blast-radius").contains("storefront"));
    assert!(section(html, "dependencies").contains("href=\"../resources/erp-api.html\""));

    // The sections come in the order an on-call engineer needs them.
    let order = ["owner", "recovery", "failure-modes", "signals", "findings", "retries", "dependencies", "dependents"];
    let mut last = 0;
    for id in order.iter().chain(&["blast-radius", "diagram", "sources"]) {
        let at = html.find(&format!("id=\"{id}\"")).unwrap();
        assert!(at > last, "#{id} is out of order");
        last = at;
    }
}

#[test]
fn missing_recovery_and_unknown_retries_are_said_plainly() {
    let site = build();
    let html = page(&site, "steps/dead-letter.html");
    assert!(section(html, "recovery").contains("No recovery steps are documented"));
    assert!(section(html, "recovery").contains("<code># Recovery</code>"));
    let retries = section(html, "retries");
    assert!(retries.contains("attempts: not known statically (<code>cfg.retries</code>)"), "{retries}");
    assert!(retries.contains("retries forever"));
    assert!(retries.contains("no timeout bounds an attempt"));
    // A service that declares nothing about reruns or timeouts gets no empty sections.
    let service = page(&site, "services/storefront.html");
    assert!(!service.contains("What happens if this runs again") && !service.contains("<h3>Timeouts"));
    let recovery = section(service, "recovery");
    assert!(recovery.contains("No recovery steps are documented."), "{recovery}");
    assert!(!recovery.contains("front matter"), "no advice that opsbook cannot follow yet");
}

#[test]
fn hostile_strings_are_escaped_everywhere() {
    let linked = Config { source_url: Some("https://git.example.com/{file}#L{line}".into()), ..Config::default() };
    let (linked, _) = build_with(&linked, &BTreeMap::new());
    for (path, html) in pages(&build()).chain(pages(&linked)) {
        let html = &without_own_scripts(path, html);
        for tag in html.split('<').skip(1).map(|t| t.split('>').next().unwrap_or("").to_ascii_lowercase()) {
            assert!(
                !tag.starts_with("script") && !tag.starts_with("img") && !tag.starts_with("iframe"),
                "{path}: <{tag}>"
            );
            assert!(!tag.contains("onerror") && !tag.contains("javascript:"), "{path}: <{tag}>");
            assert!(!tag.starts_with("b>") && tag != "b" && tag != "i", "{path}: <{tag}>");
        }
        assert!(!html.contains("\"evil\""), "{path}: an unescaped quote from a name");
    }
    let site = build();
    let evil = page(&site, "steps/b-evil-b-x.html");
    assert!(
        evil.contains("href=\"https://dash.example/&quot;&gt;&lt;script&gt;"),
        "a URL from a source stays inside its attribute"
    );
    assert!(
        page(&linked, "steps/b-evil-b-x.html").contains("href=\"https://git.example.com/src/%3Cx%3E%20%22y%22.rs#L9\"")
    );
    assert!(
        evil.contains("&lt;b&gt;&quot;evil&quot;&lt;&#x2f;b&gt;")
            || evil.contains("&lt;b&gt;&quot;evil&quot;&lt;/b&gt;")
    );
    assert!(evil.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "raw HTML in Markdown shows as text");
    let push = page(&site, "steps/push-order.html");
    let svg = section(push, "diagram");
    assert!(svg.contains("&lt;b&gt;&quot;evil&quot;"), "SVG text is escaped");
    assert!(!EVIL_NAME.is_empty());
}

#[test]
fn retries_page_lists_every_policy() {
    let site = build();
    let html = page(&site, "retries.html");
    for cite in ["src/erp.rs:30", "src/erp.rs:8", "src/dlq.rs:12", "src/dlq.rs:2", "src/evil.rs:5"] {
        assert!(html.contains(cite), "{cite} missing");
    }
    assert!(html.contains("5 attempts over at most 57.5 s"));
    assert!(html.contains("waits 500 ms, 1 s, 2 s, 4 s between attempts"));
    assert!(html.contains("full jitter"));
}

#[test]
fn failure_points_keep_the_ranking() {
    let site = build();
    let html = page(&site, "failure-points.html");
    let analysis = fixture::analysis(&fixture::graph());
    let mut last = 0;
    for f in &analysis.findings {
        let message = f.message.replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
        let at = html.find(&message).unwrap_or_else(|| panic!("{message} missing"));
        assert!(at > last, "{} is out of order", f.code);
        last = at;
        assert!(html.contains(&format!("{}:{}", f.file, f.line)));
    }
    assert!(section(html, "error").contains("retry-without-idempotency"));
    assert!(section(html, "warning").contains("missing-timeout"));
    assert!(section(html, "warning").contains("<ol class=\"findings\" start=\"2\">"), "numbers follow the ranking");
    assert!(html.contains(">1 error</a>") && html.contains(">2 warnings</a>"));
    assert!(page(&site, "index.html").contains("push_order is retried 5 times"), "top failure points on the overview");
}

#[test]
fn every_relative_link_resolves() {
    let site = build();
    let checked = check_links(&site);
    assert!(checked > 100, "only {checked} links checked");
    let css = std::str::from_utf8(&site.files["style.css"]).unwrap();
    assert!(css.contains("prefers-color-scheme: dark") && !css.contains("url("), "dark mode, nothing fetched");
    for required in ["index.html", "retries.html", "failure-points.html", "graph.html", "graph.json", "style.css"] {
        assert!(site.files.contains_key(required), "{required}");
    }
}

/// Follows every relative link and fragment of every page; returns how many it checked.
pub(super) fn check_links(site: &Site) -> usize {
    let mut checked = 0;
    for (path, html) in pages(site) {
        assert!(html.contains("Content-Security-Policy"), "{path}");
        // Nothing is fetched: no script but the book's own, and no stylesheet, image or
        // frame from elsewhere.
        assert!(!without_own_scripts(path, html).contains("<script") && !html.contains(" src=\"http"), "{path}");
        assert!(
            html.matches("<link ").count() == 1 && !html.contains("<link rel=\"stylesheet\" href=\"http"),
            "{path}"
        );
        for nav in ["index.html", "retries.html", "failure-points.html", "graph.html", "style.css"] {
            assert!(html.contains(&format!("href=\"{}{nav}\"", super::links::root_of(path))), "{path}: {nav}");
        }
        for href in attribute_values(html, "href").into_iter().chain(attribute_values(html, "src")) {
            if href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:") {
                continue;
            }
            let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() { path.to_string() } else { resolve(path, file) };
            let bytes = site.files.get(&target).unwrap_or_else(|| panic!("{path}: {href} -> {target} missing"));
            if !fragment.is_empty() {
                let text = std::str::from_utf8(bytes).unwrap();
                assert!(text.contains(&format!("id=\"{fragment}\"")), "{path}: {href}: no #{fragment}");
            }
            checked += 1;
        }
    }
    checked
}

/// The page without the book's own scripts: `search.js` on every page and the index on
/// `search.html`, each exactly as base.html and search.html load them. Any other script
/// left is one a source smuggled in.
pub(super) fn without_own_scripts(path: &str, html: &str) -> String {
    let root = super::links::root_of(path);
    let own = format!("<script src=\"{root}search.js\" defer></script>");
    assert_eq!(html.matches(&own).count(), 1, "{path}: the search script, once");
    let mut html = html.replace(&own, "");
    if path == "search.html" {
        html = html.replacen("<script src=\"search-index.js\"></script>", "", 1);
    }
    html
}

fn attribute_values<'h>(html: &'h str, name: &str) -> Vec<&'h str> {
    let needle = format!(" {name}=\"");
    html.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &html[i + needle.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect()
}

/// Resolves `href` against the folder of `page`, as a browser does for a relative link.
fn resolve(page: &str, href: &str) -> String {
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in href.split('/') {
        match part {
            ".." => assert!(parts.pop().is_some(), "{page}: {href} climbs out of the book"),
            "." | "" => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[test]
fn broken_overrides_warn_and_the_built_in_template_renders() {
    let overrides = BTreeMap::from([
        (
            "runbook.html".to_string(),
            "{% extends \"base.html\" %}{% block content %}{{ page.node.name | no_such_filter }}{% endblock content %}"
                .to_string(),
        ),
        (
            "retries.html".to_string(),
            "{% extends \"base.html\" %}\n{% block content %}{% if %}{% endblock content %}".to_string(),
        ),
        // Parses, fails only when rendered.
        (
            "index.html".to_string(),
            "{% extends \"base.html\" %}{% block content %}\n\n{{ page.nope }}{% endblock content %}".to_string(),
        ),
        (
            "graph.html".to_string(),
            "{% extends \"base.html\" %}{% block content %}<p>custom {{ page.node_count }}</p>{% endblock content %}"
                .to_string(),
        ),
    ]);
    let (site, diagnostics) = build_with(&Config::default(), &overrides);
    let files: Vec<&str> = diagnostics.iter().map(|d| d.source.file.as_str()).collect();
    assert!(diagnostics.iter().all(|d| d.code == "template-error"), "{diagnostics:?}");
    assert!(files.contains(&"templates/runbook.html") && files.contains(&"templates/retries.html"), "{files:?}");
    assert_eq!(diagnostics.len(), 3, "one warning per broken template, not per page: {diagnostics:?}");
    let index = diagnostics.iter().find(|d| d.source.file == "templates/index.html").expect("a render-time error");
    assert_eq!(index.source.line, 3);
    assert!(page(&site, "index.html").contains("Top failure points"), "the built-in index rendered");
    let retries = diagnostics.iter().find(|d| d.source.file == "templates/retries.html").unwrap();
    assert_eq!(retries.source.line, 2);
    let runbook = diagnostics.iter().find(|d| d.source.file == "templates/runbook.html").unwrap();
    assert_eq!((runbook.source.line, runbook.source.column), (1, 65), "{runbook:?}");
    assert_eq!(runbook.message.lines().count(), 1, "{runbook:?}");
    assert!(page(&site, "steps/push-order.html").contains("5 attempts over at most 57.5 s"));
    assert!(page(&site, "retries.html").contains("src/erp.rs:30"));
    assert!(page(&site, "graph.html").contains("<p>custom 9</p>"), "a working override is used");
}

#[test]
fn two_renders_are_byte_identical() {
    assert_eq!(build(), build());
}

#[test]
fn sources_link_to_the_forge_when_configured() {
    let config = Config {
        source_url: Some("https://git.example.com/shop/blob/main/{file}#L{line}".into()),
        ..Config::default()
    };
    let (site, _) = build_with(&config, &BTreeMap::new());
    let html = page(&site, "steps/push-order.html");
    assert!(html.contains("href=\"https://git.example.com/shop/blob/main/src/erp.rs#L14\""));
    let plain = build();
    assert!(!page(&plain, "steps/push-order.html").contains("git.example.com"));
}

#[test]
fn the_search_index_holds_recovery_steps_and_cannot_break_its_script() {
    let site = build();
    let js = std::str::from_utf8(&site.files["search-index.js"]).unwrap();
    let json = js.strip_prefix("window.OPSBOOK_SEARCH=").and_then(|j| j.strip_suffix(";\n")).expect("one assignment");
    assert!(!json.contains('<') && !json.contains('\u{2028}'), "{json}");
    let index: serde_json::Value = serde_json::from_str(json).unwrap();
    let docs = index["docs"].as_array().unwrap();
    let evil = docs.iter().find(|d| d["n"] == EVIL_NAME).expect("the hostile step is indexed by its name");
    assert_eq!(evil["u"], "steps/b-evil-b-x.html");
    let recovery = evil["r"][0].as_str().unwrap();
    assert!(recovery.starts_with("<script>alert(2)</script> run"), "recovery as its words: {recovery}");
    let erp = docs.iter().find(|d| d["r"].as_array().is_some_and(|r| r.len() == 2)).expect("a step with recovery");
    assert_eq!(erp["r"][1], "Replay from the dead-letter queue with erpctl replay --since 1h.");
    assert_eq!(erp["a"][0], "ErpSyncFailing");
    let search = page(&site, "search.html");
    assert!(search.contains("id=\"search-results\"") && search.contains("action=\"search.html\""));
}

#[test]
fn a_runbook_page_opens_with_a_breadcrumb_and_the_answers_at_a_glance_and_ends_with_its_neighbours() {
    let site = build();
    let html = page(&site, "steps/push-order.html");
    let crumbs = &html[html.find("<nav class=\"breadcrumb\"").unwrap()..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    assert!(
        crumbs.contains("<a href=\"../index.html\">Home</a> › <a href=\"../index.html#steps\">Steps</a>"),
        "{crumbs}"
    );
    assert!(crumbs.ends_with("<span aria-current=\"page\">push_order</span>"), "{crumbs}");
    let glance = &html[html.find("<dl class=\"glance\"").unwrap()..];
    let glance = &glance[..glance.find("</dl>").unwrap()];
    assert!(glance.contains("<a href=\"#recovery\">2 recovery steps</a>"), "{glance}");
    assert!(glance.contains("<a href=\"#alerts\">1 alert</a>"), "{glance}");
    assert!(glance.contains("<a href=\"#owner\">team-integrations</a>"), "{glance}");
    assert!(html.find("id=\"recovery\"").unwrap() < html.find("id=\"retries\"").unwrap(), "what to do comes first");
    assert!(html.contains("<a rel=\"prev\" href=\"../steps/dead-letter.html\">← dead_letter</a>"));
    assert!(!html.contains("rel=\"next\""), "the last step has no next page");
    // Every page has the anchors an alert's runbook_url may point at, even when empty.
    for id in ["recovery", "failure-modes", "alerts", "retries", "dependencies", "blast-radius", "diagram", "sources"] {
        assert_eq!(page(&site, "resources/orders-db.html").matches(&format!("id=\"{id}\"")).count(), 1, "#{id}");
    }
}
