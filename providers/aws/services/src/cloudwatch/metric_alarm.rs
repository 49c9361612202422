//! `aws_cloudwatch_metric_alarm`: the id is the alarm's name, as Terraform's. DescribeAlarms
//! (metric alarms only) pages through the alarms with every setting; each alarm's tags are one
//! more call (ListTagsForResource), run concurrently and counted. An alarm whose actions are
//! turned off, or whose alarm actions are removed, no longer tells anyone: critical.
//!
//! moto serves every call used here.

use super::{or, or_empty, MONITORING};
use crate::client::ApiClient;
use crate::common::{flag, number, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct MetricAlarm;

/// Actions turned off: the alarm fires to nobody.
fn actions_off(change: &Change) -> Option<Tier> {
    matches!(&change.actual, Value::Bool(false) | Value::Null)
        .then_some(Tier::Critical)
        .or_else(|| (change.actual == json!("false")).then_some(Tier::Critical))
}

/// Alarm actions removed (none left, or fewer than were recorded).
fn actions_removed(change: &Change) -> Option<Tier> {
    let count = |v: &Value| match v {
        Value::Array(a) => a.len(),
        Value::Null => 0,
        _ => 1,
    };
    (count(&change.actual) < count(&change.expected)).then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudwatch_metric_alarm",
    attrs: &[
        AttrSpec::new("alarm_name", Shape::Scalar),
        AttrSpec::new("actions_enabled", Shape::Scalar).tier(TierHint::Rule(actions_off)),
        AttrSpec::new("alarm_actions", Shape::Set).tier(TierHint::Rule(actions_removed)),
        AttrSpec::new("ok_actions", Shape::Set),
        AttrSpec::new("insufficient_data_actions", Shape::Set),
        AttrSpec::new("alarm_description", Shape::Scalar),
        AttrSpec::new("comparison_operator", Shape::Scalar),
        AttrSpec::new("threshold", Shape::Number),
        AttrSpec::new("threshold_metric_id", Shape::Scalar),
        AttrSpec::new("evaluation_periods", Shape::Number),
        AttrSpec::new("datapoints_to_alarm", Shape::Number),
        AttrSpec::new("metric_name", Shape::Scalar),
        AttrSpec::new("namespace", Shape::Scalar),
        AttrSpec::new("period", Shape::Number),
        AttrSpec::new("statistic", Shape::Scalar),
        AttrSpec::new("extended_statistic", Shape::Scalar),
        AttrSpec::new("unit", Shape::Scalar),
        AttrSpec::new("dimensions", Shape::Document),
        AttrSpec::new("treat_missing_data", Shape::Scalar),
        AttrSpec::new("evaluate_low_sample_count_percentiles", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "metric_query",
        "metric math queries are not read yet: an alarm on an expression compares its other settings",
    )],
};

/// The members of a query-protocol list as strings.
fn strings(v: &Value, key: &str) -> Value {
    Value::Array(
        v.get(key)
            .map(|l| members(l, "member"))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| m.as_str().map(|s| json!(s)))
            .collect(),
    )
}

