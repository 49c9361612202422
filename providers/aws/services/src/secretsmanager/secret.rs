//! `aws_secretsmanager_secret`: the id is the secret's ARN, as Terraform's. ListSecrets (paged)
//! answers the metadata and tags; the resource policy takes one GetResourcePolicy per secret,
//! concurrent and metered. The secret's value is never read (no GetSecretValue). The resource
//! policy is critical (it grants); the KMS key a warning.
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, document, resource, str_of, tag_list, GRANTS, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SecretsManagerSecret;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_secretsmanager_secret",
    attrs: &[
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        AttrSpec::new("kms_key_id", Shape::Scalar),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "recovery_window_in_days",
            "Terraform-side only: used when the secret is deleted",
        ),
        UncomparedAttr::new(
            "force_overwrite_replica_secret",
            "Terraform-side only: a flag of the replication call",
        ),
        UncomparedAttr::new("replica", "replication to other regions is not read"),
    ],
};

/// A secret from its ListSecrets entry and GetResourcePolicy's answer.
fn map(s: &Value, policy: &Value, region: &str) -> Resource {
    resource(
        SPEC.resource_type,
        str_of(s, "ARN"),
        region,
        json!({
            "name": str_of(s, "Name"),
            "description": str_of(s, "Description"),
            // Encrypted with the account's aws/secretsmanager key: no KmsKeyId, Terraform "".
            "kms_key_id": str_of(s, "KmsKeyId"),
            "policy": document(policy, "ResourcePolicy"),
            "tags": tag_list(array(s, "Tags"), "Key", "Value"),
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for SecretsManagerSecret {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let secrets = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListSecrets",
                input: json!({"MaxResults": 100}),
                list: "SecretList",
                token_in: "NextToken",
                token_out: "NextToken",
            },
        )
        .await?;
        // A secret scheduled for deletion is gone for Terraform.
        let secrets: Vec<Value> = secrets
            .into_iter()
            .filter(|s| s.get("DeletedDate").is_none_or(Value::is_null))
            .collect();
        let region = region.to_string();
        let resources = each_bounded(secrets, |s| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &SERVICE,
                        "GetResourcePolicy",
                        json!({"SecretId": str_of(&s, "ARN")}),
                    )
                    .await;
                let Some(policy) = unless_gone(got)? else {
                    return Ok(None);
                };
                Ok(Some(map(&s, &policy, &region)))
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    const ARN: &str = "arn:aws:secretsmanager:us-west-2:123456789012:secret:db-AbCdEf";

    fn entry() -> Value {
        json!({
            "ARN": ARN, "Name": "db", "Description": "database credentials",
            "LastChangedDate": 1.523477145729E9, "SecretVersionsToStages": {"v1": ["AWSCURRENT"]},
            "Tags": [{"Key": "Team", "Value": "db"}],
        })
    }

    #[test]
    fn secret_maps_without_its_value() {
        let r = map(&entry(), &json!({"ARN": ARN, "Name": "db"}), "us-west-2");
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["kms_key_id"], json!(""));
        assert_eq!(r.attrs["policy"], Value::Null);
        assert_eq!(r.attrs["tags"], json!({"Team": "db"}));
        let change = Change::new("policy", ChangeOp::Replace, Value::Null, json!("{}"));
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[change]),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_policy_reformatted_and_default_key() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            &entry(),
            &json!({"ResourcePolicy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"}),
            "us-west-2",
        );
        let state = json!({
            "name": "db", "description": "database credentials", "kms_key_id": "",
            "policy": "{\n  \"Statement\": [{\"Action\": [\"secretsmanager:GetSecretValue\"], \"Effect\": \"Deny\", \"Principal\": {\"AWS\": \"*\"}, \"Resource\": \"*\"}],\n  \"Version\": \"2012-10-17\"\n}",
            "recovery_window_in_days": 30, "tags": {"Team": "db"},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["policy"] = json!("");
        assert_eq!(changed_paths(&SPEC, other, &live), ["policy"]);
    }
}
