//! A synthetic refresh-only plan, shaped as `terraform show -json PLANFILE` prints it for
//! `terraform plan -refresh-only -out=PLANFILE` (format 1.2, Terraform 1.9.8): one line of
//! compact JSON whose `prior_state` holds every managed resource after the refresh and whose
//! `resource_drift` holds what the refresh found changed (`update`) or gone (`delete`).
//!
//! The fleet is made of services of 16 resource instances each: six `aws_instance.web[i]`
//! (`count`), two security groups, two `aws_instance.worker["blue"|"green"]` (`for_each`), and in
//! each of two module instances `module.app["blue"|"green"]` an `aws_s3_bucket.logs` and two
//! `cloudflare_record.host["www"|"api"]`; plus a data source, which is not a managed resource.
//! The first service is the root module, the others are `module.svcN` or nested one level deeper.
//!
//! Every tenth resource is drifted; one drifted resource in five was deleted, the others were
//! changed in a few attributes (an instance resized and tagged, a rule opened, a record moved).
//! `before_sensitive`/`after_sensitive` mirror the values with nothing sensitive, as Terraform
//! writes them. `configuration` is abbreviated (provider blocks only): the reader does not look
//! at it. Everything derives from fixed seeds, so runs measure the same bytes.

use crate::gen::{self, InstanceArgs, Rng};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const AWS: &str = "registry.terraform.io/hashicorp/aws";
const CLOUDFLARE: &str = "registry.terraform.io/cloudflare/cloudflare";
const ZONE: &str = "example.com";
const ZONE_ID: &str = "0da42c8d2132a9ddaf714f9e7c920711";

/// Resource instances per service.
const PER_SERVICE: usize = 16;

/// A generated plan and what was planted in it.
pub struct GeneratedPlan {
    pub bytes: Vec<u8>,
    /// Managed resource instances the plan compared: those in `prior_state` plus those deleted.
    pub resources: usize,
    /// `resource_drift` entries with action `update`.
    pub updated: usize,
    /// `resource_drift` entries with action `delete` (absent from `prior_state`).
    pub deleted: usize,
}

