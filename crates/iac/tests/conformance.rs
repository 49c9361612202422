//! HCL expressions mean what Terraform means: a conformance table written from the HCL native
//! syntax specification (operator precedence and associativity, unary operators over whole
//! traversals, nested conditionals, `...` expansion, splats, `for` with grouping, template
//! directives with strip markers, heredocs), and the bounds that keep odd input from taking the
//! process down (nesting, operator chains, instance counts, file size).
//!
//! Each case is one attribute of one resource, so it goes through the same reading,
//! preparation and evaluation as real code.

use driftd_iac::hcl::{load_module, Attr, CodeModule, HclError, Limits, LoadOptions};
use serde_json::{json, Value};
use std::fs;

/// Values the cases read, declared the way modules declare them.
const PRELUDE: &str = r#"
variable "off" {
  default = false
}
variable "on" {
  default = true
}
locals {
  t    = true
  f    = false
  n    = 5
  list = [10, 20, 30]
  obj  = { flag = false, n = 5, name = "web" }
  objs = [{ id = "a" }, { id = "b" }]
  nums = [[1, 2], [3]]
  words = ["a", "b", "a"]
}
"#;

/// `(expression, what Terraform evaluates it to)`.
fn cases() -> Vec<(&'static str, Value)> {
    vec![
        // Precedence: * / % over + - over comparisons over equality over && over ||.
        ("1 + 2 * 3", json!(7)),
        ("2 * 3 + 1", json!(7)),
        ("(1 + 2) * 3", json!(9)),
        ("2 * 3 % 4", json!(2)),
        ("1 + 2 == 3", json!(true)),
        ("1 < 2 == 2 > 1", json!(true)),
        ("true || false && false", json!(true)),
        ("false && true || true", json!(true)),
        ("1 + 1 > 1 && 2 * 2 == 4", json!(true)),
        // Left associativity within one level.
        ("10 - 4 - 3", json!(3)),
        ("16 / 4 / 2", json!(2)),
        ("10 - 2 + 3", json!(11)),
        ("2 * 6 / 3", json!(4)),
        // Unary operators apply to the whole traversal, call or index chain.
        ("!var.off", json!(true)),
        ("!local.obj.flag", json!(true)),
        ("-local.obj.n + 1", json!(-4)),
        ("-local.list[1]", json!(-20)),
        ("!contains(local.words, \"z\")", json!(true)),
        ("!var.off && var.on", json!(true)),
        ("!var.on || !var.off", json!(true)),
        ("- 3 - 2", json!(-5)),
        // Conditionals: lowest precedence, nest in either branch, associate to the right.
        ("local.t && local.t ? local.t ? 1 : 2 : 0", json!(1)),
        ("local.t && local.f ? local.t ? 1 : 2 : 0", json!(0)),
        ("local.f ? 1 : local.t ? 2 : 3", json!(2)),
        ("local.f ? 1 : local.f ? 2 : 3", json!(3)),
        ("local.t ? 1 : 2 + 10", json!(1)),
        ("local.f ? 1 : 2 + 10", json!(12)),
        ("1 + (local.t ? 1 : 2)", json!(2)),
        ("!var.off ? \"yes\" : \"no\"", json!("yes")),
        ("var.on ? local.t ? \"a\" : \"b\" : \"c\"", json!("a")),
        // Expansion of a list into arguments.
        ("concat(local.nums...)", json!([1, 2, 3])),
        // Splats.
        ("local.objs[*].id", json!(["a", "b"])),
        ("local.objs.*.id", json!(["a", "b"])),
        ("length(local.objs[*])", json!(2)),
        // Legacy index.
        ("local.list.0", json!(10)),
        // for expressions, with a condition, to an object, and grouping.
        ("[for x in local.list : x / 10 if x > 10]", json!([2, 3])),
        (
            "{ for k, v in local.obj : k => v if k != \"flag\" }",
            json!({"n": 5, "name": "web"}),
        ),
        (
            "{ for w in local.words : w => w... }",
            json!({"a": ["a", "a"], "b": ["b"]}),
        ),
        ("[for i, x in local.list : i]", json!([0, 1, 2])),
        // Templates: interpolation, directives, strip markers, escapes.
        ("\"n=${local.n}\"", json!("n=5")),
        ("\"%{if local.t}yes%{else}no%{endif}\"", json!("yes")),
        ("\"%{if !local.t}yes%{else}no%{endif}\"", json!("no")),
        (
            "\"%{for x in local.list}${x},%{endfor}\"",
            json!("10,20,30,"),
        ),
        ("\"a %{~ if true ~} b %{~ endif ~} c\"", json!("abc")),
        ("\"$${x} %%{y}\"", json!("${x} %{y}")),
        ("\"tab\\tq\\\"\"", json!("tab\tq\"")),
    ]
}

