//! String functions beyond the basic ones in the parent module: prefixes and suffixes, `title`,
//! `indent`, `formatlist`, and the regular-expression functions (`regex`, `regexall`, `replace`
//! with a `/pattern/`). Terraform's patterns are RE2, which the `regex` crate implements with
//! the same syntax and the same `$1` / `${name}` replacement references.

use super::{int_arg, to_str, FnResult};
use ::hcl::eval::FuncArgs;
use ::hcl::{Map, Value};

/// Argument `i` converted to a string as Terraform converts primitives.
pub(super) fn string(args: &FuncArgs, i: usize, func: &str) -> Result<String, String> {
    to_str(&args[i]).map_err(|e| format!("{func}: argument {}: {e}", i + 1))
}

pub(super) fn chomp(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "chomp")?;
    Ok(Value::from(s.trim_end_matches(['\r', '\n'])))
}

/// Upper-cases the first letter of every word; a word starts after anything that is not a
/// letter, a digit or an underscore.
pub(super) fn title(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "title")?;
    let mut out = String::with_capacity(s.len());
    let mut at_start = true;
    for c in s.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !(c.is_alphanumeric() || c == '_');
    }
    Ok(Value::from(out))
}

pub(super) fn startswith(args: FuncArgs) -> FnResult {
    let (s, prefix) = (
        string(&args, 0, "startswith")?,
        string(&args, 1, "startswith")?,
    );
    Ok(Value::Bool(s.starts_with(&prefix)))
}

pub(super) fn endswith(args: FuncArgs) -> FnResult {
    let (s, suffix) = (string(&args, 0, "endswith")?, string(&args, 1, "endswith")?);
    Ok(Value::Bool(s.ends_with(&suffix)))
}

pub(super) fn strcontains(args: FuncArgs) -> FnResult {
    let (s, sub) = (
        string(&args, 0, "strcontains")?,
        string(&args, 1, "strcontains")?,
    );
    Ok(Value::Bool(s.contains(&sub)))
}

pub(super) fn trimprefix(args: FuncArgs) -> FnResult {
    let (s, prefix) = (
        string(&args, 0, "trimprefix")?,
        string(&args, 1, "trimprefix")?,
    );
    Ok(Value::from(s.strip_prefix(&prefix).unwrap_or(&s)))
}

pub(super) fn trimsuffix(args: FuncArgs) -> FnResult {
    let (s, suffix) = (
        string(&args, 0, "trimsuffix")?,
        string(&args, 1, "trimsuffix")?,
    );
    Ok(Value::from(s.strip_suffix(&suffix).unwrap_or(&s)))
}

/// `trim(s, cutset)`: removes every character of `cutset` from both ends.
pub(super) fn trim(args: FuncArgs) -> FnResult {
    let (s, cutset) = (string(&args, 0, "trim")?, string(&args, 1, "trim")?);
    let cut: Vec<char> = cutset.chars().collect();
    Ok(Value::from(s.trim_matches(cut.as_slice())))
}

pub(super) fn strrev(args: FuncArgs) -> FnResult {
    Ok(Value::from(
        string(&args, 0, "strrev")?
            .chars()
            .rev()
            .collect::<String>(),
    ))
}

/// `indent(n, s)`: `n` spaces before every line but the first.
pub(super) fn indent(args: FuncArgs) -> FnResult {
    let n = int_arg(&args, 0)?;
    if n < 0 {
        return Err("indent: the number of spaces must not be negative".into());
    }
    let s = string(&args, 1, "indent")?;
    let lines = s.matches('\n').count();
    let len = (n as usize).saturating_mul(lines).saturating_add(s.len());
    super::super::check_string_len(len, "indent")?;
    let pad = format!("\n{}", " ".repeat(n as usize));
    Ok(Value::from(s.replace('\n', &pad)))
}

