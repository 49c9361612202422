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

/// Removes every occurrence of a secret from a text (an error message that echoed a URL).
pub fn redact(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if !s.0.is_empty() {
            out = out.replace(&s.0, "***");
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
