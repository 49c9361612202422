//! `aws_s3_bucket`: the id is the bucket name, as Terraform's. S3 lists buckets globally, so the
//! buckets are listed once per scan ([`all_buckets`]) and each is placed in its region with
//! GetBucketLocation; the unit of each region then keeps its own buckets. Buckets of regions the
//! target does not scan are left out, like every other regional resource.
//!
//! What can drift in place on the bucket itself is its tags. Versioning, encryption and the
//! public access block are their own resources (`aws_s3_bucket_*`), as in Terraform v4 and later;
//! the bucket's own computed copies of them in state are refreshed only on the next plan, so they
//! are not compared here (they would report every freshly applied setting as drift).

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify_in, error_code, is_access_denied, Clients};
use crate::scan::Bucket;
use async_trait::async_trait;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};
use std::future::Future;

pub struct S3Bucket;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_s3_bucket",
    attrs: &[AttrSpec::new("bucket", Shape::Scalar), TAGS],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "bucket_prefix",
            "Terraform-side only: generates bucket at create; bucket is compared",
        ),
        UncomparedAttr::new(
            "force_destroy",
            "Terraform-side only: acts when Terraform destroys the bucket",
        ),
        UncomparedAttr::new(
            "object_lock_enabled",
            "not compared yet (GetObjectLockConfiguration, a second call per bucket)",
        ),
        UncomparedAttr::new(
            "policy",
            "a computed copy of what aws_s3_bucket_policy sets (provider v4+), refreshed only by \
            a plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "acl",
            "a computed copy of what aws_s3_bucket_acl sets (provider v4+), refreshed only by a \
            plan: not compared here; that type compares the grants",
        ),
        UncomparedAttr::new(
            "grant",
            "a computed copy of what aws_s3_bucket_acl sets (provider v4+), refreshed only by a \
            plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "versioning",
            "a computed copy of what aws_s3_bucket_versioning sets (provider v4+), refreshed only \
            by a plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "server_side_encryption_configuration",
            "a computed copy of what aws_s3_bucket_server_side_encryption_configuration sets \
            (provider v4+), refreshed only by a plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "logging",
            "a computed copy of what aws_s3_bucket_logging sets (provider v4+), refreshed only by \
            a plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "lifecycle_rule",
            "a computed copy of what aws_s3_bucket_lifecycle_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here; that type compares it",
        ),
        UncomparedAttr::new(
            "cors_rule",
            "a computed copy of what aws_s3_bucket_cors_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "website",
            "a computed copy of what aws_s3_bucket_website_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "replication_configuration",
            "a computed copy of what aws_s3_bucket_replication_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "object_lock_configuration",
            "a computed copy of what aws_s3_bucket_object_lock_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "acceleration_status",
            "a computed copy of what aws_s3_bucket_accelerate_configuration sets (provider v4+), \
            refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "request_payer",
            "a computed copy of what aws_s3_bucket_request_payment_configuration sets (provider \
            v4+), refreshed only by a plan: not compared here",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// Every bucket of the account, listed once per scan by whichever S3 unit asks first. A failure
/// (including a bucket whose region cannot be read) fails every S3 unit: a bucket that cannot
/// be placed could be in any region, so no region's listing would be complete.
async fn all_buckets(clients: &Clients) -> Result<&[Bucket], ListError> {
    let listed = clients
        .scan
        .buckets
        .get_or_init(|| list_buckets(clients))
        .await;
    match listed {
        Ok(b) => Ok(b),
        Err(e) => Err(e.clone()),
    }
}

/// The region of a `LocationConstraint`: none means `us-east-1`, and the legacy `EU` is
/// `eu-west-1`.
fn location_region(constraint: Option<&str>) -> String {
    match constraint {
        None | Some("") => "us-east-1".into(),
        Some("EU") => "eu-west-1".into(),
        Some(other) => other.to_string(),
    }
}

async fn list_buckets(clients: &Clients) -> Result<Vec<Bucket>, ListError> {
    let first = clients
        .scan
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".into());
    let s3 = clients.s3(&first);
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = s3
            .list_buckets()
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| classify_in("s3", "ListBuckets", &e))?;
        names.extend(
            page.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string)),
        );
        match page.continuation_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    let mut out = Vec::with_capacity(names.len());
    for name in names {
        let loc = s3
            .get_bucket_location()
            .bucket(&name)
            .send()
            .await
            .map_err(|e| match classify_in("s3", "GetBucketLocation", &e) {
                ListError::AccessDenied(m) => ListError::AccessDenied(format!(
                    "bucket {name}: {m}; without its region no region's bucket list is complete"
                )),
                other => other,
            })?;
        let region = location_region(loc.location_constraint().map(|c| c.as_str()));
        out.push(Bucket { name, region });
    }
    Ok(out)
}

/// The buckets a unit of `scope` lists: those of its region.
pub(crate) async fn buckets_in<'c>(
    clients: &'c Clients,
    scope: &str,
) -> Result<Vec<&'c Bucket>, ListError> {
    let all = all_buckets(clients).await?;
    Ok(all.iter().filter(|b| b.region == scope).collect())
}

