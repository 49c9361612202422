//! A scan's progress: one log line per listed unit, and, for a person at a terminal, a live bar
//! per provider on stderr, cleared at the end.

use driftd_core::provider::{Progress, ProgressEvent, UnitOutcome};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::{Mutex, MutexGuard};

/// How a scan shows its progress besides the per-type log lines, which it always writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressDisplay {
    /// Log lines only: the daemon, CI, anything that is not a person watching.
    LogsOnly,
    /// Also a live bar per provider on stderr, cleared at the end; drawn only if stderr is a
    /// terminal.
    Bar,
}

/// Width of the bar between the brackets, in characters.
const BAR_WIDTH: usize = 24;

/// One provider's listing so far, as the progress bar shows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProviderCounters {
    /// `(type, region)` units planned, and finished (listed or not).
    pub units: usize,
    pub done: usize,
    /// Finished units that could not be listed.
    pub not_scanned: usize,
    /// API call attempts (retries included) and throttled attempts.
    pub api_calls: u64,
    pub throttles: u64,
}

impl ProviderCounters {
    pub fn apply(&mut self, event: &ProgressEvent) {
        match event {
            ProgressEvent::Planned { units, .. } => self.units += units,
            ProgressEvent::Started { .. } => {}
            ProgressEvent::ApiAttempt { throttled, .. } => {
                self.api_calls += 1;
                self.throttles += u64::from(*throttled);
            }
            ProgressEvent::Finished { outcome, .. } => {
                self.done += 1;
                if matches!(outcome, UnitOutcome::Skipped { .. }) {
                    self.not_scanned += 1;
                }
            }
        }
    }

    /// The bar's line: `aws  [=========>     ] 7/15 types·regions  api 42  throttled 3`, with
    /// `not scanned N` after it once a unit could not be listed.
    pub fn line(&self, provider: &str, width: usize) -> String {
        let total = self.units.max(self.done);
        let filled = (self.done * width).checked_div(total).unwrap_or(0);
        let mut bar = "=".repeat(filled);
        if filled < width && self.done > 0 {
            bar.push('>');
        }
        let mut line = format!(
            "{provider}  [{bar:<width$}] {}/{total} types·regions  api {}  throttled {}",
            self.done, self.api_calls, self.throttles
        );
        if self.not_scanned > 0 {
            line.push_str(&format!("  not scanned {}", self.not_scanned));
        }
        line
    }
}

/// One provider's counters and, on a terminal, its bar.
struct ProviderView {
    counters: ProviderCounters,
    bar: Option<ProgressBar>,
}

/// The [`Progress`] of one target's scan: a log line per finished `(type, region)` unit, and the
/// live bars.
pub struct ScanProgress {
    target: String,
    /// Set only when bars were asked for and stderr is a terminal.
    bars: Option<MultiProgress>,
    providers: Mutex<BTreeMap<&'static str, ProviderView>>,
}

impl ScanProgress {
    pub fn new(target: &str, display: ProgressDisplay) -> Self {
        let bars = (display == ProgressDisplay::Bar && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        ScanProgress {
            target: target.to_string(),
            bars,
            providers: Mutex::new(BTreeMap::new()),
        }
    }

    /// Each provider's counters so far.
    pub fn counters(&self) -> BTreeMap<&'static str, ProviderCounters> {
        self.lock()
            .iter()
            .map(|(name, view)| (*name, view.counters))
            .collect()
    }

