//! `aws_kinesis_stream`: the id is the stream's ARN, as Terraform's. ListStreams gives names
//! (paged with `NextToken`, or with `ExclusiveStartStreamName` while `HasMoreStreams`); each
//! stream is read with DescribeStreamSummary and ListTagsForStream, two calls per stream,
//! concurrent and metered. Encryption turned off is critical.
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, number, resource, str_of, tag_list, TAGS};
use crate::paging::{each_bounded, unless_gone, MAX_PAGES};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct KinesisStream;

/// Encryption turned off: `NONE`.
fn encryption_tier(change: &Change) -> Option<Tier> {
    match &change.actual {
        Value::String(s) if s == "NONE" || s.is_empty() => Some(Tier::Critical),
        Value::Null => Some(Tier::Critical),
        _ => None,
    }
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_kinesis_stream",
    attrs: &[
        AttrSpec::new("encryption_type", Shape::CaseInsensitive)
            .tier(TierHint::Rule(encryption_tier)),
        AttrSpec::new("kms_key_id", Shape::Scalar),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("shard_count", Shape::Number),
        AttrSpec::new("retention_period", Shape::Number),
        AttrSpec::new("shard_level_metrics", Shape::Set),
        AttrSpec::new("stream_mode_details", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "enforce_consumer_deletion",
        "Terraform-side only: used when the stream is destroyed",
    )],
};

/// A stream from DescribeStreamSummary's `StreamDescriptionSummary` and its tags.
fn map(s: &Value, tags: Value, region: &str) -> Resource {
    let metrics: Vec<Value> = array(s, "EnhancedMonitoring")
        .iter()
        .flat_map(|m| array(m, "ShardLevelMetrics").iter().cloned())
        .collect();
    let mode = match s.get("StreamModeDetails").map(|m| str_of(m, "StreamMode")) {
        Some(m) if !m.is_empty() => m,
        _ => "PROVISIONED",
    };
    resource(
        SPEC.resource_type,
        str_of(s, "StreamARN"),
        region,
        json!({
            "name": str_of(s, "StreamName"),
            // On-demand streams: Terraform records 0 shards (AWS scales them).
            "shard_count": if mode == "ON_DEMAND" { json!(0) } else { number(s, "OpenShardCount") },
            "retention_period": number(s, "RetentionPeriodHours"),
            "shard_level_metrics": metrics,
            "encryption_type": match str_of(s, "EncryptionType") { "" => "NONE", e => e },
            "kms_key_id": str_of(s, "KeyId"),
            "stream_mode_details": [{"stream_mode": mode}],
            "tags": tags,
        }),
    )
}

/// Every stream name of the region.
async fn stream_names(client: &ApiClient) -> Result<Vec<String>, ListError> {
    let mut names: Vec<String> = Vec::new();
    let mut input = json!({"Limit": 100});
    for _ in 0..MAX_PAGES {
        let page = client.json(&SERVICE, "ListStreams", input.clone()).await?;
        let got: Vec<String> = array(&page, "StreamNames")
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
        let more = page.get("HasMoreStreams").and_then(Value::as_bool) == Some(true);
        let last = got.last().cloned();
        names.extend(got);
        let next = match (str_of(&page, "NextToken"), last) {
            _ if !more => return Ok(names),
            (token, _) if !token.is_empty() => json!({"NextToken": token}),
            (_, Some(last)) => json!({"Limit": 100, "ExclusiveStartStreamName": last}),
            // More streams, and no way to ask for them: a partial list is never a listing.
            _ => {
                return Err(ListError::Api(
                    "ListStreams: the answer says there are more streams but gives no way to read them; the listing was stopped"
                        .into(),
                ))
            }
        };
        // The same request again would answer the same page for ever.
        if next == input {
            return Err(ListError::Api(
                "ListStreams: the next page is the page just read; the listing was stopped".into(),
            ));
        }
        input = next;
    }
    Err(ListError::Api(
        "ListStreams: more pages than driftd reads; the listing was stopped".into(),
    ))
}

