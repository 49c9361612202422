//! `aws_launch_configuration`: the id is the configuration's name, as Terraform's.
//! DescribeLaunchConfigurations answers everything compared here (one paged call for the
//! region). A configuration that now gives instances a public address is critical, and so are
//! its instance metadata options allowing IMDSv1 (`http_tokens` optional).
//!
//! `user_data` is recorded by Terraform as a digest of the script, not the script: it is not
//! compared (and the script, which may hold secrets, is never copied into a finding).
//! moto serves every call used here.

use super::{put, SERVICE};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text};
use crate::paging::{query_all, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct LaunchConfiguration;

/// Instances now given a public address: critical.
fn public_now(c: &Change) -> Option<Tier> {
    (c.actual == Value::Bool(true)).then_some(Tier::Critical)
}

/// Metadata options that now allow IMDSv1 (tokens optional): critical.
fn imds_v1(c: &Change) -> Option<Tier> {
    c.actual
        .to_string()
        .contains("\"optional\"")
        .then_some(Tier::Critical)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_launch_configuration",
    attrs: &[
        AttrSpec::new("associate_public_ip_address", Shape::Scalar)
            .tier(TierHint::Rule(public_now)),
        AttrSpec::new("metadata_options", Shape::Document).tier(TierHint::Rule(imds_v1)),
        AttrSpec::new("iam_instance_profile", Shape::Scalar),
        AttrSpec::new("security_groups", Shape::Set),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("image_id", Shape::Scalar),
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("key_name", Shape::Scalar),
        AttrSpec::new("enable_monitoring", Shape::Scalar),
        AttrSpec::new("ebs_optimized", Shape::Scalar),
        AttrSpec::new("placement_tenancy", Shape::Scalar),
        AttrSpec::new("spot_price", Shape::Number),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "user_data",
            "Terraform records a digest of the script; the script (which may hold secrets) is never copied",
        ),
        UncomparedAttr::new(
            "user_data_base64",
            "the script itself (which may hold secrets): never read into a finding",
        ),
        UncomparedAttr::new("name_prefix", "Terraform-side only: it chooses the name, which is compared"),
        UncomparedAttr::new(
            "root_block_device",
            "which mapping is the root device depends on the image; not read",
        ),
        UncomparedAttr::new("ebs_block_device", "not read"),
        UncomparedAttr::new("ephemeral_block_device", "not read"),
    ],
};

/// A launch configuration from its DescribeLaunchConfigurations entry.
fn map(lc: &Value, region: &str) -> Resource {
    let mut out = serde_json::Map::new();
    out.insert("name".into(), text(lc, "LaunchConfigurationName"));
    out.insert("image_id".into(), text(lc, "ImageId"));
    out.insert("instance_type".into(), text(lc, "InstanceType"));
    out.insert("key_name".into(), text(lc, "KeyName"));
    out.insert(
        "iam_instance_profile".into(),
        text(lc, "IamInstanceProfile"),
    );
    let groups: Vec<Value> = members(&lc["SecurityGroups"], "member")
        .into_iter()
        .cloned()
        .collect();
    out.insert("security_groups".into(), json!(groups));
    // Not answered when not set: a configuration in a default VPC subnet leaves it to the subnet.
    put(
        &mut out,
        "associate_public_ip_address",
        flag(lc, "AssociatePublicIpAddress"),
    );
    put(
        &mut out,
        "enable_monitoring",
        flag(&lc["InstanceMonitoring"], "Enabled"),
    );
    put(&mut out, "ebs_optimized", flag(lc, "EbsOptimized"));
    put(&mut out, "placement_tenancy", text(lc, "PlacementTenancy"));
    put(&mut out, "spot_price", number(lc, "SpotPrice"));
    let m = &lc["MetadataOptions"];
    if m.is_object() {
        out.insert(
            "metadata_options".into(),
            json!([{"http_endpoint": m["HttpEndpoint"], "http_tokens": m["HttpTokens"],
                "http_put_response_hop_limit": m["HttpPutResponseHopLimit"]}]),
        );
    }
    resource(
        SPEC.resource_type,
        str_of(lc, "LaunchConfigurationName"),
        region,
        Value::Object(out),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for LaunchConfiguration {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeLaunchConfigurations",
                params: vec![("MaxRecords", "100".into())],
                list: "LaunchConfigurations",
                item: "member",
                marker_in: "NextToken",
                marker_out: "NextToken",
            },
        )
        .await?;
        Ok(KindListing {
            resources: all.iter().map(|lc| map(lc, region)).collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    fn live() -> Resource {
        let lc = json!({
            "LaunchConfigurationName": "web-lc", "ImageId": "ami-12345678",
            "InstanceType": "t3.micro", "KeyName": "", "UserData": "IyEvYmluL3NoCg==",
            "SecurityGroups": {"member": ["sg-2", "sg-1"]},
            "InstanceMonitoring": {"Enabled": "true"}, "EbsOptimized": "false",
            "AssociatePublicIpAddress": "false",
            "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": "1",
                "HttpEndpoint": "enabled"},
        });
        map(&lc, "eu-west-1")
    }

    #[test]
    fn launch_configuration_maps_and_never_holds_user_data() {
        let r = live();
        assert_eq!(r.key.id, "web-lc");
        assert_eq!(r.attrs["enable_monitoring"], json!(true));
        assert!(!r.attrs.contains_key("user_data"));
        assert!(!serde_json::to_string(&r.attrs)
            .expect("json")
            .contains("IyEvYmluL3NoCg"));
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, Value::Null, new)],
            )
        };
        assert_eq!(
            tier("associate_public_ip_address", json!(true)),
            Tier::Critical
        );
        assert_eq!(
            tier("metadata_options", json!([{"http_tokens": "optional"}])),
            Tier::Critical
        );
        assert_eq!(tier("instance_type", json!("t3.large")), Tier::Warning);
    }

    #[test]
    fn false_positive_group_order_and_hop_limit_as_text_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "name": "web-lc", "image_id": "ami-12345678", "instance_type": "t3.micro",
            "key_name": "", "iam_instance_profile": "", "security_groups": ["sg-1", "sg-2"],
            "associate_public_ip_address": false, "enable_monitoring": true,
            "ebs_optimized": false, "placement_tenancy": "", "spot_price": "",
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required",
                "http_put_response_hop_limit": 1}],
            "user_data": "3c0f1a8d1b6c1b8b2b9f0d8f2d4a3e6f1c0b9a8d",
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["image_id"] = json!("ami-87654321");
        assert_eq!(changed_paths(&SPEC, other, &live), ["image_id"]);
    }
}
