//! `google_pubsub_topic`: labels, the customer-managed key, message retention and where
//! messages may be stored. Listed with Pub/Sub v1 `projects.topics.list`; the provider's id is
//! `projects/PROJECT/topics/NAME`.
//!
//! No emulator of ours serves Pub/Sub's REST surface: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves `topics`.

use super::{parse_scope, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::rest::{labels, last, list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct PubsubTopic;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_pubsub_topic",
    attrs: &[
        AttrSpec::new("kms_key_name", Shape::Scalar).tier(TierHint::Rule(key_removed)),
        AttrSpec::new("message_retention_duration", Shape::Scalar),
        AttrSpec::new("message_storage_policy", Shape::Document),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "schema_settings",
            "a schema is validated on publish; its revision moves with the schema itself",
        ),
        UncomparedAttr::new(
            "ingestion_data_source_settings",
            "import topics only; their source credentials are not read",
        ),
    ],
};

/// The topic's customer-managed key was taken off: messages are now under Google's key.
fn key_removed(c: &Change) -> Option<Tier> {
    let set = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty());
    (set(&c.expected) && !set(&c.actual)).then_some(Tier::Critical)
}

fn map(t: &Value, scope: &Scope) -> Option<Resource> {
    let full = t["name"].as_str().filter(|n| n.contains("/topics/"))?;
    let policy = &t["messageStoragePolicy"];
    let storage = match policy["allowedPersistenceRegions"].as_array() {
        Some(regions) => json!([{
            "allowed_persistence_regions": regions,
            "enforce_in_transit": policy["enforceInTransit"].as_bool().unwrap_or(false),
        }]),
        None => json!([]),
    };
    Some(resource(
        SPEC.resource_type,
        full.to_string(),
        scope,
        json!({
            "name": last(full),
            "project": scope.project,
            "kms_key_name": t["kmsKeyName"].as_str().unwrap_or(""),
            "message_retention_duration": t["messageRetentionDuration"].as_str().unwrap_or(""),
            "message_storage_policy": storage,
            "labels": labels(&t["labels"]),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for PubsubTopic {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let topics = list_all(
            client,
            Api::PubSub,
            &format!("/v1/projects/{}/topics", s.project),
            "topics",
            "listing Pub/Sub topics",
            scope,
        )
        .await?;
        Ok(KindListing {
            resources: topics.iter().filter_map(|t| map(t, &s)).collect(),
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
        let t = json!({"name": "projects/p1/topics/orders", "labels": {"team": "shop"},
            "kmsKeyName": "projects/p1/locations/us/keyRings/r/cryptoKeys/k",
            "messageRetentionDuration": "86400s",
            "messageStoragePolicy": {"allowedPersistenceRegions": ["europe-west1"]}});
        let r = map(&t, &Scope::global("p1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p1/topics/orders");
        assert_eq!(r.attrs["name"], json!("orders"));
        assert_eq!(r.attrs["labels"], json!({"team": "shop"}));
        assert_eq!(r.attrs["message_retention_duration"], json!("86400s"));
        assert_eq!(
            r.attrs["message_storage_policy"][0]["allowed_persistence_regions"],
            json!(["europe-west1"])
        );
        assert!(map(&json!({"name": "bad"}), &Scope::global("p1")).is_none());
    }

    #[test]
    fn unset_settings_are_no_drift_a_removed_key_is_critical() {
        // State writes "" and [] for what was never set; the API leaves them out.
        let r = map(
            &json!({"name": "projects/p1/topics/t"}),
            &Scope::global("p1"),
        )
        .expect("t");
        for (attr, state) in [
            ("kms_key_name", json!("")),
            ("message_retention_duration", json!("")),
        ] {
            assert_eq!(
                SPEC.normalize(Shape::Scalar, &r.attrs[attr]),
                SPEC.normalize(Shape::Scalar, &state)
            );
        }
        assert_eq!(
            SPEC.normalize(Shape::Document, &r.attrs["message_storage_policy"]),
            SPEC.normalize(Shape::Document, &json!([]))
        );
        let c = Change::new("kms_key_name", ChangeOp::Remove, json!("k"), Value::Null);
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
