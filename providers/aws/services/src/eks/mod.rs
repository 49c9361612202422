//! Amazon EKS, over REST-JSON (`GET /clusters`, signing name `eks`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod cluster;
pub mod node_group;

pub const SERVICE: Service = Service {
    endpoint_prefix: "eks",
    signing_name: "eks",
    iam_prefix: "eks",
    protocol: Protocol::RestJson,
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(cluster::EksCluster),
        Box::new(node_group::NodeGroup),
    ]
}

/// Every cluster name of the region.
pub(crate) async fn cluster_names(
    client: &crate::ApiClient,
) -> Result<Vec<String>, driftd_core::ListError> {
    let names = crate::paging::rest_all(
        client,
        &SERVICE,
        crate::paging::RestList {
            operation: "ListClusters",
            path: "/clusters".into(),
            query: "maxResults=100".into(),
            list: "clusters",
            token_in: "nextToken",
            token_out: "nextToken",
        },
    )
    .await?;
    Ok(names
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect())
}
