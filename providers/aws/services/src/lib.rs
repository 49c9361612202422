//! driftd's AWS services beyond EC2, S3 and IAM: one module per service, one file per resource
//! type, all read through [`client::ApiClient`], a small SigV4-signed client that speaks the AWS
//! wire protocols (no SDK crate per service: see [`client`] for why and what it costs).
//!
//! To add a type: write `<service>/<type>.rs` with its [`TypeSpec`](driftd_core::TypeSpec), its
//! listing and its mapping to Terraform's attribute names (with a unit test of the mapping from
//! an answer written as the API reference documents it), and add it to the service's `kinds()`.
//! A new service also gets its [`client::Service`] (endpoint prefix, signing name, protocol) in
//! its `mod.rs` and one line in [`registry`]. `docs/adding-a-type.md` walks through one type.

pub mod attribute_calls;
pub mod client;
pub mod common;
pub mod errors;
pub mod paging;
#[cfg(test)]
pub(crate) mod testing;
pub mod xml;

pub mod acm;
pub mod apigateway;
pub mod autoscaling;
pub mod cloudfront;
pub mod cloudtrail;
pub mod cloudwatch;
pub mod dynamodb;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod eks;
pub mod elasticache;
pub mod elbv2;
pub mod kinesis;
pub mod kms;
pub mod lambda;
pub mod rds;
pub mod route53;
pub mod secretsmanager;
pub mod sfn;
pub mod sns;
pub mod sqs;
pub mod ssm;

pub use aws_credential_types::Credentials;
pub use client::{ApiClient, CallError, Protocol, Service, Shared};
pub use common::{GLOBAL_SCOPE, PROVIDER};

/// The types of one service, listed with an [`ApiClient`].
pub type Kinds = Vec<Box<dyn driftd_core::ResourceKind<ApiClient>>>;

/// Every type of every service here.
pub fn registry() -> Kinds {
    [
        rds::kinds(),
        elasticache::kinds(),
        lambda::kinds(),
        apigateway::kinds(),
        sfn::kinds(),
        efs::kinds(),
        elbv2::kinds(),
        autoscaling::kinds(),
        route53::kinds(),
        cloudfront::kinds(),
        acm::kinds(),
        sqs::kinds(),
        sns::kinds(),
        kinesis::kinds(),
        dynamodb::kinds(),
        kms::kinds(),
        secretsmanager::kinds(),
        ssm::kinds(),
        cloudtrail::kinds(),
        cloudwatch::kinds(),
        ecr::kinds(),
        ecs::kinds(),
        eks::kinds(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Types of global services (Route 53, CloudFront): listed once per scan, in [`GLOBAL_SCOPE`].
pub const GLOBAL_TYPES: &[&str] = &[
    "aws_route53_zone",
    "aws_route53_record",
    "aws_cloudfront_distribution",
];
