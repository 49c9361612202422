//! Expansion: module calls, `count` / `for_each` instances, nested and `dynamic` blocks, and the
//! provider configuration each resource uses.

use super::eval::{self, eval_attr, eval_value, hcl_to_json, VarDecl};
use super::parse::{self, Located, ModuleSource};
use super::{
    Attr, Backend, CodeModule, CodeResource, HclError, Limits, LoadOptions, ProviderConfig, Unread,
};
use crate::tfstate::{address, push_hcl_quoted};
use ::hcl::eval::Context;
use ::hcl::{Block, Body, Expression, Map, Structure, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;

/// Resource arguments that configure Terraform, not the resource.
const RESOURCE_META: [&str; 4] = ["count", "for_each", "provider", "depends_on"];
/// Nested blocks of a resource that configure Terraform, not the resource.
const RESOURCE_META_BLOCKS: [&str; 3] = ["lifecycle", "provisioner", "connection"];
/// Module block arguments that are not inputs.
const MODULE_META: [&str; 6] = [
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];
/// Deeper module nesting than this is taken for a cycle (`source = "../"`).
const MAX_DEPTH: usize = 32;

/// The provider configuration a resource ends up using, in root-module terms.
#[derive(Debug, Clone)]
struct ProviderRef {
    name: String,
    alias: Option<String>,
    region: Option<String>,
}

/// Provider configurations visible in a module instance, by local reference (`aws`, `aws.eu`).
type ProviderMap = HashMap<String, ProviderRef>;

fn resolve(providers: &ProviderMap, local: &str) -> ProviderRef {
    providers.get(local).cloned().unwrap_or_else(|| {
        let (name, alias) = match local.split_once('.') {
            Some((name, alias)) => (name, Some(alias.to_string())),
            None => (local, None),
        };
        ProviderRef {
            name: name.to_string(),
            alias,
            region: None,
        }
    })
}

/// One instance of a resource or module block.
enum Instance {
    Single,
    Count(u64),
    Each(String, Value),
}

impl Instance {
    fn index_key(&self) -> Option<serde_json::Value> {
        match self {
            Instance::Single => None,
            Instance::Count(i) => Some(serde_json::Value::from(*i)),
            Instance::Each(key, _) => Some(serde_json::Value::String(key.clone())),
        }
    }

    fn declare(&self, ctx: &mut Context) {
        match self {
            Instance::Single => {}
            Instance::Count(i) => {
                let mut obj = Map::new();
                obj.insert("index".to_string(), Value::from(*i));
                ctx.declare_var("count", Value::Object(obj));
            }
            Instance::Each(key, value) => {
                let mut obj = Map::new();
                obj.insert("key".to_string(), Value::from(key.as_str()));
                obj.insert("value".to_string(), value.clone());
                ctx.declare_var("each", Value::Object(obj));
            }
        }
    }
}

/// `count` and `each` leave the context once their block is done, so that a later block cannot
/// see them. (hcl-rs has no removal; null makes any use fail, hence unknown.)
fn clear_instance(ctx: &mut Context) {
    ctx.declare_var("count", Value::Null);
    ctx.declare_var("each", Value::Null);
}

/// One load: the caller's options, what was read so far, and what is found.
struct Loader<'o> {
    opts: &'o LoadOptions,
    /// The built-in functions, cloned into each module instance's context.
    base: Context<'static>,
    root_dir: String,
    /// Module directories read so far, so a module called many times is parsed once.
    sources: HashMap<PathBuf, Rc<ModuleSource>>,
    /// `.terraform/modules/modules.json` of the root module: module call keys (`vpc`,
    /// `vpc.endpoints`) to the directories `terraform init` installed them in.
    manifest: HashMap<String, PathBuf>,
    out: CodeModule,
}

