//! `google_storage_bucket_iam_binding`: the members of one role on a bucket, authoritative
//! (see [`crate::iam`]). Each bucket of the project is listed through the Cloud Storage JSON
//! API and its policy read with `GET storage/v1/b/BUCKET/iam` (IAM policy version 3, so that
//! conditional bindings come back whole). The provider's id is `b/BUCKET/ROLE`; resources are
//! matched by bucket, role and condition. A binding not in state is never unmanaged: its grants
//! are reported by `google_storage_bucket_iam_member`.
//!
//! In tests, gcp-storage-emulator serves bucket policies (it stores them as set, without
//! Google's default `projectOwner:`/`projectEditor:`/`projectViewer:` members).

use super::parse_scope;
use crate::client::{UnitClient, STORAGE_API};
use crate::iam::{self, Holder, CONDITION, MEMBERS, ROLE};
use crate::rest::{request, Call};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::Value;

pub struct StorageBucketIamBinding;

/// The bucket a policy is on, written `b/NAME` by the provider (`NAME` compares equal).
pub(crate) const BUCKET: AttrSpec = AttrSpec::new("bucket", Shape::Link).identity();

/// The policy's etag changes with every write, by anyone: the members are what is compared.
pub(crate) const ETAG: UncomparedAttr = UncomparedAttr::new(
    "etag",
    "changes with every write of the policy; the grants themselves are compared",
);

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_storage_bucket_iam_binding",
    attrs: &[BUCKET, ROLE, CONDITION, MEMBERS],
    generated_tag_prefixes: &[],
    not_compared: &[ETAG],
};

/// Every bucket of the project with its IAM policy. A bucket deleted between the listing and
/// the read of its policy is left out; any other failure fails the whole listing.
pub(crate) async fn bucket_policies(
    client: &UnitClient,
    project: &str,
    scope: &str,
) -> Result<Vec<(String, Value)>, ListError> {
    let clients = &client.clients;
    let parse = |u: &str| {
        reqwest::Url::parse(u).map_err(|e| ListError::Api(format!("storage endpoint `{u}`: {e}")))
    };
    let base = format!("{}/storage/v1/b", clients.storage_endpoint);
    let listing = Call {
        api: STORAGE_API,
        what: "listing buckets",
        scope,
    };
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let mut url = parse(&base)?;
        url.query_pairs_mut()
            .append_pair("project", project)
            .append_pair("maxResults", "1000")
            .append_pair("fields", "items(name),nextPageToken");
        if let Some(t) = &token {
            url.query_pairs_mut().append_pair("pageToken", t);
        }
        let page = request(client, reqwest::Method::GET, url, None, &listing, false)
            .await?
            .unwrap_or_default();
        names.extend(
            page["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b["name"].as_str().map(str::to_string)),
        );
        match page["nextPageToken"].as_str() {
            Some(t) if !t.is_empty() && token.as_deref() != Some(t) => token = Some(t.to_string()),
            _ => break,
        }
    }
    let reading = Call {
        api: STORAGE_API,
        what: "reading bucket IAM policies",
        scope,
    };
    let mut out = Vec::new();
    for name in names {
        let mut url = parse(&base)?;
        url.path_segments_mut()
            .map_err(|_| ListError::Api(format!("storage endpoint `{base}` takes no path")))?
            .extend([name.as_str(), "iam"]);
        url.query_pairs_mut()
            .append_pair("optionsRequestedPolicyVersion", "3");
        if let Some(policy) =
            request(client, reqwest::Method::GET, url, None, &reading, true).await?
        {
            out.push((name, policy));
        }
    }
    Ok(out)
}

#[async_trait]
impl ResourceKind<UnitClient> for StorageBucketIamBinding {
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
                .extend(iam::bindings(SPEC.resource_type, &policy, &holder, &s));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scope::Scope;
    use driftd_core::{tier::default_tier, Change, ChangeOp, FindingKind, Tier};
    use serde_json::json;

    #[test]
    fn maps_a_bucket_policy_to_terraform_bindings() {
        let policy = json!({"kind": "storage#policy", "resourceId": "projects/_/buckets/logs",
            "version": 1, "etag": "CAE=", "bindings": [
            {"role": "roles/storage.objectViewer",
             "members": ["user:b@example.com", "group:readers@example.com"]},
            {"role": "roles/storage.legacyBucketOwner", "members": ["projectOwner:p1"]}]});
        let holder = Holder {
            attr: "bucket",
            value: "b/logs",
        };
        let r = iam::bindings(SPEC.resource_type, &policy, &holder, &Scope::global("p1"));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].key.id, "b/logs/roles/storage.objectViewer");
        assert_eq!(r[0].attrs["bucket"], json!("b/logs"));
        assert_eq!(r[0].attrs["role"], json!("roles/storage.objectViewer"));
        assert_eq!(
            r[0].attrs["members"],
            json!(["group:readers@example.com", "user:b@example.com"])
        );
        assert_eq!(r[0].attrs["condition"], json!([]));
        assert!(r.iter().all(|b| b.cloud_default));
    }

    #[test]
    fn member_order_is_no_drift_a_public_grant_is_critical() {
        let members = |v: Value| SPEC.normalize(Shape::Set, &v);
        assert_eq!(
            members(json!([
                "user:b@example.com",
                "user:a@example.com",
                "user:a@example.com"
            ])),
            members(json!(["user:a@example.com", "user:b@example.com"]))
        );
        // State writes `b/logs`, an import may hold the bare name: the same bucket.
        assert_eq!(
            SPEC.normalize(Shape::Link, &json!("b/logs")),
            SPEC.normalize(Shape::Link, &json!("logs"))
        );
        let c = Change::new(
            "members",
            ChangeOp::Replace,
            json!(["user:a@example.com"]),
            json!(["allUsers", "user:a@example.com"]),
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
