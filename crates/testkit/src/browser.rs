//! Headless Chromium driven over the W3C WebDriver protocol (chromedriver), with a few JSON
//! requests: open a page, run a script, save a screenshot. Debian's `chromium` and
//! `chromium-driver` are installed by `scripts/setup`.

use anyhow::{anyhow, bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// One browser session; the driver (and the browser) stop when this is dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: reqwest::Client,
    profile: std::path::PathBuf,
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile and no background
    /// networking (the test machines have no way out).
    pub async fn start() -> Result<Browser> {
        for bin in [CHROMIUM, CHROMEDRIVER] {
            if !Path::new(bin).exists() {
                bail!("{bin} not found: run `bash scripts/setup` first (it installs Debian's chromium and chromium-driver)");
            }
        }
        let port = free_port()?;
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("start chromedriver")?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()?;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = client
                .get(format!("{base}/status"))
                .send()
                .await
                .ok()
                .map(|r| r.status().is_success())
                .unwrap_or(false);
            if ready {
                break;
            }
            if Instant::now() > deadline {
                bail!("chromedriver did not start within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = std::env::temp_dir().join(format!("driftd-chromium-{port}"));
        let _ = std::fs::remove_dir_all(&profile);
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.display()),
                ]
            }
        }}});
        let mut b = Browser {
            driver,
            base,
            session: String::new(),
            client,
            profile,
        };
        let v = b.call("POST", "/session", Some(caps)).await?;
        b.session = v["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("no session id in {v}"))?
            .to_string();
        Ok(b)
    }

    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let req = match method {
            "GET" => self.client.get(&url),
            "DELETE" => self.client.delete(&url),
            _ => self.client.post(&url).json(&body.unwrap_or(json!({}))),
        };
        let resp = req
            .send()
            .await
            .with_context(|| format!("webdriver {path}"))?;
        let status = resp.status();
        let v: Value = resp.json().await.context("webdriver answer")?;
        if !status.is_success() {
            bail!("webdriver {path}: HTTP {status}: {}", v["value"]["message"]);
        }
        Ok(v["value"].clone())
    }

    fn at(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Loads a page (http:// or file://) and waits for it.
    pub async fn open(&self, url: &str) -> Result<()> {
        self.call("POST", &self.at("/url"), Some(json!({"url": url})))
            .await
            .map(|_| ())
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) in the page, returns its value.
    /// WebDriver scripts are not subject to the page's Content-Security-Policy.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.call(
            "POST",
            &self.at("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// The page's visible text.
    pub async fn text(&self) -> Result<String> {
        Ok(self
            .eval("return document.body.innerText;", vec![])
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    pub async fn url(&self) -> Result<String> {
        Ok(self
            .call("GET", &self.at("/url"), None)
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// Saves a PNG of the viewport.
    pub async fn screenshot(&self, path: &Path) -> Result<()> {
        let v = self.call("GET", &self.at("/screenshot"), None).await?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .context("screenshot is not base64")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, png).with_context(|| format!("write {}", path.display()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Best effort: end the session (closes Chromium), then stop the driver. Plain HTTP on a
        // std socket: no async runtime is needed in a destructor.
        use std::io::{Read, Write};
        let addr = self.base.trim_start_matches("http://").to_string();
        if let Ok(mut sock) = std::net::TcpStream::connect(&addr) {
            let _ = sock.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                sock,
                "DELETE /session/{} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = sock.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
