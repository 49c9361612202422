//! Attributes behind a second call: what Terraform records for a resource but its type's list
//! call does not return (a VPC's DNS settings), read with one more call per listed resource.
//!
//! The calls run concurrently, a few at a time per unit, on the unit's own client, so each is
//! counted by the unit's meter (progress and the report's API call counts) and paced by the SDK's
//! retries like the listing itself. A partial view is never compared: if any call fails (denied,
//! throttled out, an API error), the attributes are removed from every resource of the unit and
//! reported as unread (a `Skipped` with `attribute` set), so they can never read as changed.

use driftd_core::{KindListing, ListError};
use serde_json::{Map, Value};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Concurrent second calls per unit: enough to hide the round trips, few enough to stay well
/// inside EC2's request rate when every region lists at once.
pub const CONCURRENCY: usize = 8;

/// Reads `attributes` of every resource in `out` with `read` (given a resource id, it answers
/// those attributes by Terraform name) and merges them in; on any failure leaves them out of the
/// comparison (see the module doc).
pub async fn read_per_resource<F, Fut>(
    out: &mut KindListing,
    attributes: &'static [&'static str],
    read: F,
) where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Map<String, Value>, ListError>> + Send + 'static,
{
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    let mut calls = JoinSet::new();
    for (idx, r) in out.resources.iter().enumerate() {
        let (call, limit) = (read(r.key.id.clone()), limit.clone());
        calls.spawn(async move {
            // The semaphore is never closed: a permit always comes.
            let _permit = limit.acquire_owned().await;
            (idx, call.await)
        });
    }
    let mut failure = None;
    while let Some(joined) = calls.join_next().await {
        match joined {
            Ok((idx, Ok(attrs))) => out.resources[idx].attrs.extend(attrs),
            Ok((_, Err(e))) => failure = Some(e),
            Err(_) => failure = Some(ListError::Api("an attribute call did not finish".into())),
        }
    }
    if let Some(err) = failure {
        for r in &mut out.resources {
            for a in attributes {
                r.attrs.remove(*a);
            }
        }
        for a in attributes {
            out.unread_attributes.push((a.to_string(), err.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::Resource;
    use serde_json::json;

    fn listing(ids: &[&str]) -> KindListing {
        KindListing {
            resources: ids
                .iter()
                .map(|id| Resource::new("aws", "t", *id))
                .collect(),
            unread_attributes: vec![],
        }
    }

    #[tokio::test]
    async fn every_resource_gets_its_attributes() {
        let mut out = listing(&["a", "b", "c"]);
        read_per_resource(&mut out, &["x"], |id| async move {
            Ok(Map::from_iter([("x".to_string(), json!(format!("{id}!")))]))
        })
        .await;
        assert!(out.unread_attributes.is_empty());
        for r in &out.resources {
            assert_eq!(r.attrs["x"], json!(format!("{}!", r.key.id)));
        }
    }

    #[tokio::test]
    async fn one_failure_leaves_the_attributes_unread_everywhere() {
        let mut out = listing(&["a", "b", "c"]);
        read_per_resource(&mut out, &["x", "y"], |id| async move {
            if id == "b" {
                return Err(ListError::AccessDenied("no".into()));
            }
            Ok(Map::from_iter([
                ("x".to_string(), json!(1)),
                ("y".to_string(), json!(2)),
            ]))
        })
        .await;
        assert!(out.resources.iter().all(|r| r.attrs.is_empty()));
        let unread: Vec<&str> = out
            .unread_attributes
            .iter()
            .map(|(a, _)| a.as_str())
            .collect();
        assert_eq!(unread, ["x", "y"]);
        assert!(matches!(
            out.unread_attributes[0].1,
            ListError::AccessDenied(_)
        ));
    }
}
