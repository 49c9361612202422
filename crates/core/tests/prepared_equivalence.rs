//! The prepared analyzer against the analyzer as first written (every compared attribute
//! normalized into JSON and diffed, keys hashed as strings), on randomized inputs: the same
//! findings in the same order, the same summary, the same skipped scopes, the same resources not
//! compared (by category, type and scope; the reasons' wording is the analyzer's).

use driftd_core::schema::diff_attr;
use driftd_core::tier::default_tier;
use driftd_core::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

// The reference: `analyze` before preparation existed, through the public API.

fn reference(input: &AnalyzeInput<'_>) -> Analysis {
    let specs: HashMap<(&str, &str), &TypeSpec> = input
        .specs
        .iter()
        .map(|s| ((s.provider, s.resource_type), *s))
        .collect();
    let live: HashMap<&ResourceKey, &Resource> = input.live.iter().map(|r| (&r.key, r)).collect();

    // Scopes attempted per (provider, type): listed or skipped.
    let mut attempted: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
    for (p, t, _) in input.scanned {
        attempted.entry((p.as_str(), t.as_str())).or_default().0 += 1;
    }
    let mut skipped_scopes: HashSet<(&str, &str, &str)> = HashSet::new();
    for s in input.skipped.iter().filter(|s| s.attribute.is_none()) {
        attempted
            .entry((s.provider.as_str(), s.resource_type.as_str()))
            .or_default()
            .1 += 1;
        skipped_scopes.insert((&s.provider, &s.resource_type, &s.scope));
    }
    let unread: HashSet<(&str, &str, &str, &str)> = input
        .skipped
        .iter()
        .filter_map(|s| {
            s.attribute.as_deref().map(|a| {
                (
                    s.provider.as_str(),
                    s.resource_type.as_str(),
                    s.scope.as_str(),
                    a,
                )
            })
        })
        .collect();

    let mut findings = Vec::new();
    let mut summary = Summary::default();
    let mut not_compared = Vec::new();
    let mut extra_skipped: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    let mut seen_expected: HashSet<&ResourceKey> = HashSet::with_capacity(input.expected.len());

    for exp in input.expected {
        let key = &exp.key;
        let Some(spec) = specs.get(&(key.provider.as_str(), key.resource_type.as_str())) else {
            not_compared.push(NotCompared::new(
                NotComparedKind::NotSupported,
                &key.provider,
                Some(&key.resource_type),
                "",
            ));
            continue;
        };
        if !seen_expected.insert(key) {
            // The same resource in two states: compare it once.
            continue;
        }
        if let Some(act) = live.get(key) {
            summary.managed += 1;
            let scope = act.region.as_deref().unwrap_or("");
            let changes = compare(spec, exp, act, |attr| {
                unread.contains(&(&key.provider, &key.resource_type, scope, attr))
            });
            if !changes.is_empty() {
                findings.push(finding(
                    input.target,
                    Some(spec),
                    exp,
                    Some(act),
                    FindingKind::Changed,
                    changes,
                ));
            }
            continue;
        }
        let provable = match exp.region.as_deref() {
            Some(region) => input.scanned.contains(&(
                key.provider.clone(),
                key.resource_type.clone(),
                region.to_string(),
            )),
            // Unknown region: only a complete listing of every scope proves absence.
            None => attempted
                .get(&(key.provider.as_str(), key.resource_type.as_str()))
                .is_some_and(|(ok, failed)| *ok > 0 && *failed == 0),
        };
        if provable {
            summary.managed += 1;
            findings.push(finding(
                input.target,
                Some(spec),
                exp,
                None,
                FindingKind::Missing,
                Vec::new(),
            ));
        } else {
            not_compared.push(
                NotCompared::new(
                    NotComparedKind::NotScanned,
                    &key.provider,
                    Some(&key.resource_type),
                    "",
                )
                .with_scope(exp.region.as_deref()),
            );
            if let Some(region) = exp.region.as_deref() {
                let skipped = skipped_scopes.contains(&(
                    key.provider.as_str(),
                    key.resource_type.as_str(),
                    region,
                ));
                if !skipped {
                    *extra_skipped
                        .entry((
                            key.provider.clone(),
                            key.resource_type.clone(),
                            region.to_string(),
                        ))
                        .or_default() += 1;
                }
            }
        }
    }

    for act in input.live {
        if seen_expected.contains(&act.key) {
            continue;
        }
        if act.cloud_default && !input.include_cloud_defaults {
            continue;
        }
        let Some(spec) = specs.get(&(act.key.provider.as_str(), act.key.resource_type.as_str()))
        else {
            continue;
        };
        findings.push(finding(
            input.target,
            Some(spec),
            act,
            Some(act),
            FindingKind::Unmanaged,
            Vec::new(),
        ));
    }

    for f in &findings {
        *summary.count_mut(f.kind) += 1;
    }
    summary.compared = summary.managed + summary.unmanaged;

    findings.sort_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.provider.cmp(&b.provider))
            .then_with(|| a.resource_type.cmp(&b.resource_type))
            .then_with(|| a.resource_id.cmp(&b.resource_id))
    });

    let mut skipped: Vec<Skipped> = input.skipped.to_vec();
    for ((provider, resource_type, scope), count) in extra_skipped {
        skipped.push(Skipped {
            provider,
            resource_type,
            scope: scope.clone(),
            attribute: None,
            reason: format!(
                "{count} resource(s) in state are in {scope}, which this target does not scan; \
                 add it to the target's regions"
            ),
        });
    }
    skipped.sort();
    skipped.dedup();

    let mut analysis = Analysis {
        findings,
        summary,
        skipped,
        not_compared,
    };
    analysis.recount();
    analysis
}

