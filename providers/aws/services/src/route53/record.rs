//! `aws_route53_record`: the id is Terraform's `ZONEID_name_TYPE`, with `_SETIDENTIFIER` for a
//! record with a routing policy; the name as Terraform records it (no trailing dot, lower case,
//! Route 53's `\052` read as `*`). The zones are listed, then each zone's record sets
//! (ListResourceRecordSets, paged by name, type and identifier), one paged call per zone.
//!
//! The NS and SOA records Route 53 creates at a zone's apex are cloud defaults: never reported
//! unmanaged (Terraform manages them only when asked to, with `allow_overwrite`).
//! moto serves every call used here.

use super::{dns_name, hosted_zones, zone_id, SERVICE};
use crate::client::{form, segment, ApiClient, CallError};
use crate::common::{flag, number, resource, str_of, text};
use crate::paging::runaway;
use crate::paging::{each_bounded, unless_gone};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Record;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_route53_record",
    attrs: &[
        AttrSpec::new("zone_id", Shape::Scalar),
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("type", Shape::Scalar),
        AttrSpec::new("ttl", Shape::Number),
        AttrSpec::new("records", Shape::Set),
        AttrSpec::new("alias", Shape::Document),
        AttrSpec::new("set_identifier", Shape::Scalar),
        AttrSpec::new("health_check_id", Shape::Scalar),
        AttrSpec::new("weighted_routing_policy", Shape::Document),
        AttrSpec::new("failover_routing_policy", Shape::Document),
        AttrSpec::new("latency_routing_policy", Shape::Document),
        AttrSpec::new("geolocation_routing_policy", Shape::Document),
        AttrSpec::new("multivalue_answer_routing_policy", Shape::Scalar),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "allow_overwrite",
            "Terraform-side only: whether it may take over an existing record",
        ),
        UncomparedAttr::new("fqdn", "derived from the name, which is compared"),
        UncomparedAttr::new("cidr_routing_policy", "not read"),
        UncomparedAttr::new("geoproximity_routing_policy", "not read"),
    ],
};

/// A record value as Terraform records it: TXT and SPF values lose the quotes Route 53 keeps.
fn record_value(kind: &str, v: &str) -> String {
    if matches!(kind, "TXT" | "SPF") && v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        v[1..v.len() - 1].to_string()
    } else {
        v.to_string()
    }
}

/// Terraform's id of a record.
fn record_id(zone: &str, name: &str, kind: &str, set: &str) -> String {
    if set.is_empty() {
        format!("{zone}_{name}_{kind}")
    } else {
        format!("{zone}_{name}_{kind}_{set}")
    }
}

/// A record from its ListResourceRecordSets entry, in the zone `zone` named `apex`.
fn map(rr: &Value, zone: &str, apex: &str, region: &str) -> Resource {
    let name = dns_name(str_of(rr, "Name"));
    let kind = str_of(rr, "Type");
    let set = str_of(rr, "SetIdentifier");
    let records: Vec<String> = members(&rr["ResourceRecords"], "ResourceRecord")
        .into_iter()
        .map(|r| record_value(kind, str_of(r, "Value")))
        .collect();
    let alias = match &rr["AliasTarget"] {
        a @ Value::Object(_) => json!([{
            "name": dns_name(str_of(a, "DNSName")),
            "zone_id": a["HostedZoneId"],
            "evaluate_target_health": flag(a, "EvaluateTargetHealth"),
        }]),
        _ => json!([]),
    };
    let weighted = match number(rr, "Weight") {
        Value::Null => json!([]),
        w => json!([{ "weight": w }]),
    };
    let failover = match text(rr, "Failover") {
        Value::Null => json!([]),
        t => json!([{ "type": t }]),
    };
    let latency = match text(rr, "Region") {
        Value::Null => json!([]),
        r => json!([{ "region": r }]),
    };
    let geo = match &rr["GeoLocation"] {
        g @ Value::Object(_) => json!([{
            "continent": g["ContinentCode"], "country": g["CountryCode"],
            "subdivision": g["SubdivisionCode"],
        }]),
        _ => json!([]),
    };
    let mut r = resource(
        SPEC.resource_type,
        &record_id(zone, &name, kind, set),
        region,
        json!({
            "zone_id": zone,
            "name": name,
            "type": kind,
            "ttl": number(rr, "TTL"),
            "records": records,
            "alias": alias,
            "set_identifier": set,
            "health_check_id": text(rr, "HealthCheckId"),
            "weighted_routing_policy": weighted,
            "failover_routing_policy": failover,
            "latency_routing_policy": latency,
            "geolocation_routing_policy": geo,
        }),
    );
    // Answered only for multivalue records: otherwise unknown, not absent.
    let multivalue = flag(rr, "MultiValueAnswer");
    if !multivalue.is_null() {
        r.attrs
            .insert("multivalue_answer_routing_policy".into(), multivalue);
    }
    r.cloud_default = name == apex && matches!(kind, "NS" | "SOA");
    r
}

