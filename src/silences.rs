//! `driftd silence add|list|expire`: mute notifications of matching drift until an end time.
//! A silence needs an end and a comment, so nothing stays muted by accident or without a reason.

use crate::cli::{SilenceCommand, StoreArgs};
use crate::config::Config;
use crate::notify::silence::parse_matcher;
use crate::time::rfc3339;
use anyhow::{bail, Context, Result};
use chrono::{DateTime, Duration, Utc};

fn open(args: &StoreArgs) -> Result<driftd_store::Store> {
    let config = Config::load(&args.config)?;
    let dir = crate::daemon::state_dir(args.state_dir.as_deref(), Some(&config));
    crate::daemon::open_store(&dir)
}

/// `30m`, `4h`, `2d`, `1w`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("`{s}` is not a duration like 30m, 4h, 2d or 1w"))?;
    let d = match unit {
        "m" => Duration::minutes(n),
        "h" => Duration::hours(n),
        "d" => Duration::days(n),
        "w" => Duration::weeks(n),
        _ => return Err(format!("`{s}` is not a duration like 30m, 4h, 2d or 1w")),
    };
    if n == 0 {
        return Err(format!("`{s}`: a silence must last longer than zero"));
    }
    Ok(d)
}

pub fn run(cmd: SilenceCommand) -> Result<u8> {
    let now = Utc::now();
    match cmd {
        SilenceCommand::Add {
            store,
            matchers,
            until,
            duration,
            comment,
            by,
        } => {
            let mut map = serde_json::Map::new();
            for m in &matchers {
                let (k, v) = parse_matcher(m).map_err(anyhow::Error::msg)?;
                map.insert(k, v.into());
            }
            let end = match (until, duration) {
                (Some(u), _) => DateTime::parse_from_rfc3339(&u)
                    .map(|d| d.with_timezone(&Utc))
                    .with_context(|| {
                        format!("--until `{u}` is not an RFC 3339 time like 2026-11-24T08:00:00Z")
                    })?,
                (None, Some(d)) => now + parse_duration(&d).map_err(anyhow::Error::msg)?,
                (None, None) => bail!("give an end: --until TIME or --for DURATION"),
            };
            if end <= now {
                bail!(
                    "the silence would end at {} which is not in the future",
                    rfc3339(end)
                );
            }
            if comment.trim().is_empty() {
                bail!("--comment must say why the drift is silenced");
            }
            let by = by
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "unknown".into());
            let mut s = open(&store)?;
            let id = s.add_silence(
                &serde_json::Value::Object(map),
                &rfc3339(now),
                &rfc3339(end),
                &comment,
                &by,
                &rfc3339(now),
            )?;
            println!(
                "silence {id} added until {}: {}",
                rfc3339(end),
                matchers.join(" ")
            );
            Ok(0)
        }
        SilenceCommand::List { store, all, json } => {
            let s = open(&store)?;
            let rows = s.silences((!all).then(|| rfc3339(now)).as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(0);
            }
            if rows.is_empty() {
                println!("no silences{}", if all { "" } else { " in force" });
                return Ok(0);
            }
            println!(
                "{:<5} {:<21} {:<10} {:<40} COMMENT",
                "ID", "ENDS", "BY", "MATCHERS"
            );
            for r in rows {
                let matchers: Vec<String> = r
                    .matchers
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("?")))
                            .collect()
                    })
                    .unwrap_or_default();
                let ends = match &r.expired_at {
                    Some(at) => format!("expired {at}"),
                    None => r.ends_at.clone(),
                };
                println!(
                    "{:<5} {:<21} {:<10} {:<40} {}",
                    r.id,
                    ends,
                    r.created_by,
                    matchers.join(" "),
                    r.comment
                );
            }
            Ok(0)
        }
        SilenceCommand::Expire { store, id } => {
            let mut s = open(&store)?;
            if !s.expire_silence(id, &rfc3339(now))? {
                bail!("no silence {id} in force; `driftd silence list --all` shows them all");
            }
            println!("silence {id} expired; matching drift notifies again at the next check");
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m").unwrap(), Duration::minutes(30));
        assert_eq!(parse_duration("2d").unwrap(), Duration::days(2));
        assert!(parse_duration("0h").is_err());
        assert!(parse_duration("4 hours").is_err());
        assert!(parse_duration("h").is_err());
    }
}
