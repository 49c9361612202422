//! The fast parser against hcl-edit on every Terraform file the project's tests and examples
//! hold: whatever the fast parser accepts, hcl-edit must read to the same structures on the
//! same lines (after the same preparation). `scripts/corpus` runs the same comparison over
//! public module repositories.
//!
//! Also loads the fixture modules under `tests/fixtures/hcl`, each reduced from a shape found in
//! public modules, and checks what they declare.

use driftd_iac::hcl::{differential, load_module, Attr, Differential, LoadOptions};
use serde_json::json;
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "node_modules" {
                tf_files(&path, out);
            }
        } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
            out.push(path);
        }
    }
}

#[test]
fn fast_parser_agrees_with_hcl_edit_on_every_fixture() {
    let root = repo_root();
    let mut files = Vec::new();
    for dir in ["examples", "tests", "crates", "providers", "config"] {
        tf_files(&root.join(dir), &mut files);
    }
    assert!(files.len() >= 8, "found only {} files", files.len());
    let (mut same, mut deferred, mut differs) = (0, 0, Vec::new());
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read");
        match differential(&text, &file.display().to_string()) {
            Differential::Same => same += 1,
            Differential::Deferred => deferred += 1,
            Differential::Differs(what) => differs.push(what),
        }
    }
    eprintln!(
        "{} files: {same} read by both parsers alike, {deferred} left to hcl-edit",
        files.len()
    );
    assert!(differs.is_empty(), "{}", differs.join("\n\n"));
    assert!(same > 0, "the fast parser read none of the fixtures");
}

/// Small texts at the edge of the fast parser's subset: each must be read alike or deferred.
#[test]
fn fast_parser_agrees_on_edge_cases() {
    let mut cases: Vec<String> = [
        "a = 1 - 2 - 3 - 4",
        "a = 1 + 2 * 3 - 4 / 5 % 6",
        "a = x == y != z",
        "a = a < b <= c > d >= e",
        "a = a || b && c || d && e",
        "a = f(a + b, c * d)[e - 1].g",
        "a = [a + b, { k = c * d }]",
        "a = \"${a + b * c}-${d}\"",
        "a = (a + b) * c",
        "a = a * (b + c)",
        "a = !a",
        "a = -a.b",
        "a = a ? b : c ? d : e",
        "a = { a = 1, a = 2 }",
        "a = x.y[0].z * 2 + length(w)",
    ]
    .iter()
    .map(|s| format!("{s}\n"))
    .collect();
    for n in [63, 64, 65, 66, 127, 128, 129, 200] {
        cases.push(format!("a = {}\n", vec!["x"; n].join(" + ")));
        cases.push(format!(
            "a = {}1{}\n",
            "(".repeat(n.min(70)),
            ")".repeat(n.min(70))
        ));
    }
    for text in &cases {
        if let Differential::Differs(what) = differential(text, "case.tf") {
            panic!("{text:?}: {what}");
        }
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hcl")
        .join(name)
}

fn addresses(dir: &Path) -> Vec<String> {
    let module = load_module(dir, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    assert!(module.unread.is_empty(), "{:?}", module.unread);
    module.resources.into_iter().map(|r| r.address).collect()
}

#[test]
fn network_module_expands_every_guarded_resource() {
    assert_eq!(
        addresses(&fixture("network")),
        [
            "aws_vpc.this[0]",
            "aws_subnet.public[\"eu-west-1a\"]",
            "aws_subnet.public[\"eu-west-1b\"]",
            "aws_eip.nat[0]",
            "aws_eip.nat[1]",
            "aws_security_group.this[0]",
            "aws_route_table.private[0]",
            "aws_route_table.private[1]",
        ]
    );
}

#[test]
fn template_fixture_evaluates_heredocs_and_directives() {
    let module = load_module(&fixture("templates"), &LoadOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    let web = &module.resources[0];
    let Some(Attr::Known(tags)) = web.attributes.get("tags") else {
        panic!("{:?}", web.attributes.get("tags"));
    };
    assert_eq!(tags["Banner"], json!("environment: prod\nports: 80 443 \n"));
    assert_eq!(tags["Choice"], json!("p-2"));
    assert_eq!(
        tags["Note"],
        json!("literal ${not_interpolated} and %{not_a_directive}")
    );
    assert_eq!(tags["Quote"], json!("say \"hi\"\ttab"));
    assert_eq!(
        web.attributes.get("user_data"),
        Some(&Attr::Known(json!(
            "#!/bin/sh\necho \"starting prod\"\n  echo \"indented by two more\"\n"
        )))
    );
    assert_eq!(
        web.attributes.get("instance_type"),
        Some(&Attr::Known(json!("m5.large")))
    );
}

#[test]
fn plain_fixture_keeps_precedence() {
    let module =
        load_module(&fixture("plain"), &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let sizes: Vec<Attr> = module
        .resources
        .iter()
        .map(|r| r.attributes["size"].clone())
        .collect();
    // total = 10 + 3 * 2 = 16; count = 3 - 1 = 2.
    assert_eq!(sizes, [Attr::Known(json!(16)), Attr::Known(json!(17))]);
    let Attr::Known(tags) = &module.resources[0].attributes["tags"] else {
        panic!()
    };
    // ratio = (10 * 3) % 4 = 2; in_range = (16 > 10 && 16 <= 20) || false.
    assert_eq!(tags["Ratio"], json!(2));
    assert_eq!(tags["Range"], json!(true));
}
