//! A corpus of known false positives of drift detectors, each run through the real analyzer.
//!
//! Every case is a pair of tests: a state value and a live value that mean the same thing (no
//! finding), and a near miss that is real drift (a finding, with the change it should name). The
//! comment on each "same" test names the normalization rule that makes it pass; without that rule
//! the test fails (checked by disabling each rule, one at a time, in a scratch copy of the crate;
//! the two exceptions, where the per-key and per-rule diffs already find nothing to report, say
//! so).
//!
//! The specs are the AWS provider's own (`providers/aws/src/resources/*.rs`), tier hints
//! included.
//!
//! | # | case | supported |
//! |---|---|---|
//! | 1 | `tags` vs `tags_all` (provider `default_tags`) | yes: `AttrSpec::state_alias` |
//! | 2 | AWS-generated `aws:*` tags live | yes: `TypeSpec::generated_tag_prefixes` |
//! | 3 | `""` / `[]` / `{}` vs `null` (scalars, sets, tags, rules) | yes: empty means absent |
//! | 4 | security-group rules grouped, split, reordered | yes: `Shape::RuleSet` |
//! | 5 | sets in any order, with duplicates | yes: `Shape::Set` |
//! | 6 | `"80"` vs `80` | yes: sets, tag values, rule ports, `Shape::Number` |
//! | 7 | case-insensitive enums (`default` vs `DEFAULT`) | yes: rule protocols, `Shape::CaseInsensitive` |
//! | 8 | CIDR canonical form (host bits, IPv6 compression) | yes: `Shape::Cidr`, rule sources |
//! | 9 | JSON policy documents (whitespace, key order, lists, URL-encoding) | yes: `Shape::Document` (URL-decoding is the provider's) |
//! | 10 | default VPC, default security group, root volume | yes: `Resource::cloud_default` |
//! | 11 | inline vs separate security group rules (`aws_security_group_rule`) | yes: `AttrSpec::identity`, rules are cloud defaults |
//! | 12 | public access block: `false` vs absent | no normalization: drift, critical |
//! | 13 | IAM users, groups, memberships, profiles, inline policies, attachments; bucket policy, ACL, lifecycle, logging: Terraform-only ids, canned-ACL ids, legacy zeros, empty grantee fields | yes: `AttrSpec::identity`, `Shape::Document`, `Shape::Set` |
//! | 14 | routes, associations, attachments, endpoints, peerings, flow logs: target fields empty vs absent, numbers as strings | yes: empty means absent, `Shape::Number`, `Shape::CaseInsensitive` |
//! | 15 | inline user/group policies URL-encoded by IAM; an access key's secret kept only in state | yes: `Shape::Document`, `TypeSpec::not_compared` |
//!
//! Each near miss runs too, so that a rule cannot swallow real drift.

use driftd_core::*;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The AWS provider's own specs: the corpus tests what the provider declares.
fn specs() -> Vec<&'static TypeSpec> {
    driftd_aws::resources::registry()
        .iter()
        .map(|k| k.spec())
        .collect()
}

const REGION: &str = "us-east-1";

// Helpers.

fn resource(resource_type: &str, id: &str, attrs: Value) -> Resource {
    let mut r = Resource::new("aws", resource_type, id);
    r.region = Some(REGION.into());
    r.attrs = serde_json::from_value(attrs).expect("test attributes are an object");
    r
}

/// A resource as the state records it.
fn state(resource_type: &str, id: &str, attrs: Value) -> Resource {
    let mut r = resource(resource_type, id, attrs);
    r.address = Some(format!("{resource_type}.this"));
    r.source = Some("terraform.tfstate".into());
    r
}

/// A resource as the cloud reports it.
fn live(resource_type: &str, id: &str, attrs: Value) -> Resource {
    resource(resource_type, id, attrs)
}

fn analyze_with(
    expected: &[Resource],
    live: &[Resource],
    include_cloud_defaults: bool,
) -> Analysis {
    let specs = specs();
    let scanned: BTreeSet<(String, String, String)> = specs
        .iter()
        .map(|s| (s.provider.into(), s.resource_type.into(), REGION.into()))
        .collect();
    analyze(&AnalyzeInput {
        target: "corpus",
        specs: &specs,
        expected,
        live,
        scanned: &scanned,
        skipped: &[],
        include_cloud_defaults,
    })
}

/// The findings of one resource in state and live.
fn findings(state: Resource, live: Resource) -> Vec<Finding> {
    let a = analyze_with(&[state], &[live], false);
    assert!(a.complete(), "{:?}", a.skipped);
    a.findings
}

#[track_caller]
fn assert_same(state: Resource, live: Resource) {
    let f = findings(state, live);
    assert!(f.is_empty(), "expected no drift, got {f:#?}");
}

/// Asserts one `changed` finding and returns its changes as `(path, op, expected, actual)`.
#[track_caller]
fn changes(state: Resource, live: Resource) -> Vec<(String, ChangeOp, Value, Value)> {
    let f = findings(state, live);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    assert_eq!(f[0].kind, FindingKind::Changed);
    f[0].changes
        .iter()
        .map(|c| (c.path.clone(), c.op, c.expected.clone(), c.actual.clone()))
        .collect()
}

fn change(
    path: &str,
    op: ChangeOp,
    expected: Value,
    actual: Value,
) -> (String, ChangeOp, Value, Value) {
    (path.into(), op, expected, actual)
}

fn instance(attrs: Value) -> Resource {
    state("aws_instance", "i-1", attrs)
}

fn live_instance(attrs: Value) -> Resource {
    live("aws_instance", "i-1", attrs)
}

// 1. `tags` vs `tags_all`.

/// Rule: `AttrSpec::with_state_alias("tags_all")`. The provider's `default_tags` are only in
/// `tags_all`; the cloud reports them like any other tag. Comparing `tags` would report
/// `tags.Env` and `tags.Team` as added.
#[test]
fn default_tags_in_tags_all_are_not_drift() {
    assert_same(
        instance(json!({
            "tags": {"Name": "web"},
            "tags_all": {"Name": "web", "Env": "prod", "Team": "net"},
        })),
        live_instance(json!({"tags": {"Name": "web", "Env": "prod", "Team": "net"}})),
    );
}

/// Rule: the alias is read only when set; a state without `tags_all` (older provider, or
/// `null`) falls back to `tags`.
#[test]
fn state_without_tags_all_compares_tags() {
    assert_same(
        instance(json!({"tags": {"Name": "web"}, "tags_all": null})),
        live_instance(json!({"tags": {"Name": "web"}})),
    );
    assert_same(
        instance(json!({"tags": {"Name": "web"}})),
        live_instance(json!({"tags": {"Name": "web"}})),
    );
}

#[test]
fn default_tag_changed_or_removed_live_is_drift() {
    let got = changes(
        instance(json!({
            "tags": {"Name": "web"},
            "tags_all": {"Name": "web", "Env": "prod", "Team": "net"},
        })),
        live_instance(json!({"tags": {"Name": "web", "Env": "staging"}})),
    );
    assert_eq!(
        got,
        vec![
            change(
                "tags.Env",
                ChangeOp::Replace,
                json!("prod"),
                json!("staging")
            ),
            change("tags.Team", ChangeOp::Remove, json!("net"), Value::Null),
        ]
    );
}

