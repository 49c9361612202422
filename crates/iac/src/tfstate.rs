//! Terraform state (format version 4) as expected resources.
//!
//! This module owns three things:
//! - finding state files from the locations a target lists (a file, a directory, a glob pattern);
//! - mapping a state's JSON to [`Resource`]s: which instances count (managed, not deposed, with
//!   an id), their Terraform address, provider name and region;
//! - the errors a user sees when a file is not a usable state, each naming the file, the problem
//!   and what to do about it.
//!
//! Parsing is tolerant: unknown fields are ignored and absent ones take their empty value, so
//! states written by newer Terraform versions still read. Attribute maps are moved, never copied:
//! a 50 MB state costs its resources' size once.

use driftd_core::{Attrs, Resource, ResourceKey};
use glob::{MatchOptions, Pattern};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The only state format version driftd reads.
const SUPPORTED_VERSION: u64 = 4;

/// One state file, read.
#[derive(Debug, Clone, PartialEq)]
pub struct StateFile {
    /// The path as found (as the location was written, plus what a directory or pattern matched).
    pub path: String,
    pub serial: u64,
    pub lineage: String,
    pub terraform_version: String,
    /// Managed resource instances with an id, in state order.
    pub resources: Vec<Resource>,
    /// Data sources (`mode: "data"`) in the state: read by Terraform, owned by no one, skipped.
    pub data_sources: usize,
}

/// Why state could not be read. Every message names the file (or location), the problem and what
/// to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    // The I/O error is kept for callers that look at its kind, but not as the error's source:
    // its text is already in the message, and printing a chain would repeat it.
    #[error("{path}: cannot read file: {reason}")]
    Read {
        path: String,
        reason: String,
        io: io::Error,
    },
    #[error("{path}: cannot list directory: {reason}")]
    ListDir {
        path: String,
        reason: String,
        io: io::Error,
    },
    #[error(
        "{path}: empty file (is this a Terraform state file? `terraform state pull > FILE` \
         writes one)"
    )]
    Empty { path: String },
    #[error(
        "{path}: truncated JSON (file ends at line {line}): the file was cut short; copy or pull \
         the state again"
    )]
    Truncated { path: String, line: usize },
    #[error(
        "{path}: not valid JSON at line {line} column {column}: {message} (is this a Terraform \
         state file?)"
    )]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: not a Terraform state: {message} at line {line} column {column} (is this a \
         Terraform state file?)"
    )]
    Structure {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: not a Terraform state: no `version` field (is this a Terraform state file?)")]
    NoVersion { path: String },
    #[error(
        "{path}: this state is encrypted by OpenTofu ({keys}); driftd cannot read it: give \
         driftd the output of `tofu state pull` run where the encryption keys are, or a \
         plan's JSON (`tofu show -json PLANFILE`) in the target's `plans`"
    )]
    Encrypted { path: String, keys: String },
    #[error(
        "{path}: not a Terraform state: the file holds a JSON value that is not an object (is \
         this a Terraform state file?)"
    )]
    NotObject { path: String },
    #[error(
        "{path}: not a Terraform state: `version` is {found}, expected the number 4 (is this a \
         Terraform state file?)"
    )]
    BadVersion { path: String, found: String },
    #[error(
        "{path}: unsupported state format version {version}; driftd reads version 4 (Terraform \
         0.12 and later): {}",
        version_advice(*.version)
    )]
    UnsupportedVersion { path: String, version: u64 },
    #[error(
        "no state file matches `{location}`{}: check the path, or write a directory or a glob \
         pattern such as `states/*.tfstate`",
        resolved_from(.base)
    )]
    NoMatch {
        location: String,
        /// The directory a relative location was resolved from; `None` for absolute locations.
        base: Option<PathBuf>,
    },
    #[error("invalid glob pattern `{pattern}`: {message} at character {position}")]
    Pattern {
        pattern: String,
        message: String,
        position: usize,
    },
}

fn version_advice(version: u64) -> &'static str {
    if version < SUPPORTED_VERSION {
        "run `terraform state pull` with a current Terraform"
    } else {
        "this state was written by a newer Terraform than this driftd knows; upgrade driftd"
    }
}

fn resolved_from(base: &Option<PathBuf>) -> String {
    match base {
        Some(base) => format!(" (resolved from {})", base.display()),
        None => String::new(),
    }
}

// The state's JSON. Every field is optional so that a state with a missing or `null` field still
// reads; what a missing field means is decided in `into_state_file`.
#[derive(Deserialize)]
struct RawState {
    #[serde(default)]
    version: Option<Value>,
    #[serde(default)]
    terraform_version: Option<String>,
    #[serde(default)]
    serial: Option<u64>,
    #[serde(default)]
    lineage: Option<String>,
    #[serde(default)]
    resources: Option<Vec<RawResource>>,
    /// OpenTofu's encrypted envelope: `encryption_version`, `encrypted_data` and, in `meta`,
    /// the key providers it was encrypted with.
    #[serde(default)]
    encryption_version: Option<Value>,
    #[serde(default)]
    meta: Option<Value>,
}

#[derive(Deserialize)]
struct RawResource {
    #[serde(default)]
    module: Option<String>,
    #[serde(default)]
    mode: Option<String>,
    #[serde(default, rename = "type")]
    resource_type: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    instances: Option<Vec<RawInstance>>,
}

#[derive(Deserialize)]
struct RawInstance {
    #[serde(default)]
    index_key: Option<Value>,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default)]
    attributes: Option<Attrs>,
    /// Written instead of `attributes` for instances not refreshed since a 0.11 state was upgraded.
    #[serde(default)]
    attributes_flat: Option<BTreeMap<String, Value>>,
}

/// Just the version, read again when the full parse failed: a state of another format version
/// deserves the version message, not a complaint about its shape.
#[derive(Deserialize)]
struct Header {
    #[serde(default)]
    version: Option<Value>,
}

/// Parses one state file's bytes. `source` names the file in errors and in each resource's
/// `source`.
pub fn parse_state(bytes: &[u8], source: &str) -> Result<StateFile, StateError> {
    // Editors on Windows may save with a byte order mark, which is not JSON.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(StateError::Empty {
            path: source.to_string(),
        });
    }
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        // serde would read an array as a struct's fields in order; say what is wrong instead,
        // once the JSON itself is known to be valid.
        serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
            .map_err(|e| json_error(bytes, source, &e))?;
        return Err(StateError::NotObject {
            path: source.to_string(),
        });
    }
    let raw: RawState = serde_json::from_slice(bytes).map_err(|e| json_error(bytes, source, &e))?;
    check_encryption(&raw, source)?;
    check_version(raw.version.as_ref(), source)?;
    Ok(into_state_file(raw, source))
}

