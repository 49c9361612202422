//! Turning an AWS error answer into a reason a person can act on. Shared by the SDK-based
//! listings of `driftd-aws` and this crate's own client: the same codes mean the same thing
//! whichever client met them.

use driftd_core::provider::bounded_reason;
use driftd_core::ListError;

/// Error codes that mean the identity may not make the call.
pub const ACCESS_DENIED: &[&str] = &[
    "UnauthorizedOperation",
    "AccessDenied",
    "AccessDeniedException",
    "AuthFailure",
    "OptInRequired",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "Blocked",
];
/// Error codes that mean "slow down".
pub const THROTTLED: &[&str] = &[
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
];

/// Longest part of an access denial's reason before the permission to grant, in characters.
const DENIED_DETAIL_CHARS: usize = 200;

/// `text` cut to `max` characters, the last one `…` when cut.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Longest excerpt of an answer's body quoted when it has no AWS error code, in characters.
const BODY_EXCERPT_CHARS: usize = 120;

/// An answer without an AWS error code (a proxy's or load balancer's error page, an endpoint that
/// is not AWS): its HTTP status and the start of its text, markup removed.
pub fn uncoded_answer(status: u16, message: &str, body: &[u8]) -> String {
    let mut out = format!("HTTP {status} without an AWS error code");
    if !message.is_empty() {
        out.push_str(": ");
        out.push_str(message);
        return out;
    }
    let text = String::from_utf8_lossy(body);
    let excerpt: String = bounded_reason(&without_markup(&text))
        .chars()
        .take(BODY_EXCERPT_CHARS)
        .collect();
    if !excerpt.is_empty() {
        out.push_str(": ");
        out.push_str(&excerpt);
    }
    out
}

/// Text with `<...>` tags (and what `<script>`/`<style>` hold) left out.
pub fn without_markup(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        out.push(' ');
        let tail = &rest[open..];
        let lower: String = tail
            .chars()
            .take(8)
            .collect::<String>()
            .to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            tail.to_ascii_lowercase().find("</script>").map(|i| i + 9)
        } else if lower.starts_with("<style") {
            tail.to_ascii_lowercase().find("</style>").map(|i| i + 8)
        } else {
            tail.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(i) => rest = &tail[i..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// The IAM action that allows an API operation: the same name, except for the S3 operations
/// whose permission is named otherwise.
pub fn permission<'a>(service: &str, operation: &'a str) -> &'a str {
    match (service, operation) {
        ("s3", "ListBuckets") => "ListAllMyBuckets",
        ("s3", "GetBucketTagging") => "GetBucketTagging",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        ("s3", "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        _ => operation,
    }
}

/// Classifies an answer of `operation` of `service` (the IAM action prefix: `rds`, `lambda`...)
/// that carried error `code` and `message`. An access denial names the permission to grant; an
/// answer without a code is described by `uncoded` (its status and the start of its body). The
/// reason is bounded in length ([`bounded_reason`]), never the whole body of an answer.
pub fn classify_answer(
    service: &str,
    operation: &str,
    code: &str,
    message: &str,
    uncoded: impl FnOnce() -> String,
) -> ListError {
    let detail = bounded_reason(&if code.is_empty() {
        format!("{operation}: {}", uncoded())
    } else if message.is_empty() {
        format!("{operation}: {code}")
    } else {
        format!("{operation}: {code}: {message}")
    });
    if ACCESS_DENIED.contains(&code) {
        // Room for what to grant within the report's bound.
        ListError::AccessDenied(format!(
            "{} (grant {service}:{} to driftd's identity)",
            shorten(&detail, DENIED_DETAIL_CHARS),
            permission(service, operation)
        ))
    } else if THROTTLED.contains(&code) {
        ListError::Throttled(detail)
    } else {
        ListError::Api(detail)
    }
}
