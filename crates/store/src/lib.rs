//! driftd's history in SQLite: scans and findings with a lifecycle keyed by fingerprint.
//!
//! - One database file in the state directory, in WAL mode with a busy timeout, so a daemon and a
//!   `driftd scan` started by hand can share it. Every write is one `IMMEDIATE` transaction: a
//!   process killed at any point leaves the database as it was before or after that write.
//! - Schema versions live in `PRAGMA user_version`; [`migrations`] run at open, in a transaction.
//! - A scan is recorded `running` when it starts, by a process holding the target's
//!   [`ScanLock`]; [`Store::recover_interrupted`] marks running scans whose target no one holds as
//!   `failed`, so a SIGKILL mid-scan loses no history and a reused pid keeps nothing locked.
//! - Lifecycle: a finding is opened when first seen, seen again (`times_seen`, `last_seen`, latest
//!   expected/actual), resolved when a scan that covered its scope no longer reports it, and
//!   reopened if it comes back. A scope that was skipped (or only partly read) resolves nothing.
//!
//! Time is always passed in (RFC 3339 UTC strings), never read here, so tests control it.

mod alerting;
mod lock;
mod migrations;
mod outbox;
mod views;

pub use alerting::{DigestItem, SilenceRow};
pub use lock::{ScanLock, ScanLocks};
pub use outbox::{NewDigestItem, NewNotification, OutboxItem, PlanWrite, Sent};
pub use views::{Ack, Span};

use driftd_core::{Engine, Finding, FindingKind, Report, Skipped, Tier};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the driftd database {path}: {source} (check that the state directory exists and is writable by driftd)")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("the driftd database {path} has schema version {found}, newer than this driftd knows ({known}); run a newer driftd or restore a backup")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("database error in {path}: {source}{}", sql_advice(.source))]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("stored data in {path} is not valid: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What to do about the SQLite errors an operator can fix.
fn sql_advice(e: &rusqlite::Error) -> &'static str {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => {
            "; the disk holding the history is full: free space on it (or move the state \
             directory); everything recorded before this write is kept as it was"
        }
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::PermissionDenied) => {
            "; driftd cannot write there: check the state directory's owner and mode"
        }
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
            "; another process holds the database for too long: try again"
        }
        _ => "",
    }
}

/// Status of a recorded scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ScanStatus {
    Running,
    Complete,
    Incomplete,
    Failed,
}

impl ScanStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Running => "running",
            ScanStatus::Complete => "complete",
            ScanStatus::Incomplete => "incomplete",
            ScanStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "running" => ScanStatus::Running,
            "complete" => ScanStatus::Complete,
            "incomplete" => ScanStatus::Incomplete,
            "failed" => ScanStatus::Failed,
            _ => return None,
        })
    }
}

/// One recorded scan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanRecord {
    pub id: i64,
    pub target: String,
    /// What started it: `schedule`, `startup`, `missed`, `manual`.
    pub trigger: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub status: ScanStatus,
    pub findings: i64,
    pub skipped: i64,
    pub error: Option<String>,
}

/// A finding with its lifecycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRecord {
    #[serde(flatten)]
    pub finding: Finding,
    pub first_seen: String,
    pub last_seen: String,
    pub times_seen: i64,
    pub resolved_at: Option<String>,
    /// How many times it came back after being resolved.
    pub reopened: i64,
}

/// One step in a finding's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingEvent {
    pub at: String,
    pub scan_id: Option<i64>,
    /// `opened`, `changed` (the actual value moved), `resolved` or `reopened`.
    pub event: String,
    pub tier: Option<String>,
    pub changes: serde_json::Value,
}

/// What one finished scan did to the lifecycle (for notifications later).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LifecycleChanges {
    pub opened: Vec<String>,
    pub changed: Vec<String>,
    pub reopened: Vec<String>,
    pub resolved: Vec<String>,
    /// Open findings not seen this time whose scope was not (fully) scanned: left open.
    pub kept_unscanned: Vec<String>,
}

/// `(provider, resource_type, scope)` listed completely in a scan.
pub type ScannedScope = (String, String, String);

pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
        };
        migrations::run(&mut store.conn, path)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// Records the start of a scan; returns its id.
    pub fn begin_scan(&mut self, target: &str, trigger: &str, started_at: &str) -> Result<i64> {
        let pid = std::process::id();
        self.conn
            .execute(
                "INSERT INTO scans (target, trigger, started_at, status, pid) VALUES (?1, ?2, ?3, 'running', ?4)",
                params![target, trigger, started_at, pid],
            )
            .map_err(|e| self.sql(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The scan locks of this database's state directory.
    pub fn scan_locks(&self) -> ScanLocks {
        ScanLocks::beside(&self.path)
    }

    /// Records a scan that could not run to the end.
    pub fn fail_scan(&mut self, scan_id: i64, error: &str, now: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE scans SET status = 'failed', finished_at = ?2, error = ?3 WHERE id = ?1",
                params![scan_id, now, error],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Marks `running` scans that no process is running any more as failed. `held(target)`
    /// tells whether some process holds the target's scan lock now (see [`ScanLocks::is_held`]):
    /// a scan runs only while its process holds it.
    pub fn recover_interrupted(&mut self, now: &str, held: impl Fn(&str) -> bool) -> Result<usize> {
        let running: Vec<(i64, String)> = {
            let mut stmt = self
                .conn
                .prepare("SELECT id, target FROM scans WHERE status = 'running'")
                .map_err(|e| self.sql(e))?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(|e| self.sql(e))?;
            rows.collect::<std::result::Result<_, _>>()
                .map_err(|e| self.sql(e))?
        };
        let mut n = 0;
        for (id, target) in running {
            if held(&target) {
                continue;
            }
            self.fail_scan(
                id,
                "interrupted: driftd stopped during the scan (killed or crashed)",
                now,
            )?;
            n += 1;
        }
        Ok(n)
    }

    /// Records a finished scan and moves every finding of its target through its lifecycle, in
    /// one transaction.
    pub fn finish_scan(
        &mut self,
        scan_id: i64,
        report: &Report,
        scanned: &[ScannedScope],
        now: &str,
    ) -> Result<LifecycleChanges> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sql {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let status = if report.scan.complete {
            ScanStatus::Complete
        } else {
            ScanStatus::Incomplete
        };
        let report_json = serde_json::to_string(report).map_err(|e| StoreError::Corrupt {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        tx.execute(
            "UPDATE scans SET status = ?2, finished_at = ?3, findings = ?4, skipped = ?5, report = ?6 WHERE id = ?1",
            params![
                scan_id,
                status.as_str(),
                now,
                report.findings.len() as i64,
                report.skipped.len() as i64,
                report_json
            ],
        )
        .map_err(sql)?;

        // Current state of every finding this target has ever had.
        let mut known: HashMap<String, (Option<String>, String, String)> = HashMap::new();
        {
            let mut stmt = tx
                .prepare("SELECT fingerprint, resolved_at, changes, tier FROM findings WHERE target = ?1")
                .map_err(sql)?;
            let rows = stmt
                .query_map([&report.target], |r| {
                    Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)))
                })
                .map_err(sql)?;
            for row in rows {
                let (fp, rest) = row.map_err(sql)?;
                known.insert(fp, rest);
            }
        }

        let mut out = LifecycleChanges::default();
        let event = |tx: &rusqlite::Transaction,
                     fp: &str,
                     ev: &str,
                     f: Option<&Finding>,
                     changes: &str| {
            tx.execute(
                "INSERT INTO finding_events (fingerprint, scan_id, at, event, tier, changes) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![fp, scan_id, now, ev, f.map(|f| f.tier.as_str()), changes],
            )
        };
        let mut seen = BTreeSet::new();
        for f in &report.findings {
            seen.insert(f.fingerprint.as_str());
            let changes = serde_json::to_string(&f.changes).unwrap_or_else(|_| "[]".into());
            match known.get(&f.fingerprint) {
                None => {
                    tx.execute(
                        "INSERT INTO findings (fingerprint, target, provider, resource_type, resource_id, kind, tier, address, region, source, changes, first_seen, last_seen, times_seen, reopened, first_scan_id, last_scan_id, engine, policy)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, 1, 0, ?13, ?13, ?14, ?15)",
                        params![
                            f.fingerprint, report.target, f.provider, f.resource_type, f.resource_id,
                            f.kind.as_str(), f.tier.as_str(), f.address, f.region, f.source, changes, now, scan_id,
                            engine_column(f.engine), policy_column(f)
                        ],
                    )
                    .map_err(sql)?;
                    event(&tx, &f.fingerprint, "opened", Some(f), &changes).map_err(sql)?;
                    out.opened.push(f.fingerprint.clone());
                }
                Some((resolved_at, old_changes, old_tier)) => {
                    let reopening = resolved_at.is_some();
                    tx.execute(
                        "UPDATE findings SET tier = ?2, address = ?3, region = ?4, source = ?5, changes = ?6, last_seen = ?7,
                           times_seen = times_seen + 1, last_scan_id = ?8, resolved_at = NULL,
                           reopened = reopened + ?9,
                           acked_at = CASE WHEN ?9 = 1 THEN NULL ELSE acked_at END,
                           engine = ?10, policy = ?11
                         WHERE fingerprint = ?1",
                        params![
                            f.fingerprint, f.tier.as_str(), f.address, f.region, f.source, changes, now,
                            scan_id, reopening as i64, engine_column(f.engine), policy_column(f)
                        ],
                    )
                    .map_err(sql)?;
                    if reopening {
                        event(&tx, &f.fingerprint, "reopened", Some(f), &changes).map_err(sql)?;
                        out.reopened.push(f.fingerprint.clone());
                    } else if *old_changes != changes || old_tier != f.tier.as_str() {
                        event(&tx, &f.fingerprint, "changed", Some(f), &changes).map_err(sql)?;
                        out.changed.push(f.fingerprint.clone());
                    }
                }
            }
        }

        let coverage = Coverage::new(scanned, &report.skipped);
        // A violation of a policy that could not be evaluated this time is not proven gone.
        let unevaluated: BTreeSet<&str> = report
            .policy_errors
            .iter()
            .map(|e| e.policy.as_str())
            .collect();
        let open_unseen: Vec<(String, String, String, Option<String>, bool)> = {
            let mut stmt = tx
                .prepare("SELECT fingerprint, provider, resource_type, region, policy FROM findings WHERE target = ?1 AND resolved_at IS NULL")
                .map_err(sql)?;
            let rows = stmt
                .query_map([&report.target], |r| {
                    let policy: Option<String> = r.get(4)?;
                    let unknown = policy
                        .and_then(|p| serde_json::from_str::<driftd_core::PolicyHit>(&p).ok())
                        .is_some_and(|p| unevaluated.contains(p.id.as_str()));
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, unknown))
                })
                .map_err(sql)?;
            let mut v = Vec::new();
            for row in rows {
                let row: (String, String, String, Option<String>, bool) = row.map_err(sql)?;
                if !seen.contains(row.0.as_str()) {
                    v.push(row);
                }
            }
            v
        };
        for (fp, provider, rtype, region, unknown) in open_unseen {
            if !unknown && coverage.covers(&provider, &rtype, region.as_deref()) {
                tx.execute(
                    "UPDATE findings SET resolved_at = ?2 WHERE fingerprint = ?1",
                    params![fp, now],
                )
                .map_err(sql)?;
                event(&tx, &fp, "resolved", None, "[]").map_err(sql)?;
                out.resolved.push(fp);
            } else {
                out.kept_unscanned.push(fp);
            }
        }
        tx.commit().map_err(sql)?;
        Ok(out)
    }

    /// Open findings, most severe first; of one target or all.
    pub fn open_findings(&self, target: Option<&str>) -> Result<Vec<FindingRecord>> {
        self.query_findings(
            "SELECT * FROM findings WHERE resolved_at IS NULL AND (?1 IS NULL OR target = ?1)",
            target,
        )
    }

    /// One finding by fingerprint (or a unique prefix of at least 6 characters).
    pub fn finding(&self, fingerprint: &str) -> Result<Vec<FindingRecord>> {
        if fingerprint.len() < 6 {
            return Ok(Vec::new());
        }
        let pattern = format!("{}%", fingerprint.replace(['%', '_'], ""));
        self.query_findings(
            "SELECT * FROM findings WHERE fingerprint LIKE ?1",
            Some(&pattern),
        )
    }

    fn query_findings(&self, sql: &str, arg: Option<&str>) -> Result<Vec<FindingRecord>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([arg], |r| {
                Ok((
                    r.get::<_, String>("fingerprint")?,
                    r.get::<_, String>("kind")?,
                    r.get::<_, String>("tier")?,
                    r.get::<_, String>("provider")?,
                    r.get::<_, String>("resource_type")?,
                    r.get::<_, String>("resource_id")?,
                    r.get::<_, Option<String>>("address")?,
                    r.get::<_, Option<String>>("region")?,
                    (
                        r.get::<_, Option<String>>("source")?,
                        r.get::<_, Option<String>>("engine")?,
                        r.get::<_, Option<String>>("policy")?,
                    ),
                    r.get::<_, String>("changes")?,
                    (
                        r.get::<_, String>("first_seen")?,
                        r.get::<_, String>("last_seen")?,
                        r.get::<_, i64>("times_seen")?,
                        r.get::<_, Option<String>>("resolved_at")?,
                        r.get::<_, i64>("reopened")?,
                    ),
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (
                fp,
                kind,
                tier,
                provider,
                rtype,
                rid,
                address,
                region,
                (source, engine, policy),
                changes,
                life,
            ) = row.map_err(|e| self.sql(e))?;
            let corrupt = |detail: String| StoreError::Corrupt {
                path: self.path.clone(),
                detail,
            };
            let kind: FindingKind = serde_json::from_value(serde_json::Value::String(kind.clone()))
                .map_err(|_| corrupt(format!("finding {fp} has unknown kind `{kind}`")))?;
            let tier: Tier = tier
                .parse()
                .map_err(|_| corrupt(format!("finding {fp} has unknown tier `{tier}`")))?;
            let changes = serde_json::from_str(&changes)
                .map_err(|e| corrupt(format!("finding {fp} has unreadable changes: {e}")))?;
            let engine = match engine.as_deref() {
                None | Some("native") => Engine::Native,
                Some("plan") => Engine::Plan,
                Some(other) => {
                    return Err(corrupt(format!(
                        "finding {fp} has unknown engine `{other}`"
                    )))
                }
            };
            let policy = policy
                .map(|p| serde_json::from_str(&p))
                .transpose()
                .map_err(|e| corrupt(format!("finding {fp} has an unreadable policy: {e}")))?;
            out.push(FindingRecord {
                finding: Finding {
                    engine,
                    fingerprint: fp,
                    kind,
                    tier,
                    provider,
                    resource_type: rtype,
                    resource_id: rid,
                    address,
                    region,
                    source,
                    changes,
                    policy,
                },
                first_seen: life.0,
                last_seen: life.1,
                times_seen: life.2,
                resolved_at: life.3,
                reopened: life.4,
            });
        }
        out.sort_by(|a, b| {
            b.finding
                .tier
                .cmp(&a.finding.tier)
                .then(a.finding.kind.cmp(&b.finding.kind))
                .then_with(|| a.finding.resource_type.cmp(&b.finding.resource_type))
                .then_with(|| a.finding.resource_id.cmp(&b.finding.resource_id))
        });
        Ok(out)
    }

    /// The history of one finding, oldest first.
    pub fn finding_events(&self, fingerprint: &str) -> Result<Vec<FindingEvent>> {
        let mut stmt = self
            .conn
            .prepare("SELECT at, scan_id, event, tier, changes FROM finding_events WHERE fingerprint = ?1 ORDER BY id")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([fingerprint], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Option<String>>(4)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (at, scan_id, event, tier, changes) = row.map_err(|e| self.sql(e))?;
            out.push(FindingEvent {
                at,
                scan_id,
                event,
                tier,
                changes: changes
                    .and_then(|c| serde_json::from_str(&c).ok())
                    .unwrap_or(serde_json::Value::Null),
            });
        }
        Ok(out)
    }

    /// Recent scans, newest first.
    pub fn recent_scans(
        &self,
        target: Option<&str>,
        since: Option<&str>,
        limit: usize,
    ) -> Result<Vec<ScanRecord>> {
        self.scan_rows(
            "SELECT id, target, trigger, started_at, finished_at, status, findings, skipped, error FROM scans
             WHERE (?1 IS NULL OR target = ?1) AND (?2 IS NULL OR started_at >= ?2)
             ORDER BY started_at DESC, id DESC LIMIT ?3",
            params![target, since, limit as i64],
        )
    }

    /// Scan rows selected by `sql` (columns id, target, trigger, started_at, finished_at,
    /// status, findings, skipped, error).
    pub(crate) fn scan_rows(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Vec<ScanRecord>> {
        let mut stmt = self.conn.prepare(sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                    r.get::<_, Option<i64>>(7)?,
                    r.get(8)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, target, trigger, started_at, finished_at, status, findings, skipped, error) =
                row.map_err(|e| self.sql(e))?;
            let status = ScanStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("scan {id} has unknown status `{status}`"),
            })?;
            out.push(ScanRecord {
                id,
                target,
                trigger,
                started_at,
                finished_at,
                status,
                findings: findings.unwrap_or(0),
                skipped: skipped.unwrap_or(0),
                error,
            });
        }
        Ok(out)
    }

    /// Start time of the target's latest scan, whatever its outcome (for missed-run detection).
    pub fn last_scan_started(&self, target: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT max(started_at) FROM scans WHERE target = ?1",
                [target],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(|e| self.sql(e))
    }

    /// The report of the target's latest finished scan.
    pub fn last_report(&self, target: &str) -> Result<Option<Report>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT report FROM scans WHERE target = ?1 AND report IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1",
                [target],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))?;
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!("stored report of `{target}` is unreadable: {e}"),
            })
        })
        .transpose()
    }

    /// Targets that have any history.
    pub fn targets(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT target FROM scans ORDER BY target")
            .map_err(|e| self.sql(e))?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(|e| self.sql(e))?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sql(e))
    }
}

