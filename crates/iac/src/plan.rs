//! Terraform's and OpenTofu's own plans, read as a second drift engine: the JSON of
//! `terraform show -json PLANFILE` (or `tofu show -json`), and the streaming log of
//! `terraform plan -json`.
//!
//! What a plan says:
//! - `resource_drift`: what Terraform's refresh found changed outside Terraform. An `update` is a
//!   changed resource, with one change per attribute at its Terraform path
//!   (`ingress[0].cidr_blocks`, `tags.Env`); a `delete` is a missing one. Moves (`no-op` with a
//!   `previous_address`) are not drift.
//! - `resource_changes` of a normal (not refresh-only) plan: what an apply would do, reported as
//!   pending, never as drift.
//! - `prior_state`: every managed resource after the refresh, which is what the plan compared;
//!   each resource's identity (id, region or project) comes from its attributes there, read as a
//!   state file's are, so a resource has the same key (and the same finding fingerprint) whichever
//!   engine compared it. A resource the refresh found deleted is gone from `prior_state`: its
//!   identity comes from the drift entry's `before`.
//!
//! Values Terraform could not know (`after_unknown`) are not compared. Values it marks sensitive
//! (`before_sensitive`, `after_sensitive`) are compared by keyed digest and never copied into a
//! finding. `null` and an empty string, list or map are the same value (providers write either).
//!
//! Anything that is not a complete plan is an error naming the file and what to do: a binary
//! plan file, a truncated or non-JSON file, an errored or incomplete plan, a plan of another
//! major format version, an OpenTofu-encrypted file, a state file, a log without its summary.
//! Never an empty result that would read as "in sync".

use crate::tfstate::{address, provider_name, provider_regions, state_resource, Found};
use driftd_core::{secret_digest, Attrs, Change, ChangeOp, Resource};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// Largest plan file read (a plan of tens of thousands of resources is a few hundred MiB).
pub const MAX_PLAN_BYTES: u64 = 1 << 30;

/// Deepest nesting of attribute values diffed path by path; deeper values are compared whole.
const MAX_DEPTH: usize = 32;

/// The attributes kept of a resource a plan compared: what identifies and places it. The rest
/// of `prior_state` (which may hold secrets in clear text) is not kept.
const IDENTITY_ATTRS: &[&str] = &[
    "id",
    "arn",
    "region",
    "availability_zone",
    "project",
    "zone",
    "location",
    "self_link",
    "url",
    "name",
    "bucket",
];

/// One plan, read.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The file, as configured.
    pub source: String,
    /// `json FORMAT_VERSION` or `log`.
    pub format: String,
    /// `terraform` or `opentofu`.
    pub tool: String,
    pub tool_version: Option<String>,
    /// Every managed resource the plan compared, with its drift if it has any.
    pub resources: Vec<PlanResource>,
    /// What an apply of a normal plan would change.
    pub pending: Vec<PendingChange>,
}

/// A managed resource a plan compared.
#[derive(Debug, Clone)]
pub struct PlanResource {
    /// Key, address, region and identity attributes, as a state file gives them. A streaming
    /// log carries no attributes: its resources are keyed by address until a state names them.
    pub resource: Resource,
    pub drift: Option<Drift>,
}

/// What Terraform's refresh found.
#[derive(Debug, Clone, PartialEq)]
pub enum Drift {
    /// Changed outside Terraform: the attribute changes (none in a streaming log, which carries
    /// no values).
    Changed(Vec<Change>),
    /// Deleted outside Terraform.
    Deleted,
}

/// A change an apply of a normal plan would make.
#[derive(Debug, Clone)]
pub struct PendingChange {
    pub resource: Resource,
    /// Terraform's actions: `create`, `update`, `delete`, or `delete, create` for a replace.
    pub actions: Vec<String>,
    pub changes: Vec<Change>,
}

