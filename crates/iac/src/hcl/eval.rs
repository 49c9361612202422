//! Evaluation: HCL values to JSON, input variables with Terraform's precedence, and locals.
//!
//! Each module instance is evaluated in one hcl-rs [`Context`] holding `var`, `local`, `path`,
//! `terraform` and the built-in functions; `count`, `each` and `dynamic` iterators are declared
//! in it while their block is evaluated. What cannot be evaluated is simply not declared, so that
//! any expression reaching it fails and the attribute becomes unknown.

use super::parse::{read_text, read_tfvars, Located, ModuleSource};
use super::prepare::{
    ARITH_FUNC, COUNTED_FUNC, DUPLICATE_PREFIX, EMIT_FUNC, LOCAL_PREFIX, SIZED_FUNC,
    TEMPLATE_LOOP_FUNC, VAR_PREFIX,
};
use super::{Attr, HclError, LoadOptions};
use ::hcl::eval::{Context, ErrorKind, Evaluate};
use ::hcl::{Attribute, Block, Expression, Map, Structure, Value};
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use super::value::{hcl_into_json, hcl_to_json, json_to_hcl};

/// Why an expression could not be evaluated, in words for `driftd explain`.
pub(crate) fn unknown_reason(err: &::hcl::eval::Error) -> String {
    match err.kind() {
        ErrorKind::UndefinedVar(name) if name.as_str().starts_with(VAR_PREFIX) => format!(
            "variable `{}` has no known value (not set, or set from something known only after \
             apply)",
            &name.as_str()[VAR_PREFIX.len()..]
        ),
        ErrorKind::UndefinedVar(name) if name.as_str().starts_with(LOCAL_PREFIX) => format!(
            "local value `{}` is not known from code",
            &name.as_str()[LOCAL_PREFIX.len()..]
        ),
        ErrorKind::UndefinedVar(name) if name.as_str().starts_with(DUPLICATE_PREFIX) => {
            let rest = &name.as_str()[DUPLICATE_PREFIX.len()..];
            let (key, at) = rest.rsplit_once('\0').unwrap_or((rest, ""));
            format!(
                "an object defines the key `{key}` twice ({at}); Terraform rejects this expression"
            )
        }
        ErrorKind::UndefinedVar(name) => match name.as_str() {
            "data" => "refers to a data source, read only at plan time".to_string(),
            "module" => "refers to a module output, known only after apply".to_string(),
            "count" | "each" | "self" => format!("uses `{name}` outside a block that defines it"),
            other => format!("refers to `{other}`, known only after apply"),
        },
        ErrorKind::UndefinedFunc(name) => {
            format!("calls function `{name}`, which driftd does not evaluate")
        }
        // driftd's own functions (bounds on what an expression builds) say why themselves.
        ErrorKind::FuncCall(name, message)
            if matches!(
                name.name.as_str(),
                SIZED_FUNC | COUNTED_FUNC | ARITH_FUNC | TEMPLATE_LOOP_FUNC | EMIT_FUNC
            ) =>
        {
            message.clone()
        }
        ErrorKind::FuncCall(name, message) => {
            super::functions::unknown_call_reason(name.name.as_str(), message)
                .unwrap_or_else(|| err.to_string())
        }
        ErrorKind::NoSuchKey(key) => {
            let expr = err.expr().map(ToString::to_string).unwrap_or_default();
            if expr.contains(&format!("var.{key}")) {
                format!(
                    "variable `{key}` has no known value (not set, or set from something known \
                     only after apply)"
                )
            } else if expr.contains(&format!("local.{key}")) {
                format!("local value `{key}` is not known from code")
            } else {
                err.to_string()
            }
        }
        _ => err.to_string(),
    }
}

/// Evaluates an expression; an error makes it unknown.
pub(crate) fn eval_attr(expr: &Expression, ctx: &Context) -> Attr {
    match eval_value(expr, ctx) {
        Ok(v) => Attr::Known(hcl_into_json(v)),
        Err(reason) => Attr::Unknown { reason },
    }
}

pub(crate) fn eval_value(expr: &Expression, ctx: &Context) -> Result<Value, String> {
    // Literals, the bulk of real code, need no evaluation machinery.
    match expr {
        Expression::String(s) => return Ok(Value::String(s.clone())),
        Expression::Number(n) => return Ok(Value::Number(*n)),
        Expression::Bool(b) => return Ok(Value::Bool(*b)),
        Expression::Null => return Ok(Value::Null),
        _ => {}
    }
    super::reset_elements();
    // `try` and `can` need their arguments unevaluated; they are resolved first.
    let value = if super::functions::has_lazy(expr) {
        super::functions::resolve_lazy(expr, ctx).evaluate(ctx)
    } else {
        expr.evaluate(ctx)
    }
    .map_err(|e| explain(&e, ctx))?;
    super::check_value_size(&value)?;
    Ok(value)
}

/// A context with the built-in functions and nothing else, cloned for each module instance.
pub(crate) fn base_context() -> Context<'static> {
    let mut ctx = Context::new();
    // First: it is called at every reference, and functions are looked up in order.
    ctx.declare_func(
        super::prepare::SIZED_FUNC,
        ::hcl::eval::FuncDef::new(sized, vec![::hcl::eval::ParamType::Any]),
    );
    ctx.declare_func(
        super::prepare::ARITH_FUNC,
        ::hcl::eval::FuncDef::new(
            arith,
            vec![
                ::hcl::eval::ParamType::String,
                ::hcl::eval::ParamType::Any,
                ::hcl::eval::ParamType::Any,
            ],
        ),
    );
    super::functions::declare_all(&mut ctx);
    ctx.declare_func(
        super::prepare::COUNTED_FUNC,
        ::hcl::eval::FuncDef::new(counted, vec![::hcl::eval::ParamType::Any]),
    );
    ctx.declare_func(
        TEMPLATE_LOOP_FUNC,
        ::hcl::eval::FuncDef::new(
            template_loop,
            vec![::hcl::eval::ParamType::Any, ::hcl::eval::ParamType::Number],
        ),
    );
    ctx.declare_func(
        EMIT_FUNC,
        ::hcl::eval::FuncDef::new(emit, vec![::hcl::eval::ParamType::Any]),
    );
    ctx.declare_func(
        "templatefile",
        ::hcl::eval::FuncDef::new(
            templatefile,
            vec![::hcl::eval::ParamType::String, ::hcl::eval::ParamType::Any],
        ),
    );
    ctx
}

