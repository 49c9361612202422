//! Seeds IAM users, groups and their memberships, an instance profile, an inline role policy,
//! user, group and exclusive policy attachments, and a bucket with a policy, an ACL, a lifecycle
//! configuration and access logging, through the real SDK clients, and writes the state
//! Terraform would have written for them: its ids (`role:policy`, the timestamped attachment
//! ids, a membership's and an exclusive attachment's own names, `bucket,private` for an ACL set
//! by a canned name), its zero values, and `jsonencode`d documents that differ in form from
//! what IAM and S3 return.

use crate::seed::TfState;
use crate::seed_s3_iam::{iam_client, s3_client, TRUST};
use anyhow::{Context, Result};
use aws_sdk_s3::types as s3t;
use serde_json::json;

/// An inline policy as the code writes it (`jsonencode`) and as a person sent it.
const INLINE: &str = r#"{"Statement":[{"Action":"sqs:SendMessage","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}"#;
const INLINE_AS_SENT: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}]}"#;
const MANAGED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

/// The bucket policy as Terraform's state holds it and as S3 was sent it.
fn bucket_policy(bucket: &str, principal: &str) -> String {
    format!(
        r#"{{"Statement":[{{"Action":"s3:GetObject","Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Resource":"arn:aws:s3:::{bucket}/*","Sid":"read"}}],"Version":"2012-10-17"}}"#
    )
}

/// What [`seed_iam_s3_more`] created.
#[derive(Debug, Clone)]
pub struct SeededMore {
    pub user: String,
    pub group: String,
    pub role: String,
    pub profile: String,
    pub read_arn: String,
    pub audit_arn: String,
    pub bucket: String,
    pub log_bucket: String,
    /// Terraform's ids of the user and group attachments (name and a timestamp).
    pub user_attachment_id: String,
    pub group_attachment_id: String,
}

async fn create_bucket(s3: &aws_sdk_s3::Client, name: &str, region: &str) -> Result<()> {
    let mut create = s3.create_bucket().bucket(name);
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            s3t::CreateBucketConfiguration::builder()
                .location_constraint(region.into())
                .build(),
        );
    }
    create.send().await.context("create bucket")?;
    Ok(())
}

fn lifecycle(days: i32) -> Result<s3t::BucketLifecycleConfiguration> {
    Ok(s3t::BucketLifecycleConfiguration::builder()
        .rules(
            s3t::LifecycleRule::builder()
                .id("expire-tmp")
                .status(s3t::ExpirationStatus::Enabled)
                .filter(s3t::LifecycleRuleFilter::builder().prefix("tmp/").build())
                .expiration(s3t::LifecycleExpiration::builder().days(days).build())
                .build()?,
        )
        .build()?)
}