/// An OpenTofu-encrypted state has no `version` or `resources`: say that it is encrypted rather
/// than that it is not a state.
fn check_encryption(raw: &RawState, source: &str) -> Result<(), StateError> {
    let encrypted = match &raw.encryption_version {
        Some(Value::String(v)) => !v.is_empty(),
        Some(Value::Null) | None => false,
        Some(_) => true,
    };
    if !encrypted {
        return Ok(());
    }
    Err(StateError::Encrypted {
        path: source.to_string(),
        keys: key_providers(raw.meta.as_ref()),
    })
}

/// The key providers an OpenTofu-encrypted file (state or plan) names in its `meta`, for the
/// error that says it cannot be read.
pub(crate) fn key_providers(meta: Option<&Value>) -> String {
    let keys: Vec<&str> = meta
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if keys.is_empty() {
        "no key provider named".into()
    } else {
        keys.join(", ")
    }
}

/// Reads and parses one state file; errors name it as `path` displays.
pub fn read_state_file(path: &Path) -> Result<StateFile, StateError> {
    read_at(path, &path.display().to_string())
}

/// Reads every state file the locations name.
///
/// Each location is a file, a directory (all `*.tfstate` files directly inside) or a glob pattern
/// (`states/*.tfstate`, `states/**/*.tfstate`; names starting with `.` match only a literal `.`,
/// so `.terraform/` is never searched). Relative locations are resolved against `base_dir`.
/// Returns the files sorted by path, each read once even if matched twice. A location that
/// matches nothing is an error naming it.
pub fn read_states(locations: &[String], base_dir: &Path) -> Result<Vec<StateFile>, StateError> {
    let mut found: Vec<Found> = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    for location in locations {
        let matched = expand(location, base_dir)?;
        if matched.is_empty() {
            return Err(StateError::NoMatch {
                location: location.clone(),
                base: (!Path::new(location).is_absolute()).then(|| base_dir.to_path_buf()),
            });
        }
        for file in matched {
            // A directory and a pattern, or two spellings of one path, may name the same file:
            // reading it twice would count its resources twice.
            let identity = fs::canonicalize(&file.path).unwrap_or_else(|_| file.path.clone());
            if seen.insert(identity) {
                found.push(file);
            }
        }
    }
    found.sort_by(|a, b| a.display.cmp(&b.display));
    found
        .iter()
        .map(|file| read_at(&file.path, &file.display))
        .collect()
}

/// A state file found from a location: where it is, and how to name it to the user.
pub(crate) struct Found {
    pub(crate) display: String,
    pub(crate) path: PathBuf,
}

fn read_at(path: &Path, display: &str) -> Result<StateFile, StateError> {
    let bytes = fs::read(path).map_err(|io| StateError::Read {
        path: display.to_string(),
        reason: io_reason(&io),
        io,
    })?;
    parse_state(&bytes, display)
}

/// The OS's description of an I/O error without the `(os error N)` suffix, which means nothing to
/// the user.
fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

fn list_dir_error(display: &Path, io: io::Error) -> StateError {
    StateError::ListDir {
        path: display.display().to_string(),
        reason: io_reason(&io),
        io,
    }
}

pub(crate) fn expand(location: &str, base_dir: &Path) -> Result<Vec<Found>, StateError> {
    if location.trim().is_empty() {
        return Ok(Vec::new());
    }
    // `join` keeps an absolute location as it is.
    let resolved = base_dir.join(location);
    if resolved.is_dir() {
        return list_dir(location, &resolved);
    }
    if resolved.is_file() {
        return Ok(vec![Found {
            display: location.to_string(),
            path: resolved,
        }]);
    }
    // A path that exists is taken literally even if it holds `[`; only a missing one is a pattern.
    if !has_glob_meta(location) {
        return Ok(Vec::new());
    }
    glob_files(location, base_dir)
}

fn has_glob_meta(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// The `*.tfstate` files directly inside a directory, sorted.
fn list_dir(location: &str, dir: &Path) -> Result<Vec<Found>, StateError> {
    let shown = Path::new(location);
    let entries = fs::read_dir(dir).map_err(|e| list_dir_error(shown, e))?;
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| list_dir_error(shown, e))?;
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "tfstate") && path.is_file() {
            out.push(Found {
                display: shown.join(entry.file_name()).display().to_string(),
                path,
            });
        }
    }
    out.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(out)
}

const MATCH: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: true,
};

/// Expands a glob pattern by walking from its literal prefix. The walk is ours rather than
/// `glob::glob`, which panics on a non-UTF-8 file name when leading dots must be literal, and
/// which would enter hidden directories only to reject what is inside. An unreadable directory is
/// an error: a state silently left out would make its resources look unmanaged.
fn glob_files(location: &str, base_dir: &Path) -> Result<Vec<Found>, StateError> {
    // Validating the whole location gives the user a position in what they wrote.
    Pattern::new(location).map_err(|e| StateError::Pattern {
        pattern: location.to_string(),
        message: e.msg.to_string(),
        position: e.pos,
    })?;
    let parts: Vec<&str> = location.split('/').collect();
    let literal = parts.iter().take_while(|p| !has_glob_meta(p)).count();
    let mut prefix = parts[..literal].join("/");
    if prefix.is_empty() && location.starts_with('/') {
        prefix.push('/');
    }
    let rest: Vec<&str> = parts[literal..]
        .iter()
        .copied()
        .filter(|p| !p.is_empty())
        .collect();
    let pattern = Pattern::new(&rest.join("/")).map_err(|e| StateError::Pattern {
        pattern: location.to_string(),
        message: e.msg.to_string(),
        position: e.pos,
    })?;
    let start = base_dir.join(&prefix);
    if !start.is_dir() {
        return Ok(Vec::new());
    }
    let recursive = rest.iter().any(|p| p.contains("**"));
    let walk = Walk {
        pattern: &pattern,
        prefix: Path::new(&prefix),
        recursive,
        enter_hidden: rest.iter().any(|p| p.starts_with('.')),
    };
    let depth = if recursive { usize::MAX } else { rest.len() };
    let mut out = Vec::new();
    walk.dir(&start, "", depth, &mut out)?;
    out.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(out)
}