/// `templatefile(path, vars)`: the file (inside the root module's tree) rendered as a template
/// with `vars` and the built-in functions, as Terraform renders it.
fn templatefile(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let mut values = args.into_values().into_iter();
    let path = values.next().and_then(|v| v.as_str().map(str::to_string));
    let Some(path) = path else {
        return Err("templatefile: the path must be a string".into());
    };
    let text = super::read_code_file(&path).map_err(|why| {
        if why.contains("outside the root module") || why.contains("no root module") {
            super::functions::apply_time(&why)
        } else {
            why
        }
    })?;
    let mut template: ::hcl::Template = text
        .parse()
        .map_err(|e: ::hcl::Error| format!("templatefile: {path}: {}", cut(&e.to_string(), 300)))?;
    super::prepare::prepare_template_file(&mut template);
    let mut ctx = base_context();
    // As in Terraform, a template cannot call `templatefile`: a template that renders itself
    // (or one that renders it back) would recurse until the stack overflows.
    ctx.declare_func(
        "templatefile",
        ::hcl::eval::FuncDef::new(
            templatefile_in_template,
            vec![::hcl::eval::ParamType::Any, ::hcl::eval::ParamType::Any],
        ),
    );
    if let Some(Value::Object(vars)) = values.next() {
        for (name, value) in vars {
            ctx.declare_var(name, value);
        }
    }
    let rendered = template.evaluate(&ctx).map_err(|e| unknown_reason(&e))?;
    Ok(Value::from(rendered))
}

/// `templatefile` called from inside a template rendered by `templatefile`.
fn templatefile_in_template(_: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    Err(
        "templatefile: a template cannot call templatefile (Terraform refuses recursive \
         templates too); render the inner template in the code and pass its text as a variable"
            .into(),
    )
}

/// `lhs OP rhs` of a prepared arithmetic operation: exact on integers (a result that does not
/// fit in 64 bits is computed as a float, as hcl-rs computes mixed operands), an error for a
/// zero divisor, as in Terraform, and for a result too large to be a number.
fn arith(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let mut values = args.into_values().into_iter();
    let (Some(Value::String(op)), Some(lhs), Some(rhs)) =
        (values.next(), values.next(), values.next())
    else {
        return Err("an arithmetic operation without its operands".into());
    };
    let (Value::Number(a), Value::Number(b)) = (&lhs, &rhs) else {
        return Err(format!(
            "operator `{op}` is not applicable to `{lhs}` and `{rhs}`"
        ));
    };
    arith_numbers(&op, *a, *b).map(Value::Number)
}

fn arith_numbers(op: &str, a: ::hcl::Number, b: ::hcl::Number) -> Result<::hcl::Number, String> {
    if matches!(op, "/" | "%") && b.as_f64() == Some(0.0) {
        return Err(format!("`{a} {op} {b}` divides by zero"));
    }
    let int = |n: ::hcl::Number| {
        n.as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
    };
    if let (Some(x), Some(y)) = (int(a), int(b)) {
        let exact = match op {
            "+" => x.checked_add(y),
            "-" => x.checked_sub(y),
            "*" => x.checked_mul(y),
            "%" => x.checked_rem(y),
            _ => None,
        };
        if let Some(r) = exact {
            if let Ok(r) = i64::try_from(r) {
                return Ok(::hcl::Number::from(r));
            }
            if let Ok(r) = u64::try_from(r) {
                return Ok(::hcl::Number::from(r));
            }
        }
    }
    let (x, y) = (
        a.as_f64().unwrap_or(f64::NAN),
        b.as_f64().unwrap_or(f64::NAN),
    );
    let r = match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => x / y,
        _ => x % y,
    };
    ::hcl::Number::from_f64(r).ok_or_else(|| format!("`{a} {op} {b}` is too large to be a number"))
}

/// A referenced value, its elements counted against the load's `max_elements`.
fn sized(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let value = args.into_values().into_iter().next().unwrap_or(Value::Null);
    super::count_copies(&value)?;
    Ok(value)
}

/// A `for` expression's collection, counted against the load's `max_elements`.
fn counted(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let value = args.into_values().into_iter().next().unwrap_or(Value::Null);
    count_collection(&value)?;
    Ok(value)
}

/// Counts the elements of a loop's collection against the load's `max_elements`; their number.
fn count_collection(value: &Value) -> Result<usize, String> {
    let n = match value {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 1,
    };
    super::count_elements(n)?;
    Ok(n)
}

/// A `%{ for }` directive's collection, its elements counted against the load's
/// `max_elements` and the literal text its body repeats (the second argument, in bytes) against
/// `max_string_bytes`.
fn template_loop(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let mut values = args.into_values().into_iter();
    let value = values.next().unwrap_or(Value::Null);
    let text = values.next().and_then(|v| v.as_u64()).unwrap_or_default();
    let n = count_collection(&value)?;
    super::count_template_bytes(text.saturating_mul(n as u64))?;
    Ok(value)
}

