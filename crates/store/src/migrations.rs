//! Versioned schema migrations. Each entry moves the schema from version `i` to `i + 1`; they
//! run in order at open, each in its own IMMEDIATE transaction (two processes opening an old
//! database at once migrate it once). Never edit a released migration: add a new one.

use crate::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    // 1: scans, findings with lifecycle, finding events.
    "CREATE TABLE scans (
        id          INTEGER PRIMARY KEY,
        target      TEXT NOT NULL,
        trigger     TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL CHECK (status IN ('running', 'complete', 'incomplete', 'failed')),
        pid         INTEGER,
        findings    INTEGER,
        skipped     INTEGER,
        error       TEXT,
        report      TEXT
     );
     CREATE INDEX scans_by_target ON scans (target, started_at);
     CREATE TABLE findings (
        fingerprint   TEXT PRIMARY KEY,
        target        TEXT NOT NULL,
        provider      TEXT NOT NULL,
        resource_type TEXT NOT NULL,
        resource_id   TEXT NOT NULL,
        kind          TEXT NOT NULL,
        tier          TEXT NOT NULL,
        address       TEXT,
        region        TEXT,
        source        TEXT,
        changes       TEXT NOT NULL,
        first_seen    TEXT NOT NULL,
        last_seen     TEXT NOT NULL,
        times_seen    INTEGER NOT NULL,
        resolved_at   TEXT,
        reopened      INTEGER NOT NULL DEFAULT 0,
        first_scan_id INTEGER REFERENCES scans (id),
        last_scan_id  INTEGER REFERENCES scans (id)
     );
     CREATE INDEX findings_open ON findings (target, resolved_at);
     CREATE TABLE finding_events (
        id          INTEGER PRIMARY KEY,
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
        scan_id     INTEGER REFERENCES scans (id),
        at          TEXT NOT NULL,
        event       TEXT NOT NULL CHECK (event IN ('opened', 'changed', 'resolved', 'reopened')),
        tier        TEXT,
        changes     TEXT
     );
     CREATE INDEX finding_events_by_fingerprint ON finding_events (fingerprint, id);",
    // 2: the notification outbox, what was sent to whom, acknowledgements.
    "CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        channel         TEXT NOT NULL,
        fingerprint     TEXT NOT NULL,
        event           TEXT NOT NULL,
        payload         TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        give_up_at      TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
        last_error      TEXT,
        sent_at         TEXT
     );
     CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
     CREATE TABLE notify_state (
        fingerprint  TEXT NOT NULL,
        channel      TEXT NOT NULL,
        last_sent_at TEXT NOT NULL,
        sends        INTEGER NOT NULL,
        PRIMARY KEY (fingerprint, channel)
     );
     ALTER TABLE findings ADD COLUMN acked_at TEXT;
     ALTER TABLE findings ADD COLUMN acked_by TEXT;",
    // 3: per (finding, channel) conversation references: a Slack message ts, an email Message-ID.
    "CREATE TABLE threads (
        fingerprint TEXT NOT NULL,
        channel     TEXT NOT NULL,
        thread_ref  TEXT NOT NULL,
        PRIMARY KEY (fingerprint, channel)
     );",
    // 4: silences, daily digests, the first notification time (escalation) and the target of
    // notifications that are not about one finding (a degraded scan).
    "CREATE TABLE silences (
        id         INTEGER PRIMARY KEY,
        matchers   TEXT NOT NULL,
        starts_at  TEXT NOT NULL,
        ends_at    TEXT NOT NULL,
        comment    TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expired_at TEXT
     );
     CREATE TABLE digest_items (
        id          INTEGER PRIMARY KEY,
        digest      TEXT NOT NULL,
        channel     TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        target      TEXT NOT NULL,
        added_at    TEXT NOT NULL,
        sent_in     INTEGER
     );
     CREATE UNIQUE INDEX digest_items_pending ON digest_items (digest, channel, fingerprint)
        WHERE sent_in IS NULL;
     CREATE TABLE digests (
        digest  TEXT NOT NULL,
        channel TEXT NOT NULL,
        last_at TEXT NOT NULL,
        PRIMARY KEY (digest, channel)
     );
     ALTER TABLE notify_state ADD COLUMN first_sent_at TEXT;
     ALTER TABLE notify_state ADD COLUMN target TEXT;",
    // 5: which engine compared a finding's resource: NULL for driftd's own reader, `plan` for
    // Terraform's plan.
    "ALTER TABLE findings ADD COLUMN engine TEXT;",
    // 6: the policy a violation breaks (JSON), NULL for drift.
    "ALTER TABLE findings ADD COLUMN policy TEXT;",
];

/// The schema version this build writes.
pub const VERSION: i64 = MIGRATIONS.len() as i64;

pub fn run(conn: &mut Connection, path: &Path) -> Result<()> {
    let sql = |source| StoreError::Sql {
        path: path.to_path_buf(),
        source,
    };
    loop {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let current: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        if current > VERSION {
            return Err(StoreError::TooNew {
                path: path.to_path_buf(),
                found: current,
                known: VERSION,
            });
        }
        if current == VERSION {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current as usize])
            .map_err(sql)?;
        tx.pragma_update(None, "user_version", current + 1)
            .map_err(sql)?;
        tx.commit().map_err(sql)?;
    }
}
