//! driftd's Kubernetes provider: what the manifests say against what the cluster holds, read
//! with kube-rs.
//!
//! - [`manifest`]: definitions (YAML/JSON files, directories, globs, a render command's output),
//!   each object identified by group, version, kind, namespace and name.
//! - [`canon`]: the canonical form of an object and its flattening into compared attributes;
//!   live objects are projected onto the fields the manifest sets, so server defaults and other
//!   controllers' fields never read as drift. [`quantity`] makes `100m` equal `0.1`.
//! - [`live`]: kubeconfig or in-cluster credentials, discovery of any kind (CRDs included),
//!   complete paged listings, and the classification of API errors.
//! - [`KubernetesProvider`]: driftd's [`Provider`]: it is built from the expected resources
//!   ([`expected_resources`]), lists each `(kind, namespace)` unit, and reports what it could not
//!   list as skipped, never as missing.
//!
//! Resource types are `Kind` for the core group and `Kind.group` otherwise (`ConfigMap`,
//! `Deployment.apps`), as `kubectl` names resources; ids are `namespace/name` (`name` for
//! cluster-scoped kinds); the region of a finding is the object's namespace. Change paths read
//! like `spec.replicas`, `spec.template.spec.containers[web].image`, and
//! `spec.template.spec.containers[web].env.DEBUG` for a list item the manifest does not have.

pub mod canon;
pub mod live;
pub mod manifest;
pub mod quantity;
mod spec;
mod tier;
mod workload;

use async_trait::async_trait;
use canon::{AttrKind, Ctx, ObjectId, Owned, PointerRule, OBJECT_ATTR};
use driftd_core::listing::{run_units, ApiMeter, ListingUnit};
use driftd_core::provider::{Progress, ProgressEvent};
use driftd_core::{
    KindListing, LiveInventory, Provider, ProviderError, Resource, Skipped, TypeSpec,
};
use kube::Client;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

pub use live::Connection;
pub use manifest::{ManifestError, ManifestObject, ManifestSettings, RenderCommand};
pub use workload::POD_SPEC_ATTR;

/// Provider name used in resource keys.
pub const PROVIDER: &str = "kubernetes";

/// The attribute holding an expected object's `apiVersion` (not compared): the version its
/// kind is discovered and listed at.
pub const API_VERSION_ATTR: &str = "$apiVersion";

/// Kinds listed in watched namespaces to find objects no manifest declares, besides the kinds
/// the manifests use. Written `apiVersion/Kind`. Bare pods count: a pod run by hand is exactly
/// what a policy about privileged containers is for (pods a controller owns are left out).
pub const DEFAULT_WATCH_KINDS: [&str; 13] = [
    "v1/Pod",
    "apps/v1/Deployment",
    "apps/v1/StatefulSet",
    "apps/v1/DaemonSet",
    "batch/v1/CronJob",
    "v1/Service",
    "v1/ConfigMap",
    "v1/Secret",
    "v1/ServiceAccount",
    "v1/PersistentVolumeClaim",
    "networking.k8s.io/v1/Ingress",
    "rbac.authorization.k8s.io/v1/Role",
    "rbac.authorization.k8s.io/v1/RoleBinding",
];

/// How the provider lists a target's cluster.
#[derive(Debug, Clone)]
pub struct KubeSettings {
    pub connection: Connection,
    /// Namespaces where objects no manifest declares are reported as unmanaged.
    pub watch_namespaces: Vec<String>,
    /// Kinds looked at for unmanaged objects besides the manifests' own (`apps/v1/Deployment`).
    pub watch_kinds: Vec<String>,
    /// Fields owned by these field managers (from `metadata.managedFields`) are not compared:
    /// an autoscaler's `spec.replicas`, for example.
    pub ignore_field_managers: Vec<String>,
    /// Objects per list page.
    pub page_size: u32,
    /// `(kind, namespace)` listings run at once.
    pub concurrency: usize,
}

impl Default for KubeSettings {
    fn default() -> Self {
        KubeSettings {
            connection: Connection {
                request_timeout: Duration::from_secs(30),
                ..Default::default()
            },
            watch_namespaces: Vec::new(),
            watch_kinds: DEFAULT_WATCH_KINDS.iter().map(|s| s.to_string()).collect(),
            ignore_field_managers: Vec::new(),
            page_size: 500,
            concurrency: 4,
        }
    }
}

/// Splits `apps/v1/Deployment` (or `v1/ConfigMap`) into group, version and kind.
pub fn parse_kind_ref(s: &str) -> Result<(String, String, String), String> {
    let parts: Vec<&str> = s.split('/').collect();
    match parts.as_slice() {
        [v, k] if !v.is_empty() && !k.is_empty() => {
            Ok((String::new(), v.to_string(), k.to_string()))
        }
        [g, v, k] if !g.is_empty() && !v.is_empty() && !k.is_empty() => {
            Ok((g.to_string(), v.to_string(), k.to_string()))
        }
        _ => Err(format!(
            "`{s}` is not a kind reference: write apiVersion/Kind, like `apps/v1/Deployment` or \
             `v1/ConfigMap`"
        )),
    }
}

