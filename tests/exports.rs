//! `opsbook graph` and `opsbook build --format markdown` end to end on the shop fixture.

mod common;

use common::*;

fn graph_output(format: &str) -> String {
    let output = opsbook().args(["graph", "--format", format]).arg(fixture("shop")).output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn graph_formats_carry_the_same_nodes_and_edges() {
    let json: serde_json::Value = serde_json::from_str(&graph_output("json")).unwrap();
    assert_eq!(json["schema"], "opsbook.graph/v1");
    assert!(has_edge(&json, "step:book-shipment", "resource:warehouse-api", "depends_on"));

    let dot = graph_output("dot");
    assert!(dot.starts_with("digraph opsbook {"), "{dot}");
    assert!(dot.contains("\"step:book-shipment\" -> \"resource:warehouse-api\" [label=\"depends_on\"];"), "{dot}");
    // The step with an error finding (retried, not idempotent) is outlined in red.
    let line = dot.lines().find(|l| l.trim_start().starts_with("\"step:book-shipment\" [")).unwrap();
    assert!(line.contains("color=\"#c0392b\"") && line.contains("URL=\"steps/book-shipment.html\""), "{line}");
    assert_eq!(
        dot.matches(" -> ").count(),
        json["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["from"].to_string(), e["to"].to_string(), e["kind"].to_string()))
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        "one DOT edge per distinct graph.json edge"
    );

    let mermaid = graph_output("mermaid");
    assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
    assert!(mermaid.contains("[\"book_shipment<br/><small>step</small>\"]"), "{mermaid}");
    assert!(mermaid.contains("class ") && mermaid.contains(" failing\n"), "{mermaid}");
}

#[test]
fn markdown_book_has_relative_links_and_the_facts() {
    let out = tempfile::tempdir().unwrap();
    let book = out.path().join("docs");
    let output = opsbook()
        .args(["build", "--format", "markdown"])
        .arg(fixture("shop"))
        .arg("--out")
        .arg(&book)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(!book.join("index.html").exists(), "no HTML in a Markdown book");
    let index = read(&book, "index.md");
    assert!(index.contains("- [book\\_shipment](steps/book-shipment.md)"), "{index}");
    assert!(index.contains("[failure points](failure-points.md)"), "{index}");
    let step = read(&book, "steps/book-shipment.md");
    assert!(step.starts_with("# book\\_shipment\n"), "{step}");
    assert!(
        step.contains("## Links from here\n\n- [warehouse-api](../resources/warehouse-api.md) (depends_on)"),
        "{step}"
    );
    assert!(step.contains("- [fulfilment](../workflows/fulfilment.md) (contains)"), "{step}");
    assert!(step.contains("5 attempts over at most 21.5 s"), "{step}");
    assert!(step.contains("**error** `retry-without-idempotency` at `worker/src/sync.rs:31`"), "{step}");
    // Every relative link resolves to a page the book has.
    for page in ["index.md", "steps/book-shipment.md", "failure-points.md"] {
        let text = read(&book, page);
        let dir = book.join(page).parent().unwrap().to_path_buf();
        for link in text.split("](").skip(1).filter_map(|s| s.split(')').next()) {
            if link.ends_with(".md") {
                assert!(dir.join(link).exists(), "{page} links to missing {link}");
            }
        }
    }
    // A rebuild replaces it like the HTML book: the folder carries opsbook's marker.
    assert!(book.join(".opsbook-book").exists());
}
