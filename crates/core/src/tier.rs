//! Built-in tiers (docs/report-schema.md, "Built-in tiers"): what pages, what warns, what is only
//! noted.
//!
//! - `missing`: critical; `unmanaged`: warning; `pending`: info (never pages); `violation`:
//!   the policy's own tier, warning when it names none.
//! - `changed`: the highest tier of its changes. What a change is worth is declared by the
//!   provider on the attribute it changes ([`AttrSpec::tier`](crate::AttrSpec::tier), a
//!   [`TierHint`]): only the provider knows that one attribute opens a firewall to the internet
//!   and another is a tag. A change no hint speaks for is a warning.
//!
//! The core names no attribute: a type without a spec (not compared) has only the defaults.

use crate::model::{Change, FindingKind, Tier};
use crate::schema::{TierHint, TypeSpec};

/// The built-in tier of a finding of a resource of the type `spec` describes (`None`: a type
/// driftd does not compare).
pub fn default_tier(spec: Option<&TypeSpec>, kind: FindingKind, changes: &[Change]) -> Tier {
    match kind {
        FindingKind::Missing => Tier::Critical,
        FindingKind::Unmanaged => Tier::Warning,
        FindingKind::Pending => Tier::Info,
        // A policy says its own tier; one that does not warns.
        FindingKind::Violation => Tier::Warning,
        FindingKind::Changed => changes
            .iter()
            .map(|c| change_tier(spec, c))
            .max()
            .unwrap_or(Tier::Info),
    }
}

/// The tier of one change: what its attribute's hint says, else warning.
pub fn change_tier(spec: Option<&TypeSpec>, change: &Change) -> Tier {
    spec.and_then(|s| s.attr_of(&change.path))
        .and_then(|a| a.tier.as_ref())
        .and_then(|hint: &TierHint| hint.tier_of(change))
        .unwrap_or(Tier::Warning)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChangeOp;
    use crate::schema::{AttrSpec, Shape};
    use serde_json::{json, Value};

    fn change(path: &str, actual: Value) -> Change {
        Change::new(path, ChangeOp::Replace, Value::Null, actual)
    }

    /// Critical when the value turned to `"open"`, no opinion otherwise.
    fn opened(c: &Change) -> Option<Tier> {
        (c.actual == json!("open")).then_some(Tier::Critical)
    }

    const SPEC: TypeSpec = TypeSpec {
        provider: "p",
        resource_type: "t",
        attrs: &[
            AttrSpec::new("size", Shape::Scalar),
            AttrSpec::new("labels", Shape::Tags).tier(TierHint::Always(Tier::Info)),
            AttrSpec::new("door", Shape::Scalar).tier(TierHint::Rule(opened)),
        ],
        generated_tag_prefixes: &[],
        not_compared: &[],
    };

    #[test]
    fn kinds_have_their_default_tiers() {
        for spec in [None, Some(&SPEC)] {
            assert_eq!(
                default_tier(spec, FindingKind::Missing, &[]),
                Tier::Critical
            );
            assert_eq!(
                default_tier(spec, FindingKind::Unmanaged, &[]),
                Tier::Warning
            );
            assert_eq!(default_tier(spec, FindingKind::Pending, &[]), Tier::Info);
        }
    }

    #[test]
    fn a_change_has_its_attributes_tier_and_a_finding_the_highest() {
        let spec = Some(&SPEC);
        let tier = |changes: &[Change]| default_tier(spec, FindingKind::Changed, changes);
        assert_eq!(tier(&[change("labels.env", json!("dev"))]), Tier::Info);
        assert_eq!(
            tier(&[change("labels.env", json!("dev")), change("size", json!(2))]),
            Tier::Warning
        );
        assert_eq!(tier(&[change("door", json!("open"))]), Tier::Critical);
        // A rule without an opinion leaves the default.
        assert_eq!(tier(&[change("door", json!("shut"))]), Tier::Warning);
        // A path no attribute of the spec holds.
        assert_eq!(tier(&[change("other", json!(1))]), Tier::Warning);
    }

    #[test]
    fn a_type_without_a_spec_has_only_the_defaults() {
        let c = [change("labels.env", json!("dev"))];
        assert_eq!(default_tier(None, FindingKind::Changed, &c), Tier::Warning);
    }
}
