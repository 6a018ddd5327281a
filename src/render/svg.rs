//! Inline SVG diagrams computed in Rust: a node's neighbourhood, and the shared drawing pieces.
//!
//! Every string drawn comes from a source file, so every one goes through [`escape`]; links
//! are relative page paths built by [`NodeLink`]. No script, no external reference: the
//! page's CSS colours the diagram, so dark mode applies to it too.

use std::fmt::Write;

use crate::model::EdgeKind;
use crate::render::links::NodeLink;
use crate::render::markdown::escape;

/// Neighbours shown per side before the rest are summed up as "+N more".
pub const MAX_PER_SIDE: usize = 12;

const WIDTH: u32 = 760;
const BOX_W: u32 = 210;
pub const BOX_H: u32 = 36;
pub const ROW: u32 = 46;
const TOP: u32 = 28;
const LEFT_X: u32 = 10;
const CENTRE_X: u32 = 275;
const RIGHT_X: u32 = 540;

/// A node next to the centre, with the kinds of edge that join them.
#[derive(Clone, Debug)]
pub struct Neighbour {
    pub link: NodeLink,
    pub kinds: Vec<EdgeKind>,
    /// "↻ 5", "↻ ∞": the node retries; drawn with a heavier purple border.
    pub retry: Option<String>,
    /// Nodes one step further out on the same side, not drawn: the diagram is one level
    /// deep, and this neighbour's page draws the next.
    pub beyond: usize,
}

/// The retry mark of a node whose effective policy tries more than once.
pub fn retry_mark(max_attempts: Option<Option<u32>>) -> Option<String> {
    match max_attempts? {
        Some(n) if n > 1 => Some(format!("↻ {n}")),
        Some(_) => None,
        None => Some("↻ ∞".to_string()),
    }
}

/// Dependencies on the left, the node in the centre, dependents on the right. Arrows point
/// from the node that depends to the node depended on.
pub fn neighbourhood(centre: &Neighbour, dependencies: &[Neighbour], dependents: &[Neighbour]) -> String {
    let centre_link = &centre.link;
    let side_rows = |n: &[Neighbour]| n.len().min(MAX_PER_SIDE) as u32 + u32::from(n.len() > MAX_PER_SIDE);
    let (left_rows, right_rows) = (side_rows(dependencies), side_rows(dependents));
    let rows = left_rows.max(right_rows).max(1);
    let height = TOP + rows * ROW + 8;
    let centre_y = TOP + (rows * ROW - BOX_H) / 2;

    let mut svg = String::new();
    let title = format!("Neighbourhood of {}", centre_link.name);
    open(&mut svg, WIDTH, height, &title);
    heading(&mut svg, LEFT_X, "depends on");
    heading(&mut svg, RIGHT_X, "depended on by");

    let column_top = |n: u32| TOP + (rows - n) * ROW / 2;
    for (i, n) in dependencies.iter().take(MAX_PER_SIDE).enumerate() {
        let y = column_top(left_rows) + i as u32 * ROW;
        edge(&mut svg, &curve((CENTRE_X, centre_y + BOX_H / 2), (LEFT_X + BOX_W, y + BOX_H / 2)), &n.kinds);
        marked_box(&mut svg, LEFT_X, y, n, &kinds_label(n), false);
    }
    more(&mut svg, LEFT_X, column_top(left_rows) + MAX_PER_SIDE as u32 * ROW, dependencies.len(), "#dependencies");
    for (i, n) in dependents.iter().take(MAX_PER_SIDE).enumerate() {
        let y = column_top(right_rows) + i as u32 * ROW;
        edge(&mut svg, &curve((RIGHT_X, y + BOX_H / 2), (CENTRE_X + BOX_W, centre_y + BOX_H / 2)), &n.kinds);
        marked_box(&mut svg, RIGHT_X, y, n, &kinds_label(n), false);
    }
    more(&mut svg, RIGHT_X, column_top(right_rows) + MAX_PER_SIDE as u32 * ROW, dependents.len(), "#dependents");
    marked_box(&mut svg, CENTRE_X, centre_y, centre, centre_link.kind, true);
    svg.push_str("</svg>");
    svg
}

/// A neighbourhood box; a node that retries is wrapped in `retrying` and says how often.
fn marked_box(svg: &mut String, x: u32, y: u32, n: &Neighbour, sub: &str, current: bool) {
    match &n.retry {
        Some(mark) => {
            svg.push_str("<g class=\"retrying\">");
            node_box(svg, x, y, BOX_W, &n.link, &format!("{mark} · {sub}"), current);
            svg.push_str("</g>");
        }
        None => node_box(svg, x, y, BOX_W, &n.link, sub, current),
    }
}

fn kinds_label(n: &Neighbour) -> String {
    let kinds: Vec<&str> = n.kinds.iter().map(|k| k.as_str()).collect();
    let beyond = if n.beyond > 0 { format!(" · +{} beyond", n.beyond) } else { String::new() };
    format!("{} · {}{beyond}", n.link.kind, kinds.join(", "))
}