/// An interpolated value of a template, the bytes it renders to counted against the load's
/// `max_string_bytes`.
fn emit(args: ::hcl::eval::FuncArgs) -> Result<Value, String> {
    let value = args.into_values().into_iter().next().unwrap_or(Value::Null);
    let bytes = match &value {
        Value::String(s) => s.len(),
        // Numbers and booleans render short; other values are refused by the template itself.
        _ => 32,
    };
    super::count_template_bytes(bytes as u64)?;
    Ok(value)
}

/// The type constraint of a variable, as far as conversions need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VarType {
    String,
    Number,
    Bool,
    /// `list(...)`, `map(...)`, `object(...)`, `any`, or no type: values from the environment
    /// are read as HCL expressions.
    Other,
    /// No `type`: Terraform reads environment values as strings.
    Unset,
}

/// One `variable` block.
pub(crate) struct VarDecl {
    pub name: String,
    pub ty: VarType,
    /// The whole type constraint, for conversions that reach inside collections (`optional`
    /// attributes and their defaults); `Any` when there is none.
    pub shape: Shape,
    /// `nullable = false`: a null value given for it means its default.
    pub nullable: bool,
    /// `None` when there is no default; `Some(Err)` when it could not be evaluated.
    pub default: Option<Result<Value, String>>,
}

impl VarDecl {
    /// A value given for the variable, converted to its type: primitives converted, object
    /// attributes that are `optional` filled with their default (or null), attributes the type
    /// does not name dropped, as Terraform converts module inputs.
    pub(crate) fn convert(&self, value: Value) -> Result<Value, String> {
        let value = convert(value, self.ty)?;
        Ok(self.shape.apply(value))
    }

    /// The value a given value stands for: null means the default when the variable is not
    /// nullable.
    pub(crate) fn given(&self, value: Value) -> Result<Value, String> {
        match (&value, &self.default) {
            (Value::Null, Some(default)) if !self.nullable => {
                default.clone().and_then(|d| self.convert(d))
            }
            _ => self.convert(value),
        }
    }

    /// The default, converted.
    pub(crate) fn default_value(&self) -> Option<Result<Value, String>> {
        self.default
            .clone()
            .map(|d| d.and_then(|v| self.convert(v)))
    }
}

/// A type constraint as far as conversion needs it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// A primitive or `any`: converted by [`convert`] at the top level only.
    Any,
    /// `list(T)`, `set(T)`.
    List(Box<Shape>),
    /// `map(T)`.
    Map(Box<Shape>),
    /// `tuple([A, B])`.
    Tuple(Vec<Shape>),
    /// `object({ a = T, b = optional(U, default) })`.
    Object(Vec<ObjectAttr>),
}

/// One attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ObjectAttr {
    name: String,
    shape: Shape,
    /// `optional(...)`: absent means its default, or null.
    optional: bool,
    default: Option<Value>,
}

impl Shape {
    /// Reads a type expression; anything not understood is `Any` (no conversion).
    fn of(expr: &Expression, ctx: &Context) -> Shape {
        let Expression::FuncCall(call) = expr else {
            return Shape::Any;
        };
        let arg = |i: usize| call.args.get(i);
        match call.name.name.as_str() {
            "list" | "set" => {
                Shape::List(Box::new(arg(0).map_or(Shape::Any, |e| Shape::of(e, ctx))))
            }
            "map" => Shape::Map(Box::new(arg(0).map_or(Shape::Any, |e| Shape::of(e, ctx)))),
            "tuple" => match arg(0) {
                Some(Expression::Array(items)) => {
                    Shape::Tuple(items.iter().map(|e| Shape::of(e, ctx)).collect())
                }
                _ => Shape::Any,
            },
            "object" => match arg(0) {
                Some(Expression::Object(attrs)) => Shape::Object(
                    attrs
                        .iter()
                        .filter_map(|(key, ty)| {
                            let name = match key {
                                ::hcl::ObjectKey::Identifier(id) => id.as_str().to_string(),
                                ::hcl::ObjectKey::Expression(Expression::String(s)) => s.clone(),
                                _ => return None,
                            };
                            Some(ObjectAttr::of(name, ty, ctx))
                        })
                        .collect(),
                ),
                _ => Shape::Any,
            },
            _ => Shape::Any,
        }
    }

    /// Converts `value` to this shape (see [`VarDecl::convert`]); what does not fit is left as
    /// it is, for evaluation to find.
    fn apply(&self, value: Value) -> Value {
        match (self, value) {
            (Shape::Any, v) | (_, v @ Value::Null) => v,
            (Shape::List(inner), Value::Array(items)) => {
                Value::Array(items.into_iter().map(|v| inner.apply(v)).collect())
            }
            (Shape::Map(inner), Value::Object(map)) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, inner.apply(v))).collect())
            }
            (Shape::Tuple(shapes), Value::Array(items)) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| match shapes.get(i) {
                        Some(shape) => shape.apply(v),
                        None => v,
                    })
                    .collect(),
            ),
            (Shape::Object(attrs), Value::Object(mut map)) => {
                let mut out = Map::new();
                for attr in attrs {
                    match map.shift_remove(&attr.name) {
                        Some(v) => {
                            let v = match (v, &attr.default) {
                                // An optional attribute set to null takes its default.
                                (Value::Null, Some(d)) if attr.optional => d.clone(),
                                (v, _) => v,
                            };
                            out.insert(attr.name.clone(), attr.shape.apply(v));
                        }
                        None if attr.optional => {
                            let v = attr.default.clone().unwrap_or(Value::Null);
                            out.insert(attr.name.clone(), attr.shape.apply(v));
                        }
                        // A required attribute missing: left out, so using it is unknown.
                        None => {}
                    }
                }
                Value::Object(out)
            }
            (_, v) => v,
        }
    }
}