/// The analysis with the wording of its not-compared reasons left out.
fn comparable(mut a: Analysis) -> Analysis {
    for e in &mut a.not_compared {
        e.reason.clear();
    }
    a.recount();
    a
}

/// Attribute-level changes between the state view and the live view of one resource. Only
/// attributes both views know are compared: an attribute absent from state (older provider
/// schema) or unread live is unknown, not drift.
fn compare(
    spec: &TypeSpec,
    exp: &Resource,
    act: &Resource,
    unread: impl Fn(&str) -> bool,
) -> Vec<Change> {
    let mut changes = Vec::new();
    for attr in spec.attrs {
        let state_value = attr
            .state_alias
            .and_then(|alias| exp.attrs.get(alias).filter(|v| !v.is_null()))
            .or_else(|| exp.attrs.get(attr.name));
        let (Some(e), Some(a)) = (state_value, act.attrs.get(attr.name)) else {
            continue;
        };
        if e == a || unread(attr.name) {
            continue;
        }
        let e = spec.normalize(attr.shape, e);
        let a = spec.normalize(attr.shape, a);
        changes.extend(diff_attr(attr.name, attr.shape, e.as_ref(), a.as_ref()));
    }
    changes
}

fn finding(
    target: &str,
    spec: Option<&TypeSpec>,
    base: &Resource,
    live: Option<&Resource>,
    kind: FindingKind,
    changes: Vec<Change>,
) -> Finding {
    let key = &base.key;
    Finding {
        engine: Default::default(),
        fingerprint: fingerprint(target, key, kind),
        kind,
        tier: default_tier(spec, kind, &changes),
        provider: key.provider.clone(),
        resource_type: key.resource_type.clone(),
        resource_id: key.id.clone(),
        address: base.address.clone(),
        region: base
            .region
            .clone()
            .or_else(|| live.and_then(|l| l.region.clone())),
        source: base.source.clone(),
        changes,
        policy: None,
    }
}

// Randomized inputs, drawn from small pools so that equal keys, equal values and equivalent
// spellings come up often.

static INSTANCE: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_instance",
    attrs: &[
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

/// A second spec of the same type, later in the list: it is the one used.
static INSTANCE_V2: TypeSpec = TypeSpec {
    provider: "aws",
    resource_type: "aws_instance",
    attrs: &[
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("key_name", Shape::Scalar),
        AttrSpec::new("vpc_security_group_ids", Shape::Set),
    ],
    generated_tag_prefixes: &["aws:", "kubernetes.io/"],
    not_compared: &[],
};

/// The rule blocks of an AWS security group, which `rule_block` and `regrouped` write.
const RULES: RuleLayout = RuleLayout {
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
        AttrSpec::new("ingress", Shape::RuleSet(&RULES)),
        AttrSpec::new("egress", Shape::RuleSet(&RULES)),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
    ],
    generated_tag_prefixes: &["aws:"],
    not_compared: &[],
};

