//! The dashboard's HTML pages: overview, target, finding, scan. Server-rendered, no script;
//! every value from a cloud API, a state file or the config goes through [`esc`].

use super::views::{self, Day, TierCounts};
use super::{api, WebError, WebState};
use crate::output::html::{changes_table, esc, tier_badge};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use driftd_store::{FindingRecord, ScanRecord};
use std::fmt::Write;
use std::sync::Arc;

type Page = Result<Html<String>, WebError>;

fn internal(e: anyhow::Error) -> WebError {
    WebError::internal(e, false)
}

/// Dashboard-only rules, after the report's stylesheet.
const DASHBOARD_CSS: &str = "
nav.top { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid #8884; }
nav.top a.brand { font-weight: 700; text-decoration: none; }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
main h2 { margin-top: 1.6rem; }
form.inline, main > p { margin: .8rem 0; }
table.grid { border-collapse: collapse; width: 100%; }
table.grid.facts { width: auto; min-width: 40rem; }
table.grid th, table.grid td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #8883; vertical-align: top; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.status-complete { color: #1a7f37; } .status-incomplete, .status-running { color: #9a6700; } .status-failed { color: #cf222e; font-weight: 600; }
.muted { opacity: .7; }
svg.trend rect { fill: #0969da; } svg.trend rect.zero { fill: #8885; }
ol.timeline { list-style: none; padding-left: 0; border-left: 2px solid #8885; }
ol.timeline li { margin: 0 0 .6rem 0; padding-left: .8rem; }
ol.timeline time { font-variant-numeric: tabular-nums; opacity: .8; margin-right: .5rem; }
.banner-incomplete { border: 2px solid #9a6700; padding: .5rem .8rem; border-radius: .3rem; }
form.inline { display: inline; }
pre.value { margin: 0; white-space: pre-wrap; word-break: break-all; }
";

pub fn stylesheet() -> String {
    format!("{}\n{DASHBOARD_CSS}", crate::output::html::CSS)
}

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · driftd</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>\
         <body><nav class=\"top\"><a class=\"brand\" href=\"/\">driftd</a>\
         <a href=\"/\">Targets</a><a href=\"/metrics\">Metrics</a>\
         <span class=\"muted\">v{}</span></nav><main>\n{body}\n</main></body></html>\n",
        esc(title),
        env!("CARGO_PKG_VERSION")
    )
}

pub fn error_page(status: StatusCode, message: &str) -> String {
    layout(
        status.canonical_reason().unwrap_or("Error"),
        &format!(
            "<h1>{}</h1><p>{}</p><p><a href=\"/\">Back to the overview</a></p>",
            status.as_u16(),
            esc(message)
        ),
    )
}

pub fn login_page(error: Option<&str>) -> String {
    let err = error
        .map(|e| format!("<p class=\"status-failed\">{}</p>", esc(e)))
        .unwrap_or_default();
    layout(
        "Log in",
        &format!(
            "<h1>Log in</h1>{err}<form method=\"post\" action=\"/login\">\
             <label>Access token (<code>[web].token</code>) <input type=\"password\" name=\"token\" autocomplete=\"current-password\" required></label> \
             <button type=\"submit\">Log in</button></form>"
        ),
    )
}

/// "3 h ago" next to a timestamp.
fn when(now: DateTime<Utc>, t: &str) -> String {
    let ago = DateTime::parse_from_rfc3339(t)
        .map(|d| now - d.with_timezone(&Utc))
        .ok()
        .map(|d| {
            let s = d.num_seconds();
            if s < 0 {
                String::new()
            } else if s < 120 {
                format!("{s} s ago")
            } else if s < 7200 {
                format!("{} min ago", s / 60)
            } else if s < 172_800 {
                format!("{} h ago", s / 3600)
            } else {
                format!("{} days ago", s / 86_400)
            }
        })
        .unwrap_or_default();
    format!(
        "<time datetime=\"{0}\">{0}</time> <span class=\"muted\">{1}</span>",
        esc(t),
        esc(&ago)
    )
}

fn status_badge(status: &str) -> String {
    format!("<span class=\"status-{0}\">{0}</span>", esc(status))
}

fn scan_status(s: &ScanRecord) -> &'static str {
    s.status.as_str()
}

fn tier_cells(c: &TierCounts) -> String {
    format!(
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
        c.critical, c.warning, c.info
    )
}

/// Bars of open findings per day, as inline SVG (no script, no inline style).
fn sparkline(days: &[Day]) -> String {
    let max = days.iter().map(|d| d.open).max().unwrap_or(0).max(1);
    let (w, h) = (8, 28);
    let mut out = format!(
        "<svg class=\"trend\" width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\" role=\"img\" aria-label=\"open drift per day\">",
        days.len() * w,
        days.len() * w
    );
    for (i, d) in days.iter().enumerate() {
        let bar = if d.open == 0 {
            2
        } else {
            (d.open * (h - 2) / max).max(3)
        };
        let _ = write!(
            out,
            "<rect{} x=\"{}\" y=\"{}\" width=\"{}\" height=\"{bar}\"><title>{}: {} open</title></rect>",
            if d.open == 0 { " class=\"zero\"" } else { "" },
            i * w + 1,
            h - bar,
            w - 2,
            d.date,
            d.open
        );
    }
    out.push_str("</svg>");
    out
}

pub async fn overview(State(s): State<Arc<WebState>>) -> Page {
    let now = s.ctx.clock.now();
    let names = views::target_names(&s.ctx, &s.targets)
        .await
        .map_err(internal)?;
    let mut rows = String::new();
    let mut total = TierCounts::default();
    for n in &names {
        let t = views::summary(&s.ctx, n, s.trend_days)
            .await
            .map_err(internal)?;
        total.critical += t.open.critical;
        total.warning += t.open.warning;
        total.info += t.open.info;
        let last = match &t.last_scan {
            Some(sc) => format!(
                "{} {} <span class=\"muted\">({})</span>",
                when(now, sc.finished_at.as_deref().unwrap_or(&sc.started_at)),
                status_badge(scan_status(sc)),
                esc(&sc.trigger)
            ),
            None => "<span class=\"muted\">never scanned</span>".into(),
        };
        let complete = match t.complete {
            Some(true) => "<span class=\"status-complete\">complete</span>".to_string(),
            Some(false) => "<span class=\"status-incomplete\">incomplete</span>".to_string(),
            None => "<span class=\"muted\">–</span>".to_string(),
        };
        let coverage = match (t.coverage_pct, t.not_compared) {
            (Some(c), Some(n)) if n > 0 => format!(
                "<span title=\"{} compared, {n} not compared\">{c:.1}%</span> \
                 <span class=\"muted not-compared\">({n} not compared)</span>",
                t.compared.unwrap_or(0)
            ),
            (Some(c), _) => format!("{c:.1}%"),
            (None, _) => "–".into(),
        };
        let _ = writeln!(
            rows,
            "<tr class=\"target\" data-target=\"{0}\"><td><a href=\"/targets/{1}\">{0}</a></td><td>{last}</td>\
             <td>{complete}</td><td class=\"num\">{coverage}</td>{2}<td>{3}</td></tr>",
            esc(n),
            esc(&url_segment(n)),
            tier_cells(&t.open),
            sparkline(&t.trend)
        );
    }
    let body = format!(
        "<h1>Drift overview</h1>\
         <p id=\"totals\">Open drift: <strong>{}</strong> critical, <strong>{}</strong> warning, <strong>{}</strong> info across {} target(s).</p>\
         <table class=\"grid\" id=\"targets\"><thead><tr><th>Target</th><th>Last scan</th><th>Scan</th><th class=\"num\">Coverage</th>\
         <th class=\"num\">Critical</th><th class=\"num\">Warning</th><th class=\"num\">Info</th><th>Last {} days</th></tr></thead>\
         <tbody>\n{rows}</tbody></table>",
        total.critical,
        total.warning,
        total.info,
        names.len(),
        s.trend_days
    );
    Ok(Html(layout("Overview", &body)))
}

/// A path segment: percent-encodes what is not safe in a URL path.
pub fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// What the target page's open findings are narrowed to (`?policy=ID`, `?kind=violation`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct FindingFilter {
    pub policy: Option<String>,
    pub kind: Option<String>,
}