/// Reads the module manifest `terraform init` writes, if there is one. Its `Dir`s are relative
/// to the root module directory.
fn read_manifest(root: &Path, warnings: &mut Vec<String>) -> HashMap<String, PathBuf> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        #[serde(rename = "Modules", default)]
        modules: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        #[serde(rename = "Key")]
        key: String,
        #[serde(rename = "Dir")]
        dir: String,
    }
    let path = root.join(".terraform").join("modules").join("modules.json");
    let Ok(text) = parse::read_text(&path) else {
        return HashMap::new();
    };
    match serde_json::from_str::<Manifest>(&text) {
        Ok(m) => m
            .modules
            .into_iter()
            .filter(|e| !e.key.is_empty())
            .map(|e| (e.key, root.join(e.dir)))
            .collect(),
        Err(e) => {
            warnings.push(format!(
                "{}: not a module manifest ({e}); installed modules are not read (run \
                 `terraform init` again)",
                path.display()
            ));
            HashMap::new()
        }
    }
}

/// The manifest key of a module call: the call names from the root, joined by dots
/// (`module.net[0].module.subnets["a"]` calling `x` is `net.subnets.x`).
fn call_key(parent_path: &str, name: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = parent_path;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(&after[..end]);
        rest = skip_index(&after[end..]);
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    names.push(name);
    names.join(".")
}

/// Skips one instance key (`[0]`, `["a.b"]`) at the start of `text`, if any.
fn skip_index(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('[') else {
        return text;
    };
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return &inner[i + 1..],
            _ => {}
        }
    }
    ""
}

pub(crate) fn load(dir: &Path, opts: &LoadOptions) -> Result<CodeModule, HclError> {
    super::set_root_dir(dir);
    let mut root = parse::read_module_dir(dir)?;
    let root_warnings = std::mem::take(&mut root.warnings);
    let mut loader = Loader {
        opts,
        base: eval::base_context(),
        root_dir: dir.display().to_string(),
        sources: HashMap::new(),
        manifest: HashMap::new(),
        out: CodeModule::default(),
    };
    loader.out.warnings.extend(root_warnings);
    loader.manifest = read_manifest(dir, &mut loader.out.warnings);
    let mut ctx = loader.module_context(&loader.root_dir.clone());
    let vars = eval::root_vars(&root, opts, &ctx, &mut loader.out.warnings)?;
    eval::declare_vars(&mut ctx, vars);
    eval::declare_locals(&mut ctx, &root.locals);
    loader.out.backend = backend(&root, &ctx, &mut loader.out.warnings);
    let mut providers = ProviderMap::new();
    loader.provider_blocks(&root, &ctx, "", &mut providers);
    // The root's blocks are owned here, so they are handed over (and freed as they are done).
    let resources = std::mem::take(&mut root.resources);
    expand_resources(
        &mut loader.out,
        resources,
        &mut ctx,
        "",
        &providers,
        &opts.limits,
    )?;
    loader.module_instance(&root, &mut ctx, "", &providers, 0)?;
    Ok(loader.out)
}

fn backend(root: &ModuleSource, ctx: &Context, warnings: &mut Vec<String>) -> Option<Backend> {
    let block = root.backends.first()?;
    let backend_type = block.item.labels.first()?.as_str().to_string();
    let mut settings = BTreeMap::new();
    for s in block.item.body.iter() {
        if let Structure::Attribute(a) = s {
            match eval_value(&a.expr, ctx) {
                Ok(v) => {
                    settings.insert(a.key.as_str().to_string(), hcl_to_json(&v));
                }
                Err(e) => warnings.push(format!(
                    "{}:{}: backend setting `{}` cannot be evaluated ({e})",
                    block.pos.file,
                    block.pos.line,
                    a.key.as_str()
                )),
            }
        }
    }
    Some(Backend {
        backend_type,
        settings,
        source: block.pos.clone(),
    })
}

fn labels(block: &Block) -> Vec<&str> {
    block.labels.iter().map(|l| l.as_str()).collect()
}

fn attr_expr<'b>(body: &'b Body, key: &str) -> Option<&'b Expression> {
    body.iter().find_map(|s| match s {
        Structure::Attribute(a) if a.key.as_str() == key => Some(&a.expr),
        _ => None,
    })
}