/// Why a file could not be read as a plan. Each names the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{path}: cannot read plan: {reason}")]
    Read { path: String, reason: String },
    #[error(
        "{path}: empty file (write a plan's JSON with `terraform show -json PLANFILE > FILE`)"
    )]
    Empty { path: String },
    #[error(
        "{path}: the file is larger than {limit} bytes; split the configuration into smaller \
         root modules or raise nothing: plans this large are not read"
    )]
    TooLarge { path: String, limit: u64 },
    #[error(
        "{path}: this is Terraform's binary plan file (a zip archive), not its JSON; give driftd \
         the output of `terraform show -json {path}` (or `tofu show -json`) instead"
    )]
    Binary { path: String },
    #[error(
        "{path}: encrypted by OpenTofu ({keys}); driftd cannot decrypt it: give driftd the \
         output of `tofu show -json PLANFILE`, run where the encryption keys are"
    )]
    Encrypted { path: String, keys: String },
    #[error(
        "{path}: an HCP Terraform saved-plan bookmark, not a plan; run `terraform show -json` on \
         it where HCP Terraform is reachable and give driftd that output"
    )]
    Bookmark { path: String },
    #[error(
        "{path}: truncated JSON (the file ends at line {line}): the plan was cut short; write it \
         again with `terraform show -json PLANFILE > FILE`"
    )]
    Truncated { path: String, line: usize },
    #[error(
        "{path}: not valid JSON at line {line} column {column}: {message} (is this the output of \
         `terraform show -json PLANFILE`?)"
    )]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: {what}, not a plan; {advice}")]
    NotAPlan {
        path: String,
        what: String,
        advice: &'static str,
    },
    #[error(
        "{path}: plan format version {found}; driftd reads format 1.x (Terraform 1.1 and later, \
         OpenTofu); write the plan with a newer Terraform"
    )]
    Version { path: String, found: String },
    #[error(
        "{path}: Terraform stopped planning with errors (`errored` is true), so this plan says \
         nothing about drift; run `terraform plan` to see the errors and fix them"
    )]
    Errored { path: String },
    #[error(
        "{path}: the plan is incomplete (`complete` is false){deferred}; drift in what was left \
         out is not known: plan again without `-target` once what it waits for exists"
    )]
    Incomplete { path: String, deferred: String },
    #[error("{path}: Terraform reported errors: {diagnostics}")]
    Diagnostics { path: String, diagnostics: String },
    #[error(
        "{path}: the log ends before its change summary (line {line}): the plan did not finish or \
         the log was cut short; run `terraform plan -json` again"
    )]
    LogTruncated { path: String, line: usize },
    #[error("{path}: {message}")]
    Location { path: String, message: String },
}

/// Reads every plan at `locations` (files or glob patterns, relative to `base_dir`).
pub fn read_plans(locations: &[String], base_dir: &Path) -> Result<Vec<Plan>, PlanError> {
    let mut plans = Vec::new();
    for location in locations {
        let resolved = base_dir.join(location);
        if resolved.is_dir() {
            return Err(PlanError::Location {
                path: location.clone(),
                message: "a directory; name plan files, or a glob such as `plans/*.json`".into(),
            });
        }
        let found =
            crate::tfstate::expand(location, base_dir).map_err(|e| PlanError::Location {
                path: location.clone(),
                message: e.to_string(),
            })?;
        if found.is_empty() {
            return Err(PlanError::Location {
                path: location.clone(),
                message: "no such file (a plan must exist before driftd reads it)".into(),
            });
        }
        for Found { display, path } in found {
            plans.push(read_plan_file(&path, &display)?);
        }
    }
    Ok(plans)
}

