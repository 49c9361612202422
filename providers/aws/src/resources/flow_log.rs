//! `aws_flow_log`: the record of a VPC's, subnet's, interface's or transit gateway's traffic.
//! Compared: where the records go (`log_destination`, or `log_group_name` for CloudWatch Logs:
//! records sent elsewhere is critical, they are audit data), the destination type, which traffic
//! is recorded, the role that delivers them, the record format, the aggregation interval, the S3
//! destination options, what is logged (`vpc_id`, `subnet_id`, `eni_id`, `transit_gateway_id` or
//! `transit_gateway_attachment_id`, as Terraform splits the API's one resource id), and tags.
//!
//! AWS has no call that changes a flow log in place: a flow log deleted out of band is missing,
//! one added is unmanaged, and tags are what can change.
//!
//! moto gap: DescribeFlowLogs has no `LogDestination` for a CloudWatch Logs flow log (AWS reports
//! the log group's ARN), so that attribute is left out of the live resource (unknown, not
//! compared, never "removed"); `log_group_name` is compared.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, opt_str, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::FlowLog as SdkFlowLog;
use aws_sdk_ec2::Client;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct FlowLog;

/// Where the records go.
const DESTINATION: TierHint = TierHint::Always(Tier::Critical);

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_flow_log",
    attrs: &[
        AttrSpec::new("log_destination", Shape::Scalar).tier(DESTINATION),
        AttrSpec::new("log_group_name", Shape::Scalar).tier(DESTINATION),
        AttrSpec::new("log_destination_type", Shape::Scalar),
        AttrSpec::new("traffic_type", Shape::CaseInsensitive),
        AttrSpec::new("iam_role_arn", Shape::Scalar),
        AttrSpec::new("log_format", Shape::Scalar),
        AttrSpec::new("max_aggregation_interval", Shape::Number),
        AttrSpec::new("destination_options", Shape::Document),
        AttrSpec::new("vpc_id", Shape::Scalar),
        AttrSpec::new("subnet_id", Shape::Scalar),
        AttrSpec::new("eni_id", Shape::Scalar),
        AttrSpec::new("transit_gateway_id", Shape::Scalar),
        AttrSpec::new("transit_gateway_attachment_id", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "deliver_cross_account_role",
        "not compared yet (DescribeFlowLogs returns it)",
    )],
};

/// The Terraform attribute that holds what is logged, by the id's prefix.
fn logged_attribute(resource_id: &str) -> Option<&'static str> {
    [
        ("vpc-", "vpc_id"),
        ("subnet-", "subnet_id"),
        ("eni-", "eni_id"),
        ("tgw-attach-", "transit_gateway_attachment_id"),
        ("tgw-", "transit_gateway_id"),
    ]
    .into_iter()
    .find(|(prefix, _)| resource_id.starts_with(prefix))
    .map(|(_, attr)| attr)
}

fn map(f: &SdkFlowLog, region: &str) -> Option<Resource> {
    let id = f.flow_log_id()?;
    let options = f.destination_options().map(|o| {
        json!([{
            "file_format": opt_str(o.file_format().map(|v| v.as_str())),
            "hive_compatible_partitions": o.hive_compatible_partitions(),
            "per_hour_partition": o.per_hour_partition(),
        }])
    });
    let mut attrs = json!({
        "log_group_name": opt_str(f.log_group_name()),
        "log_destination_type": opt_str(f.log_destination_type().map(|t| t.as_str())),
        "traffic_type": opt_str(f.traffic_type().map(|t| t.as_str())),
        "iam_role_arn": opt_str(f.deliver_logs_permission_arn()),
        "log_format": opt_str(f.log_format()),
        "max_aggregation_interval": f.max_aggregation_interval(),
        "destination_options": options.unwrap_or(Value::Null),
        "tags": tags_value(f.tags()),
    });
    if let Value::Object(m) = &mut attrs {
        if let Some(attr) = f.resource_id().and_then(logged_attribute) {
            m.insert(attr.into(), json!(f.resource_id()));
        }
        // AWS always reports where the records go: without it (moto) it is unknown, not
        // compared, rather than removed.
        if let Some(destination) = f.log_destination() {
            m.insert("log_destination".into(), json!(destination));
        }
    }
    Some(resource(SPEC.resource_type, id, region, attrs))
}

#[async_trait]
impl ResourceKind<Client> for FlowLog {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_flow_logs().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeFlowLogs", &e))?;
            out.resources
                .extend(page.flow_logs().iter().filter_map(|f| map(f, region)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{LogDestinationType, TrafficType};

    #[test]
    fn maps_to_terraform_names() {
        let f = SdkFlowLog::builder()
            .flow_log_id("fl-1")
            .resource_id("subnet-1")
            .traffic_type(TrafficType::Reject)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name("flows")
            .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flows")
            .max_aggregation_interval(600)
            .build();
        let r = map(&f, "us-east-1").unwrap();
        assert_eq!(r.key.id, "fl-1");
        assert_eq!(r.attrs["subnet_id"], json!("subnet-1"));
        assert!(!r.attrs.contains_key("vpc_id"));
        assert_eq!(r.attrs["traffic_type"], json!("REJECT"));
        assert_eq!(r.attrs["log_destination_type"], json!("cloud-watch-logs"));
        assert_eq!(r.attrs["log_group_name"], json!("flows"));
        assert_eq!(
            r.attrs["iam_role_arn"],
            json!("arn:aws:iam::123456789012:role/flows")
        );
        assert_eq!(r.attrs["max_aggregation_interval"], json!(600));
        assert_eq!(r.attrs["destination_options"], Value::Null);
        // Not reported: unknown, so not compared.
        assert!(!r.attrs.contains_key("log_destination"));
    }

    #[test]
    fn what_is_logged_goes_in_its_own_attribute() {
        assert_eq!(logged_attribute("vpc-1"), Some("vpc_id"));
        assert_eq!(logged_attribute("eni-1"), Some("eni_id"));
        assert_eq!(
            logged_attribute("tgw-attach-1"),
            Some("transit_gateway_attachment_id")
        );
        assert_eq!(logged_attribute("tgw-1"), Some("transit_gateway_id"));
        assert_eq!(logged_attribute("other"), None);
    }
}