// 2. AWS-generated tags.

/// Rule: `TypeSpec::generated_tag_prefixes` (`aws:`). AWS writes these itself (CloudFormation,
/// Auto Scaling) and no Terraform code can set them.
#[test]
fn aws_generated_tags_are_not_drift() {
    assert_same(
        instance(json!({"tags": {"Name": "web"}, "tags_all": {"Name": "web"}})),
        live_instance(json!({"tags": {
            "Name": "web",
            "aws:cloudformation:stack-name": "web-stack",
            "aws:cloudformation:logical-id": "WebInstance",
            "aws:autoscaling:groupName": "web-asg",
        }})),
    );
}

/// Rules: generated prefixes, then empty means absent: a resource with no tags in state and
/// only generated tags live has no tags on either side.
#[test]
fn only_aws_generated_tags_live_equal_no_tags() {
    assert_same(
        instance(json!({"tags": null, "tags_all": {}})),
        live_instance(json!({"tags": {"aws:autoscaling:groupName": "web-asg"}})),
    );
}

/// The prefix is `aws:` with its colon: a user tag that merely starts with "aws" is compared.
#[test]
fn user_tag_starting_with_aws_is_drift() {
    let got = changes(
        instance(json!({"tags": {"Name": "web"}})),
        live_instance(json!({"tags": {
            "Name": "web",
            "aws:autoscaling:groupName": "web-asg",
            "aws-cost-center": "42",
        }})),
    );
    assert_eq!(
        got,
        vec![change(
            "tags.aws-cost-center",
            ChangeOp::Add,
            Value::Null,
            json!("42")
        )]
    );
}

// 3. Empty vs absent.

/// Rule: `Shape::Scalar` normalizes `""` and `null` to absent. The API omits an unset key pair;
/// Terraform records `""` (or `null`).
#[test]
fn empty_string_equals_null_scalar() {
    assert_same(
        instance(json!({"key_name": "", "instance_type": "t3.micro"})),
        live_instance(json!({"key_name": null, "instance_type": "t3.micro"})),
    );
    assert_same(
        instance(json!({"key_name": null})),
        live_instance(json!({"key_name": ""})),
    );
}

/// Rule: an attribute one side does not have at all is unknown, not compared (older provider
/// schema in state, or an attribute the listing does not read).
#[test]
fn attribute_missing_from_one_side_is_unknown() {
    assert_same(
        instance(json!({"instance_type": "t3.micro"})),
        live_instance(json!({"instance_type": "t3.micro", "key_name": "ops"})),
    );
}

#[test]
fn empty_string_vs_value_is_drift() {
    let got = changes(
        instance(json!({"key_name": ""})),
        live_instance(json!({"key_name": "ops"})),
    );
    assert_eq!(
        got,
        vec![change("key_name", ChangeOp::Add, Value::Null, json!("ops"))]
    );
}

/// `false` is a value, not an absence: only `""` and `null` mean absent.
#[test]
fn false_vs_null_is_drift() {
    let got = changes(
        state("aws_ebs_volume", "vol-1", json!({"encrypted": false})),
        live("aws_ebs_volume", "vol-1", json!({"encrypted": null})),
    );
    assert_eq!(
        got,
        vec![change(
            "encrypted",
            ChangeOp::Remove,
            json!(false),
            Value::Null
        )]
    );
}

/// Rule: `Shape::Set` normalizes `[]` (and a list of only empty members) to absent.
#[test]
fn empty_list_equals_null_set() {
    assert_same(
        instance(json!({"vpc_security_group_ids": []})),
        live_instance(json!({"vpc_security_group_ids": null})),
    );
    assert_same(
        instance(json!({"vpc_security_group_ids": null})),
        live_instance(json!({"vpc_security_group_ids": [""]})),
    );
}

#[test]
fn empty_list_vs_member_is_drift() {
    let got = changes(
        instance(json!({"vpc_security_group_ids": []})),
        live_instance(json!({"vpc_security_group_ids": ["sg-1"]})),
    );
    assert_eq!(
        got,
        vec![change(
            "vpc_security_group_ids",
            ChangeOp::Add,
            Value::Null,
            json!(["sg-1"])
        )]
    );
}

/// Rules: tags are diffed per key, and `{}` and `null` have no keys; a tag whose value is `null`
/// is dropped. (`Shape::Tags` also normalizes an empty map to absent, but that only spares the
/// per-key diff: without it this test still passes. Without dropping `null` values it fails.)
#[test]
fn empty_map_equals_null_tags() {
    assert_same(
        instance(json!({"tags": {}, "tags_all": {}})),
        live_instance(json!({"tags": null})),
    );
    assert_same(
        instance(json!({"tags": null, "tags_all": null})),
        live_instance(json!({"tags": {}})),
    );
    assert_same(
        instance(json!({"tags": {"Owner": null}})),
        live_instance(json!({"tags": {}})),
    );
}

/// A tag with an empty value is still a tag: AWS stores it and it is listed.
#[test]
fn tag_with_empty_value_is_drift() {
    let got = changes(
        instance(json!({"tags": {}})),
        live_instance(json!({"tags": {"Owner": ""}})),
    );
    assert_eq!(
        got,
        vec![change("tags.Owner", ChangeOp::Add, Value::Null, json!(""))]
    );
}

/// Rules: rules are diffed as sets, and `[]` and `null` hold none. (`Shape::RuleSet` also
/// normalizes an empty list to absent, but that only spares the diff: without it this test
/// still passes.)
#[test]
fn empty_rule_list_equals_null_rules() {
    assert_same(
        state(
            "aws_security_group",
            "sg-1",
            json!({"ingress": [], "egress": null}),
        ),
        live(
            "aws_security_group",
            "sg-1",
            json!({"ingress": null, "egress": []}),
        ),
    );
}

// 4. Security-group rules.

/// A rule block as Terraform records it in state: every field present, empty ones empty.
fn tf_rule(protocol: &str, from: i64, to: i64, cidrs: &[&str]) -> Value {
    json!({
        "cidr_blocks": cidrs,
        "description": "",
        "from_port": from,
        "ipv6_cidr_blocks": [],
        "prefix_list_ids": [],
        "protocol": protocol,
        "security_groups": [],
        "self": false,
        "to_port": to,
    })
}

/// A rule as the AWS provider maps it: one block per source, as the API reports protocols.
fn aws_rule(protocol: &str, from: i64, to: i64, cidr: &str) -> Value {
    json!({
        "protocol": protocol,
        "from_port": from,
        "to_port": to,
        "cidr_blocks": [cidr],
        "description": "",
    })
}

fn group(ingress: Vec<Value>) -> Resource {
    state(
        "aws_security_group",
        "sg-1",
        json!({"name": "web", "ingress": ingress}),
    )
}

fn live_group(ingress: Vec<Value>) -> Resource {
    live(
        "aws_security_group",
        "sg-1",
        json!({"name": "web", "ingress": ingress}),
    )
}

