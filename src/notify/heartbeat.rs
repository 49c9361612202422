//! `[notify.heartbeat]`: a POST to a dead man's switch (healthchecks.io, Dead Man's Snitch,
//! Uptime Kuma push monitors...) every `interval_secs`, so a daemon that died or hangs is noticed
//! by something other than itself. The URL usually embeds a token: it is a secret reference and
//! never appears in logs.

use super::channel::{classify, http_client};
use super::notifier::Notifier;
use crate::time::rfc3339;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Beats until `stop`. Reads the settings each time, so a reload takes effect.
pub async fn run(ctx: Arc<Notifier>, stop: CancellationToken) {
    let client = match http_client(Duration::from_secs(10)) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "heartbeat disabled");
            return;
        }
    };
    loop {
        let rt = ctx.runtime();
        let wait = match &rt.heartbeat {
            Some((url, every)) => {
                let body = json!({
                    "status": "ok",
                    "service": "driftd",
                    "version": env!("CARGO_PKG_VERSION"),
                    "time": rfc3339(ctx.clock.now()),
                    "targets": rt.targets.len(),
                });
                let result = client.post(url.expose()).json(&body).send().await;
                match classify("heartbeat", result, &[url]).await {
                    Ok(_) => tracing::debug!("heartbeat accepted"),
                    Err(e) => tracing::warn!(error = %e, "heartbeat not accepted"),
                }
                *every
            }
            None => Duration::from_secs(30),
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.cancelled() => return,
        }
    }
}
