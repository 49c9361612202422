//! SDK configuration and error classification.

use crate::metering::AttemptMeter;
use aws_config::retry::RetryConfig;
use aws_config::sts::AssumeRoleProvider;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::config::ProvideCredentials;
use aws_sdk_ec2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::Client;
pub use driftd_aws_services::errors::{classify_answer, ACCESS_DENIED};
#[cfg(test)]
use driftd_aws_services::errors::{shorten, without_markup};
use driftd_core::provider::bounded_reason;
use driftd_core::{ListError, ProviderError};
use std::time::Duration;

/// What a target says about reaching AWS. Credentials always come from the standard chain
/// (environment, profile, SSO, web identity, instance or container role).
#[derive(Debug, Clone)]
pub struct AwsSettings {
    pub regions: Vec<String>,
    /// A named profile of the shared config files.
    pub profile: Option<String>,
    /// An alternative endpoint (an emulator such as moto).
    pub endpoint_url: Option<String>,
    /// A role to assume with the chain's credentials.
    pub assume_role_arn: Option<String>,
    pub external_id: Option<String>,
    /// Attempts per API call, the first included (standard retry mode with backoff).
    pub max_attempts: u32,
    /// Deadline of one API call, retries included.
    pub operation_timeout: Duration,
    pub connect_timeout: Duration,
}

impl Default for AwsSettings {
    fn default() -> Self {
        AwsSettings {
            regions: vec!["us-east-1".into()],
            profile: None,
            endpoint_url: None,
            assume_role_arn: None,
            external_id: None,
            max_attempts: 5,
            operation_timeout: crate::DEFAULT_OPERATION_TIMEOUT,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Loads the SDK configuration and checks that credentials can be had, so that "no credentials"
/// is one clear error instead of every scope being skipped.
pub async fn load_config(s: &AwsSettings) -> Result<SdkConfig, ProviderError> {
    load_checked(s).await.map(|(config, _)| config)
}

/// [`load_config`], with the credentials its check obtained: the signed client of
/// `driftd-aws-services` starts from them instead of asking the chain again (an assumed role is
/// assumed once per scan, not once per client).
pub async fn load_checked(
    s: &AwsSettings,
) -> Result<(SdkConfig, driftd_aws_services::Credentials), ProviderError> {
    // A target of global services only lists no region: its endpoints (IAM, STS) are those of
    // the environment's region, which picks the partition, else us-east-1's.
    let first_region = match s.regions.first() {
        Some(r) => r.clone(),
        None => crate::region::default_region(s.profile.as_deref())
            .await
            .map(|d| d.region)
            .unwrap_or_else(|| "us-east-1".into()),
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(first_region))
        .retry_config(RetryConfig::standard().with_max_attempts(s.max_attempts.max(1)))
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(s.operation_timeout)
                .connect_timeout(s.connect_timeout)
                .build(),
        );
    if let Some(p) = &s.profile {
        loader = loader.profile_name(p);
    }
    if let Some(url) = &s.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let mut config = loader.load().await;

    if let Some(arn) = &s.assume_role_arn {
        let mut builder = AssumeRoleProvider::builder(arn)
            .session_name("driftd")
            .configure(&config);
        if let Some(id) = &s.external_id {
            builder = builder.external_id(id);
        }
        let provider = builder.build().await;
        config = config
            .into_builder()
            .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(
                provider,
            ))
            .build();
    }

    let Some(creds) = config.credentials_provider() else {
        return Err(no_credentials("no credentials provider is configured"));
    };
    match creds.provide_credentials().await {
        Ok(c) => Ok((config, c)),
        Err(e) => Err(no_credentials(&causes(&e))),
    }
}

/// What the signed client of `driftd-aws-services` shares over one scan: the loaded
/// configuration's credential chain (its assumed role included), the endpoint, attempts and
/// timeouts of the target.
pub fn api_shared(
    config: &SdkConfig,
    checked: driftd_aws_services::Credentials,
    s: &AwsSettings,
) -> Result<driftd_aws_services::Shared, ProviderError> {
    let Some(creds) = config.credentials_provider() else {
        return Err(no_credentials("no credentials provider is configured"));
    };
    driftd_aws_services::Shared::new(
        creds,
        Some(checked),
        s.endpoint_url.clone(),
        s.max_attempts,
        s.operation_timeout,
        s.connect_timeout,
    )
    .map_err(ProviderError::Config)
}

/// An error and its sources, Display only (the SDK's Debug forms repeat everything).
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = cause.source();
    }
    out
}

fn no_credentials(detail: &str) -> ProviderError {
    ProviderError::Credentials {
        provider: crate::PROVIDER.into(),
        message: format!(
            "{}; set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the target's \
             `profile`, or run where an instance or container role is available",
            bounded_reason(detail)
        ),
    }
}

