//! A small AWS client: SigV4-signed HTTPS requests in the four wire protocols AWS services speak,
//! with retries, a deadline and every attempt metered.
//!
//! - **query** (RDS, ELBv2, SNS, Auto Scaling, ElastiCache, CloudWatch): a form-encoded `POST` of
//!   `Action`, `Version` and the parameters; the answer is XML, `<XResponse><XResult>`.
//! - **JSON 1.0 / 1.1** (DynamoDB, SQS, KMS, CloudWatch Logs, EventBridge, ECR, ECS, Secrets
//!   Manager, SSM, CloudTrail, ACM, Step Functions, Kinesis): a JSON `POST /` naming the
//!   operation in `X-Amz-Target`.
//! - **REST-JSON** (Lambda, EKS, API Gateway, EFS): the operation is the method and path.
//! - **REST-XML** (Route 53, CloudFront): the same, answered in XML.
//!
//! Why not one SDK crate per service: driftd reads about forty resource types from twenty-six
//! services with a few list and describe calls each. Measured on this project's 2-core machines,
//! the generated SDK crates of those services hold about 3.5 million lines of Rust (aws-sdk-ec2
//! alone, 1.2 million, takes five minutes to build cold); this client and its XML reader build
//! in seconds, and sign with the SDK's own `aws-sigv4` and credential chain.
//!
//! Every answer becomes a [`serde_json::Value`] (XML through [`crate::xml`]), so the resource
//! types read one kind of tree whatever protocol their service speaks.

use crate::errors::{classify_answer, uncoded_answer, THROTTLED};
use crate::xml;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_smithy_runtime_api::client::identity::Identity;
use driftd_core::listing::ApiMeter;
use driftd_core::provider::bounded_reason;
use driftd_core::ListError;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::Mutex;

/// How a service is reached and which protocol it speaks.
#[derive(Debug, Clone, Copy)]
pub struct Service {
    /// The endpoint's host prefix (`rds` in `rds.eu-west-1.amazonaws.com`).
    pub endpoint_prefix: &'static str,
    /// The SigV4 service name (`elasticloadbalancing` for ELBv2, `execute-api`...).
    pub signing_name: &'static str,
    /// The IAM action prefix named when access is denied (`rds`, `elasticloadbalancing`).
    pub iam_prefix: &'static str,
    pub protocol: Protocol,
    /// A global service is served from one endpoint (`route53.amazonaws.com`) signed for this
    /// region of the partition, whatever region the unit lists.
    pub global: bool,
}

#[derive(Debug, Clone, Copy)]
pub enum Protocol {
    /// The query protocol with its API version (`2014-10-31`).
    Query {
        version: &'static str,
    },
    /// JSON 1.0 or 1.1 with the `X-Amz-Target` prefix (`AmazonSQS`, `TrentService`).
    Json {
        version: &'static str,
        target: &'static str,
    },
    RestJson,
    RestXml,
}

/// What all the units of one scan share: credentials (fetched once, refreshed before they
/// expire), the HTTP connection pool and the target's settings.
pub struct Shared {
    http: reqwest::Client,
    credentials: SharedCredentialsProvider,
    cached: Mutex<Option<Credentials>>,
    /// An alternative endpoint for every service (an emulator such as moto).
    endpoint_url: Option<String>,
    max_attempts: u32,
}

impl Shared {
    /// `first`: credentials the caller already obtained from the same chain (its up-front
    /// check), used until they are about to expire.
    pub fn new(
        credentials: SharedCredentialsProvider,
        first: Option<Credentials>,
        endpoint_url: Option<String>,
        max_attempts: u32,
        operation_timeout: Duration,
        connect_timeout: Duration,
    ) -> Result<Shared, String> {
        let http = reqwest::Client::builder()
            .timeout(operation_timeout)
            .connect_timeout(connect_timeout)
            .build()
            .map_err(|e| format!("the HTTP client could not be built: {e}"))?;
        Ok(Shared {
            http,
            credentials,
            cached: Mutex::new(first),
            endpoint_url: endpoint_url.map(|u| u.trim_end_matches('/').to_string()),
            max_attempts: max_attempts.max(1),
        })
    }

    /// Credentials valid for at least five more minutes, from the cache or the chain.
    async fn credentials(&self) -> Result<Credentials, ListError> {
        let mut cached = self.cached.lock().await;
        let fresh = |c: &Credentials| {
            c.expiry()
                .is_none_or(|e| e > SystemTime::now() + Duration::from_secs(300))
        };
        if let Some(c) = cached.as_ref().filter(|c| fresh(c)) {
            return Ok(c.clone());
        }
        let c = self
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| ListError::Api(bounded_reason(&format!("no AWS credentials: {e}"))))?;
        *cached = Some(c.clone());
        Ok(c)
    }
}

