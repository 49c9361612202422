//! `aws_api_gateway_rest_api`: the id is the API's id, as Terraform's. GetRestApis pages through
//! the APIs (`position`) and answers each with its tags and resource policy: no second call.
//!
//! What matters most: the resource policy (it grants: critical), the endpoint type (a private
//! API made regional or edge-optimized is exposed to the internet: critical) and the default
//! `execute-api` endpoint turned back on (critical).
//!
//! API Gateway answers the policy with its quotes escaped (`{\"Version\":...}`); it is read
//! unescaped, as the provider does. moto serves GetRestApis (with tags and policy).

use super::{execute_api_reopened, SERVICE};
use crate::client::ApiClient;
use crate::common::{array, flag, number, resource, str_of, tag_map, text, GRANTS, TAGS};
use crate::paging::{rest_all, RestList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct ApiGatewayRestApi;

/// An endpoint that is no longer only private is exposed to the internet: critical.
fn exposed(change: &Change) -> Option<Tier> {
    let private = |v: &Value| match v {
        Value::Array(a) => a.iter().any(|t| t == "PRIVATE"),
        Value::String(s) => s == "PRIVATE",
        _ => false,
    };
    let public = |v: &Value| match v {
        Value::Array(a) => a.iter().any(|t| t != "PRIVATE"),
        Value::String(s) => s != "PRIVATE",
        _ => false,
    };
    (public(&change.actual) && !public(&change.expected)
        || private(&change.expected) && !private(&change.actual))
    .then_some(Tier::Critical)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_api_gateway_rest_api",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("endpoint_configuration.0.types", Shape::Set)
            .tier(TierHint::Rule(exposed)),
        AttrSpec::new("endpoint_configuration.0.vpc_endpoint_ids", Shape::Set),
        AttrSpec::new("disable_execute_api_endpoint", Shape::Scalar)
            .tier(TierHint::Rule(execute_api_reopened)),
        AttrSpec::new("api_key_source", Shape::Scalar),
        AttrSpec::new("binary_media_types", Shape::Set),
        AttrSpec::new("minimum_compression_size", Shape::Number),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "body",
            "Terraform-side only: the OpenAPI document imported on apply; its resources and methods are their own types",
        ),
        UncomparedAttr::new("parameters", "Terraform-side only: options of the body's import"),
        UncomparedAttr::new("mode", "Terraform-side only: how the body is imported"),
        UncomparedAttr::new(
            "fail_on_warnings",
            "Terraform-side only: how the body is imported",
        ),
        UncomparedAttr::new(
            "put_rest_api_mode",
            "Terraform-side only: how the body is imported",
        ),
    ],
};

/// The policy as JSON text: API Gateway escapes its quotes, the provider records it unescaped.
fn policy(api: &Value) -> Value {
    let raw = str_of(api, "policy");
    if raw.trim().is_empty() {
        return Value::Null;
    }
    if serde_json::from_str::<Value>(raw).is_ok() {
        return json!(raw);
    }
    match serde_json::from_str::<String>(&format!("\"{raw}\"")) {
        Ok(unescaped) => json!(unescaped),
        Err(_) => json!(raw),
    }
}

/// An API from GetRestApis' `item`.
fn map(api: &Value, region: &str) -> Option<Resource> {
    let id = str_of(api, "id");
    if id.is_empty() {
        return None;
    }
    let endpoint = api
        .get("endpointConfiguration")
        .cloned()
        .unwrap_or(json!({}));
    let mut attrs: Map<String, Value> = json!({
        "name": text(api, "name"),
        "policy": policy(api),
        "endpoint_configuration": [{
            "types": array(&endpoint, "types"),
            "vpc_endpoint_ids": array(&endpoint, "vpcEndpointIds"),
        }],
        "disable_execute_api_endpoint": flag(api, "disableExecuteApiEndpoint").as_bool().unwrap_or(false),
        "api_key_source": text(api, "apiKeySource"),
        "binary_media_types": array(api, "binaryMediaTypes"),
        "description": text(api, "description"),
        "tags": tag_map(api.get("tags")),
    })
    .as_object()
    .cloned()
    .unwrap_or_default();
    // Absent when compression is off: the provider has recorded that as -1, and lately as "";
    // left unknown rather than guessed.
    let size = number(api, "minimumCompressionSize");
    if !size.is_null() {
        attrs.insert("minimum_compression_size".into(), size);
    }
    let mut r = resource(SPEC.resource_type, id, region, json!({}));
    r.attrs = attrs.into_iter().collect();
    Some(r)
}

