//! `aws_route53_zone`: the id is the zone's bare id (`Z1D633PJN98FT9`), as Terraform's. Zones are
//! listed with ListHostedZones; each zone's tags are read with ListTagsForResource and a private
//! zone's VPCs with GetHostedZone (one or two calls per zone). Route 53 is global: the zones are
//! listed once per scan.
//!
//! moto serves every call used here.

use super::{dns_name, hosted_zones, zone_id, zone_tags, SERVICE};
use crate::client::{segment, ApiClient};
use crate::common::{flag, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, unless_gone};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Zone;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_route53_zone",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("vpc", Shape::Document),
        AttrSpec::new("comment", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "force_destroy",
            "Terraform-side only: how it deletes the zone",
        ),
        UncomparedAttr::new(
            "delegation_set_id",
            "fixed at creation (a change replaces the zone); not read",
        ),
        UncomparedAttr::new("enable_accelerated_recovery", "not read"),
    ],
};

/// A zone from its ListHostedZones entry, its VPCs (private zones) and its tags.
fn map(z: &Value, vpcs: Option<&Value>, tags: Value, region: &str) -> Resource {
    let mut attrs = json!({
        "name": dns_name(str_of(z, "Name")),
        "comment": text(&z["Config"], "Comment"),
        "tags": tags,
    });
    if let Some(v) = vpcs {
        let list: Vec<Value> = members(v, "VPC")
            .into_iter()
            .map(|v| json!({"vpc_id": v["VPCId"], "vpc_region": v["VPCRegion"]}))
            .collect();
        attrs["vpc"] = json!(list);
    } else {
        attrs["vpc"] = json!([]);
    }
    resource(SPEC.resource_type, zone_id(str_of(z, "Id")), region, attrs)
}

#[async_trait]
impl ResourceKind<ApiClient> for Zone {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let zones = hosted_zones(client).await?;
        let region = region.to_string();
        let resources = each_bounded(zones, |z| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let id = zone_id(str_of(&z, "Id")).to_string();
                let private = flag(&z["Config"], "PrivateZone") == Value::Bool(true);
                let vpcs = if private {
                    let got = client
                        .rest(
                            &SERVICE,
                            "GetHostedZone",
                            &format!("/2013-04-01/hostedzone/{}", segment(&id)),
                            "",
                        )
                        .await;
                    let Some(zone) = unless_gone(got)? else {
                        return Ok(None);
                    };
                    Some(zone["VPCs"].clone())
                } else {
                    None
                };
                let Some(tags) = zone_tags(&client, &id).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&z, vpcs.as_ref(), tags, &region)))
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

    fn live() -> Resource {
        // A ListHostedZones entry and GetHostedZone's VPCs, as the API reference shows them.
        let z = json!({"Id": "/hostedzone/Z1D633PJN98FT9", "Name": "Example.com.",
            "CallerReference": "ref", "Config": {"Comment": "Managed by Terraform",
            "PrivateZone": "true"}, "ResourceRecordSetCount": "2"});
        let vpcs = json!({"VPC": {"VPCRegion": "eu-west-1", "VPCId": "vpc-1"}});
        map(&z, Some(&vpcs), json!({"Env": "prod"}), "global")
    }

    #[test]
    fn zone_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, "Z1D633PJN98FT9");
        assert_eq!(r.attrs["name"], json!("example.com"));
        assert_eq!(
            r.attrs["vpc"],
            json!([{"vpc_id": "vpc-1", "vpc_region": "eu-west-1"}])
        );
    }

    #[test]
    fn false_positive_trailing_dot_and_case_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "name": "example.com", "comment": "Managed by Terraform", "force_destroy": false,
            "vpc": [{"vpc_id": "vpc-1", "vpc_region": "eu-west-1"}],
            "tags": {"Env": "prod"}, "tags_all": {"Env": "prod"},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["comment"] = json!("prod zone");
        assert_eq!(changed_paths(&SPEC, other, &live), ["comment"]);
    }
}