/// The client of one unit of listing work: one region, one meter.
#[derive(Clone)]
pub struct ApiClient {
    shared: Arc<Shared>,
    region: String,
    meter: ApiMeter,
}

/// One failed call: the service's error code (empty when the answer had none), and the reason
/// fit for a report.
#[derive(Debug)]
pub struct CallError {
    pub code: String,
    pub status: u16,
    pub error: ListError,
}

impl CallError {
    /// The resource named in the call no longer exists (deleted between the list and the read):
    /// the caller drops it instead of failing the unit.
    pub fn is_not_found(&self) -> bool {
        self.status == 404
            || self.code.ends_with("NotFound")
            || self.code.ends_with("NotFoundException")
            || self.code.ends_with("NotFoundFault")
            || self.code.starts_with("NoSuch")
            || self.code == "ResourceNotFoundException"
    }
}

impl From<CallError> for ListError {
    fn from(e: CallError) -> ListError {
        e.error
    }
}

/// Characters left as they are in a query string or form body (RFC 3986 unreserved).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `key=value&...`, percent-encoded as SigV4 canonicalizes it.
pub fn form(params: &[(&str, String)]) -> String {
    params
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                utf8_percent_encode(k, QUERY),
                utf8_percent_encode(v, QUERY)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// One path segment, percent-encoded (a name with `/` or `:` in it stays one segment).
pub fn segment(s: &str) -> String {
    utf8_percent_encode(s, QUERY).to_string()
}

impl ApiClient {
    pub fn new(shared: Arc<Shared>, region: &str, meter: ApiMeter) -> Self {
        ApiClient {
            shared,
            region: region.to_string(),
            meter,
        }
    }

    pub fn region(&self) -> &str {
        &self.region
    }

    /// A query-protocol call: the `<Action>Result` element of the answer.
    pub async fn query(
        &self,
        service: &Service,
        action: &str,
        params: &[(&str, String)],
    ) -> Result<Value, CallError> {
        let Protocol::Query { version } = service.protocol else {
            return Err(misuse(action, "is not a query-protocol service"));
        };
        let mut all: Vec<(&str, String)> =
            vec![("Action", action.to_string()), ("Version", version.into())];
        all.extend(params.iter().cloned());
        let body = form(&all);
        let answer = self
            .send(
                service,
                action,
                "POST",
                "/",
                "",
                Some(("application/x-www-form-urlencoded; charset=utf-8", body)),
                &[],
            )
            .await?;
        let (_, doc) = xml::parse(&answer).map_err(|e| api_error(service, action, &e))?;
        Ok(doc
            .get(format!("{action}Result"))
            .cloned()
            .unwrap_or(Value::Null))
    }

    /// A JSON 1.0/1.1 call of `operation` with `input`: the answer's document.
    pub async fn json(
        &self,
        service: &Service,
        operation: &str,
        input: Value,
    ) -> Result<Value, CallError> {
        let Protocol::Json { version, target } = service.protocol else {
            return Err(misuse(operation, "is not a JSON-protocol service"));
        };
        let content_type = format!("application/x-amz-json-{version}");
        let target = format!("{target}.{operation}");
        let answer = self
            .send(
                service,
                operation,
                "POST",
                "/",
                "",
                Some((&content_type, input.to_string())),
                &[("x-amz-target", &target)],
            )
            .await?;
        json_document(service, operation, &answer)
    }

    /// A REST call (`GET path?query`): the answer as JSON (REST-JSON) or XML's root element
    /// (REST-XML). `path` and `query` are already percent-encoded ([`segment`], [`form`]).
    pub async fn rest(
        &self,
        service: &Service,
        operation: &str,
        path: &str,
        query: &str,
    ) -> Result<Value, CallError> {
        let answer = self
            .send(service, operation, "GET", path, query, None, &[])
            .await?;
        match service.protocol {
            Protocol::RestXml => {
                let (_, doc) =
                    xml::parse(&answer).map_err(|e| api_error(service, operation, &e))?;
                Ok(doc)
            }
            _ => json_document(service, operation, &answer),
        }
    }

    /// The endpoint's base URL and the region to sign for.
    fn endpoint(&self, service: &Service) -> (String, String) {
        let china = self.region.starts_with("cn-");
        let signing_region = match (service.global, china) {
            (true, true) => "cn-northwest-1".to_string(),
            (true, false) => "us-east-1".to_string(),
            (false, _) => self.region.clone(),
        };
        if let Some(url) = &self.shared.endpoint_url {
            return (url.clone(), signing_region);
        }
        let suffix = if china {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        };
        let host = if service.global {
            format!("{}.{suffix}", service.endpoint_prefix)
        } else {
            format!("{}.{}.{suffix}", service.endpoint_prefix, self.region)
        };
        (format!("https://{host}"), signing_region)
    }

    /// Sends one call, retrying throttling, server errors and connection failures with
    /// exponential backoff up to the target's attempts; every attempt is metered.
    #[allow(clippy::too_many_arguments)]
    async fn send(
        &self,
        service: &Service,
        operation: &str,
        method: &str,
        path: &str,
        query: &str,
        body: Option<(&str, String)>,
        extra_headers: &[(&str, &str)],
    ) -> Result<String, CallError> {
        let (base, signing_region) = self.endpoint(service);
        let url = if query.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{query}")
        };
        let mut delay = Duration::from_millis(200);
        let mut attempt = 1;
        loop {
            let result = self
                .attempt(
                    service,
                    operation,
                    method,
                    &url,
                    &signing_region,
                    body.as_ref(),
                    extra_headers,
                )
                .await;
            let retry = match &result {
                Ok(_) => false,
                Err(e) => retryable(e),
            };
            self.meter.attempt(
                matches!(&result, Err(e) if e.status == 429 || THROTTLED.contains(&e.code.as_str())),
            );
            if !retry || attempt >= self.shared.max_attempts {
                return result;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
            attempt += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn attempt(
        &self,
        service: &Service,
        operation: &str,
        method: &str,
        url: &str,
        signing_region: &str,
        body: Option<&(&str, String)>,
        extra_headers: &[(&str, &str)],
    ) -> Result<String, CallError> {
        let creds = self.shared.credentials().await.map_err(|error| CallError {
            code: String::new(),
            status: 0,
            error,
        })?;
        let payload = body.map(|(_, b)| b.as_str()).unwrap_or("");
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some((content_type, _)) = body {
            headers.push(("content-type", content_type));
        }
        headers.extend_from_slice(extra_headers);
        let signed = sign_headers(
            &creds,
            method,
            url,
            &headers,
            payload.as_bytes(),
            service.signing_name,
            signing_region,
            SystemTime::now(),
        )
        .map_err(|e| misuse(operation, &e))?;
        let m = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| misuse(operation, "has an invalid method"))?;
        let mut req = self.shared.http.request(m, url);
        for (k, v) in &headers {
            req = req.header(*k, *v);
        }
        for (k, v) in &signed {
            req = req.header(k, v);
        }
        if body.is_some() {
            req = req.body(payload.to_string());
        }
        let resp = req.send().await.map_err(|e| transport(operation, &e))?;
        let status = resp.status().as_u16();
        let header_code = resp
            .headers()
            .get("x-amzn-errortype")
            .or_else(|| resp.headers().get("x-amzn-query-error"))
            .and_then(|v| v.to_str().ok())
            .map(error_code);
        let bytes = resp.bytes().await.map_err(|e| transport(operation, &e))?;
        if (200..300).contains(&status) {
            return String::from_utf8(bytes.to_vec())
                .map_err(|_| api_error(service, operation, "the answer is not UTF-8"));
        }
        let (code, message) = error_of(&bytes, header_code);
        let error = classify_answer(service.iam_prefix, operation, &code, &message, || {
            uncoded_answer(status, &message, &bytes)
        });
        Err(CallError {
            code,
            status,
            error,
        })
    }
}

/// Whether an attempt that failed is worth another.
fn retryable(e: &CallError) -> bool {
    e.status == 429
        || e.status >= 500
        || THROTTLED.contains(&e.code.as_str())
        || matches!(e.error, ListError::Connection(_) | ListError::Timeout(_))
}

/// The SigV4 headers (`authorization`, `x-amz-date`, the session token) for one request.
#[allow(clippy::too_many_arguments)]
pub fn sign_headers(
    creds: &Credentials,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    signing_name: &str,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    let identity: Identity = creds.clone().into();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("the request could not be signed: {e}"))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("the request could not be signed: {e}"))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| format!("the request could not be signed: {e}"))?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// `com.amazonaws.sqs#QueueDoesNotExist` or `QueueDoesNotExist:http://...` → the bare code.
