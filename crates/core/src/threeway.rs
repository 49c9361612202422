//! Three-way classification: code vs state vs live.
//!
//! The analyzer compares state (what was applied) with live (what exists). When a target also
//! reads its Terraform code, this module adds what only the code knows:
//!
//! - a change the code makes that was not applied yet (code differs from state, live matches
//!   state) is `pending`, not drift;
//! - a resource the code declares that state does not record is `pending` creation, never
//!   `missing`; a resource state records that the code no longer declares is `pending`
//!   destruction;
//! - every change of a `changed` finding says where its expected value came from: `state` (the
//!   code leaves the value unknown until apply, or does not set it), `both` (code and state
//!   agree), and carries the code's value when the code wants yet another one;
//! - an out-of-band change that made live what the code asks for is not drift: a plan would show
//!   nothing to do;
//! - `lifecycle { ignore_changes }` drops the changes Terraform itself would not act on;
//! - without any state, code is matched to live resources by an identity attribute (a `Name`
//!   tag by default), and compared on what the code sets;
//! - a state resource under code that could not be evaluated (a `count` known only after apply,
//!   a module not on disk) with no drift is "not evaluated", never in sync: whether a plan
//!   would change it is unknown. Drift found on it (live differs from state) is still reported.
//!
//! Code values are compared with state as Terraform would plan them: only the attributes the code
//! sets, and inside nested blocks only the keys it sets (a block's computed and defaulted keys
//! are in state, not in code), after the type's normalization.

use crate::analyze::sort_findings;
use crate::ignore::{IgnoreScope, IgnoredFinding, RuleRef};
use crate::model::*;
use crate::schema::{on_attr, AttrSpec, Shape, TypeSpec};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One resource instance as the code declares it.
#[derive(Debug, Clone, PartialEq)]
pub struct Intent {
    /// Terraform address, as state writes it.
    pub address: String,
    pub provider: String,
    pub resource_type: String,
    /// Region of the instance's provider configuration, when known from the code.
    pub region: Option<String>,
    /// Attributes whose value the code determines.
    pub attrs: Attrs,
    /// Attributes the code sets to something known only after apply (or not evaluable here),
    /// with the reason.
    pub unknown: BTreeMap<String, String>,
    /// `lifecycle { ignore_changes }` paths; `all` ignores every attribute.
    pub ignore_changes: Vec<String>,
    /// `file:line` of the resource block.
    pub source: String,
}

impl Intent {
    /// Whether `lifecycle { ignore_changes }` covers a change path. Terraform writes an index as
    /// `boot_disk[0]` and a map key as `tags["Name"]`, change paths as `boot_disk.0` and
    /// `tags.Name`: both are read in the dotted form.
    fn ignores(&self, path: &str) -> bool {
        self.ignore_changes.iter().any(|i| {
            let i = dotted(i);
            i == "all" || on_attr(path, &i)
        })
    }
}

/// A Terraform traversal (`a[0].b["k"]`) in dotted form (`a.0.b.k`).
fn dotted(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '[' => out.push('.'),
            ']' | '"' => {}
            c => out.push(c),
        }
    }
    out
}

/// What the code side of a target contributes.
#[derive(Debug, Clone, Default)]
pub struct CodeSide {
    pub intents: Vec<Intent>,
    /// Module calls and resource blocks the code could not read in full (a module not on disk,
    /// a `count` not known from code): state resources under them are never called pending
    /// destruction, and are counted as not evaluated.
    pub unread: Vec<Unevaluated>,
}

/// A module call or resource block whose instances the code alone cannot tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Unevaluated {
    /// `module.net`, `module.net.aws_subnet.this`: an address prefix of its instances.
    pub address: String,
    /// The resource type of a resource block; `None` for a module call.
    pub resource_type: Option<String>,
    /// Why, in words a person can act on.
    pub reason: String,
    /// `file:line` of the block.
    pub source: String,
}

impl Unevaluated {
    /// Whether `address` is this block's or one of its instances'.
    fn holds(&self, address: &str) -> bool {
        address
            .strip_prefix(self.address.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    }
}

impl CodeSide {
    /// The innermost unread block holding `address`, with its index.
    fn unread_at(&self, address: &str) -> Option<(usize, &Unevaluated)> {
        self.unread
            .iter()
            .enumerate()
            .filter(|(_, u)| u.holds(address))
            .max_by_key(|(_, u)| u.address.len())
    }