/// Which scopes a scan covered well enough to prove a finding gone.
struct Coverage<'a> {
    scanned: BTreeSet<(&'a str, &'a str, &'a str)>,
    /// `(provider, type, scope)` with anything skipped, whole or one attribute.
    blocked: BTreeSet<(&'a str, &'a str, &'a str)>,
    blocked_types: BTreeSet<(&'a str, &'a str)>,
}

impl<'a> Coverage<'a> {
    fn new(scanned: &'a [ScannedScope], skipped: &'a [Skipped]) -> Self {
        Coverage {
            scanned: scanned
                .iter()
                .map(|(p, t, s)| (p.as_str(), t.as_str(), s.as_str()))
                .collect(),
            blocked: skipped
                .iter()
                .map(|s| {
                    (
                        s.provider.as_str(),
                        s.resource_type.as_str(),
                        s.scope.as_str(),
                    )
                })
                .collect(),
            blocked_types: skipped
                .iter()
                .map(|s| (s.provider.as_str(), s.resource_type.as_str()))
                .collect(),
        }
    }

    fn covers(&self, provider: &str, rtype: &str, region: Option<&str>) -> bool {
        match region {
            Some(r) => {
                self.scanned.contains(&(provider, rtype, r))
                    && !self.blocked.contains(&(provider, rtype, r))
            }
            None => {
                !self.blocked_types.contains(&(provider, rtype))
                    && self
                        .scanned
                        .iter()
                        .any(|(p, t, _)| *p == provider && *t == rtype)
            }
        }
    }
}

/// How a finding's engine is stored: NULL for driftd's own reader (every row written before
/// there were two engines), the engine's name otherwise.
fn engine_column(engine: Engine) -> Option<&'static str> {
    (!engine.is_native()).then(|| engine.as_str())
}

/// The `policy` column of a finding: its policy hit as JSON, NULL for drift.
fn policy_column(f: &Finding) -> Option<String> {
    f.policy
        .as_ref()
        .and_then(|p| serde_json::to_string(p).ok())
}

#[cfg(test)]
mod tests;