fn error_code(raw: &str) -> String {
    let raw = raw.rsplit('#').next().unwrap_or(raw);
    raw.split([':', ';'])
        .next()
        .unwrap_or(raw)
        .trim()
        .to_string()
}

/// The code and message of an error answer in any of the protocols: JSON's `__type`/`code` and
/// `message`, XML's `<Error><Code>` and `<Message>`, or a header's code.
fn error_of(body: &[u8], header_code: Option<String>) -> (String, String) {
    let text = String::from_utf8_lossy(body);
    let mut code = header_code.unwrap_or_default();
    let mut message = String::new();
    if let Ok(v) = serde_json::from_str::<Value>(&text) {
        if code.is_empty() {
            for k in ["__type", "code", "Code"] {
                if let Some(c) = v.get(k).and_then(Value::as_str) {
                    code = error_code(c);
                    break;
                }
            }
        }
        for k in ["message", "Message", "errorMessage"] {
            if let Some(m) = v.get(k).and_then(Value::as_str) {
                message = m.to_string();
                break;
            }
        }
    } else if let Ok((_, v)) = xml::parse(&text) {
        // `<ErrorResponse><Error>` (query, REST-XML) or EC2's `<Response><Errors><Error>`.
        let err = v
            .get("Error")
            .or_else(|| v.get("Errors").and_then(|e| e.get("Error")))
            .unwrap_or(&v);
        let err = match err {
            Value::Array(a) => a.first().unwrap_or(&Value::Null),
            e => e,
        };
        if code.is_empty() {
            code = err["Code"].as_str().unwrap_or("").to_string();
        }
        message = err["Message"].as_str().unwrap_or("").to_string();
    }
    (code, message)
}

