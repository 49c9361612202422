//! Test and demo support, against real local servers only:
//! - [`moto`]: starts a moto server (installed by `scripts/setup` into `.venv`) on a free
//!   loopback port and stops it by its process id.
//! - [`seed`]: builds a small infrastructure with the real `aws-sdk-ec2` client and writes the
//!   Terraform state (format version 4) that an apply of it would have written.
//! - [`seed_s3_iam`]: the same for S3 buckets and their settings, IAM roles, policies and
//!   attachments, and a legacy security group rule.
//! - [`seed_iam_s3_more`]: IAM users, groups, memberships, instance profiles, inline policies
//!   and attachments, and a bucket's policy, ACL, lifecycle and logging, likewise.
//! - [`seed_vpc_links`]: routes, route table associations, a volume attachment, VPC endpoints,
//!   peering connections and flow logs, likewise.
//! - [`proxy`]: a fault-injecting HTTP proxy in front of moto (access denied, throttling, delays)
//!   for what moto cannot do on purpose.
//! - [`receiver`]: a scriptable HTTP receiver for notification channels.
//! - [`smtp`]: an aiosmtpd SMTP server (from `.venv`) that writes what it receives into a
//!   Maildir, on a free loopback port, stopped by its process id.
//! - [`gcp_apis`]: a stand-in for Google REST APIs no emulator serves (Resource Manager IAM
//!   policies, IAM service accounts, Pub/Sub, Cloud DNS, Cloud KMS).
//! - [`kube`]: a Kubernetes API emulator (kmock, from `.venv`) on a free loopback port.

pub mod boto;
pub mod browser;
pub mod gcp;
pub mod gcp_apis;
pub mod gcp_compute;
pub mod gcp_gke;
pub mod kube;
pub mod moto;
pub mod proxy;
pub mod receiver;
pub mod seed;
pub mod seed_iam_s3_more;
pub mod seed_s3_iam;
pub mod seed_vpc_links;
pub mod serve;
pub mod smtp;

use std::path::PathBuf;

/// The workspace root (this crate lives in `crates/testkit`).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(here)
}

/// The project-local Python venv made by `scripts/setup` (or `$DRIFTD_VENV`).
pub fn venv() -> PathBuf {
    std::env::var_os("DRIFTD_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".venv"))
}

/// Static credentials that moto accepts; also exported to the driftd processes tests start.
pub const ACCESS_KEY: &str = "AKIDTESTINGDRIFTD";
pub const SECRET_KEY: &str = "testing-secret-not-real";
/// moto's fixed account id.
pub const ACCOUNT_ID: &str = "123456789012";
