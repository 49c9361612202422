//! Each function against cases written from Terraform's documentation, evaluated as an
//! expression through the same context and evaluator the loader uses.

use super::super::eval::{base_context, eval_value, hcl_into_json};
use serde_json::{json, Value};

/// Evaluates `expr` with a few variables: `obj = {a = 1, b = null}`, `items = ["x", "y"]`;
/// `data` is not declared (known only after apply).
fn eval(expr: &str) -> Result<Value, String> {
    let body: ::hcl::Body = ::hcl::from_str(&format!("x = {expr}\n"))
        .map_err(|e| format!("test expression does not parse: {e}"))?;
    let attr = body.attributes().next().expect("one attribute").clone();
    let mut ctx = base_context();
    ctx.declare_var(
        "obj",
        ::hcl::Value::from_iter([("a", ::hcl::Value::from(1)), ("b", ::hcl::Value::Null)]),
    );
    ctx.declare_var("items", ::hcl::Value::from(vec!["x", "y"]));
    eval_value(&attr.expr, &ctx).map(hcl_into_json)
}

#[track_caller]
fn ok(expr: &str, expected: Value) {
    match eval(expr) {
        Ok(v) => assert_eq!(v, expected, "{expr}"),
        Err(e) => panic!("{expr}: {e}"),
    }
}

/// Fails with a message containing `needle`.
#[track_caller]
fn err(expr: &str, needle: &str) {
    match eval(expr) {
        Ok(v) => panic!("{expr}: expected an error with `{needle}`, got {v}"),
        Err(e) => assert!(
            e.contains(needle),
            "{expr}: `{e}` does not contain `{needle}`"
        ),
    }
}

