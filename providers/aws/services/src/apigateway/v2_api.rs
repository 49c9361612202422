//! `aws_apigatewayv2_api` (HTTP and WebSocket APIs): the id is the API's id, as Terraform's.
//! GetApis pages through the APIs (`nextToken`) and answers each with its tags and CORS settings:
//! no second call.
//!
//! What matters most: the default `execute-api` endpoint turned back on (critical) and CORS
//! opened to every origin (critical); the rest is a warning, tags info.
//!
//! moto serves GetApis.

use super::{execute_api_reopened, SERVICE};
use crate::client::ApiClient;
use crate::common::{array, flag, number, resource, str_of, tag_map, text, TAGS};
use crate::paging::{rest_all, RestList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct ApiGatewayV2Api;

/// CORS now allowing any origin: critical.
fn any_origin(change: &Change) -> Option<Tier> {
    let any = |v: &Value| match v {
        Value::Array(a) => a.iter().any(|o| o == "*"),
        Value::String(s) => s == "*",
        _ => false,
    };
    (any(&change.actual) && !any(&change.expected)).then_some(Tier::Critical)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_apigatewayv2_api",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("protocol_type", Shape::Scalar),
        AttrSpec::new("disable_execute_api_endpoint", Shape::Scalar)
            .tier(TierHint::Rule(execute_api_reopened)),
        AttrSpec::new("cors_configuration.0.allow_origins", Shape::Set)
            .tier(TierHint::Rule(any_origin)),
        AttrSpec::new("cors_configuration.0.allow_credentials", Shape::Scalar),
        AttrSpec::new("cors_configuration.0.allow_headers", Shape::Set),
        AttrSpec::new("cors_configuration.0.allow_methods", Shape::Set),
        AttrSpec::new("cors_configuration.0.expose_headers", Shape::Set),
        AttrSpec::new("cors_configuration.0.max_age", Shape::Number),
        AttrSpec::new("api_key_selection_expression", Shape::Scalar),
        AttrSpec::new("route_selection_expression", Shape::Scalar),
        AttrSpec::new("ip_address_type", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("version", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "body",
            "Terraform-side only: the OpenAPI document imported on apply; routes and integrations are their own types",
        ),
        UncomparedAttr::new(
            "fail_on_warnings",
            "Terraform-side only: how the body is imported",
        ),
        UncomparedAttr::new(
            "credentials_arn",
            "Terraform-side only: part of quick create, which makes a route and an integration once",
        ),
        UncomparedAttr::new(
            "route_key",
            "Terraform-side only: part of quick create, which makes a route and an integration once",
        ),
        UncomparedAttr::new(
            "target",
            "Terraform-side only: part of quick create, which makes a route and an integration once",
        ),
    ],
};

/// An API from GetApis' `items`.
fn map(api: &Value, region: &str) -> Option<Resource> {
    let id = str_of(api, "apiId");
    if id.is_empty() {
        return None;
    }
    let cors = match api.get("corsConfiguration") {
        Some(c @ Value::Object(_)) => json!([{
            "allow_credentials": flag(c, "allowCredentials").as_bool().unwrap_or(false),
            "allow_headers": array(c, "allowHeaders"),
            "allow_methods": array(c, "allowMethods"),
            "allow_origins": array(c, "allowOrigins"),
            "expose_headers": array(c, "exposeHeaders"),
            // Absent when not set; Terraform records 0.
            "max_age": match number(c, "maxAge") { Value::Null => json!(0), n => n },
        }]),
        _ => json!([]),
    };
    let mut attrs = json!({
        "name": text(api, "name"),
        "protocol_type": text(api, "protocolType"),
        "disable_execute_api_endpoint": flag(api, "disableExecuteApiEndpoint").as_bool().unwrap_or(false),
        "cors_configuration": cors,
        "api_key_selection_expression": text(api, "apiKeySelectionExpression"),
        "route_selection_expression": text(api, "routeSelectionExpression"),
        "description": text(api, "description"),
        "version": text(api, "version"),
        "tags": tag_map(api.get("tags")),
    });
    // Older answers (and moto) leave the address type out: unknown rather than removed.
    let ip = text(api, "ipAddressType");
    if !ip.is_null() {
        attrs["ip_address_type"] = ip;
    }
    Some(resource(SPEC.resource_type, id, region, attrs))
}

#[async_trait]
impl ResourceKind<ApiClient> for ApiGatewayV2Api {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let apis = rest_all(
            client,
            &SERVICE,
            RestList {
                operation: "GetApis",
                path: "/v2/apis".into(),
                query: "maxResults=100".into(),
                list: "items",
                token_in: "nextToken",
                token_out: "nextToken",
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
        // One of GetApis' `items`, as the API reference shows it.
        json!({
            "apiId": "f5vdrg12tk",
            "apiEndpoint": "https://f5vdrg12tk.execute-api.eu-west-1.amazonaws.com",
            "apiKeySelectionExpression": "$request.header.x-api-key",
            "name": "orders-http",
            "protocolType": "HTTP",
            "routeSelectionExpression": "$request.method $request.path",
            "corsConfiguration": {"allowOrigins": ["https://b.example", "https://a.example"], "allowMethods": ["GET"], "maxAge": 300},
            "disableExecuteApiEndpoint": false,
            "tags": {"Team": "orders"},
            "createdDate": "2024-01-01T00:00:00Z",
        })
    }

    #[test]
    fn api_maps_to_terraform_attributes() {
        let r = map(&answer(), "eu-west-1").unwrap();
        assert_eq!(r.key.id, "f5vdrg12tk");
        assert_eq!(r.attrs["protocol_type"], json!("HTTP"));
        assert_eq!(r.attrs["cors_configuration"][0]["max_age"], json!(300));
        assert_eq!(
            r.attrs["cors_configuration"][0]["allow_credentials"],
            json!(false)
        );
        assert_eq!(r.attrs["tags"], json!({"Team": "orders"}));
        assert!(!r.attrs.contains_key("ip_address_type"));
    }

    #[test]
    fn any_origin_and_execute_api_reopened_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier(
                "cors_configuration.0.allow_origins",
                json!(["https://a"]),
                json!(["*"])
            ),
            Tier::Critical
        );
        assert_eq!(
            tier("disable_execute_api_endpoint", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("description", json!("a"), json!("b")), Tier::Warning);
    }

    #[test]
    fn false_positive_origin_order_and_empty_fields_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&answer(), "eu-west-1").unwrap();
        let state = json!({
            "name": "orders-http", "protocol_type": "HTTP", "description": "", "version": "",
            "api_key_selection_expression": "$request.header.x-api-key",
            "route_selection_expression": "$request.method $request.path",
            "disable_execute_api_endpoint": false, "body": null, "target": null,
            "cors_configuration": [{"allow_credentials": false, "allow_headers": [],
                "allow_methods": ["GET"], "allow_origins": ["https://a.example", "https://b.example"],
                "expose_headers": [], "max_age": 300}],
            "tags": {"Team": "orders"}, "tags_all": {"Team": "orders"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["cors_configuration"][0]["max_age"] = json!(60);
        assert_eq!(
            changed_paths(&SPEC, other, &live),
            ["cors_configuration.0.max_age"]
        );
    }
}
