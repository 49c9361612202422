//! Policies over the live inventory: Rego rules, evaluated with [regorus] over every resource a
//! scan lists, managed or not, and turned into findings of kind `violation`.
//!
//! A policy is a Rego package. Its rules named `deny`, `violation` (both: breaks the policy) and
//! `warn` (info unless the config says otherwise), the names Conftest uses, hold messages: a
//! string, or an object with `msg` and optionally `path` (the attribute it is about) and, for a
//! rule over the whole inventory, `resource` (`{"type": ..., "id": ...}`). A package may describe
//! itself in `__rego_metadata__` (`id`, `title`, `tier` or `severity`, `remediation`, `types`,
//! `scope`). The input document of each resource is built by [`input::resource`]; rules with
//! `scope: "inventory"` get every resource of their `types` at once ([`input::inventory`]).
//! Settings of the built-in pack (administrative ports, required tags) are in
//! `data.driftd.settings`.
//!
//! Everything is loaded and compiled once ([`PolicySet::load`]), then evaluated for a scan
//! ([`PolicySet::evaluate`]) on one thread; one evaluation is bounded in time, and a rule that
//! fails or runs too long is reported for its policy without stopping the others.
//!
//! The built-in pack's rules that cannot fail ([`VM_POLICIES`]) are also compiled to regorus's
//! bytecode (RVM) at load and run there, several times faster than on the interpreter; the
//! config's policies and the pack's other rules run on the interpreter.

pub mod builtin;
mod guard;
pub mod input;
pub mod rego_test;

use driftd_core::{
    violation_fingerprint, Finding, FindingKind, PolicyHit, PolicyMessage, Resource, ResourceKey,
    Tier,
};
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::Program;
use regorus::rvm::vm::RegoVM;
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::Value as RegoValue;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The largest `.rego` file read.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// The most `.rego` files one `[[policy]]` directory may hold.
const MAX_FILES: usize = 2000;
/// The longest one evaluation (one policy over one resource, or over the inventory) may run.
const EVAL_LIMIT: Duration = Duration::from_secs(2);
/// The most messages one policy may report for one resource.
const MAX_MESSAGES: usize = 50;

/// The built-in policies evaluated on regorus's bytecode VM rather than its interpreter. The two
/// agree on what a rule gives, except where evaluating it fails: the interpreter then stops with
/// an error (the policy is reported as not evaluated, and not evaluated again for the scan),
/// where the VM reads the failing expression as undefined and goes on. These policies cannot
/// fail: they check every shape before they iterate, parse or call a builtin on a value
/// (`is_array` before `some .. in`, `json.is_valid` before `json.unmarshal`). The Kubernetes
/// rules stay on the interpreter: on the VM, `not limits(c)` in `k8s-no-limits` gave findings
/// the interpreter does not (regorus 0.14). `the_vm_and_the_interpreter_agree` holds the VM to
/// the interpreter over odd and hostile documents.
const VM_POLICIES: &[&str] = &[
    builtin::REQUIRED_TAGS,
    "aws-unencrypted-storage",
    "aws-rds-public",
    "aws-rds-deletion-protection",
    "gcp-bucket-public-access",
    "aws-s3-public-access-block",
    "aws-s3-unencrypted",
    "aws-sg-admin-open",
    "aws-ec2-imdsv1",
    "aws-iam-admin",
    "aws-s3-public",
    "gcp-firewall-admin-open",
];

/// The Rego rules that report violations, with the tier each implies when the policy names
/// none.
const RULES: [(&str, Tier); 3] = [
    ("deny", Tier::Warning),
    ("violation", Tier::Warning),
    ("warn", Tier::Info),
];

/// Why policies could not be loaded. Messages name the file and, for syntax errors, the line and
/// column (`path:line:col: message`).
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{path}: cannot read: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    Syntax(String),
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// Which resources a policy applies to; empty lists match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    pub providers: Vec<String>,
    /// Resource types, as globs (`aws_s3_*`).
    pub types: Vec<glob::Pattern>,
    /// Targets, as globs.
    pub targets: Vec<glob::Pattern>,
}

impl Selector {
    fn matches(&self, target: &str, key: &ResourceKey) -> bool {
        (self.providers.is_empty() || self.providers.contains(&key.provider))
            && (self.types.is_empty() || self.types.iter().any(|p| p.matches(&key.resource_type)))
            && self.matches_target(target)
    }

    fn matches_target(&self, target: &str) -> bool {
        self.targets.is_empty() || self.targets.iter().any(|p| p.matches(target))
    }
}

/// One `[[policy]]` of the config: a `.rego` file or a directory of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicySource {
    /// As the config names it (shown in findings and errors).
    pub path: PathBuf,
    pub selector: Selector,
    /// Overrides the tier the policy names.
    pub tier: Option<Tier>,
    pub owner: Option<String>,
}

/// What a scan evaluates: the built-in pack (less the rules turned off) and the config's
/// policies, with the settings the built-in rules read.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyOptions {
    pub builtin: bool,
    /// Ids of built-in rules turned off.
    pub disabled: BTreeSet<String>,
    /// Tag (label) keys every resource with tags must carry; the `required-tags` rule is off
    /// while this is empty.
    pub required_tags: Vec<String>,
    /// Ports the "open to the internet" rules treat as administrative.
    pub admin_ports: Vec<u16>,
    pub sources: Vec<PolicySource>,
}

impl Default for PolicyOptions {
    /// The built-in pack off (see `[policies] builtin`), with its default settings.
    fn default() -> Self {
        PolicyOptions {
            builtin: false,
            disabled: BTreeSet::new(),
            required_tags: Vec::new(),
            admin_ports: builtin::ADMIN_PORTS.to_vec(),
            sources: Vec::new(),
        }
    }
}