/// The expected resources of a set of manifest objects: canonicalized, ignore rules applied,
/// flattened into compared attributes. Each carries its canonical object and apiVersion (not
/// compared) so that [`KubernetesProvider::new`] can project live objects onto it.
pub fn expected_resources(objects: &[ManifestObject], rules: &[PointerRule]) -> Vec<Resource> {
    let mut out: Vec<Resource> = objects
        .iter()
        .map(|o| {
            let canonical = canon::canonical_expected(&o.id, &o.body, rules);
            let mut r = Resource::new(PROVIDER, &o.id.resource_type(), o.id.resource_id());
            r.region = o.id.namespace.clone();
            r.source = Some(o.source.clone());
            for (path, _, value) in canon::flatten(&canonical) {
                r.attrs.insert(path, value);
            }
            r.attrs
                .insert(API_VERSION_ATTR.into(), Value::String(o.id.api_version()));
            r.attrs.insert(OBJECT_ATTR.into(), canonical);
            r
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// One expected object, as the provider compares live objects with it.
#[derive(Debug, Clone)]
struct ExpectedObject {
    canonical: Value,
}

/// One kind the provider lists.
#[derive(Debug, Clone)]
struct KindPlan {
    group: String,
    version: String,
    kind: String,
    spec: &'static TypeSpec,
    /// Declared by a manifest (not only watched for unmanaged objects).
    from_manifests: bool,
    /// Namespaces holding expected objects of this kind.
    namespaces: BTreeSet<String>,
    /// Expected objects of this kind without a namespace.
    cluster_objects: bool,
}

impl KindPlan {
    fn resource_type(&self) -> &'static str {
        self.spec.resource_type
    }
}

/// The Kubernetes provider of one target.
pub struct KubernetesProvider {
    settings: KubeSettings,
    /// Set by tests (and callers that have one); otherwise built from `settings.connection`.
    client: Option<Client>,
    expected: BTreeMap<(String, String), ExpectedObject>,
    kinds: Vec<KindPlan>,
}

impl KubernetesProvider {
    /// Builds the provider for the given expected resources (from [`expected_resources`]);
    /// resources of other providers are ignored.
    pub fn new(settings: KubeSettings, expected: &[Resource]) -> Result<Self, ProviderError> {
        let mut expected_map = BTreeMap::new();
        // (group, kind) -> (version, attrs, namespaces, cluster objects)
        type Acc = (String, BTreeMap<String, AttrKind>, BTreeSet<String>, bool);
        let mut kinds: BTreeMap<(String, String), Acc> = BTreeMap::new();
        for r in expected.iter().filter(|r| r.key.provider == PROVIDER) {
            let (Some(Value::String(api_version)), Some(canonical)) =
                (r.attrs.get(API_VERSION_ATTR), r.attrs.get(OBJECT_ATTR))
            else {
                return Err(ProviderError::Config(format!(
                    "expected resource {} was not read from Kubernetes manifests",
                    r.key
                )));
            };
            let (group, version) = match api_version.split_once('/') {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), api_version.clone()),
            };
            let kind = kind_of(&r.key.resource_type, &group);
            let acc = kinds
                .entry((group, kind))
                .or_insert_with(|| (version, BTreeMap::new(), BTreeSet::new(), false));
            for (path, attr_kind, _) in canon::flatten(canonical) {
                acc.1.entry(path).or_insert(attr_kind);
            }
            match &r.region {
                Some(ns) => {
                    acc.2.insert(ns.clone());
                }
                None => acc.3 = true,
            }
            expected_map.insert(
                (r.key.resource_type.clone(), r.key.id.clone()),
                ExpectedObject {
                    canonical: canonical.clone(),
                },
            );
        }
        let mut plans = Vec::new();
        for ((group, kind), (version, attrs, namespaces, cluster_objects)) in kinds {
            let spec = spec::spec_for(
                &canon::type_name(&group, &kind),
                attrs.into_iter().collect(),
            );
            plans.push(KindPlan {
                group,
                version,
                kind,
                spec,
                from_manifests: true,
                namespaces,
                cluster_objects,
            });
        }
        for w in &settings.watch_kinds {
            let (group, version, kind) = parse_kind_ref(w).map_err(ProviderError::Config)?;
            if plans.iter().any(|p| p.group == group && p.kind == kind) {
                continue;
            }
            let spec = spec::spec_for(&canon::type_name(&group, &kind), Vec::new());
            plans.push(KindPlan {
                group,
                version,
                kind,
                spec,
                from_manifests: false,
                namespaces: BTreeSet::new(),
                cluster_objects: false,
            });
        }
        Ok(KubernetesProvider {
            settings,
            client: None,
            expected: expected_map,
            kinds: plans,
        })
    }

    /// Uses this client instead of connecting with the settings.
    pub fn with_client(mut self, client: Client) -> Self {
        self.client = Some(client);
        self
    }

    fn watched(&self, ns: &str) -> bool {
        self.settings.watch_namespaces.iter().any(|w| w == ns)
    }

    /// The scopes a kind would be listed in, before discovery says whether it is namespaced:
    /// used to report what could not be scanned when discovery fails.
    fn guessed_scopes(&self, plan: &KindPlan) -> BTreeSet<String> {
        let mut scopes = plan.namespaces.clone();
        if plan.cluster_objects {
            scopes.insert("*".into());
        }
        scopes.extend(self.settings.watch_namespaces.iter().cloned());
        scopes
    }
}

