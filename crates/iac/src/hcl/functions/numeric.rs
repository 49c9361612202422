//! Numeric functions: `abs`, `ceil`, `floor`, `pow`, `signum`, `log`, `parseint`.

use super::collections::num_value;
use super::{as_int, FnResult};
use ::hcl::eval::FuncArgs;
use ::hcl::Value;

fn num(args: &FuncArgs, i: usize, func: &str) -> Result<f64, String> {
    match &args[i] {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| format!("{func}: argument {} must be a number", i + 1))
}

pub(super) fn abs(args: FuncArgs) -> FnResult {
    Ok(num_value(num(&args, 0, "abs")?.abs()))
}

pub(super) fn ceil(args: FuncArgs) -> FnResult {
    Ok(num_value(num(&args, 0, "ceil")?.ceil()))
}

pub(super) fn floor(args: FuncArgs) -> FnResult {
    Ok(num_value(num(&args, 0, "floor")?.floor()))
}

pub(super) fn pow(args: FuncArgs) -> FnResult {
    Ok(num_value(num(&args, 0, "pow")?.powf(num(&args, 1, "pow")?)))
}

pub(super) fn signum(args: FuncArgs) -> FnResult {
    let n = num(&args, 0, "signum")?;
    Ok(Value::from(if n > 0.0 {
        1
    } else if n < 0.0 {
        -1
    } else {
        0
    }))
}

pub(super) fn log(args: FuncArgs) -> FnResult {
    let (n, base) = (num(&args, 0, "log")?, num(&args, 1, "log")?);
    let v = n.ln() / base.ln();
    if v.is_finite() {
        Ok(num_value(v))
    } else {
        Err(format!(
            "log: the logarithm of {n} in base {base} is not a finite number"
        ))
    }
}

/// `parseint(string, base)`: an integer written in `base` (2 to 62; digits, then lower-case,
/// then upper-case letters above base 36), with an optional sign.
pub(super) fn parseint(args: FuncArgs) -> FnResult {
    let s = super::to_str(&args[0])?;
    let base = as_int(&args[1]).ok_or("parseint: the base must be a whole number")?;
    if !(2..=62).contains(&base) {
        return Err(format!("parseint: base {base} is not between 2 and 62"));
    }
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(&s)),
    };
    if digits.is_empty() {
        return Err(format!("parseint: `{s}` is not a number in base {base}"));
    }
    let mut n: i128 = 0;
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => base,
        };
        if d >= base {
            return Err(format!("parseint: `{s}` is not a number in base {base}"));
        }
        n = n
            .checked_mul(i128::from(base))
            .and_then(|n| n.checked_add(i128::from(d)))
            .filter(|n| *n <= i128::from(i64::MAX))
            .ok_or_else(|| format!("parseint: `{s}` is too large"))?;
    }
    Ok(Value::from(if negative { -(n as i64) } else { n as i64 }))
}
