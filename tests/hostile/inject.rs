//! XSS payloads in every field of every format: the book shows them as text and runs none.

use serde_json::{Value, json};

use crate::book::assert_safe;
use crate::tree::{Tree, assert_good_step_documented};

/// Payloads a third party could put in a name, a description or a URL.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<svg><foreignObject><iframe src=javascript:alert(1)></iframe></foreignObject></svg>",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "x\u{2028}y\u{2029}z",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
];

/// The payloads that are only safe escaped: none may appear verbatim in a page.
fn raw() -> Vec<&'static str> {
    PAYLOADS.iter().copied().filter(|p| p.contains('<') || p.contains('"')).collect()
}

/// A YAML (and JSON) double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One file of each format per payload, the payload in every field the format has.
fn hostile_tree() -> Tree {
    let t = Tree::new();
    let mut owners = String::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let doc: String = [
            &format!("{p} summary with [a link]({p}) and <b>{p}</b>"),
            "",
            "# Operations",
            &format!("- workflow: wf{i} {p}"),
            &format!("- step: step{i} {p}"),
            &format!("- service: svc{i} {p}"),
            &format!("- depends-on: dep{i} {p}"),
            &format!("- side-effects: {p}"),
            "- idempotent: no",
            "- retry: attempts=3 initial=1s",
            "- timeout: 10s",
            &format!("- owner: team{i} {p}"),
            &format!("- alerts: alert{i} {p}"),
            &format!("- dashboard: {p}"),
            &format!("- runbook: {p}"),
            &format!("- {p}: unknown key"),
            "",
            "# Failure modes",
            &format!("- {p}"),
            "",
            "# Recovery",
            &format!("1. {p} [run]({p})"),
        ]
        .iter()
        .map(|l| format!("/// {l}\n"))
        .collect();
        t.write(&format!("rust/src/p{i}.rs"), format!("{doc}pub async fn push{i}() {{}}\n"));

        t.write(
            &format!("compose{i}/docker-compose.yml"),
            format!(
                "services:\n  {svc}:\n    image: {p}\n    depends_on: [{dep}]\n    environment:\n      URL: {url}\n    healthcheck:\n      test: [\"CMD\", {p}]\n",
                svc = q(&format!("c{i} {p}")),
                dep = q(&format!("db{i} {p}")),
                url = q(&format!("http://x{i}:80/{p}")),
                p = q(p),
            ),
        );

        let s1 = format!("s{i} {p}");
        let f1 = format!("f{i} {p}");
        let asl = json!({
            "Comment": p, "StartAt": s1,
            "States": {
                s1.clone(): {
                    "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Comment": p,
                    "Parameters": { "FunctionName": p },
                    "Retry": [{ "ErrorEquals": [p], "MaxAttempts": 2 }],
                    "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": f1 }],
                    "Next": f1
                },
                f1.clone(): { "Type": "Fail", "Error": p, "Cause": p }
            }
        });
        t.write(&format!("flows/p{i}.asl.json"), serde_json::to_string_pretty(&asl).unwrap());

        t.write(
            &format!("argo/p{i}.yaml"),
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: {name}\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      dag:\n        tasks:\n          - name: {task}\n            template: c\n    - name: c\n      container:\n        image: {p}\n",
                name = q(&format!("argo{i} {p}")),
                task = q(&format!("t{i} {p}")),
                p = q(p),
            ),
        );

        t.write(
            &format!(".github/workflows/p{i}.yml"),
            format!(
                "name: {p}\non: push\njobs:\n  {job}:\n    name: {p}\n    runs-on: ubuntu-24.04\n    environment: {p}\n    steps:\n      - run: {p}\n  after{i}:\n    needs: [{job}]\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n",
                job = q(&format!("job{i} {p}")),
                p = q(p),
            ),
        );

        t.write(
            &format!("bpmn/p{i}.bpmn"),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d{i}">
  <bpmn:process id="proc{i}" name="{n}">
    <bpmn:documentation>{p}</bpmn:documentation>
    <bpmn:startEvent id="start" name="{p}" />
    <bpmn:sequenceFlow id="f1" name="{p}" sourceRef="start" targetRef="task" />
    <bpmn:serviceTask id="task" name="{task}" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" />
    <bpmn:endEvent id="end" name="{p}" />
  </bpmn:process>
</bpmn:definitions>
"#,
                n = xml(&format!("proc{i} {p}")),
                task = xml(&format!("task{i} {p}")),
                p = xml(p),
            ),
        );

        t.write(
            &format!("k8s/p{i}.yaml"),
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {p}\n  annotations:\n    note: {p}\nspec:\n  selector:\n    matchLabels:\n      app: {app}\n  template:\n    metadata:\n      labels:\n        app: {app}\n    spec:\n      containers:\n        - name: main\n          image: {p}\n          env:\n            - name: PEER_ADDR\n              value: {peer}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector:\n    app: {app}\n",
                name = q(&format!("k{i} {p}")),
                app = q(&format!("app{i} {p}")),
                peer = q(&format!("peer{i}:80")),
                p = q(p),
            ),
        );

        t.write(
            &format!("catalog/p{i}/catalog-info.yaml"),
            format!(
                "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n  description: {desc}\n  annotations:\n    pagerduty.com/service-id: {p}\n    backstage.io/techdocs-ref: {p}\n  links:\n    - url: {p}\n      title: {p}\n    - url: javascript:alert(1)\n      title: click\nspec:\n  type: service\n  lifecycle: production\n  owner: {owner}\n  dependsOn: [{dep}]\n",
                name = q(&format!("comp{i} {p}")),
                desc = q(&format!("{p} described with [a link]({p})")),
                owner = q(&format!("group:default/g{i} {p}")),
                dep = q(&format!("resource:default/r{i} {p}")),
                p = q(p),
            ),
        );

        t.write(
            &format!("rules/p{i}.yaml"),
            format!(
                "groups:\n  - name: {p}\n    rules:\n      - alert: {alert}\n        expr: {expr}\n        for: 1m\n        labels:\n          severity: {p}\n          team: {p}\n        annotations:\n          summary: {p}\n          description: {p}\n          runbook_url: {p}\n",
                alert = q(&format!("A{i} {p}")),
                expr = q(&format!("up{{job={}}} == 0", q(&format!("c{i} {p}")))),
                p = q(p),
            ),
        );

        let team: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        owners.push_str(&format!("/rust/src/p{i}.rs @org/{team} {team}@example.com\n"));
    }
    // Payloads in file names: they reach every `file:line` and every source link.
    for (i, p) in PAYLOADS.iter().filter(|p| !p.contains('/')).enumerate() {
        t.write(
            &format!("named/src/{p}.rs"),
            format!("/// Named.\n///\n/// # Operations\n/// - timeout: 1s\npub fn named{i}() {{}}\n"),
        );
    }
    t.write("opsbook.toml", "source_url = \"https://git.example.com/shop/blob/main/{file}#L{line}\"\n");
    t.write("CODEOWNERS", owners);
    t.write("Cargo.toml", format!("[package]\nname = \"hostile\"\ndescription = {}\n", q(PAYLOADS[0])));
    t
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