fn load_one(files: &[(&str, &str)]) -> Result<CodeModule, HclError> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        fs::write(dir.path().join(name), text).expect("write");
    }
    load_module(dir.path(), &LoadOptions::default())
}

fn addresses_of(module: &CodeModule) -> Vec<&str> {
    module
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect()
}

fn attr(module: &CodeModule, address: &str, name: &str) -> Attr {
    let r = module
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no resource {address}"));
    r.attributes
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("{address} has no {name}"))
}

#[test]
fn expressions_evaluate_as_the_specification_says() {
    let cases = cases();
    let mut text = String::from(PRELUDE);
    text.push_str("resource \"null_resource\" \"t\" {\n");
    for (i, (expr, _)) in cases.iter().enumerate() {
        text.push_str(&format!("  c{i} = {expr}\n"));
    }
    text.push_str("}\n");
    let module = load_one(&[("main.tf", &text)]).unwrap_or_else(|e| panic!("{e}"));
    let mut wrong = Vec::new();
    for (i, (expr, want)) in cases.iter().enumerate() {
        match attr(&module, "null_resource.t", &format!("c{i}")) {
            Attr::Known(got) if &got == want => {}
            other => wrong.push(format!("{expr}: want {want}, got {other:?}")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn heredocs_keep_or_trim_their_indentation() {
    let text = "resource \"null_resource\" \"t\" {\n  plain = <<EOT\n  a ${1 + 1}\n    b\nEOT\n  \
                trimmed = <<-EOT\n    a\n      b\n    EOT\n}\n";
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        attr(&module, "null_resource.t", "plain"),
        Attr::Known(json!("  a 2\n    b\n"))
    );
    assert_eq!(
        attr(&module, "null_resource.t", "trimmed"),
        Attr::Known(json!("a\n  b\n"))
    );
}

/// The shape that dropped `aws_security_group.this` from 65 public module examples: a `count`
/// made of negated traversals and a nested conditional.
#[test]
fn a_count_of_negated_traversals_keeps_the_resource() {
    let text = r#"
variable "create" {
  default = true
}
variable "create_sg" {
  default = true
}
variable "use_name_prefix" {
  default = false
}
resource "aws_security_group" "this" {
  count = var.create && var.create_sg && !var.use_name_prefix ? 1 : 0
  name  = "web"
}
resource "aws_security_group" "this_name_prefix" {
  count = var.create && var.create_sg && var.use_name_prefix ? 1 : 0
  name  = "web"
}
resource "aws_eip" "nat" {
  count = var.create && !var.use_name_prefix ? var.create_sg ? 2 : 1 : 0
}
"#;
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    let addresses = addresses_of(&module);
    assert_eq!(
        addresses,
        [
            "aws_security_group.this[0]",
            "aws_eip.nat[0]",
            "aws_eip.nat[1]"
        ]
    );
    assert!(module.unread.is_empty(), "{:?}", module.unread);
}

fn syntax_or_limit(err: HclError) -> String {
    match &err {
        HclError::Syntax { .. } | HclError::Limit { .. } => err.to_string(),
        other => panic!("expected a syntax or limit error, got {other}"),
    }
}

/// Nesting deep enough to overflow a recursive parser is a clear error with its position.
/// These run on the test's own thread (a small stack), so an overflow would abort the run.
#[test]
fn deep_nesting_is_a_clear_error_not_an_abort() {
    for (what, expr) in [
        ("lists", format!("{}1{}", "[".repeat(150), "]".repeat(150))),
        (
            "parentheses",
            format!("{}1{}", "(".repeat(200), ")".repeat(200)),
        ),
        (
            "objects",
            format!("{}1{}", "{a = ".repeat(120), "}".repeat(120)),
        ),
        (
            "calls",
            format!("{}1{}", "abs(".repeat(150), ")".repeat(150)),
        ),
        ("negations", format!("{}true", "!".repeat(5000))),
        ("conditionals", format!("{}0", "true ? 1 : ".repeat(2000))),
        (
            "templates",
            format!("{}x{}", "\"${".repeat(100), "}\"".repeat(100)),
        ),
    ] {
        let text = format!("resource \"null_resource\" \"t\" {{\n  v = {expr}\n}}\n");
        let err = load_one(&[("main.tf", &text)]).expect_err(what);
        let message = syntax_or_limit(err);
        assert!(message.contains("main.tf:2:"), "{what}: {message}");
    }
}

/// A 100,000-term chain is flat text but a deep tree: refused clearly, never a stack overflow.
#[test]
fn a_very_long_operator_chain_is_a_clear_error() {
    let chain = vec!["1"; 100_000].join(" + ");
    let text = format!("locals {{\n  sum = {chain}\n}}\n");
    let err = load_one(&[("main.tf", &text)]).expect_err("long chain");
    let message = syntax_or_limit(err);
    assert!(message.contains("main.tf:2:"), "{message}");
    assert!(message.contains("128"), "names the limit: {message}");
    // A chain within the limit is read and evaluated.
    let chain = vec!["1"; 100].join(" + ");
    let text = format!("resource \"null_resource\" \"t\" {{\n  v = {chain}\n}}\n");
    let module = load_one(&[("main.tf", &text)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        attr(&module, "null_resource.t", "v"),
        Attr::Known(json!(100))
    );
}

#[test]
fn a_huge_count_is_refused_with_the_limit_and_how_to_raise_it() {
    for count in ["1000000000", "1000000"] {
        let text =
            format!("resource \"aws_instance\" \"web\" {{\n  count = {count}\n  ami = \"x\"\n}}\n");
        let err = load_one(&[("main.tf", &text)]).expect_err("huge count");
        let message = err.to_string();
        assert!(matches!(err, HclError::Limit { .. }), "{message}");
        assert!(message.contains("main.tf:1:"), "{message}");
        assert!(message.contains("aws_instance.web"), "{message}");
        assert!(message.contains("10000"), "names the limit: {message}");
        assert!(
            message.contains("max_instances"),
            "says how to raise it: {message}"
        );
    }
    // A for_each over a huge set is refused the same way.
    let keys: Vec<String> = (0..20_000).map(|i| format!("\"k{i}\"")).collect();
    let text = format!(
        "resource \"aws_instance\" \"web\" {{\n  for_each = toset([{}])\n}}\n",
        keys.join(", ")
    );
    let err = load_one(&[("main.tf", &text)]).expect_err("huge for_each");
    assert!(matches!(err, HclError::Limit { .. }), "{err}");
    assert!(
        err.to_string().contains("`for_each` asks for 20000"),
        "{err}"
    );
}

#[test]
fn limits_can_be_raised() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_instance\" \"web\" {\n  count = 20000\n}\n",
    )
    .expect("write");
    let opts = LoadOptions {
        limits: Limits {
            max_instances: 50_000,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    let module = load_module(dir.path(), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(module.resources.len(), 20_000);
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = format!("locals {{\n  a = \"{}\"\n}}\n", "x".repeat(2000));
    fs::write(dir.path().join("main.tf"), big).expect("write");
    let opts = LoadOptions {
        limits: Limits {
            max_file_bytes: 1000,
            ..Limits::default()
        },
        ..LoadOptions::default()
    };
    let err = load_module(dir.path(), &opts).expect_err("too big");
    let message = err.to_string();
    assert!(message.contains("main.tf"), "{message}");
    assert!(message.contains("max_file_bytes"), "{message}");
}

/// A module `terraform init` installed is read from where `.terraform/modules/modules.json`
/// says; one that is not installed is "not evaluated", with the reason, never a failed load.
#[test]
fn installed_modules_are_followed_and_missing_ones_listed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    fs::write(
        root.join("main.tf"),
        r#"
module "vpc" {
  source  = "example/vpc/aws"
  version = "1.0.0"
  cidr    = "10.0.0.0/16"
}
module "other" {
  source = "git::https://example.com/other.git"
}
"#,
    )
    .expect("write");
    let installed = root.join(".terraform/modules/vpc");
    fs::create_dir_all(installed.join("modules/subnet")).expect("mkdir");
    fs::write(
        installed.join("main.tf"),
        "variable \"cidr\" {}\nresource \"aws_vpc\" \"this\" {\n  cidr_block = var.cidr\n}\n\
         module \"subnet\" {\n  source = \"./modules/subnet\"\n}\n",
    )
    .expect("write");
    fs::write(
        installed.join("modules/subnet/main.tf"),
        "resource \"aws_subnet\" \"this\" {\n  count = 2\n}\n",
    )
    .expect("write");
    fs::write(
        root.join(".terraform/modules/modules.json"),
        r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"vpc","Source":"registry.terraform.io/example/vpc/aws","Version":"1.0.0","Dir":".terraform/modules/vpc"},{"Key":"vpc.subnet","Source":"./modules/subnet","Dir":".terraform/modules/vpc/modules/subnet"}]}"#,
    )
    .expect("write");
    let module = load_module(root, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let addresses = addresses_of(&module);
    assert_eq!(
        addresses,
        [
            "module.vpc.aws_vpc.this",
            "module.vpc.module.subnet.aws_subnet.this[0]",
            "module.vpc.module.subnet.aws_subnet.this[1]"
        ]
    );
    assert_eq!(
        attr(&module, "module.vpc.aws_vpc.this", "cidr_block"),
        Attr::Known(json!("10.0.0.0/16"))
    );
    assert_eq!(module.unread.len(), 1, "{:?}", module.unread);
    assert_eq!(module.unread[0].address, "module.other");
    assert!(module.unread[0].reason.contains("terraform init"));
}

/// hcl-edit refuses a file for an object that defines a key twice; Terraform fails only that
/// expression. So only that attribute is not evaluated, with the reason, and the rest loads.
#[test]
fn a_duplicate_object_key_sets_aside_one_expression_not_the_directory() {
    let text = r#"
resource "aws_instance" "web" {
  ami  = "ami-1"
  tags = {
    Name = "web"
    Name = "again"
  }
  labels = { "a" = 1, "a" = 2 }
}
resource "aws_instance" "db" {
  ami = "ami-2"
}
"#;
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(module.resources.len(), 2);
    assert_eq!(
        attr(&module, "aws_instance.web", "ami"),
        Attr::Known(json!("ami-1"))
    );
    for (name, key) in [("tags", "Name"), ("labels", "a")] {
        match attr(&module, "aws_instance.web", name) {
            Attr::Unknown { reason } => {
                assert!(reason.contains(&format!("`{key}` twice")), "{reason}");
                assert!(reason.contains("main.tf:"), "{reason}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert!(
        module
            .warnings
            .iter()
            .any(|w| w.contains("main.tf:6:") && w.contains("`Name` twice")),
        "{:?}",
        module.warnings
    );
}

/// Nested `for` loops multiply: a billion iterations are refused after the limit, as an
/// unknown attribute with the reason, instead of exhausting memory.
#[test]
fn nested_for_loops_are_bounded() {
    let text = "resource \"null_resource\" \"t\" {\n  \
                v = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]\n  \
                w = length([for a in range(100) : [for b in range(100) : b]])\n}\n";
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    match attr(&module, "null_resource.t", "v") {
        Attr::Unknown { reason } => {
            assert!(reason.contains("1000000"), "{reason}");
            assert!(reason.contains("max_elements"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        attr(&module, "null_resource.t", "w"),
        Attr::Known(json!(100))
    );
}

/// Object types fill `optional` attributes with their defaults (or null), in the variable's
/// default and in values given for it, as Terraform converts them.
#[test]
fn optional_object_attributes_take_their_defaults() {
    let text = r#"
variable "addons" {
  type = map(object({
    before_compute = optional(bool, false)
    version        = optional(string)
    config         = optional(object({ replicas = optional(number, 2) }), {})
  }))
  default = {
    coredns = {}
    vpc_cni = { before_compute = true }
  }
}
resource "null_resource" "late" {
  for_each = { for k, v in var.addons : k => v if !v.before_compute }
  version  = each.value.version
  replicas = each.value.config.replicas
}
"#;
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    let addresses = addresses_of(&module);
    assert_eq!(
        addresses,
        ["null_resource.late[\"coredns\"]"],
        "{:?}",
        module.unread
    );
    assert_eq!(
        attr(&module, "null_resource.late[\"coredns\"]", "version"),
        Attr::Known(json!(null))
    );
    assert_eq!(
        attr(&module, "null_resource.late[\"coredns\"]", "replicas"),
        Attr::Known(json!(2))
    );
}

/// A module input given as null takes the variable's default when it is not nullable.
#[test]
fn a_null_input_of_a_non_nullable_variable_is_its_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("mod")).expect("mkdir");
    fs::write(
        dir.path().join("main.tf"),
        "module \"m\" {\n  source = \"./mod\"\n  policies = null\n  names = null\n}\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("mod/main.tf"),
        r#"
variable "policies" {
  type     = map(string)
  default  = { read = "arn:read" }
  nullable = false
}
variable "names" {
  type    = list(string)
  default = ["a"]
}
resource "null_resource" "p" {
  for_each = { for k, v in var.policies : k => v }
}
resource "null_resource" "n" {
  names = var.names
}
"#,
    )
    .expect("write");
    let module = load_module(dir.path(), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(module.unread.is_empty(), "{:?}", module.unread);
    let addresses = addresses_of(&module);
    assert_eq!(
        addresses,
        [
            "module.m.null_resource.p[\"read\"]",
            "module.m.null_resource.n"
        ]
    );
    // A nullable variable keeps the null it was given.
    assert_eq!(
        attr(&module, "module.m.null_resource.n", "names"),
        Attr::Known(json!(null))
    );
}

/// An unknown local says why it is unknown, down to the data source behind it.
#[test]
fn an_unknown_local_names_its_root_cause() {
    let text = r#"
data "aws_partition" "current" {}
locals {
  partition = data.aws_partition.current.partition
  arn       = "arn:${local.partition}:iam::aws:policy/ReadOnly"
}
resource "null_resource" "r" {
  policy = local.arn
}
"#;
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    match attr(&module, "null_resource.r", "policy") {
        Attr::Unknown { reason } => {
            assert!(reason.contains("`arn`"), "{reason}");
            assert!(reason.contains("data source"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

/// A module input fed by a data source keeps that reason inside the module.
#[test]
fn an_unknown_module_input_names_its_root_cause() {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(dir.path().join("net")).expect("mkdir");
    fs::write(
        dir.path().join("main.tf"),
        "data \"aws_availability_zones\" \"all\" {}\n\
         module \"net\" {\n  source = \"./net\"\n  azs = data.aws_availability_zones.all.names\n}\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("net/main.tf"),
        "variable \"azs\" {\n  type = list(string)\n}\n\
         resource \"aws_subnet\" \"this\" {\n  count = length(var.azs)\n}\n",
    )
    .expect("write");
    let module = load_module(dir.path(), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(module.unread.len(), 1, "{:?}", module.unread);
    let reason = &module.unread[0].reason;
    assert!(reason.contains("`azs`"), "{reason}");
    assert!(reason.contains("module.net sets it"), "{reason}");
    assert!(reason.contains("data source"), "{reason}");
}

/// Functions that can build huge strings from small arguments refuse past the limit (the
/// attribute is unknown, with the limit), instead of allocating gigabytes.
#[test]
fn string_building_is_bounded() {
    let text = r#"
locals {
  big = format("%1000000d", 1)
}
resource "null_resource" "t" {
  wide      = format("%2000000000d", 1)
  precise   = format("%.2000000000f", 1.5)
  indented  = indent(2000000000, "a\nb")
  replaced  = replace(local.big, " ", "xxxxxxxxxx")
  everywhere = replace("abcde", "", local.big)
  joined    = join(",", [for i in range(10) : local.big])
  doubled   = "${local.big}${local.big}${local.big}${local.big}${local.big}"
  fine      = format("%5d|%-3s|%.2f", 42, "a", 1.5)
  small     = indent(2, "a\nb")
}
"#;
    let module = load_one(&[("main.tf", text)]).unwrap_or_else(|e| panic!("{e}"));
    for name in [
        "wide",
        "precise",
        "indented",
        "replaced",
        "everywhere",
        "joined",
        "doubled",
    ] {
        match attr(&module, "null_resource.t", name) {
            Attr::Unknown { reason } => {
                assert!(reason.contains("max_string_bytes"), "{name}: {reason}");
            }
            other => panic!("{name}: {:?}", other.known().map(|v| v.to_string().len())),
        }
    }
    assert_eq!(
        attr(&module, "null_resource.t", "fine"),
        Attr::Known(json!("   42|a  |1.50"))
    );
    assert_eq!(
        attr(&module, "null_resource.t", "small"),
        Attr::Known(json!("a\n  b"))
    );
}

/// `file`, `fileexists` and `templatefile` read files inside the root module's tree, as
/// Terraform run in the root module would; a file outside it is unknown, a missing one an error
/// that `try` catches.
#[test]
fn files_inside_the_module_tree_are_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("root");
    fs::create_dir_all(root.join("modules/role/policies")).expect("mkdir");
    fs::write(dir.path().join("secret.txt"), "outside").expect("write");
    fs::write(
        root.join("main.tf"),
        "module \"role\" {\n  source = \"./modules/role\"\n  bucket = \"logs\"\n}\n",
    )
    .expect("write");
    fs::write(
        root.join("modules/role/policies/read.json.tftpl"),
        "{\"Resource\": \"arn:aws:s3:::${bucket}/*\", \"Actions\": ${jsonencode(actions)}}\n",
    )
    .expect("write");
    fs::write(
        root.join("modules/role/policies/plain.json"),
        "{\"a\": 1}\n",
    )
    .expect("write");
    fs::write(
        root.join("modules/role/main.tf"),
        r#"
variable "bucket" {}
resource "aws_iam_policy" "p" {
  policy   = templatefile("${path.module}/policies/read.json.tftpl", { bucket = var.bucket, actions = ["s3:GetObject"] })
  plain    = file("${path.module}/policies/plain.json")
  exists   = fileexists("${path.module}/policies/plain.json")
  missing  = fileexists("${path.module}/policies/none.json")
  fallback = try(file("${path.module}/none.json"), "default")
  outside  = file("${path.module}/../../../secret.txt")
}
"#,
    )
    .expect("write");
    let module = load_module(&root, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let a = |name: &str| attr(&module, "module.role.aws_iam_policy.p", name);
    assert_eq!(
        a("policy"),
        Attr::Known(json!(
            "{\"Resource\": \"arn:aws:s3:::logs/*\", \"Actions\": [\"s3:GetObject\"]}\n"
        ))
    );
    assert_eq!(a("plain"), Attr::Known(json!("{\"a\": 1}\n")));
    assert_eq!(a("exists"), Attr::Known(json!(true)));
    assert_eq!(a("missing"), Attr::Known(json!(false)));
    assert_eq!(a("fallback"), Attr::Known(json!("default")));
    match a("outside") {
        Attr::Unknown { reason } => assert!(reason.contains("outside the root module"), "{reason}"),
        other => panic!("read a file outside the tree: {other:?}"),
    }
}