/// The kind of a resource type (`Deployment.apps` → `Deployment`).
fn kind_of(resource_type: &str, group: &str) -> String {
    if group.is_empty() {
        resource_type.to_string()
    } else {
        resource_type
            .strip_suffix(&format!(".{group}"))
            .unwrap_or(resource_type)
            .to_string()
    }
}

/// Why a live object nobody declared is not reported as unmanaged: the cluster made it, or
/// another object owns it.
fn excluded(group: &str, kind: &str, v: &Value) -> Option<&'static str> {
    if v.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|o| !o.is_empty())
    {
        return Some("owned by another object");
    }
    if !group.is_empty() {
        return None;
    }
    let name = v
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    let ns = v
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let secret_type = v.get("type").and_then(Value::as_str).unwrap_or("");
    match (kind, name) {
        ("ServiceAccount", "default") => Some("the namespace's default service account"),
        ("Service", "kubernetes") if ns == "default" => Some("the API server's own service"),
        ("ConfigMap", "kube-root-ca.crt") => Some("the cluster CA bundle every namespace gets"),
        ("Secret", _) if secret_type == "kubernetes.io/service-account-token" => {
            Some("a service account token")
        }
        ("Secret", _) if secret_type == "helm.sh/release.v1" => Some("Helm's release record"),
        _ => None,
    }
}

/// One `(kind, scope)` listing to run.
struct Unit {
    plan: usize,
    resource: kube::core::ApiResource,
    /// `None`: the whole cluster (a cluster-scoped kind).
    namespace: Option<String>,
}

impl Unit {
    fn scope(&self) -> String {
        self.namespace.clone().unwrap_or_else(|| "*".into())
    }
}