/// `formatlist(spec, ...)`: `format` once per element; list arguments must all have the same
/// length, other arguments are repeated for every element.
pub(super) fn formatlist(args: FuncArgs) -> FnResult {
    let values = args.into_values();
    let mut len: Option<usize> = None;
    for (i, v) in values.iter().enumerate().skip(1) {
        if let Value::Array(items) = v {
            match len {
                Some(n) if n != items.len() => {
                    return Err(format!(
                        "formatlist: argument {} has length {}, which does not match the \
                         length {n} of the earlier list arguments",
                        i + 1,
                        items.len()
                    ))
                }
                _ => len = Some(items.len()),
            }
        }
    }
    let Some(len) = len else {
        // No list: one result, as a list of one string.
        return Ok(Value::Array(vec![super::format_values(&values)?]));
    };
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        let row: Vec<Value> = values
            .iter()
            .enumerate()
            .map(|(j, v)| match v {
                Value::Array(items) if j > 0 => items[i].clone(),
                other => other.clone(),
            })
            .collect();
        out.push(super::format_values(&row)?);
    }
    Ok(Value::Array(out))
}

fn compile(func: &str, pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern)
        .map_err(|e| format!("{func}: invalid regular expression `{pattern}`: {e}"))
}

/// What one match gives: the whole match when the pattern has no capture groups, a list of
/// the groups when they are unnamed, an object when they are named (a group that took no part
/// in the match is null).
fn captures_value(re: &regex::Regex, caps: &regex::Captures) -> Result<Value, String> {
    let groups = re.captures_len() - 1;
    if groups == 0 {
        return Ok(Value::from(caps.get(0).map_or("", |m| m.as_str())));
    }
    let named = re.capture_names().flatten().count();
    let group = |i: usize| caps.get(i).map_or(Value::Null, |m| Value::from(m.as_str()));
    if named == 0 {
        return Ok(Value::Array((1..=groups).map(group).collect()));
    }
    if named != groups {
        return Err(
            "regex: a pattern cannot mix named and unnamed capture groups (use (?:...) for a \
             group that captures nothing)"
                .into(),
        );
    }
    let mut out = Map::new();
    for (i, name) in re.capture_names().enumerate() {
        if let Some(name) = name {
            out.insert(name.to_string(), group(i));
        }
    }
    Ok(Value::Object(out))
}

pub(super) fn regex(args: FuncArgs) -> FnResult {
    let re = compile("regex", &string(&args, 0, "regex")?)?;
    let s = string(&args, 1, "regex")?;
    let caps = re
        .captures(&s)
        .ok_or("regex: the pattern did not match any part of the given string")?;
    captures_value(&re, &caps)
}

pub(super) fn regexall(args: FuncArgs) -> FnResult {
    let re = compile("regexall", &string(&args, 0, "regexall")?)?;
    let s = string(&args, 1, "regexall")?;
    let mut out = Vec::new();
    for caps in re.captures_iter(&s) {
        out.push(captures_value(&re, &caps)?);
    }
    Ok(Value::Array(out))
}

/// `replace(s, search, replacement)`: a `/pattern/` search is a regular expression whose
/// groups the replacement can name (`$1`, `${name}`); anything else is replaced literally.
pub(super) fn replace(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "replace")?;
    let search = string(&args, 1, "replace")?;
    let with = string(&args, 2, "replace")?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let re = compile("replace", &search[1..search.len() - 1])?;
        let matches = re.find_iter(&s).count();
        super::super::check_string_len(
            matches.saturating_mul(with.len()).saturating_add(s.len()),
            "replace",
        )?;
        return Ok(Value::from(re.replace_all(&s, with.as_str()).into_owned()));
    }
    let matches = if search.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(search.as_str()).count()
    };
    super::super::check_string_len(
        matches.saturating_mul(with.len()).saturating_add(s.len()),
        "replace",
    )?;
    Ok(Value::from(s.replace(&search, &with)))
}
