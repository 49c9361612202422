//! Generic webhook: the notification payload as JSON, POSTed with
//! - `X-Driftd-Event`: trigger, repeat, resolve or test;
//! - `Idempotency-Key`: stable for one notification across retries and restarts;
//! - `X-Driftd-Signature: sha256=HEX`: HMAC-SHA256 of the exact body with the signing secret,
//!   so the receiver can check the sender (documented in docs/notifications.md).

use super::channel::{classify, http_client, Accepted, Channel, Message, SendError};
use super::config::WebhookConfig;
use super::secret::Secret;
use async_trait::async_trait;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

pub struct Webhook {
    name: String,
    url: Secret,
    signing_secret: Option<Secret>,
    client: reqwest::Client,
}

impl Webhook {
    pub fn new(c: &WebhookConfig) -> Result<Webhook, String> {
        Ok(Webhook {
            name: c.name.clone(),
            url: c
                .url
                .load()
                .map_err(|e| format!("channel `{}`.url: {e}", c.name))?,
            signing_secret: c
                .signing_secret
                .as_ref()
                .map(|s| s.load())
                .transpose()
                .map_err(|e| format!("channel `{}`.signing_secret: {e}", c.name))?,
            client: http_client(Duration::from_secs(c.timeout_secs))?,
        })
    }
}

/// `sha256=HEX` of the HMAC-SHA256 of `body`.
pub fn signature(secret: &Secret, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[async_trait]
impl Channel for Webhook {
    async fn send(&self, msg: &Message<'_>) -> Result<Accepted, SendError> {
        let body = serde_json::to_vec(msg.payload)
            .map_err(|e| SendError::Permanent(format!("cannot encode payload: {e}")))?;
        let mut req = self
            .client
            .post(self.url.expose())
            .header("content-type", "application/json")
            .header("x-driftd-event", msg.event)
            .header(
                "idempotency-key",
                format!("driftd-{}-{}", msg.id, msg.fingerprint),
            );
        if let Some(secret) = &self.signing_secret {
            req = req.header("x-driftd-signature", signature(secret, &body));
        }
        let mut secrets = vec![&self.url];
        secrets.extend(self.signing_secret.as_ref());
        classify(
            &format!("webhook `{}`", self.name),
            req.body(body).send().await,
            &secrets,
        )
        .await
        .map(|_| Accepted::default())
    }
}
