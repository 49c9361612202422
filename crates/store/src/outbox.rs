//! The durable notification outbox. A notification is written here before any attempt to send
//! it and marked `sent` only after the receiver accepted it, so a restart neither loses a pending
//! one nor re-sends a delivered one. Acknowledgements live on the finding.

use crate::{Result, Store};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;
use std::collections::HashMap;

/// A notification to enqueue.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewNotification {
    pub channel: String,
    pub fingerprint: String,
    /// `trigger`, `repeat`, `escalate`, `resolve`, `test`, or a notice (`digest`, `degraded`,
    /// `undeliverable`).
    pub event: String,
    pub payload: serde_json::Value,
    /// The target, recorded with what was sent (needed when the fingerprint is not a finding's).
    pub target: Option<String>,
    /// Held until then (group wait, quiet hours). Default: due now.
    pub not_before: Option<String>,
    /// Default: the enqueue call's `give_up_at`.
    pub give_up_at: Option<String>,
}

/// A finding put aside for the next digest of a route on a channel.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDigestItem {
    pub digest: String,
    pub channel: String,
    pub fingerprint: String,
    pub target: String,
}

/// What one planning round writes, in one transaction.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PlanWrite {
    pub notifications: Vec<NewNotification>,
    pub digest_items: Vec<NewDigestItem>,
    /// (fingerprint, channel) whose sent record is dropped without a message (a drift that only
    /// went to a digest resolved: the digest shows it).
    pub forget: Vec<(String, String)>,
}

/// When a (fingerprint, channel) was notified first and last since it was last resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub first: String,
    pub last: String,
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

/// Events that are recorded as "sent" for their (fingerprint, channel): what the planner
/// compares against for confirmation, repeats and escalation.
fn records_sent(event: &str) -> bool {
    matches!(event, "trigger" | "repeat" | "escalate" | "degraded")
}

fn write_plan(
    tx: &Connection,
    plan: &PlanWrite,
    now: &str,
    give_up_at: &str,
) -> rusqlite::Result<Vec<i64>> {
    let mut ids = Vec::new();
    for n in &plan.notifications {
        tx.execute(
            "INSERT INTO outbox (channel, fingerprint, event, payload, created_at, next_attempt_at, give_up_at, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending')",
            params![
                n.channel,
                n.fingerprint,
                n.event,
                n.payload.to_string(),
                now,
                n.not_before.as_deref().unwrap_or(now),
                n.give_up_at.as_deref().unwrap_or(give_up_at)
            ],
        )?;
        ids.push(tx.last_insert_rowid());
        if n.event == "resolve" {
            forget(tx, &n.fingerprint, &n.channel)?;
        } else if records_sent(&n.event) {
            record_sent(tx, &n.fingerprint, &n.channel, n.target.as_deref(), now)?;
        }
    }
    for d in &plan.digest_items {
        tx.execute(
            "INSERT OR IGNORE INTO digest_items (digest, channel, fingerprint, target, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![d.digest, d.channel, d.fingerprint, d.target, now],
        )?;
        record_sent(tx, &d.fingerprint, &d.channel, Some(&d.target), now)?;
    }
    for (fp, ch) in &plan.forget {
        forget(tx, fp, ch)?;
    }
    Ok(ids)
}

fn record_sent(
    tx: &Connection,
    fingerprint: &str,
    channel: &str,
    target: Option<&str>,
    now: &str,
) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO notify_state (fingerprint, channel, last_sent_at, sends, first_sent_at, target)
         VALUES (?1, ?2, ?3, 1, ?3, ?4)
         ON CONFLICT (fingerprint, channel) DO UPDATE SET last_sent_at = ?3, sends = sends + 1,
            first_sent_at = COALESCE(first_sent_at, ?3), target = COALESCE(?4, target)",
        params![fingerprint, channel, now, target],
    )?;
    Ok(())
}

fn forget(tx: &Connection, fingerprint: &str, channel: &str) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM notify_state WHERE fingerprint = ?1 AND channel = ?2",
        params![fingerprint, channel],
    )?;
    Ok(())
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
        let plan = PlanWrite {
            notifications: items.to_vec(),
            ..Default::default()
        };
        self.plan_and_enqueue(now, give_up_at, |_| Ok(plan))
    }

    /// Reads what planning needs, plans and writes the plan in one IMMEDIATE transaction, so a
    /// `driftd scan` beside the daemon cannot plan the same notification twice.
    pub fn plan_and_enqueue<F>(&mut self, now: &str, give_up_at: &str, plan: F) -> Result<Vec<i64>>
    where
        F: FnOnce(&Store) -> Result<PlanWrite>,
    {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.sql(e))?;
        let written = plan(self)?;
        let ids = write_plan(&tx, &written, now, give_up_at).map_err(|e| self.sql(e))?;
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(ids)
    }

    /// When each (fingerprint, channel) of `target` was notified, first and last.
    pub fn last_sent(&self, target: &str) -> Result<HashMap<(String, String), Sent>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.fingerprint, s.channel, COALESCE(s.first_sent_at, s.last_sent_at), s.last_sent_at
                 FROM notify_state s
                 WHERE s.target = ?1 OR s.fingerprint IN (SELECT fingerprint FROM findings WHERE target = ?1)",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([target], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    Sent {
                        first: r.get(2)?,
                        last: r.get(3)?,
                    },
                ))
            })
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

    /// Every notification with this fingerprint.
    pub(crate) fn outbox_by_fingerprint(&self, fingerprint: &str) -> Result<Vec<OutboxItem>> {
        self.outbox_query(
            "SELECT * FROM outbox WHERE fingerprint = ?1 ORDER BY id",
            params![fingerprint],
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
