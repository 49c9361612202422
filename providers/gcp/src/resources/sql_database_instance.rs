//! `google_sql_database_instance`: database version, and in `settings` the machine tier,
//! availability, disk, activation policy, deletion protection, database flags, labels, the IP
//! configuration (public IP, authorized networks, private network, SSL mode) and backups.
//! Instances are listed with Cloud SQL Admin v1 `instances.list` (the whole project at once,
//! each kept in the scope of its region); the provider's id is the instance's name.
//!
//! No emulator serves Cloud SQL Admin: in tests, the test kit's stand-in
//! (`driftd_testkit::gcp_apis`) serves `instances`.

use super::{parse_scope, resource, GENERATED_KEYS, WORLD};
use crate::client::UnitClient;
use crate::rest::{labels, list_all, Api};
use crate::scope::Scope;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct SqlDatabaseInstance;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "google_sql_database_instance",
    attrs: &[
        AttrSpec::new("database_version", Shape::Scalar),
        AttrSpec::new("settings.0.tier", Shape::Scalar),
        AttrSpec::new("settings.0.availability_type", Shape::CaseInsensitive),
        AttrSpec::new("settings.0.disk_size", Shape::Number),
        AttrSpec::new("settings.0.disk_type", Shape::CaseInsensitive),
        AttrSpec::new("settings.0.activation_policy", Shape::CaseInsensitive),
        AttrSpec::new("settings.0.deletion_protection_enabled", Shape::Scalar),
        AttrSpec::new("settings.0.database_flags", Shape::Document),
        AttrSpec::new("settings.0.ip_configuration.0.ipv4_enabled", Shape::Scalar)
            .tier(TierHint::Rule(turned_on)),
        AttrSpec::new(
            "settings.0.ip_configuration.0.authorized_networks",
            Shape::Document,
        )
        .tier(TierHint::Rule(opened_to_world)),
        AttrSpec::new("settings.0.ip_configuration.0.private_network", Shape::Link),
        AttrSpec::new("settings.0.ip_configuration.0.ssl_mode", Shape::Scalar),
        AttrSpec::new("settings.0.backup_configuration.0.enabled", Shape::Scalar)
            .tier(TierHint::Rule(turned_off)),
        AttrSpec::new(
            "settings.0.backup_configuration.0.point_in_time_recovery_enabled",
            Shape::Scalar,
        ),
        AttrSpec::new("settings.0.user_labels", Shape::Tags).tier(TierHint::Always(Tier::Info)),
    ],
    generated_tag_prefixes: GENERATED_KEYS,
    not_compared: &[
        UncomparedAttr::new("root_password", "a secret the API never returns"),
        UncomparedAttr::new(
            "deletion_protection",
            "Terraform's own guard against destroy, not a setting of the instance",
        ),
        UncomparedAttr::new(
            "settings.0.maintenance_window",
            "Google moves maintenance within the window it is given",
        ),
        UncomparedAttr::new(
            "settings.0.insights_config",
            "query insights settings are not read",
        ),
        UncomparedAttr::new(
            "replica_configuration",
            "replication credentials are secrets the API does not return",
        ),
        UncomparedAttr::new(
            "encryption_key_name",
            "set once at creation; the key's own rotation is google_kms_crypto_key's",
        ),
    ],
};

/// A public IP was turned on.
fn turned_on(c: &Change) -> Option<Tier> {
    (c.actual == Value::Bool(true) && c.expected != Value::Bool(true)).then_some(Tier::Critical)
}

/// Backups were turned off.
fn turned_off(c: &Change) -> Option<Tier> {
    (c.expected == Value::Bool(true) && c.actual != Value::Bool(true)).then_some(Tier::Critical)
}

/// Any authorized network is now the whole internet.
fn opened_to_world(c: &Change) -> Option<Tier> {
    fn has_world(v: &Value) -> bool {
        match v {
            Value::String(s) => WORLD.contains(&s.trim()),
            Value::Array(a) => a.iter().any(has_world),
            Value::Object(m) => m.values().any(has_world),
            _ => false,
        }
    }
    (has_world(&c.actual) && !has_world(&c.expected)).then_some(Tier::Critical)
}

