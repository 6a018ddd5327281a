//! The XSS payload corpus and a tree that carries every payload in every field of every
//! format. Shared by the hostile suite (the book's HTML read as text) and tests/browser.rs
//! (every page opened in Chromium).

use serde_json::json;

use crate::tree::Tree;

/// Payloads a third party could put in a name, a description or a URL.
pub const PAYLOADS: &[&str] = &[
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
    // Markers rather than dialogs: a browser test sees `window.__xss` set.
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg onload=window.__xss=2>",
];

/// A YAML (and JSON) double-quoted scalar.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One file of each format per payload, the payload in every field the format has.
pub fn hostile_tree() -> Tree {
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
