//! `aws_lb` and its alias `aws_alb`: the id is the load balancer's ARN, as Terraform's. Each load
//! balancer is read with DescribeLoadBalancers, then DescribeLoadBalancerAttributes and
//! DescribeTags (two calls per load balancer, through `each_bounded`).
//!
//! `aws_alb` is the same resource under an older name: Terraform records a load balancer under
//! the type its configuration used. Both kinds list every load balancer; the `aws_alb` listing
//! marks its resources `cloud_default`, so a load balancer is reported unmanaged only once (under
//! `aws_lb`) unless a target asks for cloud defaults. A load balancer kept as `aws_alb` in state is
//! compared and found missing under `aws_alb`; when a scan lists both types it also shows as
//! unmanaged under `aws_lb` (the listings cannot see which name the state used).
//!
//! A load balancer made internet-facing, or its deletion protection turned off, is critical.
//! moto serves every call used here.

use super::{attribute_map, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::off_is_critical;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct Lb;
pub struct Alb;

/// A load balancer that is now internet-facing (`internal` false) is critical.
fn exposed(c: &Change) -> Option<Tier> {
    (c.actual == Value::Bool(false)).then_some(Tier::Critical)
}

const ATTRS: &[AttrSpec] = &[
    AttrSpec::new("internal", Shape::Scalar).tier(TierHint::Rule(exposed)),
    AttrSpec::new("security_groups", Shape::Set),
    AttrSpec::new("enable_deletion_protection", Shape::Scalar)
        .tier(TierHint::Rule(off_is_critical)),
    AttrSpec::new("drop_invalid_header_fields", Shape::Scalar),
    AttrSpec::new("access_logs", Shape::Document),
    AttrSpec::new("name", Shape::Scalar),
    AttrSpec::new("load_balancer_type", Shape::Scalar),
    AttrSpec::new("ip_address_type", Shape::Scalar),
    AttrSpec::new("subnets", Shape::Set),
    AttrSpec::new("idle_timeout", Shape::Number),
    AttrSpec::new("enable_http2", Shape::Scalar),
    AttrSpec::new("desync_mitigation_mode", Shape::Scalar),
    AttrSpec::new("enable_cross_zone_load_balancing", Shape::Scalar),
    TAGS,
];

const NOT_COMPARED: &[UncomparedAttr] = &[
    UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: it chooses the name, which is compared",
    ),
    UncomparedAttr::new(
        "subnet_mapping",
        "the subnets are compared; the addresses given per subnet are not read",
    ),
    UncomparedAttr::new("customer_owned_ipv4_pool", "Outposts only; not read"),
    UncomparedAttr::new(
        "connection_logs",
        "not read (one more attribute key family); access logs are compared",
    ),
    UncomparedAttr::new("enable_waf_fail_open", "not read"),
    UncomparedAttr::new("preserve_host_header", "not read"),
    UncomparedAttr::new("xff_header_processing_mode", "not read"),
    UncomparedAttr::new("enable_xff_client_port", "not read"),
    UncomparedAttr::new("enable_tls_version_and_cipher_suite_headers", "not read"),
    UncomparedAttr::new("client_keep_alive", "not read"),
    UncomparedAttr::new("dns_record_client_routing_policy", "not read"),
    UncomparedAttr::new(
        "enforce_security_group_inbound_rules_on_private_link_traffic",
        "not read",
    ),
];

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lb",
    attrs: ATTRS,
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: NOT_COMPARED,
};

static ALB_SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_alb",
    attrs: ATTRS,
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: NOT_COMPARED,
};

