//! `google_storage_bucket`: location, storage class, versioning, uniform bucket-level access,
//! public access prevention, requester pays and labels. Buckets are listed per project through
//! the Cloud Storage JSON API (see [`crate::storage`] for why not the storage crate); the
//! provider stores a bucket's name as its id.

use super::{parse_scope, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::scope::Scope;
use crate::storage::get_json;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct StorageBucket;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_storage_bucket",
    attrs: &[
        AttrSpec::new("location", Shape::CaseInsensitive),
        AttrSpec::new("storage_class", Shape::Scalar),
        // A one-block list, `[{"enabled": true}]`, or `[]` when never configured.
        AttrSpec::new("versioning", Shape::Scalar),
        AttrSpec::new("uniform_bucket_level_access", Shape::Scalar),
        AttrSpec::new("public_access_prevention", Shape::Scalar).tier(TierHint::Rule(lifted)),
        AttrSpec::new("requester_pays", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "force_destroy",
            "Terraform-side only: acts when Terraform destroys the bucket",
        ),
        UncomparedAttr::new(
            "retention_policy",
            "not compared yet (buckets.list returns it): how long objects cannot be deleted, and \
            whether that is locked",
        ),
        UncomparedAttr::new(
            "encryption",
            "not compared yet (buckets.list returns it): the default KMS key",
        ),
        UncomparedAttr::new(
            "logging",
            "not compared yet (buckets.list returns it): where access logs go",
        ),
        UncomparedAttr::new(
            "soft_delete_policy",
            "not compared yet (buckets.list returns it)",
        ),
        UncomparedAttr::new(
            "lifecycle_rule",
            "not compared yet (buckets.list returns it)",
        ),
        UncomparedAttr::new("cors", "not compared yet (buckets.list returns it)"),
        UncomparedAttr::new("website", "not compared yet (buckets.list returns it)"),
        UncomparedAttr::new(
            "default_event_based_hold",
            "not compared yet (buckets.list returns it)",
        ),
        UncomparedAttr::new(
            "enable_object_retention",
            "not compared yet (buckets.list returns it)",
        ),
        UncomparedAttr::new("autoclass", "not compared yet (buckets.list returns it)"),
        UncomparedAttr::new("rpo", "not compared yet (buckets.list returns it)"),
        UncomparedAttr::new(
            "custom_placement_config",
            "fixed at create: another placement is another bucket",
        ),
        UncomparedAttr::new(
            "hierarchical_namespace",
            "fixed at create: not compared yet",
        ),
        UncomparedAttr::new(
            "ip_filter",
            "not compared yet (buckets.list returns it): which networks may reach the bucket",
        ),
        UncomparedAttr::new(
            "effective_labels",
            "every label on the resource, others' included; labels are compared through \
            terraform_labels",
        ),
        UncomparedAttr::new(
            "timeouts",
            "Terraform-side only: how long Terraform waits for an operation",
        ),
    ],
};

/// Public access prevention lifted (`enforced` no more): the bucket can now be made public,
/// critical.
fn lifted(c: &Change) -> Option<Tier> {
    let enforced = |v: &Value| v.as_str() == Some("enforced");
    (enforced(&c.expected) && !enforced(&c.actual)).then_some(Tier::Critical)
}

/// Maps one bucket of a JSON API `storage#buckets` answer.
fn map(b: &Value, scope: &Scope) -> Option<Resource> {
    let name = b["name"].as_str().filter(|n| !n.is_empty())?;
    let iam = &b["iamConfiguration"];
    let versioning = match b["versioning"]["enabled"].as_bool() {
        Some(enabled) => json!([{ "enabled": enabled }]),
        None => json!([]),
    };
    let labels: Map<String, Value> = b["labels"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), Value::String(v.as_str()?.to_string()))))
                .collect()
        })
        .unwrap_or_default();
    Some(resource(
        SPEC.resource_type,
        name.to_string(),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            // The provider stores locations upper-case, as the API answers them.
            "location": b["location"].as_str().map(str::to_ascii_uppercase),
            "storage_class": b["storageClass"].as_str(),
            "versioning": versioning,
            "uniform_bucket_level_access":
                iam["uniformBucketLevelAccess"]["enabled"].as_bool().unwrap_or(false),
            // Absent on buckets that never had it set: the API's default is "inherited".
            "public_access_prevention":
                iam["publicAccessPrevention"].as_str().unwrap_or("inherited"),
            "requester_pays": b["billing"]["requesterPays"].as_bool().unwrap_or(false),
            "labels": labels,
            "self_link": b["selfLink"].as_str(),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for StorageBucket {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let clients = &client.clients;
        let base = format!("{}/storage/v1/b", clients.storage_endpoint);
        let mut out = KindListing::default();
        let mut token: Option<String> = None;
        loop {
            let mut url = reqwest::Url::parse(&base)
                .map_err(|e| ListError::Api(format!("storage endpoint `{base}`: {e}")))?;
            url.query_pairs_mut()
                .append_pair("project", &s.project)
                .append_pair("maxResults", "1000")
                .append_pair("projection", "full");
            if let Some(t) = &token {
                url.query_pairs_mut().append_pair("pageToken", t);
            }
            let page =
                get_json(clients, Some(&client.meter), &url, "listing buckets", scope).await?;
            if let Some(items) = page["items"].as_array() {
                out.resources
                    .extend(items.iter().filter_map(|b| map(b, &s)));
            }
            match page["nextPageToken"].as_str() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let b = json!({
            "kind": "storage#bucket", "name": "logs-1", "location": "europe-west1",
            "storageClass": "NEARLINE", "versioning": {"enabled": true},
            "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": true},
                                 "publicAccessPrevention": "enforced"},
            "labels": {"env": "prod"}
        });
        let r = map(&b, &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "logs-1");
        assert_eq!(r.region.as_deref(), Some("p/global"));
        assert_eq!(r.attrs["location"], json!("EUROPE-WEST1"));
        assert_eq!(r.attrs["versioning"], json!([{"enabled": true}]));
        assert_eq!(r.attrs["uniform_bucket_level_access"], json!(true));
        assert_eq!(r.attrs["public_access_prevention"], json!("enforced"));
        assert_eq!(r.attrs["requester_pays"], json!(false));
        assert_eq!(r.attrs["labels"], json!({"env": "prod"}));

        let bare = map(&json!({"name": "b2"}), &Scope::global("p")).expect("mapped");
        assert_eq!(bare.attrs["versioning"], json!([]));
        assert_eq!(bare.attrs["public_access_prevention"], json!("inherited"));
        assert!(map(&json!({"kind": "storage#bucket"}), &Scope::global("p")).is_none());
    }

    #[test]
    fn public_access_prevention_lifted_is_critical_labels_info() {
        use driftd_core::{tier::default_tier, ChangeOp, FindingKind};
        let tier = |path: &str, expected: Value, actual: Value| {
            let c = Change::new(path, ChangeOp::Replace, expected, actual);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        let lifted = tier(
            "public_access_prevention",
            json!("enforced"),
            json!("inherited"),
        );
        assert_eq!(lifted, Tier::Critical);
        let enforced = tier(
            "public_access_prevention",
            json!("inherited"),
            json!("enforced"),
        );
        assert_eq!(enforced, Tier::Warning);
        assert_eq!(tier("labels.env", json!("prod"), json!("dev")), Tier::Info);
    }
}
