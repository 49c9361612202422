//! `aws_kms_alias`: the id is the alias name (`alias/orders`), as Terraform's. One ListAliases
//! (paged) answers everything: no call per alias. AWS's own aliases (`alias/aws/*`) are skipped,
//! and so is an alias that points at no key. Which key an alias points at decides what data it
//! encrypts: a change is critical.
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{resource, str_of};
use crate::paging::{json_all, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct KmsAlias;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_kms_alias",
    attrs: &[
        // The key's id or ARN: compared by the id (the last segment of the ARN).
        AttrSpec::new("target_key_id", Shape::Link).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("name", Shape::Scalar),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[UncomparedAttr::new(
        "name_prefix",
        "Terraform-side only: it chooses the name once, which is compared",
    )],
};

/// An alias from its ListAliases entry; `None` for AWS's own and for one pointing at no key.
fn map(a: &Value, region: &str) -> Option<Resource> {
    let name = str_of(a, "AliasName");
    let target = str_of(a, "TargetKeyId");
    if name.starts_with("alias/aws/") || target.is_empty() {
        return None;
    }
    Some(resource(
        SPEC.resource_type,
        name,
        region,
        json!({"name": name, "target_key_id": target}),
    ))
}

#[async_trait]
impl ResourceKind<ApiClient> for KmsAlias {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let aliases = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListAliases",
                input: json!({"Limit": 100}),
                list: "Aliases",
                token_in: "Marker",
                token_out: "NextMarker",
            },
        )
        .await?;
        Ok(KindListing {
            resources: aliases.iter().filter_map(|a| map(a, region)).collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Value {
        json!({
            "AliasArn": "arn:aws:kms:us-east-2:111122223333:alias/orders",
            "AliasName": "alias/orders",
            "TargetKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
        })
    }

    #[test]
    fn alias_maps_and_aws_aliases_are_skipped() {
        let r = map(&entry(), "us-east-2").unwrap();
        assert_eq!(r.key.id, "alias/orders");
        assert_eq!(
            r.attrs["target_key_id"],
            json!("1234abcd-12ab-34cd-56ef-1234567890ab")
        );
        assert!(map(
            &json!({"AliasName": "alias/aws/s3", "TargetKeyId": "k"}),
            "x"
        )
        .is_none());
        assert!(map(&json!({"AliasName": "alias/aws/ebs"}), "x").is_none());
    }

    #[test]
    fn false_positive_key_arn_in_state_key_id_answered() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(&entry(), "us-east-2").unwrap();
        let state = json!({
            "name": "alias/orders", "name_prefix": "",
            "target_key_id": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["target_key_id"] = json!("0987dcba-09fe-87dc-65ba-ab0987654321");
        assert_eq!(changed_paths(&SPEC, other, &live), ["target_key_id"]);
    }
}