#[test]
fn strings() {
    ok(r#"chomp("hello\n")"#, json!("hello"));
    ok(r#"chomp("hello\r\n")"#, json!("hello"));
    ok(r#"chomp("hello\n\n")"#, json!("hello"));
    ok(r#"title("hello world")"#, json!("Hello World"));
    ok(r#"title("foo-bar_baz")"#, json!("Foo-Bar_baz"));
    ok(r#"startswith("hello world", "hello")"#, json!(true));
    ok(r#"startswith("hello world", "world")"#, json!(false));
    ok(r#"endswith("hello world", "world")"#, json!(true));
    ok(r#"strcontains("hello world", "wor")"#, json!(true));
    ok(r#"trimprefix("helloworld", "hello")"#, json!("world"));
    ok(r#"trimprefix("helloworld", "cat")"#, json!("helloworld"));
    ok(r#"trimsuffix("helloworld", "world")"#, json!("hello"));
    ok(r#"trim("?!hello?!", "!?")"#, json!("hello"));
    ok(r#"trim("foobar", "far")"#, json!("oob"));
    ok(r#"strrev("hello")"#, json!("olleh"));
    ok(
        r#"indent(2, "[\n  foo,\n  bar,\n]\n")"#,
        json!("[\n    foo,\n    bar,\n  ]\n  "),
    );
    ok(
        r#"formatlist("Hello, %s!", ["Valentina", "Ander"])"#,
        json!(["Hello, Valentina!", "Hello, Ander!"]),
    );
    ok(
        r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])"#,
        json!(["Salutations, Valentina!", "Salutations, Ander!"]),
    );
    err(r#"formatlist("%s%s", ["a"], ["b", "c"])"#, "does not match");
    ok(r#"upper(1)"#, json!("1"));
}

#[test]
fn regular_expressions() {
    ok(
        r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#,
        json!("aaabbbccc"),
    );
    ok(
        r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#,
        json!(["2019", "02", "01"]),
    );
    ok(
        r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#,
        json!({"authority": "terraform.io", "scheme": "https"}),
    );
    ok(r#"regex("(a)(x)?", "a")"#, json!(["a", null]));
    err(r#"regex("[a-z]+", "123")"#, "did not match");
    err(r#"regex("(?P<a>x)(y)", "xy")"#, "mix named and unnamed");
    err(r#"regex("(", "x")"#, "invalid regular expression");
    ok(
        r#"regexall("[a-z]+", "1234abcd5678efgh9")"#,
        json!(["abcd", "efgh"]),
    );
    ok(
        r#"length(regexall("[a-z]+", "1234abcd5678efgh9"))"#,
        json!(2),
    );
    ok(
        r#"length(regexall("[a-z]+", "123456789")) > 0"#,
        json!(false),
    );
    ok(
        r#"regexall("(\\d)(\\w)", "1a 2b")"#,
        json!([["1", "a"], ["2", "b"]]),
    );
    ok(r#"replace("1 + 2 + 3", "+", "-")"#, json!("1 - 2 - 3"));
    ok(
        r#"replace("hello world", "/w.*d/", "everybody")"#,
        json!("hello everybody"),
    );
    ok(
        r#"replace("hello world", "/(h)(e)/", "$2$1")"#,
        json!("ehllo world"),
    );
    ok(
        r#"replace("a-b-c", "/-(?P<x>[a-z])/", "_$${x}")"#,
        json!("a_b_c"),
    );
}

#[test]
fn collections() {
    ok(
        r#"compact(["a", "", "b", null, "c"])"#,
        json!(["a", "b", "c"]),
    );
    ok(r#"sort(["e", "d", "a", "x"])"#, json!(["a", "d", "e", "x"]));
    ok(r#"sort([10, 9, 1])"#, json!(["1", "10", "9"]));
    err(r#"sort(["a", null])"#, "null");
    ok(r#"slice(["a", "b", "c", "d"], 1, 3)"#, json!(["b", "c"]));
    ok(r#"slice(["a", "b"], 2, 2)"#, json!([]));
    err(r#"slice(["a", "b"], 1, 3)"#, "past the end");
    err(r#"slice(["a", "b"], 2, 1)"#, "greater than the end");
    err(r#"slice(["a", "b"], -1, 1)"#, "negative");
    ok(r#"reverse([1, 2, 3])"#, json!([3, 2, 1]));
    ok(r#"coalescelist(["a", "b"], ["c", "d"])"#, json!(["a", "b"]));
    ok(r#"coalescelist([], ["c", "d"])"#, json!(["c", "d"]));
    err(r#"coalescelist([], [])"#, "no non-empty list");
    ok(r#"one([])"#, json!(null));
    ok(r#"one(["hello"])"#, json!("hello"));
    err(r#"one(["hello", "goodbye"])"#, "zero or one");
    ok(r#"zipmap(["a", "b"], [1, 2])"#, json!({"a": 1, "b": 2}));
    err(r#"zipmap(["a"], [1, 2])"#, "same length");
    ok(r#"range(3)"#, json!([0, 1, 2]));
    ok(r#"range(1, 4)"#, json!([1, 2, 3]));
    ok(r#"range(1, 8, 2)"#, json!([1, 3, 5, 7]));
    ok(r#"range(4, 1)"#, json!([4, 3, 2]));
    ok(r#"range(10, 5, -2)"#, json!([10, 8, 6]));
    ok(r#"range(0)"#, json!([]));
    ok(r#"range(1, 2, 0.5)"#, json!([1, 1.5]));
    err(r#"range(1, 4, -1)"#, "must be positive");
    err(r#"range(4, 1, 1)"#, "must be negative");
    err(r#"range(1, 2, 0)"#, "must not be zero");
    err(r#"range(2000)"#, "more than 1024");
    ok(
        r#"setunion(["a", "b"], ["b", "c"], ["d"])"#,
        json!(["a", "b", "c", "d"]),
    );
    ok(
        r#"setintersection(["a", "b"], ["b", "c"], ["b", "d"])"#,
        json!(["b"]),
    );
    ok(r#"setsubtract(["a", "b", "c"], ["a", "c"])"#, json!(["b"]));
    ok(
        r#"setproduct(["development", "staging"], ["app1", "app2"])"#,
        json!([
            ["development", "app1"],
            ["development", "app2"],
            ["staging", "app1"],
            ["staging", "app2"]
        ]),
    );
    ok(r#"setproduct(["a"], [])"#, json!([]));
    err(r#"setproduct(range(100), range(100))"#, "more than 1024");
    ok(r#"alltrue(["true", true])"#, json!(true));
    ok(r#"alltrue([true, false])"#, json!(false));
    ok(r#"alltrue([])"#, json!(true));
    ok(r#"anytrue(["true", false])"#, json!(true));
    ok(r#"anytrue([])"#, json!(false));
    ok(r#"index(["a", "b", "c"], "b")"#, json!(1));
    err(r#"index(["a"], "z")"#, "not in the list");
    ok(r#"sum([10, 13, 6, 4.5])"#, json!(33.5));
    err(r#"sum([])"#, "empty");
    ok(
        r#"chunklist(["a", "b", "c", "d", "e"], 2)"#,
        json!([["a", "b"], ["c", "d"], ["e"]]),
    );
    ok(r#"chunklist(["a", "b"], 1)"#, json!([["a"], ["b"]]));
    ok(
        r#"transpose({"a" = ["1", "2"], "b" = ["2", "3"]})"#,
        json!({"1": ["a"], "2": ["a", "b"], "3": ["b"]}),
    );
    ok(
        r#"matchkeys(["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"])"#,
        json!(["i-abc", "i-def"]),
    );
    ok(r#"max(12, 54, 3)"#, json!(54));
    ok(r#"max([12, 54, 3]...)"#, json!(54));
    ok(r#"min(12, 54, 3)"#, json!(3));
    err(r#"max()"#, "at least one");
}

#[test]
fn numbers_and_conversions() {
    ok(r#"abs(-12.4)"#, json!(12.4));
    ok(r#"ceil(5.1)"#, json!(6));
    ok(r#"floor(4.9)"#, json!(4));
    ok(r#"pow(3, 2)"#, json!(9));
    ok(r#"signum(-13)"#, json!(-1));
    ok(r#"signum(0)"#, json!(0));
    ok(r#"log(16, 2)"#, json!(4));
    ok(r#"parseint("100", 10)"#, json!(100));
    ok(r#"parseint("FF", 16)"#, json!(255));
    ok(r#"parseint("-10", 16)"#, json!(-16));
    ok(r#"parseint("1011111011101111", 2)"#, json!(48879));
    ok(r#"parseint("aA", 62)"#, json!(656));
    err(r#"parseint("12", 2)"#, "not a number in base 2");
    ok(r#"tobool("true")"#, json!(true));
    ok(r#"tobool(null)"#, json!(null));
    err(r#"tobool("yes")"#, "not a bool");
    ok(r#"tonumber("1")"#, json!(1));
    ok(r#"tonumber(null)"#, json!(null));
    err(r#"tonumber("no")"#, "not a number");
    ok(r#"nonsensitive("x")"#, json!("x"));
    ok(r#"sensitive(1)"#, json!(1));
}

#[test]
fn encodings_and_hashes() {
    ok(
        r#"md5("hello world")"#,
        json!("5eb63bbbe01eeed093cb22bb8f5acdc3"),
    );
    ok(
        r#"sha1("hello world")"#,
        json!("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
    );
    ok(
        r#"sha256("hello world")"#,
        json!("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
    );
    ok(
        r#"sha512("hello world")"#,
        json!("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"),
    );
    ok(
        r#"base64sha256("hello world")"#,
        json!("uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
    );
    ok(r#"urlencode("Hello World!")"#, json!("Hello+World%21"));
    ok(r#"urlencode("☃")"#, json!("%E2%98%83"));
    ok(
        r#"urlencode("foo=bar&bar=baz")"#,
        json!("foo%3Dbar%26bar%3Dbaz"),
    );
}

#[test]
fn network() {
    ok(r#"cidrnetmask("172.16.0.0/12")"#, json!("255.240.0.0"));
    err(r#"cidrnetmask("fd00::/8")"#, "IPv6");
    ok(
        r#"cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)"#,
        json!([
            "10.1.0.0/20",
            "10.1.16.0/20",
            "10.1.32.0/24",
            "10.1.48.0/20"
        ]),
    );
    ok(
        r#"cidrsubnets("fd00:fd12:3456:7890::/56", 16, 16, 16, 32)"#,
        json!([
            "fd00:fd12:3456:7800::/72",
            "fd00:fd12:3456:7800:100::/72",
            "fd00:fd12:3456:7800:200::/72",
            "fd00:fd12:3456:7800:300::/88"
        ]),
    );
    ok(r#"cidrsubnets("10.0.0.0/8")"#, json!([]));
    err(
        r#"cidrsubnets("10.0.0.0/30", 1, 1, 1)"#,
        "not enough remaining address space",
    );
}

#[test]
fn time() {
    ok(
        r#"formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")"#,
        json!("02 Jan 2018 23:12 UTC"),
    );
    ok(
        r#"formatdate("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01Z")"#,
        json!("Tuesday, 02-Jan-18 23:12:01 UTC"),
    );
    ok(
        r#"formatdate("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00")"#,
        json!("Tue, 02 Jan 2018 23:12:01 -0800"),
    );
    ok(
        r#"formatdate("MMM DD, YYYY", "2018-01-02T23:12:01Z")"#,
        json!("Jan 02, 2018"),
    );
    ok(
        r#"formatdate("HH:mmaa", "2018-01-02T23:12:01Z")"#,
        json!("11:12pm"),
    );
    ok(
        r#"formatdate("h 'o''clock'", "2018-01-02T09:00:00Z")"#,
        json!("9 o'clock"),
    );
    ok(
        r#"formatdate("YYYY-MM-DD'T'hh:mm:ssZ", "2018-01-02T23:12:01+05:30")"#,
        json!("2018-01-02T23:12:01+05:30"),
    );
    err(r#"formatdate("YYYY", "yesterday")"#, "RFC 3339");
    err(
        r#"formatdate("YYYYY", "2018-01-02T23:12:01Z")"#,
        "invalid date format sequence",
    );
    ok(
        r#"timeadd("2017-11-22T00:00:00Z", "10m")"#,
        json!("2017-11-22T00:10:00Z"),
    );
    ok(
        r#"timeadd("2017-11-22T00:00:00Z", "-1h30m")"#,
        json!("2017-11-21T22:30:00Z"),
    );
    ok(
        r#"timeadd("2017-11-22T00:00:00+01:00", "24h")"#,
        json!("2017-11-23T00:00:00+01:00"),
    );
    err(
        r#"timeadd("2017-11-22T00:00:00Z", "10 minutes")"#,
        "not a duration",
    );
    ok(
        r#"timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z")"#,
        json!(0),
    );
    ok(
        r#"timecmp("2017-11-22T00:00:00Z", "2017-11-22T01:00:00+01:00")"#,
        json!(0),
    );
    ok(
        r#"timecmp("2017-11-22T00:00:00Z", "2017-11-22T00:00:01Z")"#,
        json!(-1),
    );
}

#[test]
fn paths() {
    ok(r#"basename("foo/bar/baz.txt")"#, json!("baz.txt"));
    ok(r#"basename("foo/bar/")"#, json!("bar"));
    ok(r#"basename("")"#, json!("."));
    ok(r#"basename("/")"#, json!("/"));
    ok(r#"dirname("foo/bar/baz.txt")"#, json!("foo/bar"));
    ok(r#"dirname("foo")"#, json!("."));
    ok(r#"dirname("/foo")"#, json!("/"));
    ok(r#"dirname("foo//bar/../baz/x")"#, json!("foo/baz"));
    ok(
        r#"pathexpand("/etc/resolv.conf")"#,
        json!("/etc/resolv.conf"),
    );
}

/// Functions known only when Terraform runs make the value unknown with a reason, never an
/// error that stops the load, never a made-up value.
#[test]
fn apply_time_functions_are_unknown_with_a_reason() {
    for expr in [
        "timestamp()",
        "plantimestamp()",
        "uuid()",
        r#"bcrypt("x")"#,
        r#"abspath("x")"#,
        r#"pathexpand("~/.ssh/id_rsa.pub")"#,
        r#"file("policy.json")"#,
        r#"templatefile("t.tftpl", {a = 1})"#,
        r#"filemd5("x.zip")"#,
        r#"fileset(".", "*.txt")"#,
        r#"formatdate("YYYY", timestamp())"#,
    ] {
        let e = eval(expr).expect_err(expr);
        assert!(e.contains("known only when Terraform runs"), "{expr}: {e}");
    }
}

#[test]
fn try_takes_the_first_argument_that_evaluates() {
    ok(r#"try(obj.a, 2)"#, json!(1));
    ok(r#"try(obj.missing, "fallback")"#, json!("fallback"));
    ok(r#"try(items[5], items[0])"#, json!("x"));
    ok(r#"try(obj.missing.deeper, obj.b, "x")"#, json!(null));
    ok(r#"try(tonumber("no"), 0)"#, json!(0));
    ok(
        r#"try(try(obj.zz, obj.yy), "inner fallbacks failed")"#,
        json!("inner fallbacks failed"),
    );
    ok(
        r#"[for k in ["a", "c"] : try(obj[k], "none")]"#,
        json!([1, "none"]),
    );
    ok(
        r#"{for k, v in obj : k => try(v + 1, "null")}"#,
        json!({"a": 2, "b": "null"}),
    );
    ok(
        r#"{for v in ["a", "b", "a"] : v => try(obj[v], 0)...}"#,
        json!({"a": [1, 1], "b": [null]}),
    );
    ok(r#"[for v in items : try(v, 0) if v != "x"]"#, json!(["y"]));
    ok(r#"true ? try(obj.q, 1) : 2"#, json!(1));
    err(r#"try(obj.missing, items[9])"#, "");
}

/// Something not known from code is not an error that `try` catches: Terraform's `try` is
/// unknown too, so the value stays unknown instead of taking the fallback.
#[test]
fn try_of_an_unknown_value_is_unknown_not_the_fallback() {
    err(
        r#"try(data.aws_region.current.name, "us-east-1")"#,
        "data source",
    );
    err(
        r#"try(timestamp(), "never")"#,
        "known only when Terraform runs",
    );
    err(r#"can(data.x.y)"#, "data source");
    err(r#"try(nosuchfunction(1), 2)"#, "does not evaluate");
    // A real error first, then an unknown: the reason is the unknown one.
    err(r#"try(items[7], data.x.y, "z")"#, "data source");
}

#[test]
fn can_tells_whether_an_expression_evaluates() {
    ok(r#"can(obj.a)"#, json!(true));
    ok(r#"can(obj.nope)"#, json!(false));
    ok(r#"can(regex("^ami-", "ami-123"))"#, json!(true));
    ok(r#"can(regex("^ami-", "img-123"))"#, json!(false));
    ok(
        r#"[for s in ["ami-1", "x"] : can(regex("^ami-", s))]"#,
        json!([true, false]),
    );
}

/// Found while fuzzing the HCL reader (`fuzz/`, target `hcl_load`): `substr` with a length near
/// `i64::MAX` overflowed (then sliced past the end of the string, a panic that failed the whole
/// module), and so did `cidrsubnet` / `cidrsubnets` with that many new bits (a wrong subnet).
#[test]
fn huge_whole_numbers_do_not_overflow() {
    ok(r#"substr("abc", 1, 9223372036854775807)"#, json!("bc"));
    ok(r#"substr("abc", -9223372036854775808, 2)"#, json!("ab"));
    err(
        r#"cidrsubnet("10.0.0.0/8", 9223372036854775807, 0)"#,
        "would extend the prefix past 32 bits",
    );
    err(
        r#"cidrsubnets("10.0.0.0/8", 4, 9223372036854775807)"#,
        "would extend the prefix past 32 bits",
    );
}