/// An alarm from its DescribeAlarms entry (XML read as JSON) and its tags.
pub(crate) fn map(alarm: &Value, tags: Value, region: &str) -> Resource {
    let dims: Map<String, Value> = alarm
        .get("Dimensions")
        .map(|l| members(l, "member"))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|d| Some((d.get("Name")?.as_str()?.to_string(), text(d, "Value"))))
        .collect();
    resource(
        SPEC.resource_type,
        str_of(alarm, "AlarmName"),
        region,
        json!({
            "alarm_name": str_of(alarm, "AlarmName"),
            "actions_enabled": or(flag(alarm, "ActionsEnabled"), json!(true)),
            "alarm_actions": strings(alarm, "AlarmActions"),
            "ok_actions": strings(alarm, "OKActions"),
            "insufficient_data_actions": strings(alarm, "InsufficientDataActions"),
            "alarm_description": or_empty(text(alarm, "AlarmDescription")),
            "comparison_operator": text(alarm, "ComparisonOperator"),
            "threshold": or(number(alarm, "Threshold"), json!(0)),
            "threshold_metric_id": or_empty(text(alarm, "ThresholdMetricId")),
            "evaluation_periods": number(alarm, "EvaluationPeriods"),
            // Terraform records 0 when it was not set; the API then leaves it out.
            "datapoints_to_alarm": or(number(alarm, "DatapointsToAlarm"), json!(0)),
            "metric_name": or_empty(text(alarm, "MetricName")),
            "namespace": or_empty(text(alarm, "Namespace")),
            "period": or(number(alarm, "Period"), json!(0)),
            "statistic": or_empty(text(alarm, "Statistic")),
            "extended_statistic": or_empty(text(alarm, "ExtendedStatistic")),
            "unit": or_empty(text(alarm, "Unit")),
            "dimensions": Value::Object(dims),
            "treat_missing_data": or(text(alarm, "TreatMissingData"), json!("missing")),
            "evaluate_low_sample_count_percentiles":
                or_empty(text(alarm, "EvaluateLowSampleCountPercentile")),
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for MetricAlarm {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let alarms = query_all(
            client,
            &MONITORING,
            QueryList {
                action: "DescribeAlarms",
                params: vec![
                    ("AlarmTypes.member.1", "MetricAlarm".into()),
                    ("MaxRecords", "100".into()),
                ],
                list: "MetricAlarms",
                item: "member",
                marker_in: "NextToken",
                marker_out: "NextToken",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(alarms, |alarm| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let arn = str_of(&alarm, "AlarmArn").to_string();
                let got = client
                    .query(&MONITORING, "ListTagsForResource", &[("ResourceARN", arn)])
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = tags
                    .get("Tags")
                    .map(|l| members(l, "member"))
                    .unwrap_or_default();
                Ok(Some(map(&alarm, tag_list(tags, "Key", "Value"), &region)))
            }
        })
        .await?;
        Ok(KindListing {
            resources,
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    /// A DescribeAlarms `member` as the XML converter reads it (text values, lists of `member`).
    fn answer() -> Value {
        json!({
            "AlarmName": "cpu-high",
            "AlarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cpu-high",
            "ActionsEnabled": "true",
            "AlarmActions": {"member": "arn:aws:sns:eu-west-1:123456789012:ops"},
            "OKActions": "",
            "MetricName": "CPUUtilization",
            "Namespace": "AWS/EC2",
            "Statistic": "Average",
            "Dimensions": {"member": [{"Name": "InstanceId", "Value": "i-0abc"}]},
            "Period": "300",
            "EvaluationPeriods": "2",
            "Threshold": "80.0",
            "ComparisonOperator": "GreaterThanThreshold",
        })
    }

    #[test]
    fn alarm_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Team": "ops"}), "eu-west-1");
        assert_eq!(r.key.id, "cpu-high");
        assert_eq!(r.attrs["actions_enabled"], json!(true));
        assert_eq!(
            r.attrs["alarm_actions"],
            json!(["arn:aws:sns:eu-west-1:123456789012:ops"])
        );
        assert_eq!(r.attrs["ok_actions"], json!([]));
        assert_eq!(r.attrs["dimensions"], json!({"InstanceId": "i-0abc"}));
        assert_eq!(r.attrs["threshold"], json!(80.0));
        assert_eq!(r.attrs["treat_missing_data"], json!("missing"));
        assert_eq!(r.attrs["datapoints_to_alarm"], json!(0));
    }

    #[test]
    fn actions_turned_off_or_removed_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier("actions_enabled", json!(true), json!(false)),
            Tier::Critical
        );
        assert_eq!(
            tier("alarm_actions", json!(["a"]), Value::Null),
            Tier::Critical
        );
        assert_eq!(
            tier("alarm_actions", json!(["a"]), json!(["b"])),
            Tier::Warning
        );
        assert_eq!(tier("threshold", json!(80), json!(95)), Tier::Warning);
    }

    #[test]
    fn false_positive_numbers_and_defaults_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // The API answers 80.0 where Terraform records 80, leaves out what was not set
        // (datapoints, missing-data treatment), and empty lists are no actions.
        let live = map(&answer(), json!({}), "eu-west-1");
        let state = json!({
            "alarm_name": "cpu-high", "actions_enabled": true,
            "alarm_actions": ["arn:aws:sns:eu-west-1:123456789012:ops"], "ok_actions": [],
            "insufficient_data_actions": [], "alarm_description": "",
            "comparison_operator": "GreaterThanThreshold", "threshold": 80,
            "threshold_metric_id": "", "evaluation_periods": 2, "datapoints_to_alarm": 0,
            "metric_name": "CPUUtilization", "namespace": "AWS/EC2", "period": 300,
            "statistic": "Average", "extended_statistic": "", "unit": "",
            "dimensions": {"InstanceId": "i-0abc"}, "treat_missing_data": "missing",
            "evaluate_low_sample_count_percentiles": "", "metric_query": [],
            "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["dimensions"] = json!({"InstanceId": "i-0def"});
        assert_eq!(changed_paths(&SPEC, near, &live), ["dimensions"]);
    }
}
