//! Terraform code (HCL) as expected resources: what the code means, before any apply.
//!
//! This module owns reading a root module directory and the local modules it calls into
//! [`CodeResource`]s, one per resource instance, addressed as Terraform addresses them
//! (`module.net.aws_subnet.this["a"]`). It is split by stage:
//! - [`parse`](self::parse): finding and parsing `.tf` and `.tfvars` files, syntax errors with
//!   `file:line:col`, and sorting a directory's blocks into a [`parse::ModuleSource`]; most files
//!   are read by [`fastparse`](self::fastparse), the rest by hcl-rs;
//! - [`prepare`](self::prepare): rewriting expressions once so that evaluating them is cheap;
//! - [`eval`](self::eval): HCL values to JSON, variables with Terraform's precedence, locals;
//! - [`functions`](self::functions): the built-in functions driftd evaluates;
//! - [`expand`](self::expand): module calls, `count` / `for_each`, `dynamic` blocks, providers.
//!
//! Anything the code alone cannot tell (a reference to another resource, a data source, a module
//! output, an unsupported function, a variable without a value) is [`Attr::Unknown`]: callers
//! never compare it. An attribute partly unknown is unknown as a whole.

mod eval;
mod expand;
mod fastparse;
mod functions;
mod parse;
mod prepare;
mod value;

pub use parse::{differential, Differential};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One attribute value as the code declares it.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// Evaluated from the code alone; nested blocks are arrays of objects, as state writes them.
    Known(Value),
    /// Depends on something known only after apply or that driftd cannot evaluate; never
    /// compared. `reason` says what, for `driftd explain`.
    Unknown { reason: String },
}

impl Attr {
    /// The value, when known.
    pub fn known(&self) -> Option<&Value> {
        match self {
            Attr::Known(value) => Some(value),
            Attr::Unknown { .. } => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown { .. })
    }
}

/// Where a block was declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePos {
    /// The file as the module directory given to [`load_module`] joined with its name.
    pub file: String,
    /// One-based line of the block's first token.
    pub line: usize,
}

/// One resource instance declared by the code.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeResource {
    /// Terraform address: `module.net.aws_subnet.this["a"]`, `aws_instance.web[0]`.
    pub address: String,
    /// The module instance path (`module.net`, `module.app[0]`), empty for the root module.
    pub module_path: String,
    pub resource_type: String,
    pub name: String,
    /// `count` index (a number) or `for_each` key (a string), as state writes `index_key`.
    pub index_key: Option<Value>,
    /// Provider name (`aws`), after module `providers` mappings.
    pub provider: String,
    /// The root module's provider alias the resource uses, `None` for the default configuration.
    pub provider_alias: Option<String>,
    /// The `region` of that provider configuration, when set and known.
    pub region: Option<String>,
    /// Arguments and nested blocks, meta-arguments (`count`, `for_each`, `provider`,
    /// `depends_on`, `lifecycle`, provisioners) left out.
    pub attributes: BTreeMap<String, Attr>,
    /// `lifecycle { ignore_changes = [...] }` as attribute paths (`tags.Name`, `ingress`);
    /// `["all"]` for `ignore_changes = all`.
    pub ignore_changes: Vec<String>,
    pub source: SourcePos,
}

impl CodeResource {
    /// The attributes whose value is known, in the shape of [`driftd_core::Attrs`].
    pub fn known_attrs(&self) -> driftd_core::Attrs {
        self.attributes
            .iter()
            .filter_map(|(k, v)| v.known().map(|v| (k.clone(), v.clone())))
            .collect()
    }
}

/// A `provider` block.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// `aws`.
    pub name: String,
    pub alias: Option<String>,
    /// `region`, when set and known.
    pub region: Option<String>,
    /// Module instance path of the block, empty for the root module.
    pub module_path: String,
    pub source: SourcePos,
}

/// `terraform { backend "TYPE" { ... } }` of the root module.
#[derive(Debug, Clone, PartialEq)]
pub struct Backend {
    /// `s3`, `http`, `local`, ...
    pub backend_type: String,
    /// Settings whose value is known (backend settings cannot reference variables, so an unknown
    /// one is reported in the warnings).
    pub settings: BTreeMap<String, Value>,
    pub source: SourcePos,
}