/// A package being loaded: the config entry and file that first defined it (`None`: the
/// built-in pack), and the reporting rules its files declare.
type Package = (Option<usize>, String, Vec<(&'static str, Tier)>);

/// A message and the resource (type, id) it names, if any.
type Said = (PolicyMessage, Option<(String, String)>);

/// What a policy says of itself (`__rego_metadata__`), completed from the config.
#[derive(Debug, Clone)]
struct Meta {
    id: String,
    title: String,
    tier: Option<Tier>,
    remediation: Option<String>,
    /// Resource types the policy looks at (globs); every type when empty.
    types: Vec<glob::Pattern>,
    inventory: bool,
}

/// One loaded policy: a Rego package and what applies it.
#[derive(Debug, Clone)]
struct Policy {
    /// `data.driftd.builtin.aws_sg_admin_open`
    package: String,
    meta: Meta,
    /// Which of [`RULES`] the package defines.
    rules: Vec<(&'static str, Tier)>,
    /// The entry points of `rules` in the compiled program ([`Compiled`]), in order; `None`:
    /// the policy runs on the interpreter.
    entries: Option<Vec<usize>>,
    selector: Selector,
    tier: Option<Tier>,
    owner: Option<String>,
    /// The file, as the config names it; `None` for the built-in pack.
    file: Option<String>,
}

/// Policies loaded and compiled, ready to evaluate scans.
#[derive(Clone)]
pub struct PolicySet {
    engine: regorus::Engine,
    policies: Vec<Policy>,
    /// The built-in pack as RVM bytecode; `None` when nothing compiled.
    compiled: Option<Compiled>,
    /// Whether resource documents must carry `expected` and `finding`: some loaded module may
    /// read them ([`reads_only`]).
    full_input: bool,
    /// The modules loaded when `compiled` and `full_input` were settled: modules added later
    /// (`run_tests` adds test files) turn both off.
    modules: usize,
}

/// Rules compiled to regorus's bytecode: the program, the compiled policy it came from (for
/// default rules) and the data document (the settings).
#[derive(Clone)]
struct Compiled {
    program: Arc<Program>,
    policy: regorus::CompiledPolicy,
    data: RegoValue,
}

impl Compiled {
    /// A VM ready to run the program, with the same limits as the interpreter.
    fn vm(&self) -> Option<RegoVM> {
        let mut vm = RegoVM::new_with_policy(self.policy.clone());
        vm.load_program(self.program.clone());
        vm.set_data(self.data.clone()).ok()?;
        vm.set_execution_timer_config(Some(timer(EVAL_LIMIT)));
        // The interpreter counts no instructions: only the time limit bounds an evaluation.
        vm.set_max_instructions(usize::MAX);
        Some(vm)
    }
}

/// The time limit of one evaluation.
fn timer(limit: Duration) -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit,
        check_interval: std::num::NonZeroU32::new(64).unwrap_or(std::num::NonZeroU32::MIN),
    }
}

/// What evaluating a scan's resources gave.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// One finding per policy and resource broken.
    pub findings: Vec<Finding>,
    /// Policies that failed to evaluate (a runtime error, a time limit), with the reason: their
    /// violations are unknown, never "none".
    pub errors: Vec<(String, String)>,
    /// Evaluations run (policy × resource, plus one per inventory policy).
    pub evaluations: usize,
}

/// A resource to evaluate: the live view, and what state or code expects when it is managed.
pub struct Subject<'a> {
    pub live: &'a Resource,
    pub expected: Option<&'a Resource>,
    /// Its drift finding, if any.
    pub finding: Option<&'a Finding>,
}

impl PolicySet {
    /// Loads the built-in pack and the config's policy files. Syntax errors name the file, line
    /// and column.
    pub fn load(opts: &PolicyOptions) -> Result<PolicySet, PolicyError> {
        guard::on_big_stack(|| Self::load_here(opts))
    }

