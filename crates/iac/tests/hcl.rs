//! The HCL reader against the example project and small generated modules: addresses, values,
//! variable precedence, unknowns, syntax errors and each family of functions.

use driftd_iac::hcl::{load_module, Attr, CodeModule, CodeResource, HclError, LoadOptions};
use serde_json::{json, Value};
use std::fs;
use std::path::{Path, PathBuf};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/terraform-project")
}

fn load(dir: &Path, opts: &LoadOptions) -> CodeModule {
    load_module(dir, opts).unwrap_or_else(|e| panic!("{e}"))
}

fn resource<'a>(module: &'a CodeModule, address: &str) -> &'a CodeResource {
    module
        .resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| panic!("no resource {address}"))
}

fn known(r: &CodeResource, attr: &str) -> Value {
    match r.attributes.get(attr) {
        Some(Attr::Known(v)) => v.clone(),
        other => panic!(
            "{}.{attr}: expected a known value, got {other:?}",
            r.address
        ),
    }
}

fn unknown_reason(r: &CodeResource, attr: &str) -> String {
    match r.attributes.get(attr) {
        Some(Attr::Unknown { reason }) => reason.clone(),
        other => panic!("{}.{attr}: expected unknown, got {other:?}", r.address),
    }
}

/// A module directory in a temp dir, from `(relative path, content)` pairs.
fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn example_project_gives_exactly_the_expected_addresses() {
    let module = load(&example_dir(), &LoadOptions::default());
    let mut addresses: Vec<&str> = module
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    addresses.sort();
    assert_eq!(
        addresses,
        vec![
            r#"aws_ebs_volume.data["data"]"#,
            r#"aws_ebs_volume.data["logs"]"#,
            "aws_instance.web[0]",
            "aws_instance.web[1]",
            "aws_security_group.web",
            "aws_vpc.main",
            "aws_vpc.replica",
            r#"module.net.aws_subnet.this["us-east-1a"]"#,
            r#"module.net.aws_subnet.this["us-east-1b"]"#,
        ]
    );
    assert_eq!(module.warnings, Vec::<String>::new());
}

