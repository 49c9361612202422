//! Seeds S3 buckets (with versioning, encryption and a public access block), an IAM role with a
//! trust policy, a customer-managed policy attached to it, and a security group with a legacy
//! `aws_security_group_rule` through the real SDK clients, and writes the state Terraform would
//! have written for them: its attribute shapes, its ids (`sgrule-<hash>`, the timestamped
//! attachment id), and its JSON text for documents (`jsonencode`: compact, keys sorted), which
//! differs from what IAM returns.

use crate::seed::TfState;
use anyhow::{Context, Result};
use aws_config::{BehaviorVersion, Region};
use aws_sdk_ec2::config::Credentials;
use aws_sdk_ec2::types::{IpPermission, IpRange};
use serde_json::{json, Value};

/// The trust policy as the code writes it (`jsonencode`).
pub const TRUST: &str = r#"{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#;
/// The same trust policy as a person pastes it into the console: other whitespace and order,
/// a list where the code has a string.
const TRUST_AS_SENT: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\n    \
    \"Effect\": \"Allow\",\n    \"Principal\": {\"Service\": [\"ec2.amazonaws.com\"]},\n    \
    \"Action\": [\"sts:AssumeRole\"]\n  }]\n}";
pub const POLICY: &str = r#"{"Statement":[{"Action":["s3:GetObject","s3:ListBucket"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#;
const POLICY_AS_SENT: &str = r#"{"Version": "2012-10-17", "Statement": {"Resource": "*", "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"]}}"#;

async fn sdk_config(endpoint: &str, region: &str) -> aws_config::SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            crate::ACCESS_KEY,
            crate::SECRET_KEY,
            None,
            None,
            "driftd-testkit",
        ))
        .load()
        .await
}

/// An S3 client for an emulator: path-style, as one host serves every bucket.
pub async fn s3_client(endpoint: &str, region: &str) -> aws_sdk_s3::Client {
    let conf = sdk_config(endpoint, region).await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&conf)
            .force_path_style(true)
            .build(),
    )
}

pub async fn iam_client(endpoint: &str) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(&sdk_config(endpoint, "us-east-1").await)
}

/// What [`seed_s3_iam`] created.
#[derive(Debug, Clone)]
pub struct SeededS3Iam {
    pub bucket: String,
    pub role: String,
    pub policy_arn: String,
    /// Terraform's id of the attachment (role name and a timestamp).
    pub attachment_id: String,
    pub group_id: String,
    /// Terraform's id of the legacy rule (two CIDRs on 443).
    pub rule_id: String,
}

