//! One file per resource type. To add a type: write `<type>.rs` implementing
//! [`ResourceKind<Client>`](driftd_core::ResourceKind) (its spec, listing and mapping, with a
//! unit test of the mapping) and add one line to [`registry`].

use aws_sdk_ec2::Client;
use driftd_core::ResourceKind;

pub mod ebs_volume;
pub mod eip;
pub mod instance;
pub mod internet_gateway;
pub mod key_pair;
pub mod launch_template;
pub mod nat_gateway;
pub mod network_acl;
pub mod network_interface;
pub mod route_table;
pub mod security_group;
pub mod subnet;
pub mod vpc;
pub mod vpc_security_group_egress_rule;
pub mod vpc_security_group_ingress_rule;

/// Every supported resource type.
pub fn registry() -> Vec<Box<dyn ResourceKind<Client>>> {
    vec![
        Box::new(instance::Instance),
        Box::new(security_group::SecurityGroup),
        Box::new(vpc::Vpc),
        Box::new(subnet::Subnet),
        Box::new(ebs_volume::EbsVolume),
        Box::new(internet_gateway::InternetGateway),
        Box::new(route_table::RouteTable),
        Box::new(nat_gateway::NatGateway),
        Box::new(network_interface::NetworkInterface),
        Box::new(eip::Eip),
        Box::new(key_pair::KeyPair),
        Box::new(launch_template::LaunchTemplate),
        Box::new(network_acl::NetworkAcl),
        Box::new(vpc_security_group_ingress_rule::VpcSecurityGroupIngressRule),
        Box::new(vpc_security_group_egress_rule::VpcSecurityGroupEgressRule),
    ]
}

/// Tag keys AWS writes itself (CloudFormation, Auto Scaling, ...), never compared.
pub(crate) const AWS_GENERATED_TAGS: &[&str] = &["aws:"];

/// A new resource of `resource_type` in `region` with its attributes.
pub(crate) fn resource(
    resource_type: &str,
    id: &str,
    region: &str,
    attrs: serde_json::Value,
) -> driftd_core::Resource {
    let mut r = driftd_core::Resource::new(crate::PROVIDER, resource_type, id);
    r.region = Some(region.to_string());
    if let serde_json::Value::Object(map) = attrs {
        r.attrs = map.into_iter().collect();
    }
    r
}