/// Rule: `Shape::RuleSet` explodes each block into one rule per source, so one block with two
/// CIDRs equals two one-CIDR rules; the exploded rules are sorted (order of rules and CIDRs does
/// not matter) and the protocol is canonical (`6` is `tcp`).
#[test]
fn one_block_with_two_cidrs_equals_two_rules() {
    assert_same(
        group(vec![tf_rule(
            "tcp",
            443,
            443,
            &["10.0.0.0/8", "192.168.0.0/16"],
        )]),
        live_group(vec![
            aws_rule("6", 443, 443, "192.168.0.0/16"),
            aws_rule("tcp", 443, 443, "10.0.0.0/8"),
        ]),
    );
}

/// The reverse: two blocks in state (two `ingress` blocks in code), one grouped block live.
#[test]
fn two_blocks_equal_one_block_with_two_cidrs() {
    assert_same(
        group(vec![
            tf_rule("tcp", 443, 443, &["192.168.0.0/16"]),
            tf_rule("tcp", 443, 443, &["10.0.0.0/8"]),
        ]),
        live_group(vec![json!({
            "protocol": "tcp", "from_port": 443, "to_port": 443,
            "cidr_blocks": ["10.0.0.0/8", "192.168.0.0/16"],
        })]),
    );
}

/// Rule: the exploded rules form a set: neither block order nor CIDR order counts, and a rule
/// written twice is one rule.
#[test]
fn order_of_rules_and_cidrs_does_not_matter() {
    assert_same(
        group(vec![
            tf_rule("tcp", 22, 22, &["10.1.0.0/16", "10.0.0.0/16"]),
            tf_rule("tcp", 443, 443, &["0.0.0.0/0"]),
        ]),
        live_group(vec![
            tf_rule("tcp", 443, 443, &["0.0.0.0/0"]),
            tf_rule(
                "tcp",
                22,
                22,
                &["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/16"],
            ),
        ]),
    );
}

/// Rule: canonical protocols; for all traffic (`-1`, `all`) the ports carry no meaning.
#[test]
fn all_traffic_rules_equal_whatever_their_ports() {
    assert_same(
        state(
            "aws_security_group",
            "sg-1",
            json!({"egress": [tf_rule("-1", 0, 0, &["0.0.0.0/0"])]}),
        ),
        live(
            "aws_security_group",
            "sg-1",
            json!({"egress": [aws_rule("all", -1, 65535, "0.0.0.0/0")]}),
        ),
    );
}

#[test]
fn extra_cidr_live_is_one_added_rule() {
    let got = changes(
        group(vec![tf_rule(
            "tcp",
            443,
            443,
            &["10.0.0.0/8", "192.168.0.0/16"],
        )]),
        live_group(vec![
            aws_rule("tcp", 443, 443, "192.168.0.0/16"),
            aws_rule("tcp", 443, 443, "10.0.0.0/8"),
            aws_rule("tcp", 22, 22, "0.0.0.0/0"),
        ]),
    );
    assert_eq!(
        got,
        vec![change(
            "ingress",
            ChangeOp::Add,
            Value::Null,
            json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}),
        )]
    );
}

#[test]
fn changed_port_is_one_removed_and_one_added_rule() {
    let got = changes(
        group(vec![tf_rule("tcp", 443, 443, &["10.0.0.0/8"])]),
        live_group(vec![aws_rule("tcp", 8443, 8443, "10.0.0.0/8")]),
    );
    let ops: Vec<ChangeOp> = got.iter().map(|c| c.1).collect();
    assert_eq!(ops, vec![ChangeOp::Remove, ChangeOp::Add]);
    assert_eq!(got[0].2["from_port"], json!(443));
    assert_eq!(got[1].3["from_port"], json!(8443));
}

// 5. Sets.

/// Rule: `Shape::Set` sorts and deduplicates. The API returns security groups in its own order.
#[test]
fn sets_compare_regardless_of_order() {
    assert_same(
        instance(json!({"vpc_security_group_ids": ["sg-b", "sg-a", "sg-c"]})),
        live_instance(json!({"vpc_security_group_ids": ["sg-c", "sg-a", "sg-b", "sg-a"]})),
    );
}

#[test]
fn set_with_other_member_is_drift() {
    let got = changes(
        instance(json!({"vpc_security_group_ids": ["sg-b", "sg-a"]})),
        live_instance(json!({"vpc_security_group_ids": ["sg-a", "sg-z"]})),
    );
    assert_eq!(
        got,
        vec![change(
            "vpc_security_group_ids",
            ChangeOp::Replace,
            json!(["sg-a", "sg-b"]),
            json!(["sg-a", "sg-z"]),
        )]
    );
}

// 6. Numbers vs strings.

/// Rule: rule ports are read as integers whether written `80` or `"80"`.
#[test]
fn rule_port_as_string_equals_number() {
    assert_same(
        group(vec![
            json!({"protocol": "tcp", "from_port": "80", "to_port": "80", "cidr_blocks": ["10.0.0.0/8"]}),
        ]),
        live_group(vec![aws_rule("tcp", 80, 80, "10.0.0.0/8")]),
    );
}

/// Rule: `Shape::Set` compares members as strings (`80` is `"80"`).
#[test]
fn set_member_as_number_equals_string() {
    assert_same(
        instance(json!({"vpc_security_group_ids": ["80"]})),
        live_instance(json!({"vpc_security_group_ids": [80]})),
    );
}

/// Rule: `Shape::Tags` compares values as strings (`80` is `"80"`).
#[test]
fn tag_value_as_number_equals_string() {
    assert_same(
        instance(json!({"tags": {"Port": "80"}})),
        live_instance(json!({"tags": {"Port": 80}})),
    );
}

#[test]
fn scalar_number_as_string_equals_number() {
    assert_same(
        state("aws_ebs_volume", "vol-1", json!({"size": "80"})),
        live("aws_ebs_volume", "vol-1", json!({"size": 80})),
    );
}

#[test]
fn scalar_other_number_is_drift() {
    let got = changes(
        state("aws_ebs_volume", "vol-1", json!({"size": "80"})),
        live("aws_ebs_volume", "vol-1", json!({"size": 100})),
    );
    assert_eq!(
        got,
        // The report shows the canonical forms that were compared.
        vec![change("size", ChangeOp::Replace, json!(80), json!(100))]
    );
}

// 7. Case-insensitive enums.

/// Rule: canonical protocols are lower case (`TCP` is `tcp`).
#[test]
fn rule_protocol_case_does_not_matter() {
    assert_same(
        group(vec![tf_rule("TCP", 443, 443, &["10.0.0.0/8"])]),
        live_group(vec![aws_rule("tcp", 443, 443, "10.0.0.0/8")]),
    );
}

#[test]
fn enum_case_does_not_matter() {
    assert_same(
        state("aws_vpc", "vpc-1", json!({"instance_tenancy": "default"})),
        live("aws_vpc", "vpc-1", json!({"instance_tenancy": "DEFAULT"})),
    );
}