/// Same type name, another provider: a different type.
static OTHER_CLOUD: TypeSpec = TypeSpec {
    provider: "gcp",
    resource_type: "aws_instance",
    attrs: &[AttrSpec::new("size", Shape::Scalar)],
    generated_tag_prefixes: &[],
    not_compared: &[],
};

/// The shapes Google Cloud instances use: keys-only maps, links and block counts.
static GOOGLE_INSTANCE: TypeSpec = TypeSpec {
    provider: "google",
    resource_type: "google_compute_instance",
    attrs: &[
        AttrSpec::new("metadata", Shape::Keys),
        AttrSpec::new("network", Shape::Link),
        AttrSpec::new("access_config", Shape::Count),
        AttrSpec::new("can_ip_forward", Shape::Switch),
        AttrSpec::new("tags", Shape::Tags),
    ],
    generated_tag_prefixes: &["goog-"],
    not_compared: &[],
};

static SPECS: [&TypeSpec; 5] = [
    &INSTANCE,
    &SECURITY_GROUP,
    &INSTANCE_V2,
    &OTHER_CLOUD,
    &GOOGLE_INSTANCE,
];

/// The last one has no spec.
const TYPES: [(&str, &str); 5] = [
    ("aws", "aws_instance"),
    ("aws", "aws_security_group"),
    ("gcp", "aws_instance"),
    ("google", "google_compute_instance"),
    ("aws", "aws_lambda_function"),
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-south-1"];
const ATTRS: [(&str, Shape); 13] = [
    ("metadata", Shape::Keys),
    ("can_ip_forward", Shape::Switch),
    ("network", Shape::Link),
    ("access_config", Shape::Count),
    ("instance_type", Shape::Scalar),
    ("key_name", Shape::Scalar),
    ("size", Shape::Scalar),
    ("description", Shape::Scalar),
    ("vpc_security_group_ids", Shape::Set),
    ("tags", Shape::Tags),
    ("tags_all", Shape::Tags),
    ("ingress", Shape::RuleSet(&RULES)),
    ("egress", Shape::RuleSet(&RULES)),
];

/// xorshift64: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn scalar(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!(null),
        json!(""),
        json!("t3.micro"),
        json!("t3.large"),
        json!("1"),
        json!(1),
        json!(1.0),
        json!(true),
        json!(["x"]),
    ])
}

fn rule_block(rng: &mut Rng) -> Value {
    let sources = [
        json!("10.0.0.0/8"),
        json!("0.0.0.0/0"),
        json!("::/0"),
        json!(""),
    ];
    let mut b = Map::new();
    let protocol = [
        json!("tcp"),
        json!("6"),
        json!("-1"),
        json!("all"),
        json!(17),
    ];
    b.insert("protocol".into(), rng.pick(&protocol));
    let ports = [json!(22), json!("22"), json!(443), json!(0)];
    b.insert("from_port".into(), rng.pick(&ports));
    b.insert("to_port".into(), rng.pick(&ports));
    let field = rng.pick(&["cidr_blocks", "ipv6_cidr_blocks", "security_groups"]);
    let n = rng.below(3);
    let items = (0..n).map(|_| rng.pick(&sources)).collect();
    b.insert(field.into(), Value::Array(items));
    if rng.chance(3) {
        let description = [json!(""), json!("ssh"), json!("web")];
        b.insert("description".into(), rng.pick(&description));
    }
    if rng.chance(5) {
        b.insert("self".into(), json!(true));
    }
    Value::Object(b)
}

