//! `google_kms_crypto_key`: purpose, rotation period, version template (algorithm and
//! protection level), how long destruction is scheduled ahead, import-only, and labels. Keys
//! are listed per key ring (Cloud KMS v1 `cryptoKeys.list`, after
//! [`key_rings`](super::kms_key_ring::key_rings)); the provider's id is
//! `projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/NAME`, and its `key_ring` the
//! ring's full name. Keys cannot be deleted, only their versions destroyed.
//!
//! No emulator serves Cloud KMS: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves `cryptoKeys`.

use super::kms_key_ring::key_rings;
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

pub struct KmsCryptoKey;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_kms_crypto_key",
    attrs: &[
        AttrSpec::new("purpose", Shape::CaseInsensitive),
        AttrSpec::new("rotation_period", Shape::Scalar).tier(TierHint::Rule(rotation_stopped)),
        AttrSpec::new("version_template", Shape::Document),
        AttrSpec::new("destroy_scheduled_duration", Shape::Scalar),
        AttrSpec::new("import_only", Shape::Scalar),
        LABELS,
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "skip_initial_version_creation",
            "a setting of the provider's create; the API does not keep it",
        ),
        UncomparedAttr::new(
            "crypto_key_backend",
            "only for keys in an external key manager, which driftd does not read",
        ),
        UncomparedAttr::new(
            "key_access_justifications_policy",
            "Key Access Justifications are not read",
        ),
    ],
};

/// Automatic rotation turned off: the key no longer changes on schedule, critical.
fn rotation_stopped(c: &Change) -> Option<Tier> {
    let set = |v: &Value| v.as_str().is_some_and(|s| !s.is_empty());
    (set(&c.expected) && !set(&c.actual)).then_some(Tier::Critical)
}

/// A duration as the provider stores it: seconds with an `s` (`"7776000s"`), a fraction of
/// zero left out (`"7776000.000s"` is `"7776000s"`).
fn duration(v: &Value) -> Option<String> {
    let s = v.as_str()?.trim();
    let secs = s.strip_suffix('s')?;
    let secs = match secs.split_once('.') {
        Some((whole, frac)) if frac.bytes().all(|b| b == b'0') => whole,
        _ => secs,
    };
    Some(format!("{secs}s"))
}

fn map(k: &Value, scope: &Scope) -> Option<Resource> {
    let name = k["name"].as_str().filter(|n| n.contains("/cryptoKeys/"))?;
    let ring = name.split("/cryptoKeys/").next()?;
    let template = &k["versionTemplate"];
    let version_template = if template.is_object() {
        json!([{
            "algorithm": template["algorithm"].as_str(),
            "protection_level": template["protectionLevel"].as_str().unwrap_or("SOFTWARE"),
        }])
    } else {
        json!([])
    };
    Some(resource(
        SPEC.resource_type,
        name.to_string(),
        scope,
        json!({
            "name": last(name),
            "key_ring": ring,
            "purpose": k["purpose"].as_str().unwrap_or("ENCRYPT_DECRYPT"),
            "rotation_period": duration(&k["rotationPeriod"]).unwrap_or_default(),
            "version_template": version_template,
            "destroy_scheduled_duration": duration(&k["destroyScheduledDuration"]),
            "import_only": k["importOnly"].as_bool().unwrap_or(false),
            "labels": labels(&k["labels"]),
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for KmsCryptoKey {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let mut out = KindListing::default();
        for ring in key_rings(client, &s.project, scope).await? {
            let Some(ring) = ring["name"].as_str() else {
                continue;
            };
            let keys = list_all(
                client,
                Api::Kms,
                &format!("/v1/{ring}/cryptoKeys"),
                "cryptoKeys",
                "listing Cloud KMS keys",
                scope,
            )
            .await?;
            out.resources.extend(keys.iter().filter_map(|k| map(k, &s)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, ChangeOp, FindingKind};

    #[test]
    fn maps_to_terraform_names() {
        let k = json!({"name": "projects/p1/locations/us/keyRings/app/cryptoKeys/data",
            "purpose": "ENCRYPT_DECRYPT", "rotationPeriod": "7776000s",
            "nextRotationTime": "2026-04-05T10:00:00Z",
            "versionTemplate": {"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protectionLevel": "HSM"},
            "destroyScheduledDuration": "2592000s", "labels": {"team": "db"}});
        let r = map(&k, &Scope::global("p1")).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p1/locations/us/keyRings/app/cryptoKeys/data"
        );
        assert_eq!(
            r.attrs["key_ring"],
            json!("projects/p1/locations/us/keyRings/app")
        );
        assert_eq!(r.attrs["rotation_period"], json!("7776000s"));
        assert_eq!(
            r.attrs["version_template"],
            json!([{"algorithm": "GOOGLE_SYMMETRIC_ENCRYPTION", "protection_level": "HSM"}])
        );
        assert_eq!(r.attrs["destroy_scheduled_duration"], json!("2592000s"));
        assert_eq!(r.attrs["labels"], json!({"team": "db"}));
    }

    #[test]
    fn rotation_period_forms_are_no_drift_stopping_rotation_is_critical() {
        assert_eq!(
            duration(&json!("7776000.000s")),
            Some("7776000s".to_string())
        );
        assert_eq!(duration(&json!("7776000s")), Some("7776000s".to_string()));
        assert_eq!(duration(&json!("0.5s")), Some("0.5s".to_string()));
        // No rotation: state writes "", the API leaves the field out.
        let r = map(
            &json!({"name": "projects/p1/locations/us/keyRings/app/cryptoKeys/k"}),
            &Scope::global("p1"),
        )
        .expect("mapped");
        assert_eq!(
            SPEC.normalize(Shape::Scalar, &r.attrs["rotation_period"]),
            SPEC.normalize(Shape::Scalar, &json!(""))
        );
        let c = Change::new(
            "rotation_period",
            ChangeOp::Remove,
            json!("7776000s"),
            Value::Null,
        );
        assert_eq!(
            default_tier(Some(&SPEC), FindingKind::Changed, &[c]),
            Tier::Critical
        );
    }
}
