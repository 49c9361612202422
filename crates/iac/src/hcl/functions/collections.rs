//! Collection functions beyond the basic ones in the parent module: list slicing and ordering,
//! set algebra, `zipmap`, `range`, `one`, `alltrue` / `anytrue`, `transpose`, `matchkeys`.
//!
//! Sets are lists here (HCL values have no set type); a function that returns a set returns
//! its elements without duplicates, in the order [`super::set_of`] gives them.

use super::{as_int, set_of, to_str, FnResult};
use ::hcl::eval::FuncArgs;
use ::hcl::{Map, Value};

/// The most elements `range` and `setproduct` may build, as Terraform bounds `range`.
pub(crate) const MAX_GENERATED: usize = 1024;

fn list<'a>(args: &'a FuncArgs, i: usize, func: &str) -> Result<&'a [Value], String> {
    args[i]
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| format!("{func}: argument {} must be a list or set", i + 1))
}

fn number(v: &Value, func: &str) -> Result<f64, String> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| format!("{func}: `{v}` is not a number")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{func}: `{s}` is not a number")),
        _ => Err(format!("{func}: `{v}` is not a number")),
    }
}

pub(super) fn num_value(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        ::hcl::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// `compact(list)`: the list without null and empty-string elements.
pub(super) fn compact(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "compact")?;
    let mut out = Vec::with_capacity(items.len());
    for v in items {
        match v {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            other => out.push(Value::from(to_str(other)?)),
        }
    }
    Ok(Value::Array(out))
}

/// `sort(list)`: strings in lexicographic order (numbers are converted to strings first).
pub(super) fn sort(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "sort")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        if v.is_null() {
            return Err(format!(
                "sort: element {i} is null; a null string cannot be sorted"
            ));
        }
        out.push(to_str(v)?);
    }
    out.sort();
    Ok(Value::Array(out.into_iter().map(Value::from).collect()))
}

/// `slice(list, start, end)`: elements from `start` up to but not including `end`.
pub(super) fn slice(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "slice")?;
    let start = as_int(&args[1]).ok_or("slice: the start index must be a whole number")?;
    let end = as_int(&args[2]).ok_or("slice: the end index must be a whole number")?;
    if start < 0 {
        return Err("slice: the start index must not be negative".into());
    }
    if end > items.len() as i64 {
        return Err(format!(
            "slice: the end index {end} is past the end of the list (length {})",
            items.len()
        ));
    }
    if start > end {
        return Err(format!(
            "slice: the start index {start} is greater than the end index {end}"
        ));
    }
    Ok(Value::Array(items[start as usize..end as usize].to_vec()))
}

pub(super) fn reverse(args: FuncArgs) -> FnResult {
    let mut items = list(&args, 0, "reverse")?.to_vec();
    items.reverse();
    Ok(Value::Array(items))
}

/// `coalescelist(lists...)`: the first list that is not empty.
pub(super) fn coalescelist(args: FuncArgs) -> FnResult {
    for (i, v) in args.iter().enumerate() {
        match v {
            Value::Array(items) if !items.is_empty() => return Ok(v.clone()),
            Value::Array(_) | Value::Null => {}
            other => {
                return Err(format!(
                    "coalescelist: argument {} must be a list, got `{other}`",
                    i + 1
                ))
            }
        }
    }
    Err("coalescelist: no non-empty list among the arguments".into())
}

/// `one(list)`: null for an empty list, the element of a list of one, an error otherwise.
pub(super) fn one(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "one")?;
    match items {
        [] => Ok(Value::Null),
        [only] => Ok(only.clone()),
        _ => Err(format!(
            "one: the list must have zero or one elements, it has {}",
            items.len()
        )),
    }
}

