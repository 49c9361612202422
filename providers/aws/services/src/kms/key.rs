//! `aws_kms_key`: the id is the key id, as Terraform's. ListKeys gives ids only: each key is read
//! with DescribeKey; an AWS-managed key (KeyManager `AWS`) is skipped there, a key pending
//! deletion counts as gone (Terraform treats it so). A customer key is then read with
//! GetKeyPolicy (the `default` policy), GetKeyRotationStatus and ListResourceTags: four calls per
//! customer key, concurrent and metered. The key policy is critical (it grants), rotation turned
//! off and the key disabled are warnings.
//!
//! moto serves every call used here; it does not answer `RotationPeriodInDays`, which is then
//! left out of the comparison (unknown, not removed), nor DescribeKey's `KeyUsage`, also left
//! out then.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, document, flag, number, resource, str_of, tag_list, GRANTS, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct KmsKey;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_kms_key",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("is_enabled", Shape::Scalar),
        AttrSpec::new("enable_key_rotation", Shape::Scalar),
        AttrSpec::new("rotation_period_in_days", Shape::Number),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("key_usage", Shape::Scalar),
        AttrSpec::new("customer_master_key_spec", Shape::Scalar),
        AttrSpec::new("multi_region", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "deletion_window_in_days",
            "Terraform-side only: used when the key is destroyed",
        ),
        UncomparedAttr::new(
            "bypass_policy_lockout_safety_check",
            "Terraform-side only: a flag of the policy call, not stored by KMS",
        ),
        UncomparedAttr::new(
            "custom_key_store_id",
            "custom key stores (CloudHSM, external) are not read",
        ),
        UncomparedAttr::new("xks_key_id", "external key stores are not read"),
    ],
};

/// Whether DescribeKey's `KeyMetadata` is a key driftd compares: customer-managed, not pending
/// deletion.
fn listed(meta: &Value) -> bool {
    let state = str_of(meta, "KeyState");
    str_of(meta, "KeyManager") != "AWS"
        && (!state.starts_with("Pending") || state == "PendingImport")
}

/// A key from DescribeKey's `KeyMetadata`, its policy, GetKeyRotationStatus' answer and tags.
fn map(meta: &Value, policy: Value, rotation: &Value, tags: Value, region: &str) -> Resource {
    let spec = match str_of(meta, "KeySpec") {
        "" => str_of(meta, "CustomerMasterKeySpec"),
        s => s,
    };
    let mut attrs = json!({
        "policy": policy,
        "is_enabled": flag(meta, "Enabled").as_bool().unwrap_or(false),
        "enable_key_rotation": flag(rotation, "KeyRotationEnabled").as_bool().unwrap_or(false),
        "description": str_of(meta, "Description"),
        "customer_master_key_spec": spec,
        "multi_region": flag(meta, "MultiRegion").as_bool().unwrap_or(false),
        "tags": tags,
    });
    // Always answered by KMS; moto leaves it out: unknown then, not removed.
    if !str_of(meta, "KeyUsage").is_empty() {
        attrs["key_usage"] = json!(str_of(meta, "KeyUsage"));
    }
    // Only answered once rotation is on: otherwise unknown, not removed.
    let period = number(rotation, "RotationPeriodInDays");
    if !period.is_null() {
        attrs["rotation_period_in_days"] = period;
    }
    resource(SPEC.resource_type, str_of(meta, "KeyId"), region, attrs)
}

/// Every key id of the region.
async fn key_ids(client: &ApiClient) -> Result<Vec<String>, ListError> {
    let keys = json_all(
        client,
        &SERVICE,
        JsonList {
            operation: "ListKeys",
            input: json!({"Limit": 1000}),
            list: "Keys",
            token_in: "Marker",
            token_out: "NextMarker",
        },
    )
    .await?;
    Ok(keys
        .iter()
        .map(|k| str_of(k, "KeyId").to_string())
        .filter(|k| !k.is_empty())
        .collect())
}

async fn call(client: &ApiClient, op: &str, input: Value) -> Result<Option<Value>, ListError> {
    unless_gone(client.json(&SERVICE, op, input).await)
}