#[async_trait]
impl Provider for KubernetesProvider {
    fn name(&self) -> &'static str {
        PROVIDER
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        self.kinds.iter().map(|k| k.spec).collect()
    }

    async fn list(
        &self,
        resource_types: &[String],
        progress: Arc<dyn Progress>,
    ) -> Result<LiveInventory, ProviderError> {
        let client = match &self.client {
            Some(c) => c.clone(),
            None => live::connect(&self.settings.connection).await?,
        };
        let timeout = self.settings.connection.request_timeout;
        let mut inv = LiveInventory::default();
        let skip = |inv: &mut LiveInventory, rt: &str, scope: &str, reason: &str| {
            inv.skipped.push(Skipped {
                provider: PROVIDER.into(),
                resource_type: rt.into(),
                scope: scope.into(),
                attribute: None,
                reason: reason.into(),
            })
        };

        // Discovery: which kinds exist, at which resource path, namespaced or not.
        let mut units = Vec::new();
        for (i, plan) in self.kinds.iter().enumerate() {
            if !resource_types.iter().any(|t| t == plan.resource_type()) {
                continue;
            }
            let rt = plan.resource_type();
            let found =
                live::discover(&client, &plan.group, &plan.version, &plan.kind, timeout).await;
            inv.api_calls += 1;
            progress.event(&ProgressEvent::ApiAttempt {
                provider: PROVIDER,
                throttled: false,
            });
            let d = match found {
                Ok(d) => d,
                Err(live::DiscoveryFailure::NotServed(reason)) if !plan.from_manifests => {
                    tracing::debug!(kind = rt, reason = %reason, "watched kind not served; not looked at");
                    continue;
                }
                Err(failure) => {
                    let reason = match failure {
                        live::DiscoveryFailure::NotServed(r) => r,
                        live::DiscoveryFailure::Failed(e) => format!("discovery failed: {e}"),
                    };
                    for scope in self.guessed_scopes(plan) {
                        skip(&mut inv, rt, &scope, &reason);
                    }
                    continue;
                }
            };
            if !d.listable {
                for scope in self.guessed_scopes(plan) {
                    skip(
                        &mut inv,
                        rt,
                        &scope,
                        "the API server does not allow listing this kind",
                    );
                }
                continue;
            }
            if d.namespaced {
                if plan.cluster_objects {
                    skip(
                        &mut inv,
                        rt,
                        "*",
                        &format!(
                        "the manifests treat {} as cluster-scoped but the API server says it is \
                         namespaced; give those objects a namespace",
                        plan.kind
                    ),
                    );
                }
                let mut namespaces = plan.namespaces.clone();
                namespaces.extend(self.settings.watch_namespaces.iter().cloned());
                for ns in namespaces {
                    units.push(Unit {
                        plan: i,
                        resource: d.resource.clone(),
                        namespace: Some(ns),
                    });
                }
            } else {
                for ns in &plan.namespaces {
                    skip(
                        &mut inv,
                        rt,
                        ns,
                        &format!(
                            "the manifests treat {} as namespaced but the API server says it is \
                         cluster-scoped; add it to `cluster_scoped_kinds`",
                            plan.kind
                        ),
                    );
                }
                if plan.cluster_objects {
                    units.push(Unit {
                        plan: i,
                        resource: d.resource.clone(),
                        namespace: None,
                    });
                }
            }
        }

        let listings = units
            .iter()
            .map(|unit| {
                let meter = ApiMeter::new(PROVIDER, progress.clone());
                let (client, resource, namespace) = (
                    client.clone(),
                    unit.resource.clone(),
                    unit.namespace.clone(),
                );
                let (attempts, page_size) = (meter.clone(), self.settings.page_size);
                ListingUnit {
                    resource_type: self.kinds[unit.plan].resource_type(),
                    scope: unit.scope(),
                    meter,
                    list: Box::pin(async move {
                        let attempt = |throttled| attempts.attempt(throttled);
                        let ns = namespace.as_deref();
                        live::list_all(&client, &resource, ns, page_size, timeout, &attempt).await
                    }),
                }
            })
            .collect();
        // Objects become resources here, where the expected ones are at hand.
        let concurrency = self.settings.concurrency;
        run_units(
            PROVIDER,
            listings,
            concurrency,
            &progress,
            &mut inv,
            |n, items| {
                let plan = &self.kinds[units[n].plan];
                KindListing {
                    resources: items
                        .iter()
                        .filter_map(|v| self.live_resource(plan, v))
                        .collect(),
                    unread_attributes: Vec::new(),
                }
            },
        )
        .await;
        inv.resources.sort_by(|a, b| a.key.cmp(&b.key));
        inv.resources.dedup_by(|a, b| a.key == b.key);
        inv.scanned.sort();
        inv.scanned.dedup();
        inv.skipped.sort();
        inv.skipped.dedup();
        Ok(inv)
    }
}

impl KubernetesProvider {
    /// The live resource of one listed object: projected onto its manifest when one declares it,
    /// reported bare (unmanaged) when it sits in a watched namespace and nothing excludes it,
    /// and left out otherwise.
    fn live_resource(&self, plan: &KindPlan, v: &Value) -> Option<Resource> {
        let name = v.pointer("/metadata/name").and_then(Value::as_str)?;
        let namespace = v
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let id = ObjectId {
            group: plan.group.clone(),
            version: plan.version.clone(),
            kind: plan.kind.clone(),
            namespace: namespace.map(str::to_string),
            name: name.to_string(),
        };
        let rt = plan.resource_type();
        let mut r = Resource::new(PROVIDER, rt, id.resource_id());
        r.region = id.namespace.clone();
        match self.expected.get(&(rt.to_string(), id.resource_id())) {
            Some(exp) => {
                let owned = Owned::from_managed_fields(v, &self.settings.ignore_field_managers);
                let ctx = Ctx::for_kind(&plan.group, &plan.kind);
                r.attrs = canon::project(&exp.canonical, v, ctx, &owned);
                keep_pod_spec(plan, v, &mut r);
                Some(r)
            }
            None => {
                let ns = namespace?;
                if !self.watched(ns) {
                    return None;
                }
                if let Some(why) = excluded(&plan.group, &plan.kind, v) {
                    tracing::trace!(kind = rt, id = %id.resource_id(), why, "not reported as unmanaged");
                    return None;
                }
                keep_pod_spec(plan, v, &mut r);
                Some(r)
            }
        }
    }
}

/// Keeps the live pod spec of a workload object on its resource, for policies.
fn keep_pod_spec(plan: &KindPlan, v: &Value, r: &mut Resource) {
    if let Some(spec) = workload::pod_spec(&plan.group, &plan.kind, v) {
        r.attrs.insert(POD_SPEC_ATTR.into(), spec);
    }
}