/// A root module, read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CodeModule {
    /// Resource instances (managed resources only; data sources are not resources to compare),
    /// in declaration order: files by name, blocks in file order, instances by index or key.
    pub resources: Vec<CodeResource>,
    pub providers: Vec<ProviderConfig>,
    pub backend: Option<Backend>,
    /// What was read but not fully understood: a remote module source, a variable without a
    /// value, a `count` that is not known. Each names its file and what it means.
    pub warnings: Vec<String>,
    /// Module calls and resource blocks whose instances could not be evaluated: a remote module
    /// not on disk, a `count` or `for_each` not known from code. State resources under them are
    /// neither declared nor undeclared; reports count them as "not evaluated".
    pub unread: Vec<Unread>,
}

/// A module call or resource block whose instances the code alone cannot tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Unread {
    /// `module.net` or `module.net.aws_subnet.this` (with its module instance path).
    pub address: String,
    /// The resource type for a resource block, `None` for a module call (whose resources are
    /// not known at all).
    pub resource_type: Option<String>,
    /// Why, in a few words a person can act on: "`count` depends on
    /// `data.aws_availability_zones.this` (known only after apply)".
    pub reason: String,
    pub source: SourcePos,
}

/// What the caller passes that Terraform would take from its command line and environment.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `-var-file` files, in command-line order, applied after `terraform.tfvars` and
    /// `*.auto.tfvars`. Relative paths are resolved against the module directory.
    pub var_files: Vec<PathBuf>,
    /// `-var NAME=VALUE` pairs, applied last; values are read as `TF_VAR_` values are.
    pub vars: Vec<(String, String)>,
    /// The environment to take `TF_VAR_NAME` values from (the library never reads the process
    /// environment itself).
    pub env: BTreeMap<String, String>,
    /// The workspace name `terraform.workspace` evaluates to; `default` when empty.
    pub workspace: String,
    /// Bounds on what one load reads and builds.
    pub limits: Limits,
}

/// Bounds on what one load may read and build, so that one odd or hostile module is a clear
/// error for its target, never a process out of memory. Nesting depth is bounded by the parser
/// itself (64 levels, 128 chained operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest `.tf`, `.tfvars` or module manifest file read, in bytes.
    pub max_file_bytes: u64,
    /// The most instances one `count` or `for_each` may ask for.
    pub max_instances: u64,
    /// The most resource instances one load may declare, all modules together.
    pub max_resources: usize,
    /// The most elements the `for` expressions of one attribute may iterate over in all
    /// (nested loops multiply), and the most elements (list items and map entries at every
    /// depth) one evaluated value may hold; past it the attribute is unknown, with the reason.
    pub max_elements: u64,
    /// The longest string a function or template may build, in bytes (`format("%9999999d")`,
    /// `indent`, `replace`, `join`, string concatenation); past it the value is unknown.
    pub max_string_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 8 << 20,
            max_instances: 10_000,
            max_resources: 200_000,
            max_elements: 1_000_000,
            max_string_bytes: 4 << 20,
        }
    }
}

/// Why a module could not be read. Messages name the file and, for syntax errors, the line and
/// column as `path:line:col: message`.
#[derive(Debug, thiserror::Error)]
pub enum HclError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{dir}: no Terraform files (*.tf) in this directory: point at a root module")]
    NoConfig { dir: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
    /// A bound of [`Limits`] was reached; the message names the limit and how to raise it.
    #[error("{path}:{line}: {message}")]
    Limit {
        path: String,
        line: usize,
        message: String,
    },
}

/// Reads the root module in `dir` and the local modules it calls into the resources the code
/// declares.
///
/// The load runs on a thread of its own with a generous stack: parsing and evaluation recurse
/// over expressions, whose depth the parser bounds, and a caller's thread (a tokio worker, a
/// test) may have a small stack.
pub fn load_module(dir: &Path, opts: &LoadOptions) -> Result<CodeModule, HclError> {
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("driftd-hcl".into())
            .stack_size(LOAD_STACK)
            .spawn_scoped(scope, || {
                CURRENT_LIMITS.with(|l| l.set(opts.limits));
                expand::load(dir, opts)
            })
            .map_err(|e| HclError::Read {
                path: dir.display().to_string(),
                reason: format!("cannot start a thread to read the code: {e}"),
            })?
            .join()
            .unwrap_or_else(|_| {
                Err(HclError::Invalid {
                    path: dir.display().to_string(),
                    message: "internal error while reading the code (please report it)".into(),
                })
            })
    })
}

