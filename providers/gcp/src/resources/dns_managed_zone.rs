//! `google_dns_managed_zone`: its DNS name, description, visibility and labels. Listed with
//! Cloud DNS v1 `managedZones.list`; the provider's id is `projects/PROJECT/managedZones/NAME`.
//!
//! No emulator serves Cloud DNS: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves `managedZones`.

use super::{parse_scope, resource, GENERATED_KEYS, LABELS};
use crate::client::UnitClient;
use crate::rest::{labels, list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DnsManagedZone;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_dns_managed_zone",
    attrs: &[
        // DNS names are case-insensitive; both sides end in a dot (the provider requires it).
        AttrSpec::new("dns_name", Shape::CaseInsensitive),
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("visibility", Shape::CaseInsensitive).tier(TierHint::Rule(made_public)),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "dnssec_config",
            "state records it only when configured, while the API answers `off` for every \
             unsigned zone",
        ),
        UncomparedAttr::new(
            "private_visibility_config",
            "its network links are stored as written in the code (an id or a self link)",
        ),
        UncomparedAttr::new("force_destroy", "a setting of the provider's destroy"),
        UncomparedAttr::new(
            "cloud_logging_config",
            "the API leaves out logging that was never enabled",
        ),
    ],
};

/// A private zone made public: its records now answer the internet.
fn made_public(c: &Change) -> Option<Tier> {
    c.actual
        .as_str()
        .is_some_and(|v| v.eq_ignore_ascii_case("public"))
        .then_some(Tier::Critical)
}

fn map(z: &Value, scope: &Scope) -> Option<Resource> {
    let name = z["name"].as_str().filter(|n| !n.is_empty())?;
    Some(resource(
        SPEC.resource_type,
        format!("projects/{}/managedZones/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "dns_name": z["dnsName"].as_str(),
            "description": z["description"].as_str().unwrap_or(""),
            // The API leaves out the default.
            "visibility": z["visibility"].as_str().unwrap_or("public"),
            "labels": labels(&z["labels"]),
            "managed_zone_id": z["id"].as_str().map(str::to_string)
                .or_else(|| z["id"].as_u64().map(|n| n.to_string())),
        }),
    ))
}

/// Every managed zone of the project, as the API answers them (the record set type reads them
/// too).
pub(crate) async fn zones(
    client: &UnitClient,
    project: &str,
    scope: &str,
) -> Result<Vec<Value>, ListError> {
    list_all(
        client,
        Api::Dns,
        &format!("/dns/v1/projects/{project}/managedZones"),
        "managedZones",
        "listing DNS managed zones",
        scope,
    )
    .await
}

#[async_trait]
impl ResourceKind<UnitClient> for DnsManagedZone {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let zones = zones(client, &s.project, scope).await?;
        Ok(KindListing {
            resources: zones.iter().filter_map(|z| map(z, &s)).collect(),
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
        let z = json!({"kind": "dns#managedZone", "name": "shop", "dnsName": "shop.example.com.",
            "description": "Shop", "id": "4321", "visibility": "private",
            "nameServers": ["ns-cloud-a1.googledomains.com."], "labels": {"env": "prod"}});
        let r = map(&z, &Scope::global("p1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p1/managedZones/shop");
        assert_eq!(r.attrs["dns_name"], json!("shop.example.com."));
        assert_eq!(r.attrs["visibility"], json!("private"));
        assert_eq!(r.attrs["managed_zone_id"], json!("4321"));
        let bare = map(
            &json!({"name": "z", "dnsName": "z.example."}),
            &Scope::global("p1"),
        )
        .expect("mapped");
        assert_eq!(bare.attrs["visibility"], json!("public"));
    }

    #[test]
    fn name_case_is_no_drift_going_public_is_critical() {
        assert_eq!(
            SPEC.normalize(Shape::CaseInsensitive, &json!("Shop.Example.COM.")),
            SPEC.normalize(Shape::CaseInsensitive, &json!("shop.example.com."))
        );
        assert_eq!(
            SPEC.normalize(Shape::CaseInsensitive, &json!("PRIVATE")),
            SPEC.normalize(Shape::CaseInsensitive, &json!("private"))
        );
        let c = Change::new(
            "visibility",
            ChangeOp::Replace,
            json!("private"),
            json!("public"),
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
