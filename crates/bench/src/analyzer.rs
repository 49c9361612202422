//! The analyzer's workload: comparison specs equivalent to the AWS provider's, and a state-side
//! and a live-side view of the same fleet with a known share of drift.

use crate::gen::{self, InstanceArgs, Rng, REGIONS};
use driftd_core::{
    analyze, analyze_prepared, Analysis, AnalyzeInput, AttrSpec, Prepared, PreparedInput, Resource,
    RuleLayout, RuleSource, Shape, Skipped, TypeSpec,
};
use serde_json::{json, Value};
use std::collections::BTreeSet;

static INSTANCE: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_instance",
    attrs: &[
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("ami", Shape::Scalar),
        AttrSpec::new("subnet_id", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

static RULE_BLOCK: RuleLayout = RuleLayout {
    protocol: "protocol",
    from_port: "from_port",
    to_port: "to_port",
    description: "description",
    sources: &[
        RuleSource::Cidrs("cidr_blocks"),
        RuleSource::Cidrs("ipv6_cidr_blocks"),
        RuleSource::Ids("prefix_list_ids"),
        RuleSource::Ids("security_groups"),
    ],
    self_source: "self",
};

static SECURITY_GROUP: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_security_group",
    attrs: &[
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("ingress", Shape::RuleSet(&RULE_BLOCK)),
        AttrSpec::new("egress", Shape::RuleSet(&RULE_BLOCK)),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

static EBS_VOLUME: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_ebs_volume",
    attrs: &[
        AttrSpec::new("size", Shape::Scalar),
        AttrSpec::new("type", Shape::Scalar),
        AttrSpec::new("iops", Shape::Scalar),
        AttrSpec::new("encrypted", Shape::Scalar),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

static VPC: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_vpc",
    attrs: &[
        AttrSpec::new("cidr_block", Shape::Scalar),
        AttrSpec::new("enable_dns_hostnames", Shape::Scalar),
        AttrSpec::new("enable_dns_support", Shape::Scalar),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

pub static SPECS: [&TypeSpec; 4] = [&INSTANCE, &SECURITY_GROUP, &EBS_VOLUME, &VPC];

/// Expected and live views of one fleet, plus what the analyzer must find in them.
pub struct Workload {
    pub expected: Vec<Resource>,
    pub live: Vec<Resource>,
    pub scanned: BTreeSet<(String, String, String)>,
    pub planted_changed: usize,
    pub planted_missing: usize,
    pub planted_unmanaged: usize,
}

impl Workload {
    pub fn input(&self) -> AnalyzeInput<'_> {
        AnalyzeInput {
            target: "bench",
            specs: &SPECS,
            expected: &self.expected,
            live: &self.live,
            scanned: &self.scanned,
            skipped: &[] as &[Skipped],
            include_cloud_defaults: false,
        }
    }
}

fn resource(resource_type: &str, attrs: Value, region: &str, address: String) -> Resource {
    // Generators always return objects; anything else would simply carry no attributes.
    let attrs = match attrs {
        Value::Object(attrs) => attrs,
        _ => serde_json::Map::new(),
    };
    let id = attrs
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let mut r = Resource::new("aws", resource_type, id);
    r.attrs = attrs.into_iter().collect();
    r.region = Some(region.to_string());
    r.address = Some(address);
    r.source = Some("states/prod.tfstate".to_string());
    r
}

/// The live view the AWS provider reports: only the compared attributes, tags as one map, and
/// security-group rules as AWS lists them, one source per rule without Terraform's empty fields.
fn live_view(spec: &TypeSpec, expected: &Resource) -> Resource {
    let mut live = Resource::new("aws", spec.resource_type, expected.key.id.clone());
    live.region = expected.region.clone();
    for attr in spec.attrs {
        let name = attr.state_alias.unwrap_or(attr.name);
        let Some(value) = expected.attrs.get(name) else {
            continue;
        };
        let value = match attr.shape {
            Shape::RuleSet(_) => explode_rules(value),
            _ => value.clone(),
        };
        live.attrs.insert(attr.name.to_string(), value);
    }
    live.attrs
        .insert("id".to_string(), json!(expected.key.id.clone()));
    live
}

fn explode_rules(blocks: &Value) -> Value {
    let mut out = Vec::new();
    for block in blocks.as_array().into_iter().flatten() {
        for cidr in block["cidr_blocks"].as_array().into_iter().flatten() {
            let mut rule = json!({
                "protocol": block["protocol"],
                "from_port": block["from_port"],
                "to_port": block["to_port"],
                "cidr_blocks": [cidr],
            });
            if let Some(d) = block["description"].as_str().filter(|d| !d.is_empty()) {
                rule["description"] = json!(d);
            }
            out.push(rule);
        }
    }
    Value::Array(out)
}

/// Out-of-band edits, one per changed resource, chosen like real drift: resized instances,
/// hand-added tags, an SSH rule opened to the world, a grown volume.
fn drift(live: &mut Resource, rng: &mut Rng) {
    match live.key.resource_type.as_str() {
        "aws_instance" => {
            if rng.below(2) == 0 {
                live.attrs
                    .insert("instance_type".into(), json!("m5.4xlarge"));
            } else if let Some(Value::Object(tags)) = live.attrs.get_mut("tags") {
                tags.insert("Owner".into(), json!("alice"));
            }
        }
        "aws_security_group" => {
            if let Some(Value::Array(rules)) = live.attrs.get_mut("ingress") {
                rules.push(json!({
                    "protocol": "tcp", "from_port": 22, "to_port": 22,
                    "cidr_blocks": ["0.0.0.0/0"], "description": "debug"
                }));
            }
        }
        "aws_ebs_volume" => {
            live.attrs.insert("size".into(), json!(1000));
        }
        _ => {
            live.attrs
                .insert("enable_dns_hostnames".into(), json!(false));
        }
    }
}

/// `count` expected resources (half instances, a fifth security groups, a quarter volumes, the
/// rest VPCs) and their live views: about 5% changed, 1% missing, plus 1% unmanaged extra.
pub fn workload(count: usize) -> Workload {
    let mut rng = Rng::new(0xa11a);
    let mut expected = Vec::with_capacity(count);
    let mut live = Vec::with_capacity(count + count / 100 + 1);
    let (mut changed, mut missing) = (0, 0);
    for i in 0..count as u64 {
        let region = REGIONS[(i % REGIONS.len() as u64) as usize];
        let vpc_id = gen::aws_id("vpc", i / 50);
        let sg_ids = [gen::aws_id("sg", i / 20), gen::aws_id("sg", i / 20 + 1)];
        let (spec, attrs) = match rng.below(20) {
            0..=9 => {
                let args = InstanceArgs {
                    id: &gen::aws_id("i", i),
                    region,
                    subnet_id: &gen::aws_id("subnet", i / 10),
                    security_group_ids: &sg_ids,
                    n: i,
                };
                (&INSTANCE, gen::instance(&args, &mut rng))
            }
            10..=13 => {
                let ingress = gen::ingress_rules(&mut rng);
                let sg = gen::security_group(
                    &gen::aws_id("sg", i),
                    &vpc_id,
                    region,
                    i,
                    ingress,
                    gen::egress_rules(),
                );
                (&SECURITY_GROUP, sg)
            }
            14..=18 => (
                &EBS_VOLUME,
                gen::ebs_volume(&gen::aws_id("vol", i), region, i, &mut rng),
            ),
            _ => (&VPC, gen::vpc(&gen::aws_id("vpc", i), region, i)),
        };
        let exp = resource(
            spec.resource_type,
            attrs,
            region,
            format!("module.m{}.{}.r[{}]", i / 100, spec.resource_type, i % 100),
        );
        let roll = rng.below(100);
        if roll == 0 {
            missing += 1;
        } else {
            let mut l = live_view(spec, &exp);
            if roll <= 5 {
                drift(&mut l, &mut rng);
                changed += 1;
            } else if spec.resource_type == "aws_instance" && roll <= 15 {
                // Instances launched by an auto scaling group carry tags AWS writes itself.
                if let Some(Value::Object(tags)) = l.attrs.get_mut("tags") {
                    tags.insert("aws:autoscaling:groupName".into(), json!("web-asg"));
                }
            }
            live.push(l);
        }
        expected.push(exp);
    }
    let unmanaged = count / 100;
    for i in 0..unmanaged as u64 {
        let region = REGIONS[(i % REGIONS.len() as u64) as usize];
        let args = InstanceArgs {
            id: &gen::aws_id("i", 1 << 40 | i),
            region,
            subnet_id: &gen::aws_id("subnet", i),
            security_group_ids: &[],
            n: i,
        };
        let attrs = gen::instance(&args, &mut rng);
        let exp = resource("aws_instance", attrs, region, String::new());
        live.push(live_view(&INSTANCE, &exp));
    }
    // The provider lists region by region; the analyzer must not depend on order.
    live.reverse();
    let scanned = SPECS
        .iter()
        .flat_map(|s| {
            REGIONS.iter().map(|r| {
                (
                    s.provider.to_string(),
                    s.resource_type.to_string(),
                    r.to_string(),
                )
            })
        })
        .collect();
    Workload {
        expected,
        live,
        scanned,
        planted_changed: changed,
        planted_missing: missing,
        planted_unmanaged: unmanaged,
    }
}

pub fn run(w: &Workload) -> Analysis {
    analyze(&w.input())
}

pub fn run_prepared(w: &Workload, expected: &Prepared<'_>, live: &Prepared<'_>) -> Analysis {
    analyze_prepared(&PreparedInput {
        target: "bench",
        expected,
        live,
        scanned: &w.scanned,
        skipped: &[],
        include_cloud_defaults: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::FindingKind;

    #[test]
    fn the_analyzer_finds_exactly_what_was_planted() {
        let w = workload(3_000);
        let a = run(&w);
        let count = |kind| a.findings.iter().filter(|f| f.kind == kind).count();
        assert!(w.planted_changed > 0 && w.planted_missing > 0);
        assert_eq!(count(FindingKind::Changed), w.planted_changed);
        assert_eq!(count(FindingKind::Missing), w.planted_missing);
        assert_eq!(count(FindingKind::Unmanaged), w.planted_unmanaged);
        let expected = Prepared::expected(&SPECS, &w.expected);
        let live = Prepared::live(&SPECS, &w.live);
        assert_eq!(run_prepared(&w, &expected, &live), a);
    }
}
