//! `aws_elasticache_subnet_group`: the id is the group's name, as Terraform's (ElastiCache keeps
//! names in lower case, and so does Terraform's state). DescribeCacheSubnetGroups answers the
//! subnets; tags take ListTagsForResource, one call per group. The `default` group is a cloud
//! default (never reported as unmanaged, not read further).
//!
//! moto serves every call used here.

use super::{present, subnet_ids, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::{resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, QueryList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct CacheSubnetGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_elasticache_subnet_group",
    attrs: &[
        AttrSpec::new("name", Shape::CaseInsensitive),
        AttrSpec::new("subnet_ids", Shape::Set),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "vpc_id",
        "follows from the subnets, which are compared",
    )],
};

/// A subnet group (one `CacheSubnetGroup`) with its tags, if read.
fn map(g: &Value, tags: Option<Value>, region: &str) -> Resource {
    let name = str_of(g, "CacheSubnetGroupName");
    let mut r = resource(
        SPEC.resource_type,
        name,
        region,
        present(vec![
            ("name", json!(name)),
            ("subnet_ids", subnet_ids(g)),
            ("description", text(g, "CacheSubnetGroupDescription")),
            ("tags", tags.unwrap_or(Value::Null)),
        ]),
    );
    r.cloud_default = name == "default";
    r
}

#[async_trait]
impl ResourceKind<ApiClient> for CacheSubnetGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeCacheSubnetGroups",
                params: vec![("MaxRecords", "100".into())],
                list: "CacheSubnetGroups",
                item: "CacheSubnetGroup",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(groups, |g| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                if str_of(&g, "CacheSubnetGroupName") == "default" {
                    return Ok(Some(map(&g, None, &region)));
                }
                let Some(tags) = tags(&client, str_of(&g, "ARN")).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&g, Some(tags), &region)))
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
            "CacheSubnetGroupName": "cache",
            "CacheSubnetGroupDescription": "Managed by Terraform",
            "VpcId": "vpc-1",
            "Subnets": {"Subnet": [
                {"SubnetIdentifier": "subnet-2", "SubnetAvailabilityZone": {"Name": "eu-west-1b"}},
                {"SubnetIdentifier": "subnet-1", "SubnetAvailabilityZone": {"Name": "eu-west-1a"}}]},
            "ARN": "arn:aws:elasticache:eu-west-1:123456789012:subnetgroup:cache",
        })
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        let r = map(&answer(), Some(json!({"Env": "prod"})), "eu-west-1");
        assert_eq!(r.key.id, "cache");
        assert_eq!(r.attrs["subnet_ids"], json!(["subnet-2", "subnet-1"]));
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));
        let mut default = answer();
        default["CacheSubnetGroupName"] = json!("default");
        assert!(map(&default, None, "eu-west-1").cloud_default);
    }

    #[test]
    fn subnets_are_a_warning_tags_info() {
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
        assert_eq!(tier("subnet_ids"), Tier::Warning);
        assert_eq!(tier("tags.Env"), Tier::Info);
    }

    #[test]
    fn false_positive_subnet_order_and_name_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), Some(json!({})), "eu-west-1");
        let state = json!({
            "id": "cache", "name": "Cache", "description": "Managed by Terraform",
            "subnet_ids": ["subnet-1", "subnet-2"], "tags": null, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = answer();
        other["CacheSubnetGroupDescription"] = json!("changed by hand");
        let live = map(&other, Some(json!({})), "eu-west-1");
        assert_eq!(changed_paths(&SPEC, state, &live), ["description"]);
    }
}
