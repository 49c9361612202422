//! The false-positive check every type's unit tests run: a live resource, mapped from an answer
//! written as the API reference documents it, against what Terraform records in state for the
//! same resource, through the real analyzer with the type's own spec.
//!
//! [`assert_in_sync`] is a case of the false-positive corpus (same meaning written differently:
//! policy JSON, ARNs vs names, defaults the API fills in); [`changed_paths`] is its near miss
//! (real drift still found).

use driftd_core::{analyze, AnalyzeInput, FindingKind, Resource, TypeSpec};
use serde_json::Value;
use std::collections::BTreeSet;

fn run(spec: &'static TypeSpec, state_attrs: Value, live: &Resource) -> Vec<driftd_core::Finding> {
    let mut state = Resource::new(spec.provider, spec.resource_type, &live.key.id);
    state.region = live.region.clone();
    state.attrs = serde_json::from_value(state_attrs).expect("state attributes are an object");
    state.address = Some(format!("{}.this", spec.resource_type));
    state.source = Some("terraform.tfstate".into());
    let region = live.region.clone().unwrap_or_default();
    let scanned: BTreeSet<(String, String, String)> =
        [(spec.provider.into(), spec.resource_type.into(), region)].into();
    let a = analyze(&AnalyzeInput {
        target: "false-positives",
        specs: &[spec],
        expected: &[state],
        live: std::slice::from_ref(live),
        scanned: &scanned,
        skipped: &[],
        include_cloud_defaults: false,
    });
    a.findings
}

/// `live` and the state attributes mean the same thing: no finding.
#[track_caller]
pub fn assert_in_sync(spec: &'static TypeSpec, state_attrs: Value, live: &Resource) {
    let f = run(spec, state_attrs, live);
    assert!(f.is_empty(), "expected no drift, got {f:#?}");
}

/// The paths of the one `changed` finding between the state attributes and `live`.
#[track_caller]
pub fn changed_paths(spec: &'static TypeSpec, state_attrs: Value, live: &Resource) -> Vec<String> {
    let f = run(spec, state_attrs, live);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    assert_eq!(f[0].kind, FindingKind::Changed);
    f[0].changes.iter().map(|c| c.path.clone()).collect()
}

/// A client whose every call is answered by a loopback server with `status`, `content_type` and
/// `body`, whatever the request (for paging that never ends, answers cut short).
pub fn client_answering(
    status: u16,
    content_type: &'static str,
    body: &'static str,
) -> crate::ApiClient {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(conn) = conn else { continue };
            std::thread::spawn(move || {
                let mut r = BufReader::new(conn.try_clone().expect("clone"));
                let mut w = conn;
                loop {
                    let mut length = 0usize;
                    let mut line = String::new();
                    loop {
                        line.clear();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut request = vec![0u8; length];
                    if r.read_exact(&mut request).is_err() {
                        return;
                    }
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if w.write_all(answer.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    let credentials =
        aws_credential_types::Credentials::new("AKIDTEST", "secret", None, None, "test");
    let shared = crate::Shared::new(
        aws_credential_types::provider::SharedCredentialsProvider::new(credentials.clone()),
        Some(credentials),
        Some(format!("http://127.0.0.1:{port}")),
        1,
        std::time::Duration::from_secs(10),
        std::time::Duration::from_secs(5),
    )
    .expect("client");
    crate::ApiClient::new(
        std::sync::Arc::new(shared),
        "us-east-1",
        driftd_core::listing::ApiMeter::new(
            "aws",
            std::sync::Arc::new(driftd_core::provider::NoProgress),
        ),
    )
}