    fn covers(&self, address: &str) -> bool {
        self.unread_at(address).is_none()
    }
}

/// How a code resource was matched to a live one when there is no state.
#[derive(Debug, Clone, PartialEq)]
pub enum IdentityMatch {
    /// One live resource has the identity value: compared with the code.
    Matched(Resource),
    /// The code sets no (known) identity value: cannot be matched.
    NoIdentity,
    /// No live resource has it: the code was not applied (pending creation).
    NotFound,
    /// Several live resources have it: ambiguous, not compared; the ids are listed.
    Ambiguous(Vec<String>),
}

/// Without state: matches each intent to the live resource of its type whose `identity`
/// attribute path (`tags.Name`) has the same value, and returns it as an expected resource keyed
/// by the live id, holding only the code's known attributes. Compared by the analyzer, that gives
/// out-of-band changes on exactly what the code sets.
pub fn match_by_identity(
    intents: &[Intent],
    live: &[Resource],
    identity: &str,
) -> Vec<IdentityMatch> {
    let mut index: HashMap<(&str, &str, String), Vec<&Resource>> = HashMap::new();
    for r in live {
        if let Some(v) = attr_at(&r.attrs, identity).and_then(identity_text) {
            index
                .entry((r.key.provider.as_str(), r.key.resource_type.as_str(), v))
                .or_default()
                .push(r);
        }
    }
    intents
        .iter()
        .map(|intent| {
            let Some(v) = attr_at(&intent.attrs, identity).and_then(identity_text) else {
                return IdentityMatch::NoIdentity;
            };
            let key = (intent.provider.as_str(), intent.resource_type.as_str(), v);
            match index.get(&key).map(Vec::as_slice) {
                None | Some([]) => IdentityMatch::NotFound,
                Some([one]) => IdentityMatch::Matched(Resource {
                    key: one.key.clone(),
                    address: Some(intent.address.clone()),
                    region: one.region.clone().or_else(|| intent.region.clone()),
                    source: Some(intent.source.clone()),
                    cloud_default: false,
                    attrs: intent.attrs.clone(),
                }),
                Some(many) => {
                    IdentityMatch::Ambiguous(many.iter().map(|r| r.key.id.clone()).collect())
                }
            }
        })
        .collect()
}

fn identity_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Everything [`apply`] reads.
pub struct ThreeWayInput<'a> {
    pub target: &'a str,
    pub specs: &'a [&'static TypeSpec],
    pub code: &'a CodeSide,
    /// State resources (the analyzer's expected side).
    pub state: &'a [Resource],
    pub live: &'a [Resource],
    /// Whether any state was read. Without it, `state` holds the resources
    /// [`match_by_identity`] matched, whose expected values all come from the code.
    pub has_state: bool,
    /// Addresses of intents that could be neither matched nor called unapplied (no identity
    /// value, or several live resources with it): not reported.
    pub unmatched: &'a BTreeSet<String>,
}

/// What [`apply`] did, for logs and `explain`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreeWayOutcome {
    /// Changes dropped because live already has the code's value.
    pub converged: usize,
    /// Changes dropped by `ignore_changes`, per finding, as the report's `ignored` list records
    /// what ignore rules drop (so `driftd explain` can say why).
    pub lifecycle_ignored: Vec<IgnoredFinding>,
    /// What the code could not evaluate: state resources under it without drift (already
    /// taken off `summary.managed` and `summary.compared`), and one entry per unread block with
    /// nothing in state. For [`crate::Analysis::add_not_compared`].
    pub not_evaluated: Vec<NotCompared>,
}