/// A load balancer from its DescribeLoadBalancers entry, its attributes and its tags.
fn map(
    resource_type: &str,
    lb: &Value,
    attributes: &Map<String, Value>,
    tags: Value,
    region: &str,
) -> Resource {
    let av = Value::Object(attributes.clone());
    let attr = |k: &str| attributes.get(k).cloned().unwrap_or(Value::Null);
    let subnets: Vec<Value> = members(&lb["AvailabilityZones"], "member")
        .into_iter()
        .filter_map(|z| z.get("SubnetId").cloned())
        .collect();
    let mut attrs = json!({
        "name": text(lb, "LoadBalancerName"),
        "internal": str_of(lb, "Scheme") == "internal",
        "load_balancer_type": text(lb, "Type"),
        "ip_address_type": text(lb, "IpAddressType"),
        "security_groups": members(&lb["SecurityGroups"], "member"),
        "subnets": subnets,
        "tags": tags,
    });
    let out = attrs.as_object_mut().expect("object");
    // Only what the attributes answer holds: a key a load balancer type does not have (idle
    // timeout on a network load balancer) stays unknown rather than absent.
    let bool_keys = [
        ("enable_deletion_protection", "deletion_protection.enabled"),
        (
            "drop_invalid_header_fields",
            "routing.http.drop_invalid_header_fields.enabled",
        ),
        ("enable_http2", "routing.http2.enabled"),
    ];
    for (name, key) in bool_keys {
        let v = flag(&av, key);
        if !v.is_null() {
            out.insert(name.into(), v);
        }
    }
    // Always on for an application load balancer (Terraform does not manage it there).
    if !matches!(str_of(lb, "Type"), "application" | "") {
        let v = flag(&av, "load_balancing.cross_zone.enabled");
        if !v.is_null() {
            out.insert("enable_cross_zone_load_balancing".into(), v);
        }
    }
    let idle = number(&av, "idle_timeout.timeout_seconds");
    if !idle.is_null() {
        out.insert("idle_timeout".into(), idle);
    }
    if let Some(m) = attributes.get("routing.http.desync_mitigation_mode") {
        out.insert("desync_mitigation_mode".into(), m.clone());
    }
    if attributes.contains_key("access_logs.s3.enabled") {
        out.insert(
            "access_logs".into(),
            json!([{
                "enabled": flag(&av, "access_logs.s3.enabled"),
                "bucket": attr("access_logs.s3.bucket"),
                "prefix": attr("access_logs.s3.prefix"),
            }]),
        );
    }
    let arn = str_of(lb, "LoadBalancerArn");
    resource(resource_type, arn, region, attrs)
}

/// Every load balancer of the region (DescribeLoadBalancers entries).
pub(crate) async fn load_balancers(client: &ApiClient) -> Result<Vec<Value>, ListError> {
    Ok(query_all(
        client,
        &SERVICE,
        QueryList {
            action: "DescribeLoadBalancers",
            params: vec![("PageSize", "400".into())],
            list: "LoadBalancers",
            item: "member",
            marker_in: "Marker",
            marker_out: "NextMarker",
        },
    )
    .await?)
}

async fn list(
    resource_type: &'static str,
    client: &ApiClient,
    region: &str,
) -> Result<Vec<Resource>, ListError> {
    let lbs = load_balancers(client).await?;
    let region = region.to_string();
    each_bounded(lbs, |lb| {
        let (client, region) = (client.clone(), region.clone());
        async move {
            let arn = str_of(&lb, "LoadBalancerArn").to_string();
            let got = client
                .query(
                    &SERVICE,
                    "DescribeLoadBalancerAttributes",
                    &[("LoadBalancerArn", arn.clone())],
                )
                .await;
            let Some(attributes) = unless_gone(got)? else {
                return Ok(None);
            };
            let Some(tags) = tags(&client, &arn).await? else {
                return Ok(None);
            };
            Ok(Some(map(
                resource_type,
                &lb,
                &attribute_map(&attributes),
                tags,
                &region,
            )))
        }
    })
    .await
}

#[async_trait]
impl ResourceKind<ApiClient> for Lb {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        Ok(KindListing {
            resources: list(SPEC.resource_type, client, region).await?,
            unread_attributes: Vec::new(),
        })
    }
}

