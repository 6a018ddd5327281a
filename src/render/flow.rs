//! A workflow's flow diagram: steps layered along their transitions, drawn as inline SVG.
//!
//! Layout is longest-path layering from the start steps, top to bottom, with back edges
//! (a Choice that loops) set aside so every remaining edge points down. No external layout
//! engine: a workflow page must look the same on every build and work from `file://`.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::render::links::NodeLink;
use crate::render::markdown::escape;
use crate::render::svg::{self, truncate};

/// Past this many steps a diagram is too big to read: the step table says it better.
pub const MAX_FLOW_STEPS: usize = 60;
/// Branches drawn inside their step before the rest are summed up as "+N more".
const MAX_BRANCHES: usize = 4;
/// Steps side by side before a layer wraps into another row.
const MAX_ROW: usize = 5;
/// Edge labels longer than this are cut, with the whole text in the edge's tooltip.
const MAX_LABEL: usize = 26;

const BOX_W: u32 = 200;
const BOX_H: u32 = 40;
const BRANCH_H: u32 = 22;
const GAP_X: u32 = 50;
const GAP_Y: u32 = 54;
const MARGIN: u32 = 40;
/// Room on the right for loops that go back up.
const LOOP_ROOM: u32 = 70;

/// One step as the diagram shows it.
#[derive(Clone, Debug)]
pub struct FlowStep {
    pub link: NodeLink,
    /// What the step does, or what kind of routing it is.
    pub sub: String,
    /// The attempts of its retries, "4" or "4/7", when it retries.
    pub retries: Option<String>,
    pub waits: bool,
    pub critical: bool,
    /// Workflows this step runs inside itself (parallel branches, map iterators).
    pub branches: Vec<NodeLink>,
}

#[derive(Clone, Debug)]
pub struct FlowEdge {
    pub from: usize,
    pub to: usize,
    pub error: bool,
    /// A call between steps of code, which is their only recorded order.
    pub call: bool,
    pub label: Option<String>,
    pub critical: bool,
}

/// Where each step goes: its layer (row) and its place in the flow order.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub layer: Vec<usize>,
    /// Step indices in flow order: by layer, then in the order a walk from the start meets them.
    pub order: Vec<usize>,
    /// Edges (by index into the edge list) that go back to a step already on the walk.
    pub back: BTreeSet<usize>,
}

/// Layers `n` steps along `edges` (from, to) from `starts`. Steps no walk from a start
/// reaches start walks of their own, in index order, so nothing is left out.
pub fn layout(n: usize, starts: &[usize], edges: &[(usize, usize)]) -> Layout {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (i, &(from, to)) in edges.iter().enumerate() {
        if from < n && to < n {
            out[from].push((to, i));
        }
    }
    for o in &mut out {
        o.sort();
    }
    // Iterative depth-first walk: discovery order, post order, and the back edges.
    let (mut seen, mut on_stack) = (vec![false; n], vec![false; n]);
    let (mut discovery, mut post) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let mut back = BTreeSet::new();
    let roots = starts.iter().copied().filter(|&s| s < n).chain(0..n);
    for root in roots {
        if seen[root] {
            continue;
        }
        seen[root] = true;
        on_stack[root] = true;
        discovery.push(root);
        let mut stack = vec![(root, 0usize)];
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            if let Some(&(to, edge)) = out[v].get(*next) {
                *next += 1;
                if on_stack[to] {
                    back.insert(edge);
                } else if !seen[to] {
                    seen[to] = true;
                    on_stack[to] = true;
                    discovery.push(to);
                    stack.push((to, 0));
                }
            } else {
                on_stack[v] = false;
                post.push(v);
                stack.pop();
            }
        }
    }
    // Longest path over the forward edges, in reverse post order (a topological order).
    let mut layer = vec![0usize; n];
    for &v in post.iter().rev() {
        for &(to, edge) in &out[v] {
            if !back.contains(&edge) {
                layer[to] = layer[to].max(layer[v] + 1);
            }
        }
    }
    let mut rank = vec![0usize; n];
    for (i, &v) in discovery.iter().enumerate() {
        rank[v] = i;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&v| (layer[v], rank[v]));
    Layout { layer, order, back }
}

