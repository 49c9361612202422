//! Every page of a list call, in each protocol's way of paging. A listing stops with an error
//! after [`MAX_PAGES`] pages or when a service hands back the token it was given, instead of
//! looping for ever on a misbehaving answer.

use crate::client::{ApiClient, CallError, Service};
use crate::xml::members;
use driftd_core::ListError;
use serde_json::Value;

/// Most pages one list call may take (at 100 items a page, a million resources).
pub const MAX_PAGES: usize = 10_000;

/// The error of a listing that cannot go on (a page repeated, too many pages, a truncated
/// answer without a way to the next page): a partial list is never returned as a listing.
pub(crate) fn runaway(operation: &str, why: &str) -> CallError {
    CallError {
        code: String::new(),
        status: 0,
        error: ListError::Api(format!("{operation}: {why}; the listing was stopped")),
    }
}

/// Pages of a query-protocol call: `list` is the element holding the items (`DBInstances`) and
/// `item` each entry's name (`DBInstance`, or `member`); the continuation is read from
/// `marker_out` and sent as `marker_in` (`Marker`/`Marker`, `NextToken`/`NextToken`).
pub struct QueryList<'a> {
    pub action: &'a str,
    pub params: Vec<(&'a str, String)>,
    pub list: &'a str,
    pub item: &'a str,
    pub marker_in: &'a str,
    pub marker_out: &'a str,
}

pub async fn query_all(
    client: &ApiClient,
    service: &Service,
    q: QueryList<'_>,
) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut params = q.params.clone();
        if let Some(m) = &marker {
            params.push((q.marker_in, m.clone()));
        }
        let page = client.query(service, q.action, &params).await?;
        out.extend(members(&page[q.list], q.item).into_iter().cloned());
        match page.get(q.marker_out).and_then(Value::as_str) {
            Some(next) if !next.is_empty() => {
                if marker.as_deref() == Some(next) {
                    return Err(runaway(q.action, "the service repeated its page token"));
                }
                marker = Some(next.to_string());
            }
            _ => return Ok(out),
        }
    }
    Err(runaway(q.action, "more pages than driftd reads"))
}

/// Pages of a JSON-protocol call: items under `list`, the token read from `token_out` and sent
/// as `token_in` (`NextToken`/`NextToken`, `nextToken`, `ExclusiveStartTableName`/
/// `LastEvaluatedTableName`).
pub struct JsonList<'a> {
    pub operation: &'a str,
    pub input: Value,
    pub list: &'a str,
    pub token_in: &'a str,
    pub token_out: &'a str,
}

pub async fn json_all(
    client: &ApiClient,
    service: &Service,
    q: JsonList<'_>,
) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut token: Option<Value> = None;
    for _ in 0..MAX_PAGES {
        let mut input = q.input.clone();
        if let (Some(t), Value::Object(map)) = (&token, &mut input) {
            map.insert(q.token_in.to_string(), t.clone());
        }
        let page = client.json(service, q.operation, input).await?;
        if let Some(items) = page.get(q.list).and_then(Value::as_array) {
            out.extend(items.iter().cloned());
        }
        match page.get(q.token_out) {
            Some(next) if !next.is_null() && next != "" => {
                if token.as_ref() == Some(next) {
                    return Err(runaway(q.operation, "the service repeated its page token"));
                }
                token = Some(next.clone());
            }
            _ => return Ok(out),
        }
    }
    Err(runaway(q.operation, "more pages than driftd reads"))
}

/// Pages of a REST-JSON `GET`: items under `list`, the token read from `token_out` and sent as
/// the query parameter `token_in` (`Marker`/`NextMarker` in Lambda, `nextToken` in EKS,
/// `position` in API Gateway). `query` holds the other parameters, already encoded.
pub struct RestList<'a> {
    pub operation: &'a str,
    pub path: String,
    pub query: String,
    pub list: &'a str,
    pub token_in: &'a str,
    pub token_out: &'a str,
}

pub async fn rest_all(
    client: &ApiClient,
    service: &Service,
    q: RestList<'_>,
) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut query = q.query.clone();
        if let Some(t) = &token {
            if !query.is_empty() {
                query.push('&');
            }
            query.push_str(&crate::client::form(&[(q.token_in, t.clone())]));
        }
        let page = client.rest(service, q.operation, &q.path, &query).await?;
        if let Some(items) = page.get(q.list).and_then(Value::as_array) {
            out.extend(items.iter().cloned());
        }
        match page.get(q.token_out).and_then(Value::as_str) {
            Some(next) if !next.is_empty() => {
                if token.as_deref() == Some(next) {
                    return Err(runaway(q.operation, "the service repeated its page token"));
                }
                token = Some(next.to_string());
            }
            _ => return Ok(out),
        }
    }
    Err(runaway(q.operation, "more pages than driftd reads"))
}

/// A per-resource read that may find the resource gone (deleted between the list and the
/// read): `None` then, and the resource is left out of the listing (not reported missing by a
/// race). Any other failure fails the unit.
pub fn unless_gone<T>(r: Result<T, CallError>) -> Result<Option<T>, ListError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.error),
    }
}

/// Reads each of `items` with `read`, [`CONCURRENCY`](crate::attribute_calls::CONCURRENCY) at a
/// time, in their order; `None` answers (a resource gone since the list) are left out. The first
/// failure fails the whole read: a unit never reports a partial listing as complete.
pub async fn each_bounded<I, T, F, Fut>(items: Vec<I>, read: F) -> Result<Vec<T>, ListError>
where
    I: Send + 'static,
    T: Send + 'static,
    F: Fn(I) -> Fut,
    Fut: std::future::Future<Output = Result<Option<T>, ListError>> + Send + 'static,
{
    use std::sync::Arc;
    use tokio::sync::Semaphore;
    let limit = Arc::new(Semaphore::new(crate::attribute_calls::CONCURRENCY));
    let mut calls = tokio::task::JoinSet::new();
    for (idx, item) in items.into_iter().enumerate() {
        let (call, limit) = (read(item), limit.clone());
        calls.spawn(async move {
            // The semaphore is never closed: a permit always comes.
            let _permit = limit.acquire_owned().await;
            (idx, call.await)
        });
    }
    let mut got: Vec<(usize, T)> = Vec::new();
    while let Some(joined) = calls.join_next().await {
        match joined {
            Ok((idx, Ok(Some(v)))) => got.push((idx, v)),
            Ok((_, Ok(None))) => {}
            Ok((_, Err(e))) => return Err(e),
            Err(_) => return Err(ListError::Api("a per-resource read did not finish".into())),
        }
    }
    got.sort_by_key(|(idx, _)| *idx);
    Ok(got.into_iter().map(|(_, v)| v).collect())
}