#[test]
fn other_enum_value_is_drift() {
    let got = changes(
        state("aws_vpc", "vpc-1", json!({"instance_tenancy": "default"})),
        live("aws_vpc", "vpc-1", json!({"instance_tenancy": "dedicated"})),
    );
    assert_eq!(
        got,
        vec![change(
            "instance_tenancy",
            ChangeOp::Replace,
            json!("default"),
            json!("dedicated")
        )]
    );
}

// 8. CIDR canonical form.

#[test]
fn cidr_with_host_bits_equals_network() {
    assert_same(
        state("aws_vpc", "vpc-1", json!({"cidr_block": "10.0.0.1/16"})),
        live("aws_vpc", "vpc-1", json!({"cidr_block": "10.0.0.0/16"})),
    );
}

#[test]
fn ipv6_cidr_expanded_equals_compressed() {
    let rule = |cidr: &str| json!({"protocol": "tcp", "from_port": 443, "to_port": 443, "ipv6_cidr_blocks": [cidr]});
    assert_same(
        group(vec![rule("2001:0DB8:0000::/32")]),
        live_group(vec![rule("2001:db8::/32")]),
    );
}

#[test]
fn other_cidr_is_drift() {
    let got = changes(
        state("aws_vpc", "vpc-1", json!({"cidr_block": "10.0.0.0/16"})),
        live("aws_vpc", "vpc-1", json!({"cidr_block": "10.1.0.0/16"})),
    );
    assert_eq!(
        got,
        vec![change(
            "cidr_block",
            ChangeOp::Replace,
            json!("10.0.0.0/16"),
            json!("10.1.0.0/16")
        )]
    );
    let got = changes(
        group(vec![tf_rule("tcp", 443, 443, &["10.0.0.0/16"])]),
        live_group(vec![aws_rule("tcp", 443, 443, "10.0.0.0/8")]),
    );
    assert_eq!(got.len(), 2, "{got:?}");
}

// 9. JSON policy documents.

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

#[test]
fn policy_with_other_whitespace_and_key_order_is_the_same() {
    let live_policy = r#"{
  "Statement": [
    {"Resource": "*", "Action": "s3:GetObject", "Effect": "Allow"}
  ],
  "Version": "2012-10-17"
}"#;
    assert_same(
        state(
            "aws_iam_policy",
            "arn:aws:iam::1:policy/p",
            json!({"policy": POLICY}),
        ),
        live(
            "aws_iam_policy",
            "arn:aws:iam::1:policy/p",
            json!({"policy": live_policy}),
        ),
    );
}

#[test]
fn policy_with_other_action_is_drift() {
    let live_policy = POLICY.replace("s3:GetObject", "s3:*");
    let got = changes(
        state(
            "aws_iam_policy",
            "arn:aws:iam::1:policy/p",
            json!({"policy": POLICY}),
        ),
        live(
            "aws_iam_policy",
            "arn:aws:iam::1:policy/p",
            json!({"policy": live_policy}),
        ),
    );
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "policy");
}

// 10. Cloud defaults.

/// What AWS creates by itself: the default VPC, its default security group, an instance's root
/// volume. The provider marks them `cloud_default`.
fn cloud_defaults() -> Vec<Resource> {
    let mut vpc = live(
        "aws_vpc",
        "vpc-default",
        json!({"cidr_block": "172.31.0.0/16"}),
    );
    let mut sg = live(
        "aws_security_group",
        "sg-default",
        json!({"name": "default"}),
    );
    let mut root = live("aws_ebs_volume", "vol-root", json!({"size": 8}));
    for r in [&mut vpc, &mut sg, &mut root] {
        r.cloud_default = true;
    }
    vec![vpc, sg, root]
}

/// Rule: a live resource with `cloud_default` is not unmanaged unless the target sets
/// `include_cloud_defaults`.
#[test]
fn cloud_defaults_are_not_unmanaged() {
    let a = analyze_with(&[], &cloud_defaults(), false);
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
    assert_eq!(a.summary.unmanaged, 0);
}

#[test]
fn cloud_defaults_are_unmanaged_when_asked() {
    let a = analyze_with(&[], &cloud_defaults(), true);
    let mut got: Vec<(&str, FindingKind)> = a
        .findings
        .iter()
        .map(|f| (f.resource_id.as_str(), f.kind))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("sg-default", FindingKind::Unmanaged),
            ("vol-root", FindingKind::Unmanaged),
            ("vpc-default", FindingKind::Unmanaged),
        ]
    );
}

#[test]
fn vpc_created_by_hand_is_unmanaged() {
    let mut live_only = cloud_defaults();
    live_only.push(live(
        "aws_vpc",
        "vpc-byhand",
        json!({"cidr_block": "10.9.0.0/16"}),
    ));
    let a = analyze_with(&[], &live_only, false);
    let got: Vec<(&str, FindingKind)> = a
        .findings
        .iter()
        .map(|f| (f.resource_id.as_str(), f.kind))
        .collect();
    assert_eq!(got, vec![("vpc-byhand", FindingKind::Unmanaged)]);
}

/// A cloud default that the state manages (an imported default VPC) is compared like any other.
#[test]
fn managed_cloud_default_still_drifts() {
    let mut vpc = live(
        "aws_vpc",
        "vpc-default",
        json!({"cidr_block": "172.31.0.0/16", "tags": {"Name": "changed"}}),
    );
    vpc.cloud_default = true;
    let got = changes(
        state(
            "aws_vpc",
            "vpc-default",
            json!({"cidr_block": "172.31.0.0/16", "tags": {"Name": "default"}}),
        ),
        vpc,
    );
    assert_eq!(
        got,
        vec![change(
            "tags.Name",
            ChangeOp::Replace,
            json!("default"),
            json!("changed")
        )]
    );
}

// 9 (continued). IAM policy documents as IAM reads them.

const ARN: &str = "arn:aws:iam::1:policy/p";

/// Rule: `Shape::Document` makes a one-element list equal its element and lists sets: IAM
/// treats `"Action": "s3:GetObject"` and `"Action": ["s3:GetObject"]` alike, and the order of
/// statements and of actions does not count.
#[test]
fn policy_lists_and_scalars_and_statement_order_are_the_same() {
    let state_policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"*"},
        {"Effect":"Deny","Action":"iam:*","Resource":["*"]}]}"#;
    let live_policy = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Deny","Action":["iam:*"],"Resource":"*"},
        {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:GetObject"],"Resource":"*"}]}"#;
    assert_same(
        state("aws_iam_policy", ARN, json!({"policy": state_policy})),
        live("aws_iam_policy", ARN, json!({"policy": live_policy})),
    );
}

/// Rule: in a document, `null`, `""`, `[]` and `{}` members are absent (an empty `Sid`, an empty
/// `Condition`), and leaf values are strings (`true` is `"true"` in a condition).
#[test]
fn policy_empty_members_and_value_types_are_the_same() {
    let state_policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow",
        "Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#;
    let live_policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",
        "Resource":"*","NotPrincipal":{},"Condition":{"Bool":{"aws:SecureTransport":true}}}]}"#;
    assert_same(
        state("aws_iam_policy", ARN, json!({"policy": state_policy})),
        live("aws_iam_policy", ARN, json!({"policy": live_policy})),
    );
}