#[test]
fn example_project_values() {
    let module = load(&example_dir(), &LoadOptions::default());
    let tags = |name: &str| json!({"Project": "acme", "Environment": "prod", "ManagedBy": "terraform", "Name": name});

    let vpc = resource(&module, "aws_vpc.main");
    assert_eq!(known(vpc, "cidr_block"), json!("10.0.0.0/16"));
    assert_eq!(known(vpc, "enable_dns_hostnames"), json!(true));
    assert_eq!(known(vpc, "tags"), tags("acme-prod"));
    assert_eq!(vpc.module_path, "");
    assert_eq!(vpc.resource_type, "aws_vpc");
    assert_eq!(vpc.name, "main");
    assert_eq!(vpc.index_key, None);
    assert_eq!(vpc.provider, "aws");
    assert_eq!(vpc.provider_alias, None);
    assert_eq!(vpc.region.as_deref(), Some("us-east-1"));
    assert!(vpc.source.file.ends_with("terraform-project/main.tf"));
    assert_eq!(vpc.source.line, 41);

    // The dynamic block became two nested blocks, as state writes them.
    let sg = resource(&module, "aws_security_group.web");
    assert_eq!(
        known(sg, "ingress"),
        json!([
            {"description": "port 80", "from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]},
            {"description": "port 443", "from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["10.0.0.0/16"]},
        ])
    );
    assert_eq!(
        known(sg, "egress"),
        json!([{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}])
    );
    assert_eq!(known(sg, "name"), json!("acme-prod-web"));

    // count, count.index and format; web_count = 2 comes from terraform.tfvars.
    for i in 0..2 {
        let web = resource(&module, &format!("aws_instance.web[{i}]"));
        assert_eq!(web.index_key, Some(json!(i)));
        assert_eq!(known(web, "instance_type"), json!("t3.micro"));
        assert_eq!(
            known(web, "tags"),
            tags(&format!("acme-prod-web-0{}", i + 1))
        );
        assert_eq!(web.ignore_changes, vec!["ami", "tags.Deployed"]);
        assert!(!web.attributes.contains_key("count"));
        assert!(!web.attributes.contains_key("lifecycle"));
        assert!(unknown_reason(web, "subnet_id").contains("module output"));
        assert!(unknown_reason(web, "vpc_security_group_ids").contains("aws_security_group"));
    }

    // for_each over a map from terraform.tfvars, each.key and each.value.
    let data = resource(&module, r#"aws_ebs_volume.data["data"]"#);
    assert_eq!(data.index_key, Some(json!("data")));
    assert_eq!(known(data, "size"), json!(100));
    assert_eq!(known(data, "availability_zone"), json!("us-east-1a"));
    assert_eq!(known(data, "tags"), tags("acme-prod-data"));
    assert_eq!(
        known(resource(&module, r#"aws_ebs_volume.data["logs"]"#), "size"),
        json!(50)
    );

    // The aliased provider, and cidrsubnet / upper.
    let replica = resource(&module, "aws_vpc.replica");
    assert_eq!(replica.provider_alias.as_deref(), Some("eu"));
    assert_eq!(replica.region.as_deref(), Some("eu-west-1"));
    assert_eq!(known(replica, "cidr_block"), json!("10.2.0.0/16"));
    assert_eq!(known(replica, "tags")["Name"], json!("ACME-PROD-REPLICA"));

    // The module: inputs passed in, a for expression in its locals, an unknown input.
    let subnet = resource(&module, r#"module.net.aws_subnet.this["us-east-1b"]"#);
    assert_eq!(subnet.module_path, "module.net");
    assert_eq!(known(subnet, "cidr_block"), json!("10.0.1.0/24"));
    assert_eq!(known(subnet, "tags"), tags("acme-prod-us-east-1b"));
    assert_eq!(subnet.region.as_deref(), Some("us-east-1"));
    assert!(subnet.source.file.ends_with("modules/net/main.tf"));
    assert!(unknown_reason(subnet, "vpc_id").contains("variable `vpc_id`"));
    assert_eq!(
        known(
            resource(&module, r#"module.net.aws_subnet.this["us-east-1a"]"#),
            "cidr_block"
        ),
        json!("10.0.0.0/24")
    );

    // Known attributes in the shape the analyzer compares.
    assert!(!subnet.known_attrs().contains_key("vpc_id"));
    assert_eq!(subnet.known_attrs()["cidr_block"], json!("10.0.1.0/24"));
}

#[test]
fn example_project_providers_and_backend() {
    let module = load(&example_dir(), &LoadOptions::default());
    let providers: Vec<(Option<&str>, Option<&str>)> = module
        .providers
        .iter()
        .map(|p| (p.alias.as_deref(), p.region.as_deref()))
        .collect();
    assert_eq!(
        providers,
        vec![(None, Some("us-east-1")), (Some("eu"), Some("eu-west-1"))]
    );
    let backend = module.backend.expect("backend block");
    assert_eq!(backend.backend_type, "s3");
    assert_eq!(
        serde_json::to_value(&backend.settings).expect("json"),
        json!({"bucket": "acme-terraform-state", "key": "web/terraform.tfstate", "region": "us-east-1"})
    );
}

#[test]
fn variable_precedence_follows_terraform() {
    // Each variable is set by one more layer than the one before it; the last layer wins.
    let dir = project(&[
        (
            "main.tf",
            r#"
variable "a" { default = "default" }
variable "b" { default = "default" }
variable "c" { default = "default" }
variable "d" { default = "default" }
variable "e" { default = "default" }
variable "f" { default = "default" }
variable "g" { default = "default" }
resource "null_resource" "r" {
  a = var.a
  b = var.b
  c = var.c
  d = var.d
  e = var.e
  f = var.f
  g = var.g
}
"#,
        ),
        (
            "terraform.tfvars",
            "c = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\nf = \"tfvars\"\ng = \"tfvars\"\n",
        ),
        (
            "a.auto.tfvars",
            "d = \"a.auto\"\ne = \"a.auto\"\nf = \"a.auto\"\ng = \"a.auto\"\n",
        ),
        (
            "b.auto.tfvars",
            "e = \"b.auto\"\nf = \"b.auto\"\ng = \"b.auto\"\n",
        ),
        ("extra/prod.tfvars", "f = \"var-file\"\ng = \"var-file\"\n"),
        // Not named *.auto.tfvars: read only when given.
        ("other.tfvars", "a = \"other\"\n"),
    ]);
    let mut opts = LoadOptions {
        var_files: vec![PathBuf::from("extra/prod.tfvars")],
        vars: vec![("g".into(), "cli".into())],
        ..LoadOptions::default()
    };
    for name in ["b", "c", "d", "e", "f", "g"] {
        opts.env.insert(format!("TF_VAR_{name}"), "env".into());
    }
    let module = load(dir.path(), &opts);
    let r = resource(&module, "null_resource.r");
    let got: Vec<Value> = ["a", "b", "c", "d", "e", "f", "g"]
        .iter()
        .map(|k| known(r, k))
        .collect();
    assert_eq!(
        got,
        vec![
            json!("default"),
            json!("env"),
            json!("tfvars"),
            json!("a.auto"),
            json!("b.auto"),
            json!("var-file"),
            json!("cli"),
        ]
    );
}

#[test]
fn tf_var_values_are_converted_by_type() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "n" { type = number }
variable "l" { type = list(string) }
variable "s" { type = string }
variable "untyped" {}
resource "null_resource" "r" {
  n = var.n + 1
  l = var.l
  s = var.s
  u = var.untyped
}
"#,
    )]);
    let mut opts = LoadOptions::default();
    opts.env.insert("TF_VAR_n".into(), "41".into());
    opts.env.insert("TF_VAR_l".into(), r#"["a", "b"]"#.into());
    opts.env.insert("TF_VAR_s".into(), "[not a list]".into());
    opts.env.insert("TF_VAR_untyped".into(), "42".into());
    // Another variable's environment is not read into this module.
    opts.env.insert("TF_VAR_other".into(), "x".into());
    let module = load(dir.path(), &opts);
    let r = resource(&module, "null_resource.r");
    assert_eq!(known(r, "n"), json!(42));
    assert_eq!(known(r, "l"), json!(["a", "b"]));
    assert_eq!(known(r, "s"), json!("[not a list]"));
    assert_eq!(known(r, "u"), json!("42"));
}

#[test]
fn references_and_unevaluable_expressions_are_unknown() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "missing" { type = string }
data "aws_ami" "ubuntu" { most_recent = true }
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.main.id
  ami        = data.aws_ami.ubuntu.id
  timestamp  = timestamp()
  name       = var.missing
  cidr_block = "10.0.1.0/24"
  # One unknown value makes the whole map unknown.
  tags = { Name = "a", Vpc = aws_vpc.main.id }
  ingress {
    from_port   = 22
    cidr_blocks = [aws_vpc.main.cidr_block]
  }
  egress {
    from_port = 0
  }
}
"#,
    )]);
    let module = load(dir.path(), &LoadOptions::default());
    let r = resource(&module, "aws_subnet.a");
    assert!(unknown_reason(r, "vpc_id").contains("`aws_vpc`"));
    assert!(unknown_reason(r, "ami").contains("data source"));
    assert!(unknown_reason(r, "timestamp").contains("`timestamp`"));
    assert!(unknown_reason(r, "name").contains("variable `missing`"));
    assert!(r.attributes["tags"].is_unknown());
    assert!(r.attributes["ingress"].is_unknown());
    assert_eq!(known(r, "egress"), json!([{"from_port": 0}]));
    assert_eq!(known(r, "cidr_block"), json!("10.0.1.0/24"));
    // Data sources are not resources to compare.
    assert_eq!(module.resources.len(), 2);
    assert!(module
        .warnings
        .iter()
        .any(|w| w.contains("variable `missing` has no value")));
}

