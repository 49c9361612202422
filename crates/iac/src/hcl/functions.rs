//! The Terraform built-in functions driftd evaluates, as hcl-rs function definitions.
//!
//! Every function the public module corpus calls (see `scripts/corpus --functions`) is
//! declared here, with Terraform's documented semantics and errors:
//! - strings: `format`, `formatlist`, `join`, `split`, `lower`, `upper`, `title`, `replace`
//!   (with `/regex/`), `regex`, `regexall`, `trimspace`, `trim`, `trimprefix`, `trimsuffix`,
//!   `chomp`, `indent`, `strrev`, `substr`, `startswith`, `endswith`, `strcontains`;
//! - collections: `merge`, `lookup`, `concat`, `length`, `keys`, `values`, `element`, `index`,
//!   `contains`, `flatten`, `coalesce`, `coalescelist`, `compact`, `distinct`, `sort`, `reverse`,
//!   `slice`, `chunklist`, `one`, `zipmap`, `range`, `setunion`, `setintersection`,
//!   `setsubtract`, `setproduct`, `alltrue`, `anytrue`, `sum`, `transpose`, `matchkeys`;
//! - numbers: `max`, `min`, `abs`, `ceil`, `floor`, `pow`, `signum`, `log`, `parseint`;
//! - conversions: `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`, `sensitive`,
//!   `nonsensitive`, and `try` / `can` (resolved lazily, see [`lazy`]);
//! - encoding and hashes: `jsonencode`, `jsondecode`, `base64encode`, `base64decode`, `md5`,
//!   `sha1`, `sha256`, `sha512`, `base64sha256`, `base64sha512`, `urlencode`;
//! - network: `cidrsubnet`, `cidrsubnets`, `cidrhost`, `cidrnetmask`;
//! - time: `formatdate`, `timeadd`, `timecmp`;
//! - paths: `basename`, `dirname`, `pathexpand`.
//!
//! Functions whose result is known only where and when Terraform runs (`timestamp`, `uuid`,
//! `bcrypt`, `abspath`, file reads such as `file` or `templatefile`) are declared too, and fail
//! with a reason that [`unknown_call_reason`] recognises: the attribute is unknown, never wrong,
//! and the load goes on. Any other function is undefined, so the attribute that calls it is
//! unknown with that reason.

mod collections;
mod datetime;
mod encoding;
mod filesystem;
mod lazy;
mod numeric;
mod strings;
#[cfg(test)]
mod tests;

pub(crate) use lazy::{has_lazy, resolve as resolve_lazy};

