//! `aws_iam_access_key`: a user's access key; the id is the access key id, as Terraform's. The
//! key's secret is never read (IAM gives it only once, at creation, and Terraform keeps it in
//! state: it is not compared and never printed). What is compared is who owns the key and whether
//! it is active: a key turned active out of band is critical (a credential revived), one
//! deactivated a warning. A key made by hand is unmanaged. One ListAccessKeys per user.

use super::iam::unless_gone;
use super::iam_user::user_names;
use super::{resource, AWS_GENERATED_TAGS};
use crate::client::Clients;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::json;

pub struct IamAccessKey;

/// A key made active is a credential that works again: critical.
fn activated(c: &Change) -> Option<Tier> {
    (c.actual.as_str() == Some("Active")).then_some(Tier::Critical)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_iam_access_key",
    attrs: &[
        AttrSpec::new("user", Shape::Scalar),
        AttrSpec::new("status", Shape::Scalar).tier(TierHint::Rule(activated)),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "secret",
            "secret: IAM returns it only at creation, never read or printed",
        ),
        UncomparedAttr::new(
            "encrypted_secret",
            "secret: only at creation, encrypted to the PGP key given then",
        ),
        UncomparedAttr::new(
            "ses_smtp_password_v4",
            "secret: derived from the secret at creation, never read",
        ),
        UncomparedAttr::new(
            "pgp_key",
            "Terraform-side only: used once to encrypt the secret at creation",
        ),
    ],
};

fn map(user: &str, key_id: &str, status: &str, scope: &str) -> Resource {
    resource(
        SPEC.resource_type,
        key_id,
        scope,
        json!({ "user": user, "status": status }),
    )
}

#[async_trait]
impl ResourceKind<Clients> for IamAccessKey {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, clients: &Clients, scope: &str) -> Result<KindListing, ListError> {
        let iam = clients.iam();
        let mut out = KindListing::default();
        for user in user_names(&iam).await? {
            let mut pages = iam
                .list_access_keys()
                .user_name(&user)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let Some(p) = unless_gone(page, "ListAccessKeys", format_args!("user {user}"))?
                else {
                    break;
                };
                for k in p.access_key_metadata() {
                    if let Some(id) = k.access_key_id() {
                        let status = k.status().map(|s| s.as_str()).unwrap_or("");
                        out.resources.push(map(&user, id, status, scope));
                    }
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};
    use serde_json::Value;

    #[test]
    fn key_maps_to_its_user_and_status_and_revival_is_critical() {
        let r = map("deploy", "AKIAEXAMPLE", "Inactive", "global");
        assert_eq!(r.key.id, "AKIAEXAMPLE");
        assert_eq!(r.attrs["status"], json!("Inactive"));
        assert!(!r.attrs.contains_key("secret"));
        let tier = |new: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(
                    "status",
                    ChangeOp::Replace,
                    Value::Null,
                    json!(new),
                )],
            )
        };
        assert_eq!(tier("Active"), Tier::Critical);
        assert_eq!(tier("Inactive"), Tier::Warning);
    }
}