#[test]
fn unknown_count_is_a_warning_not_a_guess() {
    let dir = project(&[(
        "main.tf",
        r#"
resource "aws_vpc" "main" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  count  = length(aws_vpc.main.ipv6_cidr_block)
  vpc_id = "x"
}
module "remote" {
  source = "terraform-aws-modules/vpc/aws"
}
"#,
    )]);
    let module = load(dir.path(), &LoadOptions::default());
    assert_eq!(module.resources.len(), 1);
    assert!(module
        .warnings
        .iter()
        .any(|w| w.contains("aws_subnet.a: `count`")));
    assert!(module
        .warnings
        .iter()
        .any(|w| w.contains("is not on disk (run `terraform init`")));
    let unread: Vec<(&str, Option<&str>)> = module
        .unread
        .iter()
        .map(|u| (u.address.as_str(), u.resource_type.as_deref()))
        .collect();
    assert_eq!(
        unread,
        [
            ("aws_subnet.a", Some("aws_subnet")),
            ("module.remote", None)
        ]
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let dir = project(&[
        ("a.tf", "resource \"aws_vpc\" \"ok\" {}\n"),
        (
            "broken.tf",
            "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags = {\n    Name = \n  }\n}\n",
        ),
    ]);
    let err = load_module(dir.path(), &LoadOptions::default()).expect_err("syntax error");
    let text = err.to_string();
    let prefix = format!("{}:", dir.path().join("broken.tf").display());
    assert!(text.starts_with(&prefix), "{text}");
    match err {
        HclError::Syntax { line, column, .. } => assert_eq!((line, column), (4, 12), "{text}"),
        other => panic!("expected a syntax error, got {other}"),
    }
    assert!(text.contains(":4:12: invalid expression"), "{text}");
}

