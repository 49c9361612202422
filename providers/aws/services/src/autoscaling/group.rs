//! `aws_autoscaling_group`: the id is the group's name, as Terraform's. DescribeAutoScalingGroups
//! answers everything compared here, tags included (one paged call for the region). Terraform's
//! `tag` blocks (key, value, propagate_at_launch) are compared as a set, at info.
//!
//! moto serves every call used here.

use super::{put, SERVICE};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, text, AWS_GENERATED_TAGS};
use crate::paging::{query_all, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Group;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_autoscaling_group",
    attrs: &[
        AttrSpec::new("launch_configuration", Shape::Scalar),
        AttrSpec::new("launch_template", Shape::Document),
        AttrSpec::new("service_linked_role_arn", Shape::Scalar),
        AttrSpec::new("min_size", Shape::Number),
        AttrSpec::new("max_size", Shape::Number),
        AttrSpec::new("desired_capacity", Shape::Number),
        AttrSpec::new("vpc_zone_identifier", Shape::Set),
        AttrSpec::new("availability_zones", Shape::Set),
        AttrSpec::new("target_group_arns", Shape::Set),
        AttrSpec::new("load_balancers", Shape::Set),
        AttrSpec::new("health_check_type", Shape::Scalar),
        AttrSpec::new("health_check_grace_period", Shape::Number),
        AttrSpec::new("default_cooldown", Shape::Number),
        AttrSpec::new("termination_policies", Shape::Document),
        AttrSpec::new("max_instance_lifetime", Shape::Number),
        AttrSpec::new("protect_from_scale_in", Shape::Scalar),
        AttrSpec::new("capacity_rebalance", Shape::Scalar),
        AttrSpec::new("suspended_processes", Shape::Set),
        AttrSpec::new("enabled_metrics", Shape::Set),
        AttrSpec::new("tag", Shape::Document).tier(TierHint::Always(Tier::Info)),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name, which is compared",
        ),
        UncomparedAttr::new(
            "force_delete",
            "Terraform-side only: how it deletes the group",
        ),
        UncomparedAttr::new("force_delete_warm_pool", "Terraform-side only"),
        UncomparedAttr::new(
            "wait_for_capacity_timeout",
            "Terraform-side only: how long apply waits",
        ),
        UncomparedAttr::new(
            "min_elb_capacity",
            "Terraform-side only: what apply waits for",
        ),
        UncomparedAttr::new(
            "wait_for_elb_capacity",
            "Terraform-side only: what apply waits for",
        ),
        UncomparedAttr::new("ignore_failed_scaling_activities", "Terraform-side only"),
        UncomparedAttr::new("mixed_instances_policy", "not read (a large nested block)"),
        UncomparedAttr::new(
            "instance_refresh",
            "Terraform-side only: how it rolls instances",
        ),
        UncomparedAttr::new("warm_pool", "not read (DescribeWarmPool per group)"),
        UncomparedAttr::new(
            "initial_lifecycle_hook",
            "create-time only; hooks are not read",
        ),
        UncomparedAttr::new("placement_group", "not read"),
        UncomparedAttr::new("metrics_granularity", "not read"),
        UncomparedAttr::new("instance_maintenance_policy", "not read"),
        UncomparedAttr::new("default_instance_warmup", "not read"),
        UncomparedAttr::new("context", "not read"),
    ],
};

fn names(list: &Value, field: &str) -> Vec<Value> {
    members(list, "member")
        .into_iter()
        .map(|m| {
            if field.is_empty() {
                m.clone()
            } else {
                m[field].clone()
            }
        })
        .collect()
}

