//! The analyzer's workload: comparison specs equivalent to the AWS provider's, a state-side and a
//! live-side view of the same fleet with a known share of drift, and a breakdown of where
//! `analyze` spends its time, measured by replaying its steps through the public API (the
//! analyzer itself is not instrumented).

use crate::gen::{self, InstanceArgs, Rng, REGIONS};
use crate::whatif;
use driftd_core::{
    analyze, fingerprint, Analysis, AnalyzeInput, AttrSpec, FindingKind, Resource, ResourceKey,
    Shape, Skipped, TypeSpec,
};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

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
};

static SECURITY_GROUP: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_security_group",
    attrs: &[
        AttrSpec::new("description", Shape::Scalar),
        AttrSpec::new("ingress", Shape::RuleSet),
        AttrSpec::new("egress", Shape::RuleSet),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
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
            Shape::RuleSet => explode_rules(value),
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

/// The workload with each expected resource's attributes cut down to the compared ones (and
/// their state aliases), as a caller that knows the specs could do right after reading state.
pub fn pruned(w: &Workload) -> Workload {
    let keep: HashMap<&str, Vec<&str>> = SPECS
        .iter()
        .map(|s| {
            let names = s
                .attrs
                .iter()
                .flat_map(|a| [Some(a.name), a.state_alias])
                .flatten()
                .collect();
            (s.resource_type, names)
        })
        .collect();
    let expected = w
        .expected
        .iter()
        .map(|r| {
            let names = keep.get(r.key.resource_type.as_str());
            let mut p = r.clone();
            p.attrs = r
                .attrs
                .iter()
                .filter(|(k, _)| names.is_some_and(|n| n.contains(&k.as_str())))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            p
        })
        .collect();
    Workload {
        expected,
        live: w.live.clone(),
        scanned: w.scanned.clone(),
        planted_changed: w.planted_changed,
        planted_missing: w.planted_missing,
        planted_unmanaged: w.planted_unmanaged,
    }
}

pub fn run(w: &Workload) -> Analysis {
    analyze(&w.input())
}

/// Time spent per step of `analyze`, replayed outside it through the same public functions.
pub struct Breakdown {
    /// Building the live index and looking every expected key up (SipHash over three strings).
    pub key_index: Duration,
    /// Reading spec attributes and comparing raw values for equality (the fast path).
    pub raw_compare: Duration,
    /// Normalizing both sides of attributes whose raw values differ, per shape.
    pub normalize: Vec<(Shape, usize, Duration)>,
    /// Fingerprinting findings (SHA-256).
    pub fingerprints: Duration,
    /// The key index step again with [`whatif::FxBuild`] instead of SipHash.
    pub key_index_fx: Duration,
    /// [`whatif::rules_equal`] over the RuleSet pairs, and on how many of them it agreed with
    /// comparing normalized values.
    pub rules_equal: Duration,
    pub rules_agree: (usize, usize),
}

pub fn breakdown(w: &Workload, findings: usize) -> Breakdown {
    let specs: HashMap<&str, &TypeSpec> = SPECS.iter().map(|s| (s.resource_type, *s)).collect();

    let start = Instant::now();
    let live: HashMap<&ResourceKey, &Resource> = w.live.iter().map(|r| (&r.key, r)).collect();
    let mut seen: HashSet<&ResourceKey> = HashSet::with_capacity(w.expected.len());
    let mut pairs = Vec::with_capacity(w.expected.len());
    for exp in &w.expected {
        if seen.insert(&exp.key) {
            if let Some(act) = live.get(&exp.key) {
                pairs.push((exp, *act));
            }
        }
    }
    let unmatched = w.live.iter().filter(|r| !seen.contains(&r.key)).count();
    let key_index = start.elapsed();
    std::hint::black_box(unmatched);

    let start = Instant::now();
    let mut unequal: Vec<(&TypeSpec, Shape, &Value, &Value)> = Vec::new();
    for (exp, act) in &pairs {
        let Some(spec) = specs.get(exp.key.resource_type.as_str()) else {
            continue;
        };
        for attr in spec.attrs {
            let state_value = attr
                .state_alias
                .and_then(|alias| exp.attrs.get(alias).filter(|v| !v.is_null()))
                .or_else(|| exp.attrs.get(attr.name));
            let (Some(e), Some(a)) = (state_value, act.attrs.get(attr.name)) else {
                continue;
            };
            if e != a {
                unequal.push((spec, attr.shape, e, a));
            }
        }
    }
    let raw_compare = start.elapsed();

    let mut normalize = Vec::new();
    for shape in [Shape::Scalar, Shape::Set, Shape::Tags, Shape::RuleSet] {
        let of_shape: Vec<_> = unequal.iter().filter(|u| u.1 == shape).collect();
        let start = Instant::now();
        for (spec, shape, e, a) in &of_shape {
            std::hint::black_box((spec.normalize(*shape, e), spec.normalize(*shape, a)));
        }
        normalize.push((shape, of_shape.len(), start.elapsed()));
    }

    let start = Instant::now();
    let fx_live: HashMap<&ResourceKey, &Resource, whatif::FxBuild> =
        w.live.iter().map(|r| (&r.key, r)).collect();
    let mut fx_seen: HashSet<&ResourceKey, whatif::FxBuild> =
        HashSet::with_capacity_and_hasher(w.expected.len(), whatif::FxBuild::default());
    let mut fx_pairs = 0;
    for exp in &w.expected {
        if fx_seen.insert(&exp.key) && fx_live.contains_key(&exp.key) {
            fx_pairs += 1;
        }
    }
    let fx_unmatched = w.live.iter().filter(|r| !fx_seen.contains(&r.key)).count();
    let key_index_fx = start.elapsed();
    std::hint::black_box((fx_pairs, fx_unmatched));

    let rule_pairs: Vec<_> = unequal.iter().filter(|u| u.1 == Shape::RuleSet).collect();
    let start = Instant::now();
    let fast: Vec<bool> = rule_pairs
        .iter()
        .map(|(_, _, e, a)| whatif::rules_equal(e, a))
        .collect();
    let rules_equal = start.elapsed();
    let agree = rule_pairs
        .iter()
        .zip(&fast)
        .filter(|((spec, shape, e, a), fast)| {
            (spec.normalize(*shape, e) == spec.normalize(*shape, a)) == **fast
        })
        .count();

    let start = Instant::now();
    for exp in w.expected.iter().take(findings) {
        std::hint::black_box(fingerprint("bench", &exp.key, FindingKind::Changed));
    }
    let fingerprints = start.elapsed();

    Breakdown {
        key_index,
        raw_compare,
        normalize,
        fingerprints,
        key_index_fx,
        rules_equal,
        rules_agree: (agree, rule_pairs.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_analyzer_finds_exactly_what_was_planted() {
        let w = workload(3_000);
        let a = run(&w);
        let count = |kind| a.findings.iter().filter(|f| f.kind == kind).count();
        assert!(w.planted_changed > 0 && w.planted_missing > 0);
        assert_eq!(count(FindingKind::Changed), w.planted_changed);
        assert_eq!(count(FindingKind::Missing), w.planted_missing);
        assert_eq!(count(FindingKind::Unmanaged), w.planted_unmanaged);
        assert_eq!(run(&pruned(&w)).findings, a.findings);
    }
}
