//! RDS and ElastiCache end to end against moto through the built binary. moto is seeded and
//! changed with boto3 (an independent client), the state is written as the Terraform provider
//! records it, and `driftd check` must find: nothing while in sync (moto's own defaults, such as
//! the `default.*` parameter groups, not reported), one out-of-band change per type with its
//! path and tier, deletions, and what was made by hand.
//!
//! What moto does not serve: ModifyCacheCluster, ModifyReplicationGroup and any change or
//! deletion of a cache subnet group; a deleted cache cluster or replication group stays listed
//! as `deleting` (driftd leaves those out), so neither can be recreated with other settings. The
//! cluster's and the replication group's changes are therefore made on the state side (the
//! state records what was applied, the live resource differs); the subnet groups (RDS's too:
//! moto's ModifyDBSubnetGroup drops the group from its listing) are changed through their
//! tags, and the cache subnet group's "deletion" is a group the state holds that moto never
//! had. moto also gives
//! every DB instance the same `DbiResourceId`, so the state below holds one instance written by
//! provider v5 (id: that resource id) and one by v4 (id: the identifier); both are matched by
//! their `identifier`.

mod util;

use driftd_testkit::boto::boto3;
use serde_json::{json, Value};
use util::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "123456789012";
/// A stand-in for a master password: written to state as Terraform does, never to be shown.
const PASSWORD: &str = "state-only-Pa55word";

fn tags() -> Value {
    json!({"Team": "data"})
}

/// What Terraform records for a DB instance, from DescribeDBInstances' answer `i`.
fn db_instance_state(id: &str, i: &Value) -> Value {
    json!({
        "id": id, "identifier": i["DBInstanceIdentifier"], "identifier_prefix": "",
        "resource_id": i["DbiResourceId"], "arn": i["DBInstanceArn"],
        "publicly_accessible": false, "storage_encrypted": true,
        "kms_key_id": i["KmsKeyId"], "deletion_protection": i["DeletionProtection"],
        "iam_database_authentication_enabled": false,
        "vpc_security_group_ids": i["VpcSecurityGroups"].as_array().unwrap()
            .iter().map(|g| g["VpcSecurityGroupId"].clone()).collect::<Vec<_>>(),
        "db_subnet_group_name": "main", "parameter_group_name": "pg",
        "ca_cert_identifier": i["CACertificateIdentifier"],
        "engine": "postgres", "engine_version": "16", "engine_version_actual": i["EngineVersion"],
        "instance_class": "db.t3.micro", "allocated_storage": 20, "max_allocated_storage": 0,
        "storage_type": "gp2", "iops": 0, "multi_az": false, "port": 5432,
        "username": "app", "password": PASSWORD, "db_name": "orders",
        "backup_retention_period": i["BackupRetentionPeriod"],
        "backup_window": i["PreferredBackupWindow"],
        "maintenance_window": i["PreferredMaintenanceWindow"],
        "auto_minor_version_upgrade": true, "copy_tags_to_snapshot": false,
        "monitoring_interval": 0, "monitoring_role_arn": "",
        "performance_insights_enabled": false, "enabled_cloudwatch_logs_exports": [],
        "skip_final_snapshot": true, "apply_immediately": false,
        "tags": tags(), "tags_all": tags(),
    })
}

fn cluster_state(c: &Value) -> Value {
    json!({
        "id": c["DBClusterIdentifier"], "cluster_identifier": c["DBClusterIdentifier"],
        "arn": c["DBClusterArn"], "storage_encrypted": true, "kms_key_id": c["KmsKeyId"],
        "deletion_protection": c["DeletionProtection"],
        "iam_database_authentication_enabled": false, "vpc_security_group_ids": [],
        "db_subnet_group_name": c["DBSubnetGroup"],
        "db_cluster_parameter_group_name": c["DBClusterParameterGroup"],
        "engine": "aurora-postgresql", "engine_mode": "provisioned", "engine_version": "12",
        "database_name": "app", "master_username": "admin", "master_password": PASSWORD,
        "port": 5432, "backup_retention_period": c["BackupRetentionPeriod"],
        "preferred_backup_window": c["PreferredBackupWindow"],
        "preferred_maintenance_window": c["PreferredMaintenanceWindow"],
        "copy_tags_to_snapshot": false, "enabled_cloudwatch_logs_exports": [],
        "availability_zones": c["AvailabilityZones"], "cluster_members": [],
        "skip_final_snapshot": true, "tags": tags(), "tags_all": tags(),
    })
}