/// An EC2 client for one region, sharing the loaded configuration.
pub fn ec2_client(base: &SdkConfig, region: &str) -> Client {
    let conf = aws_sdk_ec2::config::Builder::from(base)
        .region(Region::new(region.to_string()))
        .build();
    Client::from_conf(conf)
}

/// An EC2 client for one region whose every API call attempt `meter` counts. One per unit of
/// work, so that each unit's count is its own; the loaded configuration, credentials and their
/// cache included, is still shared.
pub fn metered_ec2_client(base: &SdkConfig, region: &str, meter: AttemptMeter) -> Client {
    let conf = aws_sdk_ec2::config::Builder::from(base)
        .region(Region::new(region.to_string()))
        .interceptor(meter)
        .build();
    Client::from_conf(conf)
}

/// An S3 client for one region that counts its calls like [`metered_ec2_client`]. Path-style
/// addressing when an endpoint is configured: an emulator (moto) serves every bucket under one
/// host, where virtual-host addressing would need a DNS name per bucket.
pub fn metered_s3_client(
    base: &SdkConfig,
    region: &str,
    meter: AttemptMeter,
    path_style: bool,
) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::from(base)
        .region(Region::new(region.to_string()))
        .force_path_style(path_style)
        .interceptor(meter)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// An IAM client that counts its calls like [`metered_ec2_client`]. IAM is global: the region
/// only picks the endpoint's partition.
pub fn metered_iam_client(base: &SdkConfig, meter: AttemptMeter) -> aws_sdk_iam::Client {
    let conf = aws_sdk_iam::config::Builder::from(base)
        .interceptor(meter)
        .build();
    aws_sdk_iam::Client::from_conf(conf)
}

/// Classifies an SDK error of the EC2 `operation` into a reason a person can act on.
pub fn classify<E>(operation: &str, err: &SdkError<E, HttpResponse>) -> ListError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    classify_in("ec2", operation, err)
}

/// Classifies an SDK error of `operation` of `service` (the IAM action prefix: `ec2`, `s3`,
/// `iam`) into a reason a person can act on; an access denial names the permission to grant.
/// The reason is the service's error code and message, or the HTTP status when the answer has no
/// code, bounded in length ([`bounded_reason`]): never the SDK's debug form of the error, never
/// the whole body of an answer.
pub fn classify_in<E>(service: &str, operation: &str, err: &SdkError<E, HttpResponse>) -> ListError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        SdkError::TimeoutError(_) => {
            ListError::Timeout(format!("{operation} did not answer in time"))
        }
        SdkError::DispatchFailure(d) if d.is_timeout() => {
            ListError::Timeout(format!("{operation} did not answer in time"))
        }
        SdkError::DispatchFailure(_) => {
            ListError::Connection(bounded_reason(&format!("{operation}: {}", causes(err))))
        }
        SdkError::ConstructionFailure(_) => ListError::Api(bounded_reason(&format!(
            "{operation}: the request could not be built: {}",
            causes(err)
        ))),
        _ => {
            let code = err.code().unwrap_or("");
            let message = err.message().unwrap_or("");
            classify_answer(service, operation, code, message, || {
                uncoded_answer(err.raw_response(), message)
            })
        }
    }
}

/// An SDK answer without an AWS error code, described by its status and the start of its body.
fn uncoded_answer(raw: Option<&HttpResponse>, message: &str) -> String {
    match raw {
        Some(raw) => driftd_aws_services::errors::uncoded_answer(
            raw.status().as_u16(),
            message,
            raw.body().bytes().unwrap_or_default(),
        ),
        None => "an answer that could not be read".into(),
    }
}

/// True when an S3/IAM error is an access denial: the caller may skip one bucket's setting
/// rather than the whole scope.
pub fn is_access_denied<E, R>(err: &SdkError<E, R>) -> bool
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    ACCESS_DENIED.contains(&err.code().unwrap_or(""))
}

/// The error code of an SDK error, for the "not configured" answers that mean "no such setting".
pub fn error_code<E, R>(err: &SdkError<E, R>) -> Option<&str>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    err.code()
}

/// An IAM document as text: IAM returns documents URL-encoded (RFC 3986), Terraform stores them
/// decoded. A document that is already JSON (an emulator, or a future API) is kept as it is.
pub fn decode_document(raw: &str) -> String {
    if raw.trim_start().starts_with('{') {
        return raw.to_string();
    }
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|d| d.into_owned())
        .unwrap_or_else(|_| raw.to_string())
}

/// AWS tags as a Terraform `tags` map.
pub fn tags_value(tags: &[aws_sdk_ec2::types::Tag]) -> serde_json::Value {
    let map: serde_json::Map<String, serde_json::Value> = tags
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or("").into())))
        .collect();
    serde_json::Value::Object(map)
}

/// The Terraform attribute value of an optional string.
pub fn opt_str(s: Option<&str>) -> serde_json::Value {
    s.map(|s| serde_json::Value::String(s.to_string()))
        .unwrap_or(serde_json::Value::Null)
}

