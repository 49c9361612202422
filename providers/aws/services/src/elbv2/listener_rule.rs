//! `aws_lb_listener_rule`: the id is the rule's ARN, as Terraform's. Rules are read per listener
//! (DescribeRules, one paged call per listener, after the load balancers and their listeners),
//! then each rule's tags. A listener's default rule is the listener's `default_action`, not an
//! `aws_lb_listener_rule`: it is left out.
//!
//! moto serves every call used here.

use super::{action, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Map, Value};

pub struct ListenerRule;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lb_listener_rule",
    attrs: &[
        AttrSpec::new("listener_arn", Shape::Scalar),
        AttrSpec::new("priority", Shape::Number),
        AttrSpec::new("action", Shape::Document),
        AttrSpec::new("condition", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[],
};

fn values(v: &Value) -> Vec<Value> {
    members(&v["Values"], "member")
        .into_iter()
        .cloned()
        .collect()
}

/// One condition as Terraform's block: `{host_header: [{values: [...]}]}` and so on.
fn condition(c: &Value) -> Value {
    let field = str_of(c, "Field");
    let (block, config) = match field {
        "host-header" => ("host_header", "HostHeaderConfig"),
        "path-pattern" => ("path_pattern", "PathPatternConfig"),
        "http-request-method" => ("http_request_method", "HttpRequestMethodConfig"),
        "source-ip" => ("source_ip", "SourceIpConfig"),
        "http-header" => ("http_header", "HttpHeaderConfig"),
        "query-string" => ("query_string", "QueryStringConfig"),
        other => return json!({ other: values(c) }),
    };
    let cfg = &c[config];
    let inner = match field {
        "http-header" => {
            json!([{"http_header_name": cfg["HttpHeaderName"], "values": values(cfg)}])
        }
        "query-string" => {
            let pairs: Vec<Value> = members(&cfg["Values"], "member")
                .into_iter()
                .map(|p| json!({"key": p["Key"], "value": p["Value"]}))
                .collect();
            json!(pairs)
        }
        _ => {
            // The older form keeps the values on the condition itself.
            let vals = if cfg.is_object() {
                values(cfg)
            } else {
                values(c)
            };
            json!([{ "values": vals }])
        }
    };
    let mut m = Map::new();
    m.insert(block.into(), inner);
    Value::Object(m)
}

/// A rule from its DescribeRules entry, its listener and its tags.
fn map(rule: &Value, listener: &str, tags: Value, region: &str) -> Resource {
    let actions: Vec<Value> = members(&rule["Actions"], "member")
        .into_iter()
        .enumerate()
        .map(|(i, a)| action(i, a))
        .collect();
    let conditions: Vec<Value> = members(&rule["Conditions"], "member")
        .into_iter()
        .map(condition)
        .collect();
    resource(
        SPEC.resource_type,
        str_of(rule, "RuleArn"),
        region,
        json!({
            "listener_arn": listener,
            "priority": number(rule, "Priority"),
            "action": actions,
            "condition": conditions,
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for ListenerRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let listeners: Vec<String> = super::listener::listeners(client)
            .await?
            .iter()
            .map(|l| str_of(l, "ListenerArn").to_string())
            .collect();
        let per_listener = each_bounded(listeners, |arn| {
            let client = client.clone();
            async move {
                let got = query_all(
                    &client,
                    &SERVICE,
                    QueryList {
                        action: "DescribeRules",
                        params: vec![("ListenerArn", arn.clone())],
                        list: "Rules",
                        item: "member",
                        marker_in: "Marker",
                        marker_out: "NextMarker",
                    },
                )
                .await;
                Ok(unless_gone(got)?.map(|rules| {
                    rules
                        .into_iter()
                        .filter(|r| flag(r, "IsDefault") != json!(true))
                        .map(|r| (arn.clone(), r))
                        .collect::<Vec<_>>()
                }))
            }
        })
        .await?;
        let region = region.to_string();
        let resources = each_bounded(
            per_listener.into_iter().flatten().collect(),
            |(listener, rule)| {
                let (client, region) = (client.clone(), region.clone());
                async move {
                    let Some(tags) = tags(&client, str_of(&rule, "RuleArn")).await? else {
                        return Ok(None);
                    };
                    Ok(Some(map(&rule, &listener, tags, &region)))
                }
            },
        )
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

    const TG: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/73e2d6bc24d8a067";

    fn live() -> Resource {
        let rule = json!({
            "RuleArn": "arn:rule/1", "Priority": "10", "IsDefault": "false",
            "Conditions": {"member": [
                {"Field": "host-header", "Values": {"member": "api.example.com"},
                 "HostHeaderConfig": {"Values": {"member": "api.example.com"}}},
                {"Field": "path-pattern", "PathPatternConfig": {"Values": {"member": ["/v1/*", "/v2/*"]}}},
            ]},
            "Actions": {"member": {"Type": "forward", "TargetGroupArn": TG, "Order": "1"}},
        });
        map(&rule, "arn:listener", json!({}), "eu-west-1")
    }

    #[test]
    fn rule_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, "arn:rule/1");
        assert_eq!(r.attrs["priority"], json!(10));
        assert_eq!(
            r.attrs["condition"][1],
            json!({"path_pattern": [{"values": ["/v1/*", "/v2/*"]}]})
        );
    }

    #[test]
    fn false_positive_conditions_in_another_order_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "listener_arn": "arn:listener", "priority": 10,
            "action": [{"type": "forward", "target_group_arn": TG, "order": 1, "forward": [],
                "redirect": [], "fixed_response": [], "authenticate_cognito": [],
                "authenticate_oidc": []}],
            "condition": [
                {"host_header": [], "http_header": [], "http_request_method": [],
                 "path_pattern": [{"values": ["/v2/*", "/v1/*"]}], "query_string": [], "source_ip": []},
                {"host_header": [{"values": ["api.example.com"]}], "http_header": [],
                 "http_request_method": [], "path_pattern": [], "query_string": [], "source_ip": []},
            ],
            "tags": {}, "tags_all": {},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["condition"][1]["host_header"][0]["values"] = json!(["www.example.com"]);
        assert_eq!(changed_paths(&SPEC, other, &live), ["condition"]);
    }
}
