//! AWS Lambda, over its REST-JSON API (version `2015-03-31`, paths `/2015-03-31/...`).

use crate::client::{segment, ApiClient, Protocol, Service};
use crate::paging::{rest_all, RestList};
use crate::Kinds;
use driftd_core::ListError;
use serde_json::Value;

pub mod event_source_mapping;
pub mod function;
pub mod permission;

pub const SERVICE: Service = Service {
    endpoint_prefix: "lambda",
    signing_name: "lambda",
    iam_prefix: "lambda",
    protocol: Protocol::RestJson,
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(function::LambdaFunction),
        Box::new(permission::LambdaPermission),
        Box::new(event_source_mapping::LambdaEventSourceMapping),
    ]
}

/// Every function of the region (ListFunctions' `FunctionConfiguration`s, unqualified).
pub(crate) async fn functions(client: &ApiClient) -> Result<Vec<Value>, ListError> {
    Ok(rest_all(
        client,
        &SERVICE,
        RestList {
            operation: "ListFunctions",
            path: "/2015-03-31/functions/".into(),
            query: "MaxItems=50".into(),
            list: "Functions",
            token_in: "Marker",
            token_out: "NextMarker",
        },
    )
    .await?)
}

/// The path of one function (by name), with `rest` after it (`/policy`, or nothing).
pub(crate) fn function_path(name: &str, rest: &str) -> String {
    format!("/2015-03-31/functions/{}{rest}", segment(name))
}