/// `zipmap(keys, values)`: an object from two lists of the same length.
pub(super) fn zipmap(args: FuncArgs) -> FnResult {
    let keys = list(&args, 0, "zipmap")?;
    let values = list(&args, 1, "zipmap")?;
    if keys.len() != values.len() {
        return Err(format!(
            "zipmap: {} keys but {} values; both lists must have the same length",
            keys.len(),
            values.len()
        ));
    }
    let mut out = Map::new();
    for (k, v) in keys.iter().zip(values) {
        if k.is_null() {
            return Err("zipmap: a key is null".into());
        }
        out.insert(to_str(k)?, v.clone());
    }
    Ok(Value::Object(out))
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`: at most
/// [`MAX_GENERATED`] numbers.
pub(super) fn range(args: FuncArgs) -> FnResult {
    let nums = args
        .iter()
        .map(|v| number(v, "range"))
        .collect::<Result<Vec<f64>, String>>()?;
    let (start, limit, step) = match nums.as_slice() {
        [limit] => (0.0, *limit, 1.0),
        [start, limit] => (*start, *limit, if start <= limit { 1.0 } else { -1.0 }),
        [start, limit, step] => (*start, *limit, *step),
        _ => return Err("range: takes one, two or three numbers".into()),
    };
    if step == 0.0 {
        return Err("range: the step must not be zero".into());
    }
    if start < limit && step < 0.0 {
        return Err("range: the step must be positive when start is less than limit".into());
    }
    if start > limit && step > 0.0 {
        return Err("range: the step must be negative when start is greater than limit".into());
    }
    let mut out = Vec::new();
    let mut v = start;
    while (step > 0.0 && v < limit) || (step < 0.0 && v > limit) {
        if out.len() == MAX_GENERATED {
            return Err(format!(
                "range: more than {MAX_GENERATED} values; narrow the range or use a larger step"
            ));
        }
        out.push(num_value(v));
        v += step;
    }
    Ok(Value::Array(out))
}

fn sets(args: &FuncArgs, func: &str) -> Result<Vec<Vec<Value>>, String> {
    (0..args.len())
        .map(|i| list(args, i, func).map(|s| set_of(s.to_vec())))
        .collect()
}

pub(super) fn setunion(args: FuncArgs) -> FnResult {
    let all: Vec<Value> = sets(&args, "setunion")?.into_iter().flatten().collect();
    Ok(Value::Array(set_of(all)))
}

pub(super) fn setintersection(args: FuncArgs) -> FnResult {
    let mut sets = sets(&args, "setintersection")?.into_iter();
    let first = sets.next().unwrap_or_default();
    let rest: Vec<Vec<Value>> = sets.collect();
    Ok(Value::Array(
        first
            .into_iter()
            .filter(|v| rest.iter().all(|s| s.contains(v)))
            .collect(),
    ))
}

pub(super) fn setsubtract(args: FuncArgs) -> FnResult {
    let sets = sets(&args, "setsubtract")?;
    Ok(Value::Array(
        sets[0]
            .iter()
            .filter(|v| !sets[1].contains(v))
            .cloned()
            .collect(),
    ))
}

/// `setproduct(sets...)`: every combination, as lists, bounded by [`MAX_GENERATED`].
pub(super) fn setproduct(args: FuncArgs) -> FnResult {
    if args.len() < 2 {
        return Err("setproduct: needs at least two sets or lists".into());
    }
    let lists: Vec<&[Value]> = (0..args.len())
        .map(|i| list(&args, i, "setproduct"))
        .collect::<Result<_, _>>()?;
    let total = lists
        .iter()
        .try_fold(1usize, |acc, l| acc.checked_mul(l.len()))
        .filter(|n| *n <= MAX_GENERATED)
        .ok_or_else(|| format!("setproduct: more than {MAX_GENERATED} combinations"))?;
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for l in &lists {
        out = out
            .into_iter()
            .flat_map(|prefix| {
                l.iter().map(move |v| {
                    let mut p = prefix.clone();
                    p.push(v.clone());
                    p
                })
            })
            .collect();
    }
    debug_assert!(out.len() == total);
    Ok(Value::Array(out.into_iter().map(Value::Array).collect()))
}

fn boolean(v: &Value, func: &str) -> Result<Option<bool>, String> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s == "true" => Ok(Some(true)),
        Value::String(s) if s == "false" => Ok(Some(false)),
        other => Err(format!("{func}: `{other}` is not a bool")),
    }
}

/// `alltrue(list)`: true when every element is true (and for an empty list); a null element is
/// not true.
pub(super) fn alltrue(args: FuncArgs) -> FnResult {
    let mut all = true;
    for v in list(&args, 0, "alltrue")? {
        all &= boolean(v, "alltrue")? == Some(true);
    }
    Ok(Value::Bool(all))
}

/// `anytrue(list)`: true when at least one element is true.
pub(super) fn anytrue(args: FuncArgs) -> FnResult {
    let mut any = false;
    for v in list(&args, 0, "anytrue")? {
        any |= boolean(v, "anytrue")? == Some(true);
    }
    Ok(Value::Bool(any))
}

/// `index(list, value)`: the position of the first element equal to `value`.
pub(super) fn index(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "index")?;
    items
        .iter()
        .position(|v| v == &args[1])
        .map(|i| Value::from(i as u64))
        .ok_or_else(|| format!("index: `{}` is not in the list", args[1]))
}

pub(super) fn sum(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "sum")?;
    if items.is_empty() {
        return Err("sum: cannot sum an empty list".into());
    }
    let mut total = 0.0;
    for v in items {
        total += number(v, "sum")?;
    }
    Ok(num_value(total))
}

/// `chunklist(list, size)`: consecutive lists of `size` elements (the last may be shorter); a
/// size of 0 gives the whole list as one chunk.
pub(super) fn chunklist(args: FuncArgs) -> FnResult {
    let items = list(&args, 0, "chunklist")?;
    let size = as_int(&args[1]).ok_or("chunklist: the size must be a whole number")?;
    if size < 0 {
        return Err("chunklist: the size must not be negative".into());
    }
    if size == 0 {
        return Ok(Value::Array(vec![Value::Array(items.to_vec())]));
    }
    Ok(Value::Array(
        items
            .chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect(),
    ))
}

/// `transpose(map of lists of strings)`: each string becomes a key listing the keys it was
/// under (keys in lexicographic order).
pub(super) fn transpose(args: FuncArgs) -> FnResult {
    let Value::Object(map) = &args[0] else {
        return Err("transpose: the argument must be a map of lists of strings".into());
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for k in keys {
        let Value::Array(items) = &map[k] else {
            return Err(format!(
                "transpose: the value of `{k}` must be a list of strings"
            ));
        };
        for v in items {
            out.entry(to_str(v)?)
                .or_default()
                .push(Value::from(k.as_str()));
        }
    }
    Ok(Value::Object(
        out.into_iter().map(|(k, v)| (k, Value::Array(v))).collect(),
    ))
}

/// `matchkeys(values, keys, searchset)`: the elements of `values` whose counterpart in `keys`
/// is in `searchset`.
pub(super) fn matchkeys(args: FuncArgs) -> FnResult {
    let values = list(&args, 0, "matchkeys")?;
    let keys = list(&args, 1, "matchkeys")?;
    let search = list(&args, 2, "matchkeys")?;
    if values.len() != keys.len() {
        return Err("matchkeys: the values and keys lists must have the same length".into());
    }
    Ok(Value::Array(
        values
            .iter()
            .zip(keys)
            .filter(|(_, k)| search.contains(k))
            .map(|(v, _)| v.clone())
            .collect(),
    ))
}

/// `max(numbers...)` and `min(numbers...)`.
pub(super) fn max(args: FuncArgs) -> FnResult {
    extreme(&args, "max", f64::max)
}

pub(super) fn min(args: FuncArgs) -> FnResult {
    extreme(&args, "min", f64::min)
}

fn extreme(args: &FuncArgs, func: &str, pick: fn(f64, f64) -> f64) -> FnResult {
    let mut best: Option<f64> = None;
    for v in args.iter() {
        let n = number(v, func)?;
        best = Some(best.map_or(n, |b| pick(b, n)));
    }
    best.map(num_value)
        .ok_or_else(|| format!("{func}: needs at least one number"))
}

pub(super) fn tobool(args: FuncArgs) -> FnResult {
    Ok(boolean(&args[0], "tobool")?.map_or(Value::Null, Value::Bool))
}

pub(super) fn tonumber(args: FuncArgs) -> FnResult {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(_) => Ok(args[0].clone()),
        v => number(v, "tonumber").map(num_value),
    }
}
