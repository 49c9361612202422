//! `google_pubsub_subscription`: its topic, the push endpoint, acknowledgement deadline,
//! retention, ordering, filter, dead-letter, retry and expiration policies, and labels. Listed
//! with Pub/Sub v1 `projects.subscriptions.list`; the provider's id is
//! `projects/PROJECT/subscriptions/NAME`, and its `topic` the topic's full name.
//!
//! No emulator of ours serves Pub/Sub's REST surface: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves `subscriptions`.

use super::{parse_scope, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::rest::{labels, last, list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct PubsubSubscription;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_pubsub_subscription",
    attrs: &[
        AttrSpec::new("topic", Shape::Link),
        // Where messages are delivered: moved elsewhere, they go to someone else.
        AttrSpec::new("push_config.0.push_endpoint", Shape::Scalar)
            .tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("ack_deadline_seconds", Shape::Number),
        AttrSpec::new("message_retention_duration", Shape::Scalar),
        AttrSpec::new("retain_acked_messages", Shape::Scalar),
        AttrSpec::new("enable_message_ordering", Shape::Scalar),
        AttrSpec::new("filter", Shape::Scalar),
        AttrSpec::new("dead_letter_policy", Shape::Document),
        AttrSpec::new("retry_policy", Shape::Document),
        AttrSpec::new("expiration_policy", Shape::Document),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "push_config.0.attributes",
            "the API adds `x-goog-version` to what was configured",
        ),
        UncomparedAttr::new(
            "bigquery_config",
            "export subscriptions' table settings are not read",
        ),
        UncomparedAttr::new(
            "cloud_storage_config",
            "export subscriptions' bucket settings are not read",
        ),
    ],
};

/// A one-block list of `fields` (API name → Terraform name) of `v`, or `[]` when `v` is absent
/// or empty. Durations stay as the API writes them (`"600s"`), as the provider stores them.
fn block(v: &Value, fields: &[(&str, &str)]) -> Value {
    let mut out = serde_json::Map::new();
    for (api, tf) in fields {
        if let Some(x) = v.get(*api).filter(|x| !x.is_null()) {
            out.insert(tf.to_string(), x.clone());
        }
    }
    if out.is_empty() {
        json!([])
    } else {
        json!([out])
    }
}

fn map(sub: &Value, scope: &Scope) -> Option<Resource> {
    let full = sub["name"]
        .as_str()
        .filter(|n| n.contains("/subscriptions/"))?;
    let push = &sub["pushConfig"];
    let push_config = match push["pushEndpoint"].as_str().filter(|e| !e.is_empty()) {
        Some(endpoint) => json!([{
            "push_endpoint": endpoint,
            "oidc_token": block(&push["oidcToken"], &[
                ("serviceAccountEmail", "service_account_email"), ("audience", "audience")]),
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
            "topic": sub["topic"].as_str(),
            "push_config": push_config,
            "ack_deadline_seconds": sub["ackDeadlineSeconds"].as_i64().unwrap_or(10),
            "message_retention_duration": sub["messageRetentionDuration"].as_str(),
            "retain_acked_messages": sub["retainAckedMessages"].as_bool().unwrap_or(false),
            "enable_message_ordering": sub["enableMessageOrdering"].as_bool().unwrap_or(false),
            "filter": sub["filter"].as_str().unwrap_or(""),
            "dead_letter_policy": block(&sub["deadLetterPolicy"], &[
                ("deadLetterTopic", "dead_letter_topic"),
                ("maxDeliveryAttempts", "max_delivery_attempts")]),
            "retry_policy": block(&sub["retryPolicy"], &[
                ("minimumBackoff", "minimum_backoff"), ("maximumBackoff", "maximum_backoff")]),
            "expiration_policy": block(&sub["expirationPolicy"], &[("ttl", "ttl")]),
            "labels": labels(&sub["labels"]),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for PubsubSubscription {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let subs = list_all(
            client,
            Api::PubSub,
            &format!("/v1/projects/{}/subscriptions", s.project),
            "subscriptions",
            "listing Pub/Sub subscriptions",
            scope,
        )
        .await?;
        Ok(KindListing {
            resources: subs.iter().filter_map(|x| map(x, &s)).collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, Change, ChangeOp, FindingKind};

    #[test]
    fn maps_to_terraform_names() {
        let sub = json!({"name": "projects/p1/subscriptions/orders-push",
            "topic": "projects/p1/topics/orders", "ackDeadlineSeconds": 30,
            "pushConfig": {"pushEndpoint": "https://hooks.example.com/orders",
                           "attributes": {"x-goog-version": "v1"}},
            "messageRetentionDuration": "604800s", "expirationPolicy": {"ttl": "2678400s"},
            "deadLetterPolicy": {"deadLetterTopic": "projects/p1/topics/dlq", "maxDeliveryAttempts": 5}});
        let r = map(&sub, &Scope::global("p1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p1/subscriptions/orders-push");
        assert_eq!(r.attrs["topic"], json!("projects/p1/topics/orders"));
        assert_eq!(
            r.attrs["push_config"][0]["push_endpoint"],
            json!("https://hooks.example.com/orders")
        );
        assert_eq!(r.attrs["ack_deadline_seconds"], json!(30));
        assert_eq!(r.attrs["expiration_policy"], json!([{"ttl": "2678400s"}]));
        assert_eq!(
            r.attrs["dead_letter_policy"],
            json!([{"dead_letter_topic": "projects/p1/topics/dlq", "max_delivery_attempts": 5}])
        );
        assert_eq!(r.attrs["retry_policy"], json!([]));
    }

    #[test]
    fn equal_values_in_other_forms_are_no_drift_a_moved_endpoint_is_critical() {
        // The ack deadline as text, a dead-letter block whose numbers are text.
        assert_eq!(
            SPEC.normalize(Shape::Number, &json!("30")),
            SPEC.normalize(Shape::Number, &json!(30))
        );
        assert_eq!(
            SPEC.normalize(
                Shape::Document,
                &json!([{"max_delivery_attempts": 5, "dead_letter_topic": "t"}])
            ),
            SPEC.normalize(
                Shape::Document,
                &json!({"dead_letter_topic": "t", "max_delivery_attempts": "5"})
            )
        );
        // A topic by full name or by its name.
        assert_eq!(
            SPEC.normalize(Shape::Link, &json!("projects/p1/topics/orders")),
            SPEC.normalize(Shape::Link, &json!("orders"))
        );
        let c = Change::new(
            "push_config.0.push_endpoint",
            ChangeOp::Replace,
            json!("https://hooks.example.com/orders"),
            json!("https://attacker.example.net/"),
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
