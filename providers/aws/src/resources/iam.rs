//! What the IAM types share, so that each type's file holds only what is its own: how an answer
//! about one entity is read when the entity may have been deleted since it was listed, IAM tags
//! as Terraform's map, the listing of policy ARNs, and the listing, spec and mapping of the
//! managed policies attached to one kind of principal (user, role or group).

use super::{resource, GRANTS};
use crate::client::classify_in;
use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::operation::list_policies::builders::ListPoliciesFluentBuilder;
use aws_sdk_iam::types::{AttachedPolicy, Tag};
use driftd_core::{AttrSpec, ListError, Resource, Shape};
use serde_json::{json, Map, Value};
use std::fmt;
use std::future::Future;

/// Reads IAM's answer to `operation` about one entity (`entity`: `user deploy`). `None` when
/// the entity was deleted between the listing and now: the caller treats it as absent, so a
/// deletion racing the scan is never an error. Any other error is classified and names the
/// entity, unless it is an access denial (which names the permission to grant instead).
pub(super) fn unless_gone<T, E>(
    answer: Result<T, SdkError<E, HttpResponse>>,
    operation: &str,
    entity: fmt::Arguments<'_>,
) -> Result<Option<T>, ListError>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match answer {
        Ok(a) => Ok(Some(a)),
        Err(e) if e.code() == Some("NoSuchEntity") => Ok(None),
        Err(e) => Err(match classify_in("iam", operation, &e) {
            ListError::Api(m) => ListError::Api(format!("{entity}: {m}")),
            other => other,
        }),
    }
}

/// IAM tags as Terraform's `tags` map.
pub(super) fn tags(tags: &[Tag]) -> Map<String, Value> {
    tags.iter()
        .map(|t| (t.key().to_string(), Value::from(t.value())))
        .collect()
}

/// The ARN of every policy `request` (a ListPolicies call, narrowed by the caller) lists.
pub(super) async fn policy_arns(
    request: ListPoliciesFluentBuilder,
) -> Result<Vec<String>, ListError> {
    let mut arns = Vec::new();
    let mut pages = request.into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify_in("iam", "ListPolicies", &e))?;
        arns.extend(
            page.policies()
                .iter()
                .filter_map(|p| p.arn().map(str::to_string)),
        );
    }
    Ok(arns)
}

/// The attributes of a managed policy attached to one `principal` (Terraform's attribute that
/// names it: `user`, `role`, `group`). Terraform's id is the principal's name and a timestamp,
/// which nothing in IAM records, so both attributes are the identity; the policy attached is
/// what the principal may do, so a change to it is critical.
pub(super) const fn attachment_attrs(principal: &'static str) -> [AttrSpec; 2] {
    [
        AttrSpec::new(principal, Shape::Scalar).identity(),
        AttrSpec::new("policy_arn", Shape::Scalar)
            .identity()
            .tier(GRANTS),
    ]
}

/// A managed policy attached to the principal `name`, with the attributes of
/// [`attachment_attrs`]; its own id is `name/policy_arn`, the form `terraform import` takes.
pub(super) fn attachment(
    resource_type: &str,
    principal: &str,
    name: &str,
    policy_arn: &str,
    scope: &str,
) -> Resource {
    resource(
        resource_type,
        &format!("{name}/{policy_arn}"),
        scope,
        json!({ principal: name, "policy_arn": policy_arn }),
    )
}

/// Every managed policy attached to each of `principals`, mapped by `map` (given the principal
/// and the policy ARN). `kind` is what a principal is called in an error (`user`), `name` gives
/// its name, and `list` answers every item of one principal's ListAttached*Policies listing
/// (`operation`), up to and including its first error. Each kind of principal has its own
/// operation with its own SDK types, so the caller makes the call and this reads the answer. A
/// principal deleted between the listing and now has no attachments from there on.
pub(super) async fn attached_policies<P, E, Fut>(
    principals: Vec<P>,
    name: fn(&P) -> &str,
    kind: &str,
    operation: &str,
    list: impl Fn(&str) -> Fut,
    map: impl Fn(&P, &str) -> Resource,
) -> Result<Vec<Resource>, ListError>
where
    Fut: Future<Output = Vec<Result<AttachedPolicy, SdkError<E, HttpResponse>>>>,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let mut out = Vec::new();
    for principal in principals {
        let name = name(&principal);
        for policy in list(name).await {
            let entity = format_args!("{kind} {name}");
            let Some(policy) = unless_gone(policy, operation, entity)? else {
                break;
            };
            out.extend(policy.policy_arn().map(|arn| map(&principal, arn)));
        }
    }
    Ok(out)
}
