//! One file per resource type. To add a type: write `<type>.rs` implementing
//! [`ResourceKind`] for an SDK client (its spec, listing and mapping, with a unit test of the
//! mapping) and add one line to [`registry`]. EC2 types list with an `aws_sdk_ec2::Client` and
//! are registered through [`Ec2`]; S3 and IAM types list with [`Clients`], which builds the
//! clients they need. A global type (IAM) is also named in [`GLOBAL_TYPES`].

use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, ResourceKind, TypeSpec};

pub mod ebs_volume;
pub mod eip;
pub mod flow_log;
mod iam;
pub mod iam_access_key;
pub mod iam_group;
pub mod iam_group_membership;
pub mod iam_group_policy;
pub mod iam_group_policy_attachment;
pub mod iam_instance_profile;
pub mod iam_policy;
pub mod iam_policy_attachment;
pub mod iam_role;
pub mod iam_role_policy;
pub mod iam_role_policy_attachment;
pub mod iam_user;
pub mod iam_user_policy;
pub mod iam_user_policy_attachment;
pub mod instance;
pub mod internet_gateway;
pub mod key_pair;
pub mod launch_template;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_interface;
pub mod route;
pub mod route_table;
pub mod route_table_association;
pub mod s3_bucket;
pub mod s3_bucket_acl;
pub mod s3_bucket_lifecycle_configuration;
pub mod s3_bucket_logging;
pub mod s3_bucket_policy;
pub mod s3_bucket_public_access_block;
pub mod s3_bucket_server_side_encryption_configuration;
pub mod s3_bucket_versioning;
pub mod security_group;
pub mod security_group_rule;
pub mod subnet;
pub mod volume_attachment;
pub mod vpc;
pub mod vpc_endpoint;
pub mod vpc_peering_connection;
pub mod vpc_security_group_egress_rule;
pub mod vpc_security_group_ingress_rule;

/// Every supported resource type.
pub fn registry() -> Vec<Box<dyn ResourceKind<Clients>>> {
    let sdk_types: Vec<Box<dyn ResourceKind<Clients>>> = vec![
        Box::new(Ec2(instance::Instance)),
        Box::new(Ec2(security_group::SecurityGroup)),
        Box::new(Ec2(vpc::Vpc)),
        Box::new(Ec2(subnet::Subnet)),
        Box::new(Ec2(ebs_volume::EbsVolume)),
        Box::new(Ec2(internet_gateway::InternetGateway)),
        Box::new(Ec2(route_table::RouteTable)),
        Box::new(Ec2(nat_gateway::NatGateway)),
        Box::new(Ec2(network_interface::NetworkInterface)),
        Box::new(Ec2(eip::Eip)),
        Box::new(Ec2(key_pair::KeyPair)),
        Box::new(Ec2(launch_template::LaunchTemplate)),
        Box::new(Ec2(network_acl::NetworkAcl)),
        Box::new(Ec2(
            vpc_security_group_ingress_rule::VpcSecurityGroupIngressRule,
        )),
        Box::new(Ec2(
            vpc_security_group_egress_rule::VpcSecurityGroupEgressRule,
        )),
        Box::new(Ec2(security_group_rule::SecurityGroupRule)),
        Box::new(Ec2(route::AwsRoute)),
        Box::new(Ec2(route_table_association::RouteTableAssociation)),
        Box::new(Ec2(volume_attachment::VolumeAttachment)),
        Box::new(Ec2(vpc_endpoint::VpcEndpoint)),
        Box::new(Ec2(vpc_peering_connection::VpcPeeringConnection)),
        Box::new(Ec2(flow_log::FlowLog)),
        Box::new(s3_bucket::S3Bucket),
        Box::new(s3_bucket_versioning::S3BucketVersioning),
        Box::new(s3_bucket_server_side_encryption_configuration::S3BucketSseConfiguration),
        Box::new(s3_bucket_public_access_block::S3BucketPublicAccessBlock),
        Box::new(iam_role::IamRole),
        Box::new(iam_policy::IamPolicy),
        Box::new(iam_role_policy_attachment::IamRolePolicyAttachment),
        Box::new(iam_user::IamUser),
        Box::new(iam_group::IamGroup),
        Box::new(iam_group_membership::IamGroupMembership),
        Box::new(iam_instance_profile::IamInstanceProfile),
        Box::new(iam_role_policy::IamRolePolicy),
        Box::new(iam_user_policy_attachment::IamUserPolicyAttachment),
        Box::new(iam_group_policy_attachment::IamGroupPolicyAttachment),
        Box::new(iam_policy_attachment::IamPolicyAttachment),
        Box::new(iam_user_policy::IamUserPolicy),
        Box::new(iam_group_policy::IamGroupPolicy),
        Box::new(iam_access_key::IamAccessKey),
        Box::new(s3_bucket_policy::S3BucketPolicy),
        Box::new(s3_bucket_acl::S3BucketAcl),
        Box::new(s3_bucket_lifecycle_configuration::S3BucketLifecycleConfiguration),
        Box::new(s3_bucket_logging::S3BucketLogging),
    ];
    sdk_types
        .into_iter()
        .chain(
            driftd_aws_services::registry()
                .into_iter()
                .map(|k| Box::new(Api(k)) as Box<dyn ResourceKind<Clients>>),
        )
        .collect()
}