/// Refines the analyzer's findings with the code (see the module doc). `findings` and `summary`
/// are updated in place and the findings re-sorted.
pub fn apply(
    input: &ThreeWayInput<'_>,
    findings: &mut Vec<Finding>,
    summary: &mut Summary,
) -> ThreeWayOutcome {
    let mut outcome = ThreeWayOutcome::default();
    let spec_of = |provider: &str, ty: &str| {
        input
            .specs
            .iter()
            .rev()
            .find(|s| s.provider == provider && s.resource_type == ty)
            .copied()
    };
    let intents: HashMap<&str, &Intent> = input
        .code
        .intents
        .iter()
        .map(|i| (i.address.as_str(), i))
        .collect();
    let state_by_address: HashMap<&str, &Resource> = input
        .state
        .iter()
        .filter_map(|r| r.address.as_deref().map(|a| (a, r)))
        .collect();
    let live_by_key: HashMap<&ResourceKey, &Resource> =
        input.live.iter().map(|r| (&r.key, r)).collect();

    // Out-of-band changes: where each expected value came from; drop what the code already
    // has live, and what lifecycle ignores.
    for f in findings.iter_mut() {
        if f.kind != FindingKind::Changed {
            continue;
        }
        let Some(intent) = f.address.as_deref().and_then(|a| intents.get(a)) else {
            continue;
        };
        let key = ResourceKey {
            provider: f.provider.clone(),
            resource_type: f.resource_type.clone(),
            id: f.resource_id.clone(),
        };
        let spec = spec_of(&f.provider, &f.resource_type);
        let live = live_by_key.get(&key).copied();
        let identity_only = !input.has_state;
        let mut dropped = Vec::new();
        f.changes.retain_mut(|c| {
            if intent.ignores(&c.path) {
                dropped.push(c.clone());
                return false;
            }
            if identity_only {
                c.expected_from = Some(ExpectedFrom::Code);
                return true;
            }
            let attr = spec.and_then(|s| s.attr_of(&c.path));
            let code_value = attr.and_then(|a| code_value(intent, a));
            let (Some(spec), Some(attr), Some(code_value)) = (spec, attr, code_value) else {
                c.expected_from = Some(ExpectedFrom::State);
                return true;
            };
            let state_value = state_by_address
                .get(intent.address.as_str())
                .and_then(|r| attr_at(&r.attrs, attr.name));
            if code_agrees(spec, attr, code_value, state_value) {
                c.expected_from = Some(ExpectedFrom::Both);
                return true;
            }
            if code_agrees(
                spec,
                attr,
                code_value,
                live.and_then(|l| attr_at(&l.attrs, attr.name)),
            ) {
                outcome.converged += 1;
                return false;
            }
            c.expected_from = Some(ExpectedFrom::State);
            c.code = Some(shown(spec, attr, code_value));
            true
        });
        if !dropped.is_empty() {
            summary.ignored.changes += dropped.len();
            if f.changes.is_empty() {
                summary.ignored.findings += 1;
            }
            outcome.lifecycle_ignored.push(IgnoredFinding {
                finding: Finding {
                    changes: dropped,
                    ..f.clone()
                },
                scope: IgnoreScope::Changes,
                rule: RuleRef {
                    source: intent.source.clone(),
                    rule: format!(
                        "lifecycle {{ ignore_changes = [{}] }}",
                        intent.ignore_changes.join(", ")
                    ),
                    reason: Some("the code tells Terraform to leave these attributes alone".into()),
                    owner: None,
                    expires: None,
                },
            });
        }
    }
    let before = findings.len();
    findings.retain(|f| f.kind != FindingKind::Changed || !f.changes.is_empty());
    summary.changed -= before - findings.len();

    // Unapplied code changes on resources live still has as state records them.
    let mut pending = Vec::new();
    let drifted: HashMap<&str, &Finding> = findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Changed | FindingKind::Missing))
        .filter_map(|f| f.address.as_deref().map(|a| (a, f)))
        .collect();
    for intent in &input.code.intents {
        let Some(spec) = spec_of(&intent.provider, &intent.resource_type) else {
            continue;
        };
        match state_by_address.get(intent.address.as_str()) {
            Some(state) => {
                let found = drifted.get(intent.address.as_str());
                if found.is_some_and(|f| f.kind == FindingKind::Missing) {
                    continue;
                }
                // Only resources the scan saw: a resource in an unscanned scope stays
                // unknown.
                let Some(live) = live_by_key.get(&state.key) else {
                    continue;
                };
                let mut changes = Vec::new();
                for attr in spec.attrs {
                    let Some(code_value) = code_value(intent, attr) else {
                        continue;
                    };
                    if intent.ignores(attr.name) {
                        continue;
                    }
                    let drifted_here = found
                        .is_some_and(|f| f.changes.iter().any(|c| on_attr(&c.path, attr.name)));
                    let state_value = attr_at(&state.attrs, attr.name);
                    let actual = attr_at(&live.attrs, attr.name).or(state_value);
                    // Pending means live is still as applied; live already as the code
                    // wants is nothing to do.
                    if drifted_here
                        || code_agrees(spec, attr, code_value, state_value)
                        || code_agrees(spec, attr, code_value, actual)
                    {
                        continue;
                    }
                    changes.push(Change {
                        path: attr.name.to_string(),
                        op: match actual.and_then(|v| spec.normalize(attr.shape, v)) {
                            None => ChangeOp::Add,
                            Some(_) if spec.normalize(attr.shape, code_value).is_none() => {
                                ChangeOp::Remove
                            }
                            Some(_) => ChangeOp::Replace,
                        },
                        expected: shown(spec, attr, code_value),
                        actual: actual.map_or(Value::Null, |v| shown(spec, attr, v)),
                        expected_from: Some(ExpectedFrom::Code),
                        code: None,
                    });
                }
                if !changes.is_empty() {
                    pending.push(pending_finding(input.target, state, changes));
                }
            }
            None if !input.unmatched.contains(&intent.address) => {
                // Declared, never applied.
                let mut r = Resource::new(&intent.provider, &intent.resource_type, &intent.address);
                r.address = Some(intent.address.clone());
                r.region = intent.region.clone();
                r.source = Some(intent.source.clone());
                pending.push(pending_finding(input.target, &r, Vec::new()));
            }
            None => {}
        }
    }
    // Applied, no longer declared: the next apply destroys it.
    if !input.code.intents.is_empty() {
        for state in input.state {
            let Some(address) = state.address.as_deref() else {
                continue;
            };
            if intents.contains_key(address)
                || !input.code.covers(address)
                || spec_of(&state.key.provider, &state.key.resource_type).is_none()
                || !live_by_key.contains_key(&state.key)
            {
                continue;
            }
            pending.push(pending_finding(input.target, state, Vec::new()));
        }
    }
    summary.pending += pending.len();
    findings.extend(pending);
    sort_findings(findings);
    outcome.not_evaluated = not_evaluated(input, findings, summary, &live_by_key);
    outcome
}