fn cluster_instance_state(i: &Value) -> Value {
    json!({
        "id": i["DBInstanceIdentifier"], "identifier": i["DBInstanceIdentifier"],
        "cluster_identifier": "aurora", "arn": i["DBInstanceArn"],
        "publicly_accessible": false, "instance_class": "db.r6g.large",
        "engine": "aurora-postgresql", "engine_version": "12",
        "db_parameter_group_name": i["DBParameterGroups"][0]["DBParameterGroupName"],
        "ca_cert_identifier": i["CACertificateIdentifier"], "auto_minor_version_upgrade": true,
        "promotion_tier": i["PromotionTier"],
        "preferred_maintenance_window": i["PreferredMaintenanceWindow"],
        "preferred_backup_window": i["PreferredBackupWindow"],
        "copy_tags_to_snapshot": false, "monitoring_interval": 0,
        "performance_insights_enabled": false, "storage_encrypted": true,
        "tags": tags(), "tags_all": tags(),
    })
}

fn db_subnet_group_state(name: &str, subnets: &Value) -> Value {
    json!({
        "id": name, "name": name, "name_prefix": "",
        "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:subgrp:{name}"),
        "description": "Managed by Terraform", "subnet_ids": subnets,
        "supported_network_types": ["IPV4"], "tags": tags(), "tags_all": tags(),
    })
}

fn parameter_group_state(name: &str) -> Value {
    json!({
        "id": name, "name": name, "name_prefix": "", "family": "postgres16",
        "arn": format!("arn:aws:rds:{REGION}:{ACCOUNT}:pg:{name}"),
        "description": "Managed by Terraform", "skip_destroy": false,
        "parameter": [{"name": "log_connections", "value": "1", "apply_method": "immediate"}],
        "tags": tags(), "tags_all": tags(),
    })
}

