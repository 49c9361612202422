//! Secrets (tokens, routing keys, webhook URLs, passwords): referenced from the config as
//! `env:VARIABLE` or `file:/path`, never written in it, and a type that never prints its value.
//! Channels, the dashboard token and state backends all use it; it imports nothing of driftd.

use serde::Deserialize;
use std::fmt;

/// Where a secret comes from, as written in the config.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct SecretRef(String);

impl TryFrom<String> for SecretRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.starts_with("env:") || s.starts_with("file:") {
            Ok(SecretRef(s))
        } else {
            Err("secrets are never written in the config: use `env:VARIABLE` or `file:/path/to/secret`".into())
        }
    }
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretRef({})", self.0)
    }
}

impl SecretRef {
    /// Makes a relative `file:` path relative to `base` (the config file's directory), like every
    /// other path in the config. `%d/` (systemd credentials) and absolute paths stay as they are.
    pub fn relative_to(&mut self, base: &std::path::Path) {
        if let Some(path) = self.0.strip_prefix("file:") {
            let p = std::path::Path::new(path);
            if p.is_relative() && !path.starts_with("%d/") {
                self.0 = format!("file:{}", base.join(p).display());
            }
        }
    }

    /// Reads the secret now. Errors name the variable or file, never the value.
    pub fn load(&self) -> Result<Secret, String> {
        if let Some(var) = self.0.strip_prefix("env:") {
            match std::env::var(var) {
                Ok(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
                _ => Err(format!("environment variable {var} is not set (or empty)")),
            }
        } else if let Some(path) = self.0.strip_prefix("file:") {
            // systemd's LoadCredential= puts files under $CREDENTIALS_DIRECTORY.
            let path = match (
                path.strip_prefix("%d/"),
                std::env::var("CREDENTIALS_DIRECTORY"),
            ) {
                (Some(rest), Ok(dir)) => format!("{dir}/{rest}"),
                _ => path.to_string(),
            };
            match std::fs::read_to_string(&path) {
                Ok(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
                Ok(_) => Err(format!("secret file {path} is empty")),
                Err(e) => Err(format!("cannot read secret file {path}: {e}")),
            }
        } else {
            Err("invalid secret reference".into())
        }
    }
}

/// A secret value. `Debug` and `Display` print `***`; only [`Secret::expose`] gives the value,
/// at the one place that sends it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A value known to be secret although it did not come from a reference (a credential in
    /// driftd's own environment), to be redacted.
    pub(crate) fn new(value: String) -> Secret {
        Secret(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Removes every form of every secret from a text: an error message that echoed a URL, a
/// receiver that echoed the whole request into its error answer. See [`forms`].
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut all: Vec<String> = secrets.iter().flat_map(|s| forms(&s.0)).collect();
    // Longest first, so that a URL goes as a whole before its parts.
    all.sort_by_key(|f| std::cmp::Reverse(f.len()));
    all.dedup();
    let mut out = text.to_string();
    for f in &all {
        if out.contains(f.as_str()) {
            out = out.replace(f.as_str(), "***");
        }
    }
    out
}

/// What of a secret may come back in a text: the value, percent-encoded and in base64; for a
/// URL, also each part that authenticates (its password and `user:password`, in clear and in
/// base64 as a Basic `Authorization` header carries them, its path segments and query values,
/// decoded or not). Parts shorter than 6 characters are left: they would hide ordinary words.
fn forms(value: &str) -> Vec<String> {
    const SHORTEST: usize = 6;
    let mut out: Vec<String> = Vec::new();
    let add = |part: &str, out: &mut Vec<String>| {
        if part.len() < SHORTEST {
            return;
        }
        out.push(part.to_string());
        let decoded = percent_encoding::percent_decode_str(part).decode_utf8_lossy();
        if decoded != part {
            out.push(decoded.into_owned());
        }
        let encoded =
            percent_encoding::utf8_percent_encode(part, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        if encoded != part {
            out.push(encoded);
        }
        out.extend(base64_forms(part.as_bytes()));
    };
    add(value, &mut out);
    if let Ok(url) = url::Url::parse(value) {
        if url.has_host() {
            if let Some(password) = url.password() {
                let user = percent_encoding::percent_decode_str(url.username()).decode_utf8_lossy();
                let pass = percent_encoding::percent_decode_str(password).decode_utf8_lossy();
                add(password, &mut out);
                add(&format!("{user}:{pass}"), &mut out);
            }
            // A segment that is a plain word (`services`, `webhooks`) names an API, not a
            // secret.
            let word = |p: &str| {
                p.chars()
                    .all(|c| c.is_ascii_lowercase() || matches!(c, '-' | '_' | '.'))
            };
            for segment in url.path_segments().into_iter().flatten() {
                if !word(segment) {
                    add(segment, &mut out);
                }
            }
            for (_, v) in url.query_pairs() {
                add(&v, &mut out);
            }
            // As written in the URL, which may encode other characters than driftd would.
            for pair in url.query().unwrap_or("").split('&') {
                if let Some((_, v)) = pair.split_once('=') {
                    add(v, &mut out);
                }
            }
            if let Some(fragment) = url.fragment() {
                add(fragment, &mut out);
            }
        }
    }
    out
}

/// What of `bytes` shows in base64 text, wherever they sit in it: their own encoding, and the
/// characters that encode only them at each of the three alignments they can have inside a
/// longer encoded text (SMTP `AUTH PLAIN` sends `\0user\0password`, a Basic header
/// `user:password`: the password's own encoding is then not a part of the text, but one of
/// these is). Cores shorter than 6 characters are left out.
fn base64_forms(bytes: &[u8]) -> Vec<String> {
    let mut out = vec![base64(bytes)];
    for lead in 0..3usize {
        let mut padded = vec![0u8; lead];
        padded.extend_from_slice(bytes);
        let encoded = base64(&padded);
        // Characters whose 6 bits all come from `bytes`: from bit 8·lead to bit 8·(lead+len).
        let first = (8 * lead).div_ceil(6);
        let end = (8 * (lead + bytes.len())) / 6;
        if end > first && end - first >= 6 {
            out.push(encoded[first..end].to_string());
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4).
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret("hunter2-token".into());
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        assert_eq!(
            redact("POST https://x/hunter2-token failed", &[&s]),
            "POST https://x/*** failed"
        );
    }

    #[test]
    fn every_form_of_a_webhook_url_is_redacted() {
        let url = Secret(
            "https://ops:pa55-w0rd@hooks.example.net/services/T0ABC1/B0XYZ2/q8Zr2xKs?token=tk-91ab%2F7&team=infra"
                .into(),
        );
        let echoed = format!(
            "400: bad request POST /services/T0ABC1/B0XYZ2/q8Zr2xKs?token=tk-91ab%2F7 \
             token=tk-91ab/7 Authorization: Basic {} pass pa55-w0rd whole {}",
            base64(b"ops:pa55-w0rd"),
            url.expose()
        );
        let out = redact(&echoed, &[&url]);
        for part in [
            "T0ABC1",
            "B0XYZ2",
            "q8Zr2xKs",
            "tk-91ab",
            "pa55-w0rd",
            "b3BzOnBhNTUtdzByZA==",
        ] {
            assert!(!out.contains(part), "{part} in {out}");
        }
        // Plain words and short parts stay: they name nothing secret.
        assert!(
            out.starts_with("400: bad request POST /services/***"),
            "{out}"
        );
        // A token echoed in base64 goes too.
        let token = Secret("xoxb-1234-secret".into());
        assert_eq!(
            redact(&format!("got {}", base64(b"xoxb-1234-secret")), &[&token]),
            "got ***"
        );
    }

    /// SMTP `AUTH PLAIN` carries `\0user\0password` in base64, a Basic header `user:password`:
    /// a server that echoes either shows no run of characters equal to the password's own
    /// encoding, yet the password is readable from it. Every alignment is redacted.
    #[test]
    fn a_password_inside_a_longer_base64_text_is_redacted() {
        let password = Secret("pa55w0rd-SECRET".into());
        for user in ["", "d", "dr", "driftd", "ops-user1"] {
            let plain = base64(format!("\0{user}\0pa55w0rd-SECRET").as_bytes());
            let out = redact(&format!("535 5.7.8 bad credentials {plain}"), &[&password]);
            assert!(out.contains("***"), "{user}: {out}");
            // What is left encodes the user part and at most a character or two of the
            // password at each end.
            let rest = out.rsplit(' ').next().unwrap().replace("***", "");
            assert!(rest.len() <= (user.len() + 2) * 4 / 3 + 5, "{user}: {out}");
        }
        // Ordinary text is not touched.
        assert_eq!(
            redact("535 5.7.8 Authentication failed", &[&password]),
            "535 5.7.8 Authentication failed"
        );
    }

    #[test]
    fn references_only() {
        let r: Result<SecretRef, _> = SecretRef::try_from("xoxb-123".to_string());
        assert!(r.unwrap_err().contains("env:VARIABLE"));
        let r = SecretRef::try_from("env:DRIFTD_TEST_SURELY_UNSET".to_string()).unwrap();
        let err = r.load().unwrap_err();
        assert!(err.contains("DRIFTD_TEST_SURELY_UNSET"));
        let dir = std::env::temp_dir().join(format!("driftd-secret-{}", std::process::id()));
        std::fs::write(&dir, "s3cret\n").unwrap();
        let r = SecretRef::try_from(format!("file:{}", dir.display())).unwrap();
        assert_eq!(r.load().unwrap().expose(), "s3cret");
        let _ = std::fs::remove_file(dir);
    }
}
