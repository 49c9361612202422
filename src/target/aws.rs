//! AWS targets: `[target.aws]` (how to reach AWS; credentials always come from the standard AWS
//! chain), the regions a target lists, the state resources a listing of one account and some
//! regions cannot judge, and states kept in S3.

use super::backend::RemoteState;
use super::config::check_as;
use super::{check_url, Expected, Listed, ProviderKind, TargetConfig};
use anyhow::Result;
use async_trait::async_trait;
use driftd_aws::AwsProvider;
use driftd_core::threeway::CodeSide;
use driftd_core::{Provider, Resource, Skipped, TypeSpec};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The AWS provider as targets use it.
pub struct Aws;

/// `[target.aws]`: how to reach AWS for one target.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsConfig {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub assume_role_arn: Option<String>,
    pub external_id: Option<String>,
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

impl Default for AwsConfig {
    fn default() -> Self {
        AwsConfig {
            profile: None,
            endpoint_url: None,
            assume_role_arn: None,
            external_id: None,
            max_attempts: default_max_attempts(),
            timeout_secs: default_timeout(),
        }
    }
}

fn default_max_attempts() -> u32 {
    5
}

fn default_timeout() -> u64 {
    60
}

impl AwsConfig {
    pub fn settings(&self, regions: Vec<String>) -> driftd_aws::AwsSettings {
        driftd_aws::AwsSettings {
            regions,
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            assume_role_arn: self.assume_role_arn.clone(),
            external_id: self.external_id.clone(),
            max_attempts: self.max_attempts,
            operation_timeout: Duration::from_secs(self.timeout_secs),
            ..Default::default()
        }
    }
}

const SECTION: &str = "aws";