/// One key, or `None` when it is AWS's, pending deletion or gone.
async fn read(client: &ApiClient, id: &str, region: &str) -> Result<Option<Resource>, ListError> {
    let Some(described) = call(client, "DescribeKey", json!({"KeyId": id})).await? else {
        return Ok(None);
    };
    let meta = described.get("KeyMetadata").cloned().unwrap_or(json!({}));
    if !listed(&meta) {
        return Ok(None);
    }
    let Some(policy) = call(
        client,
        "GetKeyPolicy",
        json!({"KeyId": id, "PolicyName": "default"}),
    )
    .await?
    else {
        return Ok(None);
    };
    // Asymmetric and HMAC keys cannot rotate: KMS refuses the question; rotation is off.
    let rotation = match client
        .json(&SERVICE, "GetKeyRotationStatus", json!({"KeyId": id}))
        .await
    {
        Ok(v) => v,
        Err(e) if e.code.contains("UnsupportedOperation") => json!({"KeyRotationEnabled": false}),
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.error),
    };
    let Some(tags) = call(client, "ListResourceTags", json!({"KeyId": id})).await? else {
        return Ok(None);
    };
    let tags = tag_list(array(&tags, "Tags"), "TagKey", "TagValue");
    Ok(Some(map(
        &meta,
        document(&policy, "Policy"),
        &rotation,
        tags,
        region,
    )))
}

#[async_trait]
impl ResourceKind<ApiClient> for KmsKey {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let ids = key_ids(client).await?;
        let region = region.to_string();
        let resources = each_bounded(ids, |id| {
            let (client, region) = (client.clone(), region.clone());
            async move { read(&client, &id, &region).await }
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    fn meta() -> Value {
        // DescribeKey's KeyMetadata as the API reference shows it.
        json!({
            "AWSAccountId": "111122223333",
            "Arn": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "CreationDate": 1.499288695918E9, "CustomerMasterKeySpec": "SYMMETRIC_DEFAULT",
            "Description": "orders", "Enabled": true, "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"],
            "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "KeyManager": "CUSTOMER",
            "KeySpec": "SYMMETRIC_DEFAULT", "KeyState": "Enabled", "KeyUsage": "ENCRYPT_DECRYPT",
            "MultiRegion": false, "Origin": "AWS_KMS",
        })
    }

    const POLICY: &str = r#"{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}"#;

    #[test]
    fn key_maps_and_aws_managed_or_deleted_keys_are_skipped() {
        let r = map(
            &meta(),
            json!(POLICY),
            &json!({"KeyRotationEnabled": true, "RotationPeriodInDays": 365}),
            json!({"Team": "orders"}),
            "us-east-2",
        );
        assert_eq!(r.key.id, "1234abcd-12ab-34cd-56ef-1234567890ab");
        assert_eq!(r.attrs["enable_key_rotation"], json!(true));
        assert_eq!(r.attrs["rotation_period_in_days"], json!(365));
        assert_eq!(
            r.attrs["customer_master_key_spec"],
            json!("SYMMETRIC_DEFAULT")
        );
        assert_eq!(r.attrs["is_enabled"], json!(true));
        assert!(listed(&meta()));
        let mut aws = meta();
        aws["KeyManager"] = json!("AWS");
        assert!(!listed(&aws));
        let mut deleting = meta();
        deleting["KeyState"] = json!("PendingDeletion");
        assert!(!listed(&deleting));
        let change = Change::new("policy", ChangeOp::Replace, json!("a"), json!("b"));
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[change]),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_policy_reformatted_and_rotation_period_unanswered() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            &meta(),
            json!(POLICY),
            &json!({"KeyRotationEnabled": false}),
            json!({}),
            "us-east-2",
        );
        let state = json!({
            "policy": "{\n  \"Id\": \"key-default-1\",\n  \"Statement\": [{\n    \"Action\": \"kms:*\",\n    \"Effect\": \"Allow\",\n    \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"},\n    \"Resource\": \"*\",\n    \"Sid\": \"Enable IAM User Permissions\"\n  }],\n  \"Version\": \"2012-10-17\"\n}",
            "is_enabled": true, "enable_key_rotation": false, "rotation_period_in_days": 0,
            "description": "orders", "key_usage": "ENCRYPT_DECRYPT",
            "customer_master_key_spec": "SYMMETRIC_DEFAULT", "multi_region": false,
            "deletion_window_in_days": 30, "tags": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["enable_key_rotation"] = json!(true);
        assert_eq!(changed_paths(&SPEC, other, &live), ["enable_key_rotation"]);
    }
}
