//! `type = "email"`: what an email channel is configured with, and its validation (no network).

use crate::secret::SecretRef;
use lettre::message::Mailbox;
use serde::Deserialize;
use std::path::PathBuf;

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain connection upgraded with STARTTLS, which must succeed (default; port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS; port 465).
    Implicit,
    /// No encryption: only for a relay on this machine (loopback), enforced by validation.
    None,
}

/// `type = "email"`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    pub name: String,
    pub smtp_host: String,
    /// Default: 587 for `starttls`, 465 for `implicit`, 25 for `none`.
    pub smtp_port: Option<u16>,
    #[serde(default)]
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<SecretRef>,
    /// `driftd <driftd@example.com>` or a bare address.
    pub from: String,
    pub to: Vec<String>,
    /// A PEM file with an extra CA certificate to trust (a private relay's CA).
    pub ca_file: Option<PathBuf>,
    /// Deadline of each SMTP step (connect, each command).
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    10
}

impl EmailConfig {
    pub fn port(&self) -> u16 {
        self.smtp_port.unwrap_or(match self.tls {
            TlsMode::Starttls => 587,
            TlsMode::Implicit => 465,
            TlsMode::None => 25,
        })
    }

    /// Validation problems, each naming the key (`at` names the channel).
    pub fn problems(&self, at: &str) -> Vec<String> {
        let mut out = Vec::new();
        if self.smtp_host.trim().is_empty() {
            out.push(format!("{at}.smtp_host: must not be empty"));
        }
        if self.tls == TlsMode::None && !is_loopback(&self.smtp_host) {
            out.push(format!(
                "{at}.tls: \"none\" sends mail and credentials in clear text; it is allowed only \
                 for a relay on this machine (localhost, 127.0.0.1, ::1), not `{}`: use \
                 \"starttls\" or \"implicit\"",
                self.smtp_host
            ));
        }
        if let Err(e) = self.from.parse::<Mailbox>() {
            out.push(format!(
                "{at}.from: `{}` is not a mailbox ({e}); write `Name <user@example.com>` or \
                 `user@example.com`",
                self.from
            ));
        }
        if self.to.is_empty() {
            out.push(format!("{at}.to: list at least one recipient"));
        }
        for t in &self.to {
            if let Err(e) = t.parse::<Mailbox>() {
                out.push(format!("{at}.to: `{t}` is not a mailbox ({e})"));
            }
        }
        if self.password.is_some() && self.username.is_none() {
            out.push(format!("{at}.password: set `username` too"));
        }
        if self.timeout_secs == 0 {
            out.push(format!("{at}.timeout_secs: must be at least 1"));
        }
        out
    }
}

/// `localhost` or a loopback address: the only hosts `tls = "none"` may talk to.
fn is_loopback(host: &str) -> bool {
    let h = host.trim().trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::super::tests::config;
    use super::*;

    #[test]
    fn validation() {
        assert!(config().problems("c").is_empty());
        let mut c = config();
        c.smtp_host = "smtp.example.com".into();
        let p = c.problems("c");
        assert!(p.len() == 1 && p[0].starts_with("c.tls:"), "{p:?}");
        c.tls = TlsMode::Starttls;
        c.from = "not an address".into();
        c.to = vec!["oncall@example.com".into(), "bad@".into()];
        let p = c.problems("c");
        assert!(p.iter().any(|e| e.starts_with("c.from:")), "{p:?}");
        assert!(p.iter().any(|e| e.starts_with("c.to: `bad@`")), "{p:?}");
        c.smtp_port = None;
        assert_eq!(c.port(), 587);
        c.tls = TlsMode::Implicit;
        assert_eq!(c.port(), 465);
        for host in ["localhost", "127.0.0.1", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        assert!(!is_loopback("10.0.0.1"));
        let bad: Result<EmailConfig, _> = toml::from_str(
            "name = \"m\"\nsmtp_host = \"h\"\ntls = \"ssl\"\nfrom = \"a@b.c\"\nto = [\"a@b.c\"]\n",
        );
        assert!(bad.unwrap_err().to_string().contains("starttls"));
    }
}
