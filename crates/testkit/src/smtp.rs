//! An aiosmtpd SMTP server on a free loopback port that writes every message it receives into a
//! Maildir, stopped (by its process id) when dropped.

use crate::moto::free_port;
use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// TLS for the server: a PEM certificate chain and its key. The server then requires STARTTLS,
/// or, with `implicit`, speaks TLS from the first byte (SMTPS).
pub struct ServerTls {
    pub cert: PathBuf,
    pub key: PathBuf,
    pub implicit: bool,
}

pub struct Smtp {
    pub port: u16,
    maildir: PathBuf,
    child: Option<Child>,
}

/// Reads one (possibly multi-line) SMTP reply and returns its code.
fn reply(r: &mut impl BufRead) -> Result<u16> {
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            bail!("connection closed");
        }
        if line.len() >= 4 && line.as_bytes()[3] == b'-' {
            continue;
        }
        return line
            .get(..3)
            .and_then(|c| c.parse().ok())
            .context("malformed SMTP reply");
    }
}

/// True when the server greets and answers EHLO.
fn answers(port: u16) -> bool {
    let probe = || -> Result<bool> {
        let s = TcpStream::connect(("127.0.0.1", port))?;
        s.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut r = BufReader::new(s.try_clone()?);
        let mut w = s;
        if reply(&mut r)? != 220 {
            return Ok(false);
        }
        w.write_all(b"EHLO probe\r\n")?;
        let ok = reply(&mut r)? == 250;
        let _ = w.write_all(b"QUIT\r\n");
        Ok(ok)
    };
    probe().unwrap_or(false)
}

impl Smtp {
    /// Starts `python -m aiosmtpd` from the project venv, delivering into `maildir` (created),
    /// and waits until it answers EHLO.
    pub fn start(maildir: &Path, tls: Option<&ServerTls>) -> Result<Smtp> {
        let python = crate::venv().join("bin").join("python");
        if !python.exists() {
            bail!(
                "{} not found: run `bash scripts/setup` first (it installs aiosmtpd into .venv)",
                python.display()
            );
        }
        // Python's Maildir makes tmp/, new/ and cur/ only when it creates the directory itself.
        for sub in ["tmp", "new", "cur"] {
            let d = maildir.join(sub);
            std::fs::create_dir_all(&d).with_context(|| format!("create {}", d.display()))?;
        }
        let mut last_err = None;
        for _ in 0..3 {
            let port = free_port()?;
            let mut cmd = Command::new(&python);
            cmd.args(["-m", "aiosmtpd", "-n", "-l"])
                .arg(format!("127.0.0.1:{port}"));
            if let Some(t) = tls {
                let (cert, key) = if t.implicit {
                    ("--smtpscert", "--smtpskey")
                } else {
                    ("--tlscert", "--tlskey")
                };
                cmd.arg(cert).arg(&t.cert).arg(key).arg(&t.key);
            }
            let child = cmd
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(maildir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .with_context(|| format!("start {} -m aiosmtpd", python.display()))?;
            let mut smtp = Smtp {
                port,
                maildir: maildir.to_path_buf(),
                child: Some(child),
            };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                // An SMTPS server greets only after a TLS handshake: accepting is enough.
                let up = if tls.is_some_and(|t| t.implicit) {
                    TcpStream::connect(("127.0.0.1", port)).is_ok()
                } else {
                    answers(port)
                };
                if up {
                    return Ok(smtp);
                }
                if let Some(c) = smtp.child.as_mut() {
                    if let Ok(Some(status)) = c.try_wait() {
                        last_err = Some(format!("aiosmtpd exited: {status}"));
                        break;
                    }
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            smtp.stop();
        }
        bail!(
            "aiosmtpd did not start: {}",
            last_err.unwrap_or_else(|| "no answer within 20 s".into())
        )
    }

    /// The raw messages delivered so far (Maildir `new/` and `cur/`), oldest first.
    pub fn messages(&self) -> Result<Vec<Vec<u8>>> {
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let dir = self.maildir.join(sub);
            if !dir.exists() {
                continue;
            }
            for e in std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))? {
                let e = e?;
                let modified = e.metadata()?.modified()?;
                files.push((modified, e.path()));
            }
        }
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| std::fs::read(&p).with_context(|| format!("read {}", p.display())))
            .collect()
    }

    /// Kills the server (by its own process id) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A hostile SMTP server on a free loopback port that refuses every login and echoes the
/// credentials it was sent in its `535` answer: the `AUTH PLAIN` argument as sent and decoded,
/// the `AUTH LOGIN` user and password likewise. The way to check that no form of an SMTP
/// password reaches driftd's output, whatever the relay says. It offers the mechanisms given
/// (`PLAIN`, `LOGIN`) and keeps every line it received.
pub struct EchoSmtp {
    pub port: u16,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl EchoSmtp {
    pub fn start(mechanisms: &[&str]) -> Result<EchoSmtp> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("bind")?;
        let port = listener.local_addr()?.port();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let offer = mechanisms.join(" ");
        let (l, s) = (lines.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (l, offer) = (l.clone(), offer.clone());
                std::thread::spawn(move || {
                    let _ = echo_session(conn, &offer, &l);
                });
            }
        });
        Ok(EchoSmtp { port, lines, stop })
    }

    /// Every command line received so far.
    pub fn received(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for EchoSmtp {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Standard base64 decoding, lenient (for the echo only).
fn unbase64(s: &str) -> Vec<u8> {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in s.bytes() {
        let Some(v) = ABC.iter().position(|&a| a == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

fn echo_session(conn: TcpStream, offer: &str, lines: &std::sync::Mutex<Vec<String>>) -> Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut r = BufReader::new(conn.try_clone()?);
    let mut w = conn;
    let decoded = |s: &str| String::from_utf8_lossy(&unbase64(s)).replace('\0', "\\0");
    w.write_all(b"220 echo.test ESMTP\r\n")?;
    let mut login_user: Option<String> = None;
    let mut awaiting: Option<&str> = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_string();
        lines
            .lock()
            .map_err(|_| anyhow::anyhow!("poisoned"))?
            .push(line.clone());
        let upper = line.to_ascii_uppercase();
        let answer = match awaiting.take() {
            Some("plain") => format!("535 5.7.8 refused AUTH PLAIN {line} ({})", decoded(&line)),
            Some("user") => {
                login_user = Some(line.clone());
                awaiting = Some("password");
                "334 UGFzc3dvcmQ6".to_string()
            }
            Some(_) => format!(
                "535 5.7.8 refused user {} ({}) password {line} ({})",
                login_user.as_deref().unwrap_or(""),
                decoded(login_user.as_deref().unwrap_or("")),
                decoded(&line)
            ),
            None if upper.starts_with("EHLO") => {
                format!("250-echo.test\r\n250-AUTH {offer}\r\n250 8BITMIME")
            }
            None if upper.starts_with("AUTH PLAIN ") => {
                let arg = &line["AUTH PLAIN ".len()..];
                format!("535 5.7.8 refused AUTH PLAIN {arg} ({})", decoded(arg))
            }
            None if upper == "AUTH PLAIN" => {
                awaiting = Some("plain");
                "334 ".to_string()
            }
            None if upper.starts_with("AUTH LOGIN") => {
                awaiting = Some("user");
                "334 VXNlcm5hbWU6".to_string()
            }
            None if upper == "QUIT" => {
                w.write_all(b"221 2.0.0 bye\r\n")?;
                return Ok(());
            }
            None => format!("502 5.5.2 unknown command {line}"),
        };
        w.write_all(format!("{answer}\r\n").as_bytes())?;
    }
}
