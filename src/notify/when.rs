//! Local wall-clock times for quiet hours and digests: "09:00 in Europe/Berlin" is a different
//! UTC instant in winter and summer, does not exist on a spring-forward day (the first valid
//! time after the gap is used) and exists twice on a fall-back day (the first is used).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// Parses `HH:MM` or `HH:MM:SS`.
pub fn parse_time(s: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
        .map_err(|_| format!("`{s}` is not a time of day like 09:00 or 22:30"))
}

pub fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>()
        .map_err(|_| format!("`{s}` is not an IANA time zone (like Europe/Berlin or UTC)"))
}

/// `time` on `date` in `tz`, as an instant.
fn resolve(date: NaiveDate, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut local = date.and_time(time);
    // A gap is at most a few hours; step through it a minute at a time.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => local += Duration::minutes(1),
        }
    }
    Utc.from_utc_datetime(&date.and_time(time))
}

/// The first instant strictly after `after` at which the clock in `tz` shows `time`.
pub fn next_at(after: DateTime<Utc>, time: NaiveTime, tz: Tz) -> DateTime<Utc> {
    let mut date = after.with_timezone(&tz).date_naive() - Duration::days(1);
    loop {
        let t = resolve(date, time, tz);
        if t > after {
            return t;
        }
        date += Duration::days(1);
    }
}

/// A daily window of local time, `from` inclusive to `to` exclusive; it may span midnight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from: NaiveTime,
    pub to: NaiveTime,
    pub tz: Tz,
}

impl Window {
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        let t = now.with_timezone(&self.tz).time();
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }

    /// When the window that contains `now` ends.
    pub fn end_after(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        next_at(now, self.to, self.tz)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn nine_in_berlin_across_the_spring_change() {
        let tz = parse_tz("Europe/Berlin").unwrap();
        let nine = parse_time("09:00").unwrap();
        // CET (UTC+1) before 2026-03-29, CEST (UTC+2) after.
        assert_eq!(
            next_at(utc("2026-03-28T07:00:00Z"), nine, tz),
            utc("2026-03-28T08:00:00Z")
        );
        assert_eq!(
            next_at(utc("2026-03-28T08:00:00Z"), nine, tz),
            utc("2026-03-29T07:00:00Z")
        );
    }

    #[test]
    fn a_time_in_the_gap_moves_after_it_and_a_repeated_hour_counts_once() {
        let tz = parse_tz("Europe/Berlin").unwrap();
        // 02:30 does not exist on 2026-03-29 (02:00 → 03:00): 03:00 CEST = 01:00 UTC.
        let t = next_at(
            utc("2026-03-28T12:00:00Z"),
            parse_time("02:30").unwrap(),
            tz,
        );
        assert_eq!(t, utc("2026-03-29T01:00:00Z"));
        // 02:30 happens twice on 2026-10-25: the first (CEST, 00:30 UTC) is used, once.
        let first = next_at(
            utc("2026-10-24T12:00:00Z"),
            parse_time("02:30").unwrap(),
            tz,
        );
        assert_eq!(first, utc("2026-10-25T00:30:00Z"));
        let next = next_at(first, parse_time("02:30").unwrap(), tz);
        assert_eq!(next, utc("2026-10-26T01:30:00Z"));
    }

    #[test]
    fn windows_over_midnight() {
        let w = Window {
            from: parse_time("22:00").unwrap(),
            to: parse_time("07:00").unwrap(),
            tz: parse_tz("America/New_York").unwrap(),
        };
        // 03:00 UTC = 23:00 EDT (UTC-4) in October.
        assert!(w.contains(utc("2026-10-10T03:00:00Z")));
        assert!(!w.contains(utc("2026-10-10T12:00:00Z")));
        assert_eq!(
            w.end_after(utc("2026-10-10T03:00:00Z")),
            utc("2026-10-10T11:00:00Z")
        );
        // Across the fall-back night (2026-11-01, EDT → EST): 07:00 EST = 12:00 UTC.
        assert_eq!(
            w.end_after(utc("2026-11-01T03:00:00Z")),
            utc("2026-11-01T12:00:00Z")
        );
        assert!(parse_time("25:00").is_err());
        assert!(parse_tz("Mars/Olympus").is_err());
    }
}