/// Draws the steps and edges as laid out. Every string is escaped; every step links to its page.
pub fn draw(title: &str, steps: &[FlowStep], edges: &[FlowEdge], layout: &Layout) -> String {
    let layers = layout.layer.iter().copied().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); layers];
    for &v in &layout.order {
        rows[layout.layer[v]].push(v);
    }
    let height_of = |v: usize| BOX_H + branch_rows(&steps[v]) * BRANCH_H + u32::from(!steps[v].branches.is_empty()) * 6;
    // A wide layer (steps with no order between them, as a workflow of code has) wraps
    // into several rows rather than one row thousands of pixels wide.
    let visual: Vec<&[usize]> = rows.iter().flat_map(|r| r.chunks(MAX_ROW)).collect();
    let widest = visual.iter().map(|r| r.len()).max().unwrap_or(1).max(1) as u32;
    let width = MARGIN * 2 + widest * BOX_W + (widest - 1) * GAP_X + LOOP_ROOM;
    let mut pos = vec![(0u32, 0u32, 0u32); steps.len()];
    let mut y = MARGIN;
    for row in &visual {
        let row_w = row.len() as u32 * BOX_W + (row.len() as u32).saturating_sub(1) * GAP_X;
        let mut x = MARGIN + (width - LOOP_ROOM - 2 * MARGIN - row_w) / 2;
        let mut tallest = BOX_H;
        for &v in row.iter() {
            pos[v] = (x, y, height_of(v));
            tallest = tallest.max(height_of(v));
            x += BOX_W + GAP_X;
        }
        y += tallest + GAP_Y;
    }
    let height = y - GAP_Y + MARGIN;

    let mut out = String::new();
    svg::open(&mut out, width, height, title);
    let mut labels = String::new();
    let mut lanes = 0u32;
    for (i, e) in edges.iter().enumerate() {
        let (Some(&(fx, fy, fh)), Some(&(tx, ty, th))) = (pos.get(e.from), pos.get(e.to)) else { continue };
        let looping = layout.back.contains(&i) || layout.layer[e.to] <= layout.layer[e.from];
        let (path, mid) = if looping {
            // Out of the right side and back in on the target's right side.
            let (x1, y1, x2, y2) = (fx + BOX_W, fy + fh / 2, tx + BOX_W, ty + th / 2);
            let bend = x1.max(x2) + LOOP_ROOM - 10;
            (format!("M{x1},{y1} C{bend},{y1} {bend},{y2} {x2},{y2}"), (bend - 8, (y1 + y2) / 2))
        } else if e.error {
            // Errors run in a lane on the right, so they never hide behind the happy path.
            let (x1, y1, x2, y2) = (fx + BOX_W, fy + fh / 2, tx + BOX_W, ty + th / 2);
            let lane = width - LOOP_ROOM / 2;
            (format!("M{x1},{y1} C{lane},{y1} {lane},{y2} {x2},{y2}"), (x1 + 6, y1 - 9))
        } else if layout.layer[e.to] > layout.layer[e.from] + 1 {
            // An edge that skips layers runs in a lane left of every box it passes, so it
            // never crosses the steps between; each such edge gets its own lane.
            let (x1, y1, x2, y2) = (fx, fy + fh / 2, tx, ty + th / 2);
            let (lo, hi) = (layout.layer[e.from], layout.layer[e.to]);
            let between = (lo + 1..hi).flat_map(|l| rows[l].iter().map(|&v| pos[v].0));
            let left = between.chain([fx, tx]).min().unwrap_or(fx);
            let lane = left.saturating_sub(12 + 6 * (lanes % 4)).max(4);
            lanes += 1;
            let r = 8;
            (
                format!(
                    "M{x1},{y1} L{},{y1} Q{lane},{y1} {lane},{} L{lane},{} Q{lane},{y2} {},{y2} L{x2},{y2}",
                    lane + r,
                    y1 + r,
                    y2 - r,
                    lane + r
                ),
                (lane + 4, y1 + (y2 - y1) / 2),
            )
        } else {
            let (x1, y1, x2, y2) = (fx + BOX_W / 2, fy + fh, tx + BOX_W / 2, ty);
            let ym = (y1 + y2) / 2;
            (format!("M{x1},{y1} C{x1},{ym} {x2},{ym} {x2},{y2}"), ((x1 + x2) / 2, ym))
        };
        let mut class = match (e.error, e.call) {
            (true, _) => "edge e-on_error".to_string(),
            (false, true) => "edge e-calls".to_string(),
            (false, false) => "edge e-next".to_string(),
        };
        if looping && !e.error {
            class.push_str(" loop");
        }
        if e.critical && !e.error {
            class.push_str(" critical");
        }
        let marker = match (e.error, e.critical) {
            (true, _) => "arrow-error",
            (false, true) => "arrow-critical",
            (false, false) => "arrow",
        };
        let dash = if e.error { " stroke-dasharray=\"6 4\"" } else { "" };
        let _ = write!(out, "<path class=\"{class}\" d=\"{path}\" fill=\"none\"{dash} marker-end=\"url(#{marker})\">");
        if let Some(label) = &e.label {
            let _ = write!(out, "<title>{}</title>", escape(label));
        }
        out.push_str("</path>");
        if let Some(label) = &e.label {
            // Error labels start beside their source box, above the line that leaves it.
            let skips = !looping && layout.layer[e.to] > layout.layer[e.from] + 1;
            let (class, anchor) = match (e.error, skips) {
                (true, _) => ("edge-label error", "start"),
                (false, true) => ("edge-label", "start"),
                (false, false) => ("edge-label", "middle"),
            };
            let _ = write!(
                labels,
                "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
                mid.0,
                mid.1 + 4,
                escape(&truncate(label, MAX_LABEL))
            );
        }
    }
    for (v, step) in steps.iter().enumerate() {
        let (x, y, h) = pos[v];
        step_box(&mut out, step, x, y, h);
    }
    // Labels last, over the lines they name.
    out.push_str(&labels);
    out.push_str("</svg>");
    out
}

