//! The extractor on small inline manifests, one rule each.

use super::*;

fn read(text: &str) -> Extracted {
    extract("k8s.yaml", text)
}

const SHOP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  CACHE_URL: redis://cache:6379
  GREETING: hello world
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: checkout
  labels:
    team: payments
  annotations:
    description: Takes the money.
spec:
  selector:
    matchLabels: {app: checkout-pods}
  template:
    metadata:
      labels:
        app: checkout-pods
    spec:
      containers:
      - name: main
        image: shop/checkout:1.2
        env:
        - name: CART_SERVICE_ADDR
          value: "cartservice:7070"
        - name: API
          value: http://api.ns.svc.cluster.local:8080/v1
        - name: REDIS_HOST
          value: redis-master
        - name: MODE
          value: production
        - name: LOG_LEVEL
          value: info
        - name: SELF
          value: checkout:80
        envFrom:
        - configMapRef:
            name: shop-config
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
          periodSeconds: 5
          failureThreshold: 2
        startupProbe:
          grpc:
            port: 9000
---
apiVersion: v1
kind: Service
metadata:
  name: checkout-svc
spec:
  selector:
    app: checkout-pods
  ports:
  - port: 80
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /pay
        pathType: Prefix
        backend:
          service:
            name: checkout-svc
            port: {number: 80}
"#;

#[test]
fn claims_only_the_kinds_it_reads() {
    assert!(claims(SHOP));
    assert!(claims("apiVersion: batch/v1\nkind: \"CronJob\"\n"));
    assert!(!claims("apiVersion: v1\nkind: ServiceAccount\n"));
    assert!(!claims("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"));
    assert!(!claims("kind: Deployment\n"));
    assert!(!claims("services:\n  web:\n    image: x\n"));
}

#[test]
fn every_env_form_names_its_service() {
    let x = read(SHOP);
    assert!(problems(&x).is_empty(), "{:#?}", x.diagnostics);
    let e = edge(&x, "checkout", "cartservice");
    assert_eq!((e.from.kind, e.to.kind), (Some(NodeKind::Service), Some(NodeKind::Service)));
    assert_eq!((e.kind, e.resolve), (EdgeKind::DependsOn, Resolve::IfKnown));
    assert_eq!(e.detail.as_deref(), Some("env CART_SERVICE_ADDR"));
    assert_eq!(e.source.line, 30);
    let e = edge(&x, "checkout", "api");
    assert_eq!(e.resolve, Resolve::External);
    assert_eq!(e.detail.as_deref(), Some("env API"));
    assert_eq!(edge(&x, "checkout", "redis-master").resolve, Resolve::IfKnown);
    // From the ConfigMap, at the ConfigMap's line.
    let e = edge(&x, "checkout", "cache");
    assert_eq!((e.detail.as_deref(), e.source.line), (Some("env CACHE_URL"), 6));
    assert_eq!(
        pairs(&x),
        [
            ("checkout", "api"),
            ("checkout", "cache"),
            ("checkout", "cartservice"),
            ("checkout", "redis-master"),
            ("checkout-svc", "checkout"),
            ("shop", "checkout-svc"),
        ]
    );
}

#[test]
fn a_service_selecting_a_differently_named_workload_reaches_it() {
    let x = read(SHOP);
    assert_eq!(names(&x, NodeKind::Service), ["checkout", "checkout-svc"]);
    let e = edge(&x, "checkout-svc", "checkout");
    assert_eq!(e.detail.as_deref(), Some("selector app=checkout-pods"));
    assert_eq!(e.resolve, Resolve::IfKnown);
    // Split over files, the `app` value names the workload.
    let x = read("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web-server\n");
    let e = edge(&x, "web", "web-server");
    assert_eq!((e.detail.as_deref(), e.source.line), (Some("selector app=web-server"), 7));
}

#[test]
fn ingress_is_an_api_routing_to_its_backends() {
    let x = read(SHOP);
    assert_eq!(names(&x, NodeKind::Api), ["shop"]);
    let e = edge(&x, "shop", "checkout-svc");
    assert_eq!((e.from.kind, e.resolve), (Some(NodeKind::Api), Resolve::External));
    assert_eq!(e.detail.as_deref(), Some("shop.example.com/pay"));
}

#[test]
fn workload_attributes_probes_and_restart() {
    let x = read(SHOP);
    let n = x.node(NodeKind::Service, "checkout");
    assert_eq!(n.source.line, 12);
    assert_eq!(n.attrs.description.as_deref(), Some("Takes the money."));
    assert_eq!(n.attrs.owner.as_ref().unwrap().value, "payments");
    assert_eq!(n.attrs.image.as_ref().unwrap().value, "shop/checkout:1.2");
    let hc = &n.attrs.health_checks;
    assert_eq!(hc.len(), 2);
    assert_eq!((hc[0].kind.as_str(), hc[0].test.as_str()), ("readiness probe", "GET /healthz:8080"));
    assert_eq!(
        (hc[0].interval_ms, hc[0].timeout_ms, hc[0].retries, hc[0].start_period_ms),
        (Some(5_000), Some(1_000), Some(2), Some(0))
    );
    assert_eq!((hc[1].kind.as_str(), hc[1].test.as_str()), ("startup probe", "grpc :9000"));
    let r = n.attrs.restart.as_ref().unwrap();
    assert_eq!((r.condition.as_str(), r.max_attempts), ("Always", None));
}

