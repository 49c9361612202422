//! The Rego policy engine (`driftd_policy`): a user's policy file loaded next to the built-in
//! pack, then the policies evaluated over resources with arbitrary attributes.
//!
//! The input is a policy file, a NUL byte, then the resources as JSON (without a NUL byte, all
//! of it is the policy and the resources are the default ones):
//!
//! - the policy is written to `policy.rego` in a directory under `$TMPDIR` (one per fuzzing
//!   process) and loaded with the built-in pack (`builtin: true`, `required_tags: ["owner"]`),
//!   as the config's `[[policy]]` would: `PolicySet::load` returns an error, never panics;
//! - the resources: a JSON array of them (or `{"resources": [...]}`, or one object), each
//!   `{"type": ..., "provider": ..., "id": ..., "region": ..., "attributes": {...},
//!   "expected": {...}}` (an object without `type` and `attributes` is the attributes of a
//!   resource of one of the built-in pack's types; anything else is `{"value": ...}`), at most
//!   [`MAX_RESOURCES`];
//! - the built-in pack alone is evaluated over them twice, on regorus's bytecode VM (the rules
//!   `PolicySet` compiles) and on its interpreter (`interpreter_only`): every policy that
//!   neither reports an error for gives the same findings, messages and paths both ways;
//! - when the file loaded, its policies and the pack's are evaluated over them: findings or
//!   errors, never a panic, and each evaluation is bounded by the engine's 2 s limit (the
//!   fuzzer's `-timeout` catches one that is not).
//!
//! Every finding is a violation of a loaded policy about one of the resources given.
//! `POLICY_TRACE=1 BINARY FILE...` prints whether each input's policy loaded (or its error) and
//! what evaluating gave; `POLICY_BUILTIN_CLEAN=1` also fails an input on which a built-in rule
//! reports an error on the interpreter (rather than findings or nothing).
#![no_main]

use driftd_core::{FindingKind, Resource};
use driftd_policy::{Evaluation, PolicyOptions, PolicySet, PolicySource, Subject};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The most resources one input evaluates: with the engine's 2 s limit per evaluation, a
/// policy slow on every resource still ends within the fuzzer's timeout.
const MAX_RESOURCES: usize = 4;

/// Types the built-in pack looks at, for resources given by their attributes alone.
const TYPES: &[&str] = &[
    "aws_security_group",
    "aws_s3_bucket",
    "aws_db_instance",
    "aws_instance",
    "aws_iam_policy",
    "google_compute_firewall",
    "google_storage_bucket",
    "aws_ebs_volume",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
];

fn policy_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("driftd-fuzz-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the policy directory");
        dir.join("policy.rego")
    })
}

fn env(name: &str) -> bool {
    std::env::var_os(name).is_some()
}

fn trace() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| env("POLICY_TRACE"))
}

fn builtin_clean() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| env("POLICY_BUILTIN_CLEAN"))
}

/// The options of a scan with the built-in pack on and one required tag.
fn options() -> PolicyOptions {
    PolicyOptions {
        builtin: true,
        required_tags: vec!["owner".into()],
        ..Default::default()
    }
}

/// The built-in pack, loaded once (cloned for each input: evaluating sets the input).
fn builtin_set() -> PolicySet {
    thread_local! {
        static SET: PolicySet = PolicySet::load(&options()).expect("the built-in pack loads");
    }
    SET.with(PolicySet::clone)
}

fn provider_of(rtype: &str) -> &'static str {
    if rtype.starts_with("google_") {
        "google"
    } else if rtype.starts_with("kubernetes_") {
        "kubernetes"
    } else {
        "aws"
    }
}

fn text<'a>(o: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    o.get(key).and_then(Value::as_str)
}