impl Loader<'_> {
    /// A fresh context for a module instance: functions, `path` and `terraform`.
    fn module_context(&self, module_dir: &str) -> Context<'static> {
        let mut ctx = self.base.clone();
        let mut path = Map::new();
        path.insert("module".to_string(), Value::from(module_dir));
        path.insert("root".to_string(), Value::from(self.root_dir.as_str()));
        path.insert("cwd".to_string(), Value::from(self.root_dir.as_str()));
        ctx.declare_var("path", Value::Object(path));
        let mut terraform = Map::new();
        let workspace = if self.opts.workspace.is_empty() {
            "default"
        } else {
            self.opts.workspace.as_str()
        };
        terraform.insert("workspace".to_string(), Value::from(workspace));
        ctx.declare_var("terraform", Value::Object(terraform));
        clear_instance(&mut ctx);
        ctx
    }

    /// Records a module's `provider` blocks and makes them what its references resolve to.
    fn provider_blocks(
        &mut self,
        module: &ModuleSource,
        ctx: &Context,
        module_path: &str,
        providers: &mut ProviderMap,
    ) {
        for block in &module.providers {
            let Some(name) = block.item.labels.first().map(|l| l.as_str().to_string()) else {
                continue;
            };
            let known_string = |key: &str| {
                attr_expr(&block.item.body, key)
                    .and_then(|e| eval_value(e, ctx).ok())
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let alias = known_string("alias");
            let region = known_string("region");
            if region.is_none() && attr_expr(&block.item.body, "region").is_some() {
                self.out.warnings.push(format!(
                    "{}:{}: provider `{name}` region cannot be evaluated; its resources have no \
                     known region",
                    block.pos.file, block.pos.line
                ));
            }
            let key = match &alias {
                Some(alias) => format!("{name}.{alias}"),
                None => name.clone(),
            };
            providers.insert(
                key,
                ProviderRef {
                    name: name.clone(),
                    alias: alias.clone(),
                    region: region.clone(),
                },
            );
            self.out.providers.push(ProviderConfig {
                name,
                alias,
                region,
                module_path: module_path.to_string(),
                source: block.pos.clone(),
            });
        }
    }

    fn module_instance(
        &mut self,
        module: &ModuleSource,
        ctx: &mut Context,
        module_path: &str,
        providers: &ProviderMap,
        depth: usize,
    ) -> Result<(), HclError> {
        let resources: Vec<&Located<Block>> = module.resources.iter().collect();
        expand_resources(
            &mut self.out,
            resources,
            ctx,
            module_path,
            providers,
            &self.opts.limits,
        )?;
        for call in &module.modules {
            self.expand_call(module, call, ctx, module_path, providers, depth)?;
        }
        Ok(())
    }

    /// Records a module call whose resources cannot be read, with why.
    fn module_not_evaluated(
        &mut self,
        call: &Located<Block>,
        parent_path: &str,
        name: &str,
        reason: String,
    ) {
        self.out.warnings.push(format!(
            "{}:{}: module `{name}`: {reason}; its resources are not evaluated",
            call.pos.file, call.pos.line
        ));
        self.out.unread.push(Unread {
            address: join_path(parent_path, &format!("module.{name}")),
            resource_type: None,
            reason,
            source: call.pos.clone(),
        });
    }

    /// The directory `terraform init` installed the module call `key` in, when it exists.
    fn installed_module(&self, key: &str) -> Option<PathBuf> {
        self.manifest.get(key).filter(|dir| dir.is_dir()).cloned()
    }

    fn module_source(&mut self, dir: &Path) -> Result<Rc<ModuleSource>, HclError> {
        let key = normalize(dir);
        if let Some(found) = self.sources.get(&key) {
            return Ok(Rc::clone(found));
        }
        let mut source = parse::read_module_dir(&key)?;
        self.out.warnings.append(&mut source.warnings);
        let source = Rc::new(source);
        self.sources.insert(key, Rc::clone(&source));
        Ok(source)
    }

    fn expand_call(
        &mut self,
        parent: &ModuleSource,
        call: &Located<Block>,
        ctx: &mut Context,
        parent_path: &str,
        providers: &ProviderMap,
        depth: usize,
    ) -> Result<(), HclError> {
        let block = &call.item;
        let Some(name) = block.labels.first().map(|l| l.as_str().to_string()) else {
            return Ok(());
        };
        let at = format!("{}:{}", call.pos.file, call.pos.line);
        let source = match attr_expr(&block.body, "source") {
            Some(Expression::String(s)) => s.clone(),
            _ => {
                let reason = "its `source` is not a literal string".to_string();
                self.module_not_evaluated(call, parent_path, &name, reason);
                return Ok(());
            }
        };
        let local = source.starts_with("./") || source.starts_with("../");
        // A module `terraform init` installed: where its manifest says it is.
        let installed = if local {
            None
        } else {
            self.installed_module(&call_key(parent_path, &name))
        };
        if !local && installed.is_none() {
            let reason = if self.manifest.is_empty() {
                format!(
                    "source `{source}` is not on disk (run `terraform init` in the root module \
                     to install it)"
                )
            } else {
                format!(
                    "source `{source}` is not in .terraform/modules/modules.json (run \
                     `terraform init` again)"
                )
            };
            self.module_not_evaluated(call, parent_path, &name, reason);
            return Ok(());
        }
        if depth >= MAX_DEPTH {
            return Err(HclError::Invalid {
                path: at,
                message: format!(
                    "module `{name}`: modules nested more than {MAX_DEPTH} deep (does a module \
                     call itself?)"
                ),
            });
        }
        let child_dir = installed.unwrap_or_else(|| parent.dir.join(&source));
        let child = self.module_source(&child_dir).map_err(|e| match e {
            HclError::NoConfig { dir } | HclError::Read { path: dir, .. } => HclError::Invalid {
                path: at.clone(),
                message: format!(
                    "module `{name}`: source `{source}` ({dir}) is not a readable directory with \
                     *.tf files"
                ),
            },
            other => other,
        })?;
        let decls: Vec<VarDecl> = eval::var_decls(&child, &self.base);
        let child_providers = child_provider_map(&block.body, providers);
        let what = format!("module.{name}");
        let limits = &self.opts.limits;
        let instances = match instances(&mut self.out, &block.body, ctx, &what, &call.pos, limits)?
        {
            Ok(instances) => instances,
            Err(reason) => {
                self.out.unread.push(Unread {
                    address: join_path(parent_path, &what),
                    resource_type: None,
                    reason,
                    source: call.pos.clone(),
                });
                return Ok(());
            }
        };
        let child_dir_text = child_dir.display().to_string();
        for instance in instances {
            instance.declare(ctx);
            let inputs: BTreeMap<String, Result<Value, String>> = block
                .body
                .iter()
                .filter_map(|s| match s {
                    Structure::Attribute(a) if !MODULE_META.contains(&a.key.as_str()) => {
                        Some((a.key.as_str().to_string(), eval_value(&a.expr, ctx)))
                    }
                    _ => None,
                })
                .collect();
            let mut path = String::with_capacity(parent_path.len() + name.len() + 12);
            if !parent_path.is_empty() {
                path.push_str(parent_path);
                path.push('.');
            }
            path.push_str("module.");
            path.push_str(&name);
            match instance.index_key() {
                Some(serde_json::Value::Number(n)) => path.push_str(&format!("[{n}]")),
                Some(serde_json::Value::String(key)) => {
                    path.push('[');
                    push_hcl_quoted(&mut path, &key);
                    path.push(']');
                }
                _ => {}
            }
            let vars = eval::child_vars(&decls, inputs, &path, &mut self.out.warnings);
            let mut child_ctx = self.module_context(&child_dir_text);
            eval::declare_vars(&mut child_ctx, vars);
            eval::declare_locals(&mut child_ctx, &child.locals);
            let mut instance_providers = child_providers.clone();
            self.provider_blocks(&child, &child_ctx, &path, &mut instance_providers);
            self.module_instance(
                &child,
                &mut child_ctx,
                &path,
                &instance_providers,
                depth + 1,
            )?;
        }
        clear_instance(ctx);
        Ok(())
    }
}