/// A group from its DescribeAutoScalingGroups entry.
fn map(g: &Value, region: &str) -> Resource {
    let mut out = serde_json::Map::new();
    put(&mut out, "min_size", number(g, "MinSize"));
    put(&mut out, "max_size", number(g, "MaxSize"));
    put(&mut out, "desired_capacity", number(g, "DesiredCapacity"));
    out.insert(
        "launch_configuration".into(),
        text(g, "LaunchConfigurationName"),
    );
    let lt = &g["LaunchTemplate"];
    out.insert(
        "launch_template".into(),
        if lt.is_object() {
            json!([{"id": lt["LaunchTemplateId"], "name": lt["LaunchTemplateName"],
                "version": lt["Version"]}])
        } else {
            json!([])
        },
    );
    let subnets: Vec<&str> = str_of(g, "VPCZoneIdentifier")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    out.insert("vpc_zone_identifier".into(), json!(subnets));
    out.insert(
        "availability_zones".into(),
        json!(names(&g["AvailabilityZones"], "")),
    );
    out.insert(
        "target_group_arns".into(),
        json!(names(&g["TargetGroupARNs"], "")),
    );
    out.insert(
        "load_balancers".into(),
        json!(names(&g["LoadBalancerNames"], "")),
    );
    put(&mut out, "health_check_type", text(g, "HealthCheckType"));
    put(
        &mut out,
        "health_check_grace_period",
        number(g, "HealthCheckGracePeriod"),
    );
    put(&mut out, "default_cooldown", number(g, "DefaultCooldown"));
    put(
        &mut out,
        "max_instance_lifetime",
        number(g, "MaxInstanceLifetime"),
    );
    put(
        &mut out,
        "protect_from_scale_in",
        flag(g, "NewInstancesProtectedFromScaleIn"),
    );
    put(&mut out, "capacity_rebalance", flag(g, "CapacityRebalance"));
    put(
        &mut out,
        "service_linked_role_arn",
        text(g, "ServiceLinkedRoleARN"),
    );
    out.insert(
        "termination_policies".into(),
        json!(names(&g["TerminationPolicies"], "")),
    );
    out.insert(
        "suspended_processes".into(),
        json!(names(&g["SuspendedProcesses"], "ProcessName")),
    );
    out.insert(
        "enabled_metrics".into(),
        json!(names(&g["EnabledMetrics"], "Metric")),
    );
    let tags: Vec<Value> = members(&g["Tags"], "member")
        .into_iter()
        .filter(|t| !str_of(t, "Key").starts_with("aws:"))
        .map(|t| {
            json!({"key": t["Key"], "value": t["Value"],
                "propagate_at_launch": flag(t, "PropagateAtLaunch")})
        })
        .collect();
    out.insert("tag".into(), json!(tags));
    resource(
        SPEC.resource_type,
        str_of(g, "AutoScalingGroupName"),
        region,
        Value::Object(out),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for Group {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeAutoScalingGroups",
                params: vec![("MaxRecords", "100".into())],
                list: "AutoScalingGroups",
                item: "member",
                marker_in: "NextToken",
                marker_out: "NextToken",
            },
        )
        .await?;
        Ok(KindListing {
            resources: groups.iter().map(|g| map(g, region)).collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Resource {
        // A DescribeAutoScalingGroups entry as the API reference shows it (XML read as JSON).
        let g = json!({
            "AutoScalingGroupName": "web", "LaunchConfigurationName": "web-lc",
            "MinSize": "1", "MaxSize": "4", "DesiredCapacity": "2", "DefaultCooldown": "300",
            "AvailabilityZones": {"member": ["eu-west-1b", "eu-west-1a"]},
            "LoadBalancerNames": "", "TargetGroupARNs": {"member": "arn:tg"},
            "HealthCheckType": "ELB", "HealthCheckGracePeriod": "300",
            "VPCZoneIdentifier": "subnet-2,subnet-1",
            "TerminationPolicies": {"member": "Default"},
            "NewInstancesProtectedFromScaleIn": "false",
            "Tags": {"member": [
                {"Key": "Team", "Value": "web", "PropagateAtLaunch": "true",
                 "ResourceId": "web", "ResourceType": "auto-scaling-group"},
                {"Key": "aws:cloudformation:stack-name", "Value": "x", "PropagateAtLaunch": "true"},
            ]},
        });
        map(&g, "eu-west-1")
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, "web");
        assert_eq!(
            r.attrs["vpc_zone_identifier"],
            json!(["subnet-2", "subnet-1"])
        );
        assert_eq!(r.attrs["desired_capacity"], json!(2));
        assert_eq!(
            r.attrs["tag"],
            json!([{"key": "Team", "value": "web", "propagate_at_launch": true}])
        );
        assert!(!r.attrs.contains_key("max_instance_lifetime"));
    }

    #[test]
    fn false_positive_subnet_order_and_terraform_defaults_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "name": "web", "launch_configuration": "web-lc", "launch_template": [],
            "min_size": 1, "max_size": 4, "desired_capacity": 2, "default_cooldown": 300,
            "availability_zones": ["eu-west-1a", "eu-west-1b"],
            "vpc_zone_identifier": ["subnet-1", "subnet-2"], "load_balancers": [],
            "target_group_arns": ["arn:tg"], "health_check_type": "ELB",
            "health_check_grace_period": 300, "termination_policies": ["Default"],
            "max_instance_lifetime": 0, "protect_from_scale_in": false,
            "suspended_processes": [], "enabled_metrics": [],
            "tag": [{"key": "Team", "value": "web", "propagate_at_launch": true}],
            "force_delete": false, "wait_for_capacity_timeout": "10m",
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["max_size"] = json!(10);
        assert_eq!(changed_paths(&SPEC, other, &live), ["max_size"]);
    }
}