fn branch_rows(step: &FlowStep) -> u32 {
    let n = step.branches.len();
    (n.min(MAX_BRANCHES) + usize::from(n > MAX_BRANCHES)) as u32
}

fn step_box(out: &mut String, step: &FlowStep, x: u32, y: u32, h: u32) {
    let mut class = "node step".to_string();
    if step.critical {
        class.push_str(" critical");
    }
    if step.waits {
        class.push_str(" waits");
    }
    match &step.link.href {
        Some(href) => {
            let _ = write!(out, "<a href=\"{}\">", escape(href));
        }
        None => out.push_str("<g>"),
    }
    let _ = write!(
        out,
        "<title>{}</title><rect class=\"{class}\" x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{h}\" rx=\"6\"/>",
        escape(&step.link.name)
    );
    let badges: String = [step.retries.as_ref().map(|r| format!("↻ {r}")), step.waits.then(|| "waits".to_string())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let _ = write!(
        out,
        "<text class=\"name\" x=\"{}\" y=\"{}\">{}</text>",
        x + 8,
        y + 16,
        escape(&truncate(&step.link.name, 26))
    );
    // The badge is drawn at the right edge of the same line; leave it room, counted as drawn
    // (" · " between its parts) and with a margin, since the font is proportional.
    let sub_room = 26usize.saturating_sub(badges.chars().count() + 4);
    let _ = write!(
        out,
        "<text class=\"sub\" x=\"{}\" y=\"{}\">{}</text>",
        x + 8,
        y + 32,
        escape(&truncate(&step.sub, sub_room))
    );
    if let Some(r) = &step.retries {
        let _ = write!(
            out,
            "<text class=\"badge-retry\" x=\"{}\" y=\"{}\" text-anchor=\"end\">↻ {}{}</text>",
            x + BOX_W - 8,
            y + 32,
            escape(r),
            if step.waits { " · waits" } else { "" }
        );
    } else if step.waits {
        let _ = write!(
            out,
            "<text class=\"badge-wait\" x=\"{}\" y=\"{}\" text-anchor=\"end\">waits</text>",
            x + BOX_W - 8,
            y + 32
        );
    }
    out.push_str(if step.link.href.is_some() { "</a>" } else { "</g>" });
    // Branches are links of their own, drawn after (on top of) the step's link.
    let mut by = y + BOX_H;
    for b in step.branches.iter().take(MAX_BRANCHES) {
        let label = b.name.rsplit(" › ").next().unwrap_or(&b.name);
        if let Some(href) = &b.href {
            let _ = write!(out, "<a href=\"{}\">", escape(href));
        } else {
            out.push_str("<g>");
        }
        let _ = write!(
            out,
            "<title>{}</title><rect class=\"node branch\" x=\"{}\" y=\"{by}\" width=\"{}\" height=\"{}\" rx=\"3\"/><text class=\"sub\" x=\"{}\" y=\"{}\">↳ {}</text>",
            escape(&b.name),
            x + 8,
            BOX_W - 16,
            BRANCH_H - 4,
            x + 14,
            by + 13,
            escape(&truncate(label, 26))
        );
        out.push_str(if b.href.is_some() { "</a>" } else { "</g>" });
        by += BRANCH_H;
    }
    if step.branches.len() > MAX_BRANCHES {
        let _ = write!(
            out,
            "<text class=\"more\" x=\"{}\" y=\"{}\">+{} more branches</text>",
            x + 14,
            by + 13,
            step.branches.len() - MAX_BRANCHES
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_follow_the_longest_path_and_loops_go_back() {
        // 0 -> 1 -> 2 -> 3, 0 -> 3 (a shortcut), 3 -> 1 (a loop), 4 reached by nothing.
        let edges = [(0, 1), (1, 2), (2, 3), (0, 3), (3, 1)];
        let l = layout(5, &[0], &edges);
        assert_eq!(l.layer, vec![0, 1, 2, 3, 0]);
        assert_eq!(l.back, BTreeSet::from([4]));
        assert_eq!(l.order, vec![0, 4, 1, 2, 3]);
    }

    #[test]
    fn a_wide_layer_wraps() {
        let step = |i: usize| FlowStep {
            link: NodeLink {
                id: format!("step:s{i}"),
                name: format!("s{i}"),
                kind: "step",
                href: Some(format!("s{i}.html")),
                external: false,
            },
            sub: String::new(),
            retries: None,
            waits: false,
            critical: false,
            branches: Vec::new(),
        };
        let steps: Vec<FlowStep> = (0..12).map(step).collect();
        let svg = draw("wide", &steps, &[], &layout(12, &[], &[]));
        let width: u32 = svg.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
        assert!(width < (MAX_ROW as u32 + 1) * (BOX_W + GAP_X) + LOOP_ROOM + 2 * MARGIN, "{width}");
        assert_eq!(svg.matches("<a href=").count(), 12);
    }

    #[test]
    fn a_cycle_with_no_start_still_lays_out() {
        let l = layout(3, &[], &[(0, 1), (1, 2), (2, 0)]);
        assert_eq!(l.layer, vec![0, 1, 2]);
        assert_eq!(l.back.len(), 1);
    }
}
