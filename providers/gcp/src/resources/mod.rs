//! One file per resource type. To add a type: write `<type>.rs` implementing
//! [`ResourceKind<UnitClient>`](driftd_core::ResourceKind) (its spec, listing and mapping to the
//! attribute names of the Terraform `google` provider, with a unit test of the mapping) and add
//! one line to [`registry`] with where the type lives.

use crate::client::UnitClient;
use crate::paging::{all_pages, ListRequest, Page};
use crate::scope::{Locality, Scope};
use driftd_core::{AttrSpec, KindListing, ListError, ResourceKind, Shape, Tier, TierHint};
use serde_json::Value;
use std::collections::HashMap;

pub mod compute_address;
pub mod compute_backend_service;
pub mod compute_disk;
pub mod compute_firewall;
pub mod compute_forwarding_rule;
pub mod compute_global_address;
pub mod compute_global_forwarding_rule;
pub mod compute_health_check;
pub mod compute_instance;
pub mod compute_instance_group_manager;
pub mod compute_instance_template;
pub mod compute_network;
pub mod compute_route;
pub mod compute_router;
pub mod compute_router_nat;
pub mod compute_ssl_certificate;
pub mod compute_subnetwork;
pub mod compute_target_http_proxy;
pub mod compute_target_https_proxy;
pub mod compute_url_map;
pub mod container_cluster;
pub mod container_node_pool;
pub mod dns_managed_zone;
pub mod dns_record_set;
pub mod kms_crypto_key;
pub mod kms_key_ring;
pub mod project_iam_binding;
pub mod project_iam_member;
pub mod pubsub_subscription;
pub mod pubsub_topic;
pub mod service_account;
pub mod sql_database_instance;
pub mod storage_bucket;
pub mod storage_bucket_iam_binding;
pub mod storage_bucket_iam_member;

/// A resource type and where it is listed.
pub struct Kind {
    pub locality: Locality,
    pub kind: Box<dyn ResourceKind<UnitClient>>,
}

/// Every supported resource type.
pub fn registry() -> Vec<Kind> {
    use Locality::*;
    let kind = |locality, kind: Box<dyn ResourceKind<UnitClient>>| Kind { locality, kind };
    vec![
        kind(Zonal, Box::new(compute_instance::ComputeInstance)),
        kind(Zonal, Box::new(compute_disk::ComputeDisk)),
        kind(Global, Box::new(compute_network::ComputeNetwork)),
        kind(Regional, Box::new(compute_subnetwork::ComputeSubnetwork)),
        kind(Global, Box::new(compute_firewall::ComputeFirewall)),
        kind(Global, Box::new(storage_bucket::StorageBucket)),
        kind(Regional, Box::new(compute_address::ComputeAddress)),
        kind(
            Global,
            Box::new(compute_global_address::ComputeGlobalAddress),
        ),
        kind(Global, Box::new(compute_route::ComputeRoute)),
        kind(Regional, Box::new(compute_router::ComputeRouter)),
        kind(Regional, Box::new(compute_router_nat::ComputeRouterNat)),
        kind(
            Global,
            Box::new(storage_bucket_iam_binding::StorageBucketIamBinding),
        ),
        kind(
            Global,
            Box::new(storage_bucket_iam_member::StorageBucketIamMember),
        ),
        kind(Global, Box::new(project_iam_binding::ProjectIamBinding)),
        kind(Global, Box::new(project_iam_member::ProjectIamMember)),
        kind(Global, Box::new(service_account::ServiceAccount)),
        kind(Global, Box::new(pubsub_topic::PubsubTopic)),
        kind(Global, Box::new(pubsub_subscription::PubsubSubscription)),
        kind(Global, Box::new(dns_managed_zone::DnsManagedZone)),
        kind(Global, Box::new(dns_record_set::DnsRecordSet)),
        kind(Global, Box::new(kms_key_ring::KmsKeyRing)),
        kind(Global, Box::new(kms_crypto_key::KmsCryptoKey)),
        kind(
            Regional,
            Box::new(sql_database_instance::SqlDatabaseInstance),
        ),
        // Load balancing.
        kind(
            Regional,
            Box::new(compute_forwarding_rule::ComputeForwardingRule),
        ),
        kind(
            Global,
            Box::new(compute_global_forwarding_rule::ComputeGlobalForwardingRule),
        ),
        kind(
            Global,
            Box::new(compute_backend_service::ComputeBackendService),
        ),
        kind(Global, Box::new(compute_health_check::ComputeHealthCheck)),
        kind(Global, Box::new(compute_url_map::ComputeUrlMap)),
        kind(
            Global,
            Box::new(compute_target_http_proxy::ComputeTargetHttpProxy),
        ),
        kind(
            Global,
            Box::new(compute_target_https_proxy::ComputeTargetHttpsProxy),
        ),
        kind(
            Global,
            Box::new(compute_ssl_certificate::ComputeSslCertificate),
        ),
        // Managed instance groups.
        kind(
            Global,
            Box::new(compute_instance_template::ComputeInstanceTemplate),
        ),
        kind(
            Zonal,
            Box::new(compute_instance_group_manager::ComputeInstanceGroupManager),
        ),
        // GKE: one listing per project, shared by both types and every region.
        kind(Regional, Box::new(container_cluster::ContainerCluster)),
        kind(Regional, Box::new(container_node_pool::ContainerNodePool)),
    ]
}

