//! Amazon Kinesis Data Streams, over JSON 1.1 (`Kinesis_20131202.<Operation>`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod stream;

pub const SERVICE: Service = Service {
    endpoint_prefix: "kinesis",
    signing_name: "kinesis",
    iam_prefix: "kinesis",
    protocol: Protocol::Json {
        version: "1.1",
        target: "Kinesis_20131202",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(stream::KinesisStream)]
}
