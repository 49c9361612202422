//! Shapes of public Terraform modules, read by the built binary the way a user runs it: a
//! resource guarded by `count = var.create && !var.flag ? 1 : 0` and values chosen by nested
//! conditionals are evaluated (so a code change is seen as pending), and `driftd validate
//! --code` lists what such a directory declares, with what it could not evaluate and why.

mod util;

use aws_sdk_ec2::types::{ResourceType, Tag, TagSpecification};
use driftd_testkit::seed::{ec2_client, TfState};
use serde_json::json;
use util::*;

const US: &str = "us-east-1";

const GUARDED: &str = r#"
variable "create" {
  type    = bool
  default = true
}
variable "use_name_prefix" {
  type    = bool
  default = false
}
variable "single" {
  default = false
}
variable "multi" {
  default = true
}

# The shape that lost resources before: a negated traversal inside a conditional count.
resource "aws_vpc" "this" {
  count      = var.create && !var.use_name_prefix ? 1 : 0
  cidr_block = "10.9.0.0/16"
  tags = {
    Name = "shapes"
    # A conditional nested in the other one's false branch, and one in a true branch.
    Tier  = var.single ? "one" : var.multi ? "many" : "none"
    Scale = var.create && var.multi ? var.single ? "s" : "m" : "x"
  }
}

resource "aws_vpc" "prefixed" {
  count      = var.create && var.use_name_prefix ? 1 : 0
  cidr_block = "10.8.0.0/16"
}
"#;

