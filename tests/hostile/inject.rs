//! XSS payloads in every field of every format: the book shows them as text and runs none.

use serde_json::{Value, json};

use crate::book::assert_safe;
use crate::payloads::{PAYLOADS, hostile_tree};
use crate::tree::{Tree, assert_good_step_documented};

/// The payloads that are only safe escaped: none may appear verbatim in a page.
fn raw() -> Vec<&'static str> {
    PAYLOADS.iter().copied().filter(|p| p.contains('<') || p.contains('"')).collect()
}

/// Every string in a JSON value.
fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            strings(x, out)
        }),
        _ => {}
    }
}

#[test]
fn no_payload_in_any_field_of_any_format_runs_in_the_book() {
    let t = hostile_tree();
    let output = t.build(&[]);
    assert!(output.status.success(), "{}", crate::common::stderr(&output));
    assert_good_step_documented(&t);
    assert_safe(&t.book(), &raw());

    // The payloads did reach the book: graph.json keeps them as data, and every file of
    // every format gave nodes.
    let g = t.graph();
    let mut all = Vec::new();
    strings(&g, &mut all);
    for p in PAYLOADS {
        assert!(all.iter().any(|s| s.contains(p)), "graph.json lost {p:?}");
    }
    let files: Vec<&str> = g["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["sources"].as_array().unwrap())
        .filter_map(|s| s["file"].as_str())
        .collect();
    for (i, _) in PAYLOADS.iter().enumerate() {
        for f in [
            format!("rust/src/p{i}.rs"),
            format!("compose{i}/docker-compose.yml"),
            format!("flows/p{i}.asl.json"),
            format!("argo/p{i}.yaml"),
            format!(".github/workflows/p{i}.yml"),
            format!("bpmn/p{i}.bpmn"),
            format!("k8s/p{i}.yaml"),
            format!("catalog/p{i}/catalog-info.yaml"),
            format!("rules/p{i}.yaml"),
        ] {
            assert!(files.contains(&f.as_str()), "no node from {f}");
        }
    }
    assert!(files.iter().any(|f| f.starts_with("named/src/\"><img")), "{files:?}");
    // A payload shown as text is still readable on its page.
    let page = crate::common::read(&t.book(), "index.html");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the payload is not shown as text");
}

#[test]
fn a_state_named_like_a_path_is_a_page_inside_the_book() {
    let t = Tree::new();
    let asl = json!({
        "StartAt": "../../etc/x",
        "States": { "../../etc/x": { "Type": "Pass", "Next": "/tmp/abs" }, "/tmp/abs": { "Type": "Succeed" } }
    });
    t.write("flows/escape.asl.json", asl.to_string());
    t.write(
        "docker-compose.yml",
        "services:\n  \"../../../outside\":\n    image: x\n  \"..\\\\..\\\\win\":\n    image: y\n",
    );
    let output = t.build(&[]);
    assert!(output.status.success(), "{}", crate::common::stderr(&output));
    let g = t.graph();
    for n in g["nodes"].as_array().unwrap() {
        let page = n["page"].as_str().unwrap_or("");
        assert!(!page.contains("..") && !page.starts_with('/') && !page.contains('\\'), "{page}");
        if !page.is_empty() {
            assert!(t.book().join(page).is_file(), "{page} is not in the book");
        }
    }
    let step = g["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "../../etc/x").expect("the state is a node");
    assert!(step["page"].as_str().unwrap().starts_with("steps/"), "{step}");
    // Nothing was written beside the book.
    let beside: Vec<_> = std::fs::read_dir(t.dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
    assert!(!t.dir.path().join("outside.html").exists());
}
