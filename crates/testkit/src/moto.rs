//! A moto server on a free loopback port, stopped when dropped.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Moto {
    pub port: u16,
    server: Server,
}

/// A port the OS says is free now. Another process could take it before we bind it; the start
/// is retried on a new port if the server does not come up.
pub fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0").context("bind a loopback port")?;
    Ok(l.local_addr()?.port())
}

/// Minimal HTTP/1.0 request on loopback, returning (status, body).
pub fn http(port: u16, method: &str, path: &str) -> Result<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\r\n"
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

impl Moto {
    /// Starts `moto_server` from the project venv and waits until it answers.
    pub fn start() -> Result<Moto> {
        Self::start_with_env(&[])
    }

    /// [`Moto::start`] with AWS-managed IAM policies (`arn:aws:iam::aws:policy/...`) loaded, so
    /// that they can be attached; moto leaves them out by default (they slow its IAM start).
    pub fn start_with_aws_managed_policies() -> Result<Moto> {
        Self::start_with_env(&[("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")])
    }

    fn start_with_env(env: &[(&str, &str)]) -> Result<Moto> {
        let server = Server::start_with_env(
            crate::venv().join("bin").join("moto_server"),
            |port| {
                vec![
                    "-H".into(),
                    "127.0.0.1".into(),
                    "-p".into(),
                    port.to_string(),
                ]
            },
            env,
            "/moto-api/",
            "moto",
        )?;
        Ok(Moto {
            port: server.port,
            server,
        })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Kills the server (by its own process id) and waits for it.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}

/// An emulator program from the venv on a free loopback port, killed (by its own process id)
/// when dropped. Shared by moto, the GCP emulators and the Kubernetes emulator.
pub(crate) struct Server {
    pub(crate) port: u16,
    child: Option<Child>,
}

impl Server {
    /// Starts `program` with `args(port)` and waits until `GET ready_path` answers 200; retried
    /// on a new port (another process may take a free port first). `installs` names what
    /// `scripts/setup` puts into the venv, for the error when it is missing.
    pub(crate) fn start(
        program: PathBuf,
        args: impl Fn(u16) -> Vec<String>,
        ready_path: &str,
        installs: &str,
    ) -> Result<Server> {
        Self::start_with_env(program, args, &[], ready_path, installs)
    }

    /// [`Server::start`] with extra environment variables for the program.
    pub(crate) fn start_with_env(
        program: PathBuf,
        args: impl Fn(u16) -> Vec<String>,
        env: &[(&str, &str)],
        ready_path: &str,
        installs: &str,
    ) -> Result<Server> {
        if !program.exists() {
            bail!(
                "{} not found: run `bash scripts/setup` first (it installs {installs} into .venv)",
                program.display()
            );
        }
        let mut last_err = None;
        for _ in 0..3 {
            let port = free_port()?;
            let child = Command::new(&program)
                .args(args(port))
                .envs(env.iter().copied())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("start {}", program.display()))?;
            let mut server = Server {
                port,
                child: Some(child),
            };
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if matches!(http(port, "GET", ready_path), Ok((200, _))) {
                    return Ok(server);
                }
                if let Some(c) = server.child.as_mut() {
                    if let Ok(Some(status)) = c.try_wait() {
                        last_err = Some(format!(
                            "{} exited ({status}); is {installs} installed in the venv?",
                            program.display()
                        ));
                        break;
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            server.stop();
        }
        bail!(
            "{} did not start: {}",
            program.display(),
            last_err.unwrap_or_else(|| "no answer within 30 s".into())
        )
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
