//! `aws_dynamodb_table`: the id is the table's name, as Terraform's. ListTables (paged) gives
//! names; each table is read with DescribeTable, DescribeContinuousBackups (point-in-time
//! recovery), DescribeTimeToLive and ListTagsOfResource: four calls per table, concurrent and
//! metered. Deletion protection turned off and customer-key encryption removed are critical.
//! Secondary indexes are not compared yet (listed as not compared).
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, flag, number, resource, str_of, tag_list, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DynamodbTable;

/// A protection or encryption turned off: `false`, or no block left.
fn off_tier(change: &Change) -> Option<Tier> {
    match &change.actual {
        Value::Null | Value::Bool(false) => Some(Tier::Critical),
        Value::Array(a) if a.is_empty() => Some(Tier::Critical),
        _ => None,
    }
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_dynamodb_table",
    attrs: &[
        AttrSpec::new("deletion_protection_enabled", Shape::Scalar).tier(TierHint::Rule(off_tier)),
        AttrSpec::new("server_side_encryption", Shape::Document).tier(TierHint::Rule(off_tier)),
        AttrSpec::new("point_in_time_recovery", Shape::Document),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("billing_mode", Shape::Scalar),
        AttrSpec::new("hash_key", Shape::Scalar),
        AttrSpec::new("range_key", Shape::Scalar),
        AttrSpec::new("attribute", Shape::Document),
        AttrSpec::new("read_capacity", Shape::Number),
        AttrSpec::new("write_capacity", Shape::Number),
        AttrSpec::new("stream_enabled", Shape::Scalar),
        AttrSpec::new("stream_view_type", Shape::Scalar),
        AttrSpec::new("ttl", Shape::Document),
        AttrSpec::new("table_class", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "global_secondary_index",
            "secondary index definitions are not compared yet",
        ),
        UncomparedAttr::new(
            "local_secondary_index",
            "secondary index definitions are not compared yet",
        ),
        UncomparedAttr::new("replica", "global-table replicas are not read"),
        UncomparedAttr::new(
            "restore_source_name",
            "Terraform-side only: where the table was restored from, once",
        ),
        UncomparedAttr::new(
            "restore_to_latest_time",
            "Terraform-side only: how the table was restored, once",
        ),
        UncomparedAttr::new(
            "import_table",
            "Terraform-side only: the import the table was created from",
        ),
        UncomparedAttr::new(
            "on_demand_throughput",
            "on-demand throughput limits are not read",
        ),
    ],
};

/// The key attribute of `role` (`HASH`, `RANGE`) in a KeySchema.
fn key_of<'a>(schema: &'a [Value], role: &str) -> &'a str {
    schema
        .iter()
        .find(|k| str_of(k, "KeyType") == role)
        .map(|k| str_of(k, "AttributeName"))
        .unwrap_or("")
}

/// A table from DescribeTable's `Table`, the continuous-backups and TTL descriptions and tags.
fn map(t: &Value, backups: &Value, ttl: &Value, tags: Value, region: &str) -> Resource {
    let schema = array(t, "KeySchema");
    let throughput = t.get("ProvisionedThroughput").cloned().unwrap_or(json!({}));
    let stream = t.get("StreamSpecification").cloned().unwrap_or(json!({}));
    let stream_on = flag(&stream, "StreamEnabled").as_bool().unwrap_or(false);
    let sse = t.get("SSEDescription").cloned().unwrap_or(json!({}));
    // Encrypted with AWS's own key (the default): no block, as Terraform records it.
    let sse_block = if str_of(&sse, "Status") == "ENABLED" {
        json!([{"enabled": true, "kms_key_arn": str_of(&sse, "KMSMasterKeyArn")}])
    } else {
        json!([])
    };
    let pitr = &backups["PointInTimeRecoveryDescription"];
    let mut pitr_block = json!({
        "enabled": str_of(pitr, "PointInTimeRecoveryStatus") == "ENABLED",
    });
    if let n @ Value::Number(_) = number(pitr, "RecoveryPeriodInDays") {
        pitr_block["recovery_period_in_days"] = n;
    }
    let ttl_on = str_of(ttl, "TimeToLiveStatus") == "ENABLED";
    let mut attrs = json!({
        "name": str_of(t, "TableName"),
        "billing_mode": match t.get("BillingModeSummary").map(|b| str_of(b, "BillingMode")) {
            Some(m) if !m.is_empty() => m,
            _ => "PROVISIONED",
        },
        "hash_key": key_of(schema, "HASH"),
        "range_key": key_of(schema, "RANGE"),
        "attribute": array(t, "AttributeDefinitions")
            .iter()
            .map(|a| json!({"name": str_of(a, "AttributeName"), "type": str_of(a, "AttributeType")}))
            .collect::<Vec<_>>(),
        "read_capacity": number(&throughput, "ReadCapacityUnits"),
        "write_capacity": number(&throughput, "WriteCapacityUnits"),
        "stream_enabled": stream_on,
        "stream_view_type": if stream_on { str_of(&stream, "StreamViewType") } else { "" },
        "server_side_encryption": sse_block,
        "point_in_time_recovery": [pitr_block],
        "ttl": [{
            "enabled": ttl_on,
            "attribute_name": if ttl_on { str_of(ttl, "AttributeName") } else { "" },
        }],
        "deletion_protection_enabled": flag(t, "DeletionProtectionEnabled").as_bool().unwrap_or(false),
        "tags": tags,
    });
    // Answered only for tables moved to another class by some APIs: unknown when absent.
    if let Some(class) = t.get("TableClassSummary").map(|c| str_of(c, "TableClass")) {
        if !class.is_empty() {
            attrs["table_class"] = json!(class);
        }
    }
    resource(SPEC.resource_type, str_of(t, "TableName"), region, attrs)
}