struct Walk<'a> {
    /// What the path below `prefix` must match.
    pattern: &'a Pattern,
    /// The location's literal leading directories, as written.
    prefix: &'a Path,
    /// The pattern holds `**`: symbolic links to directories are not followed, so that a link
    /// loop cannot make the walk endless.
    recursive: bool,
    /// The pattern names a hidden directory itself. Otherwise hidden directories (`.git`,
    /// `.terraform`) cannot match and are not entered at all.
    enter_hidden: bool,
}

impl Walk<'_> {
    fn dir(
        &self,
        dir: &Path,
        rel: &str,
        depth_left: usize,
        out: &mut Vec<Found>,
    ) -> Result<(), StateError> {
        let shown = || self.prefix.join(rel);
        let entries = fs::read_dir(dir).map_err(|e| list_dir_error(&shown(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| list_dir_error(&shown(), e))?;
            let name = entry.file_name();
            // A pattern is UTF-8, so a name that is not can never match it.
            let Some(name) = name.to_str() else { continue };
            let child_rel = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let path = entry.path();
            let file_type = entry.file_type().map_err(|e| list_dir_error(&shown(), e))?;
            let is_dir = if file_type.is_symlink() {
                !self.recursive && path.is_dir()
            } else {
                file_type.is_dir()
            };
            if is_dir {
                if depth_left > 1 && (self.enter_hidden || !name.starts_with('.')) {
                    self.dir(&path, &child_rel, depth_left - 1, out)?;
                }
            } else if path.is_file() && self.pattern.matches_with(&child_rel, MATCH) {
                out.push(Found {
                    display: self.prefix.join(&child_rel).display().to_string(),
                    path,
                });
            }
        }
        Ok(())
    }
}

fn json_error(bytes: &[u8], path: &str, err: &serde_json::Error) -> StateError {
    let path = path.to_string();
    match err.classify() {
        Category::Eof => StateError::Truncated {
            path,
            line: err.line(),
        },
        Category::Syntax | Category::Io => StateError::Syntax {
            path,
            line: err.line(),
            column: err.column(),
            message: bare_message(err),
        },
        Category::Data => {
            let header: Option<Header> = serde_json::from_slice(bytes).ok();
            if let Some(version) = header.and_then(|h| h.version) {
                if let Err(version_error) = check_version(Some(&version), &path) {
                    return version_error;
                }
            }
            StateError::Structure {
                path,
                line: err.line(),
                column: err.column(),
                message: bare_message(err),
            }
        }
    }
}

/// serde_json's message without its ` at line L column C` suffix: the error says where itself.
fn bare_message(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

fn check_version(version: Option<&Value>, path: &str) -> Result<(), StateError> {
    let path = path.to_string();
    match version {
        None | Some(Value::Null) => Err(StateError::NoVersion { path }),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(SUPPORTED_VERSION) => Ok(()),
            Some(version) => Err(StateError::UnsupportedVersion { path, version }),
            None => Err(StateError::BadVersion {
                path,
                found: n.to_string(),
            }),
        },
        Some(other) => {
            let mut found = other.to_string();
            if found.len() > 40 {
                let mut cut = 40;
                while !found.is_char_boundary(cut) {
                    cut -= 1;
                }
                found.truncate(cut);
                found.push_str("...");
            }
            Err(StateError::BadVersion { path, found })
        }
    }
}

fn into_state_file(raw: RawState, source: &str) -> StateFile {
    let mut resources = Vec::new();
    // The provider configuration address of each resource, for [`provider_regions`].
    let mut configs = Vec::new();
    let mut data_sources = 0;
    for resource in raw.resources.unwrap_or_default() {
        match resource.mode.as_deref() {
            Some("managed") => {}
            Some("data") => {
                data_sources += 1;
                continue;
            }
            // Nothing else exists today; whatever a later Terraform adds is not a cloud resource
            // driftd knows how to compare.
            _ => continue,
        }
        let Some(resource_type) = resource.resource_type.filter(|t| !t.is_empty()) else {
            continue;
        };
        let name = resource.name.unwrap_or_default();
        let config = resource.provider.unwrap_or_default();
        let provider = provider_name(&config, &resource_type);
        for instance in resource.instances.unwrap_or_default() {
            // A deposed object is one create_before_destroy left behind; Terraform destroys it on
            // the next apply, and the current object is what the code means.
            if instance.deposed.as_deref().is_some_and(|d| !d.is_empty()) {
                continue;
            }
            let Some(attrs) = instance_attrs(instance.attributes, instance.attributes_flat) else {
                continue;
            };
            let id = match attrs.get("id") {
                Some(Value::String(id)) if !id.is_empty() => id.clone(),
                // Without an id the instance cannot be matched with anything live.
                _ => continue,
            };
            let address = address(
                resource.module.as_deref(),
                &resource_type,
                &name,
                instance.index_key.as_ref(),
            );
            resources.push(state_resource(
                (&provider, &resource_type, id),
                address,
                attrs,
                source,
            ));
            configs.push(config.clone());
        }
    }
    provider_regions(&mut resources, &configs);
    StateFile {
        path: source.to_string(),
        serial: raw.serial.unwrap_or(0),
        lineage: raw.lineage.unwrap_or_default(),
        terraform_version: raw.terraform_version.unwrap_or_default(),
        resources,
        data_sources,
    }
}

/// One resource instance as state records it: its key (`provider`, type, id), its address, and
/// the region or scope its attributes place it in, as each provider's listing names it.
pub(crate) fn state_resource(
    (provider, resource_type, id): (&str, &str, String),
    address: String,
    attrs: Attrs,
    source: &str,
) -> Resource {
    Resource {
        key: ResourceKey {
            provider: provider.to_string(),
            resource_type: resource_type.to_string(),
            id,
        },
        address: Some(address),
        region: if resource_type.starts_with("google_") {
            google_scope(&attrs)
        } else {
            region_of(resource_type, &attrs)
        },
        source: Some(source.to_string()),
        cloud_default: false,
        attrs,
    }
}

/// An instance's attributes. Flat attributes (`"tags.%": "2"`) hold every value as a string and
/// nested values under dotted keys, so comparing them would report false drift; only what
/// identifies and places the resource is kept, and the rest is compared once Terraform refreshes
/// the instance into the `attributes` form.
fn instance_attrs(
    attributes: Option<Attrs>,
    flat: Option<BTreeMap<String, Value>>,
) -> Option<Attrs> {
    if let Some(attributes) = attributes {
        return Some(attributes);
    }
    let flat = flat?;
    Some(
        flat.into_iter()
            .filter(|(k, v)| {
                ["id", "arn", "availability_zone"].contains(&k.as_str()) && v.is_string()
            })
            .collect(),
    )
}

