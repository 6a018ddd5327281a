//! The pieces of HTML the spliced pages share, written as the embedded templates write them.

use super::*;

/// Text as tera's autoescape writes it (`tera::escape_html`).
pub(super) fn esc(out: &mut String, text: &str) {
    let mut start = 0;
    for (at, b) in text.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..at]);
        out.push_str(with);
        start = at + 1;
    }
    out.push_str(&text[start..]);
}

/// A node id as a retries section's anchor (`:` made `-`), escaped.
pub(super) fn anchor(out: &mut String, id: &str) {
    for (k, part) in id.split(':').enumerate() {
        if k > 0 {
            out.push('-');
        }
        esc(out, part);
    }
}

/// The `node` component of `components.html`.
pub(super) fn node(out: &mut String, n: &NodeLink, show_kind: bool) {
    match &n.href {
        Some(href) => {
            out.push_str("<a class=\"node k-");
            esc(out, n.kind);
            out.push_str("\" href=\"");
            esc(out, href);
            out.push_str("\">");
            esc(out, &n.name);
            out.push_str("</a>");
        }
        None => {
            out.push_str("<span class=\"node\">");
            esc(out, &n.name);
            out.push_str("</span>");
        }
    }
    if show_kind && !n.kind.is_empty() {
        out.push_str(" <span class=\"kind\">");
        esc(out, n.kind);
        out.push_str("</span>");
    }
}

/// The `src` component of `components.html`.
pub(super) fn src(out: &mut String, s: &SourceView) {
    match &s.href {
        Some(href) => {
            out.push_str("<a class=\"src\" href=\"");
            esc(out, href);
            out.push_str("\">");
            esc(out, &s.text);
            out.push_str("</a>");
        }
        None => {
            out.push_str("<span class=\"src\">");
            esc(out, &s.text);
            out.push_str("</span>");
        }
    }
}

/// `_finding.html`.
pub(super) fn finding(out: &mut String, f: &FindingView) {
    let _ = write!(out, "\n<li class=\"finding sev-");
    esc(out, f.severity);
    let _ = write!(out, "\" id=\"finding-{}\">\n<p class=\"finding-head\"><span class=\"badge sev-", f.rank);
    esc(out, f.severity);
    out.push_str("\">");
    esc(out, f.severity);
    out.push_str("</span> <code>");
    esc(out, &f.code);
    out.push_str("</code>");
    if let Some(n) = &f.node {
        out.push_str(" on ");
        node(out, n, true);
    }
    out.push_str(" at ");
    src(out, &f.source);
    out.push_str("</p>\n<p class=\"message\">");
    out.push_str(&f.message_html);
    out.push_str("</p>\n");
    if !f.help.is_empty() {
        out.push_str("<p class=\"help\"><strong>Fix:</strong> ");
        out.push_str(&f.help_html);
        out.push_str("</p>");
    }
    out.push_str("\n</li>\n");
}

/// `_policy.html`.
pub(super) fn policy_html(out: &mut String, p: &PolicyView) {
    out.push_str("\n<div class=\"policy");
    if p.effective {
        out.push_str(" effective");
    }
    out.push_str("\">\n<p class=\"headline\"><strong>");
    esc(out, &p.headline);
    out.push_str("</strong>");
    if !p.effective {
        out.push_str(" <span class=\"badge\">not in effect</span>");
    }
    out.push_str("</p>\n<dl class=\"facts\">\n<dt>Attempts</dt><dd>");
    esc(out, &p.attempts);
    out.push_str("</dd>\n");
    if let Some(h) = p.handles.as_deref().filter(|h| !h.is_empty()) {
        out.push_str("<dt>Retries on</dt><dd><code>");
        esc(out, h);
        out.push_str("</code></dd>");
    }
    out.push_str("\n<dt>Worst case</dt><dd>");
    match p.worst_case.as_deref().filter(|w| !w.is_empty()) {
        Some(w) => esc(out, w),
        None => out.push_str("no bound known"),
    }
    out.push_str("</dd>\n<dt>Backoff</dt><dd>");
    esc(out, &p.backoff);
    out.push_str("</dd>\n<dt>Schedule</dt><dd>");
    match p.schedule.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => esc(out, s),
        None => out.push_str("no waits"),
    }
    out.push_str("</dd>\n<dt>Jitter</dt><dd>");
    esc(out, &p.jitter);
    out.push_str("</dd>\n<dt>Max delay</dt><dd>");
    esc(out, &p.max_delay);
    out.push_str("</dd>\n<dt>Time limit</dt><dd>");
    esc(out, &p.max_elapsed);
    out.push_str("</dd>\n<dt>Per attempt</dt><dd>");
    esc(out, &p.attempt_timeout);
    out.push_str("</dd>\n");
    for u in &p.unknown {
        out.push_str("<dt>Unknown</dt><dd>");
        esc(out, u.label);
        out.push_str(": not known statically (<code>");
        esc(out, &u.expr);
        out.push_str("</code>)</dd>\n");
    }
    out.push_str("<dt>Origin</dt><dd>");
    esc(out, &p.library);
    out.push_str(", ");
    esc(out, p.origin);
    if !p.text.is_empty() {
        out.push_str(": <code>");
        esc(out, &p.text);
        out.push_str("</code>");
    }
    out.push_str("</dd>\n<dt>Source</dt><dd>");
    src(out, &p.source);
    out.push_str("</dd>\n</dl>\n</div>\n");
}
