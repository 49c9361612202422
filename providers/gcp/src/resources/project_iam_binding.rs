//! `google_project_iam_binding`: the members of one role on a project, authoritative (see
//! [`crate::iam`]). The policy is read with Cloud Resource Manager v1
//! `POST projects/PROJECT:getIamPolicy` (policy version 3). The provider's id is
//! `PROJECT/ROLE`; bindings are matched by project, role and condition. A binding not in state
//! is never unmanaged: its grants are reported by `google_project_iam_member`.
//!
//! No emulator serves Resource Manager: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves `getIamPolicy`/`setIamPolicy` with etags.

use super::parse_scope;
use crate::client::UnitClient;
use crate::iam::{self, Holder, CONDITION, MEMBERS, ROLE};
use crate::rest::{call, Api};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct ProjectIamBinding;

/// The project a policy is on (`projects/P` compares equal to `P`).
pub(crate) const PROJECT: AttrSpec = AttrSpec::new("project", Shape::Link).identity();

pub(crate) const ETAG: UncomparedAttr = UncomparedAttr::new(
    "etag",
    "changes with every write of the policy; the grants themselves are compared",
);

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_project_iam_binding",
    attrs: &[PROJECT, ROLE, CONDITION, MEMBERS],
    generated_tag_prefixes: &[],
    not_compared: &[ETAG],
};

/// The project's IAM policy.
pub(crate) async fn project_policy(
    client: &UnitClient,
    project: &str,
    scope: &str,
) -> Result<Value, ListError> {
    call(
        client,
        Api::ResourceManager,
        reqwest::Method::POST,
        &format!("/v1/projects/{project}:getIamPolicy"),
        &[],
        Some(&json!({"options": {"requestedPolicyVersion": 3}})),
        "reading the project IAM policy",
        scope,
    )
    .await
}

#[async_trait]
impl ResourceKind<UnitClient> for ProjectIamBinding {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let policy = project_policy(client, &s.project, scope).await?;
        let holder = Holder {
            attr: "project",
            value: &s.project,
        };
        Ok(KindListing {
            resources: iam::bindings(SPEC.resource_type, &policy, &holder, &s),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use driftd_core::{tier::default_tier, Change, ChangeOp, FindingKind, Resource, Tier};

    #[test]
    fn maps_a_project_policy_to_terraform_bindings() {
        let policy = json!({"version": 1, "etag": "BwYx", "bindings": [
            {"role": "roles/logging.viewer", "members": ["group:ops@example.com"]}]});
        let holder = Holder {
            attr: "project",
            value: "p1",
        };
        let r = iam::bindings(SPEC.resource_type, &policy, &holder, &Scope::global("p1"));
        assert_eq!(r[0].key.id, "p1/roles/logging.viewer");
        assert_eq!(r[0].region.as_deref(), Some("p1/global"));
        assert_eq!(r[0].attrs["project"], json!("p1"));
        assert_eq!(r[0].attrs["members"], json!(["group:ops@example.com"]));
        assert_eq!(r[0].attrs["etag"], json!("BwYx"));
    }

    #[test]
    fn same_binding_in_another_form_then_a_grant() {
        let key = |project: &str, condition: Value| {
            let mut r = Resource::new(crate::PROVIDER, SPEC.resource_type, "x");
            r.attrs.insert("project".into(), json!(project));
            r.attrs.insert("role".into(), json!("roles/viewer"));
            r.attrs.insert("condition".into(), condition);
            SPEC.identity_key(&r.attrs)
        };
        // No condition is `[]` in state and absent live; `projects/p1` is `p1`.
        assert_eq!(key("p1", json!([])), key("projects/p1", Value::Null));
        assert_ne!(
            key("p1", json!([])),
            key("p1", json!([{"title": "t", "expression": "true"}]))
        );
        let c = Change::new(
            "members",
            ChangeOp::Replace,
            json!(["user:a@example.com"]),
            json!(["user:a@example.com", "user:mallory@example.net"]),
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
