//! Timeouts and HTTP requests found in code: `tokio::time::timeout`, reqwest client and
//! request timeouts, tower's `ServiceBuilder::timeout` and `TimeoutLayer`, and reqwest's
//! HTTP verbs.

use syn::Expr;

use super::chain::{Chain, Root, crate_type_fn};
use super::eval::Env;
use crate::extract::{HttpCall, Origin, TimeoutFact};

const VERBS: &[&str] = &["get", "post", "put", "patch", "delete", "head"];

/// A timeout and whether it is set on a reqwest client, which then bounds every request
/// that client makes rather than one call.
pub struct Timeout {
    pub fact: TimeoutFact,
    pub on_client: bool,
}

/// `tokio::time::timeout(d, fut)` (any import form), `async_std::future::timeout` and
/// `TimeoutLayer::new(d)` of tower or tower-http.
pub fn timeout_call(env: &Env, path: &[String], call: &Expr, args: &[&Expr], scope: usize) -> Option<Timeout> {
    let n = path.len();
    let library = match (path.first()?.as_str(), path.get(n.wrapping_sub(2)).map(String::as_str), path.last()?.as_str())
    {
        ("tokio", _, "timeout") => "tokio::time::timeout",
        ("async_std", _, "timeout") => "async_std::future::timeout",
        ("tower", Some("TimeoutLayer"), "new") => "tower::timeout::TimeoutLayer",
        // tower-http answers 408 instead of failing, but it still ends the attempt.
        ("tower_http", Some("TimeoutLayer"), "new") => "tower_http::timeout::TimeoutLayer",
        _ => return None,
    };
    let d = args.first()?;
    let fact = TimeoutFact {
        source: env.at(call),
        origin: Origin::Code,
        library: library.into(),
        text: env.text(call),
        ms: env.ms(d, scope),
    };
    Some(Timeout { fact, on_client: false })
}

/// `.timeout(d)` on a reqwest `ClientBuilder`, on a request (`client.get(url).timeout(d)`),
/// or on a tower `ServiceBuilder`. `connect_timeout` and `read_timeout` bound one phase of
/// an attempt, not the attempt, so they are not recorded.
pub fn timeout_method(env: &Env, whole: &Expr, m: &syn::ExprMethodCall, scope: usize) -> Option<Timeout> {
    if m.method != "timeout" || m.args.len() != 1 {
        return None;
    }
    let chain = env.chain(whole, scope);
    let last = chain.methods.len();
    let before = &chain.methods[..last.saturating_sub(1)];
    let (library, on_client) = if is_client_builder(&chain) {
        ("reqwest::ClientBuilder::timeout", true)
    } else if before.iter().any(|x| is_verb(&x.name, x.args.len())) {
        ("reqwest::RequestBuilder::timeout", false)
    } else if root_is(&chain, "tower", "ServiceBuilder") {
        ("tower::ServiceBuilder::timeout", false)
    } else {
        return None;
    };
    let fact = TimeoutFact {
        source: env.snip.at(m.method.span()),
        origin: Origin::Code,
        library: library.into(),
        text: env.chain_text(&chain, last),
        ms: env.ms(&m.args[0], scope),
    };
    Some(Timeout { fact, on_client })
}

fn root_is(chain: &Chain, krate: &str, ty: &str) -> bool {
    let Root::Call { path: Some(path), .. } = &chain.root else { return false };
    crate_type_fn(path).is_some_and(|(c, t, _)| c == krate && t == ty)
}

/// `Client::builder()`, `ClientBuilder::new()`, also under `reqwest::blocking`.
fn is_client_builder(chain: &Chain) -> bool {
    let Root::Call { path: Some(path), .. } = &chain.root else { return false };
    matches!(
        crate_type_fn(path),
        Some(("reqwest", "Client", "builder") | ("reqwest", "ClientBuilder", "new" | "default"))
    )
}

fn is_verb(name: &str, args: usize) -> bool {
    (VERBS.contains(&name) && args == 1) || (name == "request" && args == 2)
}

/// `reqwest::get(url)` and `reqwest::blocking::get(url)`.
pub fn http_function(env: &Env, path: &[String], call: &Expr, args: &[&Expr]) -> Option<HttpCall> {
    match (path.first()?.as_str(), path.last()?.as_str(), args) {
        ("reqwest", "get", [url]) => {
            Some(HttpCall { source: env.at(call), method: "GET".into(), target: env.text(url) })
        }
        _ => None,
    }
}

/// A request chain ending in `.send()`: the last verb before it (`.post(url)`,
/// `.request(Method::PUT, url)`) is the request. Requiring `send` keeps `map.get(k)` out.
pub fn http_send(env: &Env, whole: &Expr, m: &syn::ExprMethodCall, scope: usize) -> Option<HttpCall> {
    if m.method != "send" || !m.args.is_empty() {
        return None;
    }
    let chain = env.chain(whole, scope);
    let verb = chain.methods.iter().rev().find(|x| is_verb(&x.name, x.args.len()))?;
    let source = env.snip.at(verb.name_span);
    if verb.name == "request" {
        let method = match verb.args[0] {
            Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).filter(|s| is_upper_word(s)),
            _ => None,
        };
        let method = method.unwrap_or_else(|| env.text(verb.args[0]));
        return Some(HttpCall { source, method, target: env.text(verb.args[1]) });
    }
    Some(HttpCall { source, method: verb.name.to_uppercase(), target: env.text(verb.args[0]) })
}

fn is_upper_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_uppercase())
}