/// Opens an `<svg>` with its accessible title and the arrow markers.
pub fn open(svg: &mut String, width: u32, height: u32, title: &str) {
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\"><title>{}</title>",
        escape(title)
    );
    svg.push_str(concat!(
        "<defs>",
        "<marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"arrow\" d=\"M0,0 L10,5 L0,10 z\"/></marker>",
        "<marker id=\"arrow-error\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path class=\"arrow-error\" d=\"M0,0 L10,5 L0,10 z\"/></marker>",
        "<marker id=\"arrow-critical\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"3.5\" markerHeight=\"3.5\" orient=\"auto\"><path class=\"arrow-critical\" d=\"M0,0 L10,5 L0,10 z\"/></marker>",
        "</defs>"
    ));
}

fn heading(svg: &mut String, x: u32, text: &str) {
    let _ = write!(svg, "<text class=\"heading\" x=\"{x}\" y=\"16\">{}</text>", escape(text));
}

/// The path of a curve from `from` to `to` that leaves and arrives horizontally.
pub fn curve(from: (u32, u32), to: (u32, u32)) -> String {
    let mid = (from.0 + to.0) / 2;
    format!("M{},{} C{mid},{} {mid},{} {},{}", from.0, from.1, from.1, to.1, to.0, to.1)
}

/// An edge along `path`, arrow at its end. `on_error` is dashed and red, so it reads
/// without colour too.
pub fn edge(svg: &mut String, path: &str, kinds: &[EdgeKind]) {
    let error = kinds.contains(&EdgeKind::OnError);
    let class = if error { "on_error" } else { kinds.first().map_or("edge", |k| k.as_str()) };
    let _ = write!(
        svg,
        "<path class=\"edge e-{class}\" d=\"{path}\" fill=\"none\"{} marker-end=\"url(#{})\"/>",
        if error { " stroke-dasharray=\"6 4\"" } else { "" },
        if error { "arrow-error" } else { "arrow" },
    );
}

/// A node as a box with its name and a small second line; a link to its page when it has one.
pub fn node_box(svg: &mut String, x: u32, y: u32, width: u32, link: &NodeLink, sub: &str, current: bool) {
    let max_chars = (width as usize).saturating_sub(16) / 7;
    let class = if current { "node current" } else { "node" };
    match &link.href {
        Some(href) if !current => {
            let _ = write!(svg, "<a href=\"{}\">", escape(href));
        }
        _ => svg.push_str("<g>"),
    }
    let _ = write!(
        svg,
        "<title>{}</title><rect class=\"{class} k-{}\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{BOX_H}\" rx=\"4\"/>",
        escape(&link.name),
        escape(link.kind),
    );
    let _ = write!(
        svg,
        "<text class=\"name\" x=\"{}\" y=\"{}\">{}</text>",
        x + 8,
        y + 15,
        escape(&truncate(&link.name, max_chars))
    );
    let _ = write!(
        svg,
        "<text class=\"sub\" x=\"{}\" y=\"{}\">{}</text>",
        x + 8,
        y + 29,
        escape(&truncate(sub, max_chars + 4))
    );
    svg.push_str(if link.href.is_some() && !current { "</a>" } else { "</g>" });
}

fn more(svg: &mut String, x: u32, y: u32, total: usize, anchor: &str) {
    if total > MAX_PER_SIDE {
        let _ = write!(
            svg,
            "<a href=\"{anchor}\"><text class=\"more\" x=\"{}\" y=\"{}\">+{} more</text></a>",
            x + 8,
            y + 22,
            total - MAX_PER_SIDE
        );
    }
}

/// Shortens to `max` characters with an ellipsis; counts characters, never splits one.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(name: &str) -> NodeLink {
        NodeLink {
            id: format!("step:{name}"),
            name: name.to_string(),
            kind: "step",
            href: Some(format!("../steps/{name}.html")),
            external: false,
        }
    }

    #[test]
    fn large_neighbourhoods_are_bounded() {
        let many: Vec<Neighbour> = (0..30)
            .map(|i| Neighbour {
                link: link(&format!("n{i:02}")),
                kinds: vec![EdgeKind::Calls],
                retry: None,
                beyond: 2,
            })
            .collect();
        let centre = Neighbour { link: link("centre"), kinds: vec![], retry: retry_mark(Some(Some(5))), beyond: 0 };
        let svg = neighbourhood(&centre, &many, &[]);
        assert!(svg.contains("<g class=\"retrying\">") && svg.contains("↻ 5 · step"), "the retrying centre is marked");
        assert!(svg.contains("step · calls · +2 beyond"), "the next level is a count, not boxes");
        assert_eq!(svg.matches("<rect").count(), MAX_PER_SIDE + 1);
        assert!(svg.contains("+18 more"));
        assert!(!svg.contains("n12.html"), "the 13th neighbour is summed up");
    }

    #[test]
    fn on_error_edges_are_dashed_and_text_is_escaped() {
        let bad = link("<b>\"x\"</b>");
        let centre = Neighbour { link: link("c"), kinds: vec![], retry: None, beyond: 0 };
        let bad = Neighbour { link: bad, kinds: vec![EdgeKind::OnError], retry: None, beyond: 0 };
        let svg = neighbourhood(&centre, &[bad], &[]);
        assert!(!svg.contains("retrying"));
        assert_eq!(retry_mark(Some(None)).as_deref(), Some("↻ ∞"));
        assert_eq!(retry_mark(Some(Some(1))), None);
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("e-on_error"));
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;&quot;x&quot;"));
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate("abc", 3), "abc");
    }
}
