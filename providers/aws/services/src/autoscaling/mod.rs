//! Amazon EC2 Auto Scaling, over the query protocol, API version 2011-01-01.

use crate::client::{Protocol, Service};
use crate::Kinds;
use serde_json::{Map, Value};

pub mod group;
pub mod launch_configuration;

pub const SERVICE: Service = Service {
    endpoint_prefix: "autoscaling",
    signing_name: "autoscaling",
    iam_prefix: "autoscaling",
    protocol: Protocol::Query {
        version: "2011-01-01",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(group::Group),
        Box::new(launch_configuration::LaunchConfiguration),
    ]
}

/// Sets `name` to `value` unless the answer left it out (null): an attribute Auto Scaling does
/// not answer (a zero lifetime, no key pair) stays unknown rather than absent.
pub(crate) fn put(out: &mut Map<String, Value>, name: &str, value: Value) {
    if !value.is_null() {
        out.insert(name.to_string(), value);
    }
}
