//! IAM policies as the Terraform `google` provider models them, shared by the bucket and
//! project IAM types:
//!
//! - `*_iam_binding` is authoritative for one role (with its condition, if any): its `members`
//!   are every member of that binding. One live resource per binding of the policy.
//! - `*_iam_member` is one (role, member) pair. One live resource per member of each binding.
//!
//! Both are matched by what they are about, not by their id (the provider's id writes the
//! member as configured, and a conditional one adds the condition's title): the resource the
//! policy is on, the role, the condition and, for a member, the member in any case
//! (`user:Jane@Example.com` is `user:jane@example.com`, as IAM lower-cases emails).
//!
//! What is reported as unmanaged: only a grant to the public (`allUsers`,
//! `allAuthenticatedUsers`) that no `*_iam_member` in state makes. A role is managed either as
//! a binding or member by member, and each type sees only its own resources in state: were
//! every grant outside `*_iam_member` state reported, each member of a role managed as a
//! binding would be reported, and the other way round every role managed member by member.
//! So a grant to anyone else outside state is not reported (the grants Google makes itself,
//! to its service agents, default accounts and the project's creator, never are); a grant
//! added to a role managed as a binding is, as a critical change of its `members`.

use crate::resources::resource;
use crate::scope::Scope;
use driftd_core::{AttrSpec, Change, Resource, Shape, Tier, TierHint};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The binding's `members`: a change that adds any member grants, critical; one that only
/// removes members is a warning.
pub(crate) const MEMBERS: AttrSpec =
    AttrSpec::new("members", Shape::Set).tier(TierHint::Rule(granted));

/// The role, part of what identifies a binding or a member.
pub(crate) const ROLE: AttrSpec = AttrSpec::new("role", Shape::Scalar).identity();

/// The condition block (`[]` when none): part of what identifies a binding or a member.
pub(crate) const CONDITION: AttrSpec = AttrSpec::new("condition", Shape::Document).identity();

/// The member of a `*_iam_member`, in any case.
pub(crate) const MEMBER: AttrSpec = AttrSpec::new("member", Shape::CaseInsensitive).identity();

/// Members that mean anyone: on the internet, or with any Google account.
pub(crate) const PUBLIC: [&str; 2] = ["allUsers", "allAuthenticatedUsers"];

/// A binding's members grew: someone was granted the role.
pub(crate) fn granted(c: &Change) -> Option<Tier> {
    let set = |v: &Value| -> BTreeSet<String> {
        match v {
            Value::Array(a) => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
            Value::String(s) => [s.to_lowercase()].into(),
            _ => BTreeSet::new(),
        }
    };
    let (before, after) = (set(&c.expected), set(&c.actual));
    (!after.is_subset(&before)).then_some(Tier::Critical)
}

/// What the policy is on, as the IAM resources name it: `("bucket", "b/NAME")` or
/// `("project", "PROJECT")`.
pub(crate) struct Holder<'a> {
    pub attr: &'static str,
    pub value: &'a str,
}

/// The condition block of a binding as the provider writes it: `[]`, or one block.
fn condition(b: &Value) -> Value {
    match b.get("condition").filter(|c| c.is_object()) {
        Some(c) => json!([{
            "title": c["title"].as_str().unwrap_or(""),
            "expression": c["expression"].as_str().unwrap_or(""),
            "description": c["description"].as_str().unwrap_or(""),
        }]),
        None => json!([]),
    }
}