fn value(shape: Shape, rng: &mut Rng) -> Value {
    if rng.chance(12) {
        return scalar(rng);
    }
    match shape {
        Shape::Scalar => scalar(rng),
        Shape::Set => {
            let pool = [
                json!("sg-1"),
                json!("sg-2"),
                json!(""),
                json!(null),
                json!(3),
            ];
            Value::Array((0..rng.below(4)).map(|_| rng.pick(&pool)).collect())
        }
        Shape::Tags => {
            let keys = ["Name", "Env", "aws:asg", "kubernetes.io/x", "Team"];
            let values = [json!("a"), json!("b"), json!(""), json!(null), json!(2)];
            let mut m = Map::new();
            for _ in 0..rng.below(4) {
                m.insert(rng.pick(&keys).to_string(), rng.pick(&values));
            }
            Value::Object(m)
        }
        Shape::RuleSet(_) => Value::Array((0..rng.below(4)).map(|_| rule_block(rng)).collect()),
        // A map (state) or a list of keys (live), some generated.
        Shape::Keys => {
            let keys = ["ssh-keys", "enable-oslogin", "goog-ops", ""];
            if rng.chance(2) {
                let values = [json!("secret"), json!(""), json!(null)];
                let mut m = Map::new();
                for _ in 0..rng.below(4) {
                    m.insert(rng.pick(&keys).to_string(), rng.pick(&values));
                }
                Value::Object(m)
            } else {
                Value::Array((0..rng.below(4)).map(|_| json!(rng.pick(&keys))).collect())
            }
        }
        Shape::Link => rng.pick(&[
            json!("https://www.googleapis.com/compute/v1/projects/p/global/networks/main"),
            json!("projects/p/global/networks/main"),
            json!("main"),
            json!("main/"),
            json!("default"),
            json!(""),
        ]),
        Shape::Switch => rng.pick(&[
            json!(true),
            json!(false),
            json!("true"),
            json!("FALSE"),
            json!(null),
            json!(""),
        ]),
        Shape::Count => {
            let blocks = [json!({}), json!({"nat_ip": "34.1.2.3"}), json!(null)];
            Value::Array((0..rng.below(3)).map(|_| rng.pick(&blocks)).collect())
        }
        // The canonicalized scalar shapes: scalars, as they are compared.
        _ => scalar(rng),
    }
}

/// The same rules, one block per source, in another order.
fn regrouped(rules: &Value, rng: &mut Rng) -> Value {
    let mut out = Vec::new();
    for block in rules.as_array().into_iter().flatten() {
        let Value::Object(fields) = block else {
            out.push(block.clone());
            continue;
        };
        let mut common = fields.clone();
        let sources = ["cidr_blocks", "ipv6_cidr_blocks", "security_groups"];
        common.retain(|k, _| !sources.contains(&k.as_str()));
        for key in sources {
            for s in fields
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let mut one = common.clone();
                one.insert(key.to_string(), json!([s]));
                out.push(Value::Object(one));
            }
        }
        if common.get("self") == Some(&json!(true)) {
            out.push(Value::Object(common));
        }
    }
    rng.shuffle(&mut out);
    Value::Array(out)
}

fn resource(rng: &mut Rng) -> Resource {
    let (provider, resource_type) = rng.pick(&TYPES);
    let id = format!("id-{}", rng.below(40));
    let mut r = Resource::new(provider, resource_type, id);
    r.region = (!rng.chance(6)).then(|| rng.pick(&REGIONS).to_string());
    r.address = rng
        .chance(2)
        .then(|| format!("{resource_type}.r{}", rng.below(5)));
    r.source = rng.chance(2).then(|| "prod.tfstate".to_string());
    r.cloud_default = rng.chance(8);
    for (name, shape) in ATTRS {
        if !rng.chance(3) {
            r.attrs.insert(name.to_string(), value(shape, rng));
        }
    }
    r
}

