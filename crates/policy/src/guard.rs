//! What keeps one policy from stopping the process that evaluates it. regorus bounds an
//! evaluation's time between steps, not inside a builtin, and a few of its builtins trust their
//! arguments: `numbers.range(0, 1e11)` asks the allocator for terabytes at once (the process
//! aborts), `numbers.range_step(0, 9, 0)` divides by zero, a `sprintf` width of `%999999999d`
//! builds a gigabyte of padding, its parser takes time that doubles with each level of nested
//! brackets, and both its parser and its evaluator recurse once per operator of an expression
//! (600 unary minuses, or a 10,000-term sum, overflow a 2 MiB thread stack). So, before regorus
//! sees a file, [`check_text`] refuses deep nesting, long operator chains and huge format
//! widths; regorus runs on a thread with a stack sized for what is left ([`on_big_stack`]);
//! [`bound_builtins`] replaces the two range builtins with versions that refuse more than
//! [`MAX_RANGE`] elements; and [`contained`] turns a panic inside the engine into the policy's
//! error.

use regorus::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The deepest nesting of brackets and braces a policy file may have. regorus's parse time
/// doubles per level of `[` or `{` (20 levels: 11 s, 12: 145 ms, 10: 21 ms), and hand-written
/// policies rarely pass 6. (regorus itself refuses parentheses nested 32 deep.)
pub const MAX_NESTING: usize = 10;

/// The most operators one expression may chain at one level of brackets (`a + b + ...`,
/// `- - - x`, `s | t | ...`): regorus parses and evaluates such a chain by recursion.
pub const MAX_CHAIN: usize = 128;

/// The stack of the thread regorus runs on. With the limits above, an expression is at most
/// about 5,000 levels deep: about 20 MiB of stack at the parser's 3.5 KiB per level. Only the
/// pages used are ever touched.
const STACK_BYTES: usize = 64 << 20;

/// The characters of Rego's operators; a run of them is one operator, except `-`, of which
/// each is one (unary minus repeats).
const OPERATOR: &str = "+-*/%|&=<>!";

/// The widest `sprintf` field a policy file may ask for.
pub const MAX_FORMAT_WIDTH: u64 = 10_000;

/// The most elements `numbers.range` and `numbers.range_step` give: every TCP port fits.
pub const MAX_RANGE: i64 = 100_000;

/// Where and why `text` is refused before parsing: `line:column: reason`.
pub fn check_text(text: &str) -> Result<(), String> {
    // Operators chained at each open bracket's level, innermost last.
    let mut chains = vec![0usize];
    // Brackets and braces open.
    let mut depth = 0usize;
    let (mut line, mut col) = (1usize, 0usize);
    // The last character of code read outside strings and comments (none at the start of a
    // line: a newline ends an expression unless an operator is on either side of it).
    let mut last: Option<char> = None;
    let mut new_line = false;
    let mut chars = text.chars().peekable();
    // The quote that opened the string being read (`"` or a backquote), if any.
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        col += 1;
        if c == '\n' {
            line += 1;
            col = 0;
            if quote.is_none() {
                new_line = true;
            }
            continue;
        }
        match quote {
            Some('"') if c == '\\' => {
                chars.next();
                col += 1;
                continue;
            }
            Some(q) if c == q => quote = None,
            Some(_) if c == '%' => {
                let at = col;
                let mut width: u64 = 0;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    chars.next();
                    col += 1;
                    width = width.saturating_mul(10).saturating_add(u64::from(d));
                }
                if width > MAX_FORMAT_WIDTH {
                    return Err(format!(
                        "{line}:{at}: a format width of {width}; at most {MAX_FORMAT_WIDTH} \
                         (a `sprintf` field this wide would build a string that large)"
                    ));
                }
            }
            Some(_) => {}
            None if c.is_whitespace() => {}
            None if c == '#' => {
                while chars.peek().is_some_and(|&n| n != '\n') {
                    chars.next();
                }
            }
            None => {
                let operator = OPERATOR.contains(c);
                let continued = last.is_some_and(|l| OPERATOR.contains(l));
                if new_line && !operator && !continued {
                    *chains.last_mut().unwrap_or(&mut 0) = 0;
                }
                new_line = false;
                match c {
                    '"' | '`' => quote = Some(c),
                    '[' | '{' | '(' => {
                        if c != '(' {
                            depth += 1;
                            if depth > MAX_NESTING {
                                return Err(format!(
                                    "{line}:{col}: brackets nested more than {MAX_NESTING} \
                                     deep; split the expression into rules or local variables"
                                ));
                            }
                        }
                        chains.push(0);
                    }
                    ']' | '}' | ')' => {
                        if c != ')' {
                            depth = depth.saturating_sub(1);
                        }
                        if chains.len() > 1 {
                            chains.pop();
                        }
                    }
                    ',' | ';' => *chains.last_mut().unwrap_or(&mut 0) = 0,
                    _ if operator && (c == '-' || !continued) => {
                        let chain = chains.last_mut().map_or(0, |n| {
                            *n += 1;
                            *n
                        });
                        if chain > MAX_CHAIN {
                            return Err(format!(
                                "{line}:{col}: more than {MAX_CHAIN} operators in one \
                                 expression; split it into rules or local variables"
                            ));
                        }
                    }
                    _ => {}
                }
                last = Some(c);
            }
        }
    }
    Ok(())
}