/// Reads one plan file; `display` names it in errors.
pub fn read_plan_file(path: &Path, display: &str) -> Result<Plan, PlanError> {
    let read_err = |e: std::io::Error| PlanError::Read {
        path: display.to_string(),
        reason: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(read_err)?.len();
    if len > MAX_PLAN_BYTES {
        return Err(PlanError::TooLarge {
            path: display.to_string(),
            limit: MAX_PLAN_BYTES,
        });
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    parse_plan(&bytes, display)
}

/// Reads a plan from its bytes: the JSON of `show -json` or the streaming log of `plan -json`.
pub fn parse_plan(bytes: &[u8], source: &str) -> Result<Plan, PlanError> {
    let path = || source.to_string();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(PlanError::Empty { path: path() });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(PlanError::Binary { path: path() });
    }
    if looks_like_log(bytes) {
        return parse_log(bytes, source);
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(doc)) => parse_json_plan(&doc, source),
        Ok(_) => Err(PlanError::NotAPlan {
            path: path(),
            what: "JSON that is not an object".into(),
            advice: "give driftd the output of `terraform show -json PLANFILE`",
        }),
        Err(e) if e.is_eof() => Err(PlanError::Truncated {
            path: path(),
            line: e.line(),
        }),
        Err(e) => Err(PlanError::Syntax {
            path: path(),
            line: e.line(),
            column: e.column(),
            message: bare(&e),
        }),
    }
}

