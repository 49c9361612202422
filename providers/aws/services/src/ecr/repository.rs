//! `aws_ecr_repository`: the id is the repository's name, as Terraform's. DescribeRepositories
//! pages through the repositories with their settings; each one's tags are one more call
//! (ListTagsForResource), run concurrently and counted. Tags made mutable (an image can be
//! replaced under a tag already deployed) and scanning on push turned off are critical; so is
//! the encryption changed away from a KMS key.
//!
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::cloudwatch::leaves;
use crate::common::{array, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Repository;

fn made_mutable(change: &Change) -> Option<Tier> {
    (change.actual.as_str() == Some("MUTABLE")).then_some(Tier::Critical)
}

fn scanning_off(change: &Change) -> Option<Tier> {
    let on = |v: &Value| leaves(v, "scan_on_push").iter().any(|s| s == "true");
    (on(&change.expected) && !on(&change.actual)).then_some(Tier::Critical)
}

fn kms_removed(change: &Change) -> Option<Tier> {
    let kms = |v: &Value| {
        leaves(v, "encryption_type")
            .iter()
            .any(|s| s.starts_with("KMS"))
    };
    (kms(&change.expected) && !kms(&change.actual)).then_some(Tier::Critical)
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_ecr_repository",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("image_tag_mutability", Shape::Scalar).tier(TierHint::Rule(made_mutable)),
        AttrSpec::new("image_scanning_configuration", Shape::Document)
            .tier(TierHint::Rule(scanning_off)),
        AttrSpec::new("encryption_configuration", Shape::Document)
            .tier(TierHint::Rule(kms_removed)),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "force_delete",
            "Terraform-side only: whether destroy deletes a repository holding images",
        ),
        UncomparedAttr::new(
            "image_tag_mutability_exclusion_filter",
            "not read yet: the tag filters exempted from the mutability setting",
        ),
    ],
};

/// A repository from its DescribeRepositories entry and its tags.
pub(crate) fn map(repo: &Value, tags: Value, region: &str) -> Resource {
    let scanning = repo.get("imageScanningConfiguration");
    let enc = repo.get("encryptionConfiguration");
    resource(
        SPEC.resource_type,
        str_of(repo, "repositoryName"),
        region,
        json!({
            "name": str_of(repo, "repositoryName"),
            "image_tag_mutability": text(repo, "imageTagMutability"),
            "image_scanning_configuration": [{
                "scan_on_push": scanning.and_then(|s| s.get("scanOnPush")).and_then(Value::as_bool).unwrap_or(false),
            }],
            // A repository created without the block is encrypted with AES256, as Terraform
            // records it.
            "encryption_configuration": [{
                "encryption_type": enc.map(|e| text(e, "encryptionType")).filter(|v| !v.is_null()).unwrap_or(json!("AES256")),
                "kms_key": enc.map(|e| text(e, "kmsKey")).unwrap_or(Value::Null),
            }],
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for Repository {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let repos = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "DescribeRepositories",
                input: json!({"maxResults": 1000}),
                list: "repositories",
                token_in: "nextToken",
                token_out: "nextToken",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(repos, |repo| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &SERVICE,
                        "ListTagsForResource",
                        json!({"resourceArn": str_of(&repo, "repositoryArn")}),
                    )
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = tag_list(array(&tags, "tags"), "Key", "Value");
                Ok(Some(map(&repo, tags, &region)))
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

    fn answer() -> Value {
        // A DescribeRepositories entry as the API reference shows it.
        json!({
            "repositoryArn": "arn:aws:ecr:eu-west-1:123456789012:repository/web",
            "registryId": "123456789012", "repositoryName": "web",
            "repositoryUri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web",
            "createdAt": 1.7e9, "imageTagMutability": "IMMUTABLE",
            "imageScanningConfiguration": {"scanOnPush": true},
            "encryptionConfiguration": {"encryptionType": "AES256"},
        })
    }

    #[test]
    fn repository_maps_to_terraform_attributes() {
        let r = map(&answer(), json!({"Team": "web"}), "eu-west-1");
        assert_eq!(r.key.id, "web");
        assert_eq!(r.attrs["image_tag_mutability"], json!("IMMUTABLE"));
        assert_eq!(
            r.attrs["image_scanning_configuration"],
            json!([{"scan_on_push": true}])
        );
        assert_eq!(
            r.attrs["encryption_configuration"][0]["encryption_type"],
            json!("AES256")
        );
    }

    #[test]
    fn mutable_tags_and_scanning_off_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier("image_tag_mutability", json!("IMMUTABLE"), json!("MUTABLE")),
            Tier::Critical
        );
        assert_eq!(
            tier("image_tag_mutability", json!("MUTABLE"), json!("IMMUTABLE")),
            Tier::Warning
        );
        // Canonical documents: a one-element list is its element, leaves are strings.
        assert_eq!(
            tier(
                "image_scanning_configuration",
                json!({"scan_on_push": "true"}),
                json!({"scan_on_push": "false"})
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "encryption_configuration",
                json!({"encryption_type": "KMS"}),
                json!({"encryption_type": "AES256"})
            ),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_default_encryption_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Created without an encryption block: ECR answers AES256 and no key, Terraform records
        // the block with an empty key.
        let mut repo = answer();
        repo.as_object_mut()
            .unwrap()
            .remove("encryptionConfiguration");
        let live = map(&repo, json!({}), "eu-west-1");
        let state = json!({
            "name": "web", "arn": "arn:aws:ecr:eu-west-1:123456789012:repository/web",
            "image_tag_mutability": "IMMUTABLE", "force_delete": null,
            "image_scanning_configuration": [{"scan_on_push": true}],
            "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
            "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut near = state;
        near["image_tag_mutability"] = json!("MUTABLE");
        assert_eq!(changed_paths(&SPEC, near, &live), ["image_tag_mutability"]);
    }
}