/// The instances `count` or `for_each` ask for; `None` (with a warning) when not known.
fn instances(
    out: &mut CodeModule,
    body: &Body,
    ctx: &Context,
    what: &str,
    pos: &super::SourcePos,
    limits: &Limits,
) -> Result<Result<Vec<Instance>, String>, HclError> {
    let unknown = |out: &mut CodeModule, arg: &str, reason: String| {
        out.warnings.push(format!(
            "{}:{}: {what}: `{arg}` is not known from code ({reason}); its instances are not \
             evaluated",
            pos.file, pos.line
        ));
        Ok(Err(format!("`{arg}` is not known from code: {reason}")))
    };
    let too_many = |arg: &str, n: u64| {
        Err(HclError::Limit {
            path: pos.file.clone(),
            line: pos.line,
            message: format!(
                "{what}: `{arg}` asks for {n} instances, more than the limit of {} for one \
                 block; if that is intended, raise `max_instances` in the target's \
                 `[target.limits]` (driftd.toml)",
                limits.max_instances
            ),
        })
    };
    if let Some(expr) = attr_expr(body, "count") {
        return match eval_value(expr, ctx) {
            Ok(Value::Number(n)) => match n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            }) {
                Some(n) if n > limits.max_instances => too_many("count", n),
                Some(n) => Ok(Ok((0..n).map(Instance::Count).collect())),
                None => unknown(out, "count", format!("`{n}` is not a whole number")),
            },
            Ok(other) => unknown(out, "count", format!("`{other}` is not a number")),
            Err(reason) => unknown(out, "count", reason),
        };
    }
    if let Some(expr) = attr_expr(body, "for_each") {
        return match eval_value(expr, ctx) {
            Ok(Value::Object(map)) if map.len() as u64 > limits.max_instances => {
                too_many("for_each", map.len() as u64)
            }
            Ok(Value::Array(items)) if items.len() as u64 > limits.max_instances => {
                too_many("for_each", items.len() as u64)
            }
            Ok(Value::Object(map)) => {
                let mut items: Vec<(String, Value)> = map.into_iter().collect();
                items.sort_by(|a, b| a.0.cmp(&b.0));
                Ok(Ok(items
                    .into_iter()
                    .map(|(k, v)| Instance::Each(k, v))
                    .collect()))
            }
            Ok(Value::Array(items)) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => keys.push(s),
                        other => {
                            return unknown(
                                out,
                                "for_each",
                                format!("a set must hold strings, got `{other}`"),
                            )
                        }
                    }
                }
                keys.sort();
                keys.dedup();
                Ok(Ok(keys
                    .into_iter()
                    .map(|k| {
                        let v = Value::from(k.as_str());
                        Instance::Each(k, v)
                    })
                    .collect()))
            }
            Ok(other) => unknown(
                out,
                "for_each",
                format!("`{other}` is not a map or a set of strings"),
            ),
            Err(reason) => unknown(out, "for_each", reason),
        };
    }
    Ok(Ok(vec![Instance::Single]))
}