/// Runs `f` on a thread with a [`STACK_BYTES`] stack (on this one if no thread can be made).
pub fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let slot = std::sync::Mutex::new(Some(f));
    let take = || slot.lock().ok().and_then(|mut f| f.take());
    let out = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("driftd-rego".into())
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || take().map(|f| f()));
        match spawned {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => None,
        }
    });
    match out {
        Some(out) => out,
        None => take().expect("no thread ran it")(),
    }
}

/// Replaces `numbers.range` and `numbers.range_step` with bounded versions (an extension is
/// looked up before a builtin of the same name).
pub fn bound_builtins(engine: &mut regorus::Engine) -> Result<(), String> {
    engine
        .add_extension(
            "numbers.range".to_string(),
            2,
            Box::new(|args: Vec<Value>| range("numbers.range", &args[0], &args[1], None)),
        )
        .map_err(|e| e.to_string())?;
    engine
        .add_extension(
            "numbers.range_step".to_string(),
            3,
            Box::new(|args: Vec<Value>| {
                range("numbers.range_step", &args[0], &args[1], Some(&args[2]))
            }),
        )
        .map_err(|e| e.to_string())
}

/// The integers from `from` to `to` (both included; descending when `to` is smaller), `step`
/// apart (`to` is then included only when a step lands on it), as OPA defines the two
/// builtins. Non-integers give undefined; a step that is not a positive integer, or more than
/// [`MAX_RANGE`] elements, an error.
fn range(name: &str, from: &Value, to: &Value, step: Option<&Value>) -> anyhow::Result<Value> {
    let int = |v: &Value| match v {
        Value::Number(n) if n.is_integer() => Some(n.as_i64()),
        _ => None,
    };
    let (Some(from), Some(to)) = (int(from), int(to)) else {
        return Ok(Value::Undefined);
    };
    let step = match step.map(|s| (int(s), s)) {
        None => 1,
        Some((Some(Some(s)), _)) if s > 0 => s,
        Some((_, s)) => anyhow::bail!("{name}: the step must be a positive integer, not {s}"),
    };
    let too_many = || {
        anyhow::anyhow!(
            "{name}: more than {MAX_RANGE} elements asked for; narrow the range (a port range \
             has at most 65,536)"
        )
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(too_many());
    };
    let count = (i128::from(to) - i128::from(from)).abs() / i128::from(step) + 1;
    if count > i128::from(MAX_RANGE) {
        return Err(too_many());
    }
    let step = if to < from { -step } else { step };
    let values = (0..count as i64).map(|i| Value::from(from + i * step));
    Ok(Value::from(values.collect::<Vec<Value>>()))
}