/// What the cloud might report for `r`: mostly the same, in the cloud's own shapes, sometimes
/// changed.
fn live_view(r: &Resource, rng: &mut Rng) -> Resource {
    let mut l = r.clone();
    l.address = None;
    l.source = None;
    if let Some(tags_all) = l.attrs.remove("tags_all") {
        if !rng.chance(4) {
            l.attrs.insert("tags".into(), tags_all);
        }
    }
    for (name, shape) in ATTRS {
        match rng.below(12) {
            0 => {
                l.attrs.remove(name);
            }
            1 => {
                l.attrs.insert(name.to_string(), value(shape, rng));
            }
            2..=5 if matches!(shape, Shape::RuleSet(_)) => {
                if let Some(rules) = l.attrs.get_mut(name) {
                    *rules = regrouped(rules, rng);
                }
            }
            _ => {}
        }
    }
    if rng.chance(10) {
        l.region = Some(rng.pick(&REGIONS).to_string());
    }
    l.cloud_default = rng.chance(5);
    l
}

struct Case {
    expected: Vec<Resource>,
    live: Vec<Resource>,
    scanned: BTreeSet<(String, String, String)>,
    skipped: Vec<Skipped>,
    include_cloud_defaults: bool,
}

fn case(rng: &mut Rng) -> Case {
    let expected: Vec<Resource> = (0..rng.below(60)).map(|_| resource(rng)).collect();
    let mut live = Vec::new();
    for r in &expected {
        if !rng.chance(5) {
            live.push(live_view(r, rng));
        }
    }
    live.extend((0..rng.below(10)).map(|_| resource(rng)));
    rng.shuffle(&mut live);
    let mut scanned = BTreeSet::new();
    let mut skipped = Vec::new();
    for (provider, resource_type) in TYPES {
        for region in REGIONS {
            let skip = |attribute: Option<String>, reason: &str| Skipped {
                provider: provider.into(),
                resource_type: resource_type.into(),
                scope: region.into(),
                attribute,
                reason: reason.into(),
            };
            let scope = (provider.into(), resource_type.into(), region.into());
            match rng.below(6) {
                0 => skipped.push(skip(None, "access denied")),
                1 => {
                    scanned.insert(scope);
                    let attribute = rng.pick(&ATTRS).0.to_string();
                    skipped.push(skip(Some(attribute), "throttled"));
                }
                2 => {}
                _ => {
                    scanned.insert(scope);
                }
            }
        }
    }
    Case {
        expected,
        live,
        scanned,
        skipped,
        include_cloud_defaults: rng.chance(3),
    }
}

#[test]
fn prepared_analysis_matches_the_reference_on_random_inputs() {
    let mut rng = Rng(0xa11a_5eed);
    let (mut changed, mut in_sync, mut missing, mut unmanaged) = (0, 0, 0, 0);
    for _ in 0..3_000 {
        let c = case(&mut rng);
        let input = AnalyzeInput {
            target: "t",
            specs: &SPECS,
            expected: &c.expected,
            live: &c.live,
            scanned: &c.scanned,
            skipped: &c.skipped,
            include_cloud_defaults: c.include_cloud_defaults,
        };
        let want = reference(&input);
        assert_eq!(comparable(analyze(&input)), want);

        let expected = Prepared::expected(&SPECS, &c.expected);
        let live = Prepared::live(&SPECS, &c.live);
        let got = analyze_prepared(&PreparedInput {
            target: "t",
            expected: &expected,
            live: &live,
            scanned: &c.scanned,
            skipped: &c.skipped,
            include_cloud_defaults: c.include_cloud_defaults,
        });
        assert_eq!(comparable(got), want);

        changed += want.summary.changed;
        in_sync += want.summary.managed - want.summary.changed - want.summary.missing;
        missing += want.summary.missing;
        unmanaged += want.summary.unmanaged;
    }
    // Every outcome came up, many times.
    for (what, n) in [
        ("changed", changed),
        ("in sync", in_sync),
        ("missing", missing),
        ("unmanaged", unmanaged),
    ] {
        assert!(n > 1_000, "only {n} {what}");
    }
}

#[test]
#[should_panic(expected = "different specs")]
fn sides_prepared_with_different_specs_are_refused() {
    let expected = Prepared::expected(&SPECS, &[]);
    let live = Prepared::live(&SPECS[..2], &[]);
    analyze_prepared(&PreparedInput {
        target: "t",
        expected: &expected,
        live: &live,
        scanned: &BTreeSet::new(),
        skipped: &[],
        include_cloud_defaults: false,
    });
}