fn bare(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A streaming log: its first line is a JSON object with `@level` and `type`. Log lines are
/// short; `show -json` writes the whole plan on one line, which is not read twice to tell.
fn looks_like_log(bytes: &[u8]) -> bool {
    const LONGEST_LOG_LINE: usize = 64 * 1024;
    let first = bytes
        .split(|b| *b == b'\n')
        .find(|l| !l.trim_ascii().is_empty());
    first
        .filter(|l| l.len() <= LONGEST_LOG_LINE)
        .and_then(|l| serde_json::from_slice::<Value>(l).ok())
        .is_some_and(|v| v.get("@level").is_some() && v.get("type").is_some())
}

fn parse_json_plan(doc: &Map<String, Value>, source: &str) -> Result<Plan, PlanError> {
    let path = || source.to_string();
    if doc
        .get("encryption_version")
        .and_then(Value::as_str)
        .is_some_and(|v| !v.is_empty())
    {
        return Err(PlanError::Encrypted {
            path: path(),
            keys: crate::tfstate::key_providers(doc.get("meta")),
        });
    }
    if doc.contains_key("remote_plan_format") {
        return Err(PlanError::Bookmark { path: path() });
    }
    let Some(version) = doc.get("format_version").and_then(Value::as_str) else {
        let (what, advice) = if doc.contains_key("resources") && doc.contains_key("version") {
            (
                "a Terraform state file",
                "list it in the target's `states`, and plans in `plans`",
            )
        } else {
            (
                "JSON without a `format_version`",
                "give driftd the output of `terraform show -json PLANFILE`",
            )
        };
        return Err(PlanError::NotAPlan {
            path: path(),
            what: what.into(),
            advice,
        });
    };
    if version.split('.').next() != Some("1") {
        return Err(PlanError::Version {
            path: path(),
            found: version.to_string(),
        });
    }
    if !doc.contains_key("planned_values")
        && !doc.contains_key("resource_changes")
        && !doc.contains_key("resource_drift")
        && !doc.contains_key("prior_state")
    {
        let (what, advice) = if doc.contains_key("values") {
            (
                "the JSON of a state (`terraform show -json` without a plan file)",
                "write a plan with `terraform plan -refresh-only -out=PLANFILE` and give driftd \
                 `terraform show -json PLANFILE`",
            )
        } else {
            (
                "JSON without any plan section",
                "give driftd the output of `terraform show -json PLANFILE`",
            )
        };
        return Err(PlanError::NotAPlan {
            path: path(),
            what: what.into(),
            advice,
        });
    }
    if doc.get("errored") == Some(&Value::Bool(true)) {
        return Err(PlanError::Errored { path: path() });
    }
    if doc.get("complete") == Some(&Value::Bool(false)) {
        let deferred: Vec<String> = doc
            .get("deferred_changes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| {
                format!(
                    "{} ({})",
                    d["resource_change"]["address"].as_str().unwrap_or("?"),
                    d["reason"].as_str().unwrap_or("no reason given")
                )
            })
            .collect();
        return Err(PlanError::Incomplete {
            path: path(),
            deferred: if deferred.is_empty() {
                String::new()
            } else {
                format!("; deferred: {}", deferred.join(", "))
            },
        });
    }
    let tool_version = doc
        .get("terraform_version")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut plan = Plan {
        source: source.to_string(),
        format: format!("json {version}"),
        tool: "terraform".into(),
        tool_version,
        resources: Vec::new(),
        pending: Vec::new(),
    };
    // Every managed resource after the refresh.
    let mut entries: Vec<Entry> = Vec::new();
    if let Some(root) = doc
        .get("prior_state")
        .and_then(|s| s.get("values"))
        .and_then(|v| v.get("root_module"))
    {
        collect_module(root, &mut entries, 0);
    }
    let mut drifts: Vec<(String, Drift, Entry)> = Vec::new();
    for rc in doc
        .get("resource_drift")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if rc["mode"].as_str() != Some("managed") {
            continue;
        }
        let Some(address) = rc["address"].as_str() else {
            continue;
        };
        let change = &rc["change"];
        let actions = actions(change);
        let drift = if actions == ["delete"] {
            Drift::Deleted
        } else if actions == ["update"] {
            Drift::Changed(diff_change(change))
        } else {
            // `no-op` (a move) and anything else a refresh cannot find.
            continue;
        };
        if let Drift::Changed(c) = &drift {
            if c.is_empty() {
                // Only a provider's null-or-empty rewriting: no drift.
                continue;
            }
        }
        // A deleted resource is gone from prior_state: its identity is in `before`.
        let values = if drift == Drift::Deleted || !change["after"].is_object() {
            &change["before"]
        } else {
            &change["after"]
        };
        drifts.push((address.to_string(), drift, Entry::from_change(rc, values)));
    }
    // By address: a plan of 50,000 resources must not compare every pair.
    let mut known: std::collections::HashSet<String> =
        entries.iter().map(|x| x.address.clone()).collect();
    for (_, _, e) in &drifts {
        if known.insert(e.address.clone()) {
            entries.push(e.clone());
        }
    }
    let mut drift_of: HashMap<&str, &Drift> = HashMap::with_capacity(drifts.len());
    for (a, d, _) in &drifts {
        drift_of.entry(a.as_str()).or_insert(d);
    }
    let resources = resources_of(&entries, source);
    for (entry, resource) in entries.iter().zip(resources) {
        let drift = drift_of.get(entry.address.as_str()).map(|d| (*d).clone());
        plan.resources.push(PlanResource { resource, drift });
    }
    // What an apply of a normal plan would do.
    for rc in doc
        .get("resource_changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if rc["mode"].as_str() != Some("managed") {
            continue;
        }
        let change = &rc["change"];
        let acts = actions(change);
        if acts.iter().all(|a| a == "no-op" || a == "read") {
            continue;
        }
        let values = if change["before"].is_object() {
            &change["before"]
        } else {
            &change["after"]
        };
        let entry = Entry::from_change(rc, values);
        let Some(resource) = resources_of(std::slice::from_ref(&entry), source).pop() else {
            continue;
        };
        plan.pending.push(PendingChange {
            resource,
            actions: acts,
            changes: diff_change(change),
        });
    }
    Ok(plan)
}