/// The not-evaluated side of the code (see [`ThreeWayOutcome::not_evaluated`]).
fn not_evaluated(
    input: &ThreeWayInput<'_>,
    findings: &[Finding],
    summary: &mut Summary,
    live_by_key: &HashMap<&ResourceKey, &Resource>,
) -> Vec<NotCompared> {
    let unread = &input.code.unread;
    if unread.is_empty() {
        return Vec::new();
    }
    let spec_of = |provider: &str, ty: &str| {
        input
            .specs
            .iter()
            .rev()
            .find(|s| s.provider == provider && s.resource_type == ty)
            .copied()
    };
    let drifted: BTreeSet<(&str, &str, &str)> = findings
        .iter()
        .filter(|f| matches!(f.kind, FindingKind::Changed | FindingKind::Missing))
        .map(|f| {
            (
                f.provider.as_str(),
                f.resource_type.as_str(),
                f.resource_id.as_str(),
            )
        })
        .collect();
    // Types matched by identity attributes rather than by id: what live holds, by identity.
    let mut live_identities: HashMap<(&str, &str), BTreeSet<Vec<u8>>> = HashMap::new();
    for r in input.live {
        if let Some(id) = spec_of(&r.key.provider, &r.key.resource_type)
            .and_then(|spec| spec.identity_key(&r.attrs))
        {
            live_identities
                .entry((&r.key.provider, &r.key.resource_type))
                .or_default()
                .insert(id);
        }
    }
    let found_live = |r: &Resource, spec: &TypeSpec| {
        live_by_key.contains_key(&r.key)
            || spec.identity_key(&r.attrs).is_some_and(|id| {
                live_identities
                    .get(&(r.key.provider.as_str(), r.key.resource_type.as_str()))
                    .is_some_and(|ids| ids.contains(&id))
            })
    };
    let mut out = Vec::new();
    let mut with_state = vec![false; unread.len()];
    let mut counted: BTreeSet<&ResourceKey> = BTreeSet::new();
    for r in input.state {
        let Some(address) = r.address.as_deref() else {
            continue;
        };
        let Some((i, u)) = input.code.unread_at(address) else {
            continue;
        };
        with_state[i] = true;
        // Compared and found drifted, or not compared for another reason (not scanned, type
        // not supported): counted there.
        let Some(spec) = spec_of(&r.key.provider, &r.key.resource_type) else {
            continue;
        };
        let key = (
            r.key.provider.as_str(),
            r.key.resource_type.as_str(),
            r.key.id.as_str(),
        );
        if drifted.contains(&key) || !found_live(r, spec) || !counted.insert(&r.key) {
            continue;
        }
        summary.managed = summary.managed.saturating_sub(1);
        summary.compared = summary.compared.saturating_sub(1);
        out.push(
            NotCompared::new(
                NotComparedKind::NotEvaluated,
                &r.key.provider,
                Some(&r.key.resource_type),
                u.reason.clone(),
            )
            .at(Some(&u.address), Some(&u.source)),
        );
    }
    // A block with nothing in state still stands for at least one resource nobody compared.
    let target_provider = input.specs.first().map(|s| s.provider).unwrap_or("");
    for (u, _) in unread.iter().zip(with_state).filter(|(_, seen)| !seen) {
        let provider = u
            .resource_type
            .as_deref()
            .and_then(|t| input.specs.iter().find(|s| s.resource_type == t))
            .map_or(target_provider, |s| s.provider);
        out.push(
            NotCompared::new(
                NotComparedKind::NotEvaluated,
                provider,
                u.resource_type.as_deref(),
                u.reason.clone(),
            )
            .at(Some(&u.address), Some(&u.source)),
        );
    }
    out
}

/// Pending creation and destruction are told apart by their changes: none, and the resource id
/// is the address (creation: nothing exists yet) or a cloud id (destruction).
fn pending_finding(target: &str, r: &Resource, changes: Vec<Change>) -> Finding {
    Finding {
        engine: Default::default(),
        fingerprint: fingerprint(target, &r.key, FindingKind::Pending),
        kind: FindingKind::Pending,
        tier: Tier::Info,
        provider: r.key.provider.clone(),
        resource_type: r.key.resource_type.clone(),
        resource_id: r.key.id.clone(),
        address: r.address.clone(),
        region: r.region.clone(),
        source: r.source.clone(),
        changes,
        policy: None,
    }
}

/// The code's value of a compared attribute, unless the provider resolves it on apply.
fn code_value<'i>(intent: &'i Intent, attr: &AttrSpec) -> Option<&'i Value> {
    if attr.resolved {
        return None;
    }
    attr_at(&intent.attrs, attr.name)
}

/// A value as a finding shows it: a map compared by its keys only ([`Shape::Keys`]) is shown
/// by its keys, so that its values (secrets) are never copied out.
fn shown(spec: &TypeSpec, attr: &AttrSpec, v: &Value) -> Value {
    match attr.shape {
        Shape::Keys => spec.normalize(attr.shape, v).unwrap_or(Value::Null),
        _ => v.clone(),
    }
}

