//! Time functions. `timestamp()` and `plantimestamp()` are known only when Terraform runs, so
//! they make the attribute unknown; `formatdate`, `timeadd` and `timecmp` are pure and
//! evaluated. Timestamps are RFC 3339 strings, as Terraform writes them.

use super::strings::string;
use super::{apply_time, FnResult};
use ::hcl::eval::FuncArgs;
use ::hcl::Value;
use chrono::{DateTime, Datelike, FixedOffset, SecondsFormat, Timelike};

pub(super) fn timestamp(_: FuncArgs) -> FnResult {
    Err(apply_time("the time Terraform applies"))
}

pub(super) fn plantimestamp(_: FuncArgs) -> FnResult {
    Err(apply_time("the time Terraform plans"))
}

fn parse(func: &str, s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("{func}: `{s}` is not an RFC 3339 timestamp: {e}"))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn offset(t: &DateTime<FixedOffset>, colon: bool) -> String {
    let secs = t.offset().local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let (h, m) = (secs.abs() / 3600, secs.abs() % 3600 / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// `formatdate(spec, timestamp)`: runs of the same letter are format sequences (`YYYY`, `MMM`,
/// `hh`, `ZZZ`...), text in single quotes is literal (`''` is a quote), other characters are
/// copied.
pub(super) fn formatdate(args: FuncArgs) -> FnResult {
    let spec = string(&args, 0, "formatdate")?;
    let t = parse("formatdate", &string(&args, 1, "formatdate")?)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // A quoted literal; `''` inside or outside is one quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err("formatdate: a quoted literal is not closed".into()),
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        out.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(&other) => {
                        out.push(other);
                        j += 1;
                    }
                }
            }
            i = j + 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut n = 1;
        while chars.get(i + n) == Some(&c) {
            n += 1;
        }
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        let text = match (c, n) {
            ('Y', 4) => format!("{:04}", t.year()),
            ('Y', 2) => format!("{:02}", t.year().rem_euclid(100)),
            ('M', 4) => MONTHS[t.month0() as usize].to_string(),
            ('M', 3) => MONTHS[t.month0() as usize][..3].to_string(),
            ('M', 2) => format!("{:02}", t.month()),
            ('M', 1) => t.month().to_string(),
            ('D', 2) => format!("{:02}", t.day()),
            ('D', 1) => t.day().to_string(),
            ('E', 4) => DAYS[t.weekday().num_days_from_monday() as usize].to_string(),
            ('E', 3) => DAYS[t.weekday().num_days_from_monday() as usize][..3].to_string(),
            ('h', 2) => format!("{:02}", t.hour()),
            ('h', 1) => t.hour().to_string(),
            ('H', 2) => format!("{hour12:02}"),
            ('H', 1) => hour12.to_string(),
            ('A', 2) => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
            ('a', 2) => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
            ('m', 2) => format!("{:02}", t.minute()),
            ('m', 1) => t.minute().to_string(),
            ('s', 2) => format!("{:02}", t.second()),
            ('s', 1) => t.second().to_string(),
            ('Z', 5) => offset(&t, true),
            ('Z', 4) => offset(&t, false),
            ('Z', 3) if t.offset().local_minus_utc() == 0 => "UTC".to_string(),
            ('Z', 3) => offset(&t, false),
            ('Z', 1) if t.offset().local_minus_utc() == 0 => "Z".to_string(),
            ('Z', 1) => offset(&t, true),
            _ => {
                let seq: String = std::iter::repeat_n(c, n).collect();
                return Err(format!(
                    "formatdate: invalid date format sequence `{seq}`; put literal letters in \
                     single quotes"
                ));
            }
        };
        out.push_str(&text);
        i += n;
    }
    Ok(Value::from(out))
}

/// A Go duration: a sequence of decimal numbers with units `ns`, `us`/`µs`, `ms`, `s`, `m`,
/// `h`, with an optional sign (`1h30m`, `-10m`, `2.5s`), in nanoseconds.
fn parse_duration(s: &str) -> Result<i128, String> {
    let bad = || format!("timeadd: `{s}` is not a duration (like \"1h30m\" or \"-10m\")");
    let (negative, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if num_len == 0 {
            return Err(bad());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(bad()),
        };
        rest = &rest[unit_len..];
        total += n * scale;
    }
    let ns = total.round() as i128;
    Ok(if negative { -ns } else { ns })
}

/// `timeadd(timestamp, duration)`: the timestamp moved by the duration, in the same offset,
/// to the second (as Terraform prints it).
pub(super) fn timeadd(args: FuncArgs) -> FnResult {
    let t = parse("timeadd", &string(&args, 0, "timeadd")?)?;
    let ns = parse_duration(&string(&args, 1, "timeadd")?)?;
    let delta = chrono::Duration::nanoseconds(
        i64::try_from(ns).map_err(|_| "timeadd: the duration is too long".to_string())?,
    );
    let moved = t
        .checked_add_signed(delta)
        .ok_or("timeadd: the result is out of range")?;
    let text = moved.to_rfc3339_opts(SecondsFormat::Secs, true);
    Ok(Value::from(text))
}

/// `timecmp(a, b)`: -1, 0 or 1 as `a` is before, at or after `b`.
pub(super) fn timecmp(args: FuncArgs) -> FnResult {
    let a = parse("timecmp", &string(&args, 0, "timecmp")?)?;
    let b = parse("timecmp", &string(&args, 1, "timecmp")?)?;
    Ok(Value::from(match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }))
}