/// A statement more, or a condition value changed, is drift: lists are sets, not wildcards.
#[test]
fn policy_with_other_statement_or_condition_is_drift() {
    let base = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#;
    let other_condition = base.replace(r#""true""#, r#""false""#);
    let extra = base.replace(
        "}}}]}",
        r#"}}},{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
    );
    for live_policy in [other_condition, extra] {
        let got = changes(
            state("aws_iam_policy", ARN, json!({"policy": base})),
            live("aws_iam_policy", ARN, json!({"policy": live_policy})),
        );
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, "policy");
    }
}

/// Rules: `Shape::Document` for the trust policy (whitespace, key order), `Shape::Number` for
/// `max_session_duration` (`"3600"` is `3600`).
#[test]
fn role_trust_policy_whitespace_and_number_as_string_are_the_same() {
    let state_trust = r#"{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}]}"#;
    let live_trust = "{\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \
        \"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]},\n      \
        \"Action\": \"sts:AssumeRole\"\n    }\n  ],\n  \"Version\": \"2012-10-17\"\n}";
    assert_same(
        state(
            "aws_iam_role",
            "app",
            json!({"name": "app", "assume_role_policy": state_trust, "max_session_duration": "3600"}),
        ),
        live(
            "aws_iam_role",
            "app",
            json!({"name": "app", "assume_role_policy": live_trust, "max_session_duration": 3600}),
        ),
    );
}

/// Who may assume a role is a critical change: a trust policy opened to another account.
#[test]
fn role_trust_policy_change_is_critical_drift() {
    let trust = |principal: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{{"AWS":"{principal}"}}}}]}}"#
        )
    };
    let f = findings(
        state(
            "aws_iam_role",
            "app",
            json!({"assume_role_policy": trust("arn:aws:iam::111111111111:root")}),
        ),
        live(
            "aws_iam_role",
            "app",
            json!({"assume_role_policy": trust("*")}),
        ),
    );
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].changes[0].path, "assume_role_policy");
    assert_eq!(f[0].tier, Tier::Critical);
}

// 11. Inline vs separate security group rules.

/// A legacy `aws_security_group_rule` as Terraform records it: a synthetic id, every field.
fn sg_rule_state(id: &str, cidrs: &[&str], description: &str) -> Resource {
    state(
        "aws_security_group_rule",
        id,
        json!({
            "security_group_id": "sg-1", "type": "ingress", "protocol": "tcp",
            "from_port": 443, "to_port": 443, "cidr_blocks": cidrs,
            "ipv6_cidr_blocks": [], "prefix_list_ids": [], "source_security_group_id": null,
            "self": false, "description": description,
        }),
    )
}

/// One AWS rule as the provider lists it: its own `sgr-` id, the protocol as AWS names it, and
/// a cloud default (a rule is part of its group, which `aws_security_group` compares).
fn sg_rule_live(id: &str, protocol: &str, cidrs: &[&str], description: &str) -> Resource {
    let mut r = live(
        "aws_security_group_rule",
        id,
        json!({
            "security_group_id": "sg-1", "type": "ingress", "protocol": protocol,
            "from_port": 443, "to_port": 443, "cidr_blocks": cidrs, "self": false,
            "description": description,
        }),
    );
    r.cloud_default = true;
    r
}

/// Rule: `AttrSpec::identity`. The state id (`sgrule-<hash>`) never appears live; the rule is
/// matched by group, direction, protocol (`6` is `tcp`), ports and sources instead. Without
/// identities the state rule is missing.
#[test]
fn separate_rule_matches_its_live_rule_by_identity() {
    assert_same(
        sg_rule_state("sgrule-2632412337", &["10.0.0.0/8"], "https"),
        sg_rule_live("sgr-0abc", "6", &["10.0.0.0/8"], "https"),
    );
}

/// Rule: identity sets are sets: a separate rule with two CIDRs is one AWS permission with both
/// (the provider lists that grouped form as well as each single rule).
#[test]
fn separate_rule_with_two_cidrs_matches_the_grouped_permission() {
    let a = analyze_with(
        &[sg_rule_state(
            "sgrule-1",
            &["192.168.0.0/16", "10.0.0.0/8"],
            "",
        )],
        &[
            sg_rule_live("sgr-1", "tcp", &["10.0.0.0/8"], ""),
            sg_rule_live("sgr-2", "tcp", &["192.168.0.0/16"], ""),
            sg_rule_live(
                "sg-1/ingress/tcp/443/443",
                "tcp",
                &["10.0.0.0/8", "192.168.0.0/16"],
                "",
            ),
        ],
        false,
    );
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}

/// Rule: listed rules are cloud defaults. The rules of a group managed inline are listed as
/// `aws_security_group_rule`s too, but the group already compares them: they are not unmanaged.
#[test]
fn inline_rules_of_a_managed_group_are_not_unmanaged_rules() {
    let a = analyze_with(
        &[group(vec![tf_rule("tcp", 443, 443, &["10.0.0.0/8"])])],
        &[
            live_group(vec![aws_rule("tcp", 443, 443, "10.0.0.0/8")]),
            sg_rule_live("sgr-1", "tcp", &["10.0.0.0/8"], ""),
        ],
        false,
    );
    assert!(a.findings.is_empty(), "{:#?}", a.findings);
}

#[test]
fn separate_rule_revoked_or_redescribed_is_drift() {
    let a = analyze_with(
        &[sg_rule_state("sgrule-1", &["10.0.0.0/8"], "")],
        &[sg_rule_live("sgr-1", "tcp", &["10.9.0.0/16"], "")],
        false,
    );
    let kinds: Vec<FindingKind> = a.findings.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, vec![FindingKind::Missing]);
    assert_eq!(a.findings[0].resource_id, "sgrule-1");
    let got = changes(
        sg_rule_state("sgrule-1", &["10.0.0.0/8"], "https"),
        sg_rule_live("sgr-1", "tcp", &["10.0.0.0/8"], "old"),
    );
    assert_eq!(
        got,
        vec![change(
            "description",
            ChangeOp::Replace,
            json!("https"),
            json!("old")
        )]
    );
}

// 12. S3 public access block.

/// A public access block turned off is what makes a bucket public: critical, not normalized
/// away (`false` is a value, not an absence).
#[test]
fn public_access_block_turned_off_is_critical_drift() {
    let pab = |on: bool| {
        json!({"bucket": "b", "block_public_acls": on, "block_public_policy": true,
               "ignore_public_acls": true, "restrict_public_buckets": true})
    };
    assert_same(
        state("aws_s3_bucket_public_access_block", "b", pab(true)),
        live("aws_s3_bucket_public_access_block", "b", pab(true)),
    );
    let f = findings(
        state("aws_s3_bucket_public_access_block", "b", pab(true)),
        live("aws_s3_bucket_public_access_block", "b", pab(false)),
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].tier, Tier::Critical);
    assert_eq!(f[0].changes[0].path, "block_public_acls");
}

// 13. IAM users, groups, memberships, profiles, inline policies, attachments; bucket policy,
// ACL, lifecycle and logging.

/// A finding's tier and change paths.
#[track_caller]
fn tier_and_paths(state: Resource, live: Resource) -> (Tier, Vec<String>) {
    let f = findings(state, live);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    (
        f[0].tier,
        f[0].changes.iter().map(|c| c.path.clone()).collect(),
    )
}