async fn read(client: &ApiClient, name: &str, region: &str) -> Result<Option<Resource>, ListError> {
    let got = client
        .json(
            &SERVICE,
            "DescribeStreamSummary",
            json!({"StreamName": name}),
        )
        .await;
    let Some(summary) = unless_gone(got)? else {
        return Ok(None);
    };
    let summary = summary
        .get("StreamDescriptionSummary")
        .cloned()
        .unwrap_or(json!({}));
    // A stream being deleted is gone for Terraform.
    if str_of(&summary, "StreamStatus") == "DELETING" {
        return Ok(None);
    }
    let got = client
        .json(&SERVICE, "ListTagsForStream", json!({"StreamName": name}))
        .await;
    let Some(tags) = unless_gone(got)? else {
        return Ok(None);
    };
    let tags = tag_list(array(&tags, "Tags"), "Key", "Value");
    Ok(Some(map(&summary, tags, region)))
}

#[async_trait]
impl ResourceKind<ApiClient> for KinesisStream {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let names = stream_names(client).await?;
        let region = region.to_string();
        let resources = each_bounded(names, |name| {
            let (client, region) = (client.clone(), region.clone());
            async move { read(&client, &name, &region).await }
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
    /// Found with the `aws_answers` fuzz target: an answer that says there are more streams and
    /// names the same next page again made driftd ask for it ten thousand times; one with more
    /// streams and no way to them was taken as the whole list. Both now stop the listing.
    #[tokio::test]
    async fn paging_that_cannot_go_on_stops_the_listing() {
        for (body, why) in [
            (
                r#"{"HasMoreStreams":true,"NextToken":"t","StreamNames":["a"]}"#,
                "the next page is the page just read",
            ),
            (
                r#"{"HasMoreStreams":true,"StreamNames":[]}"#,
                "gives no way to read them",
            ),
        ] {
            let client = crate::testing::client_answering(200, "application/x-amz-json-1.1", body);
            let err = super::stream_names(&client).await.expect_err(body);
            assert!(err.to_string().contains(why), "{err}");
        }
    }

    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    const ARN: &str = "arn:aws:kinesis:us-east-1:111122223333:stream/clicks";

    fn summary() -> Value {
        json!({
            "StreamName": "clicks", "StreamARN": ARN, "StreamStatus": "ACTIVE",
            "StreamModeDetails": {"StreamMode": "PROVISIONED"}, "RetentionPeriodHours": 24,
            "StreamCreationTimestamp": 1.6e9,
            "EnhancedMonitoring": [{"ShardLevelMetrics": ["IncomingBytes", "OutgoingBytes"]}],
            "EncryptionType": "KMS", "KeyId": "alias/aws/kinesis", "OpenShardCount": 2,
            "ConsumerCount": 0,
        })
    }

    #[test]
    fn stream_maps_and_encryption_off_is_critical() {
        let r = map(&summary(), json!({"Team": "web"}), "us-east-1");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["shard_count"], json!(2));
        assert_eq!(r.attrs["retention_period"], json!(24));
        assert_eq!(r.attrs["encryption_type"], json!("KMS"));
        let change = Change::new(
            "encryption_type",
            ChangeOp::Replace,
            json!("KMS"),
            json!("NONE"),
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[change]),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_metric_order_and_enhanced_monitoring_block() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&summary(), json!({}), "us-east-1");
        let state = json!({
            "name": "clicks", "shard_count": 2, "retention_period": 24,
            "shard_level_metrics": ["OutgoingBytes", "IncomingBytes"],
            "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis",
            "stream_mode_details": [{"stream_mode": "PROVISIONED"}],
            "enforce_consumer_deletion": false, "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["retention_period"] = json!(48);
        assert_eq!(changed_paths(&SPEC, other, &live), ["retention_period"]);
    }
}
