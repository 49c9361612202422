//! `google_project_iam_member`: one (role, member) grant on a project, non-authoritative (see
//! [`crate::iam`]). Read from the project's policy as
//! [`google_project_iam_binding`](super::project_iam_binding) reads it. The provider's id is
//! `PROJECT/ROLE/MEMBER`; grants are matched by project, role, member (in any case) and
//! condition, so a grant is either there or missing. Of the grants in no state, only those to
//! the public (`allUsers`, `allAuthenticatedUsers`) are reported as unmanaged; why, in
//! [`crate::iam`]. Google's own grants (service agents, default accounts, the creator's
//! ownership) never are.
//!
//! No emulator serves Resource Manager: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves the policy.

use super::parse_scope;
use super::project_iam_binding::{project_policy, ETAG, PROJECT};
use crate::client::UnitClient;
use crate::iam::{self, Holder, CONDITION, MEMBER, ROLE};
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, ResourceKind, TypeSpec};

pub struct ProjectIamMember;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_project_iam_member",
    attrs: &[PROJECT, ROLE, MEMBER, CONDITION],
    generated_tag_prefixes: &[],
    not_compared: &[ETAG],
};

#[async_trait]
impl ResourceKind<UnitClient> for ProjectIamMember {
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
            resources: iam::members(SPEC.resource_type, &policy, &holder, &s),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use driftd_core::Resource;
    use serde_json::json;

    #[test]
    fn maps_grants_and_leaves_all_but_public_ones_out_of_unmanaged() {
        let policy = json!({"etag": "BwYx", "bindings": [
            {"role": "roles/owner", "members": ["user:founder@example.com"]},
            {"role": "roles/editor", "members": [
                "serviceAccount:123-compute@developer.gserviceaccount.com",
                "serviceAccount:123@cloudservices.gserviceaccount.com",
                "user:dev@example.com"]},
            {"role": "roles/viewer", "members": ["allAuthenticatedUsers"]}]});
        let holder = Holder {
            attr: "project",
            value: "p1",
        };
        let r = iam::members(SPEC.resource_type, &policy, &holder, &Scope::global("p1"));
        let reported: Vec<&str> = r
            .iter()
            .filter(|g| !g.cloud_default)
            .map(|g| g.key.id.as_str())
            .collect();
        assert_eq!(reported, ["p1/roles/viewer/allAuthenticatedUsers"]);
        assert_eq!(r[0].attrs["member"], json!("user:founder@example.com"));
        assert_eq!(r[0].attrs["role"], json!("roles/owner"));
    }

    #[test]
    fn member_case_and_empty_condition_are_no_drift() {
        let key = |member: &str, condition: serde_json::Value| {
            let mut r = Resource::new(crate::PROVIDER, SPEC.resource_type, "x");
            r.attrs.insert("project".into(), json!("p1"));
            r.attrs.insert("role".into(), json!("roles/viewer"));
            r.attrs.insert("member".into(), json!(member));
            r.attrs.insert("condition".into(), condition);
            SPEC.identity_key(&r.attrs)
        };
        assert_eq!(
            key("serviceAccount:CI@p1.iam.gserviceaccount.com", json!([])),
            key("serviceAccount:ci@p1.iam.gserviceaccount.com", json!(null))
        );
    }
}