fn actions(change: &Value) -> Vec<String> {
    change["actions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// One resource instance of a plan, as `prior_state` or a change entry gives it.
#[derive(Debug, Clone)]
struct Entry {
    address: String,
    module: Option<String>,
    resource_type: String,
    name: String,
    index: Option<Value>,
    provider: String,
    values: Attrs,
}

impl Entry {
    fn from_change(rc: &Value, values: &Value) -> Entry {
        Entry {
            address: rc["address"].as_str().unwrap_or_default().to_string(),
            module: rc["module_address"].as_str().map(str::to_string),
            resource_type: rc["type"].as_str().unwrap_or_default().to_string(),
            name: rc["name"].as_str().unwrap_or_default().to_string(),
            index: rc.get("index").cloned().filter(|i| !i.is_null()),
            provider: rc["provider_name"].as_str().unwrap_or_default().to_string(),
            values: identity_attrs(values),
        }
    }
}

fn identity_attrs(values: &Value) -> Attrs {
    values
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, v)| IDENTITY_ATTRS.contains(&k.as_str()) && v.is_string())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// The managed resources of a `prior_state` module and its children.
fn collect_module(module: &Value, out: &mut Vec<Entry>, depth: usize) {
    if depth > 64 {
        return;
    }
    let module_address = module["address"].as_str().map(str::to_string);
    for r in module["resources"].as_array().into_iter().flatten() {
        if r["mode"].as_str() != Some("managed") {
            continue;
        }
        // A deposed object is one create_before_destroy left behind.
        if r.get("deposed_key").is_some() {
            continue;
        }
        out.push(Entry {
            address: r["address"].as_str().unwrap_or_default().to_string(),
            module: module_address.clone(),
            resource_type: r["type"].as_str().unwrap_or_default().to_string(),
            name: r["name"].as_str().unwrap_or_default().to_string(),
            index: r.get("index").cloned().filter(|i| !i.is_null()),
            provider: r["provider_name"].as_str().unwrap_or_default().to_string(),
            values: identity_attrs(&r["values"]),
        });
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_module(child, out, depth + 1);
    }
}

/// Resources keyed and placed as a state file's: provider from the provider's source address,
/// id from `id` (the address when a resource has none), region or scope from the attributes.
fn resources_of(entries: &[Entry], source: &str) -> Vec<Resource> {
    let mut out = Vec::with_capacity(entries.len());
    let mut configs = Vec::with_capacity(entries.len());
    for e in entries {
        let config = format!("provider[\"{}\"]", e.provider);
        let provider = provider_name(&config, &e.resource_type);
        let address = if e.address.is_empty() {
            address(
                e.module.as_deref(),
                &e.resource_type,
                &e.name,
                e.index.as_ref(),
            )
        } else {
            e.address.clone()
        };
        let id = match e.values.get("id").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => address.clone(),
        };
        out.push(state_resource(
            (&provider, &e.resource_type, id),
            address,
            e.values.clone(),
            source,
        ));
        configs.push(config);
    }
    provider_regions(&mut out, &configs);
    out
}

/// The attribute changes of a change entry, `before` to `after`, leaving out what is unknown.
fn diff_change(change: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    let masks = Masks {
        before_sensitive: &change["before_sensitive"],
        after_sensitive: &change["after_sensitive"],
        unknown: &change["after_unknown"],
    };
    let mut path = String::new();
    diff(
        &change["before"],
        &change["after"],
        masks,
        &mut path,
        &mut out,
        0,
    );
    out
}

#[derive(Clone, Copy)]
struct Masks<'a> {
    before_sensitive: &'a Value,
    after_sensitive: &'a Value,
    unknown: &'a Value,
}

static NONE: Value = Value::Null;

