//! Kubernetes resource quantities (`100m`, `0.1`, `1Gi`, `1024Mi`, `1e3`) reduced to one exact
//! canonical text, so that two spellings of the same amount never read as drift.
//!
//! The API server keeps a quantity as the manifest wrote it in some places and rewrites it in
//! others (`0.1` comes back as `100m`), so both sides are canonicalized the same way: the exact
//! value as a plain decimal number (`0.1`, `1073741824`). No floating point is involved.

/// The canonical text of a quantity, or `None` when `text` is not one (the value is then
/// compared as written).
pub fn canonical(text: &str) -> Option<String> {
    let (mantissa, exp10) = parse(text.trim())?;
    Some(render(mantissa, exp10))
}

/// The value `mantissa * 10^exp10`, with trailing zeros of the mantissa folded into the exponent.
fn parse(s: &str) -> Option<(i128, i32)> {
    if s.is_empty() {
        return None;
    }
    // The number is the longest prefix of sign, digits and one dot.
    let bytes = s.as_bytes();
    let mut end = 0;
    if matches!(bytes.first(), Some(b'+') | Some(b'-')) {
        end = 1;
    }
    let mut seen_dot = false;
    let mut digits = 0;
    while end < bytes.len() {
        match bytes[end] {
            b'0'..=b'9' => digits += 1,
            b'.' if !seen_dot => seen_dot = true,
            _ => break,
        }
        end += 1;
    }
    if digits == 0 {
        return None;
    }
    let (number, suffix) = s.split_at(end);
    let negative = number.starts_with('-');
    let unsigned = number.trim_start_matches(['+', '-']);
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(b - b'0'))?;
    }
    let mut exp10 = -i32::try_from(frac_part.len()).ok()?;
    match suffix {
        "" => {}
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = match suffix {
                "Ki" => 10,
                "Mi" => 20,
                "Gi" => 30,
                "Ti" => 40,
                "Pi" => 50,
                _ => 60,
            };
            mantissa = mantissa.checked_mul(1i128 << power)?;
        }
        e if e.starts_with(['e', 'E']) => {
            exp10 = exp10.checked_add(e[1..].parse::<i32>().ok()?)?;
        }
        _ => return None,
    }
    if negative {
        mantissa = -mantissa;
    }
    if mantissa == 0 {
        return Some((0, 0));
    }
    while mantissa % 10 == 0 {
        mantissa /= 10;
        exp10 += 1;
    }
    Some((mantissa, exp10))
}

fn render(mantissa: i128, exp10: i32) -> String {
    let negative = mantissa < 0;
    let digits = mantissa.unsigned_abs().to_string();
    let body = if exp10 >= 0 {
        // Past a few dozen zeros the value is absurd for a quantity; keep it short but exact.
        if exp10 > 30 {
            format!("{digits}e{exp10}")
        } else {
            format!("{digits}{}", "0".repeat(exp10 as usize))
        }
    } else {
        let shift = exp10.unsigned_abs() as usize;
        if digits.len() > shift {
            let (i, f) = digits.split_at(digits.len() - shift);
            format!("{i}.{f}")
        } else {
            format!("0.{}{digits}", "0".repeat(shift - digits.len()))
        }
    };
    if negative {
        format!("-{body}")
    } else {
        body
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn equal_amounts_written_differently_are_equal() {
        for (a, b) in [
            ("100m", "0.1"),
            ("1Gi", "1024Mi"),
            ("1", "1000m"),
            ("1k", "1000"),
            ("1e3", "1k"),
            ("1.5Gi", "1536Mi"),
            ("0.5", "500m"),
            ("2", "2.0"),
            ("0", "0m"),
        ] {
            assert_eq!(canonical(a), canonical(b), "{a} vs {b}");
        }
        assert_eq!(canonical("100m").as_deref(), Some("0.1"));
        assert_eq!(canonical("1Gi").as_deref(), Some("1073741824"));
    }

    #[test]
    fn different_amounts_stay_different() {
        assert_ne!(canonical("1Gi"), canonical("1G"));
        assert_ne!(canonical("100m"), canonical("100"));
    }

    #[test]
    fn non_quantities_are_refused() {
        for s in ["", "abc", "1Xi", "m", "1.2.3", "--1"] {
            assert_eq!(canonical(s), None, "{s}");
        }
    }
}