/// The buckets whose settings a unit of `scope` reads: those of its region and, for the first
/// region of the target, those of regions it does not scan. A settings resource in state (from
/// a provider before v6) does not say its bucket's region; listing its bucket wherever it is
/// keeps it from being reported missing. Settings are cloud defaults, so these are never
/// reported unmanaged.
async fn settings_buckets<'c>(
    clients: &'c Clients,
    scope: &str,
) -> Result<Vec<&'c Bucket>, ListError> {
    let all = all_buckets(clients).await?;
    let regions = &clients.scan.regions;
    let first = regions.first().map(String::as_str) == Some(scope);
    Ok(all
        .iter()
        .filter(|b| b.region == scope || (first && !regions.contains(&b.region)))
        .collect())
}

/// One setting type of a bucket (`aws_s3_bucket_versioning`, ...): its spec, the S3 call that
/// reads it, and what that call answers for a bucket without it.
pub(crate) struct BucketSetting {
    pub spec: &'static TypeSpec,
    /// The S3 operation, for error reasons (`GetBucketVersioning`).
    pub operation: &'static str,
    /// The error code of a bucket that has no such setting (then no resource), if any.
    pub absent: Option<&'static str>,
    /// The attributes left out of the comparison when the setting may not be read.
    pub attributes: &'static [&'static str],
}

impl BucketSetting {
    /// Lists the setting of every bucket a unit of `scope` reads ([`settings_buckets`]), with
    /// `read` (given the client of the bucket's region and its name; it answers the setting's
    /// attributes as Terraform writes them, or `null` for a bucket without the setting when the
    /// call says so in a successful answer, as GetBucketLogging does). A bucket whose setting
    /// may not be read is still there: it is listed bare (nothing compared, never missing) and
    /// the attributes are unread. Every setting is a cloud default, reported with its bucket,
    /// never unmanaged.
    pub(crate) async fn list<E, F, Fut>(
        &self,
        clients: &Clients,
        scope: &str,
        read: F,
    ) -> Result<KindListing, ListError>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        F: Fn(aws_sdk_s3::Client, String) -> Fut,
        Fut: Future<Output = Result<Value, SdkError<E, HttpResponse>>>,
    {
        let mut out = KindListing::default();
        for b in settings_buckets(clients, scope).await? {
            match read(clients.s3(&b.region), b.name.clone()).await {
                Ok(Value::Null) => {}
                Ok(attrs) => out.resources.push(self.resource(&b.name, &b.region, attrs)),
                Err(e) if self.absent.is_some() && error_code(&e) == self.absent => {}
                Err(e) if is_access_denied(&e) => {
                    out.resources
                        .push(self.resource(&b.name, &b.region, json!({})));
                    if out.unread_attributes.is_empty() {
                        let err = classify_in("s3", self.operation, &e);
                        for a in self.attributes {
                            out.unread_attributes.push((a.to_string(), err.clone()));
                        }
                    }
                }
                Err(e) => return Err(classify_in("s3", self.operation, &e)),
            }
        }
        Ok(out)
    }

    /// The setting of `bucket`: its name and `attrs`.
    pub(crate) fn resource(&self, bucket: &str, region: &str, attrs: Value) -> Resource {
        let mut all = json!({ "bucket": bucket });
        if let (Value::Object(all), Value::Object(attrs)) = (&mut all, attrs) {
            all.extend(attrs);
        }
        let mut r = resource(self.spec.resource_type, bucket, region, all);
        r.cloud_default = true;
        r
    }
}

fn map(b: &Bucket, tags: Option<Value>) -> Resource {
    let mut attrs = json!({ "bucket": b.name });
    if let (Some(tags), Value::Object(m)) = (tags, &mut attrs) {
        m.insert("tags".into(), tags);
    }
    resource(SPEC.resource_type, &b.name, &b.region, attrs)
}

#[async_trait]
impl ResourceKind<Clients> for S3Bucket {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let s3 = clients.s3(region);
        for b in buckets_in(clients, region).await? {
            let tags = match s3.get_bucket_tagging().bucket(&b.name).send().await {
                Ok(t) => Some(Value::Object(
                    t.tag_set()
                        .iter()
                        .map(|t| (t.key().to_string(), Value::from(t.value())))
                        .collect::<Map<String, Value>>(),
                )),
                Err(e) if error_code(&e) == Some("NoSuchTagSet") => Some(json!({})),
                // Left unknown for this bucket; the report says the tags were not read.
                Err(e) if is_access_denied(&e) => {
                    let err = classify_in("s3", "GetBucketTagging", &e);
                    if !out.unread_attributes.iter().any(|(a, _)| a == "tags") {
                        out.unread_attributes.push(("tags".into(), err));
                    }
                    None
                }
                Err(e) => return Err(classify_in("s3", "GetBucketTagging", &e)),
            };
            out.resources.push(map(b, tags));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_constraints_name_regions() {
        assert_eq!(location_region(None), "us-east-1");
        assert_eq!(location_region(Some("")), "us-east-1");
        assert_eq!(location_region(Some("EU")), "eu-west-1");
        assert_eq!(location_region(Some("ap-south-1")), "ap-south-1");
    }

    #[test]
    fn bucket_maps_to_its_name_region_and_tags() {
        let b = Bucket {
            name: "logs".into(),
            region: "eu-west-1".into(),
        };
        let r = map(&b, Some(json!({"Env": "prod"})));
        assert_eq!(r.key.id, "logs");
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));
        // Unread tags stay unknown rather than empty.
        assert!(!map(&b, None).attrs.contains_key("tags"));
    }
}
