//! `aws_db_subnet_group`: the id is the group's name, as Terraform's. DescribeDBSubnetGroups
//! answers the subnets; tags take ListTagsForResource, one call per group. The `default` group
//! AWS makes in the default VPC is a cloud default (never reported as unmanaged, and not read
//! further).
//!
//! moto serves every call used here.

use super::{list_tags, present, SERVICE};
use crate::client::ApiClient;
use crate::common::{resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DbSubnetGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_db_subnet_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("subnet_ids", Shape::Set),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "supported_network_types",
            "follows from the subnets, which are compared",
        ),
    ],
};

/// A subnet group (one `DBSubnetGroup` of DescribeDBSubnetGroups) with its tags, if read.
fn map(g: &Value, tags: Option<Value>, region: &str) -> Resource {
    let name = str_of(g, "DBSubnetGroupName");
    let subnets: Vec<Value> = members(&g["Subnets"], "Subnet")
        .into_iter()
        .map(|s| text(s, "SubnetIdentifier"))
        .filter(|s| !s.is_null())
        .collect();
    let mut r = resource(
        SPEC.resource_type,
        name,
        region,
        present(vec![
            ("name", json!(name)),
            ("subnet_ids", Value::Array(subnets)),
            ("description", text(g, "DBSubnetGroupDescription")),
            ("tags", tags.unwrap_or(Value::Null)),
        ]),
    );
    r.cloud_default = name == "default";
    r
}

#[async_trait]
impl ResourceKind<ApiClient> for DbSubnetGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeDBSubnetGroups",
                params: vec![("MaxRecords", "100".into())],
                list: "DBSubnetGroups",
                item: "DBSubnetGroup",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(groups, |g| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                // The default group is AWS's: its tags are not read.
                if str_of(&g, "DBSubnetGroupName") == "default" {
                    return Ok(Some(map(&g, None, &region)));
                }
                let tags = match str_of(&g, "DBSubnetGroupArn") {
                    "" => None,
                    arn => match list_tags(&client, arn).await? {
                        Some(t) => Some(t),
                        None => return Ok(None),
                    },
                };
                Ok(Some(map(&g, tags, &region)))
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    fn answer() -> Value {
        json!({
            "DBSubnetGroupName": "private",
            "DBSubnetGroupDescription": "Managed by Terraform",
            "VpcId": "vpc-1",
            "SubnetGroupStatus": "Complete",
            "Subnets": {"Subnet": [
                {"SubnetIdentifier": "subnet-b", "SubnetAvailabilityZone": {"Name": "eu-west-1b"}},
                {"SubnetIdentifier": "subnet-a", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}}]},
            "DBSubnetGroupArn": "arn:aws:rds:eu-west-1:123456789012:subgrp:private",
        })
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        let r = map(&answer(), Some(json!({"Env": "prod"})), "eu-west-1");
        assert_eq!(r.key.id, "private");
        assert_eq!(r.attrs["subnet_ids"], json!(["subnet-b", "subnet-a"]));
        assert_eq!(r.attrs["description"], json!("Managed by Terraform"));
        assert!(!r.cloud_default);
        let mut default = answer();
        default["DBSubnetGroupName"] = json!("default");
        let r = map(&default, None, "eu-west-1");
        assert!(r.cloud_default);
        assert!(!r.attrs.contains_key("tags"));
    }

    #[test]
    fn tags_are_info_subnets_a_warning() {
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(
                    path,
                    ChangeOp::Replace,
                    Value::Null,
                    json!("x"),
                )],
            )
        };
        assert_eq!(tier("tags.Env"), Tier::Info);
        assert_eq!(tier("subnet_ids"), Tier::Warning);
    }

    #[test]
    fn false_positive_subnet_order_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), Some(json!({})), "eu-west-1");
        let state = json!({
            "id": "private", "name": "private", "name_prefix": "",
            "description": "Managed by Terraform",
            "subnet_ids": ["subnet-a", "subnet-b"],
            "tags": null, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut fewer = answer();
        fewer["Subnets"] = json!({"Subnet": {"SubnetIdentifier": "subnet-a"}});
        let live = map(&fewer, Some(json!({})), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["subnet_ids"]);
    }
}