#[test]
fn a_negated_count_and_nested_conditionals_are_evaluated_in_a_check() {
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let rt = runtime();
    let dir = TempDir::new("shapes");
    let vpc_id = rt.block_on(async {
        let ec2 = ec2_client(&endpoint, US).await;
        let vpc = ec2
            .create_vpc()
            .cidr_block("10.9.0.0/16")
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Vpc)
                    .tags(Tag::builder().key("Name").value("shapes").build())
                    .build(),
            )
            .send()
            .await
            .expect("CreateVpc");
        vpc.vpc()
            .and_then(|v| v.vpc_id())
            .expect("vpc id")
            .to_string()
    });
    // Applied before the code gained its Tier and Scale tags.
    let mut state = TfState::new();
    state.add(
        None,
        "aws_vpc",
        "this",
        Some(json!(0)),
        json!({
            "id": vpc_id,
            "cidr_block": "10.9.0.0/16",
            "tags": {"Name": "shapes"},
            "tags_all": {"Name": "shapes"},
        }),
    );
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    std::fs::create_dir_all(dir.path().join("code")).expect("mkdir");
    dir.write("code/main.tf", GUARDED);

    let run = driftd(
        dir.path(),
        &[
            "check",
            "--code",
            "code",
            "--state",
            "terraform.tfstate",
            "--region",
            US,
            "--endpoint-url",
            &endpoint,
            "--format",
            "json",
        ],
    );
    let report = run.json();
    assert_eq!(run.code, 0, "pending only: {report:#}\n{}", run.stderr);
    let pending =
        find(&report, "pending", "aws_vpc.this[0]").unwrap_or_else(|| panic!("{report:#}"));
    let changes = pending["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "{report:#}");
    assert_eq!(changes[0]["path"], "tags");
    assert_eq!(changes[0]["expected_from"], "code");
    assert_eq!(
        changes[0]["expected"],
        json!({"Name": "shapes", "Scale": "m", "Tier": "many"}),
        "the nested conditionals' values: {report:#}"
    );
    assert_eq!(
        report["findings"].as_array().map(Vec::len),
        Some(1),
        "nothing else: {report:#}"
    );
}

#[test]
fn validate_code_lists_what_a_directory_declares_and_what_it_cannot_evaluate() {
    let dir = TempDir::new("validate-code");
    std::fs::create_dir_all(dir.path().join("code")).expect("mkdir");
    dir.write(
        "code/main.tf",
        &format!(
            "{GUARDED}\n\
             data \"aws_availability_zones\" \"all\" {{}}\n\
             resource \"aws_subnet\" \"per_zone\" {{\n  \
               count      = length(data.aws_availability_zones.all.names)\n  \
               cidr_block = \"10.9.1.0/24\"\n}}\n\
             module \"remote\" {{\n  source = \"example/remote/aws\"\n}}\n"
        ),
    );
    let run = driftd(dir.path(), &["validate", "--code", "code", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    let addresses: Vec<&str> = out["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str())
        .collect();
    assert_eq!(addresses, ["aws_vpc.this[0]"], "{out:#}");
    let not_evaluated: Vec<(&str, &str)> = out["not_evaluated"]
        .as_array()
        .expect("not_evaluated")
        .iter()
        .map(|u| {
            (
                u["address"].as_str().unwrap_or_default(),
                u["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(not_evaluated.len(), 2, "{out:#}");
    assert_eq!(not_evaluated[0].0, "aws_subnet.per_zone");
    assert!(
        not_evaluated[0].1.contains("data source"),
        "{}",
        not_evaluated[0].1
    );
    assert_eq!(not_evaluated[1].0, "module.remote");
    assert!(
        not_evaluated[1].1.contains("terraform init"),
        "{}",
        not_evaluated[1].1
    );

    // A directory that cannot be read is an error naming the file, line and column.
    dir.write(
        "code/broken.tf",
        "resource \"aws_vpc\" \"x\" {\n  cidr_block = \n}\n",
    );
    let run = driftd(dir.path(), &["validate", "--code", "code"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("broken.tf:"), "{}", run.stderr);
}

/// Each precedence and syntax rule, as a user sees it: `driftd validate --code --json` prints
/// the values the code evaluates to.
#[test]
fn each_syntax_rule_evaluates_as_terraform_does_through_the_binary() {
    let cases: &[(&str, serde_json::Value)] = &[
        ("1 + 2 * 3", json!(7)),
        ("10 - 4 - 3", json!(3)),
        ("2 * 3 % 4", json!(2)),
        ("1 < 2 == 2 > 1", json!(true)),
        ("true || false && false", json!(true)),
        ("!var.off", json!(true)),
        ("-local.obj.n + 1", json!(-4)),
        ("!contains(local.words, \"z\")", json!(true)),
        ("local.t && local.t ? local.t ? 1 : 2 : 0", json!(1)),
        ("local.f ? 1 : local.t ? 2 : 3", json!(2)),
        ("local.t ? 1 : 2 + 10", json!(1)),
        ("concat(local.nums...)", json!([1, 2, 3])),
        ("local.objs[*].id", json!(["a", "b"])),
        ("local.objs.*.id", json!(["a", "b"])),
        ("[for x in [10, 20, 30] : x / 10 if x > 10]", json!([2, 3])),
        (
            "{ for w in local.words : w => w... }",
            json!({"a": ["a", "a"], "b": ["b"]}),
        ),
        ("\"%{if local.t}yes%{else}no%{endif}\"", json!("yes")),
        ("\"a %{~ if true ~} b %{~ endif ~} c\"", json!("abc")),
        ("\"$${x}\"", json!("${x}")),
    ];
    let mut text = String::from(
        "variable \"off\" {\n  default = false\n}\nlocals {\n  t = true\n  f = false\n  \
         obj = { n = 5 }\n  words = [\"a\", \"b\", \"a\"]\n  nums = [[1, 2], [3]]\n  \
         objs = [{ id = \"a\" }, { id = \"b\" }]\n}\nresource \"null_resource\" \"t\" {\n",
    );
    for (i, (expr, _)) in cases.iter().enumerate() {
        text.push_str(&format!("  c{i} = {expr}\n"));
    }
    text.push_str("  heredoc = <<-EOT\n    a\n      b\n  EOT\n}\n");
    let dir = TempDir::new("syntax-rules");
    std::fs::create_dir_all(dir.path().join("code")).expect("mkdir");
    dir.write("code/main.tf", &text);
    let run = driftd(dir.path(), &["validate", "--code", "code", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    let attrs = &out["resources"][0]["attributes"];
    let mut wrong = Vec::new();
    for (i, (expr, want)) in cases.iter().enumerate() {
        if &attrs[format!("c{i}")] != want {
            wrong.push(format!(
                "{expr}: want {want}, got {}",
                attrs[format!("c{i}")]
            ));
        }
    }
    assert!(wrong.is_empty(), "{}\n{out:#}", wrong.join("\n"));
    assert_eq!(attrs["heredoc"], json!("a\n  b\n"));
}

/// `file()` finds a module's files whether the path comes from `path.module` (the directory as
/// given on the command line, relative to where driftd runs) or is written relative to the root
/// module, as Terraform run there would.
#[test]
fn file_reads_work_with_a_relative_code_directory() {
    let dir = TempDir::new("file-relative");
    std::fs::create_dir_all(dir.path().join("code/modules/role")).expect("mkdir");
    dir.write("code/root.json", "{\"root\": true}");
    dir.write("code/modules/role/policy.json", "{\"module\": true}");
    dir.write(
        "code/main.tf",
        "module \"role\" {\n  source = \"./modules/role\"\n}\n\
         resource \"null_resource\" \"r\" {\n  literal = file(\"root.json\")\n  \
         from_path = file(\"${path.module}/root.json\")\n}\n",
    );
    dir.write(
        "code/modules/role/main.tf",
        "resource \"null_resource\" \"m\" {\n  policy = file(\"${path.module}/policy.json\")\n}\n",
    );
    let run = driftd(dir.path(), &["validate", "--code", "code", "--json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    let attrs = |address: &str| {
        out["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["attributes"].clone())
            .unwrap_or_else(|| panic!("no {address}: {out:#}"))
    };
    let r = attrs("null_resource.r");
    assert_eq!(r["literal"], json!("{\"root\": true}"), "{out:#}");
    assert_eq!(r["from_path"], json!("{\"root\": true}"), "{out:#}");
    assert_eq!(
        attrs("module.role.null_resource.m")["policy"],
        json!("{\"module\": true}"),
        "{out:#}"
    );
}
