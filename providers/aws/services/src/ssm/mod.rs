//! AWS Systems Manager Parameter Store, over JSON 1.1 (`AmazonSSM.<Operation>`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod parameter;

pub const SERVICE: Service = Service {
    endpoint_prefix: "ssm",
    signing_name: "ssm",
    iam_prefix: "ssm",
    protocol: Protocol::Json {
        version: "1.1",
        target: "AmazonSSM",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(parameter::SsmParameter)]
}