use super::value::{hcl_to_json, json_to_hcl};
use ::hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use ::hcl::{Map, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

type FnResult = Result<Value, String>;

/// A function's name, implementation and (fixed) parameters.
type Decl = (&'static str, fn(FuncArgs) -> FnResult, Vec<ParamType>);

/// Declares every supported function in `ctx`.
pub(crate) fn declare_all(ctx: &mut Context) {
    use ParamType::{Any, Number as Num, String as Str};
    let list = || ParamType::Array(Box::new(Any));
    let def = |f: fn(FuncArgs) -> FnResult, params: Vec<ParamType>| FuncDef::new(f, params);
    let variadic = |f: fn(FuncArgs) -> FnResult, params: Vec<ParamType>, rest: ParamType| {
        FuncDef::builder()
            .params(params)
            .variadic_param(rest)
            .build(f)
    };
    ctx.declare_func(
        super::prepare::TEMPLATE_FUNC,
        variadic(template, vec![], Any),
    );
    let any1 = || vec![Any];
    let any2 = || vec![Any, Any];
    let any3 = || vec![Any, Any, Any];
    let fns: &[Decl] = &[
        ("chomp", strings::chomp, any1()),
        ("title", strings::title, any1()),
        ("startswith", strings::startswith, any2()),
        ("endswith", strings::endswith, any2()),
        ("strcontains", strings::strcontains, any2()),
        ("trimprefix", strings::trimprefix, any2()),
        ("trimsuffix", strings::trimsuffix, any2()),
        ("trim", strings::trim, any2()),
        ("strrev", strings::strrev, any1()),
        ("indent", strings::indent, any2()),
        ("regex", strings::regex, any2()),
        ("regexall", strings::regexall, any2()),
        ("compact", collections::compact, any1()),
        ("sort", collections::sort, any1()),
        ("slice", collections::slice, any3()),
        ("reverse", collections::reverse, any1()),
        ("one", collections::one, any1()),
        ("zipmap", collections::zipmap, any2()),
        ("setsubtract", collections::setsubtract, any2()),
        ("alltrue", collections::alltrue, any1()),
        ("anytrue", collections::anytrue, any1()),
        ("index", collections::index, any2()),
        ("sum", collections::sum, any1()),
        ("chunklist", collections::chunklist, any2()),
        ("transpose", collections::transpose, any1()),
        ("matchkeys", collections::matchkeys, any3()),
        ("tobool", collections::tobool, any1()),
        ("tonumber", collections::tonumber, any1()),
        ("abs", numeric::abs, any1()),
        ("ceil", numeric::ceil, any1()),
        ("floor", numeric::floor, any1()),
        ("pow", numeric::pow, any2()),
        ("signum", numeric::signum, any1()),
        ("log", numeric::log, any2()),
        ("parseint", numeric::parseint, any2()),
        ("md5", encoding::md5, any1()),
        ("sha1", encoding::sha1, any1()),
        ("sha256", encoding::sha256, any1()),
        ("sha512", encoding::sha512, any1()),
        ("base64sha256", encoding::base64sha256, any1()),
        ("base64sha512", encoding::base64sha512, any1()),
        ("urlencode", encoding::urlencode, any1()),
        ("formatdate", datetime::formatdate, any2()),
        ("timeadd", datetime::timeadd, any2()),
        ("timecmp", datetime::timecmp, any2()),
        ("timestamp", datetime::timestamp, vec![]),
        ("plantimestamp", datetime::plantimestamp, vec![]),
        ("basename", filesystem::basename, any1()),
        ("dirname", filesystem::dirname, any1()),
        ("pathexpand", filesystem::pathexpand, any1()),
        ("abspath", filesystem::abspath, any1()),
        ("cidrnetmask", cidrnetmask, any1()),
        ("sensitive", identity, any1()),
        ("nonsensitive", identity, any1()),
        ("can", |_| Ok(Value::Bool(true)), any1()),
        (
            "uuid",
            |_| Err(apply_time("a random value Terraform draws")),
            vec![],
        ),
    ];
    for (name, f, params) in fns {
        ctx.declare_func(*name, def(*f, params.clone()));
    }
    let variadics: &[Decl] = &[
        ("formatlist", strings::formatlist, vec![Str]),
        ("coalescelist", collections::coalescelist, vec![]),
        ("setunion", collections::setunion, vec![]),
        ("setintersection", collections::setintersection, vec![]),
        ("setproduct", collections::setproduct, vec![]),
        ("range", collections::range, vec![]),
        ("max", collections::max, vec![]),
        ("min", collections::min, vec![]),
        ("cidrsubnets", cidrsubnets_fn, vec![Any]),
        // Only reached when `try` could not be resolved before evaluation (see `lazy`).
        ("try", |a| Ok(a[0].clone()), vec![Any]),
        (
            "bcrypt",
            |_| Err(apply_time("a random salt Terraform draws")),
            vec![Any],
        ),
        (
            "uuidv5",
            |_| Err(apply_time("a UUID driftd does not compute")),
            vec![Any],
        ),
        ("file", filesystem::file, vec![Any]),
        ("filebase64", filesystem::reads_files, vec![Any]),
        ("fileexists", filesystem::fileexists, vec![Any]),
        ("fileset", filesystem::reads_files, vec![Any]),
        ("filemd5", filesystem::reads_files, vec![Any]),
        ("filesha1", filesystem::reads_files, vec![Any]),
        ("filesha256", filesystem::reads_files, vec![Any]),
        ("filesha512", filesystem::reads_files, vec![Any]),
        ("filebase64sha256", filesystem::reads_files, vec![Any]),
        ("filebase64sha512", filesystem::reads_files, vec![Any]),
        ("templatefile", filesystem::reads_files, vec![Any]),
    ];
    for (name, f, params) in variadics {
        ctx.declare_func(*name, variadic(*f, params.clone(), Any));
    }
    // String functions.
    ctx.declare_func("format", variadic(format, vec![Str], Any));
    ctx.declare_func("join", variadic(join, vec![Str], list()));
    ctx.declare_func("split", def(split, vec![Str, Str]));
    ctx.declare_func(
        "lower",
        def(
            |a| Ok(Value::from(strings::string(&a, 0, "lower")?.to_lowercase())),
            vec![Any],
        ),
    );
    ctx.declare_func(
        "upper",
        def(
            |a| Ok(Value::from(strings::string(&a, 0, "upper")?.to_uppercase())),
            vec![Any],
        ),
    );
    ctx.declare_func("replace", def(strings::replace, vec![Any, Any, Any]));
    ctx.declare_func(
        "trimspace",
        def(
            |a| Ok(Value::from(strings::string(&a, 0, "trimspace")?.trim())),
            vec![Any],
        ),
    );
    ctx.declare_func("substr", def(substr, vec![Str, Num, Num]));
    ctx.declare_func("tostring", def(tostring, vec![Any]));
    // Collection functions.
    ctx.declare_func("merge", variadic(merge, vec![], Any));
    ctx.declare_func("lookup", variadic(lookup, vec![Any, Str], Any));
    ctx.declare_func("concat", variadic(concat, vec![], list()));
    ctx.declare_func("tomap", def(tomap, vec![Any]));
    ctx.declare_func("toset", def(toset, vec![Any]));
    ctx.declare_func("tolist", def(tolist, vec![Any]));
    ctx.declare_func("length", def(length, vec![Any]));
    ctx.declare_func("keys", def(keys, vec![Any]));
    ctx.declare_func("values", def(values, vec![Any]));
    ctx.declare_func("element", def(element, vec![list(), Num]));
    ctx.declare_func("contains", def(contains, vec![Any, Any]));
    ctx.declare_func("flatten", def(flatten, vec![list()]));
    ctx.declare_func("coalesce", variadic(coalesce, vec![], Any));
    ctx.declare_func("distinct", def(distinct, vec![list()]));
    // Encoding functions.
    ctx.declare_func("jsonencode", def(jsonencode, vec![Any]));
    ctx.declare_func("jsondecode", def(jsondecode, vec![Str]));
    ctx.declare_func("base64encode", def(base64encode, vec![Str]));
    ctx.declare_func("base64decode", def(base64decode, vec![Str]));
    // Network functions.
    ctx.declare_func("cidrsubnet", def(cidrsubnet, vec![Str, Num, Num]));
    ctx.declare_func("cidrhost", def(cidrhost, vec![Str, Num]));
}

fn identity(args: FuncArgs) -> FnResult {
    Ok(args.into_values().swap_remove(0))
}

/// The start of the message of a function whose result is known only where and when
/// Terraform runs; [`unknown_call_reason`] recognises it.
const APPLY_TIME: &str = "known only when Terraform runs: depends on ";

/// The error of such a function.
pub(crate) fn apply_time(what: &str) -> String {
    format!("{APPLY_TIME}{what}")
}

/// When a function call failed because its result is known only when Terraform runs (not
/// because it is wrong), the reason to show for the unknown attribute.
pub(crate) fn unknown_call_reason(name: &str, message: &str) -> Option<String> {
    message.strip_prefix(APPLY_TIME).map(|what| {
        format!(
            "calls `{name}`, whose value is known only when Terraform runs (it depends on {what})"
        )
    })
}

fn str_arg(args: &FuncArgs, i: usize) -> Result<&str, String> {
    args[i]
        .as_str()
        .ok_or_else(|| format!("argument {} must be a string", i + 1))
}

fn int_arg(args: &FuncArgs, i: usize) -> Result<i64, String> {
    as_int(&args[i]).ok_or_else(|| format!("argument {} must be a whole number", i + 1))
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A primitive as Terraform converts it to a string (`tostring`, `join`, templates).
fn to_str(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Null => Err("a null value cannot be used as a string".into()),
        _ => Err(format!("cannot convert `{v}` to a string")),
    }
}

fn format(args: FuncArgs) -> FnResult {
    format_values(&args.into_values())
}

/// `format` over already collected arguments (the spec first), shared with `formatlist`.
fn format_values(values: &[Value]) -> FnResult {
    let spec = values[0].as_str().unwrap_or_default();
    let mut rest = values[1..].iter();
    let mut out = String::with_capacity(spec.len() + 16);
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            out.push('%');
            continue;
        }
        let (mut left, mut zero, mut plus) = (false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => left = true,
                '0' => zero = true,
                '+' => plus = true,
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            precision = Some(if p.is_empty() {
                0
            } else {
                p.parse().unwrap_or(usize::MAX)
            });
        }
        if let Some(p) = precision {
            super::check_string_len(p, "format")?;
        }
        let verb = chars
            .next()
            .ok_or("format: the string ends with an incomplete verb")?;
        let arg = rest
            .next()
            .ok_or_else(|| format!("format: not enough arguments for `%{verb}`"))?;
        let text = match verb {
            's' => to_str(arg)?,
            'v' => match arg {
                Value::String(s) => s.clone(),
                other => other_to_json_text(other)?,
            },
            'q' => serde_json::to_string(&to_str(arg)?).map_err(|e| e.to_string())?,
            't' => match arg {
                Value::Bool(b) => b.to_string(),
                _ => return Err(format!("format: `%t` needs a bool, got `{arg}`")),
            },
            'd' => {
                let n = as_int(arg)
                    .ok_or_else(|| format!("format: `%d` needs a whole number, got `{arg}`"))?;
                if plus && n >= 0 {
                    format!("+{n}")
                } else {
                    n.to_string()
                }
            }
            'x' => format!(
                "{:x}",
                as_int(arg)
                    .ok_or_else(|| format!("format: `%x` needs a whole number, got `{arg}`"))?
            ),
            'f' => {
                let f = match arg {
                    Value::Number(n) => n.as_f64().unwrap_or(0.0),
                    Value::String(s) => s
                        .parse()
                        .map_err(|_| format!("format: `%f` needs a number, got `{s}`"))?,
                    _ => return Err(format!("format: `%f` needs a number, got `{arg}`")),
                };
                format!("{:.*}", precision.unwrap_or(6), f)
            }
            other => return Err(format!("format: unsupported verb `%{other}`")),
        };
        let text = match (verb, precision) {
            ('s' | 'v', Some(p)) => text.chars().take(p).collect(),
            _ => text,
        };
        // Empty means none; too many digits to count means too wide.
        let width: usize = if width.is_empty() {
            0
        } else {
            width.parse().unwrap_or(usize::MAX)
        };
        let len = text.chars().count();
        super::check_string_len(out.len().saturating_add(width.max(len)), "format")?;
        if len >= width {
            out.push_str(&text);
        } else if left {
            out.push_str(&text);
            out.extend(std::iter::repeat_n(' ', width - len));
        } else if zero && matches!(verb, 'd' | 'f' | 'x') {
            let (sign, digits) = match text.strip_prefix(['-', '+']) {
                Some(d) => (&text[..1], d),
                None => ("", text.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', width - len));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', width - len));
            out.push_str(&text);
        }
    }
    if rest.next().is_some() {
        return Err("format: too many arguments for the format string".into());
    }
    Ok(Value::from(out))
}