impl GeneratedPlan {
    pub fn drifted(&self) -> usize {
        self.updated + self.deleted
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Instance,
    SecurityGroup,
    Bucket,
    Record,
}

/// Where a resource instance sits in its service.
struct Slot {
    /// A module instance below the service's own module.
    child: Option<&'static str>,
    kind: Kind,
    resource_type: &'static str,
    name: &'static str,
    index: Option<Value>,
}

fn slot(j: usize) -> Slot {
    let at = |child, kind, resource_type, name, index| Slot {
        child,
        kind,
        resource_type,
        name,
        index,
    };
    let blue = Some("module.app[\"blue\"]");
    let green = Some("module.app[\"green\"]");
    match j {
        0..=5 => at(None, Kind::Instance, "aws_instance", "web", Some(json!(j))),
        6 => at(None, Kind::SecurityGroup, "aws_security_group", "app", None),
        7 => at(None, Kind::SecurityGroup, "aws_security_group", "db", None),
        8 => at(
            None,
            Kind::Instance,
            "aws_instance",
            "worker",
            Some(json!("blue")),
        ),
        9 => at(
            None,
            Kind::Instance,
            "aws_instance",
            "worker",
            Some(json!("green")),
        ),
        10 => at(blue, Kind::Bucket, "aws_s3_bucket", "logs", None),
        11 => at(
            blue,
            Kind::Record,
            "cloudflare_record",
            "host",
            Some(json!("www")),
        ),
        12 => at(
            blue,
            Kind::Record,
            "cloudflare_record",
            "host",
            Some(json!("api")),
        ),
        13 => at(green, Kind::Bucket, "aws_s3_bucket", "logs", None),
        14 => at(
            green,
            Kind::Record,
            "cloudflare_record",
            "host",
            Some(json!("www")),
        ),
        _ => at(
            green,
            Kind::Record,
            "cloudflare_record",
            "host",
            Some(json!("api")),
        ),
    }
}

/// The module of service `g`: the root module for the first, `module.svcN` for most, and for
/// every fourth a module nested in the previous service's.
fn service_module(g: usize) -> Vec<String> {
    match g {
        0 => Vec::new(),
        _ if g % 4 == 3 => vec![format!("module.svc{}", g - 1), "module.canary".into()],
        _ => vec![format!("module.svc{g}")],
    }
}

/// `module.a.aws_instance.web[3]`, `aws_instance.worker["blue"]`.
fn address(module: &str, resource_type: &str, name: &str, index: Option<&Value>) -> String {
    let mut out = String::new();
    if !module.is_empty() {
        out.push_str(module);
        out.push('.');
    }
    out.push_str(resource_type);
    out.push('.');
    out.push_str(name);
    match index {
        Some(Value::String(key)) => out.push_str(&format!("[\"{key}\"]")),
        Some(i) => out.push_str(&format!("[{i}]")),
        None => {}
    }
    out
}

/// `sensitive_values` as Terraform writes it when nothing is sensitive: the shape of the value
/// with `false` for list members, and object members that are not containers left out.
fn sensitive_mirror(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| v.is_object() || v.is_array())
                .map(|(k, v)| (k.clone(), sensitive_mirror(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(sensitive_mirror).collect()),
        _ => Value::Bool(false),
    }
}

/// An S3 bucket as the AWS provider (v5) stores it, with its defaults.
fn s3_bucket(bucket: &str, region: &str, team: &str) -> Value {
    json!({
        "acceleration_status": "",
        "acl": null,
        "arn": format!("arn:aws:s3:::{bucket}"),
        "bucket": bucket,
        "bucket_domain_name": format!("{bucket}.s3.amazonaws.com"),
        "bucket_prefix": "",
        "bucket_regional_domain_name": format!("{bucket}.s3.{region}.amazonaws.com"),
        "cors_rule": [],
        "force_destroy": false,
        "grant": [{
            "id": "5c1a3b4f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b",
            "permissions": ["FULL_CONTROL"],
            "type": "CanonicalUser",
            "uri": ""
        }],
        "hosted_zone_id": "Z3AQBSTGFYJSTF",
        "id": bucket,
        "lifecycle_rule": [],
        "logging": [],
        "object_lock_configuration": [],
        "object_lock_enabled": false,
        "policy": "",
        "region": region,
        "replication_configuration": [],
        "request_payer": "BucketOwner",
        "server_side_encryption_configuration": [{
            "rule": [{
                "apply_server_side_encryption_by_default": [
                    {"kms_master_key_id": "", "sse_algorithm": "AES256"}
                ],
                "bucket_key_enabled": false
            }]
        }],
        "tags": gen::tags(bucket, team),
        "tags_all": gen::tags_all(bucket, team),
        "timeouts": null,
        "versioning": [{"enabled": true, "mfa_delete": false}],
        "website": [],
        "website_domain": null,
        "website_endpoint": null,
    })
}

/// A DNS record as the Cloudflare provider (v4) stores it.
fn cloudflare_record(host: &str, n: u64, rng: &mut Rng) -> Value {
    let ip = format!("203.0.{}.{}", rng.below(256), rng.below(254) + 1);
    json!({
        "allow_overwrite": false,
        "comment": null,
        "content": ip,
        "created_on": "2024-03-11T08:15:42.118243Z",
        "data": [],
        "hostname": format!("{host}.{ZONE}"),
        "id": format!("{:032x}", u128::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835)),
        "metadata": {"auto_added": "false", "managed_by_apps": "false", "managed_by_argo_tunnel": "false"},
        "modified_on": "2025-11-02T17:40:09.512907Z",
        "name": host,
        "priority": null,
        "proxiable": true,
        "proxied": true,
        "tags": [],
        "timeouts": null,
        "ttl": 1,
        "type": "A",
        "value": ip,
        "zone_id": ZONE_ID,
    })
}

