//! The durable notification outbox. A notification is written here before any attempt to send
//! it and marked `sent` only after the receiver accepted it, so a restart neither loses a pending
//! one nor re-sends a delivered one. Acknowledgements live on the finding.

use crate::{Result, Store, StoreError};
use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;

/// A notification to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewNotification {
    pub channel: String,
    pub fingerprint: String,
    /// `trigger`, `repeat`, `resolve` or `test`.
    pub event: String,
    pub payload: serde_json::Value,
}

/// One outbox row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxItem {
    pub id: i64,
    pub channel: String,
    pub fingerprint: String,
    pub event: String,
    pub payload: serde_json::Value,
    pub created_at: String,
    pub attempts: i64,
    pub status: String,
    pub last_error: Option<String>,
    pub give_up_at: String,
    pub sent_at: Option<String>,
}

impl Store {
    /// Writes notifications and records them as the latest sent per (fingerprint, channel), in
    /// one transaction. A `resolve` clears that record: the next drift starts afresh.
    pub fn enqueue(
        &mut self,
        items: &[NewNotification],
        now: &str,
        give_up_at: &str,
    ) -> Result<Vec<i64>> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let mut ids = Vec::new();
        for n in items {
            tx.execute(
                "INSERT INTO outbox (channel, fingerprint, event, payload, created_at, next_attempt_at, give_up_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 'pending')",
                params![n.channel, n.fingerprint, n.event, n.payload.to_string(), now, give_up_at],
            )
            .map_err(sql)?;
            ids.push(tx.last_insert_rowid());
            match n.event.as_str() {
                "resolve" => {
                    tx.execute(
                        "DELETE FROM notify_state WHERE fingerprint = ?1 AND channel = ?2",
                        params![n.fingerprint, n.channel],
                    )
                    .map_err(sql)?;
                }
                "test" => {}
                _ => {
                    tx.execute(
                        "INSERT INTO notify_state (fingerprint, channel, last_sent_at, sends) VALUES (?1, ?2, ?3, 1)
                         ON CONFLICT (fingerprint, channel) DO UPDATE SET last_sent_at = ?3, sends = sends + 1",
                        params![n.fingerprint, n.channel, now],
                    )
                    .map_err(sql)?;
                }
            }
        }
        tx.commit().map_err(sql)?;
        Ok(ids)
    }

    /// When each (fingerprint, channel) of `target` was last notified.
    pub fn last_sent(&self, target: &str) -> Result<HashMap<(String, String), String>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.fingerprint, s.channel, s.last_sent_at FROM notify_state s
                 JOIN findings f ON f.fingerprint = s.fingerprint WHERE f.target = ?1",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([target], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Pending notifications due at `now`, oldest first.
    pub fn due_notifications(&self, now: &str, limit: usize) -> Result<Vec<OutboxItem>> {
        self.outbox_query(
            "SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT ?2",
            params![now, limit as i64],
        )
    }

    /// Every notification of a given status (`pending`, `sent`, `failed`), newest first.
    pub fn notifications(&self, status: &str, limit: usize) -> Result<Vec<OutboxItem>> {
        self.outbox_query(
            "SELECT * FROM outbox WHERE status = ?1 ORDER BY id DESC LIMIT ?2",
            params![status, limit as i64],
        )
    }

    fn outbox_query(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<OutboxItem>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(OutboxItem {
                    id: r.get("id")?,
                    channel: r.get("channel")?,
                    fingerprint: r.get("fingerprint")?,
                    event: r.get("event")?,
                    payload: serde_json::from_str(&r.get::<_, String>("payload")?)
                        .unwrap_or(serde_json::Value::Null),
                    created_at: r.get("created_at")?,
                    attempts: r.get("attempts")?,
                    status: r.get("status")?,
                    last_error: r.get("last_error")?,
                    give_up_at: r.get("give_up_at")?,
                    sent_at: r.get("sent_at")?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    pub fn mark_sent(&mut self, id: i64, now: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?2, attempts = attempts + 1, last_error = NULL WHERE id = ?1",
                params![id, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    pub fn mark_retry(&mut self, id: i64, next_attempt_at: &str, error: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 WHERE id = ?1",
                params![id, next_attempt_at, error],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    pub fn mark_failed(&mut self, id: i64, error: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2 WHERE id = ?1",
                params![id, error],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// The channel's conversation reference for a finding (Slack message ts, email Message-ID).
    pub fn thread_ref(&self, fingerprint: &str, channel: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT thread_ref FROM threads WHERE fingerprint = ?1 AND channel = ?2",
                params![fingerprint, channel],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    /// Remembers the first message of a finding's conversation on a channel.
    pub fn set_thread_ref(
        &mut self,
        fingerprint: &str,
        channel: &str,
        thread_ref: &str,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO threads (fingerprint, channel, thread_ref) VALUES (?1, ?2, ?3)
                 ON CONFLICT (fingerprint, channel) DO UPDATE SET thread_ref = ?3",
                params![fingerprint, channel, thread_ref],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Forgets a conversation (after its resolve was delivered: a new drift starts a new one).
    pub fn clear_thread_ref(&mut self, fingerprint: &str, channel: &str) -> Result<()> {
        self.conn
            .execute(
                "DELETE FROM threads WHERE fingerprint = ?1 AND channel = ?2",
                params![fingerprint, channel],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Acknowledges open findings (by fingerprint prefix, or all of a target): no more repeats.
    pub fn ack(
        &mut self,
        fingerprint: Option<&str>,
        target: Option<&str>,
        by: &str,
        now: &str,
    ) -> Result<usize> {
        let pattern = fingerprint.map(|f| format!("{}%", f.replace(['%', '_'], "")));
        let n = self
            .conn
            .execute(
                "UPDATE findings SET acked_at = ?1, acked_by = ?2
                 WHERE resolved_at IS NULL AND acked_at IS NULL
                   AND (?3 IS NULL OR fingerprint LIKE ?3) AND (?4 IS NULL OR target = ?4)",
                params![now, by, pattern, target],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n)
    }

    /// Fingerprints of the target's acknowledged open findings.
    pub fn acked(&self, target: &str) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT fingerprint FROM findings WHERE target = ?1 AND acked_at IS NOT NULL AND resolved_at IS NULL")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([target], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Findings by fingerprint (for resolves: the planner needs what was resolved).
    pub fn findings_by_fingerprint(
        &self,
        fingerprints: &[String],
    ) -> Result<Vec<crate::FindingRecord>> {
        let mut out = Vec::new();
        for fp in fingerprints {
            out.extend(
                self.finding(fp)?
                    .into_iter()
                    .filter(|f| &f.finding.fingerprint == fp),
            );
        }
        Ok(out)
    }
}
