//! `aws_lb_target_group`: the id is the target group's ARN, as Terraform's. DescribeTargetGroups
//! lists them; DescribeTargetGroupAttributes and DescribeTags read each one (two calls per target
//! group). The health check and stickiness are compared as blocks; the deregistration delay as a
//! number (Terraform records it as a string).
//!
//! moto serves every call used here.

use super::{attribute_map, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct TargetGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lb_target_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("protocol", Shape::Scalar),
        AttrSpec::new("port", Shape::Number),
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("target_type", Shape::Scalar),
        AttrSpec::new("protocol_version", Shape::Scalar),
        AttrSpec::new("health_check", Shape::Document),
        AttrSpec::new("stickiness", Shape::Document),
        AttrSpec::new("deregistration_delay", Shape::Number),
        AttrSpec::new("slow_start", Shape::Number),
        AttrSpec::new("load_balancing_algorithm_type", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name, which is compared",
        ),
        UncomparedAttr::new(
            "connection_termination",
            "network load balancer attribute; not read",
        ),
        UncomparedAttr::new(
            "preserve_client_ip",
            "network load balancer attribute; not read",
        ),
        UncomparedAttr::new(
            "proxy_protocol_v2",
            "network load balancer attribute; not read",
        ),
        UncomparedAttr::new(
            "lambda_multi_value_headers_enabled",
            "Lambda targets only; not read",
        ),
        UncomparedAttr::new("load_balancing_cross_zone_enabled", "not read"),
        UncomparedAttr::new("load_balancing_anomaly_mitigation", "not read"),
        UncomparedAttr::new("target_failover", "Gateway Load Balancer only; not read"),
        UncomparedAttr::new("target_health_state", "not read"),
        UncomparedAttr::new("target_group_health", "not read"),
        UncomparedAttr::new("ip_address_type", "fixed at creation; not compared"),
    ],
};

/// A target group from its DescribeTargetGroups entry, its attributes and its tags.
fn map(tg: &Value, attributes: &Map<String, Value>, tags: Value, region: &str) -> Resource {
    let av = Value::Object(attributes.clone());
    let mut attrs = json!({
        "name": text(tg, "TargetGroupName"),
        "protocol": text(tg, "Protocol"),
        "port": number(tg, "Port"),
        "vpc_id": text(tg, "VpcId"),
        "target_type": text(tg, "TargetType"),
        "health_check": [{
            "enabled": flag(tg, "HealthCheckEnabled"),
            "healthy_threshold": number(tg, "HealthyThresholdCount"),
            "unhealthy_threshold": number(tg, "UnhealthyThresholdCount"),
            "interval": number(tg, "HealthCheckIntervalSeconds"),
            "timeout": number(tg, "HealthCheckTimeoutSeconds"),
            "path": text(tg, "HealthCheckPath"),
            "port": text(tg, "HealthCheckPort"),
            "protocol": text(tg, "HealthCheckProtocol"),
            "matcher": tg["Matcher"].get("HttpCode").or_else(|| tg["Matcher"].get("GrpcCode")).cloned().unwrap_or(Value::Null),
        }],
        "tags": tags,
    });
    let out = attrs.as_object_mut().expect("object");
    if let Some(v) = tg.get("ProtocolVersion") {
        out.insert("protocol_version".into(), v.clone());
    }
    for (name, key) in [
        (
            "deregistration_delay",
            "deregistration_delay.timeout_seconds",
        ),
        ("slow_start", "slow_start.duration_seconds"),
    ] {
        let n = number(&av, key);
        if !n.is_null() {
            out.insert(name.into(), n);
        }
    }
    if let Some(v) = attributes.get("load_balancing.algorithm.type") {
        out.insert("load_balancing_algorithm_type".into(), v.clone());
    }
    if attributes.contains_key("stickiness.enabled") {
        let kind = str_of(&av, "stickiness.type");
        out.insert(
            "stickiness".into(),
            json!([{
                "enabled": flag(&av, "stickiness.enabled"),
                "type": kind,
                "cookie_duration": if kind == "app_cookie" {
                    number(&av, "stickiness.app_cookie.duration_seconds")
                } else {
                    // AWS's default, one day, answered by AWS always and by moto never.
                    match number(&av, "stickiness.lb_cookie.duration_seconds") {
                        Value::Null => json!(86400),
                        n => n,
                    }
                },
                "cookie_name": text(&av, "stickiness.app_cookie.cookie_name"),
            }]),
        );
    }
    resource(
        SPEC.resource_type,
        str_of(tg, "TargetGroupArn"),
        region,
        attrs,
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for TargetGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeTargetGroups",
                params: vec![("PageSize", "400".into())],
                list: "TargetGroups",
                item: "member",
                marker_in: "Marker",
                marker_out: "NextMarker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(groups, |tg| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let arn = str_of(&tg, "TargetGroupArn").to_string();
                let got = client
                    .query(
                        &SERVICE,
                        "DescribeTargetGroupAttributes",
                        &[("TargetGroupArn", arn.clone())],
                    )
                    .await;
                let Some(attributes) = unless_gone(got)? else {
                    return Ok(None);
                };
                let Some(tags) = tags(&client, &arn).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&tg, &attribute_map(&attributes), tags, &region)))
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

    const ARN: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067";

    fn live() -> Resource {
        let tg = json!({
            "TargetGroupArn": ARN, "TargetGroupName": "web", "Protocol": "HTTP", "Port": "80",
            "VpcId": "vpc-1", "HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port",
            "HealthCheckEnabled": "true", "HealthCheckIntervalSeconds": "30",
            "HealthCheckTimeoutSeconds": "5", "HealthyThresholdCount": "5",
            "UnhealthyThresholdCount": "2", "HealthCheckPath": "/", "Matcher": {"HttpCode": "200"},
            "TargetType": "instance", "ProtocolVersion": "HTTP1",
        });
        let attrs = attribute_map(&json!({"Attributes": {"member": [
            {"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
            {"Key": "stickiness.enabled", "Value": "false"},
            {"Key": "stickiness.type", "Value": "lb_cookie"},
            {"Key": "stickiness.lb_cookie.duration_seconds", "Value": "86400"},
            {"Key": "slow_start.duration_seconds", "Value": "0"},
        ]}}));
        map(&tg, &attrs, json!({}), "eu-west-1")
    }

    #[test]
    fn target_group_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["port"], json!(80));
        assert_eq!(r.attrs["deregistration_delay"], json!(300));
        assert_eq!(r.attrs["health_check"][0]["matcher"], json!("200"));
        assert_eq!(r.attrs["stickiness"][0]["cookie_duration"], json!(86400));
    }

    #[test]
    fn false_positive_numbers_as_strings_and_empty_cookie_name_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform records the delay as a string and the thresholds as numbers; the query
        // protocol answers everything as text.
        let state = json!({
            "name": "web", "protocol": "HTTP", "port": 80, "vpc_id": "vpc-1",
            "target_type": "instance", "protocol_version": "HTTP1",
            "deregistration_delay": "300", "slow_start": 0,
            "health_check": [{"enabled": true, "healthy_threshold": 5, "interval": 30,
                "matcher": "200", "path": "/", "port": "traffic-port", "protocol": "HTTP",
                "timeout": 5, "unhealthy_threshold": 2}],
            "stickiness": [{"cookie_duration": 86400, "cookie_name": "", "enabled": false,
                "type": "lb_cookie"}],
            "tags": {}, "tags_all": {},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["health_check"][0]["path"] = json!("/health");
        assert_eq!(changed_paths(&SPEC, other, &live), ["health_check"]);
    }
}
