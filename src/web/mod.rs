//! The web side of the daemon (`[web]`): an HTML dashboard, a JSON API under `/api/v1/`,
//! `/metrics` for Prometheus, `/healthz` and `/readyz`.
//!
//! Security: loopback by default; any other address needs a bearer token (or an explicit
//! opt-out, validated with the config). The token is compared in constant time; a browser logs
//! in once at `/login` and gets an HttpOnly, SameSite=Strict cookie holding a hash of it, never
//! the token. Every page is rendered with every value escaped, under a strict
//! Content-Security-Policy with no script at all. The only write is acknowledging a finding,
//! which needs the token.

pub mod api;
pub mod config;
pub mod metrics;
pub mod pages;
pub mod views;

use crate::secret::Secret;
use crate::store::StoreHandle;
use crate::time::Clock;
use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// What the web side reads from the running daemon: it only reads the store (and writes
/// acknowledgements), asks the time, and shows the counters the scans keep.
pub struct WebCtx {
    pub clock: Arc<dyn Clock>,
    pub store: StoreHandle,
    /// Provider errors and throttles counted since start.
    pub metrics: Arc<metrics::Live>,
}

/// Everything a request handler needs.
pub struct WebState {
    pub ctx: WebCtx,
    token: Option<Secret>,
    /// What the login cookie holds: a hash of the token, so the cookie is not the token.
    session: Option<String>,
    /// Configured targets, in config order.
    pub targets: Vec<String>,
    pub trend_days: u32,
    /// Failed logins of the last minute: past [`LOGIN_FAILURES_PER_MINUTE`], `/login` answers
    /// 429 until the window moves on, so a token cannot be guessed at network speed.
    failed_logins: std::sync::Mutex<LoginLimiter>,
}

/// Failed logins allowed per minute, over every client.
const LOGIN_FAILURES_PER_MINUTE: usize = 10;

/// The times of recent failed logins.
#[derive(Default)]
struct LoginLimiter(std::collections::VecDeque<std::time::Instant>);

impl LoginLimiter {
    const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

    /// Seconds to wait before trying again, when the budget is spent.
    fn blocked(&mut self, now: std::time::Instant) -> Option<u64> {
        while self
            .0
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Self::WINDOW)
        {
            self.0.pop_front();
        }
        (self.0.len() >= LOGIN_FAILURES_PER_MINUTE).then(|| {
            let oldest = self.0.front().copied().unwrap_or(now);
            Self::WINDOW
                .saturating_sub(now.duration_since(oldest))
                .as_secs()
                .max(1)
        })
    }

    fn failed(&mut self, now: std::time::Instant) {
        self.0.push_back(now);
    }
}

/// The cookie set by `/login`.
const COOKIE: &str = "driftd_session";