#[test]
fn rds_in_sync_then_each_out_of_band_change_is_found() {
    const TYPES: [&str; 5] = [
        "aws_db_instance",
        "aws_rds_cluster",
        "aws_rds_cluster_instance",
        "aws_db_subnet_group",
        "aws_db_parameter_group",
    ];
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-rds");
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            ec2 = client("ec2")
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{{n}}.0/24",
                AvailabilityZone=f"{REGION}{{z}}")["Subnet"]["SubnetId"]
                for n, z in [(1, "a"), (2, "b")]]
            out["subnets"] = subnets
            rds = client("rds")
            tags = [{{"Key": "Team", "Value": "data"}}]
            for name in ["main", "gone-subnets"]:
                rds.create_db_subnet_group(DBSubnetGroupName=name, SubnetIds=subnets,
                    DBSubnetGroupDescription="Managed by Terraform", Tags=tags)
            for name in ["pg", "gone-pg"]:
                rds.create_db_parameter_group(DBParameterGroupName=name,
                    DBParameterGroupFamily="postgres16", Description="Managed by Terraform",
                    Tags=tags)
                rds.modify_db_parameter_group(DBParameterGroupName=name, Parameters=[
                    {{"ParameterName": "log_connections", "ParameterValue": "1",
                      "ApplyMethod": "immediate"}}])
            for name, protect in [("orders", True), ("gone-db", False)]:
                out[name] = rds.create_db_instance(DBInstanceIdentifier=name,
                    DBInstanceClass="db.t3.micro", Engine="postgres", EngineVersion="16.3",
                    AllocatedStorage=20, StorageType="gp2", MasterUsername="app",
                    MasterUserPassword={PASSWORD:?}, DBName="orders", DBSubnetGroupName="main",
                    DBParameterGroupName="pg", StorageEncrypted=True, DeletionProtection=protect,
                    PubliclyAccessible=False, Tags=tags)["DBInstance"]
            for name, protect in [("aurora", True), ("gone-cluster", False)]:
                out[name] = rds.create_db_cluster(DBClusterIdentifier=name,
                    Engine="aurora-postgresql", EngineVersion="12.7", MasterUsername="admin",
                    MasterUserPassword={PASSWORD:?}, DatabaseName="app", StorageEncrypted=True,
                    DeletionProtection=protect, Tags=tags)["DBCluster"]
            for name in ["aurora-1", "aurora-2"]:
                out[name] = rds.create_db_instance(DBInstanceIdentifier=name,
                    DBClusterIdentifier="aurora", DBInstanceClass="db.r6g.large",
                    Engine="aurora-postgresql", PubliclyAccessible=False, Tags=tags)["DBInstance"]
            "#
        ),
    )
    .expect("seed rds");
    let subnets = seeded["subnets"].clone();
    let v5_id = seeded["orders"]["DbiResourceId"]
        .as_str()
        .expect("resource id");
    let mut state = TfState::new();
    // provider v5: the id is the resource id; v4: the identifier.
    state.add(
        None,
        "aws_db_instance",
        "orders",
        None,
        db_instance_state(v5_id, &seeded["orders"]),
    );
    state.add(
        None,
        "aws_db_instance",
        "gone",
        None,
        db_instance_state("gone-db", &seeded["gone-db"]),
    );
    for name in ["aurora", "gone-cluster"] {
        state.add(
            None,
            "aws_rds_cluster",
            name,
            None,
            cluster_state(&seeded[name]),
        );
    }
    for name in ["aurora-1", "aurora-2"] {
        state.add(
            None,
            "aws_rds_cluster_instance",
            name,
            None,
            cluster_instance_state(&seeded[name]),
        );
    }
    for name in ["main", "gone-subnets"] {
        state.add(
            None,
            "aws_db_subnet_group",
            name,
            None,
            db_subnet_group_state(name, &subnets),
        );
    }
    for name in ["pg", "gone-pg"] {
        state.add(
            None,
            "aws_db_parameter_group",
            name,
            None,
            parameter_group_state(name),
        );
    }
    state
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &TYPES, ""),
    );

    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["summary"]["managed"], json!(10));
    // One DescribeDBInstances (tags in its TagList) per instance type, one DescribeDBClusters;
    // the subnet groups take a ListTagsForResource each, the parameter groups a
    // DescribeDBParameters and a ListTagsForResource each (moto's default.* group is not read).
    assert_eq!(api_calls(&run.stderr, "aws_db_instance"), Some(1));
    assert_eq!(api_calls(&run.stderr, "aws_rds_cluster"), Some(1));
    assert_eq!(api_calls(&run.stderr, "aws_rds_cluster_instance"), Some(1));
    assert_eq!(api_calls(&run.stderr, "aws_db_subnet_group"), Some(1 + 2));
    assert_eq!(
        api_calls(&run.stderr, "aws_db_parameter_group"),
        Some(1 + 2 * 2)
    );

    boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            rds = client("rds")
            rds.modify_db_instance(DBInstanceIdentifier="orders", PubliclyAccessible=True,
                ApplyImmediately=True)
            rds.modify_db_cluster(DBClusterIdentifier="aurora", DeletionProtection=False,
                ApplyImmediately=True)
            rds.modify_db_instance(DBInstanceIdentifier="aurora-1",
                DBInstanceClass="db.r6g.xlarge", ApplyImmediately=True)
            rds.add_tags_to_resource(ResourceName="arn:aws:rds:{REGION}:{ACCOUNT}:subgrp:main",
                Tags=[{{"Key": "Team", "Value": "other"}}])
            rds.modify_db_parameter_group(DBParameterGroupName="pg", Parameters=[
                {{"ParameterName": "log_connections", "ParameterValue": "0",
                  "ApplyMethod": "immediate"}}])
            rds.delete_db_instance(DBInstanceIdentifier="gone-db", SkipFinalSnapshot=True)
            rds.delete_db_instance(DBInstanceIdentifier="aurora-2", SkipFinalSnapshot=True)
            rds.delete_db_cluster(DBClusterIdentifier="gone-cluster", SkipFinalSnapshot=True)
            rds.delete_db_subnet_group(DBSubnetGroupName="gone-subnets")
            rds.delete_db_parameter_group(DBParameterGroupName="gone-pg")
            rds.create_db_instance(DBInstanceIdentifier="byhand-db", DBInstanceClass="db.t3.micro",
                Engine="postgres", AllocatedStorage=20, MasterUsername="app",
                MasterUserPassword={PASSWORD:?})
            rds.create_db_cluster(DBClusterIdentifier="byhand-cluster", Engine="aurora-postgresql",
                MasterUsername="admin", MasterUserPassword={PASSWORD:?})
            rds.create_db_instance(DBInstanceIdentifier="aurora-byhand",
                DBClusterIdentifier="aurora", DBInstanceClass="db.r6g.large",
                Engine="aurora-postgresql")
            rds.create_db_subnet_group(DBSubnetGroupName="byhand-subnets",
                DBSubnetGroupDescription="by hand", SubnetIds=[{first:?}])
            rds.create_db_parameter_group(DBParameterGroupName="byhand-pg",
                DBParameterGroupFamily="postgres16", Description="by hand")
            "#,
            first = subnets[0].as_str().expect("subnet"),
        ),
    )
    .expect("drift");
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    let mut got = findings(&report);
    got.sort();
    let mut want = vec![
        finding(
            "changed",
            "critical",
            "aws_db_instance",
            v5_id,
            &["publicly_accessible"],
        ),
        finding(
            "changed",
            "critical",
            "aws_rds_cluster",
            "aurora",
            &["deletion_protection"],
        ),
        finding(
            "changed",
            "warning",
            "aws_rds_cluster_instance",
            "aurora-1",
            &["instance_class"],
        ),
        finding(
            "changed",
            "info",
            "aws_db_subnet_group",
            "main",
            &["tags.Team"],
        ),
        finding(
            "changed",
            "warning",
            "aws_db_parameter_group",
            "pg",
            &["parameter"],
        ),
        finding("missing", "critical", "aws_db_instance", "gone-db", &[]),
        finding(
            "missing",
            "critical",
            "aws_rds_cluster",
            "gone-cluster",
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_rds_cluster_instance",
            "aurora-2",
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_db_subnet_group",
            "gone-subnets",
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_db_parameter_group",
            "gone-pg",
            &[],
        ),
        finding("unmanaged", "warning", "aws_db_instance", "byhand-db", &[]),
        finding(
            "unmanaged",
            "warning",
            "aws_rds_cluster",
            "byhand-cluster",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_rds_cluster_instance",
            "aurora-byhand",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_db_subnet_group",
            "byhand-subnets",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_db_parameter_group",
            "byhand-pg",
            &[],
        ),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));
}