fn other_to_json_text(v: &Value) -> Result<String, String> {
    match v {
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => serde_json::to_string(&hcl_to_json(other)).map_err(|e| e.to_string()),
    }
}

/// A prepared template: its parts converted to strings and joined.
fn template(args: FuncArgs) -> FnResult {
    let len = args
        .iter()
        .map(|v| v.as_str().map_or(32, str::len))
        .fold(0usize, usize::saturating_add);
    super::check_string_len(len, "string template")?;
    let mut out = String::new();
    for v in args.iter() {
        match v {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&to_str(other)?),
        }
    }
    Ok(Value::from(out))
}

fn join(args: FuncArgs) -> FnResult {
    let values = args.into_values();
    let sep = values[0].as_str().unwrap_or_default();
    let mut parts = Vec::new();
    let mut len = 0usize;
    for list in &values[1..] {
        for v in list.as_array().into_iter().flatten() {
            let part = to_str(v)?;
            len = len.saturating_add(part.len()).saturating_add(sep.len());
            super::check_string_len(len, "join")?;
            parts.push(part);
        }
    }
    Ok(Value::from(parts.join(sep)))
}

fn split(args: FuncArgs) -> FnResult {
    let sep = str_arg(&args, 0)?;
    let s = str_arg(&args, 1)?;
    if s.is_empty() {
        return Ok(Value::Array(vec![Value::from("")]));
    }
    if sep.is_empty() {
        return Ok(Value::Array(
            s.chars().map(|c| Value::from(c.to_string())).collect(),
        ));
    }
    Ok(Value::Array(s.split(sep).map(Value::from).collect()))
}

