//! `google_kms_key_ring`: a key ring has nothing to change after creation (its name and
//! location are its id), so what is compared is that it exists; a key ring cannot be deleted,
//! so it is never missing unless state names a wrong one. Key rings are listed per location:
//! Cloud KMS v1 `projects.locations.list`, then `keyRings.list` in each location. The provider's
//! id is `projects/PROJECT/locations/LOCATION/keyRings/NAME`.
//!
//! No emulator serves Cloud KMS: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves `locations` and `keyRings`.

use super::{parse_scope, resource};
use crate::client::UnitClient;
use crate::rest::{last, list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};

pub struct KmsKeyRing;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_kms_key_ring",
    attrs: &[AttrSpec::new("location", Shape::CaseInsensitive)],
    generated_tag_prefixes: &[],
    not_compared: &[],
};

/// Every key ring of the project, in every Cloud KMS location, as the API answers them.
pub(crate) async fn key_rings(
    client: &UnitClient,
    project: &str,
    scope: &str,
) -> Result<Vec<Value>, ListError> {
    let locations = list_all(
        client,
        Api::Kms,
        &format!("/v1/projects/{project}/locations"),
        "locations",
        "listing Cloud KMS locations",
        scope,
    )
    .await?;
    let mut out = Vec::new();
    for l in &locations {
        let Some(id) = l["locationId"]
            .as_str()
            .or_else(|| l["name"].as_str().map(last))
        else {
            continue;
        };
        out.extend(
            list_all(
                client,
                Api::Kms,
                &format!("/v1/projects/{project}/locations/{id}/keyRings"),
                "keyRings",
                "listing Cloud KMS key rings",
                scope,
            )
            .await?,
        );
    }
    Ok(out)
}

/// `projects/P/locations/L/keyRings/R` → `L`.
pub(crate) fn location_of(name: &str) -> Option<&str> {
    let mut parts = name.split('/');
    while let Some(p) = parts.next() {
        if p == "locations" {
            return parts.next();
        }
    }
    None
}

fn map(k: &Value, scope: &Scope) -> Option<Resource> {
    let name = k["name"].as_str().filter(|n| n.contains("/keyRings/"))?;
    Some(resource(
        SPEC.resource_type,
        name.to_string(),
        scope,
        json!({
            "name": last(name),
            "location": location_of(name),
            "project": scope.project,
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for KmsKeyRing {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let rings = key_rings(client, &s.project, scope).await?;
        Ok(KindListing {
            resources: rings.iter().filter_map(|k| map(k, &s)).collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names() {
        let k = json!({"name": "projects/p1/locations/europe-west1/keyRings/app",
                       "createTime": "2026-01-05T10:00:00Z"});
        let r = map(&k, &Scope::global("p1")).expect("mapped");
        assert_eq!(r.key.id, "projects/p1/locations/europe-west1/keyRings/app");
        assert_eq!(r.attrs["name"], json!("app"));
        assert_eq!(r.attrs["location"], json!("europe-west1"));
        assert!(map(&json!({"name": "x"}), &Scope::global("p1")).is_none());
    }

    #[test]
    fn location_case_is_no_drift() {
        assert_eq!(
            SPEC.normalize(Shape::CaseInsensitive, &json!("EUROPE-WEST1")),
            SPEC.normalize(Shape::CaseInsensitive, &json!("europe-west1"))
        );
    }
}