fn cache_cluster_state(id: &str, node_type: &str) -> Value {
    json!({
        "id": id, "cluster_id": id, "engine": "redis", "engine_version": "7.1",
        "arn": format!("arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:{id}"),
        "node_type": node_type, "num_cache_nodes": 1, "subnet_group_name": "cache",
        "security_group_ids": [], "snapshot_retention_limit": 0,
        "transit_encryption_enabled": false, "replication_group_id": null,
        "notification_topic_arn": null, "apply_immediately": null,
        "tags": tags(), "tags_all": tags(),
    })
}

fn replication_group_state(id: &str, at_rest: bool) -> Value {
    json!({
        "id": id, "replication_group_id": id, "description": "session store",
        "arn": format!("arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:{id}"),
        "node_type": "cache.t3.micro", "num_cache_clusters": 1, "num_node_groups": 1,
        "automatic_failover_enabled": false, "multi_az_enabled": false,
        "at_rest_encryption_enabled": at_rest, "transit_encryption_enabled": true,
        "kms_key_id": "", "auth_token": PASSWORD, "snapshot_retention_limit": 0,
        "cluster_mode": "disabled", "port": 6379, "engine": "redis",
        "tags": tags(), "tags_all": tags(),
    })
}

fn cache_subnet_group_state(name: &str, subnets: &Value) -> Value {
    json!({
        "id": name, "name": name, "description": "Managed by Terraform",
        "arn": format!("arn:aws:elasticache:{REGION}:{ACCOUNT}:subnetgroup:{name}"),
        "subnet_ids": subnets, "tags": tags(), "tags_all": tags(),
    })
}