/// Creates the resources (IAM, and the buckets in `region`) and adds them to `state`.
pub async fn seed_iam_s3_more(
    endpoint: &str,
    region: &str,
    state: &mut TfState,
) -> Result<SeededMore> {
    let iam = iam_client(endpoint).await;
    let s3 = s3_client(endpoint, region).await;
    let (user, group, role, profile) = ("deploy", "ops", "web", "web");

    let arn = iam
        .create_user()
        .user_name(user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("Team")
                .value("ci")
                .build()?,
        )
        .send()
        .await
        .context("create user")?
        .user()
        .map(|u| u.arn().to_string())
        .unwrap_or_default();
    state.add(
        None,
        "aws_iam_user",
        "deploy",
        None,
        json!({"id": user, "name": user, "arn": arn, "path": "/", "force_destroy": false,
               "permissions_boundary": "", "tags": {"Team": "ci"}, "tags_all": {"Team": "ci"}}),
    );
    iam.create_group()
        .group_name(group)
        .send()
        .await
        .context("create group")?;
    state.add(
        None,
        "aws_iam_group",
        "ops",
        None,
        json!({"id": group, "name": group, "path": "/"}),
    );
    // A second group, deleted out of band: moto's UpdateGroup moves a group to another path
    // only when it renames it too, so no change of `aws_iam_group` can be made in place.
    iam.create_group()
        .group_name("interns")
        .send()
        .await
        .context("create group")?;
    state.add(
        None,
        "aws_iam_group",
        "interns",
        None,
        json!({"id": "interns", "name": "interns", "path": "/"}),
    );
    iam.add_user_to_group()
        .group_name(group)
        .user_name(user)
        .send()
        .await
        .context("add user to group")?;
    state.add(
        None,
        "aws_iam_group_membership",
        "ops",
        None,
        json!({"id": "ops-team", "name": "ops-team", "group": group, "users": [user]}),
    );

    iam.create_role()
        .role_name(role)
        .assume_role_policy_document(TRUST)
        .send()
        .await
        .context("create role")?;
    iam.create_instance_profile()
        .instance_profile_name(profile)
        .send()
        .await
        .context("create instance profile")?;
    iam.add_role_to_instance_profile()
        .instance_profile_name(profile)
        .role_name(role)
        .send()
        .await
        .context("add role to profile")?;
    state.add(
        None,
        "aws_iam_instance_profile",
        "web",
        None,
        json!({"id": profile, "name": profile, "path": "/", "role": role,
               "tags": {}, "tags_all": {}}),
    );
    iam.put_role_policy()
        .role_name(role)
        .policy_name("queue")
        .policy_document(INLINE_AS_SENT)
        .send()
        .await
        .context("put inline policy")?;
    state.add(
        None,
        "aws_iam_role_policy",
        "queue",
        None,
        json!({"id": format!("{role}:queue"), "name": "queue", "name_prefix": "",
               "role": role, "policy": INLINE}),
    );

    let mut arns = Vec::new();
    for name in ["read", "audit"] {
        let p = iam
            .create_policy()
            .policy_name(name)
            .policy_document(MANAGED)
            .send()
            .await
            .context("create policy")?;
        arns.push(
            p.policy()
                .and_then(|p| p.arn())
                .context("policy ARN")?
                .to_string(),
        );
    }
    let (read_arn, audit_arn) = (arns[0].clone(), arns[1].clone());
    iam.attach_user_policy()
        .user_name(user)
        .policy_arn(&read_arn)
        .send()
        .await
        .context("attach user policy")?;
    let user_attachment_id = format!("{user}-20241123190000000000000002");
    state.add(
        None,
        "aws_iam_user_policy_attachment",
        "read",
        None,
        json!({"id": user_attachment_id, "user": user, "policy_arn": read_arn}),
    );
    iam.attach_group_policy()
        .group_name(group)
        .policy_arn(&read_arn)
        .send()
        .await
        .context("attach group policy")?;
    let group_attachment_id = format!("{group}-20241123190000000000000003");
    state.add(
        None,
        "aws_iam_group_policy_attachment",
        "read",
        None,
        json!({"id": group_attachment_id, "group": group, "policy_arn": read_arn}),
    );
    iam.attach_role_policy()
        .role_name(role)
        .policy_arn(&audit_arn)
        .send()
        .await
        .context("attach audit policy")?;
    state.add(
        None,
        "aws_iam_policy_attachment",
        "audit",
        None,
        json!({"id": "audit-everywhere", "name": "audit-everywhere", "policy_arn": audit_arn,
               "users": [], "roles": [role], "groups": []}),
    );
    // `read` is attached exclusively too, in the code's eyes: its state lists every holder.
    state.add(
        None,
        "aws_iam_policy_attachment",
        "read",
        None,
        json!({"id": "read-everywhere", "name": "read-everywhere", "policy_arn": read_arn,
               "users": [user], "roles": [], "groups": [group]}),
    );

    let (bucket, log_bucket) = ("driftd-site".to_string(), "driftd-audit".to_string());
    create_bucket(&s3, &bucket, region).await?;
    create_bucket(&s3, &log_bucket, region).await?;
    let owner_principal = format!("arn:aws:iam::{}:root", crate::ACCOUNT_ID);
    s3.put_bucket_policy()
        .bucket(&bucket)
        .policy(
            json!({"Version": "2012-10-17", "Statement": [{"Sid": "read", "Effect": "Allow",
                   "Principal": {"AWS": [owner_principal]}, "Action": ["s3:GetObject"],
                   "Resource": [format!("arn:aws:s3:::{bucket}/*")]}]})
            .to_string(),
        )
        .send()
        .await
        .context("put bucket policy")?;
    state.add(
        None,
        "aws_s3_bucket_policy",
        "site",
        None,
        json!({"id": bucket, "bucket": bucket, "policy": bucket_policy(&bucket, &owner_principal)}),
    );
    s3.put_bucket_acl()
        .bucket(&bucket)
        .acl(s3t::BucketCannedAcl::Private)
        .send()
        .await
        .context("put bucket ACL")?;
    // What Terraform reads back after applying `acl = "private"`: the owner's full control.
    let acl = s3.get_bucket_acl().bucket(&bucket).send().await?;
    let owner = acl.owner().context("bucket owner")?;
    // S3 names the grantee as it names the owner; moto leaves the grantee's name out.
    let grantee_name = acl
        .grants()
        .iter()
        .find_map(|g| g.grantee().and_then(|g| g.display_name()))
        .unwrap_or("");
    let owner_block = json!([{"display_name": owner.display_name().unwrap_or(""),
                              "id": owner.id().unwrap_or("")}]);
    state.add(
        None,
        "aws_s3_bucket_acl",
        "site",
        None,
        json!({"id": format!("{bucket},private"), "bucket": bucket, "acl": "private",
               "expected_bucket_owner": "",
               "access_control_policy": [{
                   "grant": [{"grantee": [{"display_name": grantee_name,
                                           "email_address": "", "id": owner.id().unwrap_or(""),
                                           "type": "CanonicalUser", "uri": ""}],
                              "permission": "FULL_CONTROL"}],
                   "owner": owner_block}]}),
    );
    s3.put_bucket_lifecycle_configuration()
        .bucket(&bucket)
        .lifecycle_configuration(lifecycle(30)?)
        .send()
        .await
        .context("put lifecycle configuration")?;
    state.add(
        None,
        "aws_s3_bucket_lifecycle_configuration",
        "site",
        None,
        json!({"id": bucket, "bucket": bucket, "expected_bucket_owner": "",
               "transition_default_minimum_object_size": "all_storage_classes_128K",
               "rule": [{"id": "expire-tmp", "status": "Enabled", "prefix": "",
                         "filter": [{"prefix": "tmp/", "object_size_greater_than": null,
                                     "object_size_less_than": null, "and": [], "tag": []}],
                         "expiration": [{"date": null, "days": 30,
                                         "expired_object_delete_marker": false}],
                         "transition": [], "noncurrent_version_expiration": [],
                         "noncurrent_version_transition": [],
                         "abort_incomplete_multipart_upload": []}]}),
    );
    // S3 (and moto) ask the target bucket to let the log delivery group write.
    s3.put_bucket_acl()
        .bucket(&log_bucket)
        .acl(s3t::BucketCannedAcl::from("log-delivery-write"))
        .send()
        .await
        .context("let log delivery write")?;
    s3.put_bucket_logging()
        .bucket(&bucket)
        .bucket_logging_status(
            s3t::BucketLoggingStatus::builder()
                .logging_enabled(
                    s3t::LoggingEnabled::builder()
                        .target_bucket(&log_bucket)
                        .target_prefix("site/")
                        .build()?,
                )
                .build(),
        )
        .send()
        .await
        .context("enable logging")?;
    state.add(
        None,
        "aws_s3_bucket_logging",
        "site",
        None,
        json!({"id": bucket, "bucket": bucket, "expected_bucket_owner": "",
               "target_bucket": log_bucket, "target_prefix": "site/", "target_grant": [],
               "target_object_key_format": []}),
    );

    Ok(SeededMore {
        user: user.into(),
        group: group.into(),
        role: role.into(),
        profile: profile.into(),
        read_arn,
        audit_arn,
        bucket,
        log_bucket,
        user_attachment_id,
        group_attachment_id,
    })
}

