//! `opsbook serve`: `watch` plus a local HTTP server with live reload and an error overlay.
//!
//! Files are served from the output folder as they are written, never from anywhere else.
//! HTML responses get one `<script src="/__opsbook/livereload.js">` before `</body>`: an
//! external script, which the book's Content-Security-Policy (`script-src 'self'`) allows
//! over HTTP; the book on disk stays free of it. The script listens to Server-Sent Events
//! at `/__opsbook/events`: `reload` after a rebuild that changed the book, `broken` with the
//! diagnostics while the tree does not build, `ok` when it builds again.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast;

use crate::cmd::Outcome;
use crate::cmd::report;
use crate::cmd::watch::{Status, Watcher};

/// The script every served HTML page loads.
pub const LIVERELOAD_PATH: &str = "/__opsbook/livereload.js";
const EVENTS_PATH: &str = "/__opsbook/events";
const LIVERELOAD_JS: &str = include_str!("livereload.js");

#[derive(Clone, Debug)]
pub struct ServeArgs {
    pub dir: PathBuf,
    pub out: Option<PathBuf>,
    pub port: u16,
    pub bind: IpAddr,
}

/// What the browser is told.
#[derive(Clone, Debug)]
enum Message {
    Reload,
    Broken(String),
    Ok,
    Shutdown,
}

struct Shared {
    out: PathBuf,
    /// The diagnostics while the tree does not build, for pages opened meanwhile.
    broken: Mutex<Option<String>>,
    tx: broadcast::Sender<Message>,
}

pub fn run(args: &ServeArgs) -> Result<Outcome> {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the HTTP server")?;
    let addr = SocketAddr::new(args.bind, args.port);
    // Bind before building: a port in use is reported at once.
    let listener = runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::anyhow!("cannot serve on {addr}: the port is in use; choose another with --port")
        } else {
            anyhow::Error::new(e).context(format!("cannot serve on {addr}"))
        }
    })?;
    let local = listener.local_addr().context("cannot read the server's address")?;

    let watcher = Watcher::start(&args.dir, args.out.as_deref())?;
    let (tx, _) = broadcast::channel(16);
    let shared = Arc::new(Shared {
        out: watcher.session().out.clone(),
        broken: Mutex::new(broken_message(&watcher.status())),
        tx: tx.clone(),
    });
    {
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            let result = watcher.run(|status| {
                let broken = broken_message(status);
                *shared.broken.lock().unwrap_or_else(|p| p.into_inner()) = broken.clone();
                let written = match status {
                    Status::Built { written } | Status::Broken { written, .. } => *written,
                };
                let message = match broken {
                    _ if written > 0 => Message::Reload,
                    Some(text) => Message::Broken(text),
                    None => Message::Ok,
                };
                let _ = shared.tx.send(message);
            });
            if let Err(e) = result {
                report::eprint(&format!("error: {e:#}\n"));
            }
        });
    }
    if args.bind.is_unspecified() || !args.bind.is_loopback() {
        report::eprint(&format!("warning: serving on {}: other machines can read the book\n", args.bind));
    }
    report::eprint(&format!("Serving the book at http://{local}/ (Ctrl-C stops)\n"));

    let app = Router::new()
        .route(LIVERELOAD_PATH, get(livereload))
        .route(EVENTS_PATH, get(events))
        .fallback(file)
        .with_state(Arc::clone(&shared));
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        // Ends the event streams, which would otherwise keep the server open.
        let _ = tx.send(Message::Shutdown);
    };
    runtime
        .block_on(axum::serve(listener, app).with_graceful_shutdown(shutdown).into_future())
        .context("the HTTP server failed")?;
    report::eprint("Stopped.\n");
    Ok(Outcome::Success)
}

fn broken_message(status: &Status) -> Option<String> {
    match status {
        Status::Broken { message, .. } => Some(message.replace('\r', "")),
        Status::Built { .. } => None,
    }
}

async fn livereload() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], LIVERELOAD_JS)
        .into_response()
}

async fn events(State(shared): State<Arc<Shared>>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = shared.tx.subscribe();
    let first = match shared.broken.lock().unwrap_or_else(|p| p.into_inner()).clone() {
        Some(text) => Event::default().event("broken").data(text),
        None => Event::default().event("ok").data("ok"),
    };
    let rest = stream::unfold(rx, |mut rx| async move {
        let event = match rx.recv().await {
            Ok(Message::Shutdown) | Err(broadcast::error::RecvError::Closed) => return None,
            Err(broadcast::error::RecvError::Lagged(_)) | Ok(Message::Reload) => {
                Event::default().event("reload").data("reload")
            }
            Ok(Message::Broken(text)) => Event::default().event("broken").data(text),
            Ok(Message::Ok) => Event::default().event("ok").data("ok"),
        };
        Some((Ok(event), rx))
    });
    Sse::new(stream::once(async move { Ok(first) }).chain(rest)).keep_alive(KeepAlive::default())
}

/// A file of the book; HTML gets the live-reload script.
async fn file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let Some(rel) = book_path(uri.path()) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let mut path = shared.out.join(&rel);
    if path.is_dir() {
        path = path.join("index.html");
    }
    let Ok(bytes) = std::fs::read(&path) else {
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    };
    let kind = content_type(&path);
    let body = if kind.starts_with("text/html") { inject(bytes) } else { bytes };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The book-relative path of a request path, or `None` when it would leave the book.
/// `/` and folders mean their `index.html`.
fn book_path(request: &str) -> Option<PathBuf> {
    let decoded = percent_decode(request)?;
    let rel = decoded.trim_start_matches('/');
    let rel = if rel.is_empty() || rel.ends_with('/') { format!("{rel}index.html") } else { rel.to_string() };
    let path = PathBuf::from(&rel);
    let safe = !rel.contains('\\') && path.components().all(|c| matches!(c, Component::Normal(_)));
    // The marker and staging files are opsbook's, not the book's.
    let hidden = rel.split('/').any(|part| part.starts_with('.'));
    (safe && !hidden).then_some(path)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (!text.contains('\0')).then_some(text)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script before the last `</body>` (at the end when there is none).
fn inject(mut html: Vec<u8>) -> Vec<u8> {
    let tag = format!("<script src=\"{LIVERELOAD_PATH}\"></script>\n");
    let at = html.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"</body>")).unwrap_or(html.len());
    html.splice(at..at, tag.into_bytes());
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_book() {
        assert_eq!(book_path("/"), Some(PathBuf::from("index.html")));
        assert_eq!(book_path("/steps/"), Some(PathBuf::from("steps/index.html")));
        assert_eq!(book_path("/steps/push-order.html"), Some(PathBuf::from("steps/push-order.html")));
        assert_eq!(book_path("/graph%2Ejson"), Some(PathBuf::from("graph.json")));
        for bad in ["/../secret", "/steps/../../x", "/%2e%2e/x", "/a\\..\\b", "/.opsbook-book", "/%00", "/%zz"] {
            assert_eq!(book_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let html = inject(b"<html><body><p>x</p></BODY></html>".to_vec());
        let html = String::from_utf8(html).unwrap();
        assert_eq!(html, "<html><body><p>x</p><script src=\"/__opsbook/livereload.js\"></script>\n</BODY></html>");
        let bare = String::from_utf8(inject(b"<p>x</p>".to_vec())).unwrap();
        assert!(bare.ends_with("<script src=\"/__opsbook/livereload.js\"></script>\n"));
    }
}