/// The id suffix of a conditional binding: `/TITLE`.
fn title_suffix(b: &Value) -> String {
    b["condition"]["title"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(|t| format!("/{t}"))
        .unwrap_or_default()
}

fn members_of(b: &Value) -> Vec<&str> {
    let mut m: Vec<&str> = b["members"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    m.sort_unstable();
    m.dedup();
    m
}

/// One `*_iam_binding` per binding of `policy`, none of them reported when unmanaged (see the
/// module's comment).
pub(crate) fn bindings(
    resource_type: &str,
    policy: &Value,
    holder: &Holder<'_>,
    scope: &Scope,
) -> Vec<Resource> {
    let empty = Vec::new();
    let mut out = Vec::new();
    for b in policy["bindings"].as_array().unwrap_or(&empty) {
        let Some(role) = b["role"].as_str().filter(|r| !r.is_empty()) else {
            continue;
        };
        let members = members_of(b);
        if members.is_empty() {
            continue;
        }
        let id = format!("{}/{role}{}", holder.value, title_suffix(b));
        let mut r = resource(
            resource_type,
            id,
            scope,
            json!({
                holder.attr: holder.value,
                "role": role,
                "members": members,
                "condition": condition(b),
                "etag": policy["etag"].as_str(),
            }),
        );
        // Never unmanaged (see the module's comment).
        r.cloud_default = true;
        out.push(r);
    }
    out
}

/// One `*_iam_member` per member of each binding of `policy`, only public grants reported
/// when unmanaged (see the module's comment).
pub(crate) fn members(
    resource_type: &str,
    policy: &Value,
    holder: &Holder<'_>,
    scope: &Scope,
) -> Vec<Resource> {
    let empty = Vec::new();
    let mut out = Vec::new();
    for b in policy["bindings"].as_array().unwrap_or(&empty) {
        let Some(role) = b["role"].as_str().filter(|r| !r.is_empty()) else {
            continue;
        };
        let members = members_of(b);
        for member in &members {
            let id = format!("{}/{role}/{member}{}", holder.value, title_suffix(b));
            let mut r = resource(
                resource_type,
                id,
                scope,
                json!({
                    holder.attr: holder.value,
                    "role": role,
                    "member": member,
                    "condition": condition(b),
                    "etag": policy["etag"].as_str(),
                }),
            );
            r.cloud_default = !PUBLIC.contains(member);
            out.push(r);
        }
    }
    out
}

/// A Google-managed service account (a service agent, or an account Google creates with a
/// service): `service-NUM@...`, `NUM@cloudservices...`, `NUM@cloudbuild...`,
/// `NUM-compute@developer...`, `PROJECT@appspot...`, and the `gcp-sa-*` agents.
pub(crate) fn google_managed(member: &str) -> bool {
    let Some(email) = member.strip_prefix("serviceAccount:") else {
        return false;
    };
    let (local, domain) = email.split_once('@').unwrap_or((email, ""));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (local.strip_prefix("service-").is_some_and(digits) && domain.ends_with("gserviceaccount.com"))
        || domain.starts_with("gcp-sa-")
        || (digits(local)
            && matches!(
                domain,
                "cloudservices.gserviceaccount.com" | "cloudbuild.gserviceaccount.com"
            ))
        || (local.strip_suffix("-compute").is_some_and(digits)
            && domain == "developer.gserviceaccount.com")
        || domain == "appspot.gserviceaccount.com"
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::ChangeOp;

    #[test]
    fn a_grant_is_critical_a_removal_is_not() {
        let c = |e: Value, a: Value| Change::new("members", ChangeOp::Replace, e, a);
        assert_eq!(
            granted(&c(
                json!(["user:a@x.com"]),
                json!(["allUsers", "user:a@x.com"])
            )),
            Some(Tier::Critical)
        );
        assert_eq!(
            granted(&c(
                json!(["user:a@x.com", "user:b@x.com"]),
                json!(["user:a@x.com"])
            )),
            None
        );
        // Another case of the same member grants nothing.
        assert_eq!(
            granted(&c(json!(["user:Jane@X.com"]), json!(["user:jane@x.com"]))),
            None
        );
    }

    #[test]
    fn google_managed_accounts_are_recognized() {
        for m in [
            "serviceAccount:service-123@compute-system.iam.gserviceaccount.com",
            "serviceAccount:service-123@gcp-sa-pubsub.iam.gserviceaccount.com",
            "serviceAccount:123@cloudservices.gserviceaccount.com",
            "serviceAccount:123-compute@developer.gserviceaccount.com",
            "serviceAccount:p@appspot.gserviceaccount.com",
        ] {
            assert!(google_managed(m), "{m}");
        }
        for m in [
            "serviceAccount:deploy@p.iam.gserviceaccount.com",
            "user:service-1@example.com",
            "allUsers",
        ] {
            assert!(!google_managed(m), "{m}");
        }
    }

    #[test]
    fn policies_become_bindings_and_members() {
        let policy = json!({"etag": "BwX1", "bindings": [
            {"role": "roles/viewer", "members": ["user:b@x.com", "user:a@x.com"]},
            {"role": "roles/editor", "members": ["user:a@x.com"],
             "condition": {"title": "until-2027", "expression": "request.time < timestamp('2027-01-01T00:00:00Z')"}}
        ]});
        let holder = Holder {
            attr: "project",
            value: "p1",
        };
        let s = Scope::global("p1");
        let b = bindings("google_project_iam_binding", &policy, &holder, &s);
        assert_eq!(b[0].key.id, "p1/roles/viewer");
        assert_eq!(
            b[0].attrs["members"],
            json!(["user:a@x.com", "user:b@x.com"])
        );
        assert_eq!(b[0].attrs["condition"], json!([]));
        assert_eq!(b[1].key.id, "p1/roles/editor/until-2027");
        assert_eq!(b[1].attrs["condition"][0]["title"], json!("until-2027"));
        let m = members("google_project_iam_member", &policy, &holder, &s);
        let ids: Vec<&str> = m.iter().map(|r| r.key.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "p1/roles/viewer/user:a@x.com",
                "p1/roles/viewer/user:b@x.com",
                "p1/roles/editor/user:a@x.com/until-2027"
            ]
        );
        assert!(m.iter().all(|g| g.cloud_default));
        let public = json!({"bindings": [{"role": "roles/viewer", "members": ["allUsers"]}]});
        let p = members("google_project_iam_member", &public, &holder, &s);
        assert!(!p[0].cloud_default);
    }
}