/// Whether the code's value of one attribute is what `other` (state or live) holds, as a plan
/// would see it: normalized by the type's rules, and for nested blocks only on the keys the code
/// sets.
pub fn code_agrees(spec: &TypeSpec, attr: &AttrSpec, code: &Value, other: Option<&Value>) -> bool {
    let other = other.unwrap_or(&Value::Null);
    match attr.shape {
        Shape::Scalar if code.is_array() || code.is_object() => subset_eq(code, other),
        shape => spec.normalize(shape, code) == spec.normalize(shape, other),
    }
}

/// `code` ⊆ `other`: every key the code sets has the same value in `other`; a key the code sets
/// to nothing matches a key `other` leaves out. Lists of blocks match element by element in any
/// order (blocks of a set), each code block with a distinct block of `other`.
fn subset_eq(code: &Value, other: &Value) -> bool {
    match (code, other) {
        (Value::Object(c), Value::Object(o)) => c.iter().all(|(k, cv)| match o.get(k) {
            Some(ov) => subset_eq(cv, ov),
            None => is_empty(cv),
        }),
        (Value::Array(c), Value::Array(o)) => {
            if c.len() != o.len() {
                return false;
            }
            if c.iter().zip(o).all(|(a, b)| subset_eq(a, b)) {
                return true;
            }
            let mut used = vec![false; o.len()];
            c.iter().all(|cv| {
                let hit = o
                    .iter()
                    .enumerate()
                    .find(|(i, ov)| !used[*i] && subset_eq(cv, ov));
                hit.map(|(i, _)| used[i] = true).is_some()
            })
        }
        (c, o) if is_empty(c) && is_empty(o) => true,
        (Value::Number(c), Value::String(o)) | (Value::String(o), Value::Number(c)) => {
            o.parse::<f64>().ok() == c.as_f64()
        }
        (Value::Bool(c), Value::String(o)) | (Value::String(o), Value::Bool(c)) => {
            o == if *c { "true" } else { "false" }
        }
        (c, o) => c == o,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{analyze, AnalyzeInput};
    use serde_json::json;

    static ATTRS: [AttrSpec; 6] = [
        AttrSpec::new("instance_type", Shape::Scalar),
        AttrSpec::new("tags", Shape::Tags).with_state_alias("tags_all"),
        AttrSpec::new("root_block_device", Shape::Scalar),
        // Nested paths and the shapes they take on Google Cloud instances.
        AttrSpec::new("boot_disk.0.initialize_params.0.image", Shape::Link).resolved(),
        AttrSpec::new("service_account.0.email", Shape::Scalar),
        AttrSpec::new("metadata", Shape::Keys),
    ];
    static SPEC: TypeSpec = TypeSpec {
        provider: "aws",
        resource_type: "aws_instance",
        attrs: &ATTRS,
        generated_tag_prefixes: &["aws:"],
        not_compared: &[],
    };

    fn res(id: &str, address: Option<&str>, attrs: Value) -> Resource {
        let mut r = Resource::new("aws", "aws_instance", id);
        r.address = address.map(str::to_string);
        r.region = Some("us-east-1".into());
        r.attrs = serde_json::from_value(attrs).unwrap();
        r
    }

    fn intent(address: &str, attrs: Value) -> Intent {
        Intent {
            address: address.into(),
            provider: "aws".into(),
            resource_type: "aws_instance".into(),
            region: Some("us-east-1".into()),
            attrs: serde_json::from_value(attrs).unwrap(),
            unknown: BTreeMap::new(),
            ignore_changes: Vec::new(),
            source: "main.tf:1".into(),
        }
    }

    /// Runs the analyzer on state vs live, then the three-way pass with `code`.
    fn run(code: &CodeSide, state: &[Resource], live: &[Resource]) -> (Vec<Finding>, Summary) {
        let (a, _) = run_full(code, state, live);
        (a.findings, a.summary)
    }

    /// [`run`], keeping the whole analysis and the three-way pass's outcome.
    fn run_full(
        code: &CodeSide,
        state: &[Resource],
        live: &[Resource],
    ) -> (crate::Analysis, ThreeWayOutcome) {
        let specs = [&SPEC];
        let scanned = BTreeSet::from([(
            "aws".to_string(),
            "aws_instance".to_string(),
            "us-east-1".to_string(),
        )]);
        let mut a = analyze(&AnalyzeInput {
            target: "t",
            specs: &specs,
            expected: state,
            live,
            scanned: &scanned,
            skipped: &[],
            include_cloud_defaults: false,
        });
        let outcome = apply(
            &ThreeWayInput {
                target: "t",
                specs: &specs,
                code,
                state,
                live,
                has_state: true,
                unmatched: &BTreeSet::new(),
            },
            &mut a.findings,
            &mut a.summary,
        );
        (a, outcome)
    }

    /// A `t3.micro` instance recorded in state at `address`.
    fn micro(id: &str, address: &str) -> Resource {
        res(id, Some(address), json!({"instance_type": "t3.micro"}))
    }

    /// What the cloud lists for `state` when nothing changed out of band.
    fn live_as_state(state: &[Resource]) -> Vec<Resource> {
        state
            .iter()
            .map(|r| res(&r.key.id, None, json!({"instance_type": "t3.micro"})))
            .collect()
    }

    fn code(intents: Vec<Intent>) -> CodeSide {
        CodeSide {
            intents,
            unread: Vec::new(),
        }
    }

    const IMAGE_V2: &str =
        "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-v2";

    #[test]
    fn nested_paths_go_through_the_three_way_pass() {
        let state = [res(
            "vm-1",
            Some("google_compute_instance.web"),
            json!({"boot_disk": [{"initialize_params": [{"image": IMAGE_V2}]}],
                   "service_account": [{"email": "a@p.iam"}],
                   "metadata": {"ssh-keys": "alice:ssh-ed25519 SECRET"}}),
        )];
        let live = [res(
            "vm-1",
            None,
            json!({"boot_disk": [{"initialize_params": [{"image": IMAGE_V2}]}],
                   "service_account": [{"email": "b@p.iam"}],
                   "metadata": ["ssh-keys", "serial-port-enable"]}),
        )];
        // The code names the image by its family, which state resolved: neither drift nor
        // pending. Its metadata and service account agree with state.
        let c = code(vec![intent(
            "google_compute_instance.web",
            json!({"boot_disk": [{"initialize_params": [{"image": "debian-cloud/debian-12"}]}],
                   "service_account": [{"email": "a@p.iam"}],
                   "metadata": {"ssh-keys": "alice:ssh-ed25519 SECRET"}}),
        )]);
        let (f, s) = run(&c, &state, &live);
        assert_eq!((s.changed, s.pending), (1, 0), "{f:?}");
        let changes: Vec<(&str, ChangeOp, Option<ExpectedFrom>)> = f[0]
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.op, c.expected_from))
            .collect();
        assert_eq!(
            changes,
            vec![
                (
                    "service_account.0.email",
                    ChangeOp::Replace,
                    Some(ExpectedFrom::Both)
                ),
                (
                    "metadata.serial-port-enable",
                    ChangeOp::Add,
                    Some(ExpectedFrom::Both)
                ),
            ]
        );
        // Metadata values are never copied into a finding.
        let text = serde_json::to_string(&f).unwrap();
        assert!(!text.contains("SECRET"), "{text}");

        // `ignore_changes` in Terraform's index syntax covers the dotted change path.
        let mut ignoring = c.intents[0].clone();
        ignoring.ignore_changes = vec!["service_account[0].email".into()];
        let (f, s) = run(&code(vec![ignoring]), &state, &live);
        assert_eq!(s.changed, 1);
        assert_eq!(f[0].changes.len(), 1, "{f:?}");
        assert_eq!(f[0].changes[0].path, "metadata.serial-port-enable");
    }

    #[test]
    fn a_missing_block_is_absent_but_an_unrecorded_resolved_value_is_unknown() {
        // State made the instance from a disk it did not initialize, and gave it no service
        // account; live has an image on that disk and a service account added out of band.
        let state = [res(
            "vm-1",
            Some("google_compute_instance.web"),
            json!({"boot_disk": [{"initialize_params": []}], "service_account": []}),
        )];
        let live = [res(
            "vm-1",
            None,
            json!({"boot_disk": [{"initialize_params": [{"image": IMAGE_V2}]}],
                   "service_account": [{"email": "b@p.iam"}]}),
        )];
        let (f, _) = run(&code(vec![]), &state, &live);
        assert_eq!(f.len(), 1, "{f:?}");
        let paths: Vec<&str> = f[0].changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec!["service_account.0.email"]);
        assert_eq!(f[0].changes[0].op, ChangeOp::Add);
    }

    #[test]
    fn a_pending_change_to_metadata_shows_keys_only() {
        let state = [res(
            "vm-1",
            Some("google_compute_instance.web"),
            json!({"metadata": {"enable-oslogin": "TRUE"}}),
        )];
        let live = [res("vm-1", None, json!({"metadata": ["enable-oslogin"]}))];
        let c = code(vec![intent(
            "google_compute_instance.web",
            json!({"metadata": {"enable-oslogin": "TRUE", "ssh-keys": "bob:SECRET"}}),
        )]);
        let (f, s) = run(&c, &state, &live);
        assert_eq!(s.pending, 1, "{f:?}");
        let ch = &f[0].changes[0];
        assert_eq!(ch.path, "metadata");
        assert_eq!(
            ch.expected,
            json!({"enable-oslogin": true, "ssh-keys": true})
        );
        assert!(!serde_json::to_string(&f).unwrap().contains("SECRET"));
    }

    #[test]
    fn unapplied_code_change_is_pending_not_drift() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro"}),
        )];
        let live = [res("i-1", None, json!({"instance_type": "t3.micro"}))];
        let c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.small"}),
        )]);
        let (f, s) = run(&c, &state, &live);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::Pending);
        assert_eq!(f[0].tier, Tier::Info);
        assert_eq!(f[0].resource_id, "i-1");
        let ch = &f[0].changes[0];
        assert_eq!(
            (ch.path.as_str(), &ch.expected, &ch.actual),
            ("instance_type", &json!("t3.small"), &json!("t3.micro"))
        );
        assert_eq!(ch.expected_from, Some(ExpectedFrom::Code));
        assert_eq!((s.pending, s.changed), (1, 0));
    }

    #[test]
    fn out_of_band_change_says_where_the_expected_value_came_from() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro", "tags": {"Env": "prod"}}),
        )];
        let live = [res(
            "i-1",
            None,
            json!({"instance_type": "t3.large", "tags": {"Env": "dev"}}),
        )];
        // Code agrees with state on the type and leaves tags to something unknown.
        let c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.micro"}),
        )]);
        let (f, _) = run(&c, &state, &live);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].kind, FindingKind::Changed);
        let from: BTreeMap<&str, Option<ExpectedFrom>> = f[0]
            .changes
            .iter()
            .map(|c| (c.path.as_str(), c.expected_from))
            .collect();
        assert_eq!(from["instance_type"], Some(ExpectedFrom::Both));
        assert_eq!(from["tags.Env"], Some(ExpectedFrom::State));
    }

    #[test]
    fn code_wanting_a_third_value_is_shown_beside_the_drift() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro"}),
        )];
        let live = [res("i-1", None, json!({"instance_type": "t3.large"}))];
        let c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.small"}),
        )]);
        let (f, s) = run(&c, &state, &live);
        assert_eq!(
            f.len(),
            1,
            "drift, and no separate pending for the same attribute: {f:?}"
        );
        let ch = &f[0].changes[0];
        assert_eq!(f[0].kind, FindingKind::Changed);
        assert_eq!(ch.expected, json!("t3.micro"));
        assert_eq!(ch.expected_from, Some(ExpectedFrom::State));
        assert_eq!(ch.code, Some(json!("t3.small")));
        assert_eq!((s.changed, s.pending), (1, 0));
    }

    #[test]
    fn live_already_as_the_code_wants_is_not_drift() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro"}),
        )];
        let live = [res("i-1", None, json!({"instance_type": "t3.small"}))];
        let c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.small"}),
        )]);
        let (f, s) = run(&c, &state, &live);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(s.changed, 0);
    }

    #[test]
    fn declared_but_not_applied_is_pending_creation_not_missing() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro"}),
        )];
        let live = [res("i-1", None, json!({"instance_type": "t3.micro"}))];
        let c = code(vec![
            intent("aws_instance.web", json!({"instance_type": "t3.micro"})),
            intent(
                "aws_instance.new[\"a\"]",
                json!({"instance_type": "t3.micro"}),
            ),
        ]);
        let (f, s) = run(&c, &state, &live);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].kind, FindingKind::Pending);
        assert_eq!(f[0].resource_id, "aws_instance.new[\"a\"]");
        assert!(f[0].changes.is_empty());
        assert_eq!((s.pending, s.missing), (1, 0));
    }

    #[test]
    fn applied_but_no_longer_declared_is_pending_destruction_unless_the_code_was_not_read() {
        let state = [
            micro("i-1", "aws_instance.web"),
            micro("i-2", "aws_instance.old"),
            micro("i-3", "module.remote.aws_instance.x"),
            micro("i-4", "aws_instance.counted[0]"),
        ];
        let live = live_as_state(&state);
        let mut c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.micro"}),
        )]);
        c.unread = vec![
            unevaluated("module.remote", None, "the module's source is not on disk"),
            unevaluated(
                "aws_instance.counted",
                Some("aws_instance"),
                "`count` is known only after apply",
            ),
        ];
        let (f, _) = run(&c, &state, &live);
        let ids: Vec<&str> = f.iter().map(|f| f.resource_id.as_str()).collect();
        assert_eq!(ids, ["i-2"], "{f:?}");
        assert_eq!(f[0].kind, FindingKind::Pending);
    }

    fn unevaluated(address: &str, ty: Option<&str>, reason: &str) -> Unevaluated {
        Unevaluated {
            address: address.into(),
            resource_type: ty.map(str::to_string),
            reason: reason.into(),
            source: "main.tf:9".into(),
        }
    }

    #[test]
    fn state_under_code_not_evaluated_is_neither_in_sync_nor_hidden_drift() {
        let state = [
            micro("i-1", "aws_instance.web"),
            micro("i-2", "module.remote.aws_instance.x"),
            micro("i-3", "aws_instance.counted[0]"),
            micro("i-4", "aws_instance.counted[1]"),
        ];
        // i-4 was resized out of band: drift, whatever the code would say.
        let mut live = live_as_state(&state);
        live[3]
            .attrs
            .insert("instance_type".into(), json!("t3.large"));
        let mut c = code(vec![intent(
            "aws_instance.web",
            json!({"instance_type": "t3.micro"}),
        )]);
        c.unread = vec![
            unevaluated("module.remote", None, "source not on disk"),
            unevaluated(
                "aws_instance.counted",
                Some("aws_instance"),
                "count unknown",
            ),
            unevaluated("module.empty", None, "source not on disk"),
        ];
        let (mut a, outcome) = run_full(&c, &state, &live);
        a.add_not_compared(outcome.not_evaluated);
        let kinds: Vec<(&str, FindingKind)> = a
            .findings
            .iter()
            .map(|f| (f.resource_id.as_str(), f.kind))
            .collect();
        assert_eq!(kinds, [("i-4", FindingKind::Changed)]);
        let s = &a.summary;
        // i-1 (in sync) and i-4 (drift) compared; i-2, i-3 and module.empty not evaluated.
        assert_eq!((s.managed, s.compared, s.not_evaluated), (2, 2, 3));
        assert_eq!((s.total, s.coverage_pct), (5, 40.0));
        let got: Vec<(&str, Option<&str>, usize)> = a
            .not_compared
            .iter()
            .map(|e| {
                (
                    e.address.as_deref().unwrap(),
                    e.resource_type.as_deref(),
                    e.count,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("module.empty", None, 1),
                ("aws_instance.counted", Some("aws_instance"), 1),
                ("module.remote", Some("aws_instance"), 1),
            ]
        );
        assert!(a
            .not_compared
            .iter()
            .all(|e| e.category == NotComparedKind::NotEvaluated && e.source.is_some()));
    }

    #[test]
    fn lifecycle_ignore_changes_drops_drift_and_pending_on_those_paths() {
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"instance_type": "t3.micro", "tags": {"Env": "prod"}}),
        )];
        let live = [res(
            "i-1",
            None,
            json!({"instance_type": "t3.micro", "tags": {"Env": "dev"}}),
        )];
        let mut i = intent(
            "aws_instance.web",
            json!({"instance_type": "t3.small", "tags": {"Env": "prod"}}),
        );
        i.ignore_changes = vec!["tags".into(), "instance_type".into()];
        let (f, _) = run(&code(vec![i.clone()]), &state, &live);
        assert!(f.is_empty(), "{f:?}");
        i.ignore_changes = vec!["all".into()];
        assert!(run(&code(vec![i.clone()]), &state, &live).0.is_empty());
        i.ignore_changes = vec!["tags.Other".into()];
        let (f, _) = run(&code(vec![i]), &state, &live);
        assert_eq!(f.len(), 2, "a rule on another key ignores nothing: {f:?}");
    }

    #[test]
    fn nested_blocks_compare_only_the_keys_the_code_sets() {
        let device = json!([{"volume_size": 20, "volume_type": "gp3", "iops": 3000, "encrypted": false, "tags": {}}]);
        let state = [res(
            "i-1",
            Some("aws_instance.web"),
            json!({"root_block_device": device}),
        )];
        let live = [res("i-1", None, json!({"root_block_device": device}))];
        let same = intent(
            "aws_instance.web",
            json!({"root_block_device": [{"volume_size": 20, "tags": null}]}),
        );
        assert!(run(&code(vec![same]), &state, &live).0.is_empty());
        let bigger = intent(
            "aws_instance.web",
            json!({"root_block_device": [{"volume_size": "30"}]}),
        );
        let (f, _) = run(&code(vec![bigger]), &state, &live);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].changes[0].path, "root_block_device");
    }

    #[test]
    fn blocks_of_a_set_match_in_any_order() {
        let c = json!([{"port": 443}, {"port": 80}]);
        let o = json!([{"port": 80, "desc": ""}, {"port": 443, "desc": "x"}]);
        assert!(subset_eq(&c, &o));
        assert!(
            !subset_eq(&json!([{"port": 80}, {"port": 80}]), &o),
            "one block of the other side per code block"
        );
        assert!(subset_eq(&json!({"a": 8080}), &json!({"a": "8080"})));
    }

    #[test]
    fn without_state_code_is_matched_to_live_by_identity() {
        let mut a = res(
            "i-a",
            None,
            json!({"tags": {"Name": "web"}, "instance_type": "t3.large"}),
        );
        a.region = Some("us-east-1".into());
        let b1 = res("i-b1", None, json!({"tags": {"Name": "twin"}}));
        let b2 = res("i-b2", None, json!({"tags": {"Name": "twin"}}));
        let live = [a, b1, b2];
        let intents = [
            intent(
                "aws_instance.web",
                json!({"tags": {"Name": "web"}, "instance_type": "t3.micro"}),
            ),
            intent("aws_instance.twin", json!({"tags": {"Name": "twin"}})),
            intent("aws_instance.ghost", json!({"tags": {"Name": "ghost"}})),
            intent("aws_instance.anon", json!({"instance_type": "t3.micro"})),
        ];
        let m = match_by_identity(&intents, &live, "tags.Name");
        let IdentityMatch::Matched(web) = &m[0] else {
            panic!("{m:?}")
        };
        assert_eq!(web.key.id, "i-a");
        assert_eq!(web.address.as_deref(), Some("aws_instance.web"));
        assert_eq!(
            m[1],
            IdentityMatch::Ambiguous(vec!["i-b1".into(), "i-b2".into()])
        );
        assert_eq!(m[2], IdentityMatch::NotFound);
        assert_eq!(m[3], IdentityMatch::NoIdentity);
    }
}