fn substr(args: FuncArgs) -> FnResult {
    let chars: Vec<char> = str_arg(&args, 0)?.chars().collect();
    let (offset, length) = (int_arg(&args, 1)?, int_arg(&args, 2)?);
    let len = chars.len() as i64;
    let start = if offset < 0 {
        (len + offset).max(0)
    } else {
        offset.min(len)
    };
    // A length past the end (even `i64::MAX`) reads to the end.
    let end = if length < 0 {
        len
    } else {
        start.saturating_add(length).min(len)
    };
    Ok(Value::from(
        chars[start as usize..end as usize]
            .iter()
            .collect::<String>(),
    ))
}

fn tostring(args: FuncArgs) -> FnResult {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => to_str(v).map(Value::from),
    }
}

fn merge(args: FuncArgs) -> FnResult {
    let mut out = Map::new();
    for v in args.into_values() {
        match v {
            Value::Null => {}
            Value::Object(map) => out.extend(map),
            other => {
                return Err(format!(
                    "merge: arguments must be maps or objects, got `{other}`"
                ))
            }
        }
    }
    Ok(Value::Object(out))
}

fn lookup(args: FuncArgs) -> FnResult {
    let mut values = args.into_values();
    let default = (values.len() > 2).then(|| values.swap_remove(2));
    let key = values[1].as_str().unwrap_or_default().to_string();
    let Value::Object(mut map) = values.swap_remove(0) else {
        return Err("lookup: the first argument must be a map".into());
    };
    match map.swap_remove(&key) {
        Some(v) => Ok(v),
        None => default.ok_or_else(|| format!("lookup: no key `{key}` and no default")),
    }
}

