//! `google_dns_record_set`: a record set's TTL and data. Each managed zone's record sets are
//! listed with Cloud DNS v1 `resourceRecordSets.list` (one call per zone); the provider's id is
//! `projects/PROJECT/managedZones/ZONE/rrsets/NAME/TYPE`. The SOA and NS records Cloud DNS
//! makes at each zone's apex are cloud defaults.
//!
//! No emulator serves Cloud DNS: in tests, the test kit's stand-in (`driftd_testkit::gcp_apis`)
//! serves `rrsets`.

use super::dns_managed_zone::zones;
use super::{parse_scope, resource};
use crate::client::UnitClient;
use crate::rest::{list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DnsRecordSet;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_dns_record_set",
    attrs: &[
        AttrSpec::new("ttl", Shape::Number),
        // Where names resolve to: order carries no meaning.
        AttrSpec::new("rrdatas", Shape::Set),
    ],
    generated_tag_prefixes: &[],
    not_compared: &[UncomparedAttr::new(
        "routing_policy",
        "geo and weighted routing policies are not read; their record sets compare no rrdatas",
    )],
};

fn map(rr: &Value, zone: &str, apex: &str, scope: &Scope) -> Option<Resource> {
    let name = rr["name"].as_str().filter(|n| !n.is_empty())?;
    let kind = rr["type"].as_str().filter(|t| !t.is_empty())?;
    let mut r = resource(
        SPEC.resource_type,
        format!(
            "projects/{}/managedZones/{zone}/rrsets/{name}/{kind}",
            scope.project
        ),
        scope,
        json!({
            "name": name,
            "type": kind,
            "managed_zone": zone,
            "project": scope.project,
            "ttl": rr["ttl"].as_i64(),
            "rrdatas": rr["rrdatas"].as_array().cloned().unwrap_or_default(),
        }),
    );
    r.cloud_default = matches!(kind, "SOA" | "NS") && name.eq_ignore_ascii_case(apex);
    Some(r)
}

#[async_trait]
impl ResourceKind<UnitClient> for DnsRecordSet {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let mut out = KindListing::default();
        for z in zones(client, &s.project, scope).await? {
            let (Some(zone), Some(apex)) = (z["name"].as_str(), z["dnsName"].as_str()) else {
                continue;
            };
            let sets = list_all(
                client,
                Api::Dns,
                &format!("/dns/v1/projects/{}/managedZones/{zone}/rrsets", s.project),
                "rrsets",
                "listing DNS record sets",
                scope,
            )
            .await?;
            out.resources
                .extend(sets.iter().filter_map(|rr| map(rr, zone, apex, &s)));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_terraform_names_apex_soa_and_ns_are_googles() {
        let s = Scope::global("p1");
        let www = json!({"kind": "dns#resourceRecordSet", "name": "www.shop.example.com.",
            "type": "A", "ttl": 300, "rrdatas": ["203.0.113.7", "203.0.113.8"]});
        let r = map(&www, "shop", "shop.example.com.", &s).expect("mapped");
        assert_eq!(
            r.key.id,
            "projects/p1/managedZones/shop/rrsets/www.shop.example.com./A"
        );
        assert_eq!(r.attrs["managed_zone"], json!("shop"));
        assert_eq!(r.attrs["ttl"], json!(300));
        assert_eq!(r.attrs["rrdatas"], json!(["203.0.113.7", "203.0.113.8"]));
        assert!(!r.cloud_default);
        let soa = json!({"name": "shop.example.com.", "type": "SOA", "ttl": 21600,
            "rrdatas": ["ns-cloud-a1.googledomains.com. cloud-dns-hostmaster.google.com. 1 21600 3600 259200 300"]});
        assert!(
            map(&soa, "shop", "shop.example.com.", &s)
                .expect("soa")
                .cloud_default
        );
        let sub_ns =
            json!({"name": "dev.shop.example.com.", "type": "NS", "rrdatas": ["ns1.example.net."]});
        assert!(
            !map(&sub_ns, "shop", "shop.example.com.", &s)
                .expect("ns")
                .cloud_default
        );
    }

    #[test]
    fn rrdata_order_and_ttl_as_text_are_no_drift() {
        assert_eq!(
            SPEC.normalize(Shape::Set, &json!(["203.0.113.8", "203.0.113.7"])),
            SPEC.normalize(Shape::Set, &json!(["203.0.113.7", "203.0.113.8"]))
        );
        assert_eq!(
            SPEC.normalize(Shape::Number, &json!("300")),
            SPEC.normalize(Shape::Number, &json!(300))
        );
        assert_ne!(
            SPEC.normalize(Shape::Set, &json!(["203.0.113.7"])),
            SPEC.normalize(Shape::Set, &json!(["198.51.100.1"]))
        );
    }
}
