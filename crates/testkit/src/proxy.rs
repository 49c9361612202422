//! A fault-injecting HTTP proxy in front of moto. moto cannot deny, throttle or stall on purpose;
//! this proxy answers chosen (region, action) pairs itself with the EC2 error documents AWS sends,
//! and forwards everything else unchanged.

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpStream;

/// What the proxy does with a matching request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// 403 `UnauthorizedOperation`, as EC2 answers a missing IAM permission.
    Deny,
    /// 503 `RequestLimitExceeded`, as EC2 throttles.
    Throttle,
    /// Forward after a delay.
    Delay(Duration),
    /// Answer with this status and body as they are (a load balancer's error page, an answer
    /// without an AWS error code, an oversized or garbled error document).
    Raw { status: u16, body: String },
}

/// Requests matching both (where set) get the fault.
#[derive(Debug, Clone)]
pub struct Rule {
    pub region: Option<String>,
    pub action: Option<String>,
    pub fault: Fault,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Rule>>,
    requests: AtomicU64,
    faults: AtomicU64,
    /// The query action of every request, in arrival order.
    actions: Mutex<Vec<String>>,
}

/// A running proxy; it stops with the test process.
pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
}

impl Proxy {
    /// Starts a proxy to `127.0.0.1:upstream_port` on a free loopback port, on its own thread.
    pub fn start(upstream_port: u16, rules: Vec<Rule>) -> Result<Proxy> {
        let shared = Arc::new(Shared {
            rules: Mutex::new(rules),
            ..Default::default()
        });
        let port = crate::serve::spawn("proxy", shared.clone(), move |req, state| {
            handle(req, upstream_port, state)
        })?;
        Ok(Proxy { port, shared })
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set_rules(&self, rules: Vec<Rule>) {
        if let Ok(mut r) = self.shared.rules.lock() {
            *r = rules;
        }
    }

    /// Requests seen so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// How many requests of `action` arrived (retries included).
    pub fn count(&self, action: &str) -> usize {
        self.shared
            .actions
            .lock()
            .map(|a| a.iter().filter(|x| *x == action).count())
            .unwrap_or(0)
    }

    /// Requests answered with a fault so far.
    pub fn faults(&self) -> u64 {
        self.shared.faults.load(Ordering::SeqCst)
    }
}

/// The region of a SigV4-signed request: `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn region_of(req: &Request<Incoming>) -> Option<String> {
    let auth = req.headers().get("authorization")?.to_str().ok()?;
    let cred = auth.split("Credential=").nth(1)?;
    cred.split('/').nth(2).map(str::to_string)
}

/// The EC2 query action from a form-encoded body.
fn action_of(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_string)
}

fn ec2_error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code>\
         <Message>{message}</Message></Error></Errors><RequestID>driftd-proxy</RequestID></Response>"
    );
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        "content-type",
        "text/xml;charset=UTF-8".parse().expect("static header"),
    );
    resp
}

async fn handle(
    req: Request<Incoming>,
    upstream: u16,
    shared: Arc<Shared>,
) -> Result<Response<Full<Bytes>>, hyper::Error> {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let region = region_of(&req);
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let action = action_of(&body);
    if let (Some(a), Ok(mut seen)) = (&action, shared.actions.lock()) {
        seen.push(a.clone());
    }

    let fault = shared.rules.lock().ok().and_then(|rules| {
        rules
            .iter()
            .find(|r| {
                r.region.as_ref().is_none_or(|x| Some(x) == region.as_ref())
                    && r.action.as_ref().is_none_or(|x| Some(x) == action.as_ref())
            })
            .map(|r| r.fault.clone())
    });
    match fault {
        Some(Fault::Deny) => {
            shared.faults.fetch_add(1, Ordering::SeqCst);
            return Ok(ec2_error(
                StatusCode::FORBIDDEN,
                "UnauthorizedOperation",
                "You are not authorized to perform this operation.",
            ));
        }
        Some(Fault::Throttle) => {
            shared.faults.fetch_add(1, Ordering::SeqCst);
            return Ok(ec2_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "RequestLimitExceeded",
                "Request limit exceeded.",
            ));
        }
        Some(Fault::Raw { status, body }) => {
            shared.faults.fetch_add(1, Ordering::SeqCst);
            let mut resp = Response::new(Full::new(Bytes::from(body)));
            *resp.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Ok(resp);
        }
        Some(Fault::Delay(d)) => {
            shared.faults.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(d).await;
        }
        None => {}
    }

    let forward = async {
        let stream = TcpStream::connect(("127.0.0.1", upstream)).await?;
        let (mut sender, conn) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(conn);
        let resp = sender
            .send_request(Request::from_parts(parts, Full::new(body)))
            .await?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await?.to_bytes();
        anyhow::Ok(Response::from_parts(parts, Full::new(body)))
    };
    match forward.await {
        Ok(resp) => Ok(resp),
        // Upstream gone (moto stopped): a gateway error, as a real load balancer would answer.
        Err(_) => Ok(ec2_error(
            StatusCode::BAD_GATEWAY,
            "InternalError",
            "upstream unavailable",
        )),
    }
}