/// What changed outside Terraform: the refreshed values of a drifted resource.
fn drift_of(kind: Kind, before: &Value) -> Value {
    let mut after = before.clone();
    let set_tag = |after: &mut Value, key: &str, value: &str| {
        for field in ["tags", "tags_all"] {
            after[field][key] = json!(value);
        }
    };
    match kind {
        Kind::Instance => {
            // Resized in the console, and tagged by hand.
            let resized = if before["instance_type"] == "m5.2xlarge" {
                "m5.4xlarge"
            } else {
                "m5.2xlarge"
            };
            after["instance_type"] = json!(resized);
            set_tag(&mut after, "Owner", "oncall");
        }
        Kind::SecurityGroup => {
            // A rule opened to the world.
            if let Some(cidrs) = after["ingress"][0]["cidr_blocks"].as_array_mut() {
                cidrs.push(json!("0.0.0.0/0"));
            }
        }
        Kind::Bucket => set_tag(&mut after, "CostCenter", "cc-4410"),
        Kind::Record => {
            after["content"] = json!("198.51.100.23");
            after["value"] = json!("198.51.100.23");
            after["proxied"] = json!(false);
        }
    }
    after
}

/// A module of `prior_state`, its resources already serialized.
#[derive(Default)]
struct Module {
    resources: Vec<Vec<u8>>,
    children: BTreeMap<String, Module>,
}

impl Module {
    fn at(&mut self, path: &[String]) -> &mut Module {
        let mut m = self;
        let mut address = String::new();
        for segment in path {
            if !address.is_empty() {
                address.push('.');
            }
            address.push_str(segment);
            m = m.children.entry(address.clone()).or_default();
        }
        m
    }

    /// `{"resources": [...], "address": ..., "child_modules": [...]}`, children sorted by
    /// address as Terraform writes them.
    fn write(&self, address: Option<&str>, out: &mut Vec<u8>) {
        out.push(b'{');
        let mut first = true;
        if let Some(address) = address {
            out.extend_from_slice(b"\"address\":");
            write_json(out, &json!(address));
            first = false;
        }
        if !self.resources.is_empty() {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(b"\"resources\":[");
            for (i, r) in self.resources.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(r);
            }
            out.push(b']');
            first = false;
        }
        if !self.children.is_empty() {
            if !first {
                out.push(b',');
            }
            out.extend_from_slice(b"\"child_modules\":[");
            for (i, (child_address, child)) in self.children.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                child.write(Some(child_address), out);
            }
            out.push(b']');
        }
        out.push(b'}');
    }
}

