//! Amazon ECS, over JSON 1.1 (`AmazonEC2ContainerServiceV20141113`).

use crate::client::{Protocol, Service};
pub(crate) use crate::common::known;
use crate::Kinds;
use serde_json::Value;

pub mod cluster;
pub mod service;
pub mod task_definition;

pub const SERVICE: Service = Service {
    endpoint_prefix: "ecs",
    signing_name: "ecs",
    iam_prefix: "ecs",
    protocol: Protocol::Json {
        version: "1.1",
        target: "AmazonEC2ContainerServiceV20141113",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(cluster::Cluster),
        Box::new(service::EcsService),
        Box::new(task_definition::TaskDefinition),
    ]
}

/// Every cluster ARN of the region.
pub(crate) async fn cluster_arns(
    client: &crate::ApiClient,
) -> Result<Vec<Value>, driftd_core::ListError> {
    Ok(crate::paging::json_all(
        client,
        &SERVICE,
        crate::paging::JsonList {
            operation: "ListClusters",
            input: serde_json::json!({"maxResults": 100}),
            list: "clusterArns",
            token_in: "nextToken",
            token_out: "nextToken",
        },
    )
    .await?)
}