/// One resource (live view, and what state expects when it says so) from a JSON item.
fn resource(i: usize, item: &Value) -> (Resource, Option<Resource>) {
    let fallback = TYPES[i % TYPES.len()];
    let (rtype, attrs, o) = match item {
        Value::Object(o) if o.contains_key("type") || o.contains_key("attributes") => {
            let attrs = match o.get("attributes") {
                Some(Value::Object(a)) => a.clone(),
                Some(other) => Map::from_iter([("value".to_string(), other.clone())]),
                None => Map::new(),
            };
            (text(o, "type").unwrap_or(fallback), attrs, Some(o))
        }
        Value::Object(o) => (fallback, o.clone(), None),
        other => (
            fallback,
            Map::from_iter([("value".to_string(), other.clone())]),
            None,
        ),
    };
    let provider = o
        .and_then(|o| text(o, "provider"))
        .unwrap_or_else(|| provider_of(rtype));
    let id = o
        .and_then(|o| text(o, "id"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("r-{i}"));
    let mut live = Resource::new(provider, rtype, id);
    live.region = o.and_then(|o| text(o, "region")).map(str::to_string);
    live.attrs = attrs.into_iter().collect();
    let expected = o.and_then(|o| o.get("expected")).map(|e| {
        let mut r = live.clone();
        r.region = None;
        r.address = Some(format!("{rtype}.r{i}"));
        r.source = Some("fuzz.tfstate".into());
        r.attrs = match e {
            Value::Object(a) => a.clone().into_iter().collect(),
            other => [("value".to_string(), other.clone())].into_iter().collect(),
        };
        r
    });
    (live, expected)
}

/// The resources of the input's JSON part (`None`: no JSON part).
fn resources(json: Option<&[u8]>) -> Vec<(Resource, Option<Resource>)> {
    let value = match json {
        None => json!([
            {"type": "aws_security_group", "attributes": {"ingress": [{"protocol": "tcp",
                "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}},
            {"type": "aws_ebs_volume", "attributes": {"encrypted": false, "tags": {"Name": "v"}},
                "expected": {"encrypted": true}},
        ]),
        Some(bytes) => match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => v,
            Err(_) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        },
    };
    let items: Vec<Value> = match value {
        Value::Array(items) => items,
        Value::Object(mut o) if matches!(o.get("resources"), Some(Value::Array(_))) => {
            match o.remove("resources") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        other => vec![other],
    };
    items
        .iter()
        .take(MAX_RESOURCES)
        .enumerate()
        .map(|(i, item)| resource(i, item))
        .collect()
}

/// What evaluating gave, comparable: (policy, type, id, messages with their paths) of each
/// finding, sorted, without the policies in `skip`.
type Hits = Vec<(String, String, String, Vec<(String, Option<String>)>)>;

fn hits(out: &Evaluation, skip: &BTreeSet<&str>) -> Hits {
    let mut hits: Hits = out
        .findings
        .iter()
        .filter_map(|f| {
            let p = f.policy.as_ref()?;
            if skip.contains(p.id.as_str()) {
                return None;
            }
            let messages = p.messages.iter().map(|m| (m.text.clone(), m.path.clone())).collect();
            Some((p.id.clone(), f.resource_type.clone(), f.resource_id.clone(), messages))
        })
        .collect();
    hits.sort();
    hits
}

/// What holds of any evaluation of `set` over `resources`.
fn check(set: &PolicySet, out: &Evaluation, resources: &[(Resource, Option<Resource>)]) {
    let ids = set.ids();
    for f in &out.findings {
        assert_eq!(f.kind, FindingKind::Violation);
        let hit = f.policy.as_ref().expect("a violation names its policy");
        assert!(ids.contains(&hit.id.as_str()), "finding of an unknown policy {}", hit.id);
        assert!(!hit.messages.is_empty(), "a violation without a message");
        assert!(
            resources
                .iter()
                .any(|(r, _)| r.key.id == f.resource_id && r.key.resource_type == f.resource_type),
            "a finding about a resource not given: {} {}",
            f.resource_type,
            f.resource_id
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let (policy, json) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let resources = resources(json);
    let subjects: Vec<Subject<'_>> = resources
        .iter()
        .map(|(live, expected)| Subject {
            live,
            expected: expected.as_ref(),
            finding: None,
        })
        .collect();

    // The built-in pack: the VM and the interpreter agree.
    let mut vm = builtin_set();
    let on_vm = vm.evaluate("prod", &subjects);
    let mut interpreter = builtin_set();
    interpreter.interpreter_only();
    let interpreted = interpreter.evaluate("prod", &subjects);
    if trace() {
        eprintln!(
            "built-in pack: {} finding(s), errors {:?} (VM); {} finding(s), errors {:?} \
             (interpreter)",
            on_vm.findings.len(),
            on_vm.errors,
            interpreted.findings.len(),
            interpreted.errors
        );
    }
    check(&vm, &on_vm, &resources);
    check(&interpreter, &interpreted, &resources);
    let failed: BTreeSet<&str> = on_vm
        .errors
        .iter()
        .chain(&interpreted.errors)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        hits(&on_vm, &failed),
        hits(&interpreted, &failed),
        "the VM (left) and the interpreter (right) disagree"
    );
    if builtin_clean() {
        assert!(interpreted.errors.is_empty(), "a built-in rule failed: {:?}", interpreted.errors);
    }

    // The user's policy, loaded with the pack as a scan loads the config's.
    let path = policy_path();
    std::fs::write(path, policy).expect("write policy.rego");
    let mut opts = options();
    opts.sources.push(PolicySource {
        path: path.clone(),
        owner: Some("fuzz".into()),
        ..Default::default()
    });
    let mut set = match PolicySet::load(&opts) {
        Ok(set) => set,
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
            if trace() {
                eprintln!("not loaded: {message}");
            }
            return;
        }
    };
    let out = set.evaluate("prod", &subjects);
    if trace() {
        eprintln!(
            "loaded {:?}: {} evaluation(s), {} finding(s), errors: {:?}",
            set.ids(),
            out.evaluations,
            out.findings.len(),
            out.errors
        );
    }
    check(&set, &out, &resources);
});