impl<'a> Masks<'a> {
    fn key(self, k: &str) -> Masks<'a> {
        let at = |m: &'a Value| match m {
            Value::Object(o) => o.get(k).unwrap_or(&NONE),
            Value::Bool(true) => m,
            _ => &NONE,
        };
        Masks {
            before_sensitive: at(self.before_sensitive),
            after_sensitive: at(self.after_sensitive),
            unknown: at(self.unknown),
        }
    }

    fn index(self, i: usize) -> Masks<'a> {
        let at = |m: &'a Value| match m {
            Value::Array(a) => a.get(i).unwrap_or(&NONE),
            Value::Bool(true) => m,
            _ => &NONE,
        };
        Masks {
            before_sensitive: at(self.before_sensitive),
            after_sensitive: at(self.after_sensitive),
            unknown: at(self.unknown),
        }
    }

    fn sensitive(self) -> bool {
        *self.before_sensitive == Value::Bool(true) || *self.after_sensitive == Value::Bool(true)
    }

    /// Whether any part of the value here is sensitive (a list of which one member is).
    fn sensitive_within(self) -> bool {
        fn any(m: &Value, depth: usize) -> bool {
            match m {
                Value::Bool(b) => *b,
                Value::Array(a) if depth < 64 => a.iter().any(|v| any(v, depth + 1)),
                Value::Object(o) if depth < 64 => o.values().any(|v| any(v, depth + 1)),
                Value::Array(_) | Value::Object(_) => true,
                _ => false,
            }
        }
        any(self.before_sensitive, 0) || any(self.after_sensitive, 0)
    }

    fn unknown(self) -> bool {
        *self.unknown == Value::Bool(true)
    }
}

/// `null`, `""`, `[]` and `{}`: providers write any of them for "not set".
fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !key.starts_with(|c: char| c.is_ascii_digit());
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        crate::tfstate::push_hcl_quoted(path, key);
        path.push(']');
    }
}

fn diff(
    before: &Value,
    after: &Value,
    masks: Masks<'_>,
    path: &mut String,
    out: &mut Vec<Change>,
    depth: usize,
) {
    if masks.unknown() {
        return;
    }
    if is_empty(before) && is_empty(after) {
        return;
    }
    if masks.sensitive() {
        push_hidden(before, after, path, out);
        return;
    }
    let len = path.len();
    match (before, after) {
        (Value::Object(b), Value::Object(a)) if depth < MAX_DEPTH => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                push_key(path, k);
                diff(
                    b.get(k).unwrap_or(&NONE),
                    a.get(k).unwrap_or(&NONE),
                    masks.key(k),
                    path,
                    out,
                    depth + 1,
                );
                path.truncate(len);
            }
        }
        (Value::Array(b), Value::Array(a))
            if depth < MAX_DEPTH
                && b.len() == a.len()
                && b.iter().chain(a).any(|v| v.is_object() || v.is_array()) =>
        {
            for (i, (bv, av)) in b.iter().zip(a).enumerate() {
                let _ = write!(path, "[{i}]");
                diff(bv, av, masks.index(i), path, out, depth + 1);
                path.truncate(len);
            }
        }
        _ if before != after && masks.sensitive_within() => {
            push_hidden(before, after, path, out);
        }
        _ if before != after => {
            out.push(Change::new(
                path.clone(),
                op(before, after),
                before.clone(),
                after.clone(),
            ));
        }
        _ => {}
    }
}

/// A change of a sensitive value: keyed digests instead of the values.
fn push_hidden(before: &Value, after: &Value, path: &str, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    let hide = |v: &Value| {
        if is_empty(v) {
            Value::Null
        } else {
            secret_digest(v.to_string().as_bytes())
        }
    };
    out.push(Change::new(
        path.to_string(),
        op(before, after),
        hide(before),
        hide(after),
    ));
}

fn op(before: &Value, after: &Value) -> ChangeOp {
    match (is_empty(before), is_empty(after)) {
        (true, false) => ChangeOp::Add,
        (false, true) => ChangeOp::Remove,
        _ => ChangeOp::Replace,
    }
}