#[test]
fn job_limits_become_a_retry_a_timeout_and_a_deadline() {
    let x = read(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  backoffLimit: 2\n  activeDeadlineSeconds: 600\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n      - name: m\n        image: shop/migrate\n        env:\n        - name: DATABASE_URL\n          value: postgres://u:p@db:5432/shop\n",
    );
    let n = x.node(NodeKind::Step, "migrate");
    assert_eq!(n.attrs.activity.as_ref().unwrap().value, "job shop/migrate");
    let r = &n.attrs.retries[0];
    assert_eq!((r.max_attempts.known(), r.source.line), (Some(Some(3)), 6));
    assert_eq!(r.factor.known(), Some(2.0));
    let t = &n.attrs.timeouts[0];
    assert_eq!(
        (t.library.as_str(), t.ms.known(), t.source.line),
        ("kubernetes activeDeadlineSeconds", Some(600_000), 7)
    );
    assert_eq!(n.attrs.deadline.as_ref().unwrap().value.known(), Some(600_000));
    let e = edge(&x, "migrate", "db");
    assert_eq!(e.from.kind, Some(NodeKind::Step));
    assert_eq!(n.attrs.restart.as_ref().unwrap().condition, "OnFailure");
}

#[test]
fn config_map_key_refs_and_cluster_pod_names() {
    let x = read(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  upstream: orders:8080\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: x\n    image: x\n    env:\n    - name: UPSTREAM\n      valueFrom:\n        configMapKeyRef: {name: c, key: upstream}\n    - name: SEEDS\n      value: db-0.db.prod.svc.cluster.local\n",
    );
    assert_eq!(pairs(&x), [("p", "db"), ("p", "orders")]);
    assert_eq!(edge(&x, "p", "db").resolve, Resolve::External);
    assert_eq!(edge(&x, "p", "orders").source.line, 6);
}

#[test]
fn a_helm_template_is_skipped_with_one_info() {
    let x = read(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n{{ include \"x.labels\" . | indent 4 }}\n",
    );
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    let d = &x.diagnostics[0];
    assert_eq!((d.code.as_str(), d.severity, d.source.line), ("skipped-file", Severity::Info, 1));
}

#[test]
fn a_helm_template_that_parses_is_skipped_too() {
    let x = read("apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{{ .Release.Name }}-web\"\n");
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!(x.diagnostics[0].code, "skipped-file");
    // Go templates inside a ConfigMap's data (alert text) are not Helm.
    let x =
        read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  msg: \"{{ $labels.instance }} down\"\n");
    assert_eq!(x, Extracted::default());
}

#[test]
fn a_broken_manifest_is_a_parse_error_at_its_line() {
    let x = read("apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n");
    assert!(x.facts.nodes.is_empty());
    assert_eq!(x.diagnostics.len(), 1);
    assert_eq!(x.diagnostics[0].code, "parse-error");
    assert!(x.diagnostics[0].source.line >= 4, "{:?}", x.diagnostics[0]);
}

#[test]
fn kustomization_and_other_kinds_give_nothing() {
    let x = read("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- a.yaml\n");
    assert_eq!(x, Extracted::default());
}

#[test]
fn host_rules_for_env_values() {
    use crate::extract::k8s::pod::hosts;
    let h = |k: &str, v: &str| hosts(k, v);
    assert_eq!(h("X", "cartservice:7070"), [("cartservice".to_string(), Resolve::IfKnown)]);
    assert_eq!(h("X", "http://api.ns.svc.cluster.local:8080"), [("api".to_string(), Resolve::External)]);
    assert_eq!(h("X", "api.ns.svc"), [("api".to_string(), Resolve::External)]);
    assert_eq!(h("X", "redis://cache:6379"), [("cache".to_string(), Resolve::IfKnown)]);
    assert_eq!(h("ORDERS_HOST", "orders.prod"), [("orders".to_string(), Resolve::IfKnown)]);
    assert_eq!(h("REDIS_MASTER", "redis-master"), [("redis-master".to_string(), Resolve::IfKnown)]);
    // A bare word needs a key that says it is a host.
    assert!(h("GET_HOSTS_FROM", "dns").is_empty());
    assert!(h("LOG_LEVEL", "info").is_empty());
    assert!(h("DB_HOST", "localhost").is_empty());
    assert!(h("LD_LIBRARY_PATH", "/usr/lib:/usr/local/lib").is_empty());
}