/// Rules: `tags_all` alias, and `""` is absent: Terraform records no permissions boundary as
/// `""`, IAM leaves it out. A boundary removed out of band is critical.
#[test]
fn iam_user_empty_boundary_and_default_tags_are_the_same() {
    let user = |boundary: Value| {
        state(
            "aws_iam_user",
            "deploy",
            json!({"name": "deploy", "path": "/", "permissions_boundary": boundary,
                   "tags": {}, "tags_all": {"Env": "prod"}}),
        )
    };
    let live_user = |boundary: Value| {
        live(
            "aws_iam_user",
            "deploy",
            json!({"name": "deploy", "path": "/", "permissions_boundary": boundary,
                   "tags": {"Env": "prod"}}),
        )
    };
    assert_same(user(json!("")), live_user(Value::Null));
    let (tier, paths) = tier_and_paths(
        user(json!("arn:aws:iam::1:policy/boundary")),
        live_user(Value::Null),
    );
    assert_eq!(
        (tier, paths),
        (Tier::Critical, vec!["permissions_boundary".into()])
    );
}

/// A group moved to another path is drift at the default tier; the same path is not.
#[test]
fn iam_group_path_moved_is_a_warning() {
    let group = |path: &str| json!({"name": "ops", "path": path});
    assert_same(
        state("aws_iam_group", "ops", group("/")),
        live("aws_iam_group", "ops", group("/")),
    );
    let (tier, paths) = tier_and_paths(
        state("aws_iam_group", "ops", group("/")),
        live("aws_iam_group", "ops", group("/moved/")),
    );
    assert_eq!((tier, paths), (Tier::Warning, vec!["path".into()]));
}

/// Rule: `AttrSpec::identity` on `group`: a membership's state id is its Terraform-only name;
/// `users` is a set. One user more is critical (the group's permissions reach them).
#[test]
fn iam_group_membership_matches_by_group_and_users_are_a_set() {
    let m = |id: &str, users: Value| json!({"name": id, "group": "ops", "users": users});
    assert_same(
        state(
            "aws_iam_group_membership",
            "ops-team",
            m("ops-team", json!(["b", "a"])),
        ),
        live(
            "aws_iam_group_membership",
            "ops",
            json!({"group": "ops", "users": ["a", "b"]}),
        ),
    );
    let (tier, _) = tier_and_paths(
        state(
            "aws_iam_group_membership",
            "ops-team",
            m("ops-team", json!(["a"])),
        ),
        live(
            "aws_iam_group_membership",
            "ops",
            json!({"group": "ops", "users": ["a", "x"]}),
        ),
    );
    assert_eq!(tier, Tier::Critical);
}

/// An instance profile's role is compared by name; a profile emptied of its role is critical.
#[test]
fn iam_instance_profile_role_removed_is_critical() {
    let p = |role: Value| json!({"name": "web", "path": "/", "role": role, "tags": {}});
    assert_same(
        state("aws_iam_instance_profile", "web", p(json!("web"))),
        live("aws_iam_instance_profile", "web", p(json!("web"))),
    );
    let (tier, paths) = tier_and_paths(
        state("aws_iam_instance_profile", "web", p(json!("web"))),
        live("aws_iam_instance_profile", "web", p(Value::Null)),
    );
    assert_eq!((tier, paths), (Tier::Critical, vec!["role".into()]));
}

/// Rule: `Shape::Document` for an inline policy as IAM returns it (decoded by the provider;
/// other order, lists for strings). A widened action is critical.
#[test]
fn iam_role_policy_written_otherwise_is_the_same_and_widened_is_critical() {
    let tf = r#"{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#;
    let aws = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": ["*"]}]}"#;
    let rp = |doc: &str| json!({"name": "queue", "role": "web", "policy": doc});
    assert_same(
        state("aws_iam_role_policy", "web:queue", rp(tf)),
        live("aws_iam_role_policy", "web:queue", rp(aws)),
    );
    let (tier, paths) = tier_and_paths(
        state("aws_iam_role_policy", "web:queue", rp(tf)),
        live(
            "aws_iam_role_policy",
            "web:queue",
            rp(&aws.replace("sqs:SendMessage", "sqs:*")),
        ),
    );
    assert_eq!((tier, paths), (Tier::Critical, vec!["policy".into()]));
}

/// Rule: `AttrSpec::identity`: user and group attachments have timestamped state ids and
/// `name/arn` live ids; they match by who and which policy.
#[test]
fn iam_user_and_group_policy_attachments_match_by_identity() {
    for (t, who, key) in [
        ("aws_iam_user_policy_attachment", "deploy", "user"),
        ("aws_iam_group_policy_attachment", "ops", "group"),
    ] {
        let attrs = json!({key: who, "policy_arn": "arn:aws:iam::1:policy/read"});
        assert_same(
            state(
                t,
                &format!("{who}-20241123190000000000000001"),
                attrs.clone(),
            ),
            live(t, &format!("{who}/arn:aws:iam::1:policy/read"), attrs),
        );
    }
}

/// Rules: identity on `policy_arn` (the state id is the attachment's own name), empty lists
/// are absent and lists are sets. A user given the policy out of band is critical.
#[test]
fn iam_policy_attachment_matches_by_policy_and_a_new_holder_is_critical() {
    let arn = "arn:aws:iam::1:policy/audit";
    let tf = |users: Value| {
        state(
            "aws_iam_policy_attachment",
            "audit-everywhere",
            json!({"name": "audit-everywhere", "policy_arn": arn, "users": users,
                   "roles": ["web", "app"], "groups": []}),
        )
    };
    let aws = |users: Value| {
        live(
            "aws_iam_policy_attachment",
            arn,
            json!({"policy_arn": arn, "users": users, "roles": ["app", "web"], "groups": null}),
        )
    };
    assert_same(tf(json!([])), aws(Value::Null));
    let (tier, paths) = tier_and_paths(tf(json!([])), aws(json!(["byhand"])));
    assert_eq!(tier, Tier::Critical);
    assert!(paths.iter().all(|p| p.starts_with("users")), "{paths:?}");
}