/// The streaming log of `terraform plan -json` (or `tofu plan -json`): one JSON object per line.
/// It names drifted resources and their action but carries no attribute values.
fn parse_log(bytes: &[u8], source: &str) -> Result<Plan, PlanError> {
    let mut plan = Plan {
        source: source.to_string(),
        format: "log".into(),
        tool: "terraform".into(),
        tool_version: None,
        resources: Vec::new(),
        pending: Vec::new(),
    };
    let mut errors: Vec<String> = Vec::new();
    let mut summary = false;
    let mut last = 0;
    for (n, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line_no = n + 1;
        if line.trim_ascii().is_empty() {
            continue;
        }
        last = line_no;
        let msg: Value = serde_json::from_slice(line).map_err(|e| {
            if e.is_eof() {
                PlanError::LogTruncated {
                    path: source.to_string(),
                    line: line_no,
                }
            } else {
                PlanError::Syntax {
                    path: source.to_string(),
                    line: line_no,
                    column: e.column(),
                    message: bare(&e),
                }
            }
        })?;
        if msg["@module"].as_str() == Some("tofu.ui") {
            plan.tool = "opentofu".into();
        }
        match msg["type"].as_str().unwrap_or_default() {
            "version" => {
                if let Some(v) = msg["tofu"].as_str() {
                    plan.tool = "opentofu".into();
                    plan.tool_version = Some(v.to_string());
                } else if let Some(v) = msg["terraform"].as_str() {
                    plan.tool_version = Some(v.to_string());
                }
            }
            "resource_drift" => {
                let change = &msg["change"];
                let drift = match change["action"].as_str() {
                    Some("update") => Drift::Changed(Vec::new()),
                    Some("delete") => Drift::Deleted,
                    _ => continue,
                };
                let resource = log_resource(&change["resource"], source);
                plan.resources.push(PlanResource {
                    resource,
                    drift: Some(drift),
                });
            }
            "planned_change" => {
                let change = &msg["change"];
                let action = change["action"].as_str().unwrap_or_default();
                let actions = match action {
                    "create" | "update" | "delete" => vec![action.to_string()],
                    "replace" => vec!["delete".to_string(), "create".to_string()],
                    _ => continue,
                };
                plan.pending.push(PendingChange {
                    resource: log_resource(&change["resource"], source),
                    actions,
                    changes: Vec::new(),
                });
            }
            "diagnostic" if msg["diagnostic"]["severity"].as_str() == Some("error") => {
                errors.push(diagnostic_text(&msg["diagnostic"]));
            }
            "change_summary" => summary = true,
            _ => {}
        }
    }
    if !errors.is_empty() {
        return Err(PlanError::Diagnostics {
            path: source.to_string(),
            diagnostics: errors.join("; "),
        });
    }
    if !summary {
        return Err(PlanError::LogTruncated {
            path: source.to_string(),
            line: last,
        });
    }
    Ok(plan)
}

/// A resource of the streaming log, keyed by its address (the log has no attributes).
fn log_resource(r: &Value, source: &str) -> Resource {
    let addr = r["addr"].as_str().unwrap_or_default().to_string();
    let resource_type = r["resource_type"].as_str().unwrap_or_default();
    let provider = r["implied_provider"]
        .as_str()
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            resource_type
                .split('_')
                .next()
                .unwrap_or_default()
                .to_string()
        });
    state_resource(
        (&provider, resource_type, addr.clone()),
        addr,
        Attrs::default(),
        source,
    )
}

/// `summary: detail (file:line)` of a diagnostic, bounded.
pub fn diagnostic_text(d: &Value) -> String {
    let mut text = d["summary"].as_str().unwrap_or("error").trim().to_string();
    if let Some(detail) = d["detail"]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        text.push_str(": ");
        text.push_str(detail);
    }
    if let (Some(file), Some(line)) = (
        d["range"]["filename"].as_str(),
        d["range"]["start"]["line"].as_u64(),
    ) {
        let _ = write!(text, " ({file}:{line})");
    }
    driftd_core::provider::bounded_reason(&text)
}

#[cfg(test)]
mod tests;
