//! `aws_security_group_rule`: the legacy one-rule resource. Terraform's id is `sgrule-<hash>` of
//! the rule's fields, computed at create time over every source of the resource; nothing in EC2
//! records it, and one resource with several CIDRs is several AWS rules. So rules are matched by
//! identity: group, `type`, protocol (`6` is `tcp`), ports and sources, all marked
//! [`AttrSpec::identity`]; the description is what can drift in place.
//!
//! Listed from DescribeSecurityGroups, whose permissions group the sources of one
//! (protocol, ports): each source is listed as a one-source rule, and the sources sharing a
//! description also as one rule with all of them (of one kind, and of every kind), the shapes
//! one Terraform resource with several sources takes. Every listed rule is a cloud default: a
//! rule is part of its group, whose `ingress`/`egress` `aws_security_group` already compares
//! (inline rules of a managed group are not unmanaged rules), and the grouped shapes would
//! otherwise report the same rule twice.

use super::{resource, AWS_GENERATED_TAGS};
use crate::client::{classify, opt_str};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, SecurityGroup};
use aws_sdk_ec2::Client;
use driftd_core::{AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec};
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub struct SecurityGroupRule;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_security_group_rule",
    attrs: &[
        AttrSpec::new("security_group_id", Shape::Scalar).identity(),
        AttrSpec::new("type", Shape::CaseInsensitive).identity(),
        AttrSpec::new("protocol", Shape::Protocol).identity(),
        AttrSpec::new("from_port", Shape::Number).identity(),
        AttrSpec::new("to_port", Shape::Number).identity(),
        AttrSpec::new("cidr_blocks", Shape::Set).identity(),
        AttrSpec::new("ipv6_cidr_blocks", Shape::Set).identity(),
        AttrSpec::new("prefix_list_ids", Shape::Set).identity(),
        AttrSpec::new("source_security_group_id", Shape::Scalar).identity(),
        AttrSpec::new("self", Shape::Scalar).identity(),
        AttrSpec::new("description", Shape::Scalar),
    ],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[],
};

/// One source of a permission, as the Terraform field it goes in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Source {
    Cidr(String),
    Ipv6(String),
    PrefixList(String),
    Group(String),
    SelfRef,
}

impl Source {
    fn kind(&self) -> u8 {
        match self {
            Source::Cidr(_) => 0,
            Source::Ipv6(_) => 1,
            Source::PrefixList(_) => 2,
            Source::Group(_) => 3,
            Source::SelfRef => 4,
        }
    }
}

/// The sources of one permission with their descriptions. A group of another account is
/// `account/sg-...`, as Terraform writes `source_security_group_id`.
fn sources(p: &IpPermission, own_id: &str, owner: Option<&str>) -> Vec<(Source, String)> {
    let d = |d: Option<&str>| d.unwrap_or("").to_string();
    let mut out = Vec::new();
    for r in p.ip_ranges() {
        out.extend(
            r.cidr_ip()
                .map(|c| (Source::Cidr(c.into()), d(r.description()))),
        );
    }
    for r in p.ipv6_ranges() {
        out.extend(
            r.cidr_ipv6()
                .map(|c| (Source::Ipv6(c.into()), d(r.description()))),
        );
    }
    for r in p.prefix_list_ids() {
        out.extend(
            r.prefix_list_id()
                .map(|c| (Source::PrefixList(c.into()), d(r.description()))),
        );
    }
    for r in p.user_id_group_pairs() {
        let Some(g) = r.group_id() else { continue };
        let source = if g == own_id {
            Source::SelfRef
        } else {
            match (r.user_id(), owner) {
                (Some(user), Some(owner)) if user != owner => Source::Group(format!("{user}/{g}")),
                _ => Source::Group(g.to_string()),
            }
        };
        out.push((source, d(r.description())));
    }
    out
}

/// One rule resource with `sources` (all from one permission, with one description).
fn rule(
    group_id: &str,
    direction: &str,
    p: &IpPermission,
    sources: &[&Source],
    description: &str,
    region: &str,
) -> Resource {
    let protocol = match p.ip_protocol().map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("all") | Some("-1") => "-1".to_string(),
        Some(other) => other.to_string(),
    };
    // Terraform writes 0 and 0 for all traffic, where AWS leaves the ports out.
    let (from, to) = if protocol == "-1" {
        (0, 0)
    } else {
        (p.from_port().unwrap_or(0), p.to_port().unwrap_or(0))
    };
    let list = |want: fn(&Source) -> Option<&str>| -> Value {
        Value::from(sources.iter().filter_map(|s| want(s)).collect::<Vec<_>>())
    };
    let group = sources.iter().find_map(|s| match s {
        Source::Group(g) => Some(g.as_str()),
        _ => None,
    });
    let self_ref = sources.iter().any(|s| matches!(s, Source::SelfRef));
    // An id of the listed rule's own: what it is, readable in a report.
    let mut id = format!("{group_id}_{direction}_{protocol}_{from}_{to}");
    for s in sources {
        id.push('_');
        id.push_str(match s {
            Source::Cidr(c) | Source::Ipv6(c) | Source::PrefixList(c) | Source::Group(c) => c,
            Source::SelfRef => "self",
        });
    }
    let mut r = resource(
        SPEC.resource_type,
        &id,
        region,
        json!({
            "security_group_id": group_id,
            "type": direction,
            "protocol": protocol,
            "from_port": from,
            "to_port": to,
            "cidr_blocks": list(|s| match s { Source::Cidr(c) => Some(c), _ => None }),
            "ipv6_cidr_blocks": list(|s| match s { Source::Ipv6(c) => Some(c), _ => None }),
            "prefix_list_ids": list(|s| match s { Source::PrefixList(c) => Some(c), _ => None }),
            "source_security_group_id": opt_str(group),
            "self": self_ref,
            "description": description,
        }),
    );
    r.cloud_default = true;
    r
}

