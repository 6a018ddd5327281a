//! Reading a built book as a browser would, to prove nothing from a source runs in it.

use std::path::Path;

/// Every element the book's own templates and diagrams use. Anything else in a page
/// (`script`, `img`, `iframe`, `foreignObject`, `object`, `style`, `base`, `form`, ...)
/// came from a source.
const ELEMENTS: &[&str] = &[
    "html",
    "head",
    "meta",
    "title",
    "link",
    "body",
    "header",
    "nav",
    "main",
    "footer",
    "article",
    "section",
    "div",
    "span",
    "a",
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "code",
    "pre",
    "em",
    "strong",
    "del",
    "blockquote",
    "details",
    "summary",
    "small",
    "abbr",
    "time",
    "mark",
    "figure",
    "figcaption",
    "caption",
    "svg",
    "g",
    "rect",
    "path",
    "text",
    "tspan",
    "marker",
    "defs",
    "line",
    "polyline",
    "polygon",
    "circle",
    "ellipse",
];

/// Attributes whose value a browser follows as a URL.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "xlink:href", "action", "formaction", "srcdoc", "data", "poster"];

/// One start tag: its name and attributes, values with the entities a browser decodes.
#[derive(Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

/// The start tags of an HTML or SVG text, read the way a browser's tokenizer does for the
/// cases that matter here: comments and doctypes are skipped, quoted values may hold `>`.
pub fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off + 1;
        if html[i..].starts_with("!--") {
            i = html[i..].find("-->").map_or(html.len(), |e| i + e + 3);
            continue;
        }
        if !b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let start = i;
        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>' && *c != b'/') {
            i += 1;
        }
        let mut tag = Tag { name: html[start..i].to_ascii_lowercase(), attrs: Vec::new() };
        loop {
            while b.get(i).is_some_and(|c| c.is_ascii_whitespace() || *c == b'/') {
                i += 1;
            }
            match b.get(i) {
                None => break,
                Some(b'>') => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            let name_start = i;
            while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && !matches!(c, b'>' | b'=' | b'/')) {
                i += 1;
            }
            let name = html[name_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                match b.get(i) {
                    Some(q @ (b'"' | b'\'')) => {
                        let end = html[i + 1..].find(*q as char).map_or(html.len(), |e| i + 1 + e);
                        value = html[i + 1..end].to_string();
                        i = (end + 1).min(html.len());
                    }
                    _ => {
                        let s = i;
                        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace() && *c != b'>') {
                            i += 1;
                        }
                        value = html[s..i].to_string();
                    }
                }
            }
            if name.is_empty() {
                i += 1;
                continue;
            }
            tag.attrs.push((name, decode(&value)));
        }
        out.push(tag);
    }
    out
}

/// The character references a browser decodes in an attribute before following a URL.
fn decode(value: &str) -> String {
    let mut v = value.to_string();
    for (from, to) in [
        ("&colon;", ":"),
        ("&#58;", ":"),
        ("&#x3a;", ":"),
        ("&#x3A;", ":"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ] {
        v = v.replace(from, to);
    }
    v
}

/// The book's own search chrome, which no source can shape: its scripts by their fixed
/// names, the search form posting to `search.html`, the search box, and the disabled
/// checkboxes of a runbook's task list.
fn is_book_chrome(tag: &Tag) -> bool {
    let attr = |name: &str| tag.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let own = |value: Option<&str>, names: &[&str]| {
        value.is_some_and(|v| names.contains(&v.trim_start_matches("../")) && !v.replace("../", "").contains('/'))
    };
    match tag.name.as_str() {
        "script" => own(attr("src"), &["search.js", "search-index.js"]) && tag.attrs.len() <= 2,
        "form" => own(attr("action"), &["search.html"]),
        "input" => attr("type") == Some("search") || (attr("type") == Some("checkbox") && attr("disabled").is_some()),
        "label" | "noscript" => true,
        _ => false,
    }
}

/// What in `html` would run or load something: a foreign element, an event handler, or a
/// script, data or vbscript URL.
pub fn dangers(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for tag in tags(html) {
        if !ELEMENTS.contains(&tag.name.as_str()) && !is_book_chrome(&tag) {
            found.push(format!("element <{}>", tag.name));
        }
        for (name, value) in &tag.attrs {
            if name.starts_with("on") {
                found.push(format!("handler {name}= on <{}>", tag.name));
            }
            let url: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if URL_ATTRIBUTES.contains(&name.as_str())
                && ["javascript:", "data:", "vbscript:"].iter().any(|s| url.starts_with(s))
            {
                found.push(format!("{name}=\"{value}\" on <{}>", tag.name));
            }
        }
    }
    found
}

/// The Content-Security-Policy of a page, from its meta tag.
pub fn csp(html: &str) -> Option<String> {
    tags(html).into_iter().find_map(|t| {
        let equiv = t.attrs.iter().any(|(n, v)| n == "http-equiv" && v.eq_ignore_ascii_case("content-security-policy"));
        let content = t.attrs.iter().find(|(n, _)| n == "content").map(|(_, v)| v.clone());
        if t.name == "meta" && equiv { content } else { None }
    })
}

/// Every page of the book is safe to open: a strict CSP, no foreign element, handler or
/// script URL, and none of `raw` (payloads that are only harmless escaped) verbatim.
pub fn assert_safe(book: &Path, raw: &[&str]) {
    let files = crate::tree::files(book);
    assert!(files.iter().any(|f| f.extension().is_some_and(|e| e == "html")), "no pages in {}", book.display());
    for file in files {
        let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_string();
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let shown = file.strip_prefix(book).unwrap().display().to_string();
        if ext == "html" || ext == "svg" {
            let bad = dangers(&text);
            assert!(bad.is_empty(), "{shown}: {bad:?}");
            for p in raw {
                assert!(!text.contains(p), "{shown} holds the payload {p:?} unescaped");
            }
        }
        if ext == "html" {
            let policy = csp(&text).unwrap_or_else(|| panic!("{shown} has no Content-Security-Policy"));
            assert!(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "{shown}: {policy}");
            assert!(policy.contains("default-src 'self'"), "{shown}: {policy}");
        }
        if ext == "js" {
            // A script the book loads keeps source text as string data: no line separators
            // raw (older engines end a string there) and no way out of a string.
            assert!(!text.contains('\u{2028}') && !text.contains('\u{2029}'), "{shown} holds a raw U+2028/2029");
            assert!(!text.to_ascii_lowercase().contains("</script"), "{shown} holds </script");
        }
        if ext == "json" {
            serde_json::from_str::<serde_json::Value>(&text).unwrap_or_else(|e| panic!("{shown} is not JSON: {e}"));
        }
    }
}

#[test]
fn the_checker_sees_what_a_browser_would_run() {
    let page = r#"<p title="a > b">x</p><a href=" javascript&colon;x()">y</a><svg><foreignObject></foreignObject></svg><img src=x onerror=alert(1)><!-- <script> -->"#;
    let bad = dangers(page);
    assert_eq!(bad.len(), 4, "{bad:?}");
    assert!(dangers("<p>&lt;script&gt;alert(1)&lt;/script&gt; javascript:alert(1)</p>").is_empty());
}