#[async_trait]
impl ProviderKind for Aws {
    fn names(&self) -> &'static [&'static str] {
        &[driftd_aws::PROVIDER]
    }

    fn section(&self) -> &'static str {
        SECTION
    }

    fn section_check(&self) -> fn(&toml::Value) -> Result<(), String> {
        check_as::<AwsConfig>
    }

    fn problems(&self, at: &str, target: &TargetConfig) -> Vec<String> {
        let mut out = Vec::new();
        for r in &target.regions {
            if !is_region_name(r) {
                out.push(format!(
                    "{at}.regions: `{r}` is not an AWS region name (like us-east-1)"
                ));
            }
        }
        let Ok(aws) = target.section::<AwsConfig>(SECTION) else {
            return out;
        };
        let at_aws = format!("{at}.{SECTION}");
        out.extend(
            aws.endpoint_url
                .as_deref()
                .and_then(|url| check_url(&at_aws, "endpoint_url", url)),
        );
        if aws.max_attempts == 0 {
            out.push(format!("{at_aws}.max_attempts: must be at least 1"));
        }
        if aws.timeout_secs == 0 {
            out.push(format!("{at_aws}.timeout_secs: must be at least 1"));
        }
        if let Some(arn) = &aws.assume_role_arn {
            if !arn.starts_with("arn:") || !arn.contains(":role/") {
                out.push(format!(
                    "{at_aws}.assume_role_arn: `{arn}` is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
                ));
            }
        }
        out
    }

    fn supported_types(&self) -> Option<Vec<&'static str>> {
        Some(AwsProvider::supported_types())
    }

    fn type_specs(&self) -> Vec<&'static TypeSpec> {
        driftd_aws::resources::registry()
            .iter()
            .map(|k| k.spec())
            .collect()
    }

    /// AWS ids are the cloud's own: without state, a resource is found by its `Name` tag.
    fn default_identity(&self) -> &'static str {
        "tags.Name"
    }

    async fn build(&self, target: &TargetConfig, expected: &Expected) -> Result<Box<dyn Provider>> {
        let aws = target.section::<AwsConfig>(SECTION)?;
        let regions = regions(target, &aws, expected).await?;
        tracing::info!(
            target = %target.name,
            regions = ?regions,
            expected = expected.resources.len(),
            "scanning"
        );
        Ok(Box::new(AwsProvider::new(aws.settings(regions))))
    }

    /// A state can hold resources of several accounts (provider aliases assuming roles); this
    /// listing sees one: the others are not scanned, never missing. A resource whose state
    /// records no region is placed first: one the listing cannot place is not scanned either.
    fn set_aside<'r>(
        &self,
        expected: &'r [Resource],
        code: Option<&CodeSide>,
        listed: &Listed<'_>,
    ) -> (Cow<'r, [Resource]>, Vec<Skipped>) {
        let (placed, mut unplaced) = place_unregioned(
            expected,
            code,
            listed.specs,
            listed.live,
            listed.scanned,
            listed.skipped,
        );
        let (kept, mut others) = match placed {
            Cow::Borrowed(all) => split_by_account(all, listed.account),
            Cow::Owned(placed) => {
                let (kept, others) = split_by_account(&placed, listed.account);
                (Cow::Owned(kept.into_owned()), others)
            }
        };
        others.append(&mut unplaced);
        (kept, others)
    }

    fn state_backends(&self) -> &'static [&'static str] {
        &["s3"]
    }

    /// The bucket's region is the backend's, else the target's first, else us-east-1.
    async fn read_remote_state(
        &self,
        target: &TargetConfig,
        state: &RemoteState,
    ) -> Result<(Vec<u8>, String)> {
        let mut regions = target.regions.clone();
        if let Some(r) = &state.region {
            regions.insert(0, r.clone());
        }
        if regions.is_empty() {
            regions.push("us-east-1".into());
        }
        let mut settings = target.section::<AwsConfig>(SECTION)?.settings(regions);
        if state.endpoint_url.is_some() {
            settings.endpoint_url = state.endpoint_url.clone();
        }
        let object = driftd_aws::state_backend::S3State {
            bucket: state.bucket.clone(),
            key: state.key.clone(),
            workspace: state.workspace.clone(),
            workspace_key_prefix: state.workspace_key_prefix.clone(),
        };
        let bytes = driftd_aws::state_backend::fetch_s3_state(&settings, &object)
            .await
            .map_err(|e| anyhow::anyhow!("target `{}`: state backend: {e}", target.name))?;
        Ok((bytes, object.url()))
    }

    /// aws_config's own warnings repeat a credential failure that driftd reports once, in the
    /// SDK's debug form and with whatever bytes a credential process printed.
    fn log_directives(&self) -> &'static [&'static str] {
        &["aws_config=error", "aws_smithy_runtime=warn"]
    }

    fn command_line_section(
        &self,
        profile: Option<&str>,
        endpoint_url: Option<&str>,
    ) -> Option<toml::Value> {
        let mut t = toml::Table::new();
        t.extend(profile.map(|p| ("profile".to_string(), p.into())));
        t.extend(endpoint_url.map(|e| ("endpoint_url".to_string(), e.into())));
        (!t.is_empty()).then_some(toml::Value::Table(t))
    }
}

fn is_region_name(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// The AWS types driftd compares.
fn is_aws_type(resource_type: &str) -> bool {
    static TYPES: std::sync::OnceLock<BTreeSet<&'static str>> = std::sync::OnceLock::new();
    TYPES
        .get_or_init(|| AwsProvider::supported_types().into_iter().collect())
        .contains(resource_type)
}

/// True for an AWS type that is listed per region (everything but the global services).
fn is_regional_aws_type(resource_type: &str) -> bool {
    is_aws_type(resource_type) && !driftd_aws::resources::is_global(resource_type)
}

/// The regions an AWS target lists, resolved like the AWS CLI resolves one: `--region` or the
/// target's `regions`; else the regions its state and code record; else `AWS_REGION`,
/// `AWS_DEFAULT_REGION` or the profile's region. Global services (IAM) need none: a target whose
/// definitions hold nothing regional lists them alone. The global pseudo-region is never a region.
async fn regions(
    target: &TargetConfig,
    aws: &AwsConfig,
    expected: &Expected,
) -> Result<Vec<String>> {
    if !target.regions.is_empty() {
        return Ok(driftd_aws::regional_scopes(&target.regions));
    }
    let code = expected.code.iter().flat_map(|c| &c.intents);
    let recorded: Vec<String> = expected
        .resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER)
        .filter_map(|r| r.region.clone())
        .chain(
            code.clone()
                .filter(|i| i.provider == driftd_aws::PROVIDER)
                .filter_map(|i| i.region.clone()),
        )
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect();
    let recorded = driftd_aws::regional_scopes(&recorded);
    if !recorded.is_empty() {
        return Ok(recorded);
    }
    if let Some(default) = driftd_aws::region::default_region(aws.profile.as_deref()).await {
        tracing::info!(
            target = %target.name,
            region = %default.region,
            source = %default.source,
            "the state records no region: scanning the environment's"
        );
        return Ok(vec![default.region]);
    }
    let regional = expected
        .resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER)
        .map(|r| r.key.resource_type.as_str())
        .chain(
            code.filter(|i| i.provider == driftd_aws::PROVIDER)
                .map(|i| i.resource_type.as_str()),
        )
        .find(|t| is_regional_aws_type(t));
    if let Some(example) = regional {
        anyhow::bail!(
            "target `{}`: no region to scan: the state and code record none (for {example} and \
             others) and none is configured; {}",
            target.name,
            driftd_aws::region::REGION_HINT
        );
    }
    Ok(Vec::new())
}

