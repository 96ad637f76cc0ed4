//! A recording proxy between Chromium and the app: it forwards every request unchanged (the
//! `Host` header included, so the app's same-origin check sees the address the browser uses) and
//! keeps the body of every HTML response exactly as the server sent it. The HTML checker
//! validates those bodies, not the browser's reserialised DOM, and the journey can tell which
//! pages it showed, error pages answering a POST included.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::Response;

/// One HTML response the browser received.
#[derive(Debug, Clone)]
pub struct ServedPage {
    pub method: String,
    pub path: String,
    pub status: u16,
    pub html: String,
}

#[derive(Clone)]
struct Shared {
    upstream: String,
    client: reqwest::Client,
    pages: Arc<Mutex<Vec<ServedPage>>>,
}

pub struct RecordingProxy {
    /// The address the browser uses, `http://127.0.0.1:PORT`.
    pub base: String,
    pages: Arc<Mutex<Vec<ServedPage>>>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// The proxy's port, taken before the app behind it exists (the app may need the address).
pub struct ProxyListener {
    /// The address the browser will use, `http://127.0.0.1:PORT`.
    pub base: String,
    listener: tokio::net::TcpListener,
}

impl RecordingProxy {
    /// Takes a free port of 127.0.0.1 for a proxy.
    pub async fn bind() -> ProxyListener {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the recording proxy");
        let base = format!("http://{}", listener.local_addr().expect("proxy address"));
        ProxyListener { base, listener }
    }
}

impl ProxyListener {
    /// Starts the proxy in front of `upstream` (`http://host:port`).
    pub fn start(self, upstream: &str) -> RecordingProxy {
        let ProxyListener { base, listener } = self;
        let pages = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("proxy client"),
            pages: pages.clone(),
        };
        let router = axum::Router::new().fallback(forward).with_state(shared);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        RecordingProxy {
            base,
            pages,
            _shutdown: tx,
        }
    }
}

impl RecordingProxy {
    /// Every HTML response so far, in order.
    pub fn pages(&self) -> Vec<ServedPage> {
        self.pages.lock().expect("proxy log").clone()
    }
}

/// Headers that belong to one connection, not to the message.
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "content-length"
            // The proxy must see plain bodies.
            | "accept-encoding"
    )
}

fn copy_headers(from: &HeaderMap, to: &mut HeaderMap) {
    for (name, value) in from {
        if !hop_by_hop(name) {
            to.append(name.clone(), value.clone());
        }
    }
}

async fn forward(State(shared): State<Shared>, request: Request) -> Response {
    match try_forward(&shared, request).await {
        Ok(response) => response,
        Err(message) => Response::builder()
            .status(StatusCode::BAD_GATEWAY)
            .body(Body::from(format!("recording proxy: {message}")))
            .unwrap_or_default(),
    }
}

async fn try_forward(shared: &Shared, request: Request) -> Result<Response, String> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .map_err(|e| format!("request body: {e}"))?;
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &mut headers);
    let upstream = shared
        .client
        .request(parts.method.clone(), format!("{}{path}", shared.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("upstream: {e}"))?;
    let status = upstream.status();
    let upstream_headers = upstream.headers().clone();
    let bytes = upstream
        .bytes()
        .await
        .map_err(|e| format!("upstream body: {e}"))?;
    let is_html = upstream_headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if is_html && !status.is_redirection() {
        shared
            .pages
            .lock()
            .map_err(|_| "proxy log poisoned".to_owned())?
            .push(ServedPage {
                method: parts.method.to_string(),
                path: path.clone(),
                status: status.as_u16(),
                html: String::from_utf8_lossy(&bytes).into_owned(),
            });
    }
    let mut response = Response::builder()
        .status(status)
        .body(Body::from(bytes))
        .map_err(|e| format!("response: {e}"))?;
    copy_headers(&upstream_headers, response.headers_mut());
    Ok(response)
}