/// One resource block as its instances, each with its attributes evaluated.
fn expand_resource(
    out: &mut CodeModule,
    resource: &Located<Block>,
    ctx: &mut Context,
    module_path: &str,
    providers: &ProviderMap,
    limits: &Limits,
) -> Result<(), HclError> {
    let block = &resource.item;
    let [resource_type, name] = labels(block)[..] else {
        out.warnings.push(format!(
            "{}:{}: a resource block needs a type and a name (ignored)",
            resource.pos.file, resource.pos.line
        ));
        return Ok(());
    };
    let provider_local = attr_expr(&block.body, "provider")
        .and_then(eval::traversal_path)
        .unwrap_or_else(|| {
            resource_type
                .split('_')
                .next()
                .unwrap_or(resource_type)
                .to_string()
        });
    let provider = resolve(providers, &provider_local);
    let ignore_changes: Vec<String> = block
        .body
        .iter()
        .filter_map(|s| match s {
            Structure::Block(b) if b.identifier.as_str() == "lifecycle" => {
                Some(eval::ignore_changes(b))
            }
            _ => None,
        })
        .flatten()
        .collect();
    let what = format!("{resource_type}.{name}");
    let instances = match instances(out, &block.body, ctx, &what, &resource.pos, limits)? {
        Ok(instances) => instances,
        Err(reason) => {
            out.unread.push(Unread {
                address: join_path(module_path, &what),
                resource_type: Some(resource_type.to_string()),
                reason,
                source: resource.pos.clone(),
            });
            return Ok(());
        }
    };
    if out.resources.len() + instances.len() > limits.max_resources {
        return Err(HclError::Limit {
            path: resource.pos.file.clone(),
            line: resource.pos.line,
            message: format!(
                "{}: the code declares more than {} resource instances in all; if that is \
                 intended, raise `max_resources` in the target's `[target.limits]` (driftd.toml)",
                join_path(module_path, &what),
                limits.max_resources
            ),
        });
    }
    let module = (!module_path.is_empty()).then_some(module_path);
    for instance in instances {
        instance.declare(ctx);
        let attributes = eval_body(&block.body, ctx, true);
        let index_key = instance.index_key();
        out.resources.push(CodeResource {
            address: address(module, resource_type, name, index_key.as_ref()),
            module_path: module_path.to_string(),
            resource_type: resource_type.to_string(),
            name: name.to_string(),
            index_key,
            provider: provider.name.clone(),
            provider_alias: provider.alias.clone(),
            region: provider.region.clone(),
            attributes,
            ignore_changes: ignore_changes.clone(),
            source: resource.pos.clone(),
        });
    }
    clear_instance(ctx);
    Ok(())
}