/// Label keys Google writes itself (`goog-ops-agent-policy`, `goog-dataproc-...`), and metadata
/// keys left out of the comparison: a startup script can be written in `metadata` or in
/// `metadata_startup_script` and the API cannot tell which, and it often holds secrets.
pub(crate) const GENERATED_KEYS: &[&str] = &["goog-", "startup-script"];

/// A type's `labels`, compared with state's `terraform_labels` (provider 5+: the labels
/// Terraform manages, the provider's `default_labels` included, as AWS's `tags_all` does). A
/// label-only change is info.
pub(crate) const LABELS: AttrSpec = AttrSpec::new("labels", Shape::Tags)
    .with_state_alias("terraform_labels")
    .tier(TierHint::Always(Tier::Info));

/// Any of these in a list of source ranges opens a rule to the whole internet.
pub(crate) const WORLD: [&str; 2] = ["0.0.0.0/0", "::/0"];

/// Page size asked of list calls (the Compute Engine maximum).
pub(crate) const PAGE_SIZE: u32 = 500;

/// The scope a kind was handed, or an error naming it (a bug, never a user's input).
pub(crate) fn parse_scope(scope: &str) -> Result<Scope, ListError> {
    Scope::parse(scope).ok_or_else(|| ListError::Api(format!("malformed scope `{scope}`")))
}

/// Every page of a Compute Engine list call in scope `s` (`scope` as given), each item kept as
/// `keep` maps it. `request` makes the call for the scope; the page size and token are set here.
pub(crate) async fn scope_pages<Q: ListRequest, R>(
    client: &UnitClient,
    (scope, s): (&str, &Scope),
    what: &str,
    request: impl Fn(&Scope) -> Q,
    keep: impl FnMut(<Q::Page as Page>::Item) -> Option<R>,
) -> Result<Vec<R>, ListError> {
    all_pages(
        client,
        what,
        scope,
        || request(s).with_max_results(PAGE_SIZE),
        keep,
    )
    .await
}

/// Every page of a Compute Engine list call in `scope`, mapped with `map` (see
/// [`scope_pages`]).
pub(crate) async fn list_compute<Q: ListRequest>(
    client: &UnitClient,
    scope: &str,
    what: &str,
    map: fn(&<Q::Page as Page>::Item, &Scope) -> Option<driftd_core::Resource>,
    request: impl Fn(&Scope) -> Q,
) -> Result<KindListing, ListError> {
    let s = parse_scope(scope)?;
    let resources = scope_pages(client, (scope, &s), what, request, |item| map(&item, &s)).await?;
    Ok(KindListing {
        resources,
        ..KindListing::default()
    })
}

/// A new resource of `resource_type` in `scope` with its attributes.
pub(crate) fn resource(
    resource_type: &str,
    id: String,
    scope: &Scope,
    attrs: Value,
) -> driftd_core::Resource {
    let mut r = driftd_core::Resource::new(crate::PROVIDER, resource_type, id);
    r.region = Some(scope.to_string());
    if let Value::Object(map) = attrs {
        r.attrs = map.into_iter().collect();
    }
    r
}

/// A label map as a JSON object (sorted by key: the map is a `BTreeMap` underneath).
pub(crate) fn labels(l: &HashMap<String, String>) -> Value {
    Value::Object(
        l.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// An optional string as JSON (`null` when absent).
pub(crate) fn opt(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}
