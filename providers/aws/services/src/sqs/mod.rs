//! Amazon SQS, over its JSON 1.0 protocol (`AmazonSQS.<Operation>`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod queue;
pub mod queue_policy;

pub const SERVICE: Service = Service {
    endpoint_prefix: "sqs",
    signing_name: "sqs",
    iam_prefix: "sqs",
    protocol: Protocol::Json {
        version: "1.0",
        target: "AmazonSQS",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(queue::SqsQueue),
        Box::new(queue_policy::SqsQueuePolicy),
    ]
}
