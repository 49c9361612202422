//! `[web]`: the dashboard, its JSON API and `/metrics`, served by the daemon.

use crate::secret::SecretRef;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Address and port. Default: 127.0.0.1:8686 (this machine only).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Bearer token (`env:` or `file:`) required for every page and API call (not `/healthz`,
    /// `/readyz`) and for acknowledging from the web. Required to listen beyond loopback.
    pub token: Option<SecretRef>,
    /// Listen beyond loopback without a token (behind an authenticating proxy, say).
    #[serde(default)]
    pub allow_unauthenticated: bool,
    /// Days of history in the overview's trend. Default: 14.
    #[serde(default = "default_trend_days")]
    pub trend_days: u32,
}

fn default_listen() -> String {
    "127.0.0.1:8686".into()
}
fn default_trend_days() -> u32 {
    14
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: default_listen(),
            token: None,
            allow_unauthenticated: false,
            trend_days: default_trend_days(),
        }
    }
}

impl WebConfig {
    /// Problems, each naming the key and what to do.
    pub fn problems(&self, file: &str) -> Vec<String> {
        let mut out = Vec::new();
        match self.listen.parse::<SocketAddr>() {
            Err(_) => out.push(format!(
                "{file}: web.listen: `{}` is not an address:port like 127.0.0.1:8686",
                self.listen
            )),
            Ok(addr) => {
                if !addr.ip().is_loopback() && self.token.is_none() && !self.allow_unauthenticated {
                    out.push(format!(
                        "{file}: web.listen: {addr} is reachable from other machines; set web.token = \"env:DRIFTD_WEB_TOKEN\" (a bearer token) or, behind an authenticating proxy, web.allow_unauthenticated = true"
                    ));
                }
            }
        }
        if self.trend_days == 0 || self.trend_days > 365 {
            out.push(format!("{file}: web.trend_days: between 1 and 365"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beyond_loopback_needs_a_token_or_an_explicit_opt_out() {
        let at = |listen: &str, token: bool, open: bool| WebConfig {
            listen: listen.into(),
            token: token.then(|| SecretRef::try_from("env:T".to_string()).unwrap()),
            allow_unauthenticated: open,
            ..Default::default()
        };
        assert!(at("127.0.0.1:8686", false, false).problems("f").is_empty());
        assert!(at("[::1]:8686", false, false).problems("f").is_empty());
        let p = at("0.0.0.0:8686", false, false).problems("f");
        assert!(p[0].contains("web.token"), "{p:?}");
        assert!(at("0.0.0.0:8686", true, false).problems("f").is_empty());
        assert!(at("0.0.0.0:8686", false, true).problems("f").is_empty());
        assert!(at("localhost", false, false).problems("f")[0].contains("address:port"));
    }
}
