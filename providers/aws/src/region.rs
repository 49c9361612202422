//! The region a target works in when it names none, found where the AWS CLI looks for it:
//! `AWS_REGION`, `AWS_DEFAULT_REGION`, then the `region` of the profile in the shared config file
//! (`AWS_PROFILE` or the target's `profile`, `AWS_CONFIG_FILE`). The instance metadata service is
//! not asked: away from EC2 it costs seconds of timeouts on every scan.

use aws_config::meta::region::ProvideRegion;
use aws_config::profile::ProfileFileRegionProvider;

/// What a person can set so that a target has a region, for error messages.
pub const REGION_HINT: &str = "pass --region (or set `regions` in the target), or set AWS_REGION \
     or AWS_DEFAULT_REGION, or `region` in the profile of the shared config file (~/.aws/config; \
     AWS_PROFILE and AWS_CONFIG_FILE pick another profile or file)";

/// A region and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultRegion {
    pub region: String,
    /// `AWS_REGION`, `AWS_DEFAULT_REGION` or `profile NAME`.
    pub source: String,
}

/// The environment's region, as the AWS CLI resolves it; `None` when nothing sets one.
/// `profile` is the target's profile, which wins over `AWS_PROFILE`.
pub async fn default_region(profile: Option<&str>) -> Option<DefaultRegion> {
    for var in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
        if let Some(region) = std::env::var(var).ok().filter(|r| !r.trim().is_empty()) {
            return Some(DefaultRegion {
                region: region.trim().to_string(),
                source: var.to_string(),
            });
        }
    }
    let mut builder = ProfileFileRegionProvider::builder();
    if let Some(p) = profile {
        builder = builder.profile_name(p);
    }
    let region = builder.build().region().await?;
    let name = profile
        .map(str::to_string)
        .or_else(|| std::env::var("AWS_PROFILE").ok())
        .unwrap_or_else(|| "default".into());
    Some(DefaultRegion {
        region: region.as_ref().to_string(),
        source: format!("profile {name}"),
    })
}
