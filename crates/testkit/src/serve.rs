//! The small HTTP server the proxy and the receiver share: a loopback listener on a free port,
//! served by hyper on a thread of its own (tests are synchronous), one handler call per request.

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Starts serving `handler(request, state)` on a free loopback port; returns the port. The
/// server lives as long as the test process.
pub fn spawn<S, F, Fut>(what: &str, state: Arc<S>, handler: F) -> Result<u16>
where
    S: Send + Sync + 'static,
    F: Fn(Request<Incoming>, Arc<S>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Full<Bytes>>, hyper::Error>> + Send + 'static,
{
    let std_listener =
        std::net::TcpListener::bind("127.0.0.1:0").with_context(|| format!("bind {what} port"))?;
    std_listener.set_nonblocking(true)?;
    let port = std_listener.local_addr()?.port();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async move {
            let Ok(listener) = TcpListener::from_std(std_listener) else {
                return;
            };
            while let Ok((stream, _)) = listener.accept().await {
                let (state, handler) = (state.clone(), handler.clone());
                tokio::spawn(async move {
                    let svc = service_fn(move |req| handler(req, state.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
    });
    Ok(port)
}