    /// Removes the bars from the terminal. Idempotent.
    pub fn finish(&self) {
        for view in self.lock().values_mut() {
            if let Some(bar) = view.bar.take() {
                bar.finish_and_clear();
            }
        }
        if let Some(bars) = &self.bars {
            // Nothing useful to do when the terminal is gone.
            let _ = bars.clear();
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<&'static str, ProviderView>> {
        // Counters stay meaningful even if a holder panicked.
        self.providers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn new_bar(&self) -> Option<ProgressBar> {
        let bars = self.bars.as_ref()?;
        let style = ProgressStyle::with_template("{wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        Some(bars.add(ProgressBar::new(0).with_style(style)))
    }

    /// The log line of a finished unit: info when listed, warn when not (or when an attribute
    /// could not be read).
    fn log_finished(&self, event: &ProgressEvent) {
        let ProgressEvent::Finished {
            provider,
            resource_type,
            scope,
            stats,
            outcome,
        } = event
        else {
            return;
        };
        let target = self.target.as_str();
        let duration_ms = u64::try_from(stats.duration.as_millis()).unwrap_or(u64::MAX);
        match outcome {
            UnitOutcome::Listed { unread_attributes } => {
                tracing::info!(
                    target = %target,
                    provider = %provider,
                    resource_type = %resource_type,
                    region = %scope,
                    resources = stats.resources,
                    api_calls = stats.api_calls,
                    throttles = stats.throttles,
                    duration_ms,
                    "listed"
                );
                for (attribute, reason) in unread_attributes {
                    tracing::warn!(
                        target = %target,
                        provider = %provider,
                        resource_type = %resource_type,
                        region = %scope,
                        attribute = %attribute,
                        reason = %reason,
                        "attribute not read, left out of the comparison"
                    );
                }
            }
            UnitOutcome::Skipped { reason } => {
                tracing::warn!(
                    target = %target,
                    provider = %provider,
                    resource_type = %resource_type,
                    region = %scope,
                    api_calls = stats.api_calls,
                    throttles = stats.throttles,
                    duration_ms,
                    reason = %reason,
                    "not scanned"
                );
            }
        }
    }
}

impl Progress for ScanProgress {
    fn event(&self, event: &ProgressEvent) {
        let provider = match event {
            ProgressEvent::Planned { provider, .. }
            | ProgressEvent::Started { provider, .. }
            | ProgressEvent::ApiAttempt { provider, .. }
            | ProgressEvent::Finished { provider, .. } => *provider,
        };
        let mut providers = self.lock();
        let view = providers.entry(provider).or_insert_with(|| ProviderView {
            counters: ProviderCounters::default(),
            bar: self.new_bar(),
        });
        view.counters.apply(event);
        if let Some(bar) = &view.bar {
            bar.set_length(view.counters.units as u64);
            bar.set_position(view.counters.done as u64);
            bar.set_message(view.counters.line(provider, BAR_WIDTH));
        }
        if let ProgressEvent::Finished { .. } = event {
            match &self.bars {
                // Lift the bars while the line is written, so it does not land inside one.
                Some(bars) => bars.suspend(|| self.log_finished(event)),
                None => self.log_finished(event),
            }
        }
    }
}

impl Drop for ScanProgress {
    fn drop(&mut self) {
        self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::provider::UnitStats;
    use std::sync::Arc;
    use std::time::Duration;

    fn finished(resource_type: &'static str, outcome: UnitOutcome) -> ProgressEvent {
        ProgressEvent::Finished {
            provider: "aws",
            resource_type,
            scope: "us-east-1".into(),
            stats: UnitStats {
                resources: 3,
                api_calls: 4,
                throttles: 1,
                duration: Duration::from_millis(1234),
            },
            outcome,
        }
    }

    fn attempt(throttled: bool) -> ProgressEvent {
        ProgressEvent::ApiAttempt {
            provider: "aws",
            throttled,
        }
    }

    #[test]
    fn counters_follow_the_events() {
        let mut c = ProviderCounters::default();
        for e in [
            ProgressEvent::Planned {
                provider: "aws",
                units: 15,
            },
            ProgressEvent::Started {
                provider: "aws",
                resource_type: "aws_vpc",
                scope: "us-east-1".into(),
            },
            attempt(true),
            attempt(true),
            attempt(false),
            finished(
                "aws_vpc",
                UnitOutcome::Listed {
                    unread_attributes: vec![],
                },
            ),
            finished(
                "aws_subnet",
                UnitOutcome::Skipped {
                    reason: "access denied: x".into(),
                },
            ),
        ] {
            c.apply(&e);
        }
        assert_eq!(
            c,
            ProviderCounters {
                units: 15,
                done: 2,
                not_scanned: 1,
                api_calls: 3,
                throttles: 2,
            }
        );
    }

    #[test]
    fn progress_line_shows_units_calls_and_throttles() {
        let c = ProviderCounters {
            units: 15,
            done: 7,
            not_scanned: 0,
            api_calls: 42,
            throttles: 3,
        };
        assert_eq!(
            c.line("aws", 10),
            "aws  [====>     ] 7/15 types·regions  api 42  throttled 3"
        );

        let start = ProviderCounters {
            units: 10,
            ..Default::default()
        };
        assert_eq!(
            start.line("aws", 10),
            "aws  [          ] 0/10 types·regions  api 0  throttled 0"
        );

        let end = ProviderCounters {
            units: 10,
            done: 10,
            not_scanned: 2,
            api_calls: 12,
            throttles: 0,
        };
        assert_eq!(
            end.line("aws", 10),
            "aws  [==========] 10/10 types·regions  api 12  throttled 0  not scanned 2"
        );

        // Nothing planned (no type selected) must not divide by zero.
        assert_eq!(
            ProviderCounters::default().line("aws", 4),
            "aws  [    ] 0/0 types·regions  api 0  throttled 0"
        );
    }

    /// A tracing writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn one_log_line_per_finished_unit_with_its_counts() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let progress = ScanProgress::new("prod", ProgressDisplay::LogsOnly);
        tracing::subscriber::with_default(subscriber, || {
            progress.event(&ProgressEvent::Planned {
                provider: "aws",
                units: 2,
            });
            progress.event(&finished(
                "aws_instance",
                UnitOutcome::Listed {
                    unread_attributes: vec![(
                        "disable_api_termination".into(),
                        "throttled after retries: x".into(),
                    )],
                },
            ));
            progress.event(&finished(
                "aws_vpc",
                UnitOutcome::Skipped {
                    reason: "access denied: y".into(),
                },
            ));
        });
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains(" INFO "), "{text}");
        for needle in [
            "listed",
            "target=prod",
            "provider=aws",
            "resource_type=aws_instance",
            "region=us-east-1",
            "resources=3",
            "api_calls=4",
            "throttles=1",
            "duration_ms=1234",
        ] {
            assert!(lines[0].contains(needle), "no {needle} in {}", lines[0]);
        }
        assert!(lines[1].contains(" WARN "), "{text}");
        assert!(lines[1].contains("attribute=disable_api_termination"));
        assert!(lines[2].contains(" WARN "), "{text}");
        assert!(lines[2].contains("not scanned"));
        assert!(lines[2].contains("resource_type=aws_vpc"));
        assert!(lines[2].contains("reason=access denied: y"));
        assert_eq!(progress.counters()["aws"].done, 2);
        assert_eq!(progress.counters()["aws"].not_scanned, 1);
    }
}
