//! A Kubernetes API emulator (PyPI `kmock`, installed by `scripts/setup` into `.venv`) on a free
//! loopback port, stopped by its process id when dropped.
//!
//! The server is `crates/testkit/scripts/kube_emulator.py`: kmock's stateful emulator with the
//! kinds driftd's tests use declared for discovery. It stores objects as written and never
//! defaults fields, so tests create live objects in the shape the API server would return.

use crate::moto::Server;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

pub struct KubeEmulator {
    pub port: u16,
    server: Server,
}

/// The emulator script.
pub fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/kube_emulator.py")
}

impl KubeEmulator {
    /// Starts the emulator from the project venv and waits until it answers discovery.
    pub fn start() -> Result<KubeEmulator> {
        let server = Server::start(
            crate::venv().join("bin").join("python"),
            |port| vec![script().display().to_string(), port.to_string()],
            "/api/v1",
            "kmock",
        )?;
        Ok(KubeEmulator {
            port: server.port,
            server,
        })
    }

    /// The API server URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A kubeconfig that points at the emulator, with one context named `emulator`, as YAML.
    pub fn kubeconfig(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: emulator\nclusters:\n- name: emulator\n  cluster:\n    server: {}\ncontexts:\n- name: emulator\n  context:\n    cluster: emulator\n    user: tester\n    namespace: default\nusers:\n- name: tester\n  user:\n    token: not-a-real-token\n",
            self.url()
        )
    }

    /// Sends one JSON request (`POST` to create, `PATCH` with a merge patch, `DELETE`) and
    /// returns the status and body. For seeding from tests that have no Kubernetes client.
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<(u16, String)> {
        let body = body.map(Value::to_string).unwrap_or_default();
        let content_type = if method == "PATCH" {
            "application/merge-patch+json"
        } else {
            "application/json"
        };
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            s,
            "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        )?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        let status = buf
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .context("malformed HTTP answer")?;
        let body = buf
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Ok((status, body))
    }

    /// Creates an object (with `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`).
    pub fn create(&self, obj: &Value) -> Result<()> {
        let path = Self::collection(obj)?;
        let (status, body) = self.request("POST", &path, Some(obj))?;
        if status >= 300 {
            bail!("create {path}: {status} {body}");
        }
        Ok(())
    }

    /// The URL path of an object's collection, from its apiVersion, kind and namespace. The
    /// plural is the lower-case kind plus `s`, which holds for the kinds tests use.
    pub fn collection(obj: &Value) -> Result<String> {
        let api_version = obj["apiVersion"].as_str().context("apiVersion")?;
        let kind = obj["kind"].as_str().context("kind")?;
        let prefix = if api_version.contains('/') {
            format!("/apis/{api_version}")
        } else {
            format!("/api/{api_version}")
        };
        let plural = format!("{}s", kind.to_lowercase());
        Ok(
            match obj.pointer("/metadata/namespace").and_then(Value::as_str) {
                Some(ns) => format!("{prefix}/namespaces/{ns}/{plural}"),
                None => format!("{prefix}/{plural}"),
            },
        )
    }

    /// Kills the emulator (by its own process id) and waits for it.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}