fn json_document(service: &Service, operation: &str, answer: &str) -> Result<Value, CallError> {
    if answer.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(answer)
        .map_err(|e| api_error(service, operation, &format!("the answer is not JSON: {e}")))
}

fn api_error(service: &Service, operation: &str, what: &str) -> CallError {
    CallError {
        code: String::new(),
        status: 0,
        error: ListError::Api(bounded_reason(&format!(
            "{operation} ({}): {what}",
            service.endpoint_prefix
        ))),
    }
}

fn misuse(operation: &str, what: &str) -> CallError {
    CallError {
        code: String::new(),
        status: 0,
        error: ListError::Api(bounded_reason(&format!("{operation}: {what}"))),
    }
}

fn transport(operation: &str, e: &reqwest::Error) -> CallError {
    let error = if e.is_timeout() {
        ListError::Timeout(format!("{operation} did not answer in time"))
    } else {
        // reqwest's Display names the URL, which holds no secret (the signature is a header).
        let mut text = e.to_string();
        let mut next = std::error::Error::source(e);
        while let Some(cause) = next {
            let c = cause.to_string();
            if !text.contains(&c) {
                text.push_str(": ");
                text.push_str(&c);
            }
            next = cause.source();
        }
        ListError::Connection(bounded_reason(&format!("{operation}: {text}")))
    };
    CallError {
        code: String::new(),
        status: 0,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_sigv4_reference_example() {
        // The "get-vanilla" case of AWS's published SigV4 test suite: its documented key pair,
        // date and expected signature.
        let creds = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "test",
        );
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_440_938_160); // 2015-08-30T12:36:00Z
        let signed = sign_headers(
            &creds,
            "GET",
            "https://example.amazonaws.com/",
            &[],
            b"",
            "service",
            "us-east-1",
            time,
        )
        .expect("signed");
        let auth = signed
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.as_str())
            .expect("authorization header");
        assert!(
            auth.starts_with(
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request"
            ),
            "{auth}"
        );
        assert!(
            auth.ends_with(
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
            ),
            "{auth}"
        );
        assert!(signed
            .iter()
            .any(|(k, v)| k == "x-amz-date" && v == "20150830T123600Z"));
    }

    #[test]
    fn error_codes_are_read_from_every_protocol() {
        let json = br#"{"__type":"com.amazonaws.kms#AccessDeniedException","message":"no"}"#;
        assert_eq!(
            error_of(json, None),
            ("AccessDeniedException".into(), "no".into())
        );
        let xml = b"<ErrorResponse><Error><Type>Sender</Type><Code>DBInstanceNotFound</Code>\
                    <Message>gone</Message></Error></ErrorResponse>";
        assert_eq!(
            error_of(xml, None),
            ("DBInstanceNotFound".into(), "gone".into())
        );
        let rest = br#"{"message":"Function not found"}"#;
        assert_eq!(
            error_of(rest, Some(error_code("ResourceNotFoundException:http://x"))),
            (
                "ResourceNotFoundException".into(),
                "Function not found".into()
            )
        );
        assert_eq!(error_of(b"<html>bad gateway", None).0, "");
        let ec2 = b"<Response><Errors><Error><Code>UnauthorizedOperation</Code>\
                    <Message>no</Message></Error></Errors><RequestID>1</RequestID></Response>";
        assert_eq!(
            error_of(ec2, None),
            ("UnauthorizedOperation".into(), "no".into())
        );
    }

    #[test]
    fn form_encoding_is_sigv4_canonical() {
        assert_eq!(
            form(&[("Filter.1.Name", "a b/c~".into()), ("X", "é".into())]),
            "Filter.1.Name=a%20b%2Fc~&X=%C3%A9"
        );
        assert_eq!(segment("arn:aws:x/y"), "arn%3Aaws%3Ax%2Fy");
    }
}