/// S3 settings types (`aws_s3_bucket_versioning`, ...): resources named by their bucket.
fn is_s3_setting(resource_type: &str) -> bool {
    resource_type.starts_with("aws_s3_bucket_")
}

/// The scope named in `skipped` for state resources whose region is not known.
const UNKNOWN_REGION: &str = "unknown-region";

/// Places the AWS resources of a regional type whose state records no region (no ARN, no
/// availability zone: an `aws_eip`, a security group rule): in the region of their provider
/// block when the code names one, else in the region where the listing found them. What is left
/// cannot be proven missing (a listing of the scanned regions says nothing about the others): it
/// is taken out of the comparison and named in a "not scanned" entry per type.
fn place_unregioned<'r>(
    resources: &'r [Resource],
    code: Option<&CodeSide>,
    specs: &[&'static TypeSpec],
    live: &[Resource],
    scanned: &BTreeSet<(String, String, String)>,
    skipped: &[Skipped],
) -> (Cow<'r, [Resource]>, Vec<Skipped>) {
    let needs_place = |r: &Resource| {
        r.region.is_none()
            && r.key.provider == driftd_aws::PROVIDER
            && is_regional_aws_type(&r.key.resource_type)
    };
    if !resources.iter().any(needs_place) {
        return (Cow::Borrowed(resources), Vec::new());
    }
    let configured: BTreeMap<&str, &str> = code
        .iter()
        .flat_map(|c| &c.intents)
        .filter_map(|i| Some((i.address.as_str(), i.region.as_deref()?)))
        .collect();
    let match_key = |spec: Option<&&TypeSpec>, r: &Resource| {
        spec.and_then(|s| s.identity_key(&r.attrs))
            .unwrap_or_else(|| r.key.id.as_bytes().to_vec())
    };
    // One region of a type listed completely in every region it was tried in, or none.
    let complete_everywhere = |resource_type: &str| {
        let failed = skipped.iter().any(|s| {
            s.provider == driftd_aws::PROVIDER
                && s.resource_type == resource_type
                && s.attribute.is_none()
        });
        (!failed)
            .then(|| {
                scanned
                    .iter()
                    .find(|(p, t, _)| p == driftd_aws::PROVIDER && t == resource_type)
            })
            .flatten()
            .map(|(_, _, scope)| scope.clone())
    };
    let mut kept = Vec::with_capacity(resources.len());
    let mut unplaced: BTreeMap<String, usize> = BTreeMap::new();
    for r in resources {
        if !needs_place(r) {
            kept.push(r.clone());
            continue;
        }
        let mut r = r.clone();
        if let Some(region) = r
            .address
            .as_deref()
            .and_then(|a| configured.get(a))
            .map(|r| r.to_string())
        {
            r.region = Some(region);
            kept.push(r);
            continue;
        }
        let spec = specs
            .iter()
            .find(|s| s.provider == r.key.provider && s.resource_type == r.key.resource_type);
        let key = match_key(spec, &r);
        let found = live.iter().find(|l| {
            l.key.provider == r.key.provider
                && l.key.resource_type == r.key.resource_type
                && match_key(spec, l) == key
        });
        match found.and_then(|l| l.region.clone()) {
            Some(region) => {
                r.region = Some(region);
                kept.push(r);
            }
            // Bucket names are global and every bucket's settings are read wherever the bucket
            // is (see `driftd_aws`'s S3 settings types): listed completely in every region, they
            // prove this one absent.
            None if is_s3_setting(&r.key.resource_type) => {
                match complete_everywhere(&r.key.resource_type) {
                    Some(region) => {
                        r.region = Some(region);
                        kept.push(r);
                    }
                    None => *unplaced.entry(r.key.resource_type.clone()).or_default() += 1,
                }
            }
            None => *unplaced.entry(r.key.resource_type.clone()).or_default() += 1,
        }
    }
    let regions: BTreeSet<&str> = scanned
        .iter()
        .filter(|(p, _, scope)| p == driftd_aws::PROVIDER && scope != driftd_aws::GLOBAL_SCOPE)
        .map(|(_, _, scope)| scope.as_str())
        .collect();
    let regions = if regions.is_empty() {
        "none".to_string()
    } else {
        regions.into_iter().collect::<Vec<_>>().join(", ")
    };
    // A type whose listing failed somewhere already says why its resources were not compared.
    let skipped = unplaced
        .into_iter()
        .filter(|(resource_type, _)| {
            !skipped.iter().any(|s| {
                s.provider == driftd_aws::PROVIDER
                    && s.resource_type == *resource_type
                    && s.attribute.is_none()
            })
        })
        .map(|(resource_type, n)| Skipped {
            provider: driftd_aws::PROVIDER.into(),
            resource_type,
            scope: UNKNOWN_REGION.into(),
            attribute: None,
            reason: format!(
                "{n} resource(s) record no region in state and are not in a scanned region \
                 ({regions}); pass --code (its provider block names the region) or scan their \
                 region"
            ),
        })
        .collect();
    (Cow::Owned(kept), skipped)
}

