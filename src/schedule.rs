//! When a target runs: its cron expression in its time zone, plus a bounded jitter. Pure
//! functions of the time they are given, so the semantics are tested without sleeping.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use stable::stable_hash;
use std::str::FromStr;
use std::time::Duration;

/// A target's schedule.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: cron::Schedule,
    tz: Tz,
    jitter: Duration,
}

impl Schedule {
    /// Parses a cron expression: 5 fields (`min hour dom mon dow`, as in crontab), or 6-7 fields
    /// with seconds (and years) first. `tz` is an IANA time zone name (`Europe/Berlin`).
    pub fn parse(expr: &str, tz: &str, jitter: Duration) -> Result<Schedule, String> {
        let fields = expr.split_whitespace().count();
        let full = match fields {
            5 => format!("0 {expr}"),
            6 | 7 => expr.to_string(),
            n => {
                return Err(format!(
                    "`{expr}` has {n} fields; write 5 (min hour day month weekday, like crontab) \
                     or 6 with seconds first"
                ))
            }
        };
        let cron = cron::Schedule::from_str(&full)
            .map_err(|e| format!("`{expr}` is not a valid cron expression: {e}"))?;
        let tz = Tz::from_str(tz).map_err(|_| {
            format!("`{tz}` is not an IANA time zone name (like UTC or Europe/Berlin)")
        })?;
        if cron.after(&Utc::now().with_timezone(&tz)).next().is_none() {
            return Err(format!("`{expr}` never fires again"));
        }
        Ok(Schedule { cron, tz, jitter })
    }

    /// The first tick strictly after `t`.
    pub fn next_after(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron
            .after(&t.with_timezone(&self.tz))
            .next()
            .map(|d| d.with_timezone(&Utc))
    }

    /// The next `n` ticks after `t`.
    pub fn upcoming(&self, t: DateTime<Utc>, n: usize) -> Vec<DateTime<Utc>> {
        self.cron
            .after(&t.with_timezone(&self.tz))
            .take(n)
            .map(|d| d.with_timezone(&Utc))
            .collect()
    }

    /// Whether a tick fell between the last run's start and `now`: the daemon was down (or the
    /// target new) when it should have run. However many ticks were missed, it runs once.
    pub fn missed(&self, last_run: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        match last_run {
            Some(last) => self.next_after(last).is_some_and(|t| t <= now),
            None => false,
        }
    }

    /// The delay added to a tick for one target: stable for a (target, tick) pair, within
    /// `[0, jitter]`, and different across targets so a fleet does not hit the APIs at once.
    pub fn jitter_for(&self, target: &str, tick: DateTime<Utc>) -> Duration {
        let max_ms = self.jitter.as_millis() as u64;
        if max_ms == 0 {
            return Duration::ZERO;
        }
        let h = stable_hash(target.as_bytes(), tick.timestamp());
        Duration::from_millis(h % (max_ms + 1))
    }
}

/// A small stable hash (FNV-1a): std's hasher is randomly seeded per process, and the jitter of a
/// tick must not change when the daemon restarts.
mod stable {
    pub fn stable_hash(bytes: &[u8], salt: i64) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in bytes.iter().copied().chain(salt.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, s).single().unwrap()
    }

    #[test]
    fn five_field_crontab_and_seconds() {
        let s = Schedule::parse("*/15 * * * *", "UTC", Duration::ZERO).unwrap();
        assert_eq!(
            s.next_after(utc(2026, 3, 1, 10, 7, 0)),
            Some(utc(2026, 3, 1, 10, 15, 0))
        );
        let s = Schedule::parse("*/5 * * * * *", "UTC", Duration::ZERO).unwrap();
        assert_eq!(
            s.upcoming(utc(2026, 3, 1, 10, 0, 1), 3),
            vec![
                utc(2026, 3, 1, 10, 0, 5),
                utc(2026, 3, 1, 10, 0, 10),
                utc(2026, 3, 1, 10, 0, 15)
            ]
        );
    }

    #[test]
    fn time_zone_is_honoured_across_dst() {
        // 02:30 every day in Berlin: 01:30 UTC in winter, 00:30 UTC in summer.
        let s = Schedule::parse("30 2 * * *", "Europe/Berlin", Duration::ZERO).unwrap();
        assert_eq!(
            s.next_after(utc(2026, 1, 10, 0, 0, 0)),
            Some(utc(2026, 1, 10, 1, 30, 0))
        );
        assert_eq!(
            s.next_after(utc(2026, 7, 10, 0, 0, 0)),
            Some(utc(2026, 7, 10, 0, 30, 0))
        );
    }

    #[test]
    fn missed_runs_run_once() {
        let s = Schedule::parse("0 * * * *", "UTC", Duration::ZERO).unwrap();
        let last = utc(2026, 3, 1, 10, 0, 0);
        // Down for three hours: missed, and `missed` is a yes/no, not a count.
        assert!(s.missed(Some(last), utc(2026, 3, 1, 13, 5, 0)));
        // Up again within the hour: nothing missed.
        assert!(!s.missed(Some(last), utc(2026, 3, 1, 10, 59, 59)));
        // Never ran: nothing to catch up (run_at_start decides).
        assert!(!s.missed(None, utc(2026, 3, 1, 13, 5, 0)));
    }

    #[test]
    fn jitter_is_bounded_stable_and_spread() {
        let s = Schedule::parse("0 * * * *", "UTC", Duration::from_secs(60)).unwrap();
        let tick = utc(2026, 3, 1, 10, 0, 0);
        let mut distinct = std::collections::BTreeSet::new();
        for i in 0..50 {
            let name = format!("target-{i}");
            let j = s.jitter_for(&name, tick);
            assert!(j <= Duration::from_secs(60));
            assert_eq!(j, s.jitter_for(&name, tick));
            distinct.insert(j);
        }
        assert!(
            distinct.len() > 40,
            "jitter should spread targets: {distinct:?}"
        );
        let none = Schedule::parse("0 * * * *", "UTC", Duration::ZERO).unwrap();
        assert_eq!(none.jitter_for("a", tick), Duration::ZERO);
    }

    #[test]
    fn bad_input_is_explained() {
        assert!(Schedule::parse("* * *", "UTC", Duration::ZERO)
            .unwrap_err()
            .contains("has 3 fields"));
        assert!(Schedule::parse("61 * * * *", "UTC", Duration::ZERO)
            .unwrap_err()
            .contains("not a valid cron expression"));
        assert!(Schedule::parse("0 * * * *", "Mars/Olympus", Duration::ZERO)
            .unwrap_err()
            .contains("IANA time zone"));
    }
}
