//! `google_compute_ssl_certificate`: a global self-managed certificate. Compared: the
//! certificate body (the public PEM chain, as the API answers it and the provider records it),
//! its expiry and the description. A body that changed under the same name serves clients
//! another certificate: critical.
//!
//! The private key is write-only: the API never returns it, and driftd never reads or compares
//! the one in state.
//!
//! gcplocal serves no certificates: the tests' stand-in (`driftd_testkit::gcp_compute`) speaks
//! the documented `sslCertificates` REST resource (and, as the API, never answers the key).

use super::compute_forwarding_rule::link;
use super::{list_compute, opt, resource, GENERATED_KEYS};
use crate::client::UnitClient;
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint, TypeSpec,
    UncomparedAttr,
};
use google_cloud_compute_v1::model::SslCertificate;
use serde_json::json;

pub struct ComputeSslCertificate;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_compute_ssl_certificate",
    attrs: &[
        AttrSpec::new("certificate", Shape::Scalar).tier(TierHint::Always(Tier::Critical)),
        AttrSpec::new("expire_time", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new(
            "private_key",
            "write-only and secret: the API never returns it, and driftd never reads it from state",
        ),
        UncomparedAttr::new(
            "name_prefix",
            "Terraform's input for generating the name; the name is part of the id",
        ),
        UncomparedAttr::new("certificate_id", "the numeric id the API assigns"),
    ],
};

fn map(c: &SslCertificate, scope: &Scope) -> Option<Resource> {
    let name = c.name.as_deref()?;
    // A self-managed certificate's PEM is at the top level and in `selfManaged`.
    let pem = c.certificate.as_deref().or_else(|| {
        c.self_managed
            .as_ref()
            .and_then(|s| s.certificate.as_deref())
    });
    let mut r = resource(
        SPEC.resource_type,
        format!("projects/{}/global/sslCertificates/{name}", scope.project),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "expire_time": opt(c.expire_time.as_deref()),
            "description": opt(c.description.as_deref()),
            "self_link": link(c.self_link.as_deref()),
        }),
    );
    // Without the PEM (a managed certificate listed here) the body is unknown, not removed.
    if let Some(pem) = pem {
        r.attrs.insert("certificate".into(), json!(pem));
    }
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for ComputeSslCertificate {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        list_compute(client, scope, "listing SSL certificates", map, |s| {
            client
                .clients
                .ssl_certificates
                .list()
                .set_project(&s.project)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::super::compute_forwarding_rule::drift;
    use super::*;
    use driftd_core::FindingKind;

    /// Not a real certificate: PEM framing around a few bytes.
    const PEM: &str = "-----BEGIN CERTIFICATE-----\nZHJpZnRkIHRlc3QgY2VydGlm\naWNhdGUgYm9keQ==\n-----END CERTIFICATE-----\n";

    #[test]
    fn maps_to_terraform_names_without_any_key() {
        let c: SslCertificate = serde_json::from_value(json!({
            "name": "web", "type": "SELF_MANAGED", "certificate": PEM,
            "expireTime": "2027-03-01T12:00:00.000-08:00",
            "selfManaged": {"certificate": PEM},
            "subjectAlternativeNames": ["www.example.com"]
        }))
        .expect("certificate JSON");
        let r = map(&c, &Scope::global("p")).expect("mapped");
        assert_eq!(r.key.id, "projects/p/global/sslCertificates/web");
        assert_eq!(r.attrs["certificate"], json!(PEM));
        assert_eq!(
            r.attrs["expire_time"],
            json!("2027-03-01T12:00:00.000-08:00")
        );
        assert!(!r.attrs.contains_key("private_key"));
    }

    /// State holds the private key the code gave (the API never returns one) and Terraform's
    /// `name_prefix`; the API, in its newer form, answers the PEM only inside `selfManaged`.
    /// Same certificate, and nothing about the key; another body is critical.
    #[test]
    fn the_write_only_key_and_the_self_managed_form_are_no_drift() {
        let c: SslCertificate = serde_json::from_value(json!({
            "name": "web", "type": "SELF_MANAGED", "selfManaged": {"certificate": PEM},
            "expireTime": "2027-03-01T12:00:00.000-08:00"
        }))
        .expect("certificate JSON");
        let live = map(&c, &Scope::global("p")).expect("mapped");
        let state = json!({
            "id": "projects/p/global/sslCertificates/web", "name": "web", "project": "p",
            "certificate": PEM,
            "private_key": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n",
            "expire_time": "2027-03-01T12:00:00.000-08:00", "description": "",
            "name_prefix": "", "certificate_id": 7
        });
        assert_eq!(drift(&SPEC, state.clone(), &live), vec![]);
        let other =
            "-----BEGIN CERTIFICATE-----\nb3RoZXIgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
        let c: SslCertificate = serde_json::from_value(json!({
            "name": "web", "certificate": other, "expireTime": "2027-03-01T12:00:00.000-08:00"
        }))
        .expect("certificate JSON");
        let live = map(&c, &Scope::global("p")).expect("mapped");
        assert_eq!(
            drift(&SPEC, state, &live),
            vec![(
                FindingKind::Changed,
                Tier::Critical,
                vec!["certificate".to_string()]
            )]
        );
    }
}