impl ObjectAttr {
    fn of(name: String, ty: &Expression, ctx: &Context) -> ObjectAttr {
        match ty {
            Expression::FuncCall(call) if call.name.name.as_str() == "optional" => {
                let shape = call.args.first().map_or(Shape::Any, |e| Shape::of(e, ctx));
                let default = call
                    .args
                    .get(1)
                    .and_then(|e| eval_value(e, ctx).ok())
                    .map(|d| shape.apply(d));
                ObjectAttr {
                    name,
                    shape,
                    optional: true,
                    default,
                }
            }
            other => ObjectAttr {
                name,
                shape: Shape::of(other, ctx),
                optional: false,
                default: None,
            },
        }
    }
}

pub(crate) fn var_decls(module: &ModuleSource, ctx: &Context) -> Vec<VarDecl> {
    module
        .variables
        .iter()
        .filter_map(|Located { item: block, .. }| {
            let name = block.labels.first()?.as_str().to_string();
            let mut decl = VarDecl {
                name,
                ty: VarType::Unset,
                shape: Shape::Any,
                nullable: true,
                default: None,
            };
            for s in block.body.iter() {
                if let Structure::Attribute(a) = s {
                    match a.key.as_str() {
                        "type" => {
                            decl.ty = type_of(&a.expr);
                            decl.shape = Shape::of(&a.expr, ctx);
                        }
                        "default" => decl.default = Some(eval_value(&a.expr, ctx)),
                        "nullable" => {
                            decl.nullable = !matches!(a.expr, Expression::Bool(false));
                        }
                        _ => {}
                    }
                }
            }
            Some(decl)
        })
        .collect()
}

fn type_of(expr: &Expression) -> VarType {
    match expr {
        Expression::Variable(v) => match v.as_str() {
            "string" => VarType::String,
            "number" => VarType::Number,
            "bool" => VarType::Bool,
            _ => VarType::Other,
        },
        _ => VarType::Other,
    }
}

