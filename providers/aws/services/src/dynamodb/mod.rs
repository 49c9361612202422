//! Amazon DynamoDB, over JSON 1.0 (`DynamoDB_20120810.<Operation>`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod table;

pub const SERVICE: Service = Service {
    endpoint_prefix: "dynamodb",
    signing_name: "dynamodb",
    iam_prefix: "dynamodb",
    protocol: Protocol::Json {
        version: "1.0",
        target: "DynamoDB_20120810",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(table::DynamodbTable)]
}