#[async_trait]
impl ResourceKind<ApiClient> for ApiGatewayRestApi {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let apis = rest_all(
            client,
            &SERVICE,
            RestList {
                operation: "GetRestApis",
                path: "/restapis".into(),
                query: "limit=500".into(),
                list: "item",
                token_in: "position",
                token_out: "position",
            },
        )
        .await?;
        Ok(KindListing {
            resources: apis.iter().filter_map(|a| map(a, region)).collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    fn answer() -> Value {
        // One `item` of GetRestApis, as the API reference shows it (the policy escaped).
        json!({
            "id": "3of73v5ob4",
            "name": "orders",
            "description": "Orders API",
            "createdDate": 1631624932,
            "apiKeySource": "HEADER",
            "endpointConfiguration": {"types": ["PRIVATE"], "vpcEndpointIds": ["vpce-1"]},
            "policy": "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:eu-west-1:123456789012:3of73v5ob4\\/*\\\"}]}",
            "tags": {"Team": "orders"},
            "disableExecuteApiEndpoint": true,
            "rootResourceId": "pe75h6tq6i",
        })
    }

    #[test]
    fn api_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1").unwrap();
        assert_eq!(r.key.id, "3of73v5ob4");
        assert_eq!(r.attrs["name"], json!("orders"));
        assert_eq!(
            r.attrs["endpoint_configuration"],
            json!([{"types": ["PRIVATE"], "vpc_endpoint_ids": ["vpce-1"]}])
        );
        assert_eq!(r.attrs["disable_execute_api_endpoint"], json!(true));
        assert!(!r.attrs.contains_key("minimum_compression_size"));
        let p: Value = serde_json::from_str(r.attrs["policy"].as_str().unwrap()).unwrap();
        assert_eq!(p["Statement"][0]["Action"], json!("execute-api:Invoke"));
    }

    #[test]
    fn policy_and_exposure_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(tier("policy", json!("{}"), json!("{}")), Tier::Critical);
        assert_eq!(
            tier(
                "endpoint_configuration.0.types",
                json!(["PRIVATE"]),
                json!(["REGIONAL"])
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "endpoint_configuration.0.types",
                json!(["EDGE"]),
                json!(["REGIONAL"])
            ),
            Tier::Warning
        );
        assert_eq!(
            tier("disable_execute_api_endpoint", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("description", json!("a"), json!("b")), Tier::Warning);
    }

    #[test]
    fn false_positive_escaped_policy_and_compression_off_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), "eu-west-1").unwrap();
        let state = json!({
            "name": "orders", "description": "Orders API", "api_key_source": "HEADER",
            "policy": "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Action\": \"execute-api:Invoke\",\n      \"Effect\": \"Allow\",\n      \"Principal\": \"*\",\n      \"Resource\": \"arn:aws:execute-api:eu-west-1:123456789012:3of73v5ob4/*\"\n    }\n  ]\n}",
            "endpoint_configuration": [{"types": ["PRIVATE"], "vpc_endpoint_ids": ["vpce-1"]}],
            "disable_execute_api_endpoint": true, "binary_media_types": [],
            "minimum_compression_size": -1, "body": null,
            "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["policy"] = json!(other["policy"].as_str().unwrap().replace("Allow", "Deny"));
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