/// Converts a value to a primitive type constraint the way Terraform does.
pub(crate) fn convert(value: Value, ty: VarType) -> Result<Value, String> {
    match (ty, value) {
        (_, Value::Null) => Ok(Value::Null),
        (VarType::String, Value::Number(n)) => Ok(Value::from(n.to_string())),
        (VarType::String, Value::Bool(b)) => Ok(Value::from(b.to_string())),
        (VarType::Number, Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| {
                s.trim()
                    .parse::<f64>()
                    .ok()
                    .and_then(::hcl::Number::from_f64)
                    .map(Value::Number)
                    .ok_or(())
            })
            .map_err(|()| format!("`{s}` is not a number")),
        (VarType::Bool, Value::String(s)) => match s.as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{s}` is not a bool")),
        },
        (VarType::String, v @ (Value::Array(_) | Value::Object(_))) => {
            Err(format!("a string is required, got `{v}`"))
        }
        (_, v) => Ok(v),
    }
}

/// A value given as text (`TF_VAR_name`, `-var name=value`): a string for string and untyped
/// variables, an HCL expression otherwise.
fn from_text(text: &str, ty: VarType, ctx: &Context) -> Result<Value, String> {
    match ty {
        VarType::String | VarType::Unset => Ok(Value::from(text)),
        VarType::Number | VarType::Bool => convert(Value::from(text), ty),
        VarType::Other => {
            let body: ::hcl::Body =
                ::hcl::parse(&format!("v = {text}\n")).map_err(|e| e.to_string())?;
            match body.into_iter().next() {
                Some(Structure::Attribute(mut a)) => {
                    super::prepare::prepare_expr(&mut a.expr);
                    eval_value(&a.expr, ctx)
                }
                _ => Err("not a value".into()),
            }
        }
    }
}

/// The root module's variable values: defaults, then `TF_VAR_*`, `terraform.tfvars`,
/// `terraform.tfvars.json`, `*.auto.tfvars` / `*.auto.tfvars.json` (by name), the caller's var
/// files and `-var` values, each overriding the ones before, as in Terraform.
pub(crate) fn root_vars(
    module: &ModuleSource,
    opts: &LoadOptions,
    ctx: &Context,
    warnings: &mut Vec<String>,
) -> Result<Map<String, Value>, HclError> {
    let decls = var_decls(module, ctx);
    let mut given: BTreeMap<String, (Value, String)> = BTreeMap::new();
    for decl in &decls {
        let Some(text) = opts.env.get(&format!("TF_VAR_{}", decl.name)) else {
            continue;
        };
        match from_text(text, decl.ty, ctx) {
            Ok(v) => {
                given.insert(decl.name.clone(), (v, format!("TF_VAR_{}", decl.name)));
            }
            Err(e) => warnings.push(format!(
                "TF_VAR_{}: cannot read the value ({e}); the variable is unknown",
                decl.name
            )),
        }
    }
    let dir = &module.dir;
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        if dir.join(name).is_file() {
            files.push(dir.join(name));
        }
    }
    let mut auto: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    files.extend(opts.var_files.iter().map(|f| dir.join(f)));
    for file in &files {
        let display = file.display().to_string();
        for (name, value) in read_var_file(file, &display, ctx)? {
            match value {
                Ok(v) => {
                    given.insert(name, (v, display.clone()));
                }
                Err(e) => warnings.push(format!(
                    "{display}: variable `{name}` cannot be evaluated ({e}); it is unknown"
                )),
            }
        }
    }
    for (name, text) in &opts.vars {
        let ty = decls
            .iter()
            .find(|d| &d.name == name)
            .map_or(VarType::Unset, |d| d.ty);
        match from_text(text, ty, ctx) {
            Ok(v) => {
                given.insert(name.clone(), (v, "-var".into()));
            }
            Err(e) => warnings.push(format!("-var {name}: cannot read the value ({e})")),
        }
    }
    let mut values = Map::new();
    for decl in &decls {
        let chosen = match given.remove(&decl.name) {
            Some((v, from)) => decl.given(v).map_err(|e| format!("{from}: {e}")),
            None => match decl.default_value() {
                Some(d) => d,
                None => {
                    warnings.push(format!(
                        "{}: variable `{}` has no value (no default, not set in a tfvars file or \
                         TF_VAR_{}); attributes that use it are unknown",
                        dir.display(),
                        decl.name,
                        decl.name
                    ));
                    continue;
                }
            },
        };
        match chosen {
            Ok(v) => {
                values.insert(decl.name.clone(), v);
            }
            Err(e) => warnings.push(format!(
                "{}: variable `{}`: {e}; attributes that use it are unknown",
                dir.display(),
                decl.name
            )),
        }
    }
    for (name, (_, from)) in given {
        if !from.starts_with("TF_VAR_") {
            warnings.push(format!(
                "{from}: value for undeclared variable `{name}` (ignored)"
            ));
        }
    }
    Ok(values)
}

type VarFileValues = Vec<(String, Result<Value, String>)>;

fn read_var_file(path: &Path, display: &str, ctx: &Context) -> Result<VarFileValues, HclError> {
    if display.ends_with(".json") {
        let text = read_text(path)?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(|e| HclError::Syntax {
                path: display.to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })?;
        let serde_json::Value::Object(map) = json else {
            return Err(HclError::Invalid {
                path: display.to_string(),
                message: "a JSON variables file must hold an object".into(),
            });
        };
        return Ok(map
            .into_iter()
            .map(|(k, v)| (k, Ok(json_to_hcl(v))))
            .collect());
    }
    Ok(read_tfvars(path, display)?
        .into_iter()
        .map(|mut a: Attribute| {
            super::prepare::prepare_expr(&mut a.expr);
            let v = eval_value(&a.expr, ctx);
            (a.key.into_inner(), v)
        })
        .collect())
}

/// A child module's variable values: inputs from the `module` block, else defaults. An input
/// that is unknown leaves the variable undeclared (its default must not stand in for it).
pub(crate) fn child_vars(
    decls: &[VarDecl],
    inputs: BTreeMap<String, Result<Value, String>>,
    call: &str,
    warnings: &mut Vec<String>,
) -> Map<String, Value> {
    let mut values = Map::new();
    for decl in decls {
        let chosen = match inputs.get(&decl.name) {
            Some(Ok(v)) => decl.given(v.clone()),
            Some(Err(reason)) => {
                // Kept so that what uses the variable says why it is unknown.
                values.insert(
                    format!("{VAR_REASON_PREFIX}{}", decl.name),
                    Value::from(cut(
                        &format!("{call} sets it from what is not known ({reason})"),
                        400,
                    )),
                );
                continue;
            }
            None => match decl.default_value() {
                Some(d) => d,
                None => {
                    warnings.push(format!(
                        "{call}: required input `{}` is not set; attributes that use it are unknown",
                        decl.name
                    ));
                    continue;
                }
            },
        };
        if let Ok(v) = chosen {
            values.insert(decl.name.clone(), v);
        }
    }
    for name in inputs.keys() {
        if !decls.iter().any(|d| &d.name == name) {
            warnings.push(format!(
                "{call}: argument `{name}` is not a variable of the module (ignored)"
            ));
        }
    }
    values
}

/// Declares `var` and, for prepared references, each `var-NAME` (and the reasons kept for
/// unknown inputs, which are not variables).
pub(crate) fn declare_vars(ctx: &mut Context, mut vars: Map<String, Value>) {
    let reasons: Vec<String> = vars
        .keys()
        .filter(|k| k.starts_with(VAR_REASON_PREFIX))
        .cloned()
        .collect();
    for key in reasons {
        if let Some(reason) = vars.shift_remove(&key) {
            ctx.declare_var(key, reason);
        }
    }
    for (name, value) in &vars {
        ctx.declare_var(format!("{VAR_PREFIX}{name}"), value.clone());
    }
    ctx.declare_var("var", Value::Object(vars));
}

/// Where the reason a module input is unknown is kept (an undeclarable variable name).
const VAR_REASON_PREFIX: &str = "driftd-var-reason-";

/// Evaluates the locals in dependency order (rounds until nothing more resolves) and declares
/// `local` in `ctx`. A local that does not resolve stays undeclared: what uses it is unknown.
pub(crate) fn declare_locals(ctx: &mut Context, locals: &[Located<Attribute>]) {
    let mut known = Map::new();
    let mut pending: Vec<&Attribute> = locals.iter().map(|l| &l.item).collect();
    ctx.declare_var("local", Value::Object(Map::new()));
    loop {
        let before = pending.len();
        let mut resolved = Vec::new();
        pending.retain(|attr| match eval_value(&attr.expr, ctx) {
            Ok(v) => {
                resolved.push((attr.key.as_str().to_string(), v));
                false
            }
            Err(_) => true,
        });
        if resolved.is_empty() {
            break;
        }
        for (name, value) in resolved {
            ctx.declare_var(format!("{LOCAL_PREFIX}{name}"), value.clone());
            known.insert(name, value);
        }
        // The whole object, for the few references left as written (see `prepare`).
        ctx.declare_var("local", Value::Object(known.clone()));
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    // What is left is unknown: keep why, so that what uses it says so (twice, so that a local
    // unknown through another unknown local carries that one's reason too).
    for _ in 0..2 {
        for attr in &pending {
            if let Err(reason) = eval_value(&attr.expr, ctx) {
                ctx.declare_var(
                    format!("{LOCAL_REASON_PREFIX}{}", attr.key.as_str()),
                    Value::from(cut(&reason, 400)),
                );
            }
        }
    }
}

/// Where the reason an unknown local is unknown is kept (an undeclarable variable name).
const LOCAL_REASON_PREFIX: &str = "driftd-local-reason-";

/// `text` cut to at most `max` bytes at a character boundary.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// [`unknown_reason`], with the reason an unknown local is unknown when one is kept.
fn explain(err: &::hcl::eval::Error, ctx: &Context) -> String {
    let reason = unknown_reason(err);
    if let ErrorKind::UndefinedVar(name) = err.kind() {
        let kept_as = if let Some(local) = name.as_str().strip_prefix(LOCAL_PREFIX) {
            Some(format!("{LOCAL_REASON_PREFIX}{local}"))
        } else {
            name.as_str()
                .strip_prefix(VAR_PREFIX)
                .map(|var| format!("{VAR_REASON_PREFIX}{var}"))
        };
        if let Some(kept_as) = kept_as {
            let kept =
                Expression::Variable(::hcl::expr::Variable::unchecked(kept_as)).evaluate(ctx);
            if let Ok(Value::String(why)) = kept {
                return format!("{reason}: {why}");
            }
        }
    }
    reason
}

/// `lifecycle { ignore_changes = [...] }` as attribute paths.
pub(crate) fn ignore_changes(lifecycle: &Block) -> Vec<String> {
    let mut out = Vec::new();
    for s in lifecycle.body.iter() {
        let Structure::Attribute(a) = s else { continue };
        if a.key.as_str() != "ignore_changes" {
            continue;
        }
        match &a.expr {
            Expression::Variable(v) if v.as_str() == "all" => out.push("all".to_string()),
            Expression::String(s) if s == "all" => out.push("all".to_string()),
            Expression::Array(items) => out.extend(items.iter().filter_map(traversal_path)),
            _ => {}
        }
    }
    out
}

/// `tags["Name"]` → `tags.Name`, `ingress[0].cidr_blocks` → `ingress[0].cidr_blocks`.
pub(crate) fn traversal_path(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::String(s) => Some(s.clone()),
        Expression::Traversal(t) => {
            let mut out = traversal_path(&t.expr)?;
            for op in &t.operators {
                match op {
                    ::hcl::TraversalOperator::GetAttr(name) => {
                        out.push('.');
                        out.push_str(name.as_str());
                    }
                    ::hcl::TraversalOperator::Index(Expression::String(key)) => {
                        out.push('.');
                        out.push_str(key);
                    }
                    ::hcl::TraversalOperator::Index(Expression::Number(n)) => {
                        out.push_str(&format!("[{n}]"));
                    }
                    ::hcl::TraversalOperator::LegacyIndex(n) => out.push_str(&format!("[{n}]")),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::hcl::{load_module, Attr, CodeModule, LoadOptions};
    use serde_json::json;

    /// Loads `main_tf` as a root module with `max_elements` as the limit.
    fn load_with_max_elements(main_tf: &str, max_elements: u64) -> CodeModule {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("main.tf"), main_tf).expect("write main.tf");
        let mut opts = LoadOptions::default();
        opts.limits.max_elements = max_elements;
        load_module(dir.path(), &opts).expect("loads")
    }

    fn attr<'a>(module: &'a CodeModule, name: &str) -> &'a Attr {
        &module.resources[0].attributes[name]
    }

    #[track_caller]
    fn assert_unknown_with(attr: &Attr, needle: &str) {
        match attr {
            Attr::Unknown { reason } => assert!(reason.contains(needle), "{reason}"),
            other => panic!("expected unknown, got {other:?}"),
        }
    }

    /// Found while fuzzing the HCL reader (`fuzz/`, target `hcl_load`): locals that each
    /// concatenate the previous one ten times grew tenfold per line (a billion elements in nine
    /// lines) until the process ran out of memory. A value larger than `max_elements` is now
    /// unknown, with the reason, and so is everything built from it.
    #[test]
    fn a_value_that_grows_through_locals_is_unknown_not_out_of_memory() {
        let mut text = String::from("locals {\n  l0 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
        for i in 1..=9 {
            let prev = format!("local.l{}", i - 1);
            text.push_str(&format!("  l{i} = concat({})\n", vec![prev; 10].join(", ")));
        }
        text.push_str(
            "  m1 = [local.l2, local.l2, local.l2, local.l2, local.l2]\n}\n\
             resource \"x\" \"y\" {\n  small = length(local.l2)\n  big = length(local.l9)\n  \
             nested = length(local.m1)\n}\n",
        );
        let module = load_with_max_elements(&text, 1000);
        assert_eq!(attr(&module, "small"), &Attr::Known(json!(1000)));
        assert_unknown_with(attr(&module, "big"), "more than 1000 elements");
        // Five copies of a thousand elements in one value: past the limit as well.
        assert_unknown_with(attr(&module, "nested"), "more than 1000 elements");
    }

    /// Every reference copies the value it names, so one attribute that names a large local
    /// many times, or in a loop (directly or through the loop's variable), copied without bound.
    /// The copies of one attribute now count against `max_elements`.
    #[test]
    fn references_cannot_copy_a_value_without_bound() {
        let text = "locals {\n  big = [for i in range(500) : { n = i }]\n}\n\
                    resource \"x\" \"y\" {\n  \
                    once = length(local.big)\n  \
                    each_item = length([for x in local.big : x.n])\n  \
                    loop = length([for i in range(1000) : local.big])\n  \
                    wide = length(concat(local.big, local.big, local.big, local.big, local.big))\
                    \n  \
                    loop_var = length([for x in [local.big] : [for i in range(1000) : x]])\n}\n";
        let module = load_with_max_elements(text, 2000);
        assert_eq!(attr(&module, "once"), &Attr::Known(json!(500)));
        assert_eq!(attr(&module, "each_item"), &Attr::Known(json!(500)));
        for name in ["loop", "wide", "loop_var"] {
            assert_unknown_with(attr(&module, name), "hold more than 2000 elements in all");
            assert_unknown_with(attr(&module, name), "raise `max_elements`");
        }
        // A bound reached is not an error of the code: `try` does not fall back past it.
        let guarded = load_with_max_elements(
            "locals {\n  big = range(500)\n}\nresource \"x\" \"y\" {\n  \
             v = try([for i in range(10) : local.big], \"fallback\")\n}\n",
            2000,
        );
        assert_unknown_with(attr(&guarded, "v"), "hold more than 2000 elements in all");
    }

    /// Found by fuzzing (`fuzz/`, target `hcl_load`): `local.base * 3 % 0` panicked inside
    /// hcl-rs (integer remainder by zero), and so did `-9223372036854775808 % -1`; integers that
    /// overflow wrapped around. The whole module then failed with an internal error. Arithmetic
    /// is now computed by driftd: a zero divisor or a result too large is an unknown value with
    /// the reason, wherever the operation is (attribute, template, tfvars).
    #[test]
    fn arithmetic_errors_are_unknown_values_not_a_crash() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("main.tf"),
            "variable \"size\" {}\nlocals {\n  base = 10\n}\nresource \"x\" \"y\" {\n  \
             ratio = local.base * 3 % 0\n  div = 1 / 0\n  huge = 1e308 * 10\n  \
             text = \"a\" + 1\n  heredoc = <<EOT\n${local.base % 0}\nEOT\n  \
             from_tfvars = var.size\n  \
             min_rem = -9223372036854775808 % -1\n  past_u64 = 18446744073709551615 + 1\n  \
             rem = 7 % 3\n  neg_rem = -7 % 3\n  quotient = 10 / 4\n  sum = 1 + 2 * 3\n  \
             below_zero = 5 - 8\n  big = 9223372036854775807 + 9223372036854775807\n}\n",
        )
        .expect("write main.tf");
        std::fs::write(dir.path().join("terraform.tfvars"), "size = 7 % 0\n").expect("tfvars");
        let module = load_module(dir.path(), &LoadOptions::default()).expect("loads");
        for (name, needle) in [
            ("ratio", "`30 % 0` divides by zero"),
            ("div", "`1 / 0` divides by zero"),
            ("huge", "too large to be a number"),
            ("text", "operator `+` is not applicable"),
            ("heredoc", "divides by zero"),
            ("from_tfvars", "variable `size`"),
        ] {
            assert_unknown_with(attr(&module, name), needle);
        }
        for (name, value) in [
            ("min_rem", json!(0)),
            ("past_u64", json!(18446744073709551616.0)),
            ("rem", json!(1)),
            ("neg_rem", json!(-1)),
            ("quotient", json!(2.5)),
            ("sum", json!(7)),
            ("below_zero", json!(-3)),
            ("big", json!(18446744073709551614u64)),
        ] {
            assert_eq!(attr(&module, name), &Attr::Known(value), "{name}");
        }
    }

    /// Found while fuzzing the HCL reader (`fuzz/`, target `hcl_load`): the `%{ for }`
    /// directives of a heredoc were not counted like `for` expressions, so three nested loops of
    /// a thousand ran a billion times. Templates with loops are now prepared like other
    /// expressions, and render as before.
    #[test]
    fn template_loops_are_bounded_and_render_as_before() {
        let loops = "t = <<EOT\n%{ for a in range(1000) }%{ for b in range(1000) }\
                     %{ for c in range(1000) }x%{ endfor }%{ endfor }%{ endfor }\nEOT\n";
        let rendered = [
            "<<-EOT\n  %{ for i, n in local.names ~}\n  ${i}=${upper(n)} \"q\" $${x} %%{y}\n  \
             %{ endfor ~}\n  %{ if length(local.names) > 1 }many%{ else }few%{ endif }\n  EOT",
            "\"%{ for n in local.names }${n}%{ endfor }${length([for m in local.names : m])}\"",
            "<<EOT\n${join(\",\", [for n in local.names : \"${n}!\"])}\n\
             %{ for n in [] }${n}%{ endfor }\nEOT",
        ];
        let mut text =
            format!("locals {{\n  names = [\"a\", \"b\"]\n}}\nresource \"x\" \"y\" {{\n{loops}");
        for (i, t) in rendered.iter().enumerate() {
            text.push_str(&format!("  r{i} = {t}\n"));
        }
        text.push_str("}\n");
        let module = load_with_max_elements(&text, 1_000_000);
        assert_unknown_with(attr(&module, "t"), "max_elements");
        // The same templates evaluated as written, without preparation.
        let mut ctx = super::base_context();
        ctx.declare_var(
            "local",
            ::hcl::Value::from_iter([("names", ::hcl::Value::from(vec!["a", "b"]))]),
        );
        for (i, t) in rendered.iter().enumerate() {
            let body: ::hcl::Body = ::hcl::from_str(&format!("v = {t}\n")).expect("parses");
            let expr = &body.attributes().next().expect("one").expr;
            let expected = ::hcl::eval::Evaluate::evaluate(expr, &ctx).expect("evaluates");
            assert_eq!(
                attr(&module, &format!("r{i}")),
                &Attr::Known(super::hcl_into_json(expected)),
                "{t}"
            );
        }
    }

    /// A `%{ for }` loop repeats its text: 900 × 900 iterations of 100 bytes, or 100,000
    /// interpolations of a 1,000-byte local (in two loops: `range` stops at 1,024),, would render tens of megabytes from a few lines.
    /// Past `max_string_bytes` (4 MiB by default) the attribute is unknown, with the reason;
    /// a loop that renders less is unchanged.
    #[test]
    fn template_loops_render_at_most_max_string_bytes() {
        let text = "y".repeat(100);
        let main_tf = format!(
            "locals {{\n  s = \"${{join(\"\", [for i in range(1000) : \"z\"])}}\"\n}}\n\
             resource \"x\" \"y\" {{\n\
             literal = <<EOT\n%{{ for a in range(900) }}%{{ for b in range(900) }}{text}%{{ endfor }}%{{ endfor }}\nEOT\n\
             branches = <<EOT\n%{{ for a in range(900) }}%{{ for b in range(900) }}%{{ if b > 0 }}{text}%{{ else }}n%{{ endif }}%{{ endfor }}%{{ endfor }}\nEOT\n\
             interpolated = \"%{{ for a in range(1000) }}%{{ for b in range(100) }}${{local.s}}%{{ endfor }}%{{ endfor }}\"\n\
             small = <<EOT\n%{{ for a in range(3) }}[${{a}}:{text}]%{{ endfor }}\nEOT\n\
             }}\n"
        );
        let module = load_with_max_elements(&main_tf, 1_000_000);
        for name in ["literal", "branches", "interpolated"] {
            assert_unknown_with(attr(&module, name), "max_string_bytes");
        }
        let expected: String = (0..3).map(|a| format!("[{a}:{text}]")).collect();
        assert_eq!(
            attr(&module, "small"),
            &Attr::Known(serde_json::Value::String(format!("{expected}\n")))
        );
    }

    /// A template file renders under the same bound as the code's own templates: before, a
    /// `templatefile` whose loops repeated 100 bytes 900 × 900 times built 81 MB.
    #[test]
    fn template_files_render_at_most_max_string_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = "y".repeat(100);
        std::fs::write(
            dir.path().join("big.tftpl"),
            format!(
                "%{{ for a in range(n) }}%{{ for b in range(n) }}{text}%{{ endfor }}%{{ endfor }}"
            ),
        )
        .expect("write big.tftpl");
        std::fs::write(
            dir.path().join("echo.tftpl"),
            "%{ for a in range(n) }%{ for b in range(n) }${s}%{ endfor }%{ endfor }",
        )
        .expect("write echo.tftpl");
        std::fs::write(
            dir.path().join("main.tf"),
            "resource \"x\" \"y\" {\n\
               literal = templatefile(\"big.tftpl\", { n = 900 })\n\
               interpolated = templatefile(\"echo.tftpl\", { n = 900, s = \"0123456789\" })\n\
               small = templatefile(\"echo.tftpl\", { n = 2, s = \"ab\" })\n\
             }\n",
        )
        .expect("write main.tf");
        let mut options = LoadOptions::default();
        options.limits.max_elements = 1_000_000;
        let module = load_module(dir.path(), &options).expect("loads");
        for name in ["literal", "interpolated"] {
            assert_unknown_with(attr(&module, name), "max_string_bytes");
        }
        assert_eq!(
            attr(&module, "small"),
            &Attr::Known(serde_json::json!("abababab"))
        );
    }

    /// Nested `dynamic` blocks multiply: three levels of 200 generate eight million blocks from
    /// a dozen lines. Past `max_elements` the block is unknown, with the reason, and the other
    /// attributes of the resource are still read.
    #[test]
    fn nested_dynamic_blocks_are_bounded() {
        let main_tf = "resource \"x\" \"y\" {\n  name = \"kept\"\n\
            dynamic \"a\" {\n for_each = range(200)\n content {\n\
              dynamic \"b\" {\n for_each = range(200)\n content {\n\
                dynamic \"c\" {\n for_each = range(200)\n content {\n v = c.value\n }\n }\n\
              }\n }\n\
            }\n }\n\
            dynamic \"small\" {\n for_each = [\"p\", \"q\"]\n content {\n v = small.value\n }\n }\n\
            }\n";
        let module = load_with_max_elements(main_tf, 1_000_000);
        assert_unknown_with(
            attr(&module, "a"),
            "`dynamic` blocks generate more than 1000000",
        );
        assert_eq!(
            attr(&module, "name"),
            &Attr::Known(serde_json::json!("kept"))
        );
        assert_eq!(
            attr(&module, "small"),
            &Attr::Known(serde_json::json!([{"v": "p"}, {"v": "q"}]))
        );
    }

    /// Found while fuzzing the HCL reader (`fuzz/`, target `hcl_load`): a file rendered by
    /// `templatefile` that calls `templatefile` on itself recursed until the loader's stack
    /// overflowed, killing the process. Now the inner call fails and the attribute is unknown,
    /// with the reason.
    #[test]
    fn a_template_that_renders_itself_is_unknown_not_endless() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("main.tf"),
            "resource \"x\" \"y\" {\n  v = \"${templatefile(\"main.tf\", {})}\"\n}\n",
        )
        .expect("write main.tf");
        // Two templates that render each other.
        std::fs::write(
            dir.path().join("a.tftpl"),
            "${templatefile(\"b.tftpl\", {})}",
        )
        .expect("write a.tftpl");
        std::fs::write(
            dir.path().join("b.tftpl"),
            "${templatefile(\"a.tftpl\", {})}",
        )
        .expect("write b.tftpl");
        std::fs::write(
            dir.path().join("other.tf"),
            "resource \"x\" \"z\" {\n  v = templatefile(\"a.tftpl\", {})\n}\n",
        )
        .expect("write other.tf");
        let module = load_module(dir.path(), &LoadOptions::default()).expect("loads");
        assert_eq!(module.resources.len(), 2);
        for r in &module.resources {
            match &r.attributes["v"] {
                Attr::Unknown { reason } => {
                    assert!(reason.contains("cannot call templatefile"), "{reason}")
                }
                other => panic!("{}: {other:?}", r.address),
            }
        }
    }
}