/// The rule resources of one permission: each source alone, then the sources sharing a
/// description grouped (per kind, and all kinds together) where that makes a new shape. A
/// Terraform rule names at most one source group, so groups hold other sources only.
fn rules(
    group_id: &str,
    direction: &str,
    p: &IpPermission,
    own_id: &str,
    owner: Option<&str>,
    region: &str,
) -> Vec<Resource> {
    let all = sources(p, own_id, owner);
    let mut out = Vec::new();
    let mut by_description: BTreeMap<&str, Vec<&Source>> = BTreeMap::new();
    for (s, d) in &all {
        out.push(rule(group_id, direction, p, &[s], d, region));
        by_description.entry(d).or_default().push(s);
    }
    for (d, mut group) in by_description {
        group.sort();
        let kinds: Vec<u8> = group.iter().map(|s| s.kind()).collect();
        for kind in [0, 1, 2] {
            let of_kind: Vec<&Source> =
                group.iter().copied().filter(|s| s.kind() == kind).collect();
            if of_kind.len() > 1 {
                out.push(rule(group_id, direction, p, &of_kind, d, region));
            }
        }
        let groups = kinds.iter().filter(|k| **k == 3).count();
        let mut distinct = kinds.clone();
        distinct.dedup();
        if distinct.len() > 1 && groups <= 1 {
            out.push(rule(group_id, direction, p, &group, d, region));
        }
    }
    out
}

fn map(g: &SecurityGroup, region: &str) -> Vec<Resource> {
    let Some(id) = g.group_id() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (direction, perms) in [
        ("ingress", g.ip_permissions()),
        ("egress", g.ip_permissions_egress()),
    ] {
        for p in perms {
            out.extend(rules(id, direction, p, id, g.owner_id(), region));
        }
    }
    out
}

#[async_trait]
impl ResourceKind<Client> for SecurityGroupRule {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        let mut out = KindListing::default();
        let mut pages = client.describe_security_groups().into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeSecurityGroups", &e))?;
            for g in page.security_groups() {
                out.resources.extend(map(g, region));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::{IpRange, UserIdGroupPair};

    fn state(id: &str, cidrs: &[&str], extra: Value) -> driftd_core::Resource {
        let mut r = driftd_core::Resource::new("aws", SPEC.resource_type, id);
        let mut attrs = json!({
            "security_group_id": "sg-1", "type": "ingress", "protocol": "tcp",
            "from_port": 443, "to_port": 443, "cidr_blocks": cidrs, "ipv6_cidr_blocks": [],
            "prefix_list_ids": [], "source_security_group_id": null, "self": false,
            "description": "",
        });
        if let (Value::Object(a), Value::Object(e)) = (&mut attrs, extra) {
            a.extend(e);
        }
        r.attrs = serde_json::from_value(attrs).unwrap();
        r
    }

    #[test]
    fn state_rules_find_their_listed_shapes_by_identity() {
        let g = SecurityGroup::builder()
            .group_id("sg-1")
            .owner_id("111111111111")
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build())
                    .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                    .user_id_group_pairs(UserIdGroupPair::builder().group_id("sg-1").build())
                    .build(),
            )
            .ip_permissions_egress(
                IpPermission::builder()
                    .ip_protocol("-1")
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                    .build(),
            )
            .build();
        let listed = map(&g, "us-east-1");
        assert!(listed.iter().all(|r| r.cloud_default));
        let keys: Vec<_> = listed
            .iter()
            .map(|r| SPEC.identity_key(&r.attrs).unwrap())
            .collect();
        let found =
            |r: &driftd_core::Resource| keys.contains(&SPEC.identity_key(&r.attrs).unwrap());
        assert!(found(&state("sgrule-1", &["10.0.0.0/8"], json!({}))));
        assert!(found(&state(
            "sgrule-2",
            &["192.168.0.0/16", "10.0.0.0/8"],
            json!({})
        )));
        assert!(found(&state(
            "sgrule-3",
            &[],
            json!({"self": true, "protocol": "6"})
        )));
        assert!(found(&state(
            "sgrule-4",
            &["0.0.0.0/0"],
            json!({"type": "egress", "protocol": "all", "from_port": 0, "to_port": 0})
        )));
        assert!(!found(&state("sgrule-5", &["10.0.0.0/16"], json!({}))));
        assert!(!found(&state(
            "sgrule-6",
            &["10.0.0.0/8"],
            json!({"to_port": 444})
        )));
    }
}
