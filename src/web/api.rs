//! The JSON API under `/api/v1/` (the same data as the pages) and `/metrics`.

use super::views;
use super::{WebError, WebState};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;

type ApiResult<T> = Result<Json<T>, WebError>;

fn internal(e: anyhow::Error) -> WebError {
    WebError::internal(e, true)
}

/// Every target: last scan, completeness, open drift by tier, trend.
pub async fn targets(State(s): State<Arc<WebState>>) -> ApiResult<Vec<views::TargetSummary>> {
    let names = views::target_names(&s.ctx, &s.targets)
        .await
        .map_err(internal)?;
    let mut out = Vec::new();
    for n in names {
        out.push(
            views::summary(&s.ctx, &n, s.trend_days)
                .await
                .map_err(internal)?,
        );
    }
    Ok(Json(out))
}

pub async fn target(
    State(s): State<Arc<WebState>>,
    Path(name): Path<String>,
) -> ApiResult<views::TargetView> {
    s.require_target(&name, true).await?;
    views::target(&s.ctx, &name, s.trend_days)
        .await
        .map(Json)
        .map_err(internal)
}

pub async fn finding(
    State(s): State<Arc<WebState>>,
    Path(fp): Path<String>,
) -> ApiResult<views::FindingView> {
    match views::finding(&s.ctx, &fp).await.map_err(internal)? {
        Some(v) => Ok(Json(v)),
        None => Err(WebError::not_found(format!("no finding {fp}"), true)),
    }
}

pub async fn scan(
    State(s): State<Arc<WebState>>,
    Path(id): Path<i64>,
) -> ApiResult<views::ScanView> {
    match views::scan(&s.ctx, id).await.map_err(internal)? {
        Some(v) => Ok(Json(v)),
        None => Err(WebError::not_found(format!("no scan {id}"), true)),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct AckBody {
    /// Who acknowledges (recorded).
    pub by: Option<String>,
}

/// Acknowledges one open finding: its notifications stop repeating and escalating. Needs the
/// token (refused when none is configured: acknowledge with `driftd ack` on the host then).
pub async fn acknowledge(
    s: &WebState,
    headers: &HeaderMap,
    fp: &str,
    by: Option<String>,
) -> Result<usize, WebError> {
    if !s.has_token() {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: "acknowledging from the web needs [web].token in the config; use `driftd ack` on the host".into(),
            json: true,
        });
    }
    if !s.authenticated(headers) {
        return Err(WebError {
            status: StatusCode::UNAUTHORIZED,
            message: "send Authorization: Bearer <token>".into(),
            json: true,
        });
    }
    if views::finding(&s.ctx, fp)
        .await
        .map_err(internal)?
        .is_none()
    {
        return Err(WebError::not_found(format!("no finding {fp}"), true));
    }
    let by = by
        .filter(|b| !b.trim().is_empty())
        .map(|b| b.trim().chars().take(100).collect::<String>())
        .unwrap_or_else(|| "web".into());
    let now = crate::time::rfc3339(s.ctx.clock.now());
    let fp = fp.to_string();
    s.ctx
        .store
        .run(move |st| st.ack(Some(&fp), None, &by, &now))
        .await
        .map_err(internal)
}

pub async fn ack(
    State(s): State<Arc<WebState>>,
    Path(fp): Path<String>,
    headers: HeaderMap,
    body: Option<Json<AckBody>>,
) -> Result<Response, WebError> {
    let by = body.and_then(|b| b.0.by);
    let n = acknowledge(&s, &headers, &fp, by).await?;
    Ok(Json(serde_json::json!({"acknowledged": n})).into_response())
}

/// Prometheus text format.
pub async fn metrics(State(s): State<Arc<WebState>>) -> Result<Response, WebError> {
    let names = views::target_names(&s.ctx, &s.targets)
        .await
        .map_err(internal)?;
    let n2 = names.clone();
    let durable = s
        .ctx
        .store
        .run(move |st| {
            let mut d = super::metrics::Durable::default();
            for t in &n2 {
                for f in st.open_findings(Some(t))? {
                    *d.open
                        .entry((
                            t.clone(),
                            f.finding.kind.as_str().to_string(),
                            f.finding.tier.as_str().to_string(),
                        ))
                        .or_default() += 1;
                    if let Some(p) = &f.finding.policy {
                        *d.violations
                            .entry((t.clone(), p.id.clone(), f.finding.tier.as_str().to_string()))
                            .or_default() += 1;
                    }
                }
                if let Some(scan) = st.recent_scans(Some(t), None, 20)?.into_iter().find(|sc| {
                    sc.finished_at.is_some() && sc.status != driftd_store::ScanStatus::Failed
                }) {
                    let parse = |x: &str| chrono::DateTime::parse_from_rfc3339(x).ok();
                    if let (Some(a), Some(b)) = (
                        parse(&scan.started_at),
                        scan.finished_at.as_deref().and_then(parse),
                    ) {
                        let secs = (b - a).num_milliseconds() as f64 / 1000.0;
                        let complete = scan.status == driftd_store::ScanStatus::Complete;
                        d.last_scan
                            .insert(t.clone(), (b.timestamp(), secs, complete));
                    }
                }
            }
            for t in &n2 {
                if let Some(r) = st.last_report(t)? {
                    d.coverage.insert(t.clone(), r.summary);
                }
            }
            d.scans = st.scan_counts()?;
            d.notifications = st.notification_counts()?;
            Ok(d)
        })
        .await
        .map_err(internal)?;
    let text = super::metrics::render(&names, &durable, &s.ctx.metrics.snapshot());
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}