/// The provider's short name from a resource's provider configuration address:
/// `provider["registry.terraform.io/hashicorp/aws"]` (with an optional `.alias` suffix or a
/// `module.x.` prefix) or the 0.12 form `provider.aws` / `provider.aws.west`. Anything else falls
/// back to the resource type's prefix, which is how Terraform itself infers a provider.
pub(crate) fn provider_name(provider: &str, resource_type: &str) -> String {
    if let Some(name) = registry_provider(provider).or_else(|| legacy_provider(provider)) {
        return name.to_string();
    }
    resource_type
        .split('_')
        .next()
        .unwrap_or(resource_type)
        .to_string()
}

fn registry_provider(provider: &str) -> Option<&str> {
    const OPEN: &str = "provider[\"";
    let (at, _) = provider
        .match_indices(OPEN)
        .find(|(at, _)| *at == 0 || provider[..*at].ends_with('.'))?;
    let rest = &provider[at + OPEN.len()..];
    let source = &rest[..rest.find("\"]")?];
    source.rsplit('/').next().filter(|name| !name.is_empty())
}

fn legacy_provider(provider: &str) -> Option<&str> {
    let segments: Vec<&str> = provider.split('.').collect();
    let mut i = 0;
    while i < segments.len() {
        match segments[i] {
            // A module name may itself be `provider`: skip the name with its keyword.
            "module" => i += 2,
            "provider" => return segments.get(i + 1).copied().filter(|n| !n.is_empty()),
            _ => return None,
        }
    }
    None
}

/// The address as Terraform writes it: `module.a.module.b.aws_instance.web[0]`,
/// `aws_instance.web["blue"]`.
pub(crate) fn address(
    module: Option<&str>,
    resource_type: &str,
    name: &str,
    index: Option<&Value>,
) -> String {
    let mut out = String::with_capacity(
        module.map_or(0, |m| m.len() + 1) + resource_type.len() + name.len() + 12,
    );
    if let Some(module) = module.filter(|m| !m.is_empty()) {
        out.push_str(module);
        out.push('.');
    }
    out.push_str(resource_type);
    out.push('.');
    out.push_str(name);
    match index {
        Some(Value::Number(n)) => {
            let _ = write!(out, "[{n}]");
        }
        Some(Value::String(key)) => {
            out.push('[');
            push_hcl_quoted(&mut out, key);
            out.push(']');
        }
        _ => {}
    }
    out
}

