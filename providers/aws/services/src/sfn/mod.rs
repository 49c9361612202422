//! AWS Step Functions, over its JSON 1.0 protocol (`AWSStepFunctions.<Operation>`, API version
//! `2016-11-23`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod state_machine;

pub const SERVICE: Service = Service {
    endpoint_prefix: "states",
    signing_name: "states",
    iam_prefix: "states",
    protocol: Protocol::Json {
        version: "1.0",
        target: "AWSStepFunctions",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(state_machine::SfnStateMachine)]
}