fn write_json(out: &mut Vec<u8>, v: &Value) {
    // Writing a Value into a Vec cannot fail: every key is a string.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// The common fields of a `prior_state` resource and of a `resource_drift` entry.
fn head(addr: &str, mode: &str, s: &Slot, provider: &str) -> serde_json::Map<String, Value> {
    let mut o = serde_json::Map::new();
    o.insert("address".into(), json!(addr));
    o.insert("mode".into(), json!(mode));
    o.insert("type".into(), json!(s.resource_type));
    o.insert("name".into(), json!(s.name));
    if let Some(index) = &s.index {
        o.insert("index".into(), index.clone());
    }
    o.insert("provider_name".into(), json!(provider));
    o
}

/// A refresh-only plan comparing `resources` managed resource instances.
pub fn refresh_only_plan(resources: usize) -> GeneratedPlan {
    let mut rng = Rng::new(0x91a7);
    let mut root = Module::default();
    let mut drift: Vec<u8> = Vec::new();
    let (mut updated, mut deleted) = (0, 0);
    let services = resources.div_ceil(PER_SERVICE);
    for g in 0..services {
        let region = gen::REGIONS[g % gen::REGIONS.len()];
        let path = service_module(g);
        let module = path.join(".");
        let base = (g as u64 + 1) * 100;
        let vpc_id = gen::aws_id("vpc", base);
        let sg_ids: Vec<String> = (0..2).map(|i| gen::aws_id("sg", base + i)).collect();
        let sg_addrs: Vec<String> = ["app", "db"]
            .iter()
            .map(|name| address(&module, "aws_security_group", name, None))
            .collect();

        // A data source: in prior_state, never a managed resource.
        let caller = json!({
            "account_id": gen::ACCOUNT,
            "arn": format!("arn:aws:sts::{}:assumed-role/terraform/ci", gen::ACCOUNT),
            "id": gen::ACCOUNT,
            "user_id": "AROAEXAMPLEID:ci",
        });
        let mut data = head(
            &address(&module, "data.aws_caller_identity", "current", None),
            "data",
            &Slot {
                child: None,
                kind: Kind::Instance,
                resource_type: "aws_caller_identity",
                name: "current",
                index: None,
            },
            AWS,
        );
        data.insert("schema_version".into(), json!(0));
        data.insert("sensitive_values".into(), sensitive_mirror(&caller));
        data.insert("values".into(), caller);
        let mut bytes = Vec::new();
        write_json(&mut bytes, &Value::Object(data));
        root.at(&path).resources.push(bytes);

        for j in 0..PER_SERVICE {
            let i = g * PER_SERVICE + j;
            if i >= resources {
                break;
            }
            let s = slot(j);
            let n = base + j as u64;
            let team = ["payments", "search", "platform", "growth"][g % 4];
            let (provider, schema_version, before) = match s.kind {
                Kind::Instance => {
                    let sgs = if s.name == "worker" {
                        &sg_ids[..1]
                    } else {
                        &sg_ids[..]
                    };
                    let args = InstanceArgs {
                        id: &gen::aws_id("i", n),
                        region,
                        subnet_id: &gen::aws_id("subnet", base + (j % 3) as u64),
                        security_group_ids: sgs,
                        n,
                    };
                    (AWS, 1, gen::instance(&args, &mut rng))
                }
                Kind::SecurityGroup => {
                    let sg = gen::security_group(
                        &sg_ids[j - 6],
                        &vpc_id,
                        region,
                        n,
                        gen::ingress_rules(&mut rng),
                        gen::egress_rules(),
                    );
                    (AWS, 1, sg)
                }
                Kind::Bucket => {
                    let color = if j < 13 { "blue" } else { "green" };
                    let bucket = format!("svc{g}-{color}-logs-{}", gen::ACCOUNT);
                    (AWS, 0, s3_bucket(&bucket, region, team))
                }
                Kind::Record => {
                    let host = s.index.as_ref().and_then(Value::as_str).unwrap_or("www");
                    let host = format!("{host}-svc{g}");
                    (CLOUDFLARE, 3, cloudflare_record(&host, n, &mut rng))
                }
            };
            let mut module_path = path.clone();
            module_path.extend(s.child.map(str::to_string));
            let resource_module = module_path.join(".");
            let addr = address(&resource_module, s.resource_type, s.name, s.index.as_ref());

            // Every tenth resource drifted; one drifted resource in five deleted.
            let drifted = i % 10 == 3;
            let gone = drifted && i % 50 == 3;
            let after = (drifted && !gone).then(|| drift_of(s.kind, &before));
            if drifted {
                let mut entry = head(&addr, "managed", &s, provider);
                if !resource_module.is_empty() {
                    entry.insert("module_address".into(), json!(resource_module));
                }
                let before_sensitive = sensitive_mirror(&before);
                let (actions, after_value, after_sensitive) = match &after {
                    Some(a) => (json!(["update"]), a.clone(), sensitive_mirror(a)),
                    None => (json!(["delete"]), Value::Null, json!(false)),
                };
                entry.insert(
                    "change".into(),
                    json!({
                        "actions": actions,
                        "before": before,
                        "after": after_value,
                        "after_unknown": {},
                        "before_sensitive": before_sensitive,
                        "after_sensitive": after_sensitive,
                    }),
                );
                if !drift.is_empty() {
                    drift.push(b',');
                }
                write_json(&mut drift, &Value::Object(entry));
                if gone {
                    deleted += 1;
                } else {
                    updated += 1;
                }
            }
            if gone {
                // Deleted outside Terraform: the refresh removed it from prior_state.
                continue;
            }
            let values = after.unwrap_or(before);
            let mut r = head(&addr, "managed", &s, provider);
            r.insert("schema_version".into(), json!(schema_version));
            r.insert("sensitive_values".into(), sensitive_mirror(&values));
            if matches!(s.kind, Kind::Instance) {
                r.insert("depends_on".into(), json!(sg_addrs));
            }
            r.insert("values".into(), values);
            let mut bytes = Vec::new();
            write_json(&mut bytes, &Value::Object(r));
            root.at(&module_path).resources.push(bytes);
        }
    }

    let mut out = Vec::with_capacity(drift.len() * 6 + 4096);
    out.extend_from_slice(br#"{"format_version":"1.2","terraform_version":"1.9.8","#);
    out.extend_from_slice(br#""planned_values":{"root_module":{}},"resource_drift":["#);
    out.extend_from_slice(&drift);
    out.extend_from_slice(br#"],"prior_state":{"format_version":"1.0","#);
    out.extend_from_slice(br#""terraform_version":"1.9.8","values":{"root_module":"#);
    root.write(None, &mut out);
    out.extend_from_slice(b"}},\"configuration\":");
    write_json(
        &mut out,
        &json!({
            "provider_config": {
                "aws": {"name": "aws", "full_name": AWS,
                        "expressions": {"region": {"constant_value": "us-east-1"}}},
                "cloudflare": {"name": "cloudflare", "full_name": CLOUDFLARE}
            },
            "root_module": {}
        }),
    );
    out.extend_from_slice(br#","timestamp":"2026-01-15T09:30:12Z","#);
    out.extend_from_slice(br#""applyable":false,"complete":true,"errored":false}"#);
    GeneratedPlan {
        bytes: out,
        resources,
        updated,
        deleted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_iac::plan::{parse_plan, Drift};

    #[test]
    fn generated_plan_reads_with_every_resource_and_the_planted_drift() {
        let g = refresh_only_plan(1_000);
        let v: Value = serde_json::from_slice(&g.bytes).expect("valid JSON");
        assert_eq!(v["format_version"], "1.2");
        assert_eq!(v["complete"], true);
        assert_eq!(g.drifted(), 100);
        assert_eq!(g.deleted, 20);

        let plan = parse_plan(&g.bytes, "bench-plan.json").expect("generated plan parses");
        assert!(plan.pending.is_empty());
        assert_eq!(plan.resources.len(), g.resources);
        let changed = plan
            .resources
            .iter()
            .filter(|r| matches!(r.drift, Some(Drift::Changed(_))))
            .count();
        let deleted = plan
            .resources
            .iter()
            .filter(|r| r.drift == Some(Drift::Deleted))
            .count();
        assert_eq!((changed, deleted), (g.updated, g.deleted));
        let has = |a: &str| {
            plan.resources
                .iter()
                .any(|r| r.resource.address.as_deref() == Some(a))
        };
        assert!(has("aws_instance.web[3]"));
        assert!(has("module.app[\"blue\"].aws_s3_bucket.logs"));
        assert!(has(
            "module.svc2.module.canary.aws_instance.worker[\"green\"]"
        ));
        assert!(has(
            "module.svc1.module.app[\"green\"].cloudflare_record.host[\"api\"]"
        ));
        let record = plan
            .resources
            .iter()
            .find(|r| r.resource.key.resource_type == "cloudflare_record")
            .expect("a record");
        assert_eq!(record.resource.key.provider, "cloudflare");
        // An updated instance: its size and a tag, in tags and tags_all.
        let paths: Vec<&str> = plan
            .resources
            .iter()
            .filter(|r| r.resource.key.resource_type == "aws_instance")
            .find_map(|r| match &r.drift {
                Some(Drift::Changed(c)) => Some(c),
                _ => None,
            })
            .expect("a changed instance")
            .iter()
            .map(|c| c.path.as_str())
            .collect();
        assert_eq!(paths, ["instance_type", "tags.Owner", "tags_all.Owner"]);
    }
}
