//! Without a state, the code's resources are found live by an identity attribute (a `Name` tag,
//! a name): those found stand in for state; the others are named, with why, as not compared.

use driftd_core::threeway::{self, CodeSide, IdentityMatch};
use driftd_core::{NotCompared, NotComparedKind, Resource, TypeSpec};
use std::collections::BTreeSet;

/// What matching the code to the live resources found.
#[derive(Default)]
pub struct Found {
    /// The live resources the code's resources matched, as expected state.
    pub resources: Vec<Resource>,
    /// Addresses of the code's resources that matched nothing the comparison can use.
    pub unmatched: BTreeSet<String>,
    /// Why each of those is not compared.
    pub not_compared: Vec<NotCompared>,
}

/// Finds each of the code's resources among `live` by `identity`. Not found where nothing was
/// listed proves nothing, so such a resource is not compared rather than missing.
pub fn find_live(
    target: &str,
    code: &CodeSide,
    identity: &str,
    live: &[Resource],
    specs: &[&'static TypeSpec],
    scanned: &BTreeSet<(String, String, String)>,
) -> Found {
    let mut found = Found::default();
    let matches = threeway::match_by_identity(&code.intents, live, identity);
    for (intent, m) in code.intents.iter().zip(matches) {
        match m {
            IdentityMatch::Matched(mut r) => {
                // What the provider resolves on apply (an image family) is not what was
                // built: unknown without state.
                let spec = specs.iter().find(|s| {
                    s.provider == r.key.provider && s.resource_type == r.key.resource_type
                });
                for attr in spec.iter().flat_map(|s| s.attrs).filter(|a| a.resolved) {
                    driftd_core::remove_attr_at(&mut r.attrs, attr.name);
                }
                found.resources.push(r)
            }
            IdentityMatch::NotFound => {
                let listed = scanned.iter().any(|(p, t, scope)| {
                    *p == intent.provider
                        && *t == intent.resource_type
                        && intent.region.as_ref().is_none_or(|r| r == scope)
                });
                if !listed {
                    found.unmatched.insert(intent.address.clone());
                    found.not_compared.push(
                        code_not_compared(
                            intent,
                            NotComparedKind::NotScanned,
                            "no state, and its scope was not listed",
                        )
                        .with_scope(intent.region.as_deref()),
                    );
                }
            }
            IdentityMatch::NoIdentity => {
                tracing::warn!(
                    target = %target,
                    address = %intent.address,
                    identity = %identity,
                    "no state and no known identity value in the code: not compared"
                );
                found.unmatched.insert(intent.address.clone());
                found.not_compared.push(code_not_compared(
                    intent,
                    NotComparedKind::NotMatched,
                    format!("no state, and the code sets no known `{identity}` to find it live by"),
                ));
            }
            IdentityMatch::Ambiguous(ids) => {
                tracing::warn!(
                    target = %target,
                    address = %intent.address,
                    identity = %identity,
                    candidates = ?ids,
                    "no state and several live resources have the code's identity value: \
                     not compared"
                );
                found.unmatched.insert(intent.address.clone());
                found.not_compared.push(code_not_compared(
                    intent,
                    NotComparedKind::NotMatched,
                    format!(
                        "no state, and {} live resources have the code's `{identity}`",
                        ids.len()
                    ),
                ));
            }
        }
    }
    found
}

/// The not-compared entry of a resource the code declares, at its address and source.
fn code_not_compared(
    intent: &threeway::Intent,
    category: NotComparedKind,
    reason: impl Into<String>,
) -> NotCompared {
    NotCompared::new(
        category,
        &intent.provider,
        Some(&intent.resource_type),
        reason,
    )
    .at(Some(&intent.address), Some(&intent.source))
}
