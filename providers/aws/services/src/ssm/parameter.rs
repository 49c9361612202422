//! `aws_ssm_parameter`: the id is the parameter's name, as Terraform's. DescribeParameters
//! (paged) answers a parameter's metadata without its value; tags take one ListTagsForResource
//! per parameter, concurrent and metered. The value is never read (no GetParameter, nothing
//! decrypted): it is listed as not compared. A SecureString turned into a plain String is
//! critical (the value is no longer encrypted), so is a changed KMS key.
//!
//! moto serves every call used here; it keeps a parameter's `KeyId` when a SecureString is
//! overwritten as a String (AWS drops it).

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, resource, str_of, tag_list, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SsmParameter;

/// No longer a SecureString: the value is stored in clear.
fn encryption_tier(change: &Change) -> Option<Tier> {
    (change.expected.as_str() == Some("SecureString")).then_some(Tier::Critical)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ssm_parameter",
    attrs: &[
        AttrSpec::new("type", Shape::Scalar).tier(TierHint::Rule(encryption_tier)),
        AttrSpec::new("key_id", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("tier", Shape::Scalar),
        AttrSpec::new("allowed_pattern", Shape::Scalar),
        AttrSpec::new("data_type", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "value",
            "the parameter's value is never read (a SecureString is never decrypted): a secret",
        ),
        UncomparedAttr::new(
            "insecure_value",
            "the parameter's value is never read, even when Terraform keeps it in clear",
        ),
        UncomparedAttr::new("value_wo", "write-only: never stored, never read"),
        UncomparedAttr::new(
            "overwrite",
            "Terraform-side only: whether Terraform may replace an existing value",
        ),
    ],
};

/// A parameter from its DescribeParameters entry and its tags.
fn map(p: &Value, tags: Value, region: &str) -> Resource {
    let name = str_of(p, "Name");
    resource(
        SPEC.resource_type,
        name,
        region,
        json!({
            "name": name,
            "type": str_of(p, "Type"),
            "key_id": str_of(p, "KeyId"),
            "description": str_of(p, "Description"),
            "tier": match str_of(p, "Tier") { "" => "Standard", t => t },
            "allowed_pattern": str_of(p, "AllowedPattern"),
            "data_type": match str_of(p, "DataType") { "" => "text", t => t },
            "tags": tags,
        }),
    )
}

async fn tags(client: &ApiClient, name: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .json(
            &SERVICE,
            "ListTagsForResource",
            json!({"ResourceType": "Parameter", "ResourceId": name}),
        )
        .await;
    Ok(unless_gone(got)?.map(|v| tag_list(array(&v, "TagList"), "Key", "Value")))
}

#[async_trait]
impl ResourceKind<ApiClient> for SsmParameter {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let params = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "DescribeParameters",
                input: json!({"MaxResults": 50}),
                list: "Parameters",
                token_in: "NextToken",
                token_out: "NextToken",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(params, |p| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags(&client, str_of(&p, "Name")).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&p, tags, &region)))
            }
        })
        .await?;
        Ok(KindListing {
            resources,
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    fn entry() -> Value {
        // A DescribeParameters entry as the API reference shows it: no value in it.
        json!({
            "Name": "/app/db/password", "Type": "SecureString", "KeyId": "alias/aws/ssm",
            "LastModifiedDate": 1.582657288E9, "Description": "db password",
            "Version": 3, "Tier": "Standard", "Policies": [], "DataType": "text",
            "ARN": "arn:aws:ssm:us-east-2:111222333444:parameter/app/db/password",
        })
    }

    #[test]
    fn parameter_maps_without_its_value_and_decryption_off_is_critical() {
        let r = map(&entry(), json!({"Team": "db"}), "us-east-2");
        assert_eq!(r.key.id, "/app/db/password");
        assert_eq!(r.attrs["type"], json!("SecureString"));
        assert_eq!(r.attrs["key_id"], json!("alias/aws/ssm"));
        assert!(!r.attrs.contains_key("value"));
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier("type", json!("SecureString"), json!("String")),
            Tier::Critical
        );
        assert_eq!(
            tier("type", json!("String"), json!("StringList")),
            Tier::Warning
        );
        assert_eq!(tier("description", json!("a"), json!("b")), Tier::Warning);
    }

    #[test]
    fn false_positive_defaults_the_api_leaves_out() {
        use crate::testing::{assert_in_sync, changed_paths};
        // A String parameter: no KeyId, no Tier or DataType in an older answer.
        let live = map(
            &json!({"Name": "/app/url", "Type": "String", "Version": 1}),
            json!({}),
            "us-east-2",
        );
        let state = json!({
            "name": "/app/url", "type": "String", "key_id": "", "description": "",
            "tier": "Standard", "allowed_pattern": "", "data_type": "text",
            "overwrite": false, "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["tier"] = json!("Advanced");
        assert_eq!(changed_paths(&SPEC, other, &live), ["tier"]);
    }
}