fn concat(args: FuncArgs) -> FnResult {
    let mut out = Vec::new();
    for v in args.into_values() {
        if let Value::Array(items) = v {
            out.extend(items);
        }
    }
    Ok(Value::Array(out))
}

fn tomap(args: FuncArgs) -> FnResult {
    match args.into_values().swap_remove(0) {
        v @ (Value::Object(_) | Value::Null) => Ok(v),
        other => Err(format!("tomap: cannot convert `{other}` to a map")),
    }
}

/// Sets of primitives are written sorted in JSON (as Terraform orders string sets), without
/// duplicates.
fn toset(args: FuncArgs) -> FnResult {
    match args.into_values().swap_remove(0) {
        Value::Array(items) => Ok(Value::Array(set_of(items))),
        Value::Null => Ok(Value::Null),
        other => Err(format!("toset: cannot convert `{other}` to a set")),
    }
}

pub(crate) fn set_of(mut items: Vec<Value>) -> Vec<Value> {
    if items.iter().all(|v| v.is_string()) {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        items.dedup();
        return items;
    }
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

fn tolist(args: FuncArgs) -> FnResult {
    match args.into_values().swap_remove(0) {
        v @ (Value::Array(_) | Value::Null) => Ok(v),
        other => Err(format!("tolist: cannot convert `{other}` to a list")),
    }
}

fn length(args: FuncArgs) -> FnResult {
    let n = match &args[0] {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        other => return Err(format!("length: `{other}` has no length")),
    };
    Ok(Value::from(n as u64))
}

fn sorted_entries(v: Value, what: &str) -> Result<Vec<(String, Value)>, String> {
    let Value::Object(map) = v else {
        return Err(format!("{what}: the argument must be a map or an object"));
    };
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

fn keys(args: FuncArgs) -> FnResult {
    let entries = sorted_entries(args.into_values().swap_remove(0), "keys")?;
    Ok(Value::Array(
        entries.into_iter().map(|(k, _)| Value::from(k)).collect(),
    ))
}

fn values(args: FuncArgs) -> FnResult {
    let entries = sorted_entries(args.into_values().swap_remove(0), "values")?;
    Ok(Value::Array(entries.into_iter().map(|(_, v)| v).collect()))
}

fn element(args: FuncArgs) -> FnResult {
    let index = int_arg(&args, 1)?;
    let items = args[0]
        .as_array()
        .ok_or("element: the first argument must be a list")?;
    if items.is_empty() {
        return Err("element: cannot use element function with an empty list".into());
    }
    if index < 0 {
        return Err("element: the index must not be negative".into());
    }
    Ok(items[index as usize % items.len()].clone())
}

fn contains(args: FuncArgs) -> FnResult {
    let items = args[0]
        .as_array()
        .ok_or("contains: the first argument must be a list or set")?;
    Ok(Value::Bool(items.contains(&args[1])))
}

fn flatten(args: FuncArgs) -> FnResult {
    fn walk(items: Vec<Value>, out: &mut Vec<Value>) {
        for v in items {
            match v {
                Value::Array(inner) => walk(inner, out),
                other => out.push(other),
            }
        }
    }
    let mut out = Vec::new();
    if let Value::Array(items) = args.into_values().swap_remove(0) {
        walk(items, &mut out);
    }
    Ok(Value::Array(out))
}

fn coalesce(args: FuncArgs) -> FnResult {
    args.into_values()
        .into_iter()
        .find(|v| !v.is_null() && v.as_str() != Some(""))
        .ok_or_else(|| "coalesce: no non-null, non-empty argument".into())
}

fn distinct(args: FuncArgs) -> FnResult {
    let Value::Array(items) = args.into_values().swap_remove(0) else {
        return Err("distinct: the argument must be a list".into());
    };
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

/// Terraform's `jsonencode`: compact, object keys sorted, and `<`, `>`, `&` escaped as Go's
/// encoder does (they can only occur inside strings, so replacing them is safe).
fn jsonencode(args: FuncArgs) -> FnResult {
    let text = serde_json::to_string(&hcl_to_json(&args[0])).map_err(|e| e.to_string())?;
    let text = if text.contains(['<', '>', '&']) {
        text.replace('<', "\\u003c")
            .replace('>', "\\u003e")
            .replace('&', "\\u0026")
    } else {
        text
    };
    Ok(Value::from(text))
}

fn jsondecode(args: FuncArgs) -> FnResult {
    let json: serde_json::Value =
        serde_json::from_str(str_arg(&args, 0)?).map_err(|e| format!("jsondecode: {e}"))?;
    Ok(json_to_hcl(json))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64encode(args: FuncArgs) -> FnResult {
    Ok(Value::from(base64(str_arg(&args, 0)?.as_bytes())))
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64decode(args: FuncArgs) -> FnResult {
    let text = str_arg(&args, 0)?.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = B64
            .iter()
            .position(|&b| b == c)
            .ok_or("base64decode: not valid base64")? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(out)
        .map(Value::from)
        .map_err(|_| "base64decode: the decoded bytes are not UTF-8".into())
}

/// A CIDR prefix as (address as a number, address width in bits, prefix length, is IPv4).
fn parse_cidr(s: &str) -> Result<(u128, u32, u32, bool), String> {
    let (addr, len) = s
        .split_once('/')
        .ok_or_else(|| format!("invalid CIDR address `{s}`"))?;
    let len: u32 = len
        .parse()
        .map_err(|_| format!("invalid CIDR prefix length in `{s}`"))?;
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| format!("invalid IP address in `{s}`"))?;
    let (n, width, v4) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32, true),
        IpAddr::V6(v6) => (u128::from(v6), 128, false),
    };
    if len > width {
        return Err(format!("prefix length {len} is too long in `{s}`"));
    }
    let mask = if len == 0 {
        0
    } else {
        (!0u128) << (128 - len) >> (128 - width)
    };
    Ok((n & mask, width, len, v4))
}

fn ip_text(n: u128, v4: bool) -> String {
    if v4 {
        Ipv4Addr::from(n as u32).to_string()
    } else {
        Ipv6Addr::from(n).to_string()
    }
}

fn cidrsubnet(args: FuncArgs) -> FnResult {
    let (base, width, len, v4) = parse_cidr(str_arg(&args, 0)?)?;
    let newbits = int_arg(&args, 1)?;
    let netnum = int_arg(&args, 2)?;
    // `width - len` first: a huge `newbits` must not overflow the sum.
    if newbits < 0 || newbits > i64::from(width - len) {
        return Err(format!(
            "cidrsubnet: {newbits} additional bits would extend the prefix past {width} bits"
        ));
    }
    let new_len = len + newbits as u32;
    if netnum < 0 || (newbits < 127 && netnum as u128 >= 1u128 << newbits) {
        return Err(format!("cidrsubnet: prefix extension of {newbits} bits does not accommodate subnet number {netnum}"));
    }
    let n = base | ((netnum as u128) << (width - new_len));
    Ok(Value::from(format!("{}/{new_len}", ip_text(n, v4))))
}

fn cidrhost(args: FuncArgs) -> FnResult {
    let (base, width, len, v4) = parse_cidr(str_arg(&args, 0)?)?;
    let hostnum = int_arg(&args, 1)?;
    let host_bits = width - len;
    let size: u128 = if host_bits >= 128 {
        u128::MAX
    } else {
        1u128 << host_bits
    };
    let offset = if hostnum < 0 {
        size.checked_sub(hostnum.unsigned_abs() as u128)
    } else {
        Some(hostnum as u128).filter(|h| *h < size)
    }
    .ok_or_else(|| {
        format!("cidrhost: prefix of {len} bits does not accommodate host number {hostnum}")
    })?;
    Ok(Value::from(ip_text(base | offset, v4)))
}

/// `cidrnetmask(prefix)`: the IPv4 netmask of a prefix in dotted form.
fn cidrnetmask(args: FuncArgs) -> FnResult {
    let (_, _, len, v4) = parse_cidr(&strings::string(&args, 0, "cidrnetmask")?)?;
    if !v4 {
        return Err("cidrnetmask: an IPv6 prefix has no netmask".into());
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok(Value::from(Ipv4Addr::from(mask).to_string()))
}

/// `cidrsubnets(prefix, newbits...)`: consecutive subnets of the prefix, each `newbits` longer,
/// every one aligned on its own size right after the previous one.
fn cidrsubnets_fn(args: FuncArgs) -> FnResult {
    let (base, width, len, v4) = parse_cidr(str_arg(&args, 0)?)?;
    let block = |bits: u32| -> u128 {
        if bits >= 128 {
            u128::MAX
        } else {
            1u128 << bits
        }
    };
    let end = base + (block(width - len) - 1);
    let mut out = Vec::new();
    // The first address after the previous subnet, or the base for the first one.
    let mut next = base;
    for i in 1..args.len() {
        let newbits = int_arg(&args, i)?;
        if newbits < 0 || newbits > i64::from(width - len) {
            return Err(format!(
                "cidrsubnets: {newbits} additional bits would extend the prefix past {width} bits"
            ));
        }
        let new_len = len + newbits as u32;
        let size = block(width - new_len);
        // Aligned on the subnet's own size.
        let start =
            next.checked_add(size - 1)
                .map(|n| n / size * size)
                .filter(|s| *s <= end && s.checked_add(size - 1).is_some_and(|last| last <= end))
                .ok_or_else(|| {
                    format!(
                    "cidrsubnets: not enough remaining address space for a subnet with a prefix \
                     of {new_len} bits after {}",
                    out.last().and_then(Value::as_str).unwrap_or("the start of the prefix")
                )
                })?;
        out.push(Value::from(format!("{}/{new_len}", ip_text(start, v4))));
        next = start.saturating_add(size);
    }
    Ok(Value::Array(out))
}
