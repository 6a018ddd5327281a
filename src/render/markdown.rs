//! Markdown from sources to safe HTML: raw HTML becomes text, then ammonia keeps a strict allowlist.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

/// Built once: the allowlist is the same for every page.
static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let tags: HashSet<&str> = [
        "p",
        "br",
        "hr",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "a",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", ["href", "title"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    let mut b = Builder::empty();
    b.tags(tags)
        .tag_attributes(attrs)
        .clean_content_tags(["script", "style"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        // A relative link in a doc comment points into the repository, not into the book:
        // it would be a broken link here, so it is dropped and its text kept.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// The allowlist for hand-written runbooks: the prose allowlist, plus task-list check
/// boxes (only pulldown-cmark makes inputs: raw HTML is text by then), footnotes and heading
/// anchors. Every id gets a `rb-` prefix and every `#fragment`
/// link the same, so a runbook's anchors cannot clash with the page's own.
static RUNBOOK_SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    let tags = SANITIZER.clone_tags();
    b.tags(tags)
        .add_tags(&["input", "sup", "div"])
        .tag_attributes(SANITIZER.clone_tag_attributes())
        .add_tag_attributes("input", &["checked", "disabled", "type"])
        .add_tag_attributes("div", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("h5", &["id"])
        .add_tag_attributes("h6", &["id"])
        .id_prefix(Some("rb-"))
        .clean_content_tags(["script", "style"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(UrlRelative::Custom(Box::new(fragment_only)))
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true);
    b
});

/// Within a runbook, `#fragment` links reach its own prefixed anchors; other relative
/// links point into the repository and are dropped, as in all prose.
fn fragment_only(url: &str) -> Option<Cow<'_, str>> {
    url.strip_prefix('#').map(|f| Cow::Owned(format!("#rb-{f}")))
}

/// Renders a hand-written runbook: tables, task lists, footnotes, and an anchor on every
/// heading (`## Mitigation` -> `id="rb-mitigation"`). Raw HTML becomes text, as in
/// [`to_html`]. Characters of Unicode's private use area in `markdown` are placeholders
/// the caller fills in after sanitising; they are left out of anchors.
pub fn runbook_to_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES;
    let mut events: Vec<Event> = Parser::new_ext(markdown, options)
        .map(|event| match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            other => other,
        })
        .collect();
    let mut used: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, classes, attrs }) = &events[i] {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let text: String = placeholder_free(&text);
            let base = id.as_deref().map_or_else(|| crate::model::slugify(&text), str::to_string);
            let mut anchor = base.clone();
            let mut n = 2;
            while !used.insert(anchor.clone()) {
                anchor = format!("{base}-{n}");
                n += 1;
            }
            events[i] = Event::Start(Tag::Heading {
                level: demote(*level),
                id: Some(anchor.into()),
                classes: classes.clone(),
                attrs: attrs.clone(),
            });
        } else if let Event::End(TagEnd::Heading(level)) = &events[i] {
            events[i] = Event::End(TagEnd::Heading(demote(*level)));
        }
        i += 1;
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.into_iter());
    RUNBOOK_SANITIZER.clean(&raw).to_string()
}

/// `text` without placeholders: each runs from U+E000 to U+E001.
fn placeholder_free(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for c in text.chars() {
        match c {
            '\u{e000}' => inside = true,
            '\u{e001}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Renders Markdown to sanitised HTML. Raw HTML in the source is shown as text, not run:
/// ammonia would strip it anyway, but turning it into text first also keeps it readable.
pub fn to_html(markdown: &str) -> String {
    // The same prose renders to the same HTML: rebuilds of `watch` (and pages that repeat
    // a text) take it from a memo instead of parsing and sanitising it again.
    thread_local! {
        static MEMO: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
    }
    if let Some(html) = MEMO.with(|m| m.borrow().get(markdown).cloned()) {
        return html;
    }
    let html = to_html_uncached(markdown);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= 200_000 {
            m.clear();
        }
        m.insert(markdown.to_string(), html.clone());
    });
    html
}

fn to_html_uncached(markdown: &str) -> String {
    let parser =
        Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).map(|event| match event {
            Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
            // A description sits under the page's own h1 and h2s: its headings start at h3.
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                Event::Start(Tag::Heading { level: demote(level), id, classes, attrs })
            }
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
            other => other,
        });
    let mut raw = String::new();
    html::push_html(&mut raw, parser);
    SANITIZER.clean(&raw).to_string()
}

fn demote(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Like [`to_html`], without the `<p>` around a single paragraph: for list items.
pub fn to_inline_html(markdown: &str) -> String {
    let html = to_html(markdown);
    let trimmed = html.trim_end();
    match trimmed.strip_prefix("<p>").and_then(|s| s.strip_suffix("</p>")) {
        Some(inner) if !inner.contains("<p>") => inner.to_string(),
        _ => html,
    }
}

/// Escapes text for HTML content, attribute values and SVG: for HTML built in Rust, where
/// tera's autoescape does not reach.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes plain text and shows its `backtick` spans as code: for finding messages, which
/// quote names that way but are not Markdown.
pub fn code_spans(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut parts = text.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        // An unpaired last backtick stays a backtick.
        if inside && parts.peek().is_none() {
            out.push('`');
            out.push_str(&escape(part));
            break;
        }
        if inside {
            out.push_str("<code>");
            out.push_str(&escape(part));
            out.push_str("</code>");
        } else {
            out.push_str(&escape(part));
        }
        inside = !inside;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_links_are_removed() {
        let html = to_html(
            "Hi <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<div onclick=\"x()\">d</div>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "raw HTML is kept as text: {html}");
    }

    #[test]
    fn ordinary_markdown_survives() {
        let html = to_inline_html("Replay with `erpctl replay` and see [status](https://status.example.com).");
        assert!(html.starts_with("Replay with <code>erpctl replay</code>"), "{html}");
        assert!(html.contains("href=\"https://status.example.com\""), "{html}");
        assert!(!html.contains("<p>"), "{html}");
    }

    #[test]
    fn code_spans_are_escaped_first() {
        assert_eq!(code_spans("names `<b>x</b>` and `y"), "names <code>&lt;b&gt;x&lt;/b&gt;</code> and `y");
        assert_eq!(code_spans("plain & simple"), "plain &amp; simple");
    }

    #[test]
    fn headings_sit_below_the_page_headings() {
        assert_eq!(to_html("# Title\n## Sub"), "<h3>Title</h3>\n<h4>Sub</h4>\n");
    }

    #[test]
    fn runbooks_get_task_lists_footnotes_tables_and_anchors() {
        let html = runbook_to_html(
            "# Mitigation\n\n- [x] paused the consumer\n- [ ] replay\n\nSee [above](#mitigation)[^1].\n\n\
             | a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: The vendor's word.\n\n<script>x()</script>\n",
        );
        assert!(html.contains("<h3 id=\"rb-mitigation\">Mitigation</h3>"), "{html}");
        assert!(html.contains("<input disabled=\"\" type=\"checkbox\" checked=\"\">"), "{html}");
        assert!(!runbook_to_html("<input type=text>").contains("<input"));
        assert!(html.contains("href=\"#rb-mitigation\""), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("id=\"rb-1\"") && html.contains("href=\"#rb-1\""), "footnote: {html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn data_and_relative_links_are_dropped() {
        let html = to_html("[a](data:text/html,x) [b](../../etc/passwd)");
        assert!(!html.contains("href"), "{html}");
    }
}