#[test]
fn syntax_error_in_a_module_or_tfvars_names_that_file() {
    let dir = project(&[
        ("main.tf", "module \"m\" { source = \"./mod\" }\n"),
        ("mod/main.tf", "resource \"a\" \"b\" {\n  x = [1,\n}\n"),
    ]);
    let text = load_module(dir.path(), &LoadOptions::default())
        .expect_err("fails")
        .to_string();
    assert!(text.contains("mod/main.tf:3:1: "), "{text}");

    let dir = project(&[
        ("main.tf", "variable \"v\" {}\n"),
        ("terraform.tfvars", "v = \n"),
    ]);
    let text = load_module(dir.path(), &LoadOptions::default())
        .expect_err("fails")
        .to_string();
    assert!(text.contains("terraform.tfvars:1:5: "), "{text}");
}

#[test]
fn empty_directory_is_an_error() {
    let dir = project(&[("README.md", "not terraform")]);
    let text = load_module(dir.path(), &LoadOptions::default())
        .expect_err("fails")
        .to_string();
    assert!(text.contains("no Terraform files"), "{text}");
}

#[test]
fn modules_with_count_for_each_and_provider_mapping() {
    let dir = project(&[
        (
            "main.tf",
            r#"
provider "aws" { region = "us-east-1" }
provider "aws" {
  alias  = "west"
  region = "us-west-2"
}
module "app" {
  count  = 2
  source = "./modules/app"
  name   = "app-${count.index}"
}
module "edge" {
  for_each  = toset(["b", "a"])
  source    = "./modules/app"
  name      = "edge-${each.key}"
  providers = { aws = aws.west }
}
"#,
        ),
        (
            "modules/app/main.tf",
            r#"
variable "name" { type = string }
locals {
  # Declared before what it uses: locals resolve in dependency order.
  full = "${local.prefix}-${var.name}"
  prefix = "svc"
}
resource "aws_instance" "this" {
  instance_type = "t3.small"
  tags          = { Name = local.full }
}
module "inner" {
  source = "../inner"
  label  = local.full
}
"#,
        ),
        (
            "modules/inner/main.tf",
            "variable \"label\" {}\nresource \"aws_eip\" \"ip\" {\n  tags = { Name = var.label }\n}\n",
        ),
    ]);
    let module = load(dir.path(), &LoadOptions::default());
    let addresses: Vec<&str> = module
        .resources
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(
        addresses,
        vec![
            "module.app[0].aws_instance.this",
            "module.app[0].module.inner.aws_eip.ip",
            "module.app[1].aws_instance.this",
            "module.app[1].module.inner.aws_eip.ip",
            r#"module.edge["a"].aws_instance.this"#,
            r#"module.edge["a"].module.inner.aws_eip.ip"#,
            r#"module.edge["b"].aws_instance.this"#,
            r#"module.edge["b"].module.inner.aws_eip.ip"#,
        ]
    );
    let app1 = resource(&module, "module.app[1].aws_instance.this");
    assert_eq!(app1.module_path, "module.app[1]");
    assert_eq!(known(app1, "tags"), json!({"Name": "svc-app-1"}));
    assert_eq!(app1.region.as_deref(), Some("us-east-1"));
    assert_eq!(app1.provider_alias, None);
    let inner = resource(&module, r#"module.edge["b"].module.inner.aws_eip.ip"#);
    assert_eq!(known(inner, "tags"), json!({"Name": "svc-edge-b"}));
    // The mapping is inherited by the nested module.
    assert_eq!(inner.provider_alias.as_deref(), Some("west"));
    assert_eq!(inner.region.as_deref(), Some("us-west-2"));
    assert!(module.warnings.is_empty(), "{:?}", module.warnings);
}

#[test]
fn dynamic_blocks_with_iterator_and_map() {
    let dir = project(&[(
        "main.tf",
        r#"
locals {
  rules = {
    ssh   = { port = 22, cidr = "10.0.0.0/8" }
    https = { port = 443, cidr = "0.0.0.0/0" }
  }
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = local.rules
    iterator = rule
    content {
      description = rule.key
      from_port   = rule.value.port
      cidr_blocks = [rule.value.cidr]
    }
  }
  dynamic "egress" {
    for_each = []
    content {
      from_port = 0
    }
  }
}
"#,
    )]);
    let module = load(dir.path(), &LoadOptions::default());
    let sg = resource(&module, "aws_security_group.sg");
    assert_eq!(
        known(sg, "ingress"),
        json!([
            {"description": "https", "from_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
            {"description": "ssh", "from_port": 22, "cidr_blocks": ["10.0.0.0/8"]},
        ])
    );
    assert_eq!(known(sg, "egress"), json!([]));
}

/// Evaluates `expressions` as attributes of one resource and returns their values.
fn eval_all(expressions: &[(&str, &str)]) -> CodeResource {
    let mut text = String::from("resource \"null_resource\" \"f\" {\n");
    for (name, expr) in expressions {
        text.push_str(&format!("  {name} = {expr}\n"));
    }
    text.push_str("}\n");
    let dir = project(&[("main.tf", &text)]);
    let module = load(dir.path(), &LoadOptions::default());
    resource(&module, "null_resource.f").clone()
}

fn check(cases: &[(&str, Value)]) {
    let exprs: Vec<(String, &str)> = cases
        .iter()
        .enumerate()
        .map(|(i, (expr, _))| (format!("a{i}"), *expr))
        .collect();
    let pairs: Vec<(&str, &str)> = exprs.iter().map(|(n, e)| (n.as_str(), *e)).collect();
    let r = eval_all(&pairs);
    for (i, (expr, want)) in cases.iter().enumerate() {
        match r.attributes.get(&format!("a{i}")) {
            Some(Attr::Known(got)) => assert_eq!(got, want, "{expr}"),
            other => panic!("{expr}: {other:?}"),
        }
    }
}

#[test]
fn string_functions() {
    check(&[
        (r#"format("%s-%03d", "web", 7)"#, json!("web-007")),
        (
            r#"format("%v|%5s|%-4s|%.2f|%%|%q", 1, "ab", "c", 3.14159, "x")"#,
            json!("1|   ab|c   |3.14|%|\"x\""),
        ),
        (r#"join(",", ["a", "b"], ["c"])"#, json!("a,b,c")),
        (r#"split(",", "a,b,,c")"#, json!(["a", "b", "", "c"])),
        (r#"lower("AbC")"#, json!("abc")),
        (r#"upper("AbC")"#, json!("ABC")),
        (r#"replace("a-b-c", "-", "_")"#, json!("a_b_c")),
        (r#"trimspace("  x y \n")"#, json!("x y")),
        (r#"substr("hello world", 1, 4)"#, json!("ello")),
        (r#"substr("hello", -3, -1)"#, json!("llo")),
        (r#"tostring(5)"#, json!("5")),
    ]);
}

#[test]
fn collection_functions() {
    check(&[
        (
            r#"merge({a = 1, b = 2}, {b = 3}, null)"#,
            json!({"a": 1, "b": 3}),
        ),
        (r#"lookup({a = "x"}, "a", "d")"#, json!("x")),
        (r#"lookup({a = "x"}, "b", "d")"#, json!("d")),
        (r#"concat(["a"], [], ["b", "c"])"#, json!(["a", "b", "c"])),
        (r#"tomap({a = "1"})"#, json!({"a": "1"})),
        (r#"toset(["b", "a", "b"])"#, json!(["a", "b"])),
        (r#"tolist(["x"])"#, json!(["x"])),
        (r#"length(["a", "b"])"#, json!(2)),
        (r#"length({a = 1})"#, json!(1)),
        (r#"length("héllo")"#, json!(5)),
        (r#"keys({b = 1, a = 2})"#, json!(["a", "b"])),
        (r#"values({b = 1, a = 2})"#, json!([2, 1])),
        (r#"element(["a", "b", "c"], 4)"#, json!("b")),
        (r#"contains(["a", "b"], "b")"#, json!(true)),
        (r#"contains(["a", "b"], "z")"#, json!(false)),
        (
            r#"flatten([["a", ["b"]], [], "c"])"#,
            json!(["a", "b", "c"]),
        ),
        (r#"coalesce(null, "", "x", "y")"#, json!("x")),
        (r#"distinct(["a", "b", "a"])"#, json!(["a", "b"])),
    ]);
}

#[test]
fn encoding_functions() {
    check(&[
        (
            r#"jsonencode({b = [1, true, null], a = "<x>"})"#,
            json!(r#"{"a":"\u003cx\u003e","b":[1,true,null]}"#),
        ),
        (
            r#"jsondecode("{\"a\": [1, 2.5, \"x\"]}")"#,
            json!({"a": [1, 2.5, "x"]}),
        ),
        (r#"base64encode("hello")"#, json!("aGVsbG8=")),
        (r#"base64encode("hi")"#, json!("aGk=")),
        (r#"base64decode("aGVsbG8=")"#, json!("hello")),
    ]);
}

#[test]
fn network_functions() {
    check(&[
        (r#"cidrsubnet("10.0.0.0/16", 8, 3)"#, json!("10.0.3.0/24")),
        (
            r#"cidrsubnet("172.16.0.0/12", 4, 2)"#,
            json!("172.18.0.0/16"),
        ),
        (
            r#"cidrsubnet("fd00:fd12:3456:7890::/56", 16, 162)"#,
            json!("fd00:fd12:3456:7800:a200::/72"),
        ),
        (r#"cidrhost("10.12.112.0/20", 16)"#, json!("10.12.112.16")),
        (r#"cidrhost("10.12.112.0/20", -2)"#, json!("10.12.127.254")),
    ]);
}

#[test]
fn function_errors_make_the_attribute_unknown() {
    let r = eval_all(&[
        ("bad", r#"cidrsubnet("10.0.0.0/30", 8, 1)"#),
        ("regex", r#"replace("abc", "/b/", "x")"#),
        ("bad_regex", r#"replace("abc", "/(/", "x")"#),
        ("ok", r#"upper("x")"#),
    ]);
    assert!(r.attributes["bad"].is_unknown());
    // `/.../` is a regular expression, as in Terraform; an invalid one is an error.
    assert_eq!(known(&r, "regex"), json!("axc"));
    assert!(r.attributes["bad_regex"].is_unknown());
    assert_eq!(known(&r, "ok"), json!("X"));
}

#[test]
fn templates_heredocs_and_directives_see_locals_and_variables() {
    let dir = project(&[(
        "main.tf",
        r#"
variable "names" { default = ["a", "b"] }
locals {
  env  = "prod"
  list = ["x", "y"]
}
resource "null_resource" "t" {
  plain     = "${local.env}-${var.names[1]}-${1 + 1}"
  unwrapped = "${local.list}"
  escaped   = "$${local.env}"
  directive = "%{ for n in var.names }${n}.${local.env};%{ endfor }"
  stripped  = "a ${~local.env~} b"
  heredoc   = <<-EOT
    env=${local.env}
    EOT
  nested    = { for n in var.names : n => "${local.env}-${n}" }
}
"#,
    )]);
    let module = load(dir.path(), &LoadOptions::default());
    let r = resource(&module, "null_resource.t");
    assert_eq!(known(r, "plain"), json!("prod-b-2"));
    assert_eq!(known(r, "unwrapped"), json!(["x", "y"]));
    assert_eq!(known(r, "escaped"), json!("${local.env}"));
    assert_eq!(known(r, "directive"), json!("a.prod;b.prod;"));
    assert_eq!(known(r, "stripped"), json!("aprodb"));
    assert_eq!(known(r, "heredoc"), json!("env=prod\n"));
    assert_eq!(known(r, "nested"), json!({"a": "prod-a", "b": "prod-b"}));
}