    fn load_here(opts: &PolicyOptions) -> Result<PolicySet, PolicyError> {
        let mut engine = regorus::Engine::new();
        engine.set_execution_timer_config(timer(EVAL_LIMIT));
        guard::bound_builtins(&mut engine)
            .map_err(|e| PolicyError::Syntax(format!("the policy engine: {e}")))?;
        let mut files: Vec<(Option<usize>, String, String)> = Vec::new();
        if opts.builtin {
            for (name, text) in builtin::FILES {
                files.push((None, format!("builtin/{name}"), text.to_string()));
            }
        }
        for (i, source) in opts.sources.iter().enumerate() {
            for path in rego_files(&source.path)? {
                let text = read(&path)?;
                files.push((Some(i), path.display().to_string(), text));
            }
        }
        // Package → the entry and file that first defined it, and the reporting rules its
        // files declare.
        let mut packages: BTreeMap<String, Package> = BTreeMap::new();
        // Packages the config's files declare: a built-in package one of them extends is left
        // to the interpreter.
        let mut config_packages = BTreeSet::new();
        let mut seen = BTreeSet::new();
        for (source, path, text) in files {
            if !seen.insert(path.clone()) {
                continue;
            }
            let package = add_policy(&mut engine, &path, text)?;
            if source.is_some() {
                config_packages.insert(package.clone());
            }
            let declared: Vec<(&'static str, Tier)> = RULES
                .into_iter()
                .filter(|(rule, _)| {
                    engine
                        .has_declared_rule_rooted_at(&path, rule)
                        .unwrap_or(false)
                })
                .collect();
            let entry = packages
                .entry(package)
                .or_insert_with(|| (source, path, Vec::new()));
            for r in declared {
                if !entry.2.contains(&r) {
                    entry.2.push(r);
                }
            }
        }
        let settings = json!({"driftd": {"settings": {
            "admin_ports": opts.admin_ports,
            "required_tags": opts.required_tags,
        }}});
        let settings = to_rego(&settings);
        engine
            .add_data(settings.clone())
            .map_err(|e| PolicyError::Syntax(format!("policy settings: {e}")))?;

        let mut policies = Vec::new();
        for (package, (source, path, rules)) in packages {
            if rules.is_empty() {
                // A helper package (functions only): nothing to report.
                continue;
            }
            let meta = metadata(&mut engine, &package, &path)?;
            if source.is_none() && opts.disabled.contains(&meta.id) {
                continue;
            }
            if source.is_none()
                && meta.id == builtin::REQUIRED_TAGS
                && opts.required_tags.is_empty()
            {
                continue;
            }
            let (selector, tier, owner, file) = match source.map(|i| &opts.sources[i]) {
                Some(s) => (s.selector.clone(), s.tier, s.owner.clone(), Some(path)),
                None => (Selector::default(), None, None, None),
            };
            policies.push(Policy {
                package,
                meta,
                rules,
                entries: None,
                selector,
                tier,
                owner,
                file,
            });
        }
        let on_vm = |p: &Policy| {
            p.file.is_none()
                && VM_POLICIES.contains(&p.meta.id.as_str())
                && !config_packages.contains(&p.package)
        };
        let compiled = compile(&engine, &mut policies, settings, on_vm);
        Ok(PolicySet {
            full_input: !lean_input(&engine),
            modules: module_count(&engine),
            engine,
            policies,
            compiled,
        })
    }

    /// The ids of the policies loaded, in order.
    pub fn ids(&self) -> Vec<&str> {
        self.policies.iter().map(|p| p.meta.id.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Runs every policy on the interpreter from now on, the built-in pack too: for comparing
    /// the two (tests, the bench).
    pub fn interpreter_only(&mut self) {
        self.compiled = None;
        for p in &mut self.policies {
            p.entries = None;
        }
    }

    /// Evaluates every policy over the resources of one target's scan.
    pub fn evaluate(&mut self, target: &str, subjects: &[Subject<'_>]) -> Evaluation {
        guard::on_big_stack(|| self.evaluate_here(target, subjects))
    }

    fn evaluate_here(&mut self, target: &str, subjects: &[Subject<'_>]) -> Evaluation {
        if module_count(&self.engine) != self.modules {
            // Modules were added since loading: neither the program nor the input analysis
            // covers them.
            self.interpreter_only();
            self.full_input = true;
        }
        let mut vm = self.compiled.as_ref().and_then(Compiled::vm);
        let mut out = Evaluation::default();
        let policies = self.policies.clone();
        for policy in &policies {
            if !policy.selector.matches_target(target) {
                continue;
            }
            if policy.meta.inventory {
                let chosen: Vec<usize> = (0..subjects.len())
                    .filter(|&i| applies_to(policy, target, &subjects[i]))
                    .collect();
                if chosen.is_empty() {
                    continue;
                }
                let docs = chosen
                    .iter()
                    .map(|&i| input::resource_value(target, &subjects[i], true))
                    .collect();
                let doc = input::inventory_value(target, docs);
                out.evaluations += 1;
                match self.messages(vm.as_mut(), policy, doc) {
                    Ok(messages) => {
                        let mut by_resource: BTreeMap<usize, Vec<PolicyMessage>> = BTreeMap::new();
                        for (m, resource) in messages {
                            let found = resource.and_then(|(t, id)| {
                                chosen.iter().copied().find(|&i| {
                                    subjects[i].live.key.resource_type == t
                                        && subjects[i].live.key.id == id
                                })
                            });
                            match found {
                                Some(i) => by_resource.entry(i).or_default().push(m),
                                None => out.errors.push((
                                    policy.meta.id.clone(),
                                    format!(
                                        "a message names no resource of the inventory (it \
                                         needs \"resource\": {{\"type\": ..., \"id\": ...}}): {}",
                                        m.text
                                    ),
                                )),
                            }
                        }
                        for (i, messages) in by_resource {
                            out.findings
                                .push(finding(target, policy, &subjects[i], messages));
                        }
                    }
                    Err(e) => out.errors.push((policy.meta.id.clone(), e)),
                }
                continue;
            }
        }
        // Resource policies: each resource's input is built and set once, then every policy
        // that applies to it is evaluated. Which policies apply depends on the resource's
        // provider and type only (the target is the scan's), so it is worked out once per type.
        let resource_policies: Vec<&Policy> = policies
            .iter()
            .filter(|p| !p.meta.inventory && p.selector.matches_target(target))
            .collect();
        let mut by_type: HashMap<(&str, &str), Vec<&Policy>> = HashMap::new();
        let mut failed: BTreeSet<String> = BTreeSet::new();
        for s in subjects {
            let key = &s.live.key;
            let candidates = by_type
                .entry((key.provider.as_str(), key.resource_type.as_str()))
                .or_insert_with(|| {
                    resource_policies
                        .iter()
                        .copied()
                        .filter(|p| applies_to(p, target, s))
                        .collect()
                });
            let applicable: Vec<&Policy> = candidates
                .iter()
                .copied()
                .filter(|p| !failed.contains(&p.meta.id))
                .collect();
            if applicable.is_empty() {
                continue;
            }
            let input = input::resource_value(target, s, self.full_input);
            if let Some(vm) = vm.as_mut() {
                if applicable.iter().any(|p| p.entries.is_some()) {
                    vm.set_input(input.clone());
                }
            }
            let mut engine_input = false;
            for policy in applicable {
                out.evaluations += 1;
                match self.policy_messages(vm.as_mut(), policy, &input, &mut engine_input) {
                    Ok(messages) if messages.is_empty() => {}
                    Ok(messages) => {
                        let messages = messages.into_iter().map(|(m, _)| m).collect();
                        out.findings.push(finding(target, policy, s, messages));
                    }
                    Err(e) => {
                        // One failure per policy is enough to say it is not evaluated.
                        failed.insert(policy.meta.id.clone());
                        out.errors.push((policy.meta.id.clone(), e));
                    }
                }
            }
        }
        out
    }

    /// The messages of one policy's rules over one input document, with the resource each
    /// names (inventory policies).
    fn messages(
        &mut self,
        mut vm: Option<&mut RegoVM>,
        policy: &Policy,
        input: RegoValue,
    ) -> Result<Vec<Said>, String> {
        if policy.entries.is_some() {
            if let Some(vm) = vm.as_deref_mut() {
                vm.set_input(input.clone());
            }
        }
        self.engine.set_input(input.clone());
        let mut engine_input = true;
        self.policy_messages(vm, policy, &input, &mut engine_input)
    }

    /// The messages of one policy's rules over `input` (already set on the VM): on the VM when
    /// the policy is compiled, else on the interpreter. When the VM stops (the time limit), the
    /// interpreter runs the policy again in what is left of it, and its error is the one
    /// reported. `engine_input` says whether `input` is set on it.
    fn policy_messages(
        &mut self,
        vm: Option<&mut RegoVM>,
        policy: &Policy,
        input: &RegoValue,
        engine_input: &mut bool,
    ) -> Result<Vec<Said>, String> {
        let mut limit = EVAL_LIMIT;
        if let (Some(vm), Some(entries)) = (vm, &policy.entries) {
            let start = Instant::now();
            let values: Result<Vec<RegoValue>, _> = entries
                .iter()
                .map(|&e| {
                    guard::contained(|| {
                        vm.execute_entry_point_by_index(e)
                            .map_err(|e| e.to_string())
                    })
                })
                .collect();
            match values {
                Ok(values) => return Ok(said(values)),
                Err(e) => {
                    tracing::debug!(policy = %policy.meta.id, error = %e, "the VM failed: evaluating on the interpreter");
                    limit = EVAL_LIMIT.saturating_sub(start.elapsed());
                }
            }
        }
        if !*engine_input {
            self.engine.set_input(input.clone());
            *engine_input = true;
        }
        if limit < EVAL_LIMIT {
            self.engine.set_execution_timer_config(timer(limit));
        }
        let out = self.rule_messages(policy);
        if limit < EVAL_LIMIT {
            self.engine.set_execution_timer_config(timer(EVAL_LIMIT));
        }
        out
    }

    /// The messages of one policy's rules over the input already set, on the interpreter.
    fn rule_messages(&mut self, policy: &Policy) -> Result<Vec<Said>, String> {
        let mut values = Vec::with_capacity(policy.rules.len());
        for (rule, _) in &policy.rules {
            let engine = &mut self.engine;
            let value = guard::contained(|| {
                engine
                    .eval_rule(format!("{}.{rule}", policy.package))
                    .map_err(|e| eval_error(&e.to_string()))
            })?;
            values.push(value);
        }
        Ok(said(values))
    }
}

/// The messages of a policy's rules from their values (in [`RULES`] order), sorted, without
/// repeats.
fn said(values: Vec<RegoValue>) -> Vec<Said> {
    let mut out = Vec::new();
    for value in values {
        let items: Vec<Value> = match from_rego(&value) {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            Value::Bool(false) => Vec::new(),
            other => vec![other],
        };
        for item in items.into_iter().take(MAX_MESSAGES) {
            out.push(message(item));
        }
    }
    out.sort_by(|a, b| a.0.text.cmp(&b.0.text));
    out.dedup_by(|a, b| a.0.text == b.0.text && a.1 == b.1);
    out
}

/// Compiles the rules of the policies `on_vm` chooses to regorus's bytecode, marking each policy
/// compiled with its entry points. A policy the compiler refuses stays on the interpreter; `None`
/// when none compiled.
fn compile(
    engine: &regorus::Engine,
    policies: &mut [Policy],
    data: RegoValue,
    on_vm: impl Fn(&Policy) -> bool,
) -> Option<Compiled> {
    let paths = |p: &Policy| -> Vec<String> {
        p.rules
            .iter()
            .map(|(rule, _)| format!("{}.{rule}", p.package))
            .collect()
    };
    let chosen: Vec<usize> = (0..policies.len())
        .filter(|&i| on_vm(&policies[i]))
        .collect();
    let first = chosen.first().map(|&i| paths(&policies[i]))?.remove(0);
    let mut engine = engine.clone();
    let policy = engine
        .compile_with_entrypoint(&regorus::Rc::from(first.as_str()))
        .map_err(|e| tracing::debug!(error = %e, "the policies do not compile to bytecode"))
        .ok()?;
    let program_of = |chosen: &[usize]| {
        let all: Vec<String> = chosen.iter().flat_map(|&i| paths(&policies[i])).collect();
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        Compiler::compile_from_policy(&policy, &refs)
    };
    let program = match program_of(&chosen) {
        Ok(program) => program,
        Err(_) => {
            // Leave out the policies that do not compile on their own.
            let fine: Vec<usize> = chosen
                .iter()
                .copied()
                .filter(|&i| match program_of(&[i]) {
                    Ok(_) => true,
                    Err(e) => {
                        tracing::debug!(policy = %policies[i].meta.id, error = %e, "not compiled to bytecode: evaluated on the interpreter");
                        false
                    }
                })
                .collect();
            if fine.is_empty() {
                return None;
            }
            program_of(&fine).ok()?
        }
    };
    let compiled = Compiled {
        program,
        policy,
        data,
    };
    // The data must fit the program's rule tree.
    compiled.vm()?;
    for &i in &chosen {
        policies[i].entries = paths(&policies[i])
            .iter()
            .map(|path| compiled.program.entry_points.get_index_of(path))
            .collect();
    }
    Some(compiled)
}

/// The fields of a resource's document that are there without `expected` and `finding`
/// (`resources` is an inventory's: undefined either way).
const LEAN_FIELDS: &[&str] = &[
    "target",
    "provider",
    "type",
    "id",
    "region",
    "managed",
    "address",
    "attributes",
    "resources",
];

/// Whether no module loaded can read a resource document's `expected` or `finding`: every
/// reference to `input` in them names one of [`LEAN_FIELDS`]. The documents are then built
/// without those two, the costliest to build (`expected` holds all of state's attributes).
fn lean_input(engine: &regorus::Engine) -> bool {
    engine.get_policies().is_ok_and(|sources| {
        sources
            .iter()
            .all(|s| reads_only(s.get_contents(), LEAN_FIELDS))
    })
}

fn module_count(engine: &regorus::Engine) -> usize {
    engine.get_policies().map_or(usize::MAX, |p| p.len())
}

/// Whether every use of `input` in the Rego `text` is `input.<field>` with one of `fields`:
/// nothing then reads any other part of the input document. Comments are skipped; text in
/// strings is read as code, which can only say `false` when the answer is `true`, never the
/// other way round.
fn reads_only(text: &str, fields: &[&str]) -> bool {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = text.as_bytes();
    // The quote that opened the string the scan is in (`"` or a backquote), if any.
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(b'"') if c == b'\\' => {
                i += 2;
                continue;
            }
            Some(q) if c == q => quote = None,
            None if c == b'"' || c == b'`' => quote = Some(c),
            None if c == b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        if !ident(c) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && ident(b[i]) {
            i += 1;
        }
        if &b[start..i] != b"input" {
            continue;
        }
        if b.get(i) != Some(&b'.') {
            return false;
        }
        let field_start = i + 1;
        let mut end = field_start;
        while end < b.len() && ident(b[end]) {
            end += 1;
        }
        if !fields.iter().any(|f| f.as_bytes() == &b[field_start..end]) {
            return false;
        }
        i = end;
    }
    true
}

/// Whether `policy` looks at resource `s` of `target`: its selector and its metadata's types.
fn applies_to(policy: &Policy, target: &str, s: &Subject<'_>) -> bool {
    policy.selector.matches(target, &s.live.key)
        && (policy.meta.types.is_empty()
            || policy
                .meta
                .types
                .iter()
                .any(|t| t.matches(&s.live.key.resource_type)))
}

/// A package's `__rego_metadata__`, with defaults: the package name as id and title.
fn metadata(engine: &mut regorus::Engine, package: &str, path: &str) -> Result<Meta, PolicyError> {
    let name = package.trim_start_matches("data.").to_string();
    engine.set_input(RegoValue::new_object());
    let raw = engine
        .eval_rule(format!("{package}.__rego_metadata__"))
        .map(|v| from_rego(&v))
        .unwrap_or(Value::Null);
    let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_string);
    let invalid = |message: String| PolicyError::Invalid {
        path: path.to_string(),
        message,
    };
    let tier = match text("tier").or_else(|| text("severity")) {
        None => None,
        Some(t) => Some(tier_of(&t).ok_or_else(|| {
            invalid(format!(
                "__rego_metadata__: `{t}` is not a tier: use critical, warning or info (or a \
                 severity: CRITICAL, HIGH, MEDIUM, LOW)"
            ))
        })?),
    };
    let mut types = Vec::new();
    for t in raw
        .get("types")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let t = t.as_str().unwrap_or_default();
        types.push(glob::Pattern::new(t).map_err(|e| {
            invalid(format!(
                "__rego_metadata__.types: `{t}` is not a valid glob: {e}"
            ))
        })?);
    }
    let inventory = match text("scope").as_deref() {
        None | Some("resource") => false,
        Some("inventory") => true,
        Some(other) => {
            return Err(invalid(format!(
                "__rego_metadata__.scope: `{other}` is not a scope: use \"resource\" (the \
                 default) or \"inventory\""
            )))
        }
    };
    Ok(Meta {
        id: text("id").unwrap_or_else(|| name.clone()),
        title: text("title").unwrap_or(name),
        tier,
        remediation: text("remediation"),
        types,
        inventory,
    })
}

/// A tier from a policy's words: driftd's tiers, or the severities of Conftest/Trivy policies.
pub fn tier_of(s: &str) -> Option<Tier> {
    match s.to_ascii_lowercase().as_str() {
        "critical" | "high" => Some(Tier::Critical),
        "warning" | "medium" => Some(Tier::Warning),
        "info" | "low" | "note" => Some(Tier::Info),
        _ => None,
    }
}

/// One message as a rule wrote it: a string, or an object with `msg` (or `message`), `path`
/// and `resource`.
fn message(item: Value) -> Said {
    let (text, path, resource) = match &item {
        Value::String(s) => (s.clone(), None, None),
        Value::Object(o) => {
            let text = o
                .get("msg")
                .or_else(|| o.get("message"))
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| item.to_string());
            let path = o.get("path").map(|v| match v {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .map(|p| match p {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("."),
                other => other.to_string(),
            });
            let resource = o.get("resource").and_then(|r| {
                Some((
                    r.get("type")?.as_str()?.to_string(),
                    r.get("id")?.as_str()?.to_string(),
                ))
            });
            (text, path, resource)
        }
        other => (other.to_string(), None, None),
    };
    (
        PolicyMessage {
            text,
            path,
            value: None,
        },
        resource,
    )
}

/// The finding of one policy broken by one resource.
fn finding(
    target: &str,
    policy: &Policy,
    s: &Subject<'_>,
    messages: Vec<PolicyMessage>,
) -> Finding {
    let key = &s.live.key;
    let tier = policy.tier.or(policy.meta.tier).unwrap_or_else(|| {
        // The rule's own default: `warn` is info.
        policy
            .rules
            .iter()
            .map(|(_, t)| *t)
            .max()
            .unwrap_or(Tier::Warning)
    });
    Finding {
        fingerprint: violation_fingerprint(target, key, &policy.meta.id),
        kind: FindingKind::Violation,
        tier,
        provider: key.provider.clone(),
        resource_type: key.resource_type.clone(),
        resource_id: key.id.clone(),
        address: s.expected.and_then(|e| e.address.clone()),
        region: s.live.region.clone(),
        source: s.expected.and_then(|e| e.source.clone()),
        engine: Default::default(),
        changes: Vec::new(),
        policy: Some(PolicyHit {
            id: policy.meta.id.clone(),
            title: policy.meta.title.clone(),
            remediation: policy.meta.remediation.clone(),
            owner: policy.owner.clone(),
            file: policy.file.clone(),
            messages: messages
                .into_iter()
                .map(|mut m| {
                    m.value = m
                        .path
                        .as_deref()
                        .and_then(|p| input::attribute_at(&s.live.attrs, p));
                    m
                })
                .collect(),
        }),
    }
}

/// Adds one policy text; a syntax error as `file:line:col: message`. Rego v1 (OPA 1.0 and
/// later, Conftest 0.56 and later) first; a file that only parses as Rego v0 (`deny[msg] {`) is
/// read as such, as older Conftest policies are written.
fn add_policy(
    engine: &mut regorus::Engine,
    path: &str,
    text: String,
) -> Result<String, PolicyError> {
    guard::check_text(&text).map_err(|e| PolicyError::Syntax(format!("{path}:{e}")))?;
    let mut add = |v0: bool, text: String| {
        engine.set_rego_v0(v0);
        let added = guard::contained(|| {
            engine
                .add_policy(path.to_string(), text)
                .map_err(|e| e.to_string())
        });
        engine.set_rego_v0(false);
        added
    };
    let v1 = match add(false, text.clone()) {
        Ok(package) => return Ok(package),
        Err(e) => e,
    };
    add(true, text).map_err(|_| PolicyError::Syntax(syntax_message(path, &v1)))
}

/// regorus's error (`path:line:col: error: message` and a source excerpt) as one line that
/// names the file, line and column.
fn syntax_message(path: &str, raw: &str) -> String {
    let line = first_line(raw);
    if line.starts_with(path) {
        line.replacen(": error:", ":", 1)
    } else {
        format!("{path}: {line}")
    }
}

/// regorus's runtime error (`--> file:line:col`, the source line, then `error: message`) as one
/// line: `file:line:col: message`.
fn eval_error(raw: &str) -> String {
    let at = raw
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(str::to_string);
    let message = raw
        .lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| first_line(raw));
    match at {
        Some(at) => format!("{at}: {message}"),
        None => message,
    }
}

fn first_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .to_string()
}

/// The `.rego` files of a config entry: the file itself, or every `.rego` file under the
/// directory (tests, `*_test.rego`, left out), sorted.
fn rego_files(path: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| PolicyError::Read {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut dirs = vec![path.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| PolicyError::Read {
            path: dir.display().to_string(),
            reason: io_reason(&e),
        })?;
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| e == "rego")
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with("_test.rego"))
            {
                out.push(p);
            }
            if out.len() > MAX_FILES {
                return Err(PolicyError::Invalid {
                    path: shown,
                    message: format!(
                        "more than {MAX_FILES} .rego files: name the directories that hold \
                         policies"
                    ),
                });
            }
        }
    }
    if out.is_empty() {
        return Err(PolicyError::Invalid {
            path: shown,
            message: "no .rego file in this directory".into(),
        });
    }
    out.sort();
    Ok(out)
}

