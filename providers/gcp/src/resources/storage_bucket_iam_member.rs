//! `google_storage_bucket_iam_member`: one (role, member) grant on a bucket, non-authoritative
//! (see [`crate::iam`]). Read from each bucket's policy as
//! [`google_storage_bucket_iam_binding`](super::storage_bucket_iam_binding) reads it. The
//! provider's id is `b/BUCKET/ROLE/MEMBER`; grants are matched by bucket, role, member (in any
//! case) and condition, so a grant is either there or missing. Of the grants in no state, only
//! those to the public (`allUsers`, `allAuthenticatedUsers`: the bucket's objects readable by
//! anyone) are reported as unmanaged; why, in [`crate::iam`]. Google's own members
//! (`projectOwner:`, `projectEditor:`, `projectViewer:`) never are.
//!
//! In tests, gcp-storage-emulator serves bucket policies.

use super::parse_scope;
use super::storage_bucket_iam_binding::{bucket_policies, BUCKET, ETAG};
use crate::client::UnitClient;
use crate::iam::{self, Holder, CONDITION, MEMBER, ROLE};
use async_trait::async_trait;
use driftd_core::{KindListing, ListError, ResourceKind, TypeSpec};

pub struct StorageBucketIamMember;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_storage_bucket_iam_member",
    attrs: &[BUCKET, ROLE, MEMBER, CONDITION],
    generated_tag_prefixes: &[],
    not_compared: &[ETAG],
};

#[async_trait]
impl ResourceKind<UnitClient> for StorageBucketIamMember {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let mut out = KindListing::default();
        for (name, policy) in bucket_policies(client, &s.project, scope).await? {
            let holder = format!("b/{name}");
            let holder = Holder {
                attr: "bucket",
                value: &holder,
            };
            out.resources
                .extend(iam::members(SPEC.resource_type, &policy, &holder, &s));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use driftd_core::Resource;
    use serde_json::json;

    #[test]
    fn maps_grants_and_reports_only_public_ones_when_unmanaged() {
        let policy = json!({"etag": "CAE=", "bindings": [
            {"role": "roles/storage.legacyBucketOwner",
             "members": ["projectEditor:p1", "projectOwner:p1"]},
            {"role": "roles/storage.objectViewer", "members": ["allUsers"]}]});
        let holder = Holder {
            attr: "bucket",
            value: "b/site",
        };
        let r = iam::members(SPEC.resource_type, &policy, &holder, &Scope::global("p1"));
        assert_eq!(r.len(), 3);
        assert!(r[0].cloud_default && r[1].cloud_default);
        assert_eq!(r[2].key.id, "b/site/roles/storage.objectViewer/allUsers");
        assert_eq!(r[2].attrs["member"], json!("allUsers"));
        assert!(!r[2].cloud_default);
    }

    #[test]
    fn a_member_in_another_case_is_the_same_grant() {
        let grant = |bucket: &str, member: &str| {
            let mut r = Resource::new(crate::PROVIDER, SPEC.resource_type, "x");
            r.attrs.insert("bucket".into(), json!(bucket));
            r.attrs.insert("role".into(), json!("roles/storage.admin"));
            r.attrs.insert("member".into(), json!(member));
            r.attrs.insert("condition".into(), json!([]));
            SPEC.identity_key(&r.attrs)
        };
        assert_eq!(
            grant("b/site", "user:Jane.Doe@Example.com"),
            grant("b/site", "user:jane.doe@example.com")
        );
        assert_ne!(
            grant("b/site", "user:jane@example.com"),
            grant("b/site", "user:john@example.com")
        );
    }
}