/// What one unit of listing work (one type in one scope) reaches AWS with: clients counted by
/// the unit's meter, and what every unit of one scan shares (the target's regions, the S3 bucket
/// index that is listed once per scan).
#[derive(Clone)]
pub struct Clients {
    base: SdkConfig,
    meter: AttemptMeter,
    /// Path-style S3 addressing (see [`metered_s3_client`]).
    path_style: bool,
    pub(crate) ec2: Client,
    pub(crate) scan: std::sync::Arc<crate::scan::ScanShared>,
    /// The signed client of the services read without an SDK, counted by the same meter.
    pub(crate) api: driftd_aws_services::ApiClient,
}

impl Clients {
    pub(crate) fn new(
        base: &SdkConfig,
        region: &str,
        meter: AttemptMeter,
        path_style: bool,
        scan: std::sync::Arc<crate::scan::ScanShared>,
        api: &std::sync::Arc<driftd_aws_services::Shared>,
    ) -> Self {
        Clients {
            ec2: metered_ec2_client(base, region, meter.clone()),
            api: driftd_aws_services::ApiClient::new(
                api.clone(),
                region,
                meter.api_meter().clone(),
            ),
            base: base.clone(),
            meter,
            path_style,
            scan,
        }
    }

    /// An S3 client for the buckets of `region` (S3 answers a request for a bucket of another
    /// region with a redirect).
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        metered_s3_client(&self.base, region, self.meter.clone(), self.path_style)
    }

    pub(crate) fn iam(&self) -> aws_sdk_iam::Client {
        metered_iam_client(&self.base, self.meter.clone())
    }
}

/// The account the credentials belong to (STS GetCallerIdentity, which needs no permission), or
/// `None` when STS cannot be reached: the account guard is then off, never the scan.
pub async fn caller_account(base: &SdkConfig, meter: AttemptMeter) -> Option<String> {
    let conf = aws_sdk_sts::config::Builder::from(base)
        .interceptor(meter)
        .build();
    let sts = aws_sdk_sts::Client::from_conf(conf);
    match sts.get_caller_identity().send().await {
        Ok(id) => id.account().map(str::to_string),
        Err(e) => {
            tracing::debug!(error = %DisplayErrorContext(&e), "GetCallerIdentity failed");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_left_out_of_an_answer_excerpt() {
        let page = "<html><head><title>502</title><style>p{color:red}</style>\
                    <script>var x = '<b>';</script></head><body><h1>Bad Gateway</h1>\
                    <p>upstream reset</p></body></html>";
        assert_eq!(
            bounded_reason(&without_markup(page)),
            "502 Bad Gateway upstream reset"
        );
        assert_eq!(without_markup("plain <unclosed"), "plain  ");
        assert_eq!(without_markup("no tags"), "no tags");
    }

    fn service_error(
        status: u16,
        code: Option<&str>,
        message: &str,
        body: &str,
    ) -> SdkError<aws_sdk_ec2::operation::describe_addresses::DescribeAddressesError, HttpResponse>
    {
        use aws_sdk_ec2::error::ErrorMetadata;
        use aws_sdk_ec2::operation::describe_addresses::DescribeAddressesError;
        let mut meta = ErrorMetadata::builder().message(message);
        if let Some(code) = code {
            meta = meta.code(code);
        }
        let raw = HttpResponse::new(
            status.try_into().expect("status"),
            aws_sdk_s3::primitives::SdkBody::from(body),
        );
        SdkError::service_error(DescribeAddressesError::generic(meta.build()), raw)
    }

    #[test]
    fn a_long_denial_still_names_the_permission_within_the_bound() {
        let long = format!("denied\r\n{}", "x".repeat(900));
        let err = service_error(403, Some("UnauthorizedOperation"), &long, "");
        let reason = classify("DescribeAddresses", &err).to_string();
        assert!(reason.chars().count() <= driftd_core::provider::MAX_REASON_CHARS);
        assert!(
            reason.starts_with("access denied: DescribeAddresses: UnauthorizedOperation: denied x")
        );
        assert!(
            reason.ends_with("(grant ec2:DescribeAddresses to driftd's identity)"),
            "{reason}"
        );
    }

    #[test]
    fn an_answer_without_a_code_is_its_status_and_a_short_excerpt() {
        let page = format!(
            "<html><title>503</title><body>{}</body></html>",
            "busy ".repeat(2000)
        );
        let err = service_error(503, None, "", &page);
        let reason = classify("DescribeAddresses", &err).to_string();
        assert!(
            reason.starts_with(
                "API error: DescribeAddresses: HTTP 503 without an AWS error code: 503 busy"
            ),
            "{reason}"
        );
        assert!(reason.chars().count() <= 300, "{reason}");
        assert!(
            !reason.contains('<') && !reason.contains("ServiceError"),
            "{reason}"
        );
        assert_eq!(shorten("short", 10), "short");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}
