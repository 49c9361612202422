//! The analyzer: a pure, deterministic function from (expected, live, scan coverage) to findings.
//!
//! A resource in state is only ever reported `missing` when its type was listed completely in its
//! scope. When the scope is unknown or was skipped, the resource is counted as not scanned.
//!
//! Both sides are first prepared ([`Prepared`]): indexed by key and normalized once. Comparing
//! them is then a lookup and a digest comparison per resource; only attributes whose normalized
//! forms differ are diffed, from their raw values, into the JSON values of a report.

use crate::model::*;
use crate::prepare::{read, slot_known, Prepared, Side};
use crate::schema::TypeSpec;
use crate::tier::default_tier;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Everything the analyzer needs; nothing else is read.
pub struct AnalyzeInput<'a> {
    pub target: &'a str,
    /// Comparison specs of the supported types.
    pub specs: &'a [&'static TypeSpec],
    /// Resources as the state records them.
    pub expected: &'a [Resource],
    /// Resources as the cloud reports them.
    pub live: &'a [Resource],
    /// `(provider, resource_type, scope)` listed completely.
    pub scanned: &'a BTreeSet<(String, String, String)>,
    /// Scopes or attributes that could not be read.
    pub skipped: &'a [Skipped],
    /// Report cloud-created defaults (default VPC, ...) as unmanaged too.
    pub include_cloud_defaults: bool,
}

/// The analyzer's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// The input's skipped scopes plus any the analyzer found (state resources in scopes that were
    /// not listed at all), sorted.
    pub skipped: Vec<Skipped>,
    /// State resources that were not compared, by type and reason, sorted and merged; their
    /// counts are in `summary`.
    pub not_compared: Vec<NotCompared>,
}

impl Analysis {
    /// True when every scope holding a resource of interest was listed in full.
    pub fn complete(&self) -> bool {
        self.skipped.is_empty()
    }

    /// Adds resources that were not compared for a reason the analyzer cannot see (code that
    /// could not be evaluated, another account's resources) and counts them. A resource moved
    /// here from `managed` must be taken off `summary.managed` and `summary.compared` first.
    pub fn add_not_compared(&mut self, entries: impl IntoIterator<Item = NotCompared>) {
        self.not_compared.extend(entries);
        self.recount();
    }

    /// Merges the not-compared entries and derives the summary's counts and coverage from them.
    pub fn recount(&mut self) {
        merge_not_compared(&mut self.not_compared);
        self.summary.recount(&self.not_compared);
    }
}

/// [`AnalyzeInput`] with both sides already prepared (see [`Prepared`]), for a caller that
/// reuses the state side across scans.
pub struct PreparedInput<'a> {
    pub target: &'a str,
    /// Prepared with [`Prepared::expected`].
    pub expected: &'a Prepared<'a>,
    /// Prepared with [`Prepared::live`] and the same specs.
    pub live: &'a Prepared<'a>,
    pub scanned: &'a BTreeSet<(String, String, String)>,
    pub skipped: &'a [Skipped],
    pub include_cloud_defaults: bool,
}

/// Compares expected with live resources.
pub fn analyze(input: &AnalyzeInput<'_>) -> Analysis {
    let expected = Prepared::expected(input.specs, input.expected);
    let live = Prepared::live(input.specs, input.live);
    analyze_prepared(&PreparedInput {
        target: input.target,
        expected: &expected,
        live: &live,
        scanned: input.scanned,
        skipped: input.skipped,
        include_cloud_defaults: input.include_cloud_defaults,
    })
}