/// Stack of the threads that parse and evaluate code: reserved, committed only as used.
pub(crate) const LOAD_STACK: usize = 64 << 20;

thread_local! {
    /// The limits of the load running on this thread, for the places that have no options at
    /// hand (file reads, built-in functions).
    static CURRENT_LIMITS: std::cell::Cell<Limits> = std::cell::Cell::new(Limits::default());
}

thread_local! {
    /// The root module directory of the load running on this thread, as given and
    /// canonical: where `file()` resolves relative paths, and the tree it may read from.
    static ROOT_DIR: std::cell::RefCell<Option<(PathBuf, PathBuf)>> =
        const { std::cell::RefCell::new(None) };
}

/// Sets the root module directory `file()` reads under, for the load on this thread.
pub(crate) fn set_root_dir(dir: &Path) {
    let dirs = dir.canonicalize().ok().map(|c| (dir.to_path_buf(), c));
    ROOT_DIR.with(|r| *r.borrow_mut() = dirs);
}

/// Reads a file the code names (`file("${path.module}/policy.json")`), as Terraform would when
/// run in the root module: relative paths from the root module directory, and only files inside
/// that directory tree (installed modules included), at most `max_file_bytes`. `Err` is the
/// reason it is not read, for an unknown attribute.
pub(crate) fn read_code_file(path: &str) -> Result<String, String> {
    let (given, root) = ROOT_DIR
        .with(|r| r.borrow().clone())
        .ok_or_else(|| "no root module directory is known".to_string())?;
    // `path.module` and `path.root` evaluate to the directory as given (relative to this
    // process's directory); a path written in the code is relative to the root module.
    let p = Path::new(path);
    let full = if p.is_absolute() || p.starts_with(&given) {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    let canonical = full
        .canonicalize()
        .map_err(|e| format!("cannot read `{path}`: {}", parse::io_reason(&e)))?;
    if !canonical.starts_with(&root) {
        return Err(format!(
            "a file outside the root module directory (`{path}`), which driftd does not read"
        ));
    }
    parse::read_text(&canonical).map_err(|e| e.to_string())
}

thread_local! {
    /// Elements the `for` expressions of the attribute being evaluated have iterated over.
    static ELEMENTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Elements the references of the attribute being evaluated have copied.
    static COPIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Bytes the templates of the attribute being evaluated have rendered (literal text repeated
    /// by `%{ for }` directives, and interpolated values).
    static TEMPLATE_BYTES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Blocks and elements the `dynamic` blocks of the resource being expanded have generated
    /// (nested `dynamic` blocks multiply).
    static GENERATED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Adds `n` to one of this thread's counters; the new total.
fn add_to(counter: &'static std::thread::LocalKey<std::cell::Cell<u64>>, n: u64) -> u64 {
    counter.with(|c| {
        let total = c.get().saturating_add(n);
        c.set(total);
        total
    })
}

/// Starts counting elements anew, for the next attribute.
pub(crate) fn reset_elements() {
    ELEMENTS.with(|e| e.set(0));
    COPIES.with(|e| e.set(0));
    TEMPLATE_BYTES.with(|e| e.set(0));
}

/// Counts `n` more bytes a template of the attribute being evaluated renders; `Err` with the
/// reason once they pass `max_string_bytes` (`%{ for }` loops repeat their text, so a few lines
/// of template could otherwise build gigabytes).
pub(crate) fn count_template_bytes(n: u64) -> Result<(), String> {
    let max = current_limits().max_string_bytes as u64;
    let total = add_to(&TEMPLATE_BYTES, n);
    if total > max {
        return Err(format!(
            "its template would render more than {max} bytes; if that is intended, raise \
             `max_string_bytes` in the target's `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// Starts counting what `dynamic` blocks generate anew, for the next block of a resource.
pub(crate) fn reset_generated() {
    GENERATED.with(|e| e.set(0));
}

/// Counts what a `dynamic` block generated (its blocks and the elements of their values);
/// `Err` with the reason once one block of a resource holds more than `max_elements`, so nested
/// `dynamic` blocks cannot multiply without bound.
pub(crate) fn count_generated(value: &serde_json::Value) -> Result<(), String> {
    let max = current_limits().max_elements;
    let n = json_elements(value, max.saturating_add(1)).saturating_add(1);
    let total = add_to(&GENERATED, n);
    if total > max {
        return Err(format!(
            "its `dynamic` blocks generate more than {max} blocks and elements in all; if that \
             is intended, raise `max_elements` in the target's `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// The array items and object entries of `value` at every depth, counted up to `stop` at most.
fn json_elements(value: &serde_json::Value, stop: u64) -> u64 {
    let mut total: u64 = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        let n = match v {
            serde_json::Value::Array(items) => {
                stack.extend(items);
                items.len()
            }
            serde_json::Value::Object(map) => {
                stack.extend(map.values());
                map.len()
            }
            _ => continue,
        };
        total = total.saturating_add(n as u64);
        if total >= stop {
            break;
        }
    }
    total
}

/// Counts the elements of a value a reference copied (a local, a variable, `each`, a `for`
/// loop's variable: every use copies it); `Err` with the reason once the copies of one
/// attribute hold more than `max_elements` elements in all, so that references, however many
/// or repeated by a loop, cannot fill the memory.
pub(crate) fn count_copies(value: &::hcl::Value) -> Result<(), String> {
    let max = current_limits().max_elements;
    let before = COPIES.with(|c| c.get());
    let n = value_elements(value, max.saturating_sub(before).saturating_add(1));
    let total = before.saturating_add(n);
    COPIES.with(|c| c.set(total));
    if total > max {
        return Err(format!(
            "the locals, variables and loop values it uses hold more than {max} elements in all \
             (list items and map entries at every depth, counted at each use); if that is \
             intended, raise `max_elements` in the target's `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// The list items and map entries of `value` at every depth, counted up to `stop` at most.
fn value_elements(value: &::hcl::Value, stop: u64) -> u64 {
    // Most references name a string or a number: nothing to walk.
    if !matches!(value, ::hcl::Value::Array(_) | ::hcl::Value::Object(_)) {
        return 0;
    }
    let mut total: u64 = 0;
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        let n = match v {
            ::hcl::Value::Array(items) => {
                stack.extend(items);
                items.len()
            }
            ::hcl::Value::Object(map) => {
                stack.extend(map.values());
                map.len()
            }
            _ => continue,
        };
        total = total.saturating_add(n as u64);
        if total >= stop {
            break;
        }
    }
    total
}

/// Counts `n` more elements iterated over; `Err` with the reason once past the limit.
pub(crate) fn count_elements(n: usize) -> Result<(), String> {
    let max = current_limits().max_elements;
    let total = add_to(&ELEMENTS, n as u64);
    if total > max {
        return Err(format!(
            "its `for` expressions iterate over more than {max} elements; if that is intended, \
             raise `max_elements` in the target's `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// `Err` with the reason when `value` holds more than the load's `max_elements` elements (list
/// items and map entries, at every depth). Every reference to a local or a variable copies its
/// value, so a value that doubles through locals (`concat(local.a, local.a)`, again and again)
/// would otherwise fill the memory; bounding each evaluated value stops that growth.
pub(crate) fn check_value_size(value: &::hcl::Value) -> Result<(), String> {
    let max = current_limits().max_elements;
    if value_elements(value, max.saturating_add(1)) > max {
        return Err(format!(
            "its value holds more than {max} elements (list items and map entries at every \
             depth); if that is intended, raise `max_elements` in the target's \
             `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// `Err` with the reason when a string of `len` bytes that `what` would build is longer than
/// the load's `max_string_bytes`; called before building it.
pub(crate) fn check_string_len(len: usize, what: &str) -> Result<(), String> {
    let max = current_limits().max_string_bytes;
    if len > max {
        return Err(format!(
            "{what}: the result would be {len} bytes, more than the limit of {max}; if that is \
             intended, raise `max_string_bytes` in the target's `[target.limits]` (driftd.toml)"
        ));
    }
    Ok(())
}

/// The limits of the load running on this thread.
pub(crate) fn current_limits() -> Limits {
    CURRENT_LIMITS.with(|l| l.get())
}

/// Runs `f` with `limits` as this thread's limits (for a helper thread of a load).
pub(crate) fn with_limits<R>(limits: Limits, f: impl FnOnce() -> R) -> R {
    CURRENT_LIMITS.with(|l| l.set(limits));
    f()
}