impl FindingFilter {
    fn keeps(&self, f: &FindingRecord) -> bool {
        let g = &f.finding;
        let policy_ok = match &self.policy {
            None => true,
            Some(p) => g.policy.as_ref().is_some_and(|hit| &hit.id == p),
        };
        let kind_ok = match &self.kind {
            None => true,
            Some(k) => g.kind.as_str() == k,
        };
        policy_ok && kind_ok
    }
}

/// Links that narrow the open findings to one policy's violations, with their counts; empty
/// when nothing open is a violation.
fn policy_filter_bar(target: &str, open: &[FindingRecord], filter: &FindingFilter) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for f in open {
        if let Some(hit) = &f.finding.policy {
            *counts.entry(hit.id.as_str()).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let base = format!("/targets/{}", url_segment(target));
    let link = |href: String, text: String, on: bool| {
        if on {
            format!("<strong>{text}</strong>")
        } else {
            format!("<a href=\"{href}\">{text}</a>")
        }
    };
    let mut parts = vec![link(
        base.clone(),
        format!("all ({})", open.len()),
        filter.policy.is_none() && filter.kind.is_none(),
    )];
    let violations: usize = counts.values().sum();
    parts.push(link(
        format!("{base}?kind=violation"),
        format!("violations ({violations})"),
        filter.policy.is_none() && filter.kind.as_deref() == Some("violation"),
    ));
    for (id, n) in &counts {
        parts.push(link(
            format!("{base}?policy={}", url_segment(id)),
            format!("{} ({n})", esc(id)),
            filter.policy.as_deref() == Some(*id),
        ));
    }
    format!(
        "<p class=\"filters\" id=\"policy-filter\">Policy: {}</p>",
        parts.join(" · ")
    )
}

fn finding_row(f: &FindingRecord, now: DateTime<Utc>) -> String {
    let g = &f.finding;
    let mut paths: Vec<&str> = g.changes.iter().map(|c| c.path.as_str()).collect();
    if let Some(hit) = &g.policy {
        paths.push(hit.id.as_str());
    }
    format!(
        "<tr class=\"finding-row\" data-tier=\"{tier}\" id=\"f-{fp}\"><td>{badge}</td><td>{kind}</td>\
         <td><a href=\"/findings/{fp}\">{rtype} {rid}</a><br><span class=\"muted\">{addr}</span></td>\
         <td>{paths}</td><td>{first}</td><td class=\"num\">{seen}</td></tr>",
        tier = g.tier.as_str(),
        fp = esc(&g.fingerprint),
        badge = tier_badge(g.tier),
        kind = esc(g.kind.as_str()),
        rtype = esc(&g.resource_type),
        rid = esc(&g.resource_id),
        addr = esc(g.address.as_deref().unwrap_or("")),
        paths = esc(&paths.join(", ")),
        first = when(now, &f.first_seen),
        seen = f.times_seen,
    )
}

fn scans_table(scans: &[ScanRecord], now: DateTime<Utc>) -> String {
    let mut out = String::from(
        "<table class=\"grid\" id=\"scans\"><thead><tr><th>Scan</th><th>Started</th><th>Trigger</th><th>Status</th>\
         <th class=\"num\">Findings</th><th class=\"num\">Skipped</th><th>Error</th></tr></thead><tbody>\n",
    );
    for sc in scans {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"/scans/{0}\">#{0}</a></td><td>{1}</td><td>{2}</td><td>{3}</td>\
             <td class=\"num\">{4}</td><td class=\"num\">{5}</td><td>{6}</td></tr>",
            sc.id,
            when(now, &sc.started_at),
            esc(&sc.trigger),
            status_badge(scan_status(sc)),
            sc.findings,
            sc.skipped,
            esc(sc.error.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// What a scan did not compare: neither drift nor in sync.
fn not_compared_list(entries: &[driftd_core::NotCompared]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let total: usize = entries.iter().map(|e| e.count).sum();
    let mut out = format!(
        "<div class=\"banner-incomplete\" id=\"not-compared\"><strong>{total} resource(s) not compared:</strong> \
         neither drift nor in sync.<ul>"
    );
    for e in entries {
        let _ = write!(
            out,
            "<li>{} × {}</li>",
            e.count,
            esc(&crate::output::not_compared_text(e))
        );
    }
    out.push_str("</ul></div>");
    out
}

fn skipped_list(skipped: &[driftd_core::Skipped]) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<div class=\"banner-incomplete\" id=\"skipped\"><strong>Incomplete: {} scope(s) not scanned.</strong> \
         Resources there are not reported missing.<ul>",
        skipped.len()
    );
    for k in skipped {
        let _ = write!(
            out,
            "<li>{} {} {}{}: {}</li>",
            esc(&k.provider),
            esc(&k.resource_type),
            esc(&k.scope),
            k.attribute
                .as_deref()
                .map(|a| format!(" (attribute {})", esc(a)))
                .unwrap_or_default(),
            esc(&k.reason)
        );
    }
    out.push_str("</ul></div>");
    out
}

pub async fn target(
    State(s): State<Arc<WebState>>,
    Path(name): Path<String>,
    Query(filter): Query<FindingFilter>,
) -> Page {
    let now = s.ctx.clock.now();
    s.require_target(&name, false).await?;
    let v = views::target(&s.ctx, &name, s.trend_days)
        .await
        .map_err(internal)?;
    let mut findings = String::new();
    let shown: Vec<&FindingRecord> = v.open_findings.iter().filter(|f| filter.keeps(f)).collect();
    for f in &shown {
        findings.push_str(&finding_row(f, now));
    }
    let filters = policy_filter_bar(&name, &v.open_findings, &filter);
    let open = if shown.is_empty() && !v.open_findings.is_empty() {
        format!("{filters}<p id=\"none-match\">No open finding matches this filter.</p>")
    } else if v.open_findings.is_empty() {
        match (v.summary.compared, v.summary.not_compared) {
            (Some(c), Some(n)) if n > 0 => format!(
                "<p class=\"in-sync\" id=\"in-sync\">No open drift in the {c} resource(s) compared; \
                 {n} not compared.</p>"
            ),
            _ => "<p class=\"in-sync\" id=\"in-sync\">✓ No open drift.</p>".to_string(),
        }
    } else {
        format!(
            "{filters}<table class=\"grid\" id=\"findings\"><thead><tr><th>Tier</th><th>Kind</th><th>Resource</th>\
             <th>Changed</th><th>First seen</th><th class=\"num\">Scans</th></tr></thead><tbody>\n{findings}</tbody></table>"
        )
    };
    let body = format!(
        "<h1>{}</h1><p>Open drift: {} critical, {} warning, {} info.{}</p>{}{}\
         <h2>Open findings</h2>{open}<h2>Recent scans</h2>{}",
        esc(&name),
        v.summary.open.critical,
        v.summary.open.warning,
        v.summary.open.info,
        v.summary
            .coverage_pct
            .map(|c| format!(" Coverage <span id=\"coverage\">{c:.1}%</span>."))
            .unwrap_or_default(),
        skipped_list(&v.skipped),
        not_compared_list(&v.not_compared),
        scans_table(&v.recent_scans, now)
    );
    Ok(Html(layout(&name, &body)))
}

pub async fn finding(
    State(s): State<Arc<WebState>>,
    Path(fp): Path<String>,
    headers: HeaderMap,
) -> Page {
    let now = s.ctx.clock.now();
    let Some(v) = views::finding(&s.ctx, &fp).await.map_err(internal)? else {
        return Err(WebError::not_found(format!("no finding {fp}"), false));
    };
    let g = &v.finding.finding;
    // The timeline: lifecycle events, notifications and the acknowledgement, by time.
    let mut items: Vec<(String, String)> = Vec::new();
    for e in &v.events {
        let what = match e.event.as_str() {
            "opened" => "First seen".to_string(),
            "changed" => "Actual value moved".to_string(),
            "resolved" => "Resolved: matches its state again".to_string(),
            "reopened" => "Came back".to_string(),
            other => other.to_string(),
        };
        let scan = e
            .scan_id
            .map(|id| format!(" in <a href=\"/scans/{id}\">scan #{id}</a>"))
            .unwrap_or_default();
        items.push((e.at.clone(), format!("{}{scan}", esc(&what))));
    }
    for n in &v.notifications {
        let detail = match (n.status.as_str(), &n.last_error) {
            ("sent", _) => format!("delivered {}", esc(n.sent_at.as_deref().unwrap_or(""))),
            (status, Some(err)) => format!("{}: {}", esc(status), esc(err)),
            (status, None) => esc(status),
        };
        items.push((
            n.created_at.clone(),
            format!(
                "Notification <strong>{}</strong> to <code>{}</code> · {detail}",
                esc(&n.event),
                esc(&n.channel)
            ),
        ));
    }
    if let Some(a) = &v.ack {
        items.push((a.at.clone(), format!("Acknowledged by {}", esc(&a.by))));
    }
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let mut timeline = String::from("<ol class=\"timeline\" id=\"timeline\">");
    for (at, what) in &items {
        let _ = write!(timeline, "<li>{} {what}</li>", when(now, at));
    }
    timeline.push_str("</ol>");
    let ack = if v.finding.resolved_at.is_some() {
        String::new()
    } else if let Some(a) = &v.ack {
        format!("<p>Acknowledged by {} at {}.</p>", esc(&a.by), esc(&a.at))
    } else if s.has_token() && s.authenticated(&headers) {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"/findings/{}/ack\">\
             <label>Acknowledge as <input name=\"by\" maxlength=\"100\" placeholder=\"your name\"></label> \
             <button type=\"submit\">Acknowledge</button></form> <span class=\"muted\">stops repeats and escalation</span>",
            esc(&g.fingerprint)
        )
    } else {
        "<p class=\"muted\">Acknowledge with <code>driftd ack</code> on the host (or set <code>[web].token</code> to do it here).</p>".into()
    };
    let state = match &v.finding.resolved_at {
        Some(at) => format!(
            "<span class=\"status-complete\">resolved</span> {}",
            when(now, at)
        ),
        None => "<span class=\"status-failed\">open</span>".into(),
    };
    let facts = [
        (
            "Target",
            format!(
                "<a href=\"/targets/{}\">{}</a>",
                esc(&url_segment(&v.target)),
                esc(&v.target)
            ),
        ),
        ("Tier", tier_badge(g.tier)),
        ("Kind", esc(g.kind.as_str())),
        ("State", state),
        ("Address", esc(g.address.as_deref().unwrap_or("–"))),
        ("Provider", esc(&g.provider)),
        ("Region", esc(g.region.as_deref().unwrap_or("–"))),
        ("Source", esc(g.source.as_deref().unwrap_or("–"))),
        (
            "Compared by",
            match g.engine {
                driftd_core::Engine::Native => "driftd (the provider's API)".to_string(),
                driftd_core::Engine::Plan => "Terraform's plan (its refresh)".to_string(),
            },
        ),
        ("First seen", when(now, &v.finding.first_seen)),
        ("Last seen", when(now, &v.finding.last_seen)),
        ("Scans", v.finding.times_seen.to_string()),
        (
            "Fingerprint",
            format!("<code>{}</code>", esc(&g.fingerprint)),
        ),
    ];
    let mut dl = String::from("<table class=\"grid facts\">");
    for (k, val) in facts {
        let _ = write!(dl, "<tr><th>{k}</th><td>{val}</td></tr>");
    }
    dl.push_str("</table>");
    let title = format!("{} {}", g.resource_type, g.resource_id);
    let body = format!(
        "<h1 id=\"finding-title\">{} {}</h1>{dl}{ack}<h2>Expected vs actual</h2>{}<h2>Timeline</h2>{timeline}",
        tier_badge(g.tier),
        esc(&title),
        changes_table(g)
    );
    Ok(Html(layout(&title, &body)))
}

pub async fn scan(State(s): State<Arc<WebState>>, Path(id): Path<i64>) -> Page {
    let now = s.ctx.clock.now();
    let Some(v) = views::scan(&s.ctx, id).await.map_err(internal)? else {
        return Err(WebError::not_found(format!("no scan {id}"), false));
    };
    let sc = &v.scan;
    let mut body = format!(
        "<h1>Scan #{} of <a href=\"/targets/{}\">{}</a></h1><table class=\"grid facts\">\
         <tr><th>Status</th><td>{}</td></tr><tr><th>Trigger</th><td>{}</td></tr>\
         <tr><th>Started</th><td>{}</td></tr><tr><th>Finished</th><td>{}</td></tr>\
         <tr><th>Findings</th><td>{}</td></tr><tr><th>Skipped scopes</th><td>{}</td></tr></table>",
        sc.id,
        esc(&url_segment(&sc.target)),
        esc(&sc.target),
        status_badge(scan_status(sc)),
        esc(&sc.trigger),
        when(now, &sc.started_at),
        sc.finished_at
            .as_deref()
            .map(|f| when(now, f))
            .unwrap_or_else(|| "–".into()),
        sc.findings,
        sc.skipped
    );
    if let Some(err) = &sc.error {
        let _ = write!(body, "<p class=\"status-failed\">{}</p>", esc(err));
    }
    if let Some(r) = &v.report {
        let _ = write!(
            body,
            "<p>{} compared ({} managed, {} unmanaged) · {} not compared · coverage {:.1}%.</p>{}{}",
            r.summary.compared,
            r.summary.managed,
            r.summary.unmanaged,
            r.summary.not_compared,
            r.summary.coverage_pct,
            skipped_list(&r.skipped),
            not_compared_list(&r.not_compared)
        );
        if r.findings.is_empty() && r.fully_compared() {
            body.push_str("<p class=\"in-sync\">✓ In sync: no drift in this scan.</p>");
        } else if r.findings.is_empty() {
            let _ = write!(
                body,
                "<p class=\"in-sync\">{}</p>",
                esc(&crate::output::no_finding_sentence(r))
            );
        } else {
            body.push_str("<h2>Findings in this scan</h2><table class=\"grid\" id=\"findings\"><thead><tr><th>Tier</th><th>Kind</th><th>Resource</th><th>Changed</th></tr></thead><tbody>");
            for f in &r.findings {
                let paths: Vec<&str> = f.changes.iter().map(|c| c.path.as_str()).collect();
                let _ = write!(
                    body,
                    "<tr class=\"finding-row\"><td>{}</td><td>{}</td><td><a href=\"/findings/{}\">{} {}</a></td><td>{}</td></tr>",
                    tier_badge(f.tier),
                    esc(f.kind.as_str()),
                    esc(&f.fingerprint),
                    esc(&f.resource_type),
                    esc(&f.resource_id),
                    esc(&paths.join(", "))
                );
            }
            body.push_str("</tbody></table>");
        }
    }
    Ok(Html(layout(&format!("Scan #{id}"), &body)))
}

#[derive(serde::Deserialize)]
pub struct AckForm {
    by: Option<String>,
}

/// The finding page's acknowledge button.
pub async fn ack(
    State(s): State<Arc<WebState>>,
    Path(fp): Path<String>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<AckForm>,
) -> Response {
    match api::acknowledge(&s, &headers, &fp, form.by).await {
        Ok(_) => Redirect::to(&format!("/findings/{}", url_segment(&fp))).into_response(),
        Err(mut e) => {
            e.json = false;
            e.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::{Finding, FindingKind, PolicyHit, Tier};

    fn record(id: &str, kind: FindingKind, policy: Option<&str>) -> FindingRecord {
        FindingRecord {
            finding: Finding {
                engine: Default::default(),
                fingerprint: format!("fp-{id}"),
                kind,
                tier: Tier::Warning,
                provider: "aws".into(),
                resource_type: "aws_s3_bucket".into(),
                resource_id: id.into(),
                address: None,
                region: None,
                source: None,
                changes: vec![],
                policy: policy.map(|p| PolicyHit {
                    id: p.into(),
                    title: p.into(),
                    remediation: None,
                    owner: None,
                    file: None,
                    messages: vec![],
                }),
            },
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            times_seen: 1,
            resolved_at: None,
            reopened: 0,
        }
    }

    /// The policy filter keeps one policy's violations (or all violations), and its bar links
    /// each policy with its count, the chosen one in bold.
    #[test]
    fn findings_filter_by_policy_and_kind() {
        let open = vec![
            record("a", FindingKind::Violation, Some("aws-s3-public")),
            record("b", FindingKind::Violation, Some("team <x>")),
            record("c", FindingKind::Changed, None),
        ];
        let kept = |f: &FindingFilter| -> Vec<String> {
            open.iter()
                .filter(|r| f.keeps(r))
                .map(|r| r.finding.resource_id.clone())
                .collect()
        };
        let by_policy = FindingFilter {
            policy: Some("aws-s3-public".into()),
            kind: None,
        };
        assert_eq!(kept(&by_policy), ["a"]);
        let violations = FindingFilter {
            policy: None,
            kind: Some("violation".into()),
        };
        assert_eq!(kept(&violations), ["a", "b"]);
        assert_eq!(kept(&FindingFilter::default()), ["a", "b", "c"]);

        let bar = policy_filter_bar("prod eu", &open, &by_policy);
        assert!(
            bar.contains("<a href=\"/targets/prod%20eu\">all (3)</a>"),
            "{bar}"
        );
        assert!(
            bar.contains("<a href=\"/targets/prod%20eu?kind=violation\">violations (2)</a>"),
            "{bar}"
        );
        assert!(bar.contains("<strong>aws-s3-public (1)</strong>"), "{bar}");
        assert!(
            bar.contains(
                "<a href=\"/targets/prod%20eu?policy=team%20%3Cx%3E\">team &lt;x&gt; (1)</a>"
            ),
            "{bar}"
        );
        let none: Vec<FindingRecord> = vec![record("c", FindingKind::Changed, None)];
        assert_eq!(
            policy_filter_bar("prod", &none, &FindingFilter::default()),
            ""
        );
    }
}
