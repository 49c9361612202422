//! `google_service_account`: display name, description, whether it is disabled, and its unique
//! id (a deleted account recreated with the same email is another account: grants made to the
//! old one do not carry over). Listed with IAM v1 `projects.serviceAccounts.list`; the
//! provider's id is `projects/PROJECT/serviceAccounts/EMAIL`. Accounts Google creates (the
//! Compute Engine and App Engine default accounts, service agents) are cloud defaults.
//!
//! No emulator serves the IAM API: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves `serviceAccounts`.

use super::{parse_scope, resource};
use crate::client::UnitClient;
use crate::rest::{list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct ServiceAccount;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_service_account",
    attrs: &[
        AttrSpec::new("display_name", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("disabled", Shape::Scalar).tier(TierHint::Rule(enabled)),
        AttrSpec::new("unique_id", Shape::Scalar),
    ],
    generated_tag_prefixes: &[],
    not_compared: &[UncomparedAttr::new(
        "create_ignore_already_exists",
        "a setting of the provider's create, no property of the account",
    )],
};

/// An account state keeps disabled was enabled: its keys and tokens work again, critical.
fn enabled(c: &Change) -> Option<Tier> {
    (c.expected == Value::Bool(true) && c.actual != Value::Bool(true)).then_some(Tier::Critical)
}

fn map(a: &Value, scope: &Scope) -> Option<Resource> {
    let email = a["email"].as_str().filter(|e| !e.is_empty())?;
    let account_id = email.split('@').next().unwrap_or(email);
    let mut r = resource(
        SPEC.resource_type,
        format!("projects/{}/serviceAccounts/{email}", scope.project),
        scope,
        json!({
            "account_id": account_id,
            "email": email,
            "name": a["name"].as_str(),
            "member": format!("serviceAccount:{email}"),
            "project": scope.project,
            // The API leaves out empty strings and `false`.
            "display_name": a["displayName"].as_str().unwrap_or(""),
            "description": a["description"].as_str().unwrap_or(""),
            "disabled": a["disabled"].as_bool().unwrap_or(false),
            "unique_id": a["uniqueId"].as_str(),
        }),
    );
    r.cloud_default = crate::iam::google_managed(&format!("serviceAccount:{email}"));
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ServiceAccount {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let accounts = list_all(
            client,
            Api::Iam,
            &format!("/v1/projects/{}/serviceAccounts", s.project),
            "accounts",
            "listing service accounts",
            scope,
        )
        .await?;
        Ok(KindListing {
            resources: accounts.iter().filter_map(|a| map(a, &s)).collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, ChangeOp, FindingKind};

    #[test]
    fn maps_to_terraform_names() {
        let a = json!({"name": "projects/p1/serviceAccounts/ci@p1.iam.gserviceaccount.com",
            "projectId": "p1", "uniqueId": "1234567890", "email": "ci@p1.iam.gserviceaccount.com",
            "displayName": "CI", "oauth2ClientId": "1234567890"});
        let r = map(&a, &Scope::global("p1")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p1/serviceAccounts/ci@p1.iam.gserviceaccount.com"
        );
        assert_eq!(r.attrs["account_id"], json!("ci"));
        assert_eq!(r.attrs["display_name"], json!("CI"));
        assert_eq!(r.attrs["disabled"], json!(false));
        assert_eq!(r.attrs["unique_id"], json!("1234567890"));
        assert!(!r.cloud_default);
        let dflt = map(
            &json!({"email": "42-compute@developer.gserviceaccount.com"}),
            &Scope::global("p1"),
        )
        .expect("mapped");
        assert!(dflt.cloud_default);
    }

    #[test]
    fn empty_description_is_no_drift_re_enabling_is_critical() {
        // The API leaves an empty description out; state writes "".
        let r = map(
            &json!({"email": "a@p1.iam.gserviceaccount.com"}),
            &Scope::global("p1"),
        )
        .expect("mapped");
        assert_eq!(
            SPEC.normalize(Shape::Scalar, &r.attrs["description"]),
            SPEC.normalize(Shape::Scalar, &Value::Null)
        );
        let c = Change::new("disabled", ChangeOp::Replace, json!(true), json!(false));
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