fn read(path: &Path) -> Result<String, PolicyError> {
    let shown = path.display().to_string();
    let len = std::fs::metadata(path)
        .map_err(|e| PolicyError::Read {
            path: shown.clone(),
            reason: io_reason(&e),
        })?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(PolicyError::Invalid {
            path: shown,
            message: format!("{len} bytes, more than the {MAX_FILE_BYTES} a policy file may have"),
        });
    }
    std::fs::read_to_string(path).map_err(|e| PolicyError::Read {
        path: shown,
        reason: io_reason(&e),
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A JSON value as a Rego value.
pub(crate) fn to_rego(v: &Value) -> RegoValue {
    RegoValue::from(v.clone())
}

/// A Rego value as JSON: sets become arrays, undefined becomes null.
pub(crate) fn from_rego(v: &RegoValue) -> Value {
    match v {
        RegoValue::Undefined => Value::Null,
        other => serde_json::to_value(other).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests;

/// The bytecode VM against the interpreter, and the documents built without `expected`.
#[cfg(test)]
mod vm_tests {
    use super::*;
    use driftd_core::Resource;

    fn live(provider: &str, rtype: &str, id: &str, attrs: Value) -> Resource {
        let mut r = Resource::new(provider, rtype, id);
        r.region = Some("eu-west-1".into());
        r.attrs = serde_json::from_value(attrs).expect("attributes");
        r
    }

    fn subjects(resources: &[Resource]) -> Vec<Subject<'_>> {
        resources
            .iter()
            .map(|r| Subject {
                live: r,
                expected: None,
                finding: None,
            })
            .collect()
    }

    /// Each resource type the pack reads, with well-formed, odd and hostile attributes.
    fn corpus() -> Vec<Resource> {
        let policy = |statement: Value| json!({"Version": "2012-10-17", "Statement": statement});
        let variants: Vec<(&str, &str, Vec<Value>)> = vec![
            (
                "aws",
                "aws_security_group",
                vec![
                    json!({"ingress": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]}),
                    json!({"ingress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "ipv6_cidr_blocks": ["::/0"]}]}),
                    json!({"ingress": [{"protocol": 6, "from_port": 0, "to_port": 65535, "cidr_blocks": ["0.0.0.0/0", "10.0.0.0/8"]}]}),
                    json!({"ingress": [{"protocol": "ALL", "from_port": "22", "to_port": null, "cidr_blocks": "0.0.0.0/0"}]}),
                    json!({"ingress": [{"protocol": "udp", "from_port": 3000, "to_port": 4000, "cidr_blocks": ["0.0.0.0/0"]}]}),
                    json!({"ingress": "nope", "tags": {"owner": "a"}}),
                    json!({"ingress": [null, 1, "x", {}]}),
                ],
            ),
            (
                "aws",
                "aws_ebs_volume",
                vec![
                    json!({"encrypted": false}),
                    json!({"encrypted": "false", "tags": null}),
                ],
            ),
            (
                "aws",
                "aws_db_instance",
                vec![
                    json!({"storage_encrypted": false, "publicly_accessible": true, "deletion_protection": false}),
                    json!({"storage_encrypted": null, "publicly_accessible": "true", "deletion_protection": 0}),
                ],
            ),
            (
                "aws",
                "aws_instance",
                vec![
                    json!({"metadata_options": [{"http_tokens": "optional"}]}),
                    json!({"metadata_options": [{"http_endpoint": "disabled", "http_tokens": "optional"}]}),
                    json!({"metadata_options": {"http_tokens": "optional"}, "tags": {"owner": "x"}}),
                    json!({"metadata_options": [7]}),
                    json!({"metadata_options": "optional"}),
                    json!({"metadata_options": ["x", null, {"http_tokens": 1}]}),
                ],
            ),
            (
                "aws",
                "aws_iam_policy",
                vec![
                    json!({"policy": policy(json!([{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}])).to_string()}),
                    json!({"policy": policy(json!({"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": ["*"]}))}),
                    json!({"policy": "{not json"}),
                    json!({"policy": policy(json!("*")).to_string()}),
                    json!({"policy": 12}),
                    json!({"policy": policy(json!(["x", 1, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])).to_string()}),
                    json!({"policy": policy(json!({"Effect": "Allow", "Action": "*", "Resource": "*", "Sid": ["odd"]})).to_string()}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket_policy",
                vec![
                    json!({"policy": policy(json!([{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject"}])).to_string()}),
                    json!({"policy": policy(json!([{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Condition": {"a": 1}}])).to_string()}),
                    json!({"policy": policy(json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["s3:Get*"]}))}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket_acl",
                vec![
                    json!({"access_control_policy": [{"grant": [{"grantee": [{"uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"}], "permission": "WRITE"}]}]}),
                    json!({"access_control_policy": [{"grant": "x"}]}),
                    json!({"access_control_policy": ["x", {"grant": ["y", {"grantee": "z"}, {"grantee": [1, {"uri": 2}]}]}]}),
                    json!({"access_control_policy": {"grant": []}}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket",
                vec![json!({"bucket": "b1"}), json!({"bucket": "b2"}), json!({})],
            ),
            (
                "aws",
                "aws_s3_bucket_public_access_block",
                vec![
                    json!({"bucket": "b2", "block_public_acls": false, "block_public_policy": true, "ignore_public_acls": "x", "restrict_public_buckets": false}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket_server_side_encryption_configuration",
                vec![json!({"bucket": "b1"})],
            ),
            (
                "google",
                "google_compute_firewall",
                vec![
                    json!({"direction": "INGRESS", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["20-25", "3306"]}]}),
                    json!({"direction": "ingress", "source_ranges": ["::/0"], "allow": [{"protocol": "all"}, {"protocol": "udp"}]}),
                    json!({"disabled": true, "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "all"}]}),
                    json!({"source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp", "ports": ["x-y", "9200-", 22, "1-65535"]}]}),
                    json!({"source_ranges": "0.0.0.0/0", "allow": "tcp", "labels": {"owner": "a"}}),
                    json!({"source_ranges": ["0.0.0.0/0", 5], "allow": ["tcp", {"protocol": "tcp", "ports": "22"}, {"protocol": "tcp", "ports": [22.0, null]}]}),
                    json!({"direction": 5, "disabled": "no", "source_ranges": ["0.0.0.0/0"], "allow": [{"protocol": "tcp"}]}),
                ],
            ),
            (
                "google",
                "google_storage_bucket",
                vec![
                    json!({"public_access_prevention": "inherited"}),
                    json!({"labels": {"owner": "x", "cost-center": 1}}),
                    json!({"public_access_prevention": null, "labels": null}),
                ],
            ),
            (
                "aws",
                "aws_vpc",
                vec![
                    json!({"tags": {"Owner": "a"}}),
                    json!({"tags": []}),
                    json!({"tags": "x"}),
                ],
            ),
            // Odd values where the rules on the VM look.
            (
                "aws",
                "aws_subnet",
                vec![
                    json!({"tags": {"owner": null, "cost-center": false}}),
                    json!({"tags": {"owner": "", "cost-center": 0}}),
                    json!({"tags": {"owner": {"a": 1}, "cost-center": [1]}}),
                    json!({"tags": 5}),
                    json!({"tags": null, "labels": {"owner": "x"}}),
                    json!({"tags_all": {"owner": "x"}}),
                    json!({"x": {"$serde_json::private::Number": "not a number"}, "tags": null}),
                ],
            ),
            (
                "google",
                "google_compute_network",
                vec![
                    json!({"labels": {"owner": null}, "tags": null}),
                    json!({"labels": "owner"}),
                    json!({"labels": null}),
                ],
            ),
            (
                "azure",
                "azurerm_resource_group",
                vec![json!({"tags": null}), json!({"tags": {}})],
            ),
            (
                "kubernetes",
                "Deployment.apps",
                vec![
                    json!({"pod_spec": {"hostNetwork": true, "hostPID": "true",
                    "volumes": [{"name": "root", "hostPath": {"path": "/"}}, {"name": "odd", "hostPath": "x"}, "y"],
                    "containers": [
                        {"name": "web", "image": "nginx", "securityContext": {"privileged": true}},
                        {"name": "side", "image": "reg:5000/side:latest", "resources": {"limits": {"cpu": "1"}}},
                        {"image": "x@sha256:abc", "resources": {"limits": {"memory": "1Gi"}}},
                    ]}}),
                    json!({"pod_spec": {"containers": "x", "volumes": {"a": 1}, "hostIPC": [true]}}),
                    json!({"pod_spec": {"containers": [null, 1, {"name": 5, "image": 7, "securityContext": "privileged", "resources": "x"}]}}),
                    json!({"pod_spec": "odd"}),
                    json!({"spec.replicas": 2}),
                ],
            ),
            (
                "kubernetes",
                "Pod",
                vec![json!({"pod_spec": {
                    "initContainers": [{"name": "init", "image": "busybox:1.36", "securityContext": {"privileged": true}}],
                    "ephemeralContainers": [{"name": "debug", "image": "busybox"}],
                }})],
            ),
            (
                "aws",
                "aws_ebs_volume",
                vec![
                    json!({"encrypted": null, "tags": {"owner": "a", "cost-center": "b"}}),
                    json!({"encrypted": 0}),
                    json!({"encrypted": [false]}),
                ],
            ),
            (
                "aws",
                "aws_db_instance",
                vec![
                    json!({"storage_encrypted": "false", "publicly_accessible": 1, "deletion_protection": null}),
                    json!({"storage_encrypted": false, "publicly_accessible": [true], "deletion_protection": "false"}),
                    json!({"publicly_accessible": true}),
                ],
            ),
            (
                "google",
                "google_storage_bucket",
                vec![
                    json!({"public_access_prevention": 5}),
                    json!({"public_access_prevention": {"a": "enforced"}}),
                    json!({"public_access_prevention": "ENFORCED"}),
                    json!({"public_access_prevention": "enforced", "labels": {"owner": "x", "cost-center": "y"}}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket",
                vec![
                    json!({"bucket": 7}),
                    json!({"bucket": {"name": "b3"}}),
                    json!({"bucket": null}),
                    json!({"bucket": "b3"}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket_public_access_block",
                vec![
                    json!({"bucket": "b3", "block_public_acls": null, "block_public_policy": "false", "ignore_public_acls": 0, "restrict_public_buckets": [false]}),
                    json!({"bucket": 7, "block_public_acls": false}),
                    json!({"bucket": {"name": "b3"}, "restrict_public_buckets": false}),
                ],
            ),
            (
                "aws",
                "aws_s3_bucket_server_side_encryption_configuration",
                vec![json!({"bucket": null}), json!({"bucket": ["b3"]})],
            ),
        ];
        let mut out = Vec::new();
        for (provider, rtype, attrs) in variants {
            for (n, a) in attrs.into_iter().enumerate() {
                let id = match a.get("bucket").and_then(Value::as_str) {
                    Some(b) => b.to_string(),
                    None => format!("{rtype}-{n}"),
                };
                out.push(live(provider, rtype, &id, a));
            }
        }
        out
    }

    fn pack() -> PolicyOptions {
        PolicyOptions {
            builtin: true,
            required_tags: vec!["owner".into(), "cost-center".into()],
            ..Default::default()
        }
    }

    #[test]
    fn the_builtin_pack_runs_on_the_vm_with_lean_documents() {
        let set = PolicySet::load(&pack()).expect("the pack loads");
        let on_vm: Vec<&str> = set
            .policies
            .iter()
            .filter(|p| p.entries.is_some())
            .map(|p| p.meta.id.as_str())
            .collect();
        let mut want = VM_POLICIES.to_vec();
        want.sort();
        let mut got = on_vm.clone();
        got.sort();
        // A rule the bytecode compiler refuses runs several times slower on the interpreter.
        assert_eq!(got, want, "compiled to bytecode");
        assert!(set.compiled.is_some());
        // No rule of the pack reads `expected` or `finding`.
        assert!(!set.full_input);
        fn send<T: Send>(_: &T) {}
        send(&set);
    }

    /// The findings and errors of the pack over the corpus are the same on the VM as on the
    /// interpreter.
    #[test]
    fn the_vm_and_the_interpreter_agree() {
        let resources = corpus();
        let subjects = subjects(&resources);
        let mut vm = PolicySet::load(&pack()).expect("the pack loads");
        let mut interpreter = vm.clone();
        interpreter.interpreter_only();
        let a = vm.evaluate("prod", &subjects);
        let b = interpreter.evaluate("prod", &subjects);
        let only = |x: &Evaluation, y: &Evaluation| -> Vec<String> {
            x.findings
                .iter()
                .filter(|f| !y.findings.contains(f))
                .map(|f| format!("{} {:?}", f.resource_id, f.policy))
                .collect()
        };
        assert_eq!(only(&a, &b), Vec::<String>::new(), "on the VM only");
        assert_eq!(
            only(&b, &a),
            Vec::<String>::new(),
            "on the interpreter only"
        );
        assert_eq!(a.findings, b.findings);
        assert_eq!(a.errors, b.errors);
        assert_eq!(a.evaluations, b.evaluations);
        let ids: BTreeSet<&str> = a
            .findings
            .iter()
            .filter_map(|f| f.policy.as_ref().map(|p| p.id.as_str()))
            .collect();
        assert_eq!(ids.len(), vm.ids().len(), "every rule reports: {ids:?}");
        // No rule of the pack fails on odd or hostile shapes: a policy that fails keeps its
        // open violations open (its findings are unknown), so one odd resource would freeze
        // them for the whole target.
        assert_eq!(b.errors, Vec::<(String, String)>::new());
        // One resource at a time, so that no rule is skipped for having failed before.
        for r in &resources {
            let one = [Subject {
                live: r,
                expected: None,
                finding: None,
            }];
            let a = vm.evaluate("prod", &one);
            let b = interpreter.evaluate("prod", &one);
            assert_eq!((a.findings, a.errors), (b.findings, b.errors), "{r:?}");
        }
    }

    /// A config file that adds rules to a built-in package takes that package off the VM.
    #[test]
    fn a_builtin_package_a_config_file_extends_stays_on_the_interpreter() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("more.rego");
        std::fs::write(
            &path,
            "package driftd.builtin.aws_rds_public\nimport rego.v1\n\n\
             deny contains \"mine\" if input.attributes.mine\n",
        )
        .expect("write");
        let opts = PolicyOptions {
            sources: vec![PolicySource {
                path,
                ..Default::default()
            }],
            ..pack()
        };
        let set = PolicySet::load(&opts).expect("loads");
        let entries = |id: &str| {
            set.policies
                .iter()
                .find(|p| p.meta.id == id)
                .map(|p| p.entries.is_some())
        };
        assert_eq!(entries("aws-rds-public"), Some(false));
        assert_eq!(entries("aws-rds-deletion-protection"), Some(true));
    }

    /// A rule that runs too long on the VM is run again on the interpreter in what is left of
    /// the time limit: the policy's error is reported within about the limit.
    #[test]
    fn a_runaway_rule_on_the_vm_is_its_policys_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = "package team.slow\nimport rego.v1\n\n\
                    deny contains \"never\" if {\n  some a in numbers.range(1, 100000)\n  \
                    some b in numbers.range(1, 100000)\n  a * b < 0\n}\n";
        let path = dir.path().join("slow.rego");
        std::fs::write(&path, text).expect("write");
        let opts = PolicyOptions {
            sources: vec![PolicySource {
                path,
                ..Default::default()
            }],
            ..Default::default()
        };
        let mut vm = PolicySet::load(&opts).expect("loads");
        let data = vm.engine.get_data();
        vm.compiled = compile(&vm.engine, &mut vm.policies, data, |_| true);
        assert!(vm.policies[0].entries.is_some(), "the policy compiles");
        let resources = [live("aws", "aws_vpc", "v", json!({}))];
        let start = Instant::now();
        let e = vm.evaluate("prod", &subjects(&resources));
        let took = start.elapsed();
        assert_eq!(e.errors.len(), 1, "{:?}", e.errors);
        assert_eq!(e.errors[0].0, "team.slow");
        assert!(e.errors[0].1.contains("time limit"), "{:?}", e.errors);
        assert!(took < EVAL_LIMIT + EVAL_LIMIT / 2, "{took:?}");
    }

    /// Documents keep `expected` and `finding` as soon as one module may read them, whichever
    /// way it names them.
    #[test]
    fn policies_that_read_expected_still_get_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, body) in [
            ("dotted", "input.expected.instance_type == \"t3.micro\""),
            (
                "bracket",
                "input[\"expected\"].instance_type == \"t3.micro\"",
            ),
            (
                "whole",
                "doc := input\n  doc.expected.instance_type == \"t3.micro\"",
            ),
            ("helper", "data.lib.small"),
        ] {
            let text = format!("package team.{name}\nimport rego.v1\n\ndeny contains \"small\" if {{\n  {body}\n}}\n");
            std::fs::write(dir.path().join(format!("{name}.rego")), text).expect("write");
            let mut files = vec![dir.path().join(format!("{name}.rego"))];
            if name == "helper" {
                let lib = dir.path().join("lib.rego");
                std::fs::write(&lib, "package lib\nimport rego.v1\n\nsmall if input.expected.instance_type == \"t3.micro\"\n")
                    .expect("write");
                files.push(lib);
            }
            let opts = PolicyOptions {
                sources: files
                    .into_iter()
                    .map(|path| PolicySource {
                        path,
                        ..Default::default()
                    })
                    .collect(),
                ..pack()
            };
            let mut set = PolicySet::load(&opts).expect("loads");
            assert!(set.full_input, "{name}");
            let live = live(
                "aws",
                "aws_instance",
                "i-1",
                json!({"instance_type": "t3.micro"}),
            );
            let expected = live.clone();
            let e = set.evaluate(
                "prod",
                &[Subject {
                    live: &live,
                    expected: Some(&expected),
                    finding: None,
                }],
            );
            assert!(e.errors.is_empty(), "{name}: {:?}", e.errors);
            assert!(
                e.findings
                    .iter()
                    .any(|f| f.policy.as_ref().is_some_and(|p| p.id.starts_with("team."))),
                "{name}: {:?}",
                e.findings
            );
        }
    }

    #[test]
    fn reads_only_sees_every_use_of_input() {
        let fields = LEAN_FIELDS;
        for text in [
            "x if input.type == \"a\"",
            "x if input.attributes.tags[k]",
            "# input.expected, in a comment\nx if input.id",
            "x := \"# not a comment\" \n y if input.region",
            "my_input := 1\ninputs := 2\nx if input.managed",
            "x := `raw # text` \ny if input.provider",
            "s := \"a \\\" # b\"\nx if input.address",
        ] {
            assert!(reads_only(text, fields), "{text}");
        }
        for text in [
            "x if input.expected.a",
            "x if input.finding",
            "x if input[\"expected\"]",
            "x if input[k]",
            "x := input",
            "x if walk(input, [p, v])",
            "import input.expected as e",
            "import input",
            "x if input .expected",
            "x := \"# fine\"; y if input.expected",
            "x := \"input.expected\"",
            "x := `raw` \ny if input.expected",
            "s := \"a \\\" # b\"\nx if input.expected",
            "x if input",
        ] {
            assert!(!reads_only(text, fields), "{text}");
        }
    }
}