/// Rule: `Shape::Document` for a bucket policy (S3 answers with its own spacing and lists). A
/// policy opened to every principal is critical.
#[test]
fn s3_bucket_policy_written_otherwise_is_the_same_and_opened_is_critical() {
    let doc = |principal: &str| {
        format!(
            r#"{{"Statement":[{{"Action":"s3:GetObject","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Resource":"arn:aws:s3:::b/*"}}],"Version":"2012-10-17"}}"#
        )
    };
    let aws = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::b/*"]}]}"#;
    let p = |d: &str| json!({"bucket": "b", "policy": d});
    assert_same(
        state("aws_s3_bucket_policy", "b", p(&doc("arn:aws:iam::1:root"))),
        live("aws_s3_bucket_policy", "b", p(aws)),
    );
    let (tier, _) = tier_and_paths(
        state("aws_s3_bucket_policy", "b", p(&doc("arn:aws:iam::1:root"))),
        live("aws_s3_bucket_policy", "b", p(&doc("*"))),
    );
    assert_eq!(tier, Tier::Critical);
}

/// Rules: identity on `bucket` (a canned ACL's state id is `bucket,private`, never seen in
/// S3), and `""` members are absent in a document (Terraform writes every grantee field, S3
/// only those that apply). A grant to everyone is critical.
#[test]
fn s3_bucket_acl_canned_id_and_empty_grantee_fields_are_the_same() {
    let owner_grant = json!({"grantee": [{"display_name": "", "email_address": "", "id": "abc",
                                          "type": "CanonicalUser", "uri": ""}],
                             "permission": "FULL_CONTROL"});
    let tf = state(
        "aws_s3_bucket_acl",
        "b,private",
        json!({"bucket": "b", "acl": "private", "access_control_policy": [{
            "grant": [owner_grant], "owner": [{"display_name": "", "id": "abc"}]}]}),
    );
    let aws_acl = |extra: Option<Value>| {
        let mut grants = vec![json!({"grantee": [{"id": "abc", "type": "CanonicalUser"}],
                                     "permission": "FULL_CONTROL"})];
        grants.extend(extra);
        live(
            "aws_s3_bucket_acl",
            "b",
            json!({"bucket": "b", "access_control_policy": [{
                "grant": grants, "owner": [{"id": "abc"}]}]}),
        )
    };
    assert_same(tf.clone(), aws_acl(None));
    let everyone = json!({"grantee": [{"type": "Group",
                           "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}],
                          "permission": "READ"});
    let (tier, paths) = tier_and_paths(tf, aws_acl(Some(everyone)));
    assert_eq!(tier, Tier::Critical);
    assert!(
        paths.iter().all(|p| p.starts_with("access_control_policy")),
        "{paths:?}"
    );
}

/// Rule: `Shape::Document`'s empty-means-absent, with the provider writing Terraform's legacy
/// zeros (`days = 0`, `expired_object_delete_marker = false`) where S3 says nothing. An
/// expiration shortened is drift at the default tier.
#[test]
fn s3_lifecycle_legacy_zeros_are_the_same_and_a_shorter_expiration_is_drift() {
    let tf = |days: u32| {
        state(
            "aws_s3_bucket_lifecycle_configuration",
            "b",
            json!({"bucket": "b", "rule": [{"id": "tmp", "status": "Enabled", "prefix": "",
                "filter": [{"prefix": "tmp/", "and": [], "tag": [],
                            "object_size_greater_than": null}],
                "expiration": [{"date": null, "days": days, "expired_object_delete_marker": false}],
                "transition": [], "noncurrent_version_expiration": []}]}),
        )
    };
    let aws = |days: u32| {
        live(
            "aws_s3_bucket_lifecycle_configuration",
            "b",
            json!({"bucket": "b", "rule": [{"id": "tmp", "status": "Enabled",
                "filter": [{"prefix": "tmp/"}],
                "expiration": [{"days": days, "expired_object_delete_marker": false}]}]}),
        )
    };
    assert_same(tf(30), aws(30));
    let (tier, paths) = tier_and_paths(tf(30), aws(1));
    assert_eq!(tier, Tier::Warning);
    assert!(paths.iter().all(|p| p.starts_with("rule")), "{paths:?}");
}

/// Rule: empty means absent: Terraform's empty `target_grant` set and key format are S3's
/// none. Logs sent elsewhere are drift.
#[test]
fn s3_logging_empty_grants_are_the_same_and_another_prefix_is_drift() {
    let tf = state(
        "aws_s3_bucket_logging",
        "b",
        json!({"bucket": "b", "target_bucket": "audit", "target_prefix": "b/",
               "target_grant": [], "target_object_key_format": []}),
    );
    let aws = |prefix: &str| {
        live(
            "aws_s3_bucket_logging",
            "b",
            json!({"bucket": "b", "target_bucket": "audit", "target_prefix": prefix,
                   "target_grant": [], "target_object_key_format": null}),
        )
    };
    assert_same(tf.clone(), aws("b/"));
    let (tier, paths) = tier_and_paths(tf, aws("elsewhere/"));
    assert_eq!((tier, paths), (Tier::Warning, vec!["target_prefix".into()]));
}

// 14. Routes, route table associations, volume attachments, VPC endpoints, peering
// connections, flow logs.

/// The tier and changed paths of the one finding of `state` vs `live`.
fn vpc_link_finding(state: Resource, live: Resource) -> (Tier, Vec<String>) {
    let f = findings(state, live);
    assert_eq!(f.len(), 1, "expected one finding, got {f:#?}");
    let paths = f[0].changes.iter().map(|c| c.path.clone()).collect();
    (f[0].tier, paths)
}

/// A route as the state records it: every target field present, `""` where unset.
fn tf_route(target: (&str, &str), ipv6: &str) -> Value {
    let mut v = json!({
        "route_table_id": "rtb-1", "destination_cidr_block": "",
        "destination_ipv6_cidr_block": ipv6, "destination_prefix_list_id": "",
        "carrier_gateway_id": "", "core_network_arn": "", "egress_only_gateway_id": "",
        "gateway_id": "", "local_gateway_id": "", "nat_gateway_id": "",
        "network_interface_id": "", "transit_gateway_id": "", "vpc_endpoint_id": "",
        "vpc_peering_connection_id": "", "instance_id": "", "origin": "CreateRoute",
        "state": "active"
    });
    v[target.0] = json!(target.1);
    v
}

/// Rules: `""` is absent (Terraform writes every unset target as `""`, the provider maps unset
/// ones the same way or not at all), and `Shape::Cidr` (an IPv6 destination written in upper
/// case and uncompressed in code is stored so, AWS reports it compressed). A route switched to
/// an internet gateway is critical.
#[test]
fn route_empty_targets_and_ipv6_spelling_are_the_same_and_an_internet_route_is_critical() {
    let id = "r-rtb-12783427196";
    let tf = state(
        "aws_route",
        id,
        tf_route(("nat_gateway_id", "nat-1"), "2001:0DB8:0000::/32"),
    );
    let aws = |target: (&str, &str)| {
        let mut v = json!({"route_table_id": "rtb-1", "destination_ipv6_cidr_block": "2001:db8::/32",
                           "gateway_id": "", "nat_gateway_id": ""});
        v[target.0] = json!(target.1);
        live("aws_route", id, v)
    };
    assert_same(tf.clone(), aws(("nat_gateway_id", "nat-1")));
    let (tier, paths) = vpc_link_finding(tf, aws(("gateway_id", "igw-1")));
    assert_eq!(tier, Tier::Critical);
    assert_eq!(paths, ["gateway_id", "nat_gateway_id"]);
}

/// Rules: `AttrSpec::identity` (a subnet moved to another table out of band gets a new
/// association id; matched by subnet, it is one change, not a missing and an unmanaged
/// association) and `""` is absent (`gateway_id` of a subnet association).
#[test]
fn route_table_association_replaced_is_one_critical_change_not_missing() {
    let tf = state(
        "aws_route_table_association",
        "rtbassoc-1",
        json!({"route_table_id": "rtb-1", "subnet_id": "subnet-1", "gateway_id": ""}),
    );
    let aws = |id: &str, table: &str| {
        live(
            "aws_route_table_association",
            id,
            json!({"route_table_id": table, "subnet_id": "subnet-1", "gateway_id": null}),
        )
    };
    assert_same(tf.clone(), aws("rtbassoc-1", "rtb-1"));
    let (tier, paths) = vpc_link_finding(tf, aws("rtbassoc-2", "rtb-2"));
    assert_eq!(
        (tier, paths),
        (Tier::Critical, vec!["route_table_id".into()])
    );
}

/// Rule: an attribute one side does not have is unknown: the attachment's Terraform-only
/// settings (`force_detach`, `skip_destroy`, `stop_instance_before_detaching`) are never
/// listed. Another device is drift.
#[test]
fn volume_attachment_terraform_only_settings_are_not_drift() {
    let id = "vai-3972684014";
    let tf = state(
        "aws_volume_attachment",
        id,
        json!({"device_name": "/dev/sdf", "instance_id": "i-1", "volume_id": "vol-1",
               "force_detach": null, "skip_destroy": true,
               "stop_instance_before_detaching": false}),
    );
    let aws = |device: &str| {
        live(
            "aws_volume_attachment",
            id,
            json!({"device_name": device, "instance_id": "i-1", "volume_id": "vol-1"}),
        )
    };
    assert_same(tf.clone(), aws("/dev/sdf"));
    let (_, paths) = vpc_link_finding(tf, aws("/dev/sdg"));
    assert_eq!(paths, ["device_name"]);
}

/// Rules: `Shape::Document` (AWS fills in the default endpoint policy with its own spacing and
/// key order; Terraform stores it compact and key-sorted) and `Shape::Set` (route tables in
/// another order). A policy changed out of band is critical.
#[test]
fn vpc_endpoint_default_policy_in_other_form_is_the_same_and_a_new_policy_critical() {
    let tf = state(
        "aws_vpc_endpoint",
        "vpce-1",
        json!({"policy": r#"{"Statement":[{"Action":"*","Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2008-10-17"}"#,
               "route_table_ids": ["rtb-1", "rtb-2"], "security_group_ids": [],
               "subnet_ids": [], "vpc_endpoint_type": "Gateway"}),
    );
    let aws = |effect: &str| {
        let policy = format!(
            r#"{{"Version": "2008-10-17", "Statement": [{{"Effect": "{effect}", "Principal": "*", "Action": "*", "Resource": "*"}}]}}"#
        );
        live(
            "aws_vpc_endpoint",
            "vpce-1",
            json!({"policy": policy, "route_table_ids": ["rtb-2", "rtb-1"],
                   "security_group_ids": [], "subnet_ids": [], "vpc_endpoint_type": "Gateway"}),
        )
    };
    assert_same(tf.clone(), aws("Allow"));
    let (tier, paths) = vpc_link_finding(tf, aws("Deny"));
    assert_eq!((tier, paths), (Tier::Critical, vec!["policy".into()]));
}

/// Rule: `Shape::Document` (a side's options are one nested block, recorded as a one-element
/// list; `false` is a value). Remote DNS resolution turned on is drift.
#[test]
fn peering_options_block_is_the_same_and_dns_resolution_turned_on_is_drift() {
    let block = |dns: bool| json!([{"allow_remote_vpc_dns_resolution": dns}]);
    let tf = state(
        "aws_vpc_peering_connection",
        "pcx-1",
        json!({"requester": block(false), "accepter": block(false), "accept_status": "active",
               "auto_accept": true, "tags": {}, "tags_all": {}}),
    );
    let aws = |dns: bool| {
        live(
            "aws_vpc_peering_connection",
            "pcx-1",
            json!({"requester": block(dns), "accepter": block(false),
                   "accept_status": "active", "tags": {}}),
        )
    };
    assert_same(tf.clone(), aws(false));
    let (tier, paths) = vpc_link_finding(tf, aws(true));
    assert_eq!(tier, Tier::Warning);
    assert!(
        paths.iter().all(|p| p.starts_with("requester")),
        "{paths:?}"
    );
}

/// Rules: `Shape::Number` (`max_aggregation_interval` as a string in state written by an older
/// provider), `Shape::CaseInsensitive` (traffic type) and unknown attributes (moto reports no
/// `log_destination` for CloudWatch Logs: left out, not "removed"). Records sent to another log
/// group are critical.
#[test]
fn flow_log_interval_as_string_is_the_same_and_another_log_group_critical() {
    let tf = state(
        "aws_flow_log",
        "fl-1",
        json!({"log_destination": "arn:aws:logs:us-east-1:1:log-group:flows",
               "log_group_name": "flows", "log_destination_type": "cloud-watch-logs",
               "traffic_type": "ALL", "max_aggregation_interval": "600", "vpc_id": "vpc-1",
               "subnet_id": "", "destination_options": []}),
    );
    let aws = |group: &str| {
        live(
            "aws_flow_log",
            "fl-1",
            json!({"log_group_name": group, "log_destination_type": "cloud-watch-logs",
                   "traffic_type": "all", "max_aggregation_interval": 600,
                   "vpc_id": "vpc-1", "destination_options": null}),
        )
    };
    assert_same(tf.clone(), aws("flows"));
    let (tier, paths) = vpc_link_finding(tf, aws("elsewhere"));
    assert_eq!(
        (tier, paths),
        (Tier::Critical, vec!["log_group_name".into()])
    );
}

/// Rules: `Shape::Document` (IAM answers an inline policy URL-encoded and compacted, the state
/// holds it as written; the provider decodes it) and `TypeSpec::not_compared` (an access key's
/// secret is in state only: IAM never returns it, so it must not read as removed).
#[test]
fn inline_user_policy_and_access_key_secret_are_not_drift() {
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
    let tf = state(
        "aws_iam_user_policy",
        "deploy:read",
        json!({"name": "read", "user": "deploy", "policy": doc, "name_prefix": ""}),
    );
    let aws = |action: &str| {
        live(
            "aws_iam_user_policy",
            "deploy:read",
            json!({"name": "read", "user": "deploy",
                   "policy": format!(r#"{{"Statement":[{{"Resource":"*","Action":"{action}","Effect":"Allow"}}],"Version":"2012-10-17"}}"#)}),
        )
    };
    assert_same(tf.clone(), aws("s3:GetObject"));
    let (tier, paths) = vpc_link_finding(tf, aws("s3:*"));
    assert_eq!((tier, paths), (Tier::Critical, vec!["policy".into()]));

    let key = |status: &str| {
        state(
            "aws_iam_access_key",
            "AKIA1",
            json!({"user": "deploy", "status": status, "secret": "only-in-state",
                   "ses_smtp_password_v4": "derived"}),
        )
    };
    let live_key = live(
        "aws_iam_access_key",
        "AKIA1",
        json!({"user": "deploy", "status": "Active"}),
    );
    assert_same(key("Active"), live_key.clone());
    let (tier, paths) = vpc_link_finding(key("Inactive"), live_key);
    assert_eq!((tier, paths), (Tier::Critical, vec!["status".into()]));
}
