//! Generic webhook: the notification payload as JSON, POSTed with
//! - `X-Driftd-Event`: the payload's event: trigger, repeat, resolve or test for a finding;
//!   for a notice (no `finding`: a summary, digest or word about the daemon) its own event;
//! - `Idempotency-Key`: stable for one notification across retries and restarts;
//! - `X-Driftd-Signature: sha256=HEX`: HMAC-SHA256 of the exact body with the signing secret,
//!   so the receiver can check the sender (documented in docs/notifications.md).
//!
//! The body is the notification's JSON form ([`super::message`]), exactly what the outbox
//! stores: a drift and a notice need nothing of their own here.

use super::channel::{classify, http_client, Accepted, Channel, Message, SendError};
use super::config::WebhookConfig;
use crate::secret::Secret;
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
        let body = serde_json::to_vec(&msg.body.to_json())
            .map_err(|e| SendError::Permanent(format!("cannot encode payload: {e}")))?;
        let mut req = self
            .client
            .post(self.url.expose())
            .header("content-type", "application/json")
            .header("x-driftd-event", msg.event().as_str())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::message::Notification;
    use crate::secret::SecretRef;
    use driftd_testkit::receiver::Receiver;
    use serde_json::{json, Value};

    /// A notice (no `finding`) goes out byte for byte, signed, with its event.
    #[tokio::test]
    async fn a_notice_is_sent_as_is() {
        let rx = Receiver::start(vec![]).unwrap();
        let dir = std::env::temp_dir();
        let url_file = dir.join(format!("driftd-webhook-url-{}", std::process::id()));
        let key_file = dir.join(format!("driftd-webhook-key-{}", std::process::id()));
        std::fs::write(&url_file, rx.url("/hook")).unwrap();
        std::fs::write(&key_file, "s3cret").unwrap();
        let reference =
            |f: &std::path::Path| SecretRef::try_from(format!("file:{}", f.display())).unwrap();
        let hook = Webhook::new(&WebhookConfig {
            name: "w".into(),
            url: reference(&url_file),
            signing_secret: Some(reference(&key_file)),
            timeout_secs: 5,
        })
        .unwrap();
        let key = reference(&key_file).load().unwrap();
        let _ = std::fs::remove_file(&url_file);
        let _ = std::fs::remove_file(&key_file);
        let p = json!({
            "version": 1,
            "event": "digest",
            "target": null,
            "tier": "info",
            "title": "3 open drifts <b>",
            "summary": "nothing new",
            "lines": ["[info] a", "[info] b"],
        });
        let body = Notification::from_json(p.clone()).unwrap();
        let accepted = hook
            .send(&Message {
                id: 4,
                fingerprint: "digest-fp",
                body: &body,
                thread: Some("ignored"),
            })
            .await
            .unwrap();
        assert_eq!(accepted, Accepted::default());
        let got = rx.received();
        assert_eq!(got.len(), 1);
        let r = &got[0];
        assert_eq!(r.body, serde_json::to_vec(&p).unwrap());
        assert_eq!(r.json(), p);
        assert_eq!(r.headers["x-driftd-event"], "digest");
        assert_eq!(r.headers["idempotency-key"], "driftd-4-digest-fp");
        assert_eq!(r.headers["x-driftd-signature"], signature(&key, &r.body));
        assert!(r.json().get("finding").is_none_or(Value::is_null));
    }
}
