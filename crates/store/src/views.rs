//! Read models for the dashboard, its JSON API and `/metrics`.

use crate::{OutboxItem, Report, Result, ScanRecord, Store};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// Who acknowledged a finding, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ack {
    pub at: String,
    pub by: String,
}

/// `(first_seen, resolved_at, tier)` of a finding, for trends.
pub type Span = (String, Option<String>, String);

impl Store {
    /// One scan with its report (when it finished).
    pub fn scan(&self, id: i64) -> Result<Option<(ScanRecord, Option<Report>)>> {
        let Some(record) = self
            .scan_rows(
                "SELECT id, target, trigger, started_at, finished_at, status, findings, skipped, error FROM scans WHERE id = ?1",
                [id],
            )?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let text: Option<String> = self
            .conn
            .query_row("SELECT report FROM scans WHERE id = ?1", [id], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let report = text.and_then(|t| serde_json::from_str(&t).ok());
        Ok(Some((record, report)))
    }

    /// The target a finding belongs to.
    pub fn finding_target(&self, fingerprint: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT target FROM findings WHERE fingerprint = ?1",
                [fingerprint],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn finding_ack(&self, fingerprint: &str) -> Result<Option<Ack>> {
        self.conn
            .query_row(
                "SELECT acked_at, acked_by FROM findings WHERE fingerprint = ?1 AND acked_at IS NOT NULL",
                [fingerprint],
                |r| {
                    Ok(Ack {
                        at: r.get(0)?,
                        by: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    })
                },
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Every notification about a finding, oldest first.
    pub fn finding_notifications(&self, fingerprint: &str) -> Result<Vec<OutboxItem>> {
        let mut all = self.outbox_by_fingerprint(fingerprint)?;
        all.sort_by_key(|i| i.id);
        Ok(all)
    }

    /// `(channel, status, count)` over the whole outbox.
    pub fn notification_counts(&self) -> Result<Vec<(String, String, i64)>> {
        self.triples(
            "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status ORDER BY 1, 2",
        )
    }

    /// `(target, status, count)` of all scans.
    pub fn scan_counts(&self) -> Result<Vec<(String, String, i64)>> {
        self.triples(
            "SELECT target, status, COUNT(*) FROM scans GROUP BY target, status ORDER BY 1, 2",
        )
    }

    fn triples(&self, sql: &str) -> Result<Vec<(String, String, i64)>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Findings of `target` open at any time since `since`, for trends.
    pub fn finding_spans(&self, target: &str, since: &str) -> Result<Vec<Span>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT first_seen, resolved_at, tier FROM findings
                 WHERE target = ?1 AND (resolved_at IS NULL OR resolved_at >= ?2)",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params![target, since], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Cheap liveness of the database for `/readyz`.
    pub fn ping(&self) -> Result<()> {
        self.conn
            .query_row("SELECT 1", [], |r| r.get::<_, i64>(0))
            .map(|_| ())
            .map_err(|e| self.sql(e))
    }
}