fn map(i: &Value, scope: &Scope) -> Option<Resource> {
    let name = i["name"].as_str().filter(|n| !n.is_empty())?;
    let s = &i["settings"];
    let ip = &s["ipConfiguration"];
    let backup = &s["backupConfiguration"];
    let networks: Vec<Value> = ip["authorizedNetworks"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| json!({"value": n["value"].as_str(), "name": n["name"].as_str()}))
        .collect();
    let flags: Vec<Value> = s["databaseFlags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| json!({"name": f["name"].as_str(), "value": f["value"].as_str()}))
        .collect();
    // int64 fields come as JSON strings.
    let disk_size = s["dataDiskSizeGb"]
        .as_str()
        .and_then(|d| d.parse::<i64>().ok())
        .or_else(|| s["dataDiskSizeGb"].as_i64());
    let settings = json!([{
        "tier": s["tier"].as_str(),
        "availability_type": s["availabilityType"].as_str().unwrap_or("ZONAL"),
        "disk_size": disk_size,
        "disk_type": s["dataDiskType"].as_str(),
        "activation_policy": s["activationPolicy"].as_str(),
        "deletion_protection_enabled": s["deletionProtectionEnabled"].as_bool().unwrap_or(false),
        "database_flags": flags,
        "user_labels": labels(&s["userLabels"]),
        "ip_configuration": [{
            "ipv4_enabled": ip["ipv4Enabled"].as_bool().unwrap_or(false),
            "authorized_networks": networks,
            "private_network": ip["privateNetwork"].as_str().unwrap_or(""),
            "ssl_mode": ip["sslMode"].as_str(),
        }],
        "backup_configuration": [{
            "enabled": backup["enabled"].as_bool().unwrap_or(false),
            "point_in_time_recovery_enabled":
                backup["pointInTimeRecoveryEnabled"].as_bool().unwrap_or(false),
        }],
    }]);
    Some(resource(
        SPEC.resource_type,
        name.to_string(),
        scope,
        json!({
            "name": name,
            "project": scope.project,
            "region": i["region"].as_str(),
            "database_version": i["databaseVersion"].as_str(),
            "connection_name": i["connectionName"].as_str(),
            "settings": settings,
        }),
    ))
}

#[async_trait]
impl ResourceKind<UnitClient> for SqlDatabaseInstance {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &UnitClient, scope: &str) -> Result<KindListing, ListError> {
        let s = parse_scope(scope)?;
        let instances = list_all(
            client,
            Api::SqlAdmin,
            &format!("/v1/projects/{}/instances", s.project),
            "items",
            "listing Cloud SQL instances",
            scope,
        )
        .await?;
        Ok(KindListing {
            resources: instances
                .iter()
                .filter(|i| i["region"].as_str() == Some(s.location.as_str()))
                .filter_map(|i| map(i, &s))
                .collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{tier::default_tier, ChangeOp, FindingKind};

    fn instance() -> Value {
        json!({"kind": "sql#instance", "name": "orders-db", "region": "us-central1",
            "databaseVersion": "POSTGRES_15", "connectionName": "p1:us-central1:orders-db",
            "settings": {"tier": "db-custom-2-7680", "availabilityType": "REGIONAL",
                "dataDiskSizeGb": "20", "dataDiskType": "PD_SSD", "activationPolicy": "ALWAYS",
                "deletionProtectionEnabled": true, "userLabels": {"team": "shop"},
                "databaseFlags": [{"name": "max_connections", "value": "200"}],
                "ipConfiguration": {"ipv4Enabled": false,
                    "privateNetwork": "projects/p1/global/networks/main",
                    "authorizedNetworks": [{"value": "203.0.113.0/24", "name": "office",
                                            "kind": "sql#aclEntry"}]},
                "backupConfiguration": {"enabled": true, "pointInTimeRecoveryEnabled": true}}})
    }

    #[test]
    fn maps_to_terraform_names() {
        let r = map(&instance(), &Scope::new("p1", "us-central1")).expect("mapped");
        assert_eq!(r.key.id, "orders-db");
        assert_eq!(r.region.as_deref(), Some("p1/us-central1"));
        let s = &r.attrs["settings"][0];
        assert_eq!(s["tier"], json!("db-custom-2-7680"));
        assert_eq!(s["disk_size"], json!(20));
        assert_eq!(s["user_labels"], json!({"team": "shop"}));
        assert_eq!(
            s["ip_configuration"][0]["authorized_networks"],
            json!([{"value": "203.0.113.0/24", "name": "office"}])
        );
        assert_eq!(s["backup_configuration"][0]["enabled"], json!(true));
        assert_eq!(r.attrs["database_version"], json!("POSTGRES_15"));
    }

    #[test]
    fn other_forms_are_no_drift_opening_to_the_world_is_critical() {
        // Disk size as text; networks in another order, with state's empty expiration time.
        assert_eq!(
            SPEC.normalize(Shape::Number, &json!("20")),
            SPEC.normalize(Shape::Number, &json!(20))
        );
        assert_eq!(
            SPEC.normalize(
                Shape::Document,
                &json!([{"value": "198.51.100.0/24", "name": "b", "expiration_time": ""},
                        {"value": "203.0.113.0/24", "name": "a", "expiration_time": ""}])
            ),
            SPEC.normalize(
                Shape::Document,
                &json!([{"value": "203.0.113.0/24", "name": "a"},
                        {"value": "198.51.100.0/24", "name": "b"}])
            )
        );
        let tier = |path: &str, e: Value, a: Value| {
            let c = Change::new(path, ChangeOp::Replace, e, a);
            default_tier(Some(&SPEC), FindingKind::Changed, &[c])
        };
        assert_eq!(
            tier(
                "settings.0.ip_configuration.0.authorized_networks",
                json!([{"value": "203.0.113.0/24"}]),
                json!([{"value": "0.0.0.0/0"}, {"value": "203.0.113.0/24"}])
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "settings.0.backup_configuration.0.enabled",
                json!(true),
                json!(false)
            ),
            Tier::Critical
        );
        assert_eq!(
            tier(
                "settings.0.tier",
                json!("db-f1-micro"),
                json!("db-g1-small")
            ),
            Tier::Warning
        );
    }
}
