//! The built-in pack: guardrails most estates want, on by default, each switchable by its id
//! (`[policies] disable = ["aws-rds-deletion-protection"]`). The Rego sources are in
//! `crates/policy/builtin/`, one rule per file, and read the same input as the config's
//! policies.

/// Ports the "open to the internet" rules treat as administrative: SSH, RDP, and the usual
/// database and cache ports (MySQL, PostgreSQL, SQL Server, Oracle, Redshift, MongoDB, Redis,
/// Elasticsearch).
pub const ADMIN_PORTS: &[u16] = &[22, 3389, 3306, 5432, 1433, 1521, 5439, 27017, 6379, 9200];

/// The id of the rule that is on only when `required_tags` lists keys.
pub const REQUIRED_TAGS: &str = "required-tags";

/// The pack's files, by name.
pub const FILES: &[(&str, &str)] = &[
    (
        "aws_sg_admin_open.rego",
        include_str!("../builtin/aws_sg_admin_open.rego"),
    ),
    (
        "aws_s3_public_access_block.rego",
        include_str!("../builtin/aws_s3_public_access_block.rego"),
    ),
    (
        "aws_s3_public_grant.rego",
        include_str!("../builtin/aws_s3_public_grant.rego"),
    ),
    (
        "aws_s3_unencrypted.rego",
        include_str!("../builtin/aws_s3_unencrypted.rego"),
    ),
    (
        "aws_encryption.rego",
        include_str!("../builtin/aws_encryption.rego"),
    ),
    (
        "aws_rds_exposure.rego",
        include_str!("../builtin/aws_rds_exposure.rego"),
    ),
    (
        "aws_rds_deletion.rego",
        include_str!("../builtin/aws_rds_deletion.rego"),
    ),
    (
        "aws_imdsv1.rego",
        include_str!("../builtin/aws_imdsv1.rego"),
    ),
    (
        "aws_iam_admin.rego",
        include_str!("../builtin/aws_iam_admin.rego"),
    ),
    (
        "gcp_firewall_admin_open.rego",
        include_str!("../builtin/gcp_firewall_admin_open.rego"),
    ),
    (
        "gcp_bucket_public_access.rego",
        include_str!("../builtin/gcp_bucket_public_access.rego"),
    ),
    (
        "required_tags.rego",
        include_str!("../builtin/required_tags.rego"),
    ),
    ("k8s_pods.rego", include_str!("../builtin/k8s_pods.rego")),
    (
        "k8s_privileged.rego",
        include_str!("../builtin/k8s_privileged.rego"),
    ),
    (
        "k8s_host_path.rego",
        include_str!("../builtin/k8s_host_path.rego"),
    ),
    (
        "k8s_host_namespaces.rego",
        include_str!("../builtin/k8s_host_namespaces.rego"),
    ),
    (
        "k8s_image_latest.rego",
        include_str!("../builtin/k8s_image_latest.rego"),
    ),
    (
        "k8s_image_digest.rego",
        include_str!("../builtin/k8s_image_digest.rego"),
    ),
    (
        "k8s_limits.rego",
        include_str!("../builtin/k8s_limits.rego"),
    ),
];