/// The account a state resource lives in, read from its ARN or, for an attachment (which has
/// none), from the customer-managed policy it attaches: a role can only be given a policy of its
/// own account or an AWS-managed one (`arn:aws:iam::aws:policy/...`), which names no account; then
/// from its role's ARN, when the state holds the role (`roles`: role name to its account, `None`
/// when roles of that name are in several accounts).
fn resource_account<'r>(
    r: &'r Resource,
    roles: &BTreeMap<&'r str, Option<&'r str>>,
) -> Option<&'r str> {
    let account = |attr: &str| arn_account(r.attrs.get(attr).and_then(|a| a.as_str())?);
    account("arn")
        .or_else(|| account("policy_arn"))
        .or_else(|| {
            if r.key.resource_type != "aws_iam_role_policy_attachment" {
                return None;
            }
            let role = r.attrs.get("role").and_then(|a| a.as_str())?;
            roles.get(role).copied().flatten()
        })
}

/// The account field of an ARN; none for AWS-owned ARNs (`aws`) and global ones without it.
fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| !a.is_empty() && *a != "aws")
}

/// The account of each IAM role in state, by role name.
fn role_accounts(resources: &[Resource]) -> BTreeMap<&str, Option<&str>> {
    let mut roles: BTreeMap<&str, Option<&str>> = BTreeMap::new();
    for r in resources
        .iter()
        .filter(|r| r.key.provider == driftd_aws::PROVIDER && r.key.resource_type == "aws_iam_role")
    {
        let name = r
            .attrs
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or(r.key.id.as_str());
        let Some(account) = r
            .attrs
            .get("arn")
            .and_then(|a| a.as_str())
            .and_then(arn_account)
        else {
            continue;
        };
        roles
            .entry(name)
            .and_modify(|known| {
                if *known != Some(account) {
                    *known = None;
                }
            })
            .or_insert(Some(account));
    }
    roles
}

