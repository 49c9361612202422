//! AWS answers through the real client and mappings of `driftd-aws-services`: the first byte
//! picks a resource type of `registry()`, the rest are the answers a loopback HTTP server gives
//! to its calls; `ResourceKind::list` then reads them as against AWS (query/XML, JSON 1.0/1.1,
//! REST-JSON, REST-XML; paging, per-resource reads, error classification). Never a panic, never
//! a hang, a number of calls bounded by the size of the answers (a listing stops on answers
//! that repeat), and every error reason fit for a report (bounded, no control characters).
//!
//! Input: `kind`, then answers separated by NUL bytes, each `status` then its body. Call `i`
//! of the listing gets answer `i` (the last one for every call after it); calls made at once
//! (per-resource reads) may take them in any order, so answers past the first few are best
//! kept the same. `status % 16` picks 200 (0-9), 400, 403, 404, 429, 500 or 503 (`0` to `9`
//! for 200, `:;<=>?` for the others); with bit 0x40 (`@` to `O`) the body's first line is sent
//! as the `x-amzn-ErrorType` header instead. Seeds are in fuzz/seeds/aws_answers/ (first byte
//! = index in `registry()`: keep them in step with it; `AWS_ANSWERS_TRACE=1 BINARY FILE...`
//! prints each input's type, calls and outcome).
#![no_main]

use driftd_aws_services::{registry, ApiClient, Kinds, Shared, GLOBAL_SCOPE, GLOBAL_TYPES};
use driftd_core::listing::ApiMeter;
use driftd_core::provider::{NoProgress, MAX_REASON_CHARS};
use driftd_core::ListError;
use libfuzzer_sys::fuzz_target;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The statuses an answer may have (`status % 16`): mostly success.
const STATUSES: [u16; 16] = [
    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 403, 404, 429, 500, 503,
];

/// Longest a listing of answers from a loopback server may take: far more than any input needs
/// (a few milliseconds), well under libFuzzer's `-timeout`.
const LIST_DEADLINE: Duration = Duration::from_secs(8);

struct Answer {
    status: u16,
    error_type: Option<String>,
    body: Vec<u8>,
}

/// What the server answers during the current execution.
#[derive(Default)]
struct Script {
    answers: Vec<Answer>,
    served: usize,
    /// Calls allowed for this input; past it the server answers 500 and `over` is set.
    budget: usize,
    over: bool,
}

struct Harness {
    runtime: tokio::runtime::Runtime,
    shared: Arc<Shared>,
    kinds: Kinds,
    script: Arc<Mutex<Script>>,
}

fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(|| {
        let script = Arc::new(Mutex::new(Script::default()));
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("local address"));
        let served = script.clone();
        std::thread::spawn(move || serve(listener, served));
        let creds =
            aws_credential_types::Credentials::new("AKIDFUZZ", "secret", None, None, "fuzz");
        let shared = Shared::new(
            aws_credential_types::provider::SharedCredentialsProvider::new(creds.clone()),
            Some(creds),
            Some(url),
            1,
            Duration::from_secs(5),
            Duration::from_secs(1),
        )
        .expect("the client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Harness {
            runtime,
            shared: Arc::new(shared),
            kinds: registry(),
            script,
        }
    })
}

/// Serves each connection on a thread of its own (the client keeps connections open and makes
/// several calls at once).
fn serve(listener: TcpListener, script: Arc<Mutex<Script>>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let script = script.clone();
        std::thread::spawn(move || connection(stream, script));
    }
}

/// Answers each request of one kept-alive connection with the script's next answer, until the
/// client closes it.
fn connection(mut stream: TcpStream, script: Arc<Mutex<Script>>) {
    let _ = stream.set_nodelay(true);
    let mut buf = Vec::with_capacity(8192);
    while read_request(&mut stream, &mut buf).is_some() {
        let response = {
            let mut s = script.lock().unwrap_or_else(|e| e.into_inner());
            s.served += 1;
            if s.served > s.budget {
                s.over = true;
                response(500, None, b"{\"message\":\"call budget exceeded\"}")
            } else if let Some(a) = s.answers.get(s.served - 1).or(s.answers.last()) {
                response(a.status, a.error_type.as_deref(), &a.body)
            } else {
                response(200, None, b"")
            }
        };
        if stream.write_all(&response).is_err() {
            return;
        }
    }
}

