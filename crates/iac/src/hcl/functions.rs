//! The Terraform built-in functions driftd evaluates, as hcl-rs function definitions.
//!
//! Covered: string (`format`, `join`, `split`, `lower`, `upper`, `replace` without regular
//! expressions, `trimspace`, `substr`, `tostring`), collection (`merge`, `lookup`, `concat`,
//! `tomap`, `toset`, `tolist`, `length`, `keys`, `values`, `element`, `contains`, `flatten`,
//! `coalesce`, `distinct`), encoding (`jsonencode`, `jsondecode`, `base64encode`,
//! `base64decode`) and network (`cidrsubnet`, `cidrhost`). Any other function is undefined, so
//! the attribute that calls it is unknown rather than wrong.

use super::eval::{hcl_to_json, json_to_hcl};
use ::hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use ::hcl::{Map, Value};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

type FnResult = Result<Value, String>;

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
    // String functions.
    ctx.declare_func("format", variadic(format, vec![Str], Any));
    ctx.declare_func("join", variadic(join, vec![Str], list()));
    ctx.declare_func("split", def(split, vec![Str, Str]));
    ctx.declare_func(
        "lower",
        def(
            |a| Ok(Value::from(str_arg(&a, 0)?.to_lowercase())),
            vec![Str],
        ),
    );
    ctx.declare_func(
        "upper",
        def(
            |a| Ok(Value::from(str_arg(&a, 0)?.to_uppercase())),
            vec![Str],
        ),
    );
    ctx.declare_func("replace", def(replace, vec![Str, Str, Str]));
    ctx.declare_func(
        "trimspace",
        def(|a| Ok(Value::from(str_arg(&a, 0)?.trim())), vec![Str]),
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
    let values = args.into_values();
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
            precision = Some(p.parse().unwrap_or(0));
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
        let width: usize = width.parse().unwrap_or(0);
        let len = text.chars().count();
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
    for list in &values[1..] {
        for v in list.as_array().into_iter().flatten() {
            parts.push(to_str(v)?);
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

fn replace(args: FuncArgs) -> FnResult {
    let (s, from, to) = (str_arg(&args, 0)?, str_arg(&args, 1)?, str_arg(&args, 2)?);
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        return Err("replace: regular expressions are not supported".into());
    }
    Ok(Value::from(s.replace(from, to)))
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
    let end = if length < 0 {
        len
    } else {
        (start + length).min(len)
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
    let bytes = str_arg(&args, 0)?.as_bytes();
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
    Ok(Value::from(out))
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
    if newbits < 0 || len as i64 + newbits > width as i64 {
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
