//! Amazon ECR, over JSON 1.1 (`AmazonEC2ContainerRegistry_V20150921`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod repository;

pub const SERVICE: Service = Service {
    endpoint_prefix: "api.ecr",
    signing_name: "ecr",
    iam_prefix: "ecr",
    protocol: Protocol::Json {
        version: "1.1",
        target: "AmazonEC2ContainerRegistry_V20150921",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(repository::Repository)]
}
