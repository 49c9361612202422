//! Silences and digests: the state behind `driftd silence` and the daily digests.

use crate::{Result, Store};
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::Serialize;

/// A silence: matching findings do not notify until `ends_at`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceRow {
    pub id: i64,
    /// `{"target": "prod-*", "type": "aws_instance", ...}`: every key must match.
    pub matchers: serde_json::Value,
    pub starts_at: String,
    pub ends_at: String,
    pub comment: String,
    pub created_by: String,
    pub created_at: String,
    pub expired_at: Option<String>,
}

/// A finding waiting for (or carried by) a digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestItem {
    pub id: i64,
    pub fingerprint: String,
    pub target: String,
    pub added_at: String,
}

impl Store {
    pub fn add_silence(
        &mut self,
        matchers: &serde_json::Value,
        starts_at: &str,
        ends_at: &str,
        comment: &str,
        created_by: &str,
        now: &str,
    ) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO silences (matchers, starts_at, ends_at, comment, created_by, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![matchers.to_string(), starts_at, ends_at, comment, created_by, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Silences in force at `now` (started, not ended, not expired by hand); with `None`, all,
    /// newest first.
    pub fn silences(&self, active_at: Option<&str>) -> Result<Vec<SilenceRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT * FROM silences
                 WHERE ?1 IS NULL OR (expired_at IS NULL AND starts_at <= ?1 AND ends_at > ?1)
                 ORDER BY id DESC",
            )
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([active_at], |r| {
                Ok(SilenceRow {
                    id: r.get("id")?,
                    matchers: serde_json::from_str(&r.get::<_, String>("matchers")?)
                        .unwrap_or(serde_json::Value::Null),
                    starts_at: r.get("starts_at")?,
                    ends_at: r.get("ends_at")?,
                    comment: r.get("comment")?,
                    created_by: r.get("created_by")?,
                    created_at: r.get("created_at")?,
                    expired_at: r.get("expired_at")?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Ends a silence now. False when there is no such silence or it already ended.
    pub fn expire_silence(&mut self, id: i64, now: &str) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE silences SET expired_at = ?2 WHERE id = ?1 AND expired_at IS NULL AND ends_at > ?2",
                params![id, now],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n > 0)
    }

    /// When the digest of (`digest`, `channel`) was last sent, or when its oldest waiting item
    /// was added if it never was.
    pub fn digest_last(&self, digest: &str, channel: &str) -> Result<Option<String>> {
        let last: Option<String> = self
            .conn
            .query_row(
                "SELECT last_at FROM digests WHERE digest = ?1 AND channel = ?2",
                params![digest, channel],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        if last.is_some() {
            return Ok(last);
        }
        self.conn
            .query_row(
                "SELECT MIN(added_at) FROM digest_items WHERE digest = ?1 AND channel = ?2",
                params![digest, channel],
                |r| r.get(0),
            )
            .map_err(|e| self.sql(e))
    }

    /// Items waiting for the next digest.
    pub fn digest_pending(&self, digest: &str, channel: &str) -> Result<Vec<DigestItem>> {
        self.digest_query(
            "SELECT id, fingerprint, target, added_at FROM digest_items
             WHERE digest = ?1 AND channel = ?2 AND sent_in IS NULL ORDER BY id",
            params![digest, channel],
        )
    }

    /// Items an earlier digest carried whose finding is still open, or resolved after `since`.
    pub fn digest_carried(
        &self,
        digest: &str,
        channel: &str,
        since: &str,
    ) -> Result<Vec<DigestItem>> {
        self.digest_query(
            "SELECT MAX(d.id) AS id, d.fingerprint, d.target, MAX(d.added_at) AS added_at
             FROM digest_items d JOIN findings f ON f.fingerprint = d.fingerprint
             WHERE d.digest = ?1 AND d.channel = ?2 AND d.sent_in IS NOT NULL
               AND (f.resolved_at IS NULL OR f.resolved_at > ?3)
               AND d.fingerprint NOT IN (SELECT fingerprint FROM digest_items
                                         WHERE digest = ?1 AND channel = ?2 AND sent_in IS NULL)
             GROUP BY d.fingerprint, d.target ORDER BY id",
            params![digest, channel, since],
        )
    }

    fn digest_query(&self, sql: &str, args: impl rusqlite::Params) -> Result<Vec<DigestItem>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok(DigestItem {
                    id: r.get(0)?,
                    fingerprint: r.get(1)?,
                    target: r.get(2)?,
                    added_at: r.get(3)?,
                })
            })
            .map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }

    /// Records a digest as done at `at`: the message (if there was anything to say) goes to the
    /// outbox and the waiting items are marked as carried by it, in one transaction, so a
    /// restart neither loses nor repeats a digest.
    pub fn commit_digest(
        &mut self,
        digest: &str,
        channel: &str,
        at: &str,
        message: Option<&crate::NewNotification>,
        give_up_at: &str,
    ) -> Result<Option<i64>> {
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)
            .map_err(|e| self.sql(e))?;
        let mut id = None;
        if let Some(n) = message {
            tx.execute(
                "INSERT INTO outbox (channel, fingerprint, event, payload, created_at, next_attempt_at, give_up_at, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, 'pending')",
                params![n.channel, n.fingerprint, n.event, n.payload.to_string(), at, give_up_at],
            )
            .map_err(|e| self.sql(e))?;
            id = Some(tx.last_insert_rowid());
        }
        tx.execute(
            "UPDATE digest_items SET sent_in = ?3 WHERE digest = ?1 AND channel = ?2 AND sent_in IS NULL",
            params![digest, channel, id.unwrap_or(0)],
        )
        .map_err(|e| self.sql(e))?;
        tx.execute(
            "INSERT INTO digests (digest, channel, last_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (digest, channel) DO UPDATE SET last_at = ?3",
            params![digest, channel, at],
        )
        .map_err(|e| self.sql(e))?;
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(id)
    }
}