fn session_of(token: &str) -> String {
    let digest = Sha256::digest(format!("driftd-session:{token}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal without revealing where two strings differ (both are hashed first, so their lengths
/// do not matter either).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (x, y) = (Sha256::digest(a.as_bytes()), Sha256::digest(b.as_bytes()));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

impl WebState {
    pub fn new(
        ctx: WebCtx,
        token: Option<Secret>,
        targets: Vec<String>,
        trend_days: u32,
    ) -> WebState {
        let session = token.as_ref().map(|t| session_of(t.expose()));
        WebState {
            ctx,
            token,
            session,
            targets,
            trend_days,
            failed_logins: Default::default(),
        }
    }

    /// Nothing when `name` is a target the dashboard knows (configured, or with history), else
    /// a 404 as a page or as JSON.
    pub async fn require_target(&self, name: &str, json: bool) -> Result<(), WebError> {
        let known = views::target_names(&self.ctx, &self.targets)
            .await
            .map_err(|e| WebError::internal(e, json))?;
        if known.iter().any(|n| n == name) {
            Ok(())
        } else {
            Err(WebError::not_found(
                format!("no target named `{name}`"),
                json,
            ))
        }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Whether the request carries the token (bearer header or login cookie).
    pub fn authenticated(&self, headers: &HeaderMap) -> bool {
        let (Some(token), Some(session)) = (&self.token, &self.session) else {
            return false;
        };
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| constant_time_eq(t.trim(), token.expose()));
        bearer || cookie(headers, COOKIE).is_some_and(|c| constant_time_eq(&c, session))
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A page or API error.
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub json: bool,
}

impl WebError {
    pub fn not_found(what: String, json: bool) -> WebError {
        WebError {
            status: StatusCode::NOT_FOUND,
            message: what,
            json,
        }
    }
    pub fn internal(e: anyhow::Error, json: bool) -> WebError {
        tracing::error!(error = %crate::chain(&e), "web request failed");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "internal error; see the daemon's log".into(),
            json,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if self.json {
            (
                self.status,
                axum::Json(serde_json::json!({"error": self.message})),
            )
                .into_response()
        } else {
            (
                self.status,
                axum::response::Html(pages::error_page(self.status, &self.message)),
            )
                .into_response()
        }
    }
}

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Authentication (when a token is configured) and security headers on every answer.
async fn guard(State(state): State<Arc<WebState>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let open = matches!(
        path.as_str(),
        "/healthz" | "/readyz" | "/login" | "/static/style.css"
    );
    let mut resp = if state.has_token() && !open && !state.authenticated(req.headers()) {
        if path.starts_with("/api/") || path == "/metrics" {
            (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                axum::Json(serde_json::json!({"error": "send Authorization: Bearer <token>"})),
            )
                .into_response()
        } else {
            axum::response::Redirect::to("/login").into_response()
        }
    } else if req.method() == Method::POST && !same_origin(req.headers()) {
        (StatusCode::FORBIDDEN, "cross-site request refused").into_response()
    } else {
        next.run(req).await
    };
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// A browser says where a POST comes from; refuse other sites (the SameSite cookie already
/// does, this is the second lock). Non-browser clients send neither header.
fn same_origin(headers: &HeaderMap) -> bool {
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

async fn login_form() -> impl IntoResponse {
    axum::response::Html(pages::login_page(None))
}

#[derive(serde::Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<Arc<WebState>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let now = std::time::Instant::now();
    let limiter = || match state.failed_logins.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(wait) = limiter().blocked(now) {
        tracing::warn!("too many failed logins to the dashboard; refusing logins for a while");
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, wait.to_string())],
            axum::response::Html(pages::login_page(Some(
                "Too many wrong tokens: wait a minute and try again.",
            ))),
        )
            .into_response();
    }
    // Behind a TLS proxy, the cookie is for HTTPS only.
    let secure = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    match (&state.token, &state.session) {
        (Some(token), Some(session)) if constant_time_eq(form.token.trim(), token.expose()) => {
            let cookie = format!(
                "{COOKIE}={session}; HttpOnly; SameSite=Strict; Path=/{}",
                if secure { "; Secure" } else { "" }
            );
            (
                [(header::SET_COOKIE, cookie)],
                axum::response::Redirect::to("/"),
            )
                .into_response()
        }
        (None, _) => axum::response::Redirect::to("/").into_response(),
        _ => {
            limiter().failed(now);
            (
                StatusCode::UNAUTHORIZED,
                axum::response::Html(pages::login_page(Some("That token is not right."))),
            )
                .into_response()
        }
    }
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<Arc<WebState>>) -> Response {
    match state.ctx.store.run(|s| s.ping()).await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %crate::chain(&e), "not ready: the store does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n").into_response()
        }
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        Body::from(pages::stylesheet()),
    )
        .into_response()
}

pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        .route("/", get(pages::overview))
        .route("/targets/{name}", get(pages::target))
        .route("/findings/{fp}", get(pages::finding))
        .route("/findings/{fp}/ack", post(pages::ack))
        .route("/scans/{id}", get(pages::scan))
        .route("/api/v1/targets", get(api::targets))
        .route("/api/v1/targets/{name}", get(api::target))
        .route("/api/v1/findings/{fp}", get(api::finding))
        .route("/api/v1/findings/{fp}/ack", post(api::ack))
        .route("/api/v1/scans/{id}", get(api::scan))
        .route("/metrics", get(api::metrics))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/login", get(login_form).post(login))
        .route("/static/style.css", get(style))
        .fallback(|| async { WebError::not_found("no such page".into(), false) })
        // Every body driftd accepts is a small form or JSON object.
        .layer(axum::extract::DefaultBodyLimit::max(64 * 1024))
        .layer(axum::middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Binds now (so a port in use is an error at start) and serves until `stop`.
pub async fn start(
    state: Arc<WebState>,
    listen: &str,
    stop: CancellationToken,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let addr: SocketAddr = listen
        .parse()
        .with_context(|| format!("web.listen `{listen}` is not an address:port"))?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (web.listen); is another process using it?")
    })?;
    let local = listener.local_addr()?;
    let app = router(state);
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(stop.cancelled_owned())
            .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "web server stopped");
        }
    });
    Ok((local, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_logins_are_limited_per_minute() {
        let mut l = LoginLimiter::default();
        let t0 = std::time::Instant::now();
        for i in 0..LOGIN_FAILURES_PER_MINUTE {
            assert_eq!(l.blocked(t0), None, "attempt {i}");
            l.failed(t0);
        }
        assert_eq!(l.blocked(t0), Some(60));
        let later = t0 + std::time::Duration::from_secs(45);
        assert_eq!(l.blocked(later), Some(15));
        let after = t0 + std::time::Duration::from_secs(60);
        assert_eq!(l.blocked(after), None);
    }

    #[test]
    fn tokens_compare_whole() {
        assert!(constant_time_eq("s3cret", "s3cret"));
        assert!(!constant_time_eq("s3cret", "s3cre"));
        assert!(!constant_time_eq("s3cret", "S3cret"));
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; driftd_session=abc"),
        );
        assert_eq!(cookie(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b"), None);
    }
}
