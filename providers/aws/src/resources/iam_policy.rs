//! `aws_iam_policy`: customer-managed policies (AWS-managed ones are nobody's code), the id is
//! the ARN as Terraform's. The document is the default version's, URL-decoded and compared as a
//! policy document; a change to it is critical (what every holder of the policy may do).

use super::iam::{policy_arns, tags, unless_gone};
use super::{resource, AWS_GENERATED_TAGS, GRANTS, TAGS};
use crate::client::{decode_document, opt_str, Clients};
use async_trait::async_trait;
use aws_sdk_iam::types::{Policy, PolicyScopeType};
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamPolicy;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_policy",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("path", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("policy", Shape::Document).tier(GRANTS),
        TAGS,
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: generates name at create; name is compared",
        ),
        UncomparedAttr::new(
            "delay_after_policy_creation_in_ms",
            "Terraform-side only: a pause during apply",
        ),
    ],
};

fn map(p: &Policy, document: Option<String>, scope: &str) -> Option<Resource> {
    let arn = p.arn()?;
    Some(resource(
        SPEC.resource_type,
        arn,
        scope,
        json!({
            "name": opt_str(p.policy_name()),
            "path": opt_str(p.path()),
            "description": opt_str(p.description()),
            "policy": document,
            "tags": tags(p.tags()),
        }),
    ))
}

#[async_trait]
impl ResourceKind<Clients> for IamPolicy {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for arn in policy_arns(iam.list_policies().scope(PolicyScopeType::Local)).await? {
            // ListPolicies leaves out tags and the description.
            let got = iam.get_policy().policy_arn(&arn).send().await;
            let got = unless_gone(got, "GetPolicy", format_args!("policy {arn}"))?;
            let Some(policy) = got.and_then(|o| o.policy) else {
                continue;
            };
            let document = match policy.default_version_id() {
                Some(version) => {
                    let got = iam
                        .get_policy_version()
                        .policy_arn(&arn)
                        .version_id(version)
                        .send()
                        .await;
                    let Some(v) =
                        unless_gone(got, "GetPolicyVersion", format_args!("policy {arn}"))?
                    else {
                        continue;
                    };
                    v.policy_version()
                        .and_then(|v| v.document())
                        .map(decode_document)
                }
                None => None,
            };
            out.resources.extend(map(&policy, document, scope));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_maps_to_terraform_attributes() {
        let p = Policy::builder()
            .arn("arn:aws:iam::1:policy/ops/read")
            .policy_name("read")
            .path("/ops/")
            .build();
        let doc = decode_document("%7B%22Version%22%3A%222012-10-17%22%7D");
        let r = map(&p, Some(doc), "global").unwrap();
        assert_eq!(r.key.id, "arn:aws:iam::1:policy/ops/read");
        assert_eq!(r.attrs["policy"], json!(r#"{"Version":"2012-10-17"}"#));
        assert_eq!(r.attrs["path"], json!("/ops/"));
        assert!(map(&Policy::builder().build(), None, "global").is_none());
    }
}