/// Every record set of one zone, page by page; `None` when the zone is gone.
async fn record_sets(client: &ApiClient, zone: &str) -> Result<Vec<Value>, CallError> {
    let path = format!("/2013-04-01/hostedzone/{}/rrset", segment(zone));
    let mut out = Vec::new();
    let mut next: Option<Vec<(&str, String)>> = None;
    for _ in 0..10_000 {
        let mut query = vec![("maxitems", "300".to_string())];
        if let Some(n) = &next {
            query.extend(n.iter().cloned());
        }
        let page = client
            .rest(&SERVICE, "ListResourceRecordSets", &path, &form(&query))
            .await?;
        out.extend(
            members(&page["ResourceRecordSets"], "ResourceRecordSet")
                .into_iter()
                .cloned(),
        );
        if flag(&page, "IsTruncated") != Value::Bool(true) {
            return Ok(out);
        }
        if str_of(&page, "NextRecordName").is_empty() {
            return Err(runaway(
                "ListResourceRecordSets",
                "the answer is cut short but names no next page",
            ));
        }
        let mut n = vec![
            ("name", str_of(&page, "NextRecordName").to_string()),
            ("type", str_of(&page, "NextRecordType").to_string()),
        ];
        if let Some(id) = page["NextRecordIdentifier"].as_str() {
            n.push(("identifier", id.to_string()));
        }
        if next.as_ref() == Some(&n) {
            return Err(runaway(
                "ListResourceRecordSets",
                "the next page is the page just read",
            ));
        }
        next = Some(n);
    }
    Err(runaway(
        "ListResourceRecordSets",
        "more pages than driftd reads",
    ))
}

#[async_trait]
impl ResourceKind<ApiClient> for Record {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let zones = hosted_zones(client).await?;
        let region = region.to_string();
        let per_zone = each_bounded(zones, |z| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let id = zone_id(str_of(&z, "Id")).to_string();
                let apex = dns_name(str_of(&z, "Name"));
                let Some(sets) = unless_gone(record_sets(&client, &id).await)? else {
                    return Ok(None);
                };
                Ok(Some(
                    sets.iter()
                        .map(|rr| map(rr, &id, &apex, &region))
                        .collect::<Vec<_>>(),
                ))
            }
        })
        .await?;
        Ok(KindListing {
            resources: per_zone.into_iter().flatten().collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZONE: &str = "Z1D633PJN98FT9";

    #[test]
    fn records_map_with_terraform_ids_and_apex_ns_is_a_cloud_default() {
        let rr = json!({"Name": "\\052.Example.com.", "Type": "A", "SetIdentifier": "blue",
            "Weight": "10", "TTL": "300",
            "ResourceRecords": {"ResourceRecord": [{"Value": "192.0.2.1"}, {"Value": "192.0.2.2"}]}});
        let r = map(&rr, ZONE, "example.com", "global");
        assert_eq!(r.key.id, "Z1D633PJN98FT9_*.example.com_A_blue");
        assert_eq!(r.attrs["records"], json!(["192.0.2.1", "192.0.2.2"]));
        assert_eq!(r.attrs["weighted_routing_policy"], json!([{"weight": 10}]));
        assert!(!r.cloud_default);
        let ns = json!({"Name": "example.com.", "Type": "NS", "TTL": "172800",
            "ResourceRecords": {"ResourceRecord": {"Value": "ns-1.awsdns-01.org."}}});
        let ns = map(&ns, ZONE, "example.com", "global");
        assert_eq!(ns.key.id, "Z1D633PJN98FT9_example.com_NS");
        assert!(ns.cloud_default);
    }

    #[test]
    fn false_positive_txt_quotes_and_alias_trailing_dot_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let txt = json!({"Name": "example.com.", "Type": "TXT", "TTL": "300",
            "ResourceRecords": {"ResourceRecord": {"Value": "\"v=spf1 -all\""}}});
        let live = map(&txt, ZONE, "example.com", "global");
        let state = json!({"zone_id": ZONE, "name": "example.com", "type": "TXT", "ttl": 300,
            "records": ["v=spf1 -all"], "alias": [], "set_identifier": "",
            "health_check_id": "", "weighted_routing_policy": [], "failover_routing_policy": [],
            "latency_routing_policy": [], "geolocation_routing_policy": [],
            "multivalue_answer_routing_policy": null, "allow_overwrite": null});
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["records"] = json!(["v=spf1 include:example.net -all"]);
        assert_eq!(changed_paths(&SPEC, other, &live), ["records"]);

        let alias = json!({"Name": "www.example.com.", "Type": "A",
            "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2",
                "DNSName": "d111111abcdef8.cloudfront.net.", "EvaluateTargetHealth": "false"}});
        let live = map(&alias, ZONE, "example.com", "global");
        let state = json!({"zone_id": ZONE, "name": "www.example.com", "type": "A",
            "ttl": null, "records": null,
            "alias": [{"name": "d111111abcdef8.cloudfront.net", "zone_id": "Z2FDTNDATAQYW2",
                "evaluate_target_health": false}]});
        assert_in_sync(&SPEC, state, &live);
    }
}