/// Expands resource blocks in order. Owned blocks (the root module's) are freed as soon as they
/// are expanded, which keeps the peak memory of a large project down.
///
/// Evaluating on several threads was measured (2 cores, 5 MB project): it cost a third more CPU
/// for no steady gain in wall time, so expansion stays on the calling thread and only parsing is
/// parallel.
fn expand_resources<R>(
    out: &mut CodeModule,
    resources: Vec<R>,
    ctx: &mut Context,
    module_path: &str,
    providers: &ProviderMap,
    limits: &Limits,
) -> Result<(), HclError>
where
    R: std::borrow::Borrow<Located<Block>>,
{
    for resource in resources {
        expand_resource(out, resource.borrow(), ctx, module_path, providers, limits)?;
    }
    Ok(())
}

/// What a child module's provider references resolve to: the parent's default configurations,
/// overridden by the call's `providers = { aws = aws.eu }`.
fn child_provider_map(call: &Body, parent: &ProviderMap) -> ProviderMap {
    let mut map: ProviderMap = parent
        .iter()
        .filter(|(k, _)| !k.contains('.'))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(Expression::Object(entries)) = attr_expr(call, "providers") {
        for (key, value) in entries.iter() {
            let key = match key {
                ::hcl::ObjectKey::Identifier(id) => Some(id.as_str().to_string()),
                ::hcl::ObjectKey::Expression(e) => eval::traversal_path(e),
                _ => None,
            };
            if let (Some(key), Some(value)) = (key, eval::traversal_path(value)) {
                map.insert(key, resolve(parent, &value));
            }
        }
    }
    map
}

