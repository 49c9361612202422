//! `driftd validate` reads what every target declares (Terraform code with its var files,
//! Kubernetes manifests) without any network, and fails naming file:line:col for what cannot
//! be read; `validate --code DIR` lists what a directory's code expands to.

mod util;

use util::*;

fn mkdir(dir: &TempDir, name: &str) {
    std::fs::create_dir_all(dir.path().join(name)).unwrap();
}

const GOOD_TF: &str = r#"
variable "azs" {
  type = list(string)
}
variable "names" {
  default = ["a", "b"]
}
resource "aws_vpc" "this" {
  cidr_block = "10.0.0.0/16"
  tags       = { Name = title(var.names[0]) }
}
resource "aws_subnet" "named" {
  count      = length(var.names)
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index)
}
resource "aws_subnet" "per_az" {
  count      = length(var.azs)
  vpc_id     = aws_vpc.this.id
  cidr_block = cidrsubnet("10.0.0.0/16", 8, count.index + 10)
}
"#;

#[test]
fn a_target_whose_hcl_cannot_be_parsed_fails_with_file_line_and_column() {
    let dir = TempDir::new("validate-bad-hcl");
    mkdir(&dir, "infra");
    dir.write(
        "infra/main.tf",
        "resource \"aws_vpc\" \"this\" {\n  cidr_block = \"10.0.0.0/16\"\n  tags = {\n    Name = \n}\n",
    );
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"net\"\ncode = \"infra\"\nregions = [\"us-east-1\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(!run.stdout.contains("OK"), "{}", run.stdout);
    assert!(run.stderr.contains("target `net`"), "{}", run.stderr);
    let at = regex_like_position(&run.stderr, "main.tf:");
    assert!(at, "no main.tf:LINE:COL in:\n{}", run.stderr);
}

#[test]
fn a_missing_or_malformed_var_file_fails_naming_the_file() {
    let dir = TempDir::new("validate-var-file");
    mkdir(&dir, "infra");
    dir.write("infra/main.tf", GOOD_TF);
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"net\"\ncode = \"infra\"\nvar_files = [\"prod.tfvars\"]\n\
         regions = [\"us-east-1\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains("prod.tfvars"), "{}", run.stderr);

    dir.write("prod.tfvars", "azs = [\"us-east-1a\",\n");
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        regex_like_position(&run.stderr, "prod.tfvars:"),
        "no prod.tfvars:LINE:COL in:\n{}",
        run.stderr
    );

    dir.write(
        "prod.tfvars",
        "azs = [\"us-east-1a\", \"us-east-1b\", \"us-east-1c\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("OK"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("6 resource(s), 0 block(s) not evaluated"),
        "{}",
        run.stdout
    );
}

#[test]
fn readable_code_is_ok_and_lists_what_is_not_evaluated_with_its_reason() {
    let dir = TempDir::new("validate-good");
    mkdir(&dir, "infra");
    dir.write("infra/main.tf", GOOD_TF);
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"net\"\ncode = \"infra\"\nregions = [\"us-east-1\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.contains("OK, 1 target(s)"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("3 resource(s), 1 block(s) not evaluated"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("not evaluated: aws_subnet.per_az (./infra/main.tf:17)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("variable `azs`"), "{}", run.stdout);
}

#[test]
fn unreadable_manifests_fail_with_file_line_and_column() {
    let dir = TempDir::new("validate-manifests");
    mkdir(&dir, "k8s");
    dir.write(
        "k8s/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\napiVersion: v1\n\
         kind: ConfigMap\nmetadata:\n  name: [broken\n",
    );
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"cluster\"\nprovider = \"kubernetes\"\n\
         [target.kubernetes]\nmanifests = [\"k8s\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains("target `cluster`"), "{}", run.stderr);
    assert!(
        regex_like_position(&run.stderr, "app.yaml:"),
        "no app.yaml:LINE:COL in:\n{}",
        run.stderr
    );

    dir.write(
        "k8s/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.contains("manifests: 1 object(s)"),
        "{}",
        run.stdout
    );

    // A manifest path that matches nothing is a problem too, not an empty target.
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"cluster\"\nprovider = \"kubernetes\"\n\
         [target.kubernetes]\nmanifests = [\"k8s/*.yml\"]\n",
    );
    let run = driftd(dir.path(), &["validate"]);
    assert_eq!(
        run.code, 1,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(run.stderr.contains("k8s/*.yml"), "{}", run.stderr);
}

#[test]
fn validate_code_lists_resources_and_not_evaluated_blocks_as_json() {
    let dir = TempDir::new("validate-code");
    mkdir(&dir, "infra");
    dir.write("infra/main.tf", GOOD_TF);
    let run = driftd(dir.path(), &["validate", "--code", "infra", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = run.json();
    let addresses: Vec<&str> = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["aws_vpc.this", "aws_subnet.named[0]", "aws_subnet.named[1]"]
    );
    let unread = doc["not_evaluated"].as_array().unwrap();
    assert_eq!(unread.len(), 1, "{doc}");
    assert_eq!(unread[0]["address"], "aws_subnet.per_az");
    assert_eq!(unread[0]["source"], "infra/main.tf:17");
    // Known only after apply: `vpc_id` is unknown with its reason, `cidr_block` is evaluated.
    assert!(
        doc["resources"][1]["unknown"]["vpc_id"].is_string(),
        "{doc}"
    );
    assert!(
        doc["resources"][1]["unknown"].get("cidr_block").is_none(),
        "{doc}"
    );

    let run = driftd(
        dir.path(),
        &["validate", "--code", "infra", "--var-file", "azs.tfvars"],
    );
    assert_eq!(
        run.code, 1,
        "a missing var file is an error: {}",
        run.stdout
    );
    assert!(run.stderr.contains("azs.tfvars"), "{}", run.stderr);

    dir.write("azs.tfvars", "azs = [\"a\"]\n");
    let run = driftd(
        dir.path(),
        &["validate", "--code", "infra", "--var-file", "azs.tfvars"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("4 resource(s), 0 block(s) not evaluated"),
        "{}",
        run.stdout
    );

    let run = driftd(dir.path(), &["validate", "--code", "nowhere"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("nowhere"), "{}", run.stderr);
}

/// Whether `text` has `prefix` followed by `LINE:COL` (two numbers).
fn regex_like_position(text: &str, prefix: &str) -> bool {
    text.match_indices(prefix).any(|(i, _)| {
        let rest = &text[i + prefix.len()..];
        let mut parts = rest.splitn(3, ':');
        let line = parts.next().unwrap_or("");
        let col = parts.next().unwrap_or("");
        !line.is_empty()
            && line.chars().all(|c| c.is_ascii_digit())
            && !col.is_empty()
            && col.chars().all(|c| c.is_ascii_digit())
    })
}
