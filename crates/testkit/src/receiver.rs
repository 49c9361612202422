//! A local HTTP receiver for notification tests: records every request (path, headers, body)
//! and answers with scripted statuses (then `202 Accepted`), so retries, `Retry-After` and
//! permanent failures can be exercised the way PagerDuty, Slack or a webhook answer. A path can
//! have its own default answer ([`Receiver::respond`]), e.g. Slack's `{"ok":true,...}` JSON.

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// The status the receiver answered.
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// A scripted answer: status, optional `Retry-After` seconds, body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<u64>,
    pub body: String,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: String::new(),
        }
    }

    /// A status with a JSON body.
    pub fn json(status: u16, body: &str) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: body.to_string(),
        }
    }
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Answer>>,
    received: Mutex<Vec<Received>>,
    /// Default answers by path, used when the script is empty.
    by_path: Mutex<HashMap<String, Answer>>,
    /// Paths answered with a status and the whole request echoed back in the body.
    echo: Mutex<HashMap<String, u16>>,
}

pub struct Receiver {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Receiver {
    /// Starts on a free loopback port, on its own thread; answers `script` in order, then 202.
    pub fn start(script: Vec<Answer>) -> Result<Receiver> {
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            ..Default::default()
        });
        let port = crate::serve::spawn("receiver", shared.clone(), handle)?;
        Ok(Receiver { port, shared })
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// The answer for `path` once the script is used up (instead of 202).
    pub fn respond(&self, path: &str, answer: Answer) {
        if let Ok(mut m) = self.shared.by_path.lock() {
            m.insert(path.to_string(), answer);
        }
    }

    /// Answers every request to `path` with `status` and a body that echoes the whole request
    /// (request line with its query, every header, the body), as some receivers' error pages
    /// do: what a sender must not copy into its logs unredacted.
    pub fn echo(&self, path: &str, status: u16) {
        if let Ok(mut m) = self.shared.echo.lock() {
            m.insert(path.to_string(), status);
        }
    }

    /// Answers to give next (before falling back to the path's answer or 202).
    pub fn script(&self, answers: Vec<Answer>) {
        if let Ok(mut s) = self.shared.script.lock() {
            *s = answers.into();
        }
    }
}

async fn handle(
    req: Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let request_line = format!(
        "{method} {} {:?}",
        req.uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/"),
        req.version()
    );
    let headers: HashMap<String, String> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = req.into_body().collect().await?.to_bytes().to_vec();
    let echo = shared
        .echo
        .lock()
        .ok()
        .and_then(|m| m.get(&path).copied())
        .map(|status| {
            let mut text = request_line.clone();
            let mut names: Vec<&String> = headers.keys().collect();
            names.sort();
            for name in names {
                text.push_str(&format!("\n{name}: {}", headers[name]));
            }
            text.push_str("\n\n");
            text.push_str(&String::from_utf8_lossy(&body));
            Answer {
                status,
                retry_after: None,
                body: text,
            }
        });
    let answer = echo.or_else(|| {
        shared
            .script
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .or_else(|| {
                shared
                    .by_path
                    .lock()
                    .ok()
                    .and_then(|m| m.get(&path).cloned())
            })
    });
    let answer = answer.unwrap_or(Answer {
        status: 202,
        retry_after: None,
        body: r#"{"status":"success","message":"Event processed"}"#.into(),
    });
    if let Ok(mut r) = shared.received.lock() {
        r.push(Received {
            method,
            path,
            headers,
            body,
            status: answer.status,
        });
    }
    let mut resp = Response::new(Full::new(Bytes::from(answer.body)));
    *resp.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(s) = answer.retry_after {
        resp.headers_mut().insert(
            "retry-after",
            s.to_string().parse().expect("digits are a valid header"),
        );
    }
    resp.headers_mut().insert(
        "content-type",
        "application/json".parse().expect("static header"),
    );
    Ok(resp)
}