/// Creates the resources in `region` (and IAM) and adds them to `state`.
pub async fn seed_s3_iam(
    endpoint: &str,
    region: &str,
    ec2: &aws_sdk_ec2::Client,
    state: &mut TfState,
) -> Result<SeededS3Iam> {
    let s3 = s3_client(endpoint, region).await;
    let iam = iam_client(endpoint).await;
    let bucket = "driftd-logs".to_string();

    let mut create = s3.create_bucket().bucket(&bucket);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(region.into())
                .build(),
        );
    }
    create.send().await.context("create bucket")?;
    use aws_sdk_s3::types as s3t;
    s3.put_bucket_tagging()
        .bucket(&bucket)
        .tagging(
            s3t::Tagging::builder()
                .tag_set(s3t::Tag::builder().key("Env").value("prod").build()?)
                .build()?,
        )
        .send()
        .await
        .context("tag bucket")?;
    s3.put_bucket_versioning()
        .bucket(&bucket)
        .versioning_configuration(
            s3t::VersioningConfiguration::builder()
                .status(s3t::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .context("enable versioning")?;
    s3.put_bucket_encryption()
        .bucket(&bucket)
        .server_side_encryption_configuration(
            s3t::ServerSideEncryptionConfiguration::builder()
                .rules(
                    s3t::ServerSideEncryptionRule::builder()
                        .apply_server_side_encryption_by_default(
                            s3t::ServerSideEncryptionByDefault::builder()
                                .sse_algorithm(s3t::ServerSideEncryption::Aes256)
                                .build()?,
                        )
                        .build(),
                )
                .build()?,
        )
        .send()
        .await
        .context("encrypt bucket")?;
    s3.put_public_access_block()
        .bucket(&bucket)
        .public_access_block_configuration(
            s3t::PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .context("block public access")?;
    let arn = format!("arn:aws:s3:::{bucket}");
    state.add(
        None,
        "aws_s3_bucket",
        "logs",
        None,
        json!({"id": bucket, "bucket": bucket, "arn": arn, "region": region,
               "force_destroy": false, "object_lock_enabled": false,
               "tags": {"Env": "prod"}, "tags_all": {"Env": "prod"},
               // Stale computed copies, as right after the first apply: not compared.
               "versioning": [{"enabled": false, "mfa_delete": false}],
               "server_side_encryption_configuration": []}),
    );
    state.add(
        None,
        "aws_s3_bucket_versioning",
        "logs",
        None,
        json!({"id": bucket, "bucket": bucket, "expected_bucket_owner": "", "mfa": null,
               "versioning_configuration": [{"mfa_delete": "", "status": "Enabled"}]}),
    );
    state.add(
        None,
        "aws_s3_bucket_server_side_encryption_configuration",
        "logs",
        None,
        json!({"id": bucket, "bucket": bucket, "expected_bucket_owner": "",
               "rule": [{"apply_server_side_encryption_by_default":
                            [{"kms_master_key_id": "", "sse_algorithm": "AES256"}],
                         "bucket_key_enabled": false}]}),
    );
    state.add(
        None,
        "aws_s3_bucket_public_access_block",
        "logs",
        None,
        json!({"id": bucket, "bucket": bucket, "block_public_acls": true,
               "block_public_policy": true, "ignore_public_acls": true,
               "restrict_public_buckets": true}),
    );

    let role = "app".to_string();
    let created = iam
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(TRUST_AS_SENT)
        .send()
        .await
        .context("create role")?;
    let role_arn = created
        .role()
        .map(|r| r.arn().to_string())
        .unwrap_or_default();
    state.add(
        None,
        "aws_iam_role",
        "app",
        None,
        json!({"id": role, "name": role, "arn": role_arn, "path": "/", "description": "",
               "assume_role_policy": TRUST, "max_session_duration": 3600,
               "permissions_boundary": null, "force_detach_policies": false,
               "tags": {}, "tags_all": {}}),
    );
    let policy = iam
        .create_policy()
        .policy_name("read")
        .policy_document(POLICY_AS_SENT)
        .send()
        .await
        .context("create policy")?;
    let policy_arn = policy
        .policy()
        .and_then(|p| p.arn())
        .context("policy ARN")?
        .to_string();
    state.add(
        None,
        "aws_iam_policy",
        "read",
        None,
        json!({"id": policy_arn, "arn": policy_arn, "name": "read", "path": "/",
               "description": "", "policy": POLICY, "tags": null, "tags_all": {}}),
    );
    iam.attach_role_policy()
        .role_name(&role)
        .policy_arn(&policy_arn)
        .send()
        .await
        .context("attach policy")?;
    let attachment_id = format!("{role}-20241123190000000000000001");
    state.add(
        None,
        "aws_iam_role_policy_attachment",
        "read",
        None,
        json!({"id": attachment_id, "role": role, "policy_arn": policy_arn}),
    );

    let vpc_id = ec2
        .describe_vpcs()
        .send()
        .await
        .context("describe VPCs")?
        .vpcs()
        .iter()
        .find(|v| v.is_default() == Some(true))
        .and_then(|v| v.vpc_id())
        .context("moto's default VPC")?
        .to_string();
    let group_id = ec2
        .create_security_group()
        .group_name("api")
        .description("api")
        .vpc_id(&vpc_id)
        .send()
        .await
        .context("create security group")?
        .group_id()
        .context("group id")?
        .to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&group_id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("10.0.0.0/8")
                        .description("https")
                        .build(),
                )
                .ip_ranges(
                    IpRange::builder()
                        .cidr_ip("192.168.0.0/16")
                        .description("https")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .context("authorize ingress")?;
    let rule_id = "sgrule-2632412337".to_string();
    state.add(
        None,
        "aws_security_group_rule",
        "https",
        None,
        json!({"id": rule_id, "security_group_id": group_id, "type": "ingress",
               "protocol": "tcp", "from_port": 443, "to_port": 443,
               "cidr_blocks": ["10.0.0.0/8", "192.168.0.0/16"], "ipv6_cidr_blocks": null,
               "prefix_list_ids": null, "source_security_group_id": null, "self": false,
               "description": "https", "security_group_rule_id": "sgr-0123456789abcdef0",
               "timeouts": null}),
    );

    Ok(SeededS3Iam {
        bucket,
        role,
        policy_arn,
        attachment_id,
        group_id,
        rule_id,
    })
}

/// Out of band, one change per seeded resource: the bucket retagged, its public access block
/// turned off (public), versioning suspended, encryption switched to KMS, the trust policy opened
/// to every AWS principal, the policy detached, one of the rule's CIDRs revoked; and an unmanaged
/// role and bucket created. Returns the unmanaged bucket's name.
pub async fn drift_s3_iam(
    endpoint: &str,
    region: &str,
    ec2: &aws_sdk_ec2::Client,
    seeded: &SeededS3Iam,
) -> Result<String> {
    use aws_sdk_s3::types as s3t;
    let s3 = s3_client(endpoint, region).await;
    let iam = iam_client(endpoint).await;
    let bucket = &seeded.bucket;
    s3.put_bucket_tagging()
        .bucket(bucket)
        .tagging(
            s3t::Tagging::builder()
                .tag_set(s3t::Tag::builder().key("Env").value("dev").build()?)
                .build()?,
        )
        .send()
        .await
        .context("retag bucket")?;
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            s3t::PublicAccessBlockConfiguration::builder()
                .block_public_acls(false)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .context("open public access block")?;
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            s3t::VersioningConfiguration::builder()
                .status(s3t::BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .context("suspend versioning")?;
    iam.update_assume_role_policy()
        .role_name(&seeded.role)
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}"#,
        )
        .send()
        .await
        .context("open trust policy")?;
    iam.detach_role_policy()
        .role_name(&seeded.role)
        .policy_arn(&seeded.policy_arn)
        .send()
        .await
        .context("detach policy")?;
    ec2.revoke_security_group_ingress()
        .group_id(&seeded.group_id)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(443)
                .to_port(443)
                .ip_ranges(IpRange::builder().cidr_ip("192.168.0.0/16").build())
                .build(),
        )
        .send()
        .await
        .context("revoke one CIDR")?;
    iam.create_role()
        .role_name("byhand")
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .context("create unmanaged role")?;
    let unmanaged = "byhand-bucket".to_string();
    let mut create = s3.create_bucket().bucket(&unmanaged);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(region.into())
                .build(),
        );
    }
    create.send().await.context("create unmanaged bucket")?;
    Ok(unmanaged)
}

/// The state attributes of `v` as `jsonencode` writes a document.
pub fn jsonencode(v: &Value) -> String {
    v.to_string()
}