/// `a/./b/../c` → `a/c`, so that one module directory is one cache entry.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A block body's arguments and nested blocks as attributes. `top` leaves out the resource
/// meta-arguments.
fn eval_body(body: &Body, ctx: &mut Context, top: bool) -> BTreeMap<String, Attr> {
    let mut attrs = BTreeMap::new();
    let mut blocks: BTreeMap<String, Result<Vec<serde_json::Value>, String>> = BTreeMap::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let key = a.key.as_str();
                if top && RESOURCE_META.contains(&key) {
                    continue;
                }
                attrs.insert(key.to_string(), eval_attr(&a.expr, ctx));
            }
            Structure::Block(b) => {
                let kind = b.identifier.as_str();
                if top && RESOURCE_META_BLOCKS.contains(&kind) {
                    continue;
                }
                let (key, items) = if kind == "dynamic" {
                    let Some(label) = b.labels.first() else {
                        continue;
                    };
                    if top {
                        // Each of a resource's own `dynamic` blocks has the whole budget.
                        super::reset_generated();
                    }
                    (label.as_str().to_string(), expand_dynamic(b, ctx))
                } else {
                    (
                        kind.to_string(),
                        nested_object(&b.body, ctx).map(|o| vec![o]),
                    )
                };
                let entry = blocks.entry(key).or_insert_with(|| Ok(Vec::new()));
                match (entry.as_mut(), items) {
                    (Ok(list), Ok(items)) => list.extend(items),
                    (Ok(_), Err(reason)) => *entry = Err(reason),
                    (Err(_), _) => {}
                }
            }
        }
    }
    for (key, items) in blocks {
        let attr = match items {
            Ok(items) => Attr::Known(serde_json::Value::Array(items)),
            Err(reason) => Attr::Unknown { reason },
        };
        attrs.entry(key).or_insert(attr);
    }
    attrs
}

/// A nested block as an object; unknown as a whole when any part is.
fn nested_object(body: &Body, ctx: &mut Context) -> Result<serde_json::Value, String> {
    let mut object = serde_json::Map::new();
    for (key, attr) in eval_body(body, ctx, false) {
        match attr {
            Attr::Known(v) => {
                object.insert(key, v);
            }
            Attr::Unknown { reason } => return Err(format!("`{key}` {reason}")),
        }
    }
    Ok(serde_json::Value::Object(object))
}

/// `dynamic "x" { for_each = ..., iterator = it, content { ... } }` as the blocks it generates.
fn expand_dynamic(block: &Block, ctx: &mut Context) -> Result<Vec<serde_json::Value>, String> {
    let label = block.labels.first().map_or("", |l| l.as_str());
    let iterator = match attr_expr(&block.body, "iterator") {
        Some(Expression::Variable(v)) => v.as_str().to_string(),
        _ => label.to_string(),
    };
    let content = block
        .body
        .iter()
        .find_map(|s| match s {
            Structure::Block(b) if b.identifier.as_str() == "content" => Some(&b.body),
            _ => None,
        })
        .ok_or_else(|| format!("dynamic block `{label}` has no `content` block"))?;
    let for_each = attr_expr(&block.body, "for_each")
        .ok_or_else(|| format!("dynamic block `{label}` has no `for_each`"))?;
    let items: Vec<(Value, Value)> = match eval_value(for_each, ctx)? {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| (Value::from(i as u64), v))
            .collect(),
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            entries
                .into_iter()
                .map(|(k, v)| (Value::from(k), v))
                .collect()
        }
        Value::Null => Vec::new(),
        other => {
            return Err(format!(
                "dynamic block `{label}`: cannot iterate over `{other}`"
            ))
        }
    };
    let mut out = Vec::with_capacity(items.len());
    for (key, value) in items {
        let mut it = Map::new();
        it.insert("key".to_string(), key);
        it.insert("value".to_string(), value);
        ctx.declare_var(iterator.as_str(), Value::Object(it));
        let object = nested_object(content, ctx)?;
        super::count_generated(&object)?;
        out.push(object);
    }
    Ok(out)
}

/// `module.a` + `aws_vpc.x` → `module.a.aws_vpc.x`; the root module's path is empty.
fn join_path(module_path: &str, local: &str) -> String {
    if module_path.is_empty() {
        local.to_string()
    } else {
        format!("{module_path}.{local}")
    }
}

#[cfg(test)]
mod tests {
    use super::call_key;

    #[test]
    fn manifest_keys_are_call_names_without_instance_keys() {
        assert_eq!(call_key("", "vpc"), "vpc");
        assert_eq!(call_key("module.net", "x"), "net.x");
        assert_eq!(
            call_key("module.net[0].module.subnets[\"a.b]\"]", "x"),
            "net.subnets.x"
        );
        assert_eq!(call_key("module.a.module.b", "c"), "a.b.c");
    }
}