/// Reads one HTTP/1.1 request (headers, then `Content-Length` bytes of body); `buf` holds what
/// was read past it. `None` when the client closed the connection.
fn read_request(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    buf.drain(..head_end + length);
    Some(())
}

fn response(status: u16, error_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Fuzz\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    if let Some(t) = error_type {
        out.extend_from_slice(format!("x-amzn-ErrorType: {t}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

fn answer(raw: &[u8]) -> Answer {
    let (status, body) = raw.split_first().map_or((0, raw), |(s, b)| (*s, b));
    let code = STATUSES[usize::from(status % 16)];
    if status & 0x40 == 0 {
        return Answer {
            status: code,
            error_type: None,
            body: body.to_vec(),
        };
    }
    let (line, rest) = match body.iter().position(|&b| b == b'\n') {
        Some(at) => (&body[..at], &body[at + 1..]),
        None => (body, &[][..]),
    };
    // A header value: visible ASCII and spaces only.
    let line: String = line
        .iter()
        .filter(|b| b.is_ascii_graphic() || **b == b' ')
        .map(|&b| char::from(b))
        .collect();
    Answer {
        status: code,
        error_type: Some(line.trim().to_string()),
        body: rest.to_vec(),
    }
}

/// The calls an input of `len` bytes may take: each item of a list costs a few bytes of answer
/// and a few calls, a page loop on answers that repeat costs no bytes at all.
fn budget(len: usize) -> usize {
    64 + 8 * len
}

/// `AWS_ANSWERS_TRACE=1`: each input's type, calls and outcome on stderr (to check seeds).
fn trace() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| std::env::var_os("AWS_ANSWERS_TRACE").is_some())
}

/// A reason a report may show: bounded, on one line, without escape sequences.
fn check_reason(what: &str, e: &ListError) {
    let reason = match e {
        ListError::AccessDenied(m)
        | ListError::Throttled(m)
        | ListError::Timeout(m)
        | ListError::Connection(m)
        | ListError::Api(m) => m,
    };
    assert!(
        !reason.chars().any(char::is_control),
        "{what}: a control character in the reason {reason:?}"
    );
    assert!(
        reason.chars().count() <= MAX_REASON_CHARS,
        "{what}: a reason of {} characters: {reason:?}",
        reason.chars().count()
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let h = harness();
    let kind = &h.kinds[usize::from(pick) % h.kinds.len()];
    let spec = kind.spec();
    {
        let mut s = h.script.lock().unwrap_or_else(|e| e.into_inner());
        *s = Script {
            answers: rest.split(|&b| b == 0).map(answer).collect(),
            served: 0,
            budget: budget(data.len()),
            over: false,
        };
    }
    let scope = if GLOBAL_TYPES.contains(&spec.resource_type) {
        GLOBAL_SCOPE
    } else {
        "eu-west-1"
    };
    let meter = ApiMeter::new("aws", Arc::new(NoProgress));
    let client = ApiClient::new(h.shared.clone(), scope, meter);
    let result = h
        .runtime
        .block_on(async { tokio::time::timeout(LIST_DEADLINE, kind.list(&client, scope)).await });
    let (served, over) = {
        let s = h.script.lock().unwrap_or_else(|e| e.into_inner());
        (s.served, s.over)
    };
    let Ok(result) = result else {
        panic!(
            "{}: the listing did not end in {LIST_DEADLINE:?} ({served} calls)",
            spec.resource_type
        );
    };
    assert!(
        !over,
        "{}: more than {} calls for {} bytes of answers: a listing must stop on answers that repeat",
        spec.resource_type,
        budget(data.len()),
        data.len()
    );
    if trace() {
        match &result {
            Ok(l) => eprintln!(
                "{}: {served} calls, {} resources {:?}, {} unread",
                spec.resource_type,
                l.resources.len(),
                l.resources
                    .iter()
                    .map(|r| r.key.id.as_str())
                    .collect::<Vec<_>>(),
                l.unread_attributes.len()
            ),
            Err(e) => eprintln!("{}: {served} calls, error: {e}", spec.resource_type),
        }
    }
    match result {
        Ok(listing) => {
            for r in &listing.resources {
                assert_eq!(r.key.provider, "aws");
                assert_eq!(r.key.resource_type, spec.resource_type);
                std::hint::black_box((&r.key.id, r.attrs.len()));
            }
            for (attr, e) in &listing.unread_attributes {
                check_reason(&format!("{} unread {attr}", spec.resource_type), e);
            }
        }
        Err(e) => check_reason(spec.resource_type, &e),
    }
});
