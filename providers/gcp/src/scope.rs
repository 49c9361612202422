//! Scopes: where one resource type is listed. A zonal type is listed per `PROJECT/ZONE`, a
//! regional one per `PROJECT/REGION`, a global one (networks, firewalls, buckets) per
//! `PROJECT/global`. The same strings are the `region` of every live and state resource
//! (`driftd-iac` derives them from a `google_*` resource's id), so a resource can be proved
//! missing only in a scope that was listed completely.

use std::fmt;

/// Where a resource type lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locality {
    Zonal,
    Regional,
    Global,
}

/// One project and one location in it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Scope {
    pub project: String,
    /// A zone, a region or `global`.
    pub location: String,
}

impl Scope {
    pub fn new(project: &str, location: &str) -> Scope {
        Scope {
            project: project.to_string(),
            location: location.to_string(),
        }
    }

    pub fn global(project: &str) -> Scope {
        Scope::new(project, GLOBAL)
    }

    /// Parses `PROJECT/LOCATION`.
    pub fn parse(s: &str) -> Option<Scope> {
        let (project, location) = s.split_once('/')?;
        (!project.is_empty() && !location.is_empty() && !location.contains('/'))
            .then(|| Scope::new(project, location))
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.project, self.location)
    }
}

pub const GLOBAL: &str = "global";

/// `us-central1-a` → `us-central1`: a zone name is its region and a one-letter suffix.
pub fn zone_region(zone: &str) -> Option<&str> {
    let (region, suffix) = zone.rsplit_once('-')?;
    (!region.is_empty() && !suffix.is_empty() && region.contains('-')).then_some(region)
}

/// The canonical form of a Compute Engine link: `https://www.googleapis.com/compute/v1/` and
/// the `projects/...` path, whatever host or API version prefix an API or emulator answered
/// with. Terraform stores links in this form.
pub fn canonical_link(link: &str) -> String {
    match link.find("projects/") {
        Some(i) => format!("https://www.googleapis.com/compute/v1/{}", &link[i..]),
        None => link.to_string(),
    }
}

/// The last path segment of a link (`.../machineTypes/e2-small` → `e2-small`).
pub fn short_name(link: &str) -> &str {
    link.rsplit('/').next().unwrap_or(link)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_zones_name_their_region() {
        let s = Scope::new("p-1", "us-central1-a");
        assert_eq!(s.to_string(), "p-1/us-central1-a");
        assert_eq!(Scope::parse("p-1/us-central1-a"), Some(s));
        assert_eq!(Scope::parse("p-1"), None);
        assert_eq!(Scope::parse("p/a/b"), None);
        assert_eq!(zone_region("us-central1-a"), Some("us-central1"));
        assert_eq!(zone_region("europe-west4-b"), Some("europe-west4"));
        assert_eq!(zone_region("us-central1"), None);
        assert_eq!(zone_region("global"), None);
    }

    #[test]
    fn links_are_made_canonical() {
        assert_eq!(
            canonical_link("http://127.0.0.1:8400/compute/v1/projects/p/global/networks/n"),
            "https://www.googleapis.com/compute/v1/projects/p/global/networks/n"
        );
        assert_eq!(
            canonical_link("projects/p/global/networks/n"),
            "https://www.googleapis.com/compute/v1/projects/p/global/networks/n"
        );
        assert_eq!(short_name("zones/z/machineTypes/e2-small"), "e2-small");
        assert_eq!(short_name("e2-small"), "e2-small");
    }
}