async fn call(client: &ApiClient, op: &str, input: Value) -> Result<Option<Value>, ListError> {
    unless_gone(client.json(&SERVICE, op, input).await)
}

async fn read(client: &ApiClient, name: &str, region: &str) -> Result<Option<Resource>, ListError> {
    let Some(described) = call(client, "DescribeTable", json!({"TableName": name})).await? else {
        return Ok(None);
    };
    let table = described.get("Table").cloned().unwrap_or(json!({}));
    if str_of(&table, "TableStatus") == "DELETING" {
        return Ok(None);
    }
    let Some(backups) = call(
        client,
        "DescribeContinuousBackups",
        json!({"TableName": name}),
    )
    .await?
    else {
        return Ok(None);
    };
    let Some(ttl) = call(client, "DescribeTimeToLive", json!({"TableName": name})).await? else {
        return Ok(None);
    };
    let Some(tags) = call(
        client,
        "ListTagsOfResource",
        json!({"ResourceArn": str_of(&table, "TableArn")}),
    )
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(map(
        &table,
        &backups["ContinuousBackupsDescription"],
        &ttl["TimeToLiveDescription"],
        tag_list(array(&tags, "Tags"), "Key", "Value"),
        region,
    )))
}

#[async_trait]
impl ResourceKind<ApiClient> for DynamodbTable {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let names = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListTables",
                input: json!({"Limit": 100}),
                list: "TableNames",
                token_in: "ExclusiveStartTableName",
                token_out: "LastEvaluatedTableName",
            },
        )
        .await?;
        let names: Vec<String> = names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_string))
            .collect();
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
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    fn table() -> Value {
        // DescribeTable's Table as the API reference shows it.
        json!({
            "TableName": "Music", "TableStatus": "ACTIVE",
            "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/Music",
            "AttributeDefinitions": [
                {"AttributeName": "Artist", "AttributeType": "S"},
                {"AttributeName": "SongTitle", "AttributeType": "S"}
            ],
            "KeySchema": [
                {"AttributeName": "Artist", "KeyType": "HASH"},
                {"AttributeName": "SongTitle", "KeyType": "RANGE"}
            ],
            "ProvisionedThroughput": {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            "SSEDescription": {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": "arn:aws:kms:us-east-1:123456789012:key/k"},
            "DeletionProtectionEnabled": true,
        })
    }

    fn backups(status: &str) -> Value {
        json!({"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": status}})
    }

    #[test]
    fn table_maps_with_its_second_calls() {
        let r = map(
            &table(),
            &backups("ENABLED"),
            &json!({"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}),
            json!({"Team": "music"}),
            "us-east-1",
        );
        assert_eq!(r.key.id, "Music");
        assert_eq!(r.attrs["billing_mode"], json!("PROVISIONED"));
        assert_eq!(r.attrs["hash_key"], json!("Artist"));
        assert_eq!(r.attrs["range_key"], json!("SongTitle"));
        assert_eq!(r.attrs["read_capacity"], json!(5));
        assert_eq!(
            r.attrs["point_in_time_recovery"],
            json!([{"enabled": true}])
        );
        assert_eq!(
            r.attrs["ttl"],
            json!([{"enabled": true, "attribute_name": "expires"}])
        );
        assert_eq!(r.attrs["deletion_protection_enabled"], json!(true));
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!(true), new)],
            )
        };
        assert_eq!(
            tier("deletion_protection_enabled", json!(false)),
            Tier::Critical
        );
        assert_eq!(tier("server_side_encryption", json!([])), Tier::Critical);
        assert_eq!(tier("read_capacity", json!(10)), Tier::Warning);
    }

    #[test]
    fn false_positive_attribute_order_and_disabled_blocks() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            &table(),
            &backups("DISABLED"),
            &json!({"TimeToLiveStatus": "DISABLED"}),
            json!({}),
            "us-east-1",
        );
        let state = json!({
            "name": "Music", "billing_mode": "PROVISIONED", "hash_key": "Artist",
            "range_key": "SongTitle",
            "attribute": [{"name": "SongTitle", "type": "S"}, {"name": "Artist", "type": "S"}],
            "read_capacity": 5, "write_capacity": 5, "stream_enabled": false,
            "stream_view_type": "",
            "server_side_encryption": [{"enabled": true, "kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/k"}],
            "point_in_time_recovery": [{"enabled": false}],
            "ttl": [{"attribute_name": "", "enabled": false}],
            "deletion_protection_enabled": true, "table_class": "STANDARD",
            "global_secondary_index": [], "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["point_in_time_recovery"] = json!([{"enabled": true}]);
        assert_eq!(
            changed_paths(&SPEC, other, &live),
            ["point_in_time_recovery"]
        );
    }
}
