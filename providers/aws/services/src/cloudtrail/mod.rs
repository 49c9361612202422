//! AWS CloudTrail, over JSON 1.1 (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod trail;

pub const SERVICE: Service = Service {
    endpoint_prefix: "cloudtrail",
    signing_name: "cloudtrail",
    iam_prefix: "cloudtrail",
    protocol: Protocol::Json {
        version: "1.1",
        target: "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(trail::Trail)]
}