/// Out of band, one change per type: the user retagged, the `interns` group deleted, a
/// user added to the group and given the exclusively attached `audit` policy, the role taken
/// out of the instance profile, the inline policy widened, the user's `read` attachment
/// detached (missing), the bucket policy opened to everyone, the ACL made public-read, the
/// lifecycle expiration shortened, the log prefix changed; and, unmanaged, a user, an inline
/// policy, an instance profile and a group attachment made by hand.
pub async fn drift_iam_s3_more(endpoint: &str, region: &str, seeded: &SeededMore) -> Result<()> {
    let iam = iam_client(endpoint).await;
    let s3 = s3_client(endpoint, region).await;
    iam.tag_user()
        .user_name(&seeded.user)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("Team")
                .value("ops")
                .build()?,
        )
        .send()
        .await
        .context("retag user")?;
    iam.delete_group()
        .group_name("interns")
        .send()
        .await
        .context("delete group")?;
    iam.create_user()
        .user_name("byhand")
        .send()
        .await
        .context("create unmanaged user")?;
    iam.add_user_to_group()
        .group_name(&seeded.group)
        .user_name("byhand")
        .send()
        .await
        .context("add user to group")?;
    iam.attach_user_policy()
        .user_name("byhand")
        .policy_arn(&seeded.audit_arn)
        .send()
        .await
        .context("give audit to another user")?;
    iam.remove_role_from_instance_profile()
        .instance_profile_name(&seeded.profile)
        .role_name(&seeded.role)
        .send()
        .await
        .context("remove role from profile")?;
    iam.put_role_policy()
        .role_name(&seeded.role)
        .policy_name("queue")
        .policy_document(INLINE.replace("sqs:SendMessage", "sqs:*"))
        .send()
        .await
        .context("widen inline policy")?;
    iam.put_role_policy()
        .role_name(&seeded.role)
        .policy_name("byhand")
        .policy_document(INLINE)
        .send()
        .await
        .context("add unmanaged inline policy")?;
    iam.detach_user_policy()
        .user_name(&seeded.user)
        .policy_arn(&seeded.read_arn)
        .send()
        .await
        .context("detach user policy")?;
    iam.attach_group_policy()
        .group_name(&seeded.group)
        .policy_arn(&seeded.audit_arn)
        .send()
        .await
        .context("attach unmanaged group policy")?;
    iam.create_instance_profile()
        .instance_profile_name("byhand")
        .send()
        .await
        .context("create unmanaged instance profile")?;

    s3.put_bucket_policy()
        .bucket(&seeded.bucket)
        .policy(bucket_policy(&seeded.bucket, "*"))
        .send()
        .await
        .context("open bucket policy")?;
    s3.put_bucket_acl()
        .bucket(&seeded.bucket)
        .acl(s3t::BucketCannedAcl::PublicRead)
        .send()
        .await
        .context("make ACL public")?;
    s3.put_bucket_lifecycle_configuration()
        .bucket(&seeded.bucket)
        .lifecycle_configuration(lifecycle(1)?)
        .send()
        .await
        .context("shorten expiration")?;
    s3.put_bucket_logging()
        .bucket(&seeded.bucket)
        .bucket_logging_status(
            s3t::BucketLoggingStatus::builder()
                .logging_enabled(
                    s3t::LoggingEnabled::builder()
                        .target_bucket(&seeded.log_bucket)
                        .target_prefix("elsewhere/")
                        .build()?,
                )
                .build(),
        )
        .send()
        .await
        .context("move logs")?;
    Ok(())
}