#[test]
fn elasticache_in_sync_then_each_out_of_band_change_is_found() {
    const TYPES: [&str; 3] = [
        "aws_elasticache_replication_group",
        "aws_elasticache_cluster",
        "aws_elasticache_subnet_group",
    ];
    let moto = Moto::start().expect("moto");
    let endpoint = moto.endpoint();
    let dir = TempDir::new("aws-types-elasticache");
    let seeded = boto3(
        &endpoint,
        REGION,
        &format!(
            r#"
            ec2 = client("ec2")
            vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
            subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24",
                AvailabilityZone="{REGION}a")["Subnet"]["SubnetId"]
            out["subnets"] = [subnet]
            ec = client("elasticache")
            tags = [{{"Key": "Team", "Value": "data"}}]
            ec.create_cache_subnet_group(CacheSubnetGroupName="cache", SubnetIds=[subnet],
                CacheSubnetGroupDescription="Managed by Terraform", Tags=tags)
            for name in ["sessions", "gone-cache"]:
                ec.create_cache_cluster(CacheClusterId=name, Engine="redis",
                    CacheNodeType="cache.t3.micro", NumCacheNodes=1,
                    CacheSubnetGroupName="cache", Tags=tags)
            for name in ["store", "gone-store"]:
                ec.create_replication_group(ReplicationGroupId=name,
                    ReplicationGroupDescription="session store", CacheNodeType="cache.t3.micro",
                    NumCacheClusters=1, AtRestEncryptionEnabled=name != "store",
                    TransitEncryptionEnabled=True, Tags=tags)
            "#
        ),
    )
    .expect("seed elasticache");
    let subnets = seeded["subnets"].clone();
    // The state as Terraform wrote it: `applied_node_type` for "sessions", encryption at rest
    // `store_at_rest` for "store".
    let write_state = |applied_node_type: &str, store_at_rest: bool| {
        let mut state = TfState::new();
        for name in ["sessions", "gone-cache"] {
            let node_type = if name == "sessions" {
                applied_node_type
            } else {
                "cache.t3.micro"
            };
            state.add(
                None,
                "aws_elasticache_cluster",
                name,
                None,
                cache_cluster_state(name, node_type),
            );
        }
        for name in ["store", "gone-store"] {
            state.add(
                None,
                "aws_elasticache_replication_group",
                name,
                None,
                replication_group_state(name, name != "store" || store_at_rest),
            );
        }
        // moto cannot delete a cache subnet group: "gone" is one it never had.
        for name in ["cache", "gone"] {
            state.add(
                None,
                "aws_elasticache_subnet_group",
                name,
                None,
                cache_subnet_group_state(name, &subnets),
            );
        }
        state
            .write(&dir.path().join("terraform.tfstate"))
            .expect("write state");
    };
    write_state("cache.t3.micro", false);
    dir.write(
        "driftd.toml",
        &config_for_types(&endpoint, &[REGION], &TYPES, ""),
    );

    // Before the drift, "gone" is the only finding: the rest is in sync.
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    assert_eq!(
        findings(&report),
        vec![finding(
            "missing",
            "critical",
            "aws_elasticache_subnet_group",
            "gone",
            &[]
        )],
        "stderr: {}",
        run.stderr
    );
    // One describe call each, then one ListTagsForResource per resource read.
    assert_eq!(
        api_calls(&run.stderr, "aws_elasticache_cluster"),
        Some(1 + 2)
    );
    assert_eq!(
        api_calls(&run.stderr, "aws_elasticache_replication_group"),
        Some(1 + 2)
    );

    boto3(
        &endpoint,
        REGION,
        r#"
        ec = client("elasticache")
        arn = ec.describe_cache_subnet_groups(CacheSubnetGroupName="cache")["CacheSubnetGroups"][0]["ARN"]
        ec.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "Team", "Value": "other"}])
        ec.delete_cache_cluster(CacheClusterId="gone-cache")
        ec.delete_replication_group(ReplicationGroupId="gone-store")
        ec.create_cache_cluster(CacheClusterId="byhand", Engine="memcached",
            CacheNodeType="cache.t3.micro", NumCacheNodes=1)
        ec.create_replication_group(ReplicationGroupId="byhand-store",
            ReplicationGroupDescription="by hand", CacheNodeType="cache.t3.micro",
            NumCacheClusters=1)
        subnet = ec.describe_cache_subnet_groups(CacheSubnetGroupName="cache")["CacheSubnetGroups"][0]["Subnets"][0]["SubnetIdentifier"]
        ec.create_cache_subnet_group(CacheSubnetGroupName="byhand-subnets",
            CacheSubnetGroupDescription="by hand", SubnetIds=[subnet])
        "#,
    )
    .expect("drift");
    // No ModifyCacheCluster nor ModifyReplicationGroup in moto: Terraform's last apply is what
    // differs (a larger node type, encryption at rest), as if the cluster had been scaled down
    // and the group recreated without encryption by hand.
    write_state("cache.t3.small", true);
    let run = driftd(dir.path(), &["-v", "check", "--format", "json"]);
    let report = run.json();
    let mut got = findings(&report);
    got.sort();
    let mut want = vec![
        finding(
            "changed",
            "warning",
            "aws_elasticache_cluster",
            "sessions",
            &["node_type"],
        ),
        finding(
            "changed",
            "critical",
            "aws_elasticache_replication_group",
            "store",
            &["at_rest_encryption_enabled"],
        ),
        finding(
            "changed",
            "info",
            "aws_elasticache_subnet_group",
            "cache",
            &["tags.Team"],
        ),
        finding(
            "missing",
            "critical",
            "aws_elasticache_cluster",
            "gone-cache",
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_elasticache_replication_group",
            "gone-store",
            &[],
        ),
        finding(
            "missing",
            "critical",
            "aws_elasticache_subnet_group",
            "gone",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_elasticache_cluster",
            "byhand",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_elasticache_replication_group",
            "byhand-store",
            &[],
        ),
        finding(
            "unmanaged",
            "warning",
            "aws_elasticache_subnet_group",
            "byhand-subnets",
            &[],
        ),
    ];
    want.sort();
    assert_eq!(got, want, "stderr: {}", run.stderr);
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    assert!(!run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD));
}