/// Quotes a string key the way Terraform does in addresses, so that an address driftd prints can
/// be pasted into `terraform state show`: HCL escapes, with `${` and `%{` doubled so they are not
/// read as templates.
pub(crate) fn push_hcl_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if chars.peek() == Some(&'{') {
                    out.push(c);
                }
            }
            c if c.is_control() => {
                let code = u32::from(c);
                let _ = if code < 0x10000 {
                    write!(out, "\\u{code:04x}")
                } else {
                    write!(out, "\\U{code:08x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Places AWS resources whose attributes record no region (an `aws_eip`, a security group rule)
/// in their provider configuration's region, when the state shows it: one AWS provider
/// configuration works in one region, so when every resource of the same configuration that
/// records a region records the same one, that is the configuration's region. Configurations
/// whose resources disagree (or record none) leave their resources unplaced.
pub(crate) fn provider_regions(resources: &mut [Resource], configs: &[String]) {
    let mut seen: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for (r, config) in resources.iter().zip(configs) {
        if r.key.provider != "aws" {
            continue;
        }
        let Some(region) = r.region.as_deref().filter(|g| *g != AWS_GLOBAL_SCOPE) else {
            continue;
        };
        seen.entry(config.as_str())
            .and_modify(|known| {
                if *known != Some(region) {
                    *known = None;
                }
            })
            .or_insert(Some(region));
    }
    let regions: BTreeMap<String, String> = seen
        .into_iter()
        .filter_map(|(config, region)| Some((config.to_string(), region?.to_string())))
        .collect();
    // Global services and S3 (whose bucket names are global and which records a bucket's region
    // itself) are not the configuration's region.
    let global = |t: &str| {
        [
            "aws_iam_",
            "aws_s3_",
            "aws_route53_",
            "aws_cloudfront_",
            "aws_organizations_",
        ]
        .iter()
        .any(|p| t.starts_with(p))
    };
    for (r, config) in resources.iter_mut().zip(configs) {
        if r.key.provider == "aws" && r.region.is_none() && !global(&r.key.resource_type) {
            r.region = regions.get(config).cloned();
        }
    }
}

/// Types of AWS's global services. Route 53 Resolver is regional, as its ARNs say.
fn aws_global_type(resource_type: &str) -> bool {
    resource_type.starts_with("aws_iam_")
        || resource_type.starts_with("aws_cloudfront_")
        || (resource_type.starts_with("aws_route53_")
            && !resource_type.starts_with("aws_route53_resolver_"))
}

/// The scope the AWS provider lists IAM in (`driftd_aws::GLOBAL_SCOPE`): IAM resources are placed
/// there, so that a complete IAM listing can prove one missing.
const AWS_GLOBAL_SCOPE: &str = "global";

/// The region from the resource's ARN, or else from its availability zone. IAM, Route 53 and
/// CloudFront are global (their ARNs have no region): [`AWS_GLOBAL_SCOPE`]. S3 ARNs have no region either, but a bucket (and,
/// from provider v6, each of its settings) records the region it lives in as `region`.
fn region_of(resource_type: &str, attrs: &Attrs) -> Option<String> {
    if aws_global_type(resource_type) {
        return Some(AWS_GLOBAL_SCOPE.to_string());
    }
    if resource_type.starts_with("aws_s3_") {
        if let Some(region) = attrs
            .get("region")
            .and_then(Value::as_str)
            .filter(|r| !r.is_empty())
        {
            return Some(region.to_string());
        }
    }
    if let Some(region) = attrs
        .get("arn")
        .and_then(Value::as_str)
        .and_then(arn_region)
    {
        return Some(region.to_string());
    }
    if let Some(region) = attrs
        .get("availability_zone")
        .and_then(Value::as_str)
        .and_then(zone_region)
    {
        return Some(region.to_string());
    }
    // An SQS queue policy records only its queue's URL: `https://sqs.REGION.amazonaws.com/...`.
    ["queue_url", "url", "id"]
        .iter()
        .filter_map(|k| attrs.get(*k).and_then(Value::as_str))
        .find_map(sqs_url_region)
        .map(str::to_string)
}

/// The region of a regional SQS endpoint's queue URL (`https://sqs.eu-west-1.amazonaws.com/1/q`);
/// none for the legacy global host `queue.amazonaws.com` or another host.
fn sqs_url_region(url: &str) -> Option<&str> {
    let host = url.strip_prefix("https://")?.split('/').next()?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    host.contains(".amazonaws.com").then_some(region)
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`; global services (IAM, S3) leave the region
/// empty.
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(5, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let _service = parts.next()?;
    let region = parts.next()?;
    let _account_and_resource = parts.next()?;
    (!region.is_empty()).then_some(region)
}

/// The scope a `google_*` resource is listed in, as driftd's GCP provider names it:
/// `PROJECT/ZONE`, `PROJECT/REGION` or `PROJECT/global`. Read from the id
/// (`projects/P/zones/Z/instances/N`) or the self link, else from `project` with `zone` or
/// `region` (a bucket, whose id is its name, is `PROJECT/global`).
fn google_scope(attrs: &Attrs) -> Option<String> {
    let text = |k: &str| {
        attrs
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    for link in [text("id"), text("self_link")].into_iter().flatten() {
        let Some(at) = link.find("projects/") else {
            continue;
        };
        let mut parts = link[at..].split('/').skip(1);
        let (Some(project), Some(kind)) = (parts.next(), parts.next()) else {
            continue;
        };
        match (kind, parts.next()) {
            ("global", _) => return Some(format!("{project}/global")),
            ("zones" | "regions", Some(location)) if !location.is_empty() => {
                return Some(format!("{project}/{location}"))
            }
            // A GKE cluster or node pool (`projects/P/locations/L/clusters/C`) is listed in
            // the region of its location, a zone or a region.
            ("locations", Some(location)) if parts.next() == Some("clusters") => {
                return Some(format!("{project}/{}", google_region(location)))
            }
            _ => {}
        }
    }
    let project = text("project")?;
    let location = text("zone").or_else(|| text("region")).unwrap_or("global");
    Some(format!("{project}/{location}"))
}

/// The region of a Google location: `us-central1-a` → `us-central1` (a zone is its region and a
/// one-letter suffix); a region is itself.
fn google_region(location: &str) -> &str {
    match location.rsplit_once('-') {
        Some((region, zone)) if zone.len() == 1 && region.contains('-') => region,
        _ => location,
    }
}

/// `us-east-1a` → `us-east-1`. A Local Zone (`us-east-1-bos-1a`) belongs to the region before it,
/// so the region ends at the first all-digit segment (`us-gov-west-1b` → `us-gov-west-1`).
fn zone_region(zone: &str) -> Option<&str> {
    let trimmed = zone.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if trimmed.len() == zone.len() {
        return None;
    }
    let mut end = 0;
    for (i, segment) in trimmed.split('-').enumerate() {
        end += segment.len();
        if i > 0 && !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            return Some(&trimmed[..end]);
        }
        end += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/tfstate")
            .join(name)
    }

    fn fixture_bytes(name: &str) -> Vec<u8> {
        fs::read(fixture(name)).expect("fixture is readable")
    }

    fn parse(name: &str) -> StateFile {
        parse_state(&fixture_bytes(name), &format!("states/{name}")).expect("fixture parses")
    }

    fn by_address<'a>(state: &'a StateFile, address: &str) -> &'a Resource {
        state
            .resources
            .iter()
            .find(|r| r.address.as_deref() == Some(address))
            .unwrap_or_else(|| panic!("no resource at {address}"))
    }

    fn err(bytes: &[u8]) -> String {
        match parse_state(bytes, "states/prod.tfstate") {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn simple_state_maps_every_managed_resource() {
        let state = parse("simple.tfstate");
        assert_eq!(state.path, "states/simple.tfstate");
        assert_eq!(state.serial, 7);
        assert_eq!(state.lineage, "3f9c2a1e-5b7d-4c8e-9a0f-1b2c3d4e5f60");
        assert_eq!(state.terraform_version, "1.9.8");
        assert_eq!(state.data_sources, 0);
        let got: Vec<(&str, &str, &str, Option<&str>)> = state
            .resources
            .iter()
            .map(|r| {
                (
                    r.address.as_deref().unwrap_or(""),
                    r.key.resource_type.as_str(),
                    r.key.id.as_str(),
                    r.region.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "aws_ebs_volume.data",
                    "aws_ebs_volume",
                    "vol-0e5f60718293a4b5c",
                    Some("us-east-1")
                ),
                (
                    "aws_instance.web",
                    "aws_instance",
                    "i-0d4e5f60718293a4b",
                    Some("us-east-1")
                ),
                (
                    "aws_security_group.web",
                    "aws_security_group",
                    "sg-0c3d4e5f607182930",
                    Some("us-east-1")
                ),
                (
                    "aws_subnet.public",
                    "aws_subnet",
                    "subnet-0b2c3d4e5f6071829",
                    Some("us-east-1")
                ),
                (
                    "aws_vpc.main",
                    "aws_vpc",
                    "vpc-0a1b2c3d4e5f60718",
                    Some("us-east-1")
                ),
            ]
        );
        for r in &state.resources {
            assert_eq!(r.key.provider, "aws");
            assert_eq!(r.source.as_deref(), Some("states/simple.tfstate"));
            assert!(!r.cloud_default);
        }
    }

    #[test]
    fn attributes_are_kept_as_terraform_wrote_them() {
        let state = parse("simple.tfstate");
        let web = by_address(&state, "aws_instance.web");
        assert_eq!(web.attrs["instance_type"], json!("t3.micro"));
        assert_eq!(
            web.attrs["vpc_security_group_ids"],
            json!(["sg-0c3d4e5f607182930"])
        );
        assert_eq!(web.attrs["tags_all"]["ManagedBy"], json!("terraform"));
        assert_eq!(web.attrs["root_block_device"][0]["volume_size"], json!(20));
        assert_eq!(web.attrs["timeouts"], Value::Null);
        let sg = by_address(&state, "aws_security_group.web");
        assert_eq!(
            sg.attrs["ingress"][1],
            json!({
                "cidr_blocks": ["0.0.0.0/0"], "description": "HTTPS", "from_port": 443,
                "ipv6_cidr_blocks": ["::/0"], "prefix_list_ids": [], "protocol": "tcp",
                "security_groups": [], "self": false, "to_port": 443
            })
        );
    }

    #[test]
    fn modules_count_for_each_and_other_providers() {
        let state = parse("modules.tfstate");
        assert_eq!(state.serial, 42);
        assert_eq!(state.data_sources, 1);
        let addresses: Vec<&str> = state
            .resources
            .iter()
            .filter_map(|r| r.address.as_deref())
            .collect();
        assert_eq!(
            addresses,
            vec![
                "aws_instance.bastion",
                "aws_instance.legacy",
                "aws_instance.replica",
                "random_id.suffix",
                "module.app.aws_security_group.app",
                "module.app.module.web.aws_instance.server[\"blue\"]",
                "module.app.module.web.aws_instance.server[\"green\"]",
                "module.cache[\"eu\"].aws_security_group.redis",
                "module.network.aws_subnet.private[0]",
                "module.network.aws_subnet.private[1]",
                "module.network.aws_subnet.private[2]",
                "module.network.aws_vpc.this",
            ]
        );
        let random = by_address(&state, "random_id.suffix");
        assert_eq!(random.key.provider, "random");
        assert_eq!(random.key.id, "q1w2ZQ");
        assert_eq!(random.region, None);
        let replica = by_address(&state, "aws_instance.replica");
        assert_eq!(replica.key.provider, "aws");
        assert_eq!(replica.region.as_deref(), Some("us-west-2"));
        let subnet = by_address(&state, "module.network.aws_subnet.private[2]");
        assert_eq!(subnet.key.id, "subnet-0cc1b2c3d4e5f6a7b");
        assert_eq!(subnet.attrs["availability_zone"], json!("us-east-1c"));
    }

    #[test]
    fn tainted_instances_count_and_deposed_ones_do_not() {
        let state = parse("modules.tfstate");
        // Tainted: still exists in the cloud, still owned by the code.
        assert_eq!(
            by_address(&state, "aws_instance.bastion").key.id,
            "i-0ba5710fa5710fa57"
        );
        let legacy: Vec<&str> = state
            .resources
            .iter()
            .filter(|r| r.address.as_deref() == Some("aws_instance.legacy"))
            .map(|r| r.key.id.as_str())
            .collect();
        assert_eq!(legacy, vec!["i-0e1e2e3e4e5e6e7e8"]);
    }

    #[test]
    fn provider_names_from_every_address_form() {
        let cases = [
            ("provider[\"registry.terraform.io/hashicorp/aws\"]", "aws"),
            (
                "provider[\"registry.terraform.io/hashicorp/aws\"].west",
                "aws",
            ),
            (
                "module.net.provider[\"registry.terraform.io/hashicorp/google\"]",
                "google",
            ),
            ("provider[\"example.com/acme/cloud\"]", "cloud"),
            ("provider[\"registry.terraform.io/-/aws\"]", "aws"),
            ("provider.aws", "aws"),
            ("provider.aws.west", "aws"),
            ("module.provider.provider.azurerm", "azurerm"),
            ("", "aws"),
            ("something else", "aws"),
            ("provider[\"unterminated", "aws"),
        ];
        for (provider, want) in cases {
            assert_eq!(provider_name(provider, "aws_instance"), want, "{provider}");
        }
        assert_eq!(provider_name("", "null"), "null");
    }

    #[test]
    fn addresses_quote_string_keys_like_terraform() {
        let a =
            |module: Option<&str>, key: Value| address(module, "aws_instance", "web", Some(&key));
        assert_eq!(a(None, json!(3)), "aws_instance.web[3]");
        assert_eq!(a(None, json!("blue")), "aws_instance.web[\"blue\"]");
        assert_eq!(
            a(None, json!("say \"hi\"\\\n")),
            r#"aws_instance.web["say \"hi\"\\\n"]"#
        );
        assert_eq!(
            a(None, json!("${x} %{y} $z")),
            r#"aws_instance.web["$${x} %%{y} $z"]"#
        );
        assert_eq!(a(None, json!("\u{7}")), r#"aws_instance.web["\u0007"]"#);
        assert_eq!(
            a(Some("module.a[0].module.b"), json!(0)),
            "module.a[0].module.b.aws_instance.web[0]"
        );
        assert_eq!(address(Some(""), "aws_vpc", "main", None), "aws_vpc.main");
    }

    #[test]
    fn regions_from_arn_then_zone() {
        let region = |attrs: Value| {
            let attrs: Attrs = serde_json::from_value(attrs).expect("object");
            region_of("aws_instance", &attrs)
        };
        assert_eq!(
            region(
                json!({"arn": "arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-1", "availability_zone": "us-east-1a"})
            ),
            Some("eu-west-1".to_string())
        );
        // Global ARN (S3, IAM): the zone, if any, decides.
        assert_eq!(region(json!({"arn": "arn:aws:s3:::bucket"})), None);
        assert_eq!(
            region(
                json!({"arn": "arn:aws:iam::123456789012:role/x", "availability_zone": "eu-central-1b"})
            ),
            Some("eu-central-1".to_string())
        );
        let zone = |z: &str| region(json!({ "availability_zone": z }));
        assert_eq!(zone("us-east-1a"), Some("us-east-1".to_string()));
        assert_eq!(zone("us-gov-west-1b"), Some("us-gov-west-1".to_string()));
        assert_eq!(zone("cn-north-1a"), Some("cn-north-1".to_string()));
        assert_eq!(zone("us-east-1-bos-1a"), Some("us-east-1".to_string()));
        assert_eq!(zone("us-east-1"), None);
        assert_eq!(zone(""), None);
        assert_eq!(zone("a"), None);
        assert_eq!(zone("1a"), None);
        assert_eq!(region(json!({"arn": "not-an-arn"})), None);
        assert_eq!(region(json!({"arn": 7, "availability_zone": null})), None);
    }

    #[test]
    fn google_resources_carry_the_gcp_provider_scope() {
        let scope = |v: Value| {
            let attrs: Attrs = v
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .collect();
            google_scope(&attrs)
        };
        let s = |x: &str| Some(x.to_string());
        assert_eq!(
            scope(json!({"id": "projects/p1/zones/us-central1-a/instances/web", "zone": "x"})),
            s("p1/us-central1-a")
        );
        assert_eq!(
            scope(json!({"id": "projects/p1/regions/europe-west1/subnetworks/app"})),
            s("p1/europe-west1")
        );
        assert_eq!(
            scope(json!({"id": "projects/p1/global/firewalls/allow-ssh"})),
            s("p1/global")
        );
        // An id in an older form: the self link decides.
        assert_eq!(
            scope(json!({"id": "web", "self_link":
                "https://www.googleapis.com/compute/v1/projects/p2/zones/us-east1-b/disks/web"})),
            s("p2/us-east1-b")
        );
        // A bucket: its id is its name.
        assert_eq!(
            scope(json!({"id": "logs", "project": "p1", "self_link":
                "https://www.googleapis.com/storage/v1/b/logs"})),
            s("p1/global")
        );
        assert_eq!(
            scope(json!({"id": "x", "project": "p", "zone": "z-1-a"})),
            s("p/z-1-a")
        );
        assert_eq!(scope(json!({"id": "x"})), None);
        // GKE: a zonal cluster and a regional cluster's node pool, in their region; other
        // `locations/` ids (a KMS key ring) stay global as before.
        assert_eq!(
            scope(json!({"id": "projects/p1/locations/us-central1-a/clusters/c1"})),
            s("p1/us-central1")
        );
        assert_eq!(
            scope(json!({"id": "projects/p1/locations/europe-west1/clusters/c2/nodePools/np"})),
            s("p1/europe-west1")
        );
        assert_eq!(
            scope(json!({"id": "projects/p1/locations/us/keyRings/r", "project": "p1"})),
            s("p1/global")
        );

        let state = parse_state(
            br#"{"version": 4, "resources": [{"mode": "managed", "type": "google_compute_disk",
                "name": "d", "provider": "provider[\"registry.terraform.io/hashicorp/google\"]",
                "instances": [{"attributes": {"id": "projects/p/zones/us-east1-b/disks/d"}}]}]}"#,
            "s.tfstate",
        )
        .expect("state parses");
        assert_eq!(state.resources[0].key.provider, "google");
        assert_eq!(state.resources[0].region.as_deref(), Some("p/us-east1-b"));
    }

    #[test]
    fn unregioned_resources_take_their_provider_configurations_region() {
        let doc = json!({
            "version": 4, "serial": 1, "lineage": "l", "terraform_version": "1.5.0",
            "resources": [
                {"mode": "managed", "type": "aws_subnet", "name": "a",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"attributes": {"id": "subnet-1", "availability_zone": "eu-west-3a"}}]},
                {"mode": "managed", "type": "aws_eip", "name": "ip",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"attributes": {"id": "eipalloc-1"}}]},
                {"mode": "managed", "type": "aws_eip", "name": "far",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"].west",
                 "instances": [{"attributes": {"id": "eipalloc-2"}}]},
                {"mode": "managed", "type": "aws_instance", "name": "w1",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"].mixed",
                 "instances": [{"attributes": {"id": "i-1", "availability_zone": "us-east-1a"}}]},
                {"mode": "managed", "type": "aws_instance", "name": "w2",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"].mixed",
                 "instances": [{"attributes": {"id": "i-2", "availability_zone": "us-west-2a"}}]},
                {"mode": "managed", "type": "aws_security_group_rule", "name": "r",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"].mixed",
                 "instances": [{"attributes": {"id": "sgrule-1"}}]},
                {"mode": "managed", "type": "aws_s3_bucket_versioning", "name": "v",
                 "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                 "instances": [{"attributes": {"id": "logs"}}]}
            ]
        });
        let state = parse_state(doc.to_string().as_bytes(), "s.tfstate").unwrap();
        let region = |id: &str| {
            state
                .resources
                .iter()
                .find(|r| r.key.id == id)
                .and_then(|r| r.region.clone())
        };
        assert_eq!(region("eipalloc-1").as_deref(), Some("eu-west-3"));
        // Another configuration (an alias) with nothing that records its region.
        assert_eq!(region("eipalloc-2"), None);
        // A configuration whose resources disagree says nothing.
        assert_eq!(region("sgrule-1"), None);
        // Bucket names are global; S3 settings are not placed by the configuration.
        assert_eq!(region("logs"), None);
    }

    #[test]
    fn iam_is_global_and_buckets_say_their_region() {
        let region = |resource_type: &str, attrs: Value| {
            let attrs: Attrs = serde_json::from_value(attrs).expect("object");
            region_of(resource_type, &attrs)
        };
        let role = json!({"arn": "arn:aws:iam::123456789012:role/app", "name": "app"});
        assert_eq!(region("aws_iam_role", role), Some("global".into()));
        assert_eq!(
            region("aws_iam_role_policy_attachment", json!({"role": "app"})),
            Some("global".into())
        );
        let bucket = json!({"arn": "arn:aws:s3:::logs", "region": "eu-west-1"});
        assert_eq!(region("aws_s3_bucket", bucket), Some("eu-west-1".into()));
        // A v5 setting does not say: unknown, provable only by every scope listed.
        assert_eq!(
            region("aws_s3_bucket_versioning", json!({"bucket": "logs"})),
            None
        );
        // Other types keep reading the ARN and zone only.
        assert_eq!(region("aws_instance", json!({"region": "eu-west-1"})), None);
        // Route 53 and CloudFront are global; Route 53 Resolver is not.
        assert_eq!(
            region("aws_route53_record", json!({"zone_id": "Z1"})),
            Some("global".into())
        );
        assert_eq!(
            region(
                "aws_route53_resolver_endpoint",
                json!({"arn": "arn:aws:route53resolver:eu-west-1:1:resolver-endpoint/r"})
            ),
            Some("eu-west-1".into())
        );
        // A queue policy says its region only in its queue's URL.
        let policy =
            json!({"queue_url": "https://sqs.ap-south-1.amazonaws.com/1/jobs", "policy": "{}"});
        assert_eq!(
            region("aws_sqs_queue_policy", policy),
            Some("ap-south-1".into())
        );
        let legacy = json!({"queue_url": "https://queue.amazonaws.com/1/jobs"});
        assert_eq!(region("aws_sqs_queue_policy", legacy), None);
        assert_eq!(
            region(
                "aws_sqs_queue_policy",
                json!({"id": "http://127.0.0.1:5000/1/q"})
            ),
            None
        );
    }

    #[test]
    fn tolerant_of_missing_and_unknown_fields() {
        let state = parse_state(br#"{"version": 4, "future": {"x": 1}}"#, "s.tfstate")
            .expect("minimal state parses");
        assert!(state.resources.is_empty());
        assert_eq!(state.serial, 0);
        assert_eq!(state.lineage, "");
        let state = parse_state(
            br#"{"version": 4, "serial": 3, "resources": [
                {"mode": "managed", "type": "aws_vpc", "name": "a", "provider": "provider.aws",
                 "new_field": true,
                 "instances": [
                    {"schema_version": 1, "attributes": {"id": "vpc-1", "new_attr": {"deep": [1]}}, "identity": {}},
                    {"attributes": {"id": 12}},
                    {"attributes": {"id": ""}},
                    {"attributes": {"cidr_block": "10.0.0.0/8"}},
                    {"schema_version": 1}
                 ]},
                {"mode": "managed", "type": "aws_vpc", "name": "none"},
                {"mode": "managed", "name": "typeless", "instances": [{"attributes": {"id": "x"}}]},
                {"mode": "ephemeral", "type": "aws_x", "name": "e", "instances": [{"attributes": {"id": "x"}}]}
            ]}"#,
            "s.tfstate",
        )
        .expect("parses");
        assert_eq!(state.resources.len(), 1);
        assert_eq!(state.resources[0].key.id, "vpc-1");
        assert_eq!(state.resources[0].attrs["new_attr"], json!({"deep": [1]}));
        assert_eq!(state.resources[0].region, None);
    }

    #[test]
    fn flat_attributes_keep_identity_only() {
        let state = parse_state(
            br#"{"version": 4, "resources": [{"mode": "managed", "type": "aws_instance",
                "name": "web", "provider": "provider.aws", "instances": [{"schema_version": 1,
                "attributes_flat": {"id": "i-1", "availability_zone": "eu-west-1a",
                "instance_type": "t2.micro", "tags.%": "1", "tags.Name": "web"}}]}]}"#,
            "old.tfstate",
        )
        .expect("parses");
        let r = &state.resources[0];
        assert_eq!(r.key.id, "i-1");
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            r.attrs.keys().map(String::as_str).collect::<Vec<_>>(),
            vec!["availability_zone", "id"]
        );
    }

    #[test]
    fn byte_order_mark_is_ignored() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(fixture_bytes("simple.tfstate"));
        assert_eq!(parse_state(&bytes, "s").expect("parses").resources.len(), 5);
    }

    #[test]
    fn version_3_is_refused_with_advice() {
        let e = err(&fixture_bytes("v3.tfstate"));
        assert_eq!(
            e,
            "states/prod.tfstate: unsupported state format version 3; driftd reads version 4 \
             (Terraform 0.12 and later): run `terraform state pull` with a current Terraform"
        );
        let e = err(br#"{"version": 5, "resources": []}"#);
        assert!(e.contains("unsupported state format version 5"), "{e}");
        assert!(e.contains("upgrade driftd"), "{e}");
        // The version wins over a complaint about a layout driftd does not know.
        let e = err(br#"{"version": 2, "resources": {"a": 1}}"#);
        assert!(e.contains("unsupported state format version 2"), "{e}");
    }

    #[test]
    fn truncated_fixture_says_truncated() {
        let e = err(&fixture_bytes("truncated.tfstate"));
        assert!(
            e.starts_with("states/prod.tfstate: truncated JSON (file ends at line 103)"),
            "{e}"
        );
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let cases: [(&[u8], &str); 13] = [
            (b"", "empty file"),
            (b"  \n", "empty file"),
            (b"hello", "not valid JSON at line 1 column 1: expected value (is this a Terraform state file?)"),
            (b"{\n  \"version\": 4,\n  ]", "not valid JSON at line 3 column 3"),
            (b"{\"version\": 4} x", "trailing characters"),
            (b"[1, 2]", "not a Terraform state: the file holds a JSON value that is not an object"),
            (b"[1, 2", "truncated JSON (file ends at line 1)"),
            (b"\"state\"", "not an object"),
            (b"{\"serial\": 1}", "no `version` field"),
            (b"{\"version\": \"4\"}", "`version` is \"4\", expected the number 4"),
            (b"{\"version\": 4, \"resources\": [{\"instances\": {}}]}", "not a Terraform state: invalid type: map, expected a sequence at line 1 column 43"),
            // OpenTofu's encrypted envelope (state encryption, OpenTofu 1.7+).
            (br#"{"serial": 3, "lineage": "l", "meta": {"key_provider.pbkdf2.ops": "e30="}, "encrypted_data": "QUJD", "encryption_version": "v0"}"#, "encrypted by OpenTofu (key_provider.pbkdf2.ops); driftd cannot read it"),
            (br#"{"encrypted_data": "QUJD", "encryption_version": "v0"}"#, "encrypted by OpenTofu (no key provider named)"),
        ];
        for (bytes, want) in cases {
            let e = err(bytes);
            assert!(e.starts_with("states/prod.tfstate: "), "{e}");
            assert!(e.contains(want), "{e:?} should contain {want:?}");
        }
    }

    #[test]
    fn missing_file_is_a_read_error() {
        let path = fixture("no-such.tfstate");
        let e = read_state_file(&path).expect_err("missing").to_string();
        assert!(
            e.contains("no-such.tfstate: cannot read file: No such file or directory"),
            "{e}"
        );
        assert!(!e.contains("os error"), "{e}");
    }

    #[test]
    fn every_prefix_of_a_state_is_an_error_not_a_panic() {
        for name in ["simple.tfstate", "modules.tfstate"] {
            let bytes = fixture_bytes(name);
            let complete = bytes.trim_ascii_end().len();
            // Every cut of a large file costs a full parse; a stride still hits every token kind.
            let stride = if bytes.len() > 20_000 { 31 } else { 1 };
            for cut in (0..complete).step_by(stride) {
                match parse_state(&bytes[..cut], name) {
                    Err(StateError::Truncated { .. } | StateError::Empty { .. }) => {}
                    Err(other) => panic!("cut at {cut}: unexpected error {other}"),
                    Ok(_) => panic!("cut at {cut}: a prefix parsed"),
                }
            }
            assert!(parse_state(&bytes[..complete], name).is_ok());
        }
    }

    #[test]
    fn corrupted_bytes_never_panic() {
        let original = fixture_bytes("modules.tfstate");
        // xorshift: deterministic, so a failure reproduces.
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let mut bytes = original.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = (next() % 256) as u8;
            }
            // Either outcome is fine; returning is what is tested.
            let _ = parse_state(&bytes, "fuzz.tfstate");
        }
    }
}