/// Compares two prepared sides; the same result as [`analyze`] on the resources they hold.
///
/// # Panics
///
/// When the sides are swapped or were prepared with different specs.
pub fn analyze_prepared(input: &PreparedInput<'_>) -> Analysis {
    let (exp_side, live_side) = (input.expected, input.live);
    assert!(
        exp_side.side() == Side::Expected && live_side.side() == Side::Live,
        "analyze_prepared: expected and live sides swapped"
    );
    assert!(
        exp_side.specs().len() == live_side.specs().len()
            && exp_side
                .specs()
                .iter()
                .zip(live_side.specs())
                .all(|(a, b)| std::ptr::eq(*a, *b)),
        "analyze_prepared: sides prepared with different specs"
    );
    let expected = exp_side.resources();
    let live = live_side.resources();

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
    let mut not_compared: Vec<NotCompared> = Vec::new();
    let mut extra_skipped: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    // Live resources whose key is in state: never unmanaged.
    let mut matched = vec![false; live.len()];

    for (i, exp) in expected.iter().enumerate() {
        let key = &exp.key;
        let Some(spec) = exp_side.spec(i) else {
            not_compared.push(NotCompared::new(
                NotComparedKind::NotSupported,
                &key.provider,
                Some(&key.resource_type),
                NotCompared::UNSUPPORTED,
            ));
            continue;
        };
        if exp_side.is_repeat(i) {
            // The same resource in two states: compare it once.
            continue;
        }
        if let Some(j) = live_side.find(exp_side, i) {
            // `j` is the last live resource with this key; none of them is unmanaged.
            let mut same_key = Some(j);
            while let Some(k) = same_key {
                matched[k] = true;
                same_key = live_side.prev(k);
            }
            summary.managed += 1;
            if exp_side.same_attrs(i, live_side, j) {
                continue;
            }
            let act = &live[j];
            let scope = act.region.as_deref().unwrap_or("");
            let changes = compare(spec, (exp_side, i), (live_side, j), |attr| {
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
            let reason = match exp.region.as_deref() {
                Some(region)
                    if skipped_scopes.contains(&(
                        key.provider.as_str(),
                        key.resource_type.as_str(),
                        region,
                    )) =>
                {
                    format!("{region} could not be listed (see the scopes not scanned)")
                }
                Some(region) => format!("{region} is not among the scopes this target lists"),
                None => "the state records no region for it, and not every region could be \
                         listed"
                    .to_string(),
            };
            not_compared.push(
                NotCompared::new(
                    NotComparedKind::NotScanned,
                    &key.provider,
                    Some(&key.resource_type),
                    reason,
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

    for (j, act) in live.iter().enumerate() {
        if matched[j] {
            continue;
        }
        if act.cloud_default && !input.include_cloud_defaults {
            continue;
        }
        let Some(spec) = live_side.spec(j) else {
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

    sort_findings(&mut findings);

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

/// Attribute-level changes between the state view and the live view of one resource whose
/// prepared attributes differ. Only attributes both views know are compared: an attribute absent
/// from state (older provider schema) or unread live is unknown, not drift. Attributes whose
/// encodings are equal have not changed; the others are diffed from their raw values, into JSON
/// values for the report.
fn compare(
    spec: &TypeSpec,
    (exp_side, i): (&Prepared<'_>, usize),
    (live_side, j): (&Prepared<'_>, usize),
    unread: impl Fn(&str) -> bool,
) -> Vec<Change> {
    let (exp, act) = (&exp_side.resources()[i], &live_side.resources()[j]);
    let mut changes = Vec::new();
    let slots = exp_side.slots(i).zip(live_side.slots(j));
    for (attr, (e_slot, a_slot)) in spec.attrs.iter().zip(slots) {
        if !slot_known(e_slot) || !slot_known(a_slot) || e_slot == a_slot || unread(attr.name) {
            continue;
        }
        let (Some(e), Some(a)) = (read(Side::Expected, attr, exp), read(Side::Live, attr, act))
        else {
            continue;
        };
        changes.extend(spec.diff_raw(attr.name, attr.shape, e, a));
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

/// A finding another engine made about `r` (Terraform's plan), fingerprinted and tiered as the
/// analyzer's own: the type's tier hints apply when driftd has a spec for it. Its changes may
/// name list members as Terraform does (`ingress[0].cidr_blocks`); the hints are looked up with
/// the analyzer's dotted form (`ingress.0.cidr_blocks`).
pub fn engine_finding(
    target: &str,
    spec: Option<&TypeSpec>,
    r: &Resource,
    kind: FindingKind,
    changes: Vec<Change>,
    engine: Engine,
) -> Finding {
    let dotted: Vec<Change> = changes
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c.path = dotted_path(&c.path);
            c
        })
        .collect();
    let mut f = finding(target, spec, r, None, kind, Vec::new());
    f.tier = default_tier(spec, kind, &dotted);
    f.changes = changes;
    f.engine = engine;
    f
}

/// `ingress[0].cidr_blocks` → `ingress.0.cidr_blocks`, `tags["a b"]` → `tags.a b`.
fn dotted_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = rest[open + 1..open + close].trim_matches('"');
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(inner);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// The report order: most severe tier first, then kind, provider, type and id. Deterministic, so
/// the same input gives byte-identical reports.
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.tier
            .cmp(&a.tier)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.provider.cmp(&b.provider))
            .then_with(|| a.resource_type.cmp(&b.resource_type))
            .then_with(|| a.resource_id.cmp(&b.resource_id))
    });
}

#[cfg(test)]
mod tests {

    #[test]
    fn terraform_paths_are_dotted_for_tier_hints() {
        assert_eq!(
            dotted_path("ingress[0].cidr_blocks"),
            "ingress.0.cidr_blocks"
        );
        assert_eq!(dotted_path("tags[\"a b\"]"), "tags.a b");
        assert_eq!(dotted_path("a[1][2].b"), "a.1.2.b");
        assert_eq!(dotted_path("plain"), "plain");
        assert_eq!(dotted_path("broken[0"), "broken[0");
    }

    use super::*;
    use crate::schema::{AttrSpec, Shape};
    use serde_json::json;

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

    fn res(id: &str, region: &str, attrs: serde_json::Value) -> Resource {
        let mut r = Resource::new("aws", "aws_instance", id);
        r.region = Some(region.into());
        r.attrs = serde_json::from_value(attrs).unwrap();
        r
    }

    fn scanned(regions: &[&str]) -> BTreeSet<(String, String, String)> {
        regions
            .iter()
            .map(|r| ("aws".into(), "aws_instance".into(), r.to_string()))
            .collect()
    }

    fn run(
        expected: &[Resource],
        live: &[Resource],
        scanned: &BTreeSet<(String, String, String)>,
        skipped: &[Skipped],
    ) -> Analysis {
        analyze(&AnalyzeInput {
            target: "t",
            specs: &[&INSTANCE],
            expected,
            live,
            scanned,
            skipped,
            include_cloud_defaults: false,
        })
    }

    #[test]
    fn in_sync_gives_no_findings() {
        let e = [res(
            "i-1",
            "us-east-1",
            json!({"instance_type": "t3.micro", "tags": {"A": "1"}, "tags_all": {"A": "1", "Env": "p"}}),
        )];
        let l = [res(
            "i-1",
            "us-east-1",
            json!({"instance_type": "t3.micro", "tags": {"A": "1", "Env": "p", "aws:x": "y"}}),
        )];
        let a = run(&e, &l, &scanned(&["us-east-1"]), &[]);
        assert!(a.findings.is_empty(), "{:?}", a.findings);
        assert_eq!(a.summary.managed, 1);
        assert_eq!(a.summary.coverage_pct, 100.0);
        assert!(a.complete());
    }

    #[test]
    fn changed_missing_unmanaged() {
        let e = [
            res("i-1", "us-east-1", json!({"instance_type": "t3.micro"})),
            res("i-2", "us-east-1", json!({"instance_type": "t3.micro"})),
        ];
        let l = [
            res("i-1", "us-east-1", json!({"instance_type": "t3.large"})),
            res("i-3", "us-east-1", json!({"instance_type": "t3.micro"})),
        ];
        let a = run(&e, &l, &scanned(&["us-east-1"]), &[]);
        let got: Vec<(&str, FindingKind, Tier)> = a
            .findings
            .iter()
            .map(|f| (f.resource_id.as_str(), f.kind, f.tier))
            .collect();
        assert_eq!(
            got,
            vec![
                ("i-2", FindingKind::Missing, Tier::Critical),
                ("i-1", FindingKind::Changed, Tier::Warning),
                ("i-3", FindingKind::Unmanaged, Tier::Warning),
            ]
        );
        assert_eq!(a.findings[1].changes[0].expected, json!("t3.micro"));
        assert_eq!(a.findings[1].changes[0].actual, json!("t3.large"));
        assert_eq!(a.summary.resources, 3);
        assert_eq!(a.summary.managed, 2);
        // The unmanaged resource was compared too (and is drift): all three were.
        assert_eq!(a.summary.compared, 3);
        assert_eq!(a.summary.coverage_pct, 100.0);
    }

    #[test]
    fn what_was_not_compared_is_counted_by_type_and_reason_never_in_sync() {
        let mut db = Resource::new("aws", "aws_db_instance", "db-1");
        db.region = Some("us-east-1".into());
        let e = [
            res("i-1", "us-east-1", json!({"instance_type": "t3.micro"})),
            db.clone(),
            Resource {
                key: ResourceKey {
                    id: "db-2".into(),
                    ..db.key.clone()
                },
                ..db
            },
            res("i-2", "eu-west-1", json!({"instance_type": "t3.micro"})),
        ];
        let l = [res(
            "i-1",
            "us-east-1",
            json!({"instance_type": "t3.micro"}),
        )];
        let a = run(&e, &l, &scanned(&["us-east-1"]), &[]);
        assert!(a.findings.is_empty());
        let s = &a.summary;
        assert_eq!((s.compared, s.not_supported, s.not_scanned), (1, 2, 1));
        assert_eq!((s.not_compared, s.total), (3, 4));
        assert_eq!(s.coverage_pct, 25.0);
        let got: Vec<(NotComparedKind, Option<&str>, Option<&str>, usize)> = a
            .not_compared
            .iter()
            .map(|e| {
                (
                    e.category,
                    e.resource_type.as_deref(),
                    e.scope.as_deref(),
                    e.count,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    NotComparedKind::NotScanned,
                    Some("aws_instance"),
                    Some("eu-west-1"),
                    1
                ),
                (
                    NotComparedKind::NotSupported,
                    Some("aws_db_instance"),
                    None,
                    2
                ),
            ]
        );
        assert!(a.not_compared[0].reason.contains("eu-west-1"));

        // Only uncompared types: nothing compared, 0%, never 100%.
        let only = [e[1].clone(), e[2].clone()];
        let a = run(&only, &[], &scanned(&["us-east-1"]), &[]);
        assert_eq!((a.summary.compared, a.summary.total), (0, 2));
        assert_eq!(a.summary.coverage_pct, 0.0);
    }

    #[test]
    fn coverage_is_rounded_down() {
        assert_eq!(coverage_pct(1999, 2000), 99.9);
        assert_eq!(coverage_pct(2, 3), 66.6);
        assert_eq!(coverage_pct(0, 0), 100.0);
        assert_eq!(coverage_pct(5, 5), 100.0);
    }

    #[test]
    fn skipped_scope_is_never_missing() {
        let e = [res(
            "i-1",
            "eu-west-1",
            json!({"instance_type": "t3.micro"}),
        )];
        let skipped = [Skipped {
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            scope: "eu-west-1".into(),
            attribute: None,
            reason: "access denied".into(),
        }];
        let a = run(&e, &[], &scanned(&["us-east-1"]), &skipped);
        assert!(a.findings.is_empty());
        assert_eq!(a.summary.not_scanned, 1);
        assert!(!a.complete());
        assert_eq!(a.skipped, skipped.to_vec());
    }

    #[test]
    fn unknown_region_is_missing_only_when_every_scope_was_listed() {
        let mut e = res("i-1", "x", json!({}));
        e.region = None;
        let all_ok = run(std::slice::from_ref(&e), &[], &scanned(&["us-east-1"]), &[]);
        assert_eq!(all_ok.findings[0].kind, FindingKind::Missing);
        let skipped = [Skipped {
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            scope: "eu-west-1".into(),
            attribute: None,
            reason: "timeout".into(),
        }];
        let partial = run(&[e], &[], &scanned(&["us-east-1"]), &skipped);
        assert!(partial.findings.is_empty());
    }

    #[test]
    fn region_outside_the_target_is_reported_as_skipped() {
        let e = [res("i-1", "ap-south-1", json!({}))];
        let a = run(&e, &[], &scanned(&["us-east-1"]), &[]);
        assert!(a.findings.is_empty());
        assert_eq!(a.skipped.len(), 1);
        assert_eq!(a.skipped[0].scope, "ap-south-1");
        assert!(a.skipped[0]
            .reason
            .contains("add it to the target's regions"));
    }

    #[test]
    fn unread_attribute_is_not_compared() {
        let e = [res(
            "i-1",
            "us-east-1",
            json!({"instance_type": "t3.micro"}),
        )];
        let l = [res(
            "i-1",
            "us-east-1",
            json!({"instance_type": "t3.large"}),
        )];
        let skipped = [Skipped {
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            scope: "us-east-1".into(),
            attribute: Some("instance_type".into()),
            reason: "access denied".into(),
        }];
        let a = run(&e, &l, &scanned(&["us-east-1"]), &skipped);
        assert!(a.findings.is_empty());
    }

    #[test]
    fn defaults_are_not_unmanaged_unless_asked() {
        let mut d = res("i-9", "us-east-1", json!({}));
        d.cloud_default = true;
        let a = run(&[], std::slice::from_ref(&d), &scanned(&["us-east-1"]), &[]);
        assert!(a.findings.is_empty());
    }

    #[test]
    fn output_is_deterministic_and_fingerprints_stable() {
        let l: Vec<Resource> = (0..50)
            .rev()
            .map(|i| res(&format!("i-{i:03}"), "us-east-1", json!({})))
            .collect();
        let a = run(&[], &l, &scanned(&["us-east-1"]), &[]);
        let ids: Vec<&str> = a.findings.iter().map(|f| f.resource_id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        let key = ResourceKey {
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            id: "i-000".into(),
        };
        assert_eq!(
            a.findings[0].fingerprint,
            fingerprint("t", &key, FindingKind::Unmanaged)
        );
        assert_ne!(
            fingerprint("t", &key, FindingKind::Unmanaged),
            fingerprint("u", &key, FindingKind::Unmanaged)
        );
        assert_eq!(a.findings[0].fingerprint.len(), 32);
    }
}
