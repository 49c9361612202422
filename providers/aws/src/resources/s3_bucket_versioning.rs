//! `aws_s3_bucket_versioning`: the id is the bucket name, as Terraform writes it (without an
//! expected bucket owner). Every bucket has a versioning state, `Disabled` until versioning was
//! first enabled, which is how Terraform records a never-versioned bucket. Like every bucket
//! setting it is a cloud default: a bucket's settings are reported with the bucket, not as
//! unmanaged resources of their own.

use super::s3_bucket::BucketSetting;
use super::AWS_GENERATED_TAGS;
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct S3BucketVersioning;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket_versioning",
    attrs: &[
        AttrSpec::new("bucket", Shape::Scalar),
        AttrSpec::new("versioning_configuration", Shape::Document),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "mfa",
            "secret (an MFA device serial and code) sent with the request: S3 never returns it",
        ),
        UncomparedAttr::new(
            "expected_bucket_owner",
            "Terraform-side only: an account check sent with each request, nothing S3 stores",
        ),
    ],
};

const ATTR: &str = "versioning_configuration";

/// The text of the first `<name>` element of an XML body.
fn element<'b>(body: &'b str, name: &str) -> Option<&'b str> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let len = body[start..].find('<')?;
    Some(&body[start..start + len])
}

/// Status and MFA delete from a successful answer the SDK could not decode. moto (5.x) wraps
/// the configuration in a `GetBucketVersioningResponse` root where S3 sends
/// `VersioningConfiguration`; the elements inside are the same, so they are read from the body
/// rather than skipping the bucket's versioning on every scan against it.
fn undecoded_answer(
    err: &aws_sdk_s3::error::SdkError<
        aws_sdk_s3::operation::get_bucket_versioning::GetBucketVersioningError,
        aws_sdk_s3::config::http::HttpResponse,
    >,
) -> Option<(Option<String>, Option<String>)> {
    let raw = err.raw_response()?;
    if raw.status().as_u16() != 200 {
        return None;
    }
    let body = std::str::from_utf8(raw.body().bytes()?).ok()?;
    if !body.contains("VersioningResponse") && !body.contains("VersioningConfiguration") {
        return None;
    }
    Some((
        element(body, "Status").map(str::to_string),
        element(body, "MfaDelete").map(str::to_string),
    ))
}

/// The configuration as Terraform writes it: never versioned is `Disabled`.
fn configuration(status: Option<&str>, mfa_delete: Option<&str>) -> Value {
    json!({
        ATTR: [{
            "status": status.filter(|s| !s.is_empty()).unwrap_or("Disabled"),
            "mfa_delete": mfa_delete,
        }],
    })
}

const SETTING: BucketSetting = BucketSetting {
    spec: &SPEC,
    operation: "GetBucketVersioning",
    absent: None,
    attributes: &[ATTR],
};

#[async_trait]
impl ResourceKind<Clients> for S3BucketVersioning {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        SETTING
            .list(clients, region, |s3, bucket| async move {
                match s3.get_bucket_versioning().bucket(bucket).send().await {
                    Ok(v) => Ok(configuration(
                        v.status().map(|s| s.as_str()),
                        v.mfa_delete().map(|m| m.as_str()),
                    )),
                    Err(e) => match undecoded_answer(&e) {
                        Some((status, mfa)) => Ok(configuration(status.as_deref(), mfa.as_deref())),
                        None => Err(e),
                    },
                }
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_read_from_an_undecoded_body() {
        let body = r#"<?xml version="1.0"?><GetBucketVersioningResponse xmlns="x"><Status>Enabled</Status></GetBucketVersioningResponse>"#;
        assert_eq!(element(body, "Status"), Some("Enabled"));
        assert_eq!(element(body, "MfaDelete"), None);
    }

    #[test]
    fn never_versioned_is_disabled_as_terraform_records_it() {
        let r = SETTING.resource("b", "us-east-1", configuration(None, None));
        let state = json!([{"mfa_delete": "", "status": "Disabled"}]);
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs[ATTR]),
            SPEC.normalize(Shape::Document, &state)
        );
        let on = SETTING.resource("b", "us-east-1", configuration(Some("Enabled"), None));
        assert_ne!(
            SPEC.normalize(Shape::Document, &on.attrs[ATTR]),
            SPEC.normalize(Shape::Document, &state)
        );
        assert!(r.cloud_default);
    }
}