#[async_trait]
impl ResourceKind<ApiClient> for Alb {
    fn spec(&self) -> &'static TypeSpec {
        &ALB_SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let mut resources = list(ALB_SPEC.resource_type, client, region).await?;
        for r in &mut resources {
            // Listed under `aws_lb` as well: unmanaged only there (see the module's note).
            r.cloud_default = true;
        }
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

    const ARN: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";

    fn answer() -> (Value, Map<String, Value>) {
        // As DescribeLoadBalancers and DescribeLoadBalancerAttributes answer (XML read as JSON).
        let lb = json!({
            "LoadBalancerArn": ARN, "LoadBalancerName": "web", "Scheme": "internet-facing",
            "Type": "application", "IpAddressType": "ipv4", "VpcId": "vpc-1",
            "DNSName": "web-1.eu-west-1.elb.amazonaws.com",
            "AvailabilityZones": {"member": [
                {"ZoneName": "eu-west-1a", "SubnetId": "subnet-b"},
                {"ZoneName": "eu-west-1b", "SubnetId": "subnet-a"}]},
            "SecurityGroups": {"member": "sg-1"},
        });
        let attrs = attribute_map(&json!({"Attributes": {"member": [
            {"Key": "deletion_protection.enabled", "Value": "true"},
            {"Key": "idle_timeout.timeout_seconds", "Value": "60"},
            {"Key": "routing.http2.enabled", "Value": "true"},
            {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "false"},
            {"Key": "routing.http.desync_mitigation_mode", "Value": "defensive"},
            {"Key": "access_logs.s3.enabled", "Value": "false"},
            {"Key": "access_logs.s3.bucket", "Value": ""},
            {"Key": "access_logs.s3.prefix", "Value": ""},
        ]}}));
        (lb, attrs)
    }

    #[test]
    fn load_balancer_maps_to_terraform_attributes() {
        let (lb, attrs) = answer();
        let r = map("aws_lb", &lb, &attrs, json!({"Env": "prod"}), "eu-west-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["internal"], json!(false));
        assert_eq!(r.attrs["security_groups"], json!(["sg-1"]));
        assert_eq!(r.attrs["subnets"], json!(["subnet-b", "subnet-a"]));
        assert_eq!(r.attrs["enable_deletion_protection"], json!(true));
        assert_eq!(r.attrs["idle_timeout"], json!(60));
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));
        let alb = map("aws_alb", &lb, &attrs, json!({}), "eu-west-1");
        assert_eq!(alb.key.resource_type, "aws_alb");
    }

    #[test]
    fn exposure_and_deletion_protection_off_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(tier("internal", json!(true), json!(false)), Tier::Critical);
        assert_eq!(tier("internal", json!(false), json!(true)), Tier::Warning);
        assert_eq!(
            tier("enable_deletion_protection", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("idle_timeout", json!(60), json!(30)), Tier::Warning);
        assert_eq!(tier("tags.Env", json!("a"), json!("b")), Tier::Info);
    }

    #[test]
    fn false_positive_subnet_order_and_empty_access_logs_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let (lb, attrs) = answer();
        let live = map("aws_lb", &lb, &attrs, json!({}), "eu-west-1");
        // Terraform records the subnets in its own order, the access logs block with empty
        // strings, and the idle timeout as a number.
        let state = json!({
            "name": "web", "internal": false, "load_balancer_type": "application",
            "ip_address_type": "ipv4", "security_groups": ["sg-1"],
            "subnets": ["subnet-a", "subnet-b"], "enable_deletion_protection": true,
            "drop_invalid_header_fields": false, "enable_http2": true, "idle_timeout": 60,
            "desync_mitigation_mode": "defensive",
            "access_logs": [{"bucket": "", "enabled": false, "prefix": ""}],
            "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: access logs expected on.
        let mut other = state;
        other["access_logs"] = json!([{"bucket": "logs", "enabled": true, "prefix": ""}]);
        assert_eq!(changed_paths(&SPEC, other, &live), ["access_logs"]);
    }
}