/// Splits state resources into those of `account` (or of no known account) and "not scanned"
/// entries for the others, one per type, region and account.
fn split_by_account<'r>(
    resources: &'r [Resource],
    account: Option<&str>,
) -> (Cow<'r, [Resource]>, Vec<Skipped>) {
    // A type driftd does not compare is never listed: its account does not make a scan
    // incomplete.
    let roles = role_accounts(resources);
    let other_account = |r: &'r Resource| {
        (r.key.provider == driftd_aws::PROVIDER && is_aws_type(&r.key.resource_type))
            .then(|| resource_account(r, &roles))
            .flatten()
            .filter(|a| Some(*a) != account)
    };
    if account.is_none() || !resources.iter().any(|r| other_account(r).is_some()) {
        return (Cow::Borrowed(resources), Vec::new());
    }
    let account = account.unwrap_or_default();
    let mut kept = Vec::with_capacity(resources.len());
    let mut others: BTreeMap<(String, String, String, String), usize> = BTreeMap::new();
    for r in resources {
        match other_account(r) {
            Some(other) => {
                *others
                    .entry((
                        r.key.provider.clone(),
                        r.key.resource_type.clone(),
                        r.region.clone().unwrap_or_else(|| "*".into()),
                        other.to_string(),
                    ))
                    .or_default() += 1
            }
            None => kept.push(r.clone()),
        }
    }
    let skipped = others
        .into_iter()
        .map(|((provider, resource_type, scope, other), n)| Skipped {
            provider,
            resource_type,
            scope,
            attribute: None,
            reason: format!(
                "{n} resource(s) in state belong to account {other}; this target's credentials \
                 reach account {account}: add a target (or assume_role_arn) for {other}"
            ),
        })
        .collect();
    (Cow::Owned(kept), skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(!is_region_name("us-east"));
        assert!(!is_region_name("US-EAST-1"));
    }

    #[test]
    fn resources_of_another_account_are_not_scanned_not_missing() {
        let mut mine = Resource::new("aws", "aws_vpc", "vpc-1");
        mine.attrs.insert(
            "arn".into(),
            "arn:aws:ec2:us-east-1:111111111111:vpc/vpc-1".into(),
        );
        let mut theirs = Resource::new("aws", "aws_vpc", "vpc-2");
        theirs.region = Some("us-east-1".into());
        theirs.attrs.insert(
            "arn".into(),
            "arn:aws:ec2:us-east-1:222222222222:vpc/vpc-2".into(),
        );
        let bucket = Resource::new("aws", "aws_s3_bucket", "logs");
        let all = [mine, theirs, bucket];
        let (kept, skipped) = split_by_account(&all, Some("111111111111"));
        let ids: Vec<&str> = kept.iter().map(|r| r.key.id.as_str()).collect();
        assert_eq!(ids, ["vpc-1", "logs"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].scope, "us-east-1");
        assert!(
            skipped[0].reason.contains("account 222222222222"),
            "{}",
            skipped[0].reason
        );
        let (kept, skipped) = split_by_account(&all, None);
        assert!(matches!(kept, Cow::Borrowed(_)) && skipped.is_empty());
    }

    #[test]
    fn attachments_take_their_account_from_the_policy_or_the_role() {
        let attachment = |id: &str, role: &str, policy: &str| {
            let mut r = Resource::new("aws", "aws_iam_role_policy_attachment", id);
            r.attrs.insert("role".into(), role.into());
            r.attrs.insert("policy_arn".into(), policy.into());
            r
        };
        let mut theirs = Resource::new("aws", "aws_iam_role", "deploy");
        theirs.attrs.insert("name".into(), "deploy".into());
        theirs
            .attrs
            .insert("arn".into(), "arn:aws:iam::222222222222:role/deploy".into());
        let managed = "arn:aws:iam::aws:policy/ReadOnlyAccess";
        let all = [
            theirs,
            // Another account's customer-managed policy: that account's attachment.
            attachment("a-1", "app", "arn:aws:iam::222222222222:policy/p"),
            // An AWS-managed policy on a role the state places in another account.
            attachment("a-2", "deploy", managed),
            // An AWS-managed policy on a role nothing places: the scanned account's.
            attachment("a-3", "app", managed),
        ];
        let (kept, skipped) = split_by_account(&all, Some("111111111111"));
        let ids: Vec<&str> = kept.iter().map(|r| r.key.id.as_str()).collect();
        assert_eq!(ids, ["a-3"]);
        let attachments: Vec<&str> = skipped
            .iter()
            .filter(|s| s.resource_type == "aws_iam_role_policy_attachment")
            .map(|s| s.reason.as_str())
            .collect();
        assert_eq!(attachments.len(), 1, "{skipped:?}");
        assert!(
            attachments[0].starts_with("2 resource(s) in state belong to account 222222222222"),
            "{}",
            attachments[0]
        );
    }
}
