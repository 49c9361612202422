//! Amazon API Gateway: REST APIs (version 1, `/restapis`) and HTTP/WebSocket APIs (version 2,
//! `/v2/apis`), both over REST-JSON at the same endpoint (`apigateway.<region>.amazonaws.com`),
//! signed as `apigateway`. IAM names both versions' reads `apigateway:GET`.

use crate::client::{Protocol, Service};
use crate::Kinds;
use driftd_core::{Change, Tier};
use serde_json::Value;

pub mod rest_api;
pub mod v2_api;

pub const SERVICE: Service = Service {
    endpoint_prefix: "apigateway",
    signing_name: "apigateway",
    iam_prefix: "apigateway",
    protocol: Protocol::RestJson,
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(rest_api::ApiGatewayRestApi),
        Box::new(v2_api::ApiGatewayV2Api),
    ]
}

/// The default `execute-api` endpoint turned back on (the API reachable from the internet
/// again, bypassing a custom domain's protections) is critical.
pub(crate) fn execute_api_reopened(change: &Change) -> Option<Tier> {
    matches!(change.actual, Value::Bool(false)).then_some(Tier::Critical)
}