/// Runs `f`, turning a panic inside it into an error that says so.
pub fn contained<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        Err(format!(
            "the Rego engine failed on this policy ({why}); driftd went on without it"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_widths_are_refused_with_their_place() {
        let deep = format!("package p\nx := {}1{}\n", "[".repeat(11), "]".repeat(11));
        let err = check_text(&deep).unwrap_err();
        assert!(
            err.starts_with("2:16: brackets nested more than 10 deep"),
            "{err}"
        );
        let fine = format!("package p\nx := {}1{}\n", "[{".repeat(5), "}]".repeat(5));
        assert_eq!(check_text(&fine), Ok(()));
        // Brackets in strings and comments do not count.
        let quoted = format!(
            "package p\n# {}\nx := \"{}\"\ny := `{}`\n",
            "[".repeat(40),
            "{".repeat(40),
            "(".repeat(40)
        );
        assert_eq!(check_text(&quoted), Ok(()));
        let err = check_text("package p\nx := sprintf(\"%099999d\", [1])\n").unwrap_err();
        assert!(err.starts_with("2:15: a format width of 99999;"), "{err}");
        assert_eq!(
            check_text("package p\nx := sprintf(\"%05d%%\", [1])\n"),
            Ok(())
        );
        // Operator chains: across lines when an operator ends or starts one; each unary minus.
        let sum = format!("package p\nx := {}\n", vec!["1"; 130].join(" +\n  "));
        let err = check_text(&sum).unwrap_err();
        // `:=` counts too: the 128th `+` is the 129th operator.
        assert!(err.starts_with("129:5: more than 128 operators"), "{err}");
        let lead = format!("package p\nx := 1\n{}", "  + 1\n".repeat(129));
        assert!(check_text(&lead)
            .unwrap_err()
            .starts_with("130:3: more than 128"));
        let neg = format!("package p\nx := {}1\n", "-".repeat(129));
        assert!(check_text(&neg)
            .unwrap_err()
            .starts_with("2:133: more than 128"));
        // Statements, elements and bracketed parts each count on their own.
        let body: String = (0..200)
            .map(|i| format!("  x{i} := a + b == c\n"))
            .collect();
        assert_eq!(
            check_text(&format!("package p\nr if {{\n{body}}}\n")),
            Ok(())
        );
        let list = vec!["1 + 2 * 3"; 200].join(", ");
        assert_eq!(check_text(&format!("package p\nx := [{list}]\n")), Ok(()));
        let parts = vec!["(1 + 2 + 3)"; 60].join(" + ");
        assert_eq!(check_text(&format!("package p\nx := {parts}\n")), Ok(()));
        assert_eq!(check_text("package p\nx := 1 <= 2\ny := 3 != 4\n"), Ok(()));
        // An escaped quote does not end the string.
        assert_eq!(check_text("x := \"\\\"[[[[[[[[[[[[[[\""), Ok(()));
    }

    fn ints(v: anyhow::Result<Value>) -> Vec<i64> {
        let v = v.expect("a range");
        v.as_array()
            .expect("an array")
            .iter()
            .map(|n| n.as_i64().expect("an integer"))
            .collect()
    }

    #[test]
    fn ranges_are_opas_and_bounded() {
        let n = |i: i64| Value::from(i);
        assert_eq!(ints(range("r", &n(1), &n(4), None)), [1, 2, 3, 4]);
        assert_eq!(ints(range("r", &n(2), &n(-1), None)), [2, 1, 0, -1]);
        assert_eq!(ints(range("r", &n(0), &n(10), Some(&n(4)))), [0, 4, 8]);
        assert_eq!(ints(range("r", &n(10), &n(0), Some(&n(4)))), [10, 6, 2]);
        assert_eq!(ints(range("r", &n(0), &n(65_535), None)).len(), 65_536);
        assert_eq!(
            range("r", &Value::from(1.5), &n(3), None).unwrap(),
            Value::Undefined
        );
        assert_eq!(
            range("r", &Value::from("1"), &n(3), None).unwrap(),
            Value::Undefined
        );
        for step in [n(0), n(-1), Value::from(0.5)] {
            let err = range("r", &n(0), &n(9), Some(&step)).unwrap_err();
            assert!(err.to_string().contains("positive integer"), "{err}");
        }
        for (from, to) in [
            (0, 100_000_000_000),
            (0, i64::MAX - 1),
            (i64::MIN, i64::MAX),
        ] {
            let err = range("r", &n(from), &n(to), None).unwrap_err();
            assert!(
                err.to_string().contains("more than 100000 elements"),
                "{err}"
            );
        }
        let huge = Value::from_numeric_string("1e30").expect("a number");
        assert!(range("r", &n(0), &huge, None).is_err());
    }

    #[test]
    fn a_deep_expression_runs_on_the_big_stack() {
        // Sums of 128 terms whose first term is the next sum, 30 deep: about 3,800 levels of
        // recursion, past what a 2 MiB stack holds while evaluating, inside the limits.
        let mut expr = "1".to_string();
        for _ in 0..30 {
            expr = format!("(\n{expr}{})", "\n+ 0".repeat(127));
        }
        let text = format!("package p\nx := {expr}\n");
        assert_eq!(check_text(&text), Ok(()));
        // (On the 2 MiB thread itself, the release build overflows its stack.)
        let value = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                on_big_stack(|| {
                    let mut engine = regorus::Engine::new();
                    engine
                        .add_policy("p.rego".into(), text)
                        .map_err(|e| e.to_string())?;
                    engine
                        .eval_rule("data.p.x".into())
                        .map_err(|e| e.to_string())
                })
            })
            .unwrap()
            .join()
            .unwrap();
        assert!(value == Ok(Value::from(1)), "{:.300?}", value);
    }

    #[test]
    fn a_panic_is_an_error() {
        let r: Result<(), String> = contained(|| panic!("boom"));
        assert!(r.unwrap_err().contains("(boom)"));
        assert_eq!(contained(|| Ok(3)), Ok(3));
    }
}