/// Types of global services: listed once per scan, in [`crate::GLOBAL_SCOPE`], not per region.
pub const GLOBAL_TYPES: &[&str] = &[
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_user",
    "aws_iam_group",
    "aws_iam_group_membership",
    "aws_iam_instance_profile",
    "aws_iam_role_policy",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_user_policy",
    "aws_iam_group_policy",
    "aws_iam_access_key",
];

pub fn is_global(resource_type: &str) -> bool {
    GLOBAL_TYPES.contains(&resource_type)
        || driftd_aws_services::GLOBAL_TYPES.contains(&resource_type)
}

/// An EC2 type, listed with the unit's EC2 client.
pub struct Ec2<K>(pub K);

#[async_trait]
impl<K: ResourceKind<aws_sdk_ec2::Client>> ResourceKind<Clients> for Ec2<K> {
    fn spec(&self) -> &'static TypeSpec {
        self.0.spec()
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        self.0.list(&clients.ec2, scope).await
    }
}

pub(crate) use driftd_aws_services::common::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};

/// A type of a service read with the signed client of `driftd-aws-services` (RDS, Lambda, ...).
pub struct Api(pub Box<dyn ResourceKind<driftd_aws_services::ApiClient>>);

#[async_trait]
impl ResourceKind<Clients> for Api {
    fn spec(&self) -> &'static TypeSpec {
        self.0.spec()
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        self.0.list(&clients.api, scope).await
    }
}

/// The instance metadata service's settings as Terraform's `metadata_options` block (a list
/// of one), from an instance or a launch template version: read by the IMDSv1 policy, not
/// compared yet.
pub(crate) fn metadata_options_block(
    http_endpoint: Option<&str>,
    http_tokens: Option<&str>,
    hop_limit: Option<i32>,
    http_protocol_ipv6: Option<&str>,
    instance_metadata_tags: Option<&str>,
) -> serde_json::Value {
    use crate::client::opt_str;
    serde_json::json!([{
        "http_endpoint": opt_str(http_endpoint),
        "http_tokens": opt_str(http_tokens),
        "http_put_response_hop_limit": hop_limit,
        "http_protocol_ipv6": opt_str(http_protocol_ipv6),
        "instance_metadata_tags": opt_str(instance_metadata_tags),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};
    use serde_json::{json, Value};

    fn spec(resource_type: &str) -> &'static TypeSpec {
        registry()
            .into_iter()
            .map(|k| k.spec())
            .find(|s| s.resource_type == resource_type)
            .expect("a registered type")
    }

    fn tier(resource_type: &str, changes: &[(&str, Value)]) -> Tier {
        let changes: Vec<Change> = changes
            .iter()
            .map(|(path, v)| Change::new(*path, ChangeOp::Replace, Value::Null, v.clone()))
            .collect();
        default_tier(Some(spec(resource_type)), FindingKind::Changed, &changes)
    }

    #[test]
    fn tag_only_change_is_info_anything_else_a_warning() {
        for kind in registry() {
            let spec = kind.spec();
            if spec.attrs.iter().any(|a| a.name == "tags") {
                let t = tier(spec.resource_type, &[("tags.Env", json!("dev"))]);
                assert_eq!(t, Tier::Info, "{}", spec.resource_type);
            }
        }
        let both = [
            ("tags.Env", json!("dev")),
            ("instance_type", json!("t3.large")),
        ];
        assert_eq!(tier("aws_instance", &both), Tier::Warning);
    }

    #[test]
    fn grant_changes_are_critical() {
        for (resource_type, path) in [
            ("aws_iam_role", "assume_role_policy"),
            ("aws_iam_policy", "policy"),
            ("aws_iam_role_policy_attachment", "policy_arn"),
        ] {
            let t = tier(resource_type, &[(path, json!({}))]);
            assert_eq!(t, Tier::Critical, "{resource_type}.{path}");
        }
    }
}
