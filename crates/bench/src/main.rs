//! `driftd-bench`: throughput of the Terraform state reader and of the analyzer, printed as a
//! plain table with each figure beside its target.
//!
//! Run with `cargo run --release -p driftd-bench`; `--quick` uses small sizes for a CI smoke run.
//! Figures from a debug build mean nothing. Sizes are in decimal megabytes (10^6 bytes).

// The instance attribute set is one large `json!` literal.
#![recursion_limit = "256"]

mod analyzer;
mod gen;
mod whatif;

use driftd_core::{FindingKind, Shape};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: driftd-bench [--quick]

Prints tfstate parse and analyzer throughput beside their targets.
  --quick   small sizes (5 MB state, 10,000 resources), for a CI smoke run";

const PARSE_TARGET_MB_S: f64 = 100.0;
const ANALYZE_TARGET_PER_S: f64 = 1_000_000.0;

struct Sizes {
    state_bytes: usize,
    parse_runs: usize,
    resources: usize,
    analyze_runs: usize,
}

fn main() -> ExitCode {
    let mut quick = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => quick = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("driftd-bench: unknown argument `{other}`\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let sizes = if quick {
        Sizes {
            state_bytes: 5_000_000,
            parse_runs: 3,
            resources: 10_000,
            analyze_runs: 3,
        }
    } else {
        Sizes {
            state_bytes: 50_000_000,
            parse_runs: 7,
            resources: 100_000,
            analyze_runs: 7,
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("driftd-bench: this is a debug build; use --release for meaningful figures");
    }
    let mut table = Table::default();
    if let Err(e) = bench_parse(&sizes, &mut table) {
        eprintln!("driftd-bench: the generated state did not parse: {e}");
        return ExitCode::FAILURE;
    }
    bench_analyze(&sizes, &mut table);
    table.print();
    ExitCode::SUCCESS
}

fn bench_parse(sizes: &Sizes, table: &mut Table) -> Result<(), driftd_iac::StateError> {
    eprintln!(
        "generating a ~{} MB tfstate...",
        sizes.state_bytes / 1_000_000
    );
    let (bytes, generated) = gen::tfstate(sizes.state_bytes);
    let mb = bytes.len() as f64 / 1e6;

    eprintln!("parsing it {} times...", sizes.parse_runs);
    let mut times = Vec::with_capacity(sizes.parse_runs);
    let mut parsed = 0;
    let mut drop_time = Duration::ZERO;
    for _ in 0..sizes.parse_runs {
        let start = Instant::now();
        let state = driftd_iac::parse_state(&bytes, "bench.tfstate")?;
        times.push(start.elapsed());
        parsed = state.resources.len();
        let start = Instant::now();
        drop(state);
        drop_time = start.elapsed();
    }
    let (best, median) = best_and_median(&mut times);

    // Floors to compare with: what serde_json alone costs on the same bytes.
    let scan = best_of(3, || {
        std::hint::black_box(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok());
    });
    let tree = best_of(3, || {
        std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&bytes).is_ok());
    });

    table.section("tfstate parse (parse_state)");
    table.info(
        "state size",
        format!(
            "{mb:.1} MB, {} resources ({} parsed)",
            group(generated as u64),
            group(parsed as u64)
        ),
    );
    for (label, t) in [("parse, best", best), ("parse, median", median)] {
        let rate = mb / t.as_secs_f64();
        table.row(
            label,
            format!("{rate:.0} MB/s ({} ms)", t.as_millis()),
            format!(">= {PARSE_TARGET_MB_S:.0} MB/s"),
            rate >= PARSE_TARGET_MB_S,
        );
    }
    table.info(
        "parse, median, resources",
        format!(
            "{} resources/s",
            group((parsed as f64 / median.as_secs_f64()) as u64)
        ),
    );
    table.info(
        "  floor: serde_json syntax scan",
        format!("{:.0} MB/s", mb / scan.as_secs_f64()),
    );
    table.info(
        "  serde_json generic Value tree",
        format!("{:.0} MB/s", mb / tree.as_secs_f64()),
    );
    table.info(
        "  freeing the parsed state",
        format!("{} ms (not in parse time)", drop_time.as_millis()),
    );
    Ok(())
}

fn bench_analyze(sizes: &Sizes, table: &mut Table) {
    eprintln!(
        "building {} expected resources and their live views...",
        group(sizes.resources as u64)
    );
    let w = analyzer::workload(sizes.resources);

    eprintln!("analyzing {} times...", sizes.analyze_runs);
    let mut times = Vec::with_capacity(sizes.analyze_runs);
    let mut analysis = None;
    for _ in 0..sizes.analyze_runs {
        let start = Instant::now();
        let a = analyzer::run(&w);
        times.push(start.elapsed());
        analysis = Some(a);
    }
    let (best, median) = best_and_median(&mut times);
    let count = |kind: FindingKind| {
        analysis
            .as_ref()
            .map_or(0, |a| a.findings.iter().filter(|f| f.kind == kind).count())
    };
    let (changed, missing, unmanaged) = (
        count(FindingKind::Changed),
        count(FindingKind::Missing),
        count(FindingKind::Unmanaged),
    );
    let findings = changed + missing + unmanaged;

    table.section("analyzer (driftd_core::analyze, single thread)");
    table.info(
        "workload",
        format!(
            "{} expected, {} live, 4 types",
            group(w.expected.len() as u64),
            group(w.live.len() as u64)
        ),
    );
    for (label, t) in [("analyze, best", best), ("analyze, median", median)] {
        let rate = w.expected.len() as f64 / t.as_secs_f64();
        table.row(
            label,
            format!("{} resources/s ({} ms)", group(rate as u64), t.as_millis()),
            format!(">= {} resources/s", group(ANALYZE_TARGET_PER_S as u64)),
            rate >= ANALYZE_TARGET_PER_S,
        );
    }
    table.row(
        "findings",
        format!(
            "{} ({} changed, {} missing, {} unmanaged)",
            group(findings as u64),
            group(changed as u64),
            group(missing as u64),
            group(unmanaged as u64)
        ),
        format!(
            "{} / {} / {} planted",
            group(w.planted_changed as u64),
            group(w.planted_missing as u64),
            group(w.planted_unmanaged as u64)
        ),
        (changed, missing, unmanaged)
            == (w.planted_changed, w.planted_missing, w.planted_unmanaged),
    );

    let b = analyzer::breakdown(&w, findings);
    table.section("where analyze spends its time (steps replayed outside it)");
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    table.info("  key index + lookups", ms(b.key_index));
    table.info("  raw attribute equality", ms(b.raw_compare));
    let mut replayed = b.key_index + b.raw_compare + b.fingerprints;
    for (shape, n, d) in &b.normalize {
        table.info(
            &format!("  normalize {shape:?} (x{} pairs)", group(*n as u64)),
            ms(*d),
        );
        replayed += *d;
    }
    table.info(
        &format!("  fingerprints (x{})", group(findings as u64)),
        ms(b.fingerprints),
    );
    table.info(
        "  replayed total vs analyze median",
        format!("{} of {}", ms(replayed), ms(median)),
    );

    // Prototypes of the fixes suggested for the analyzer, timed on the same data.
    let ruleset = b
        .normalize
        .iter()
        .find(|(shape, _, _)| *shape == Shape::RuleSet)
        .map_or(Duration::ZERO, |(_, _, d)| *d);
    table.section("prototype fixes for the analyzer (bench code, not used by driftd)");
    table.info("  key index with an Fx hasher", ms(b.key_index_fx));
    let (agree, pairs) = b.rules_agree;
    table.info(
        "  RuleSet equality on borrowed tuples",
        format!(
            "{} (same verdict as normalize on {}/{} pairs)",
            ms(b.rules_equal),
            group(agree as u64),
            group(pairs as u64)
        ),
    );
    let pruned = analyzer::pruned(&w);
    let mut pruned_times: Vec<Duration> = (0..sizes.analyze_runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(analyzer::run(&pruned));
            start.elapsed()
        })
        .collect();
    let (_, pruned_median) = best_and_median(&mut pruned_times);
    drop(pruned);
    table.info(
        "  analyze, state attrs pruned to specs",
        format!(
            "{} = {} resources/s (real analyze)",
            ms(pruned_median),
            group((w.expected.len() as f64 / pruned_median.as_secs_f64()) as u64)
        ),
    );
    let estimate = median.saturating_sub(ruleset + b.key_index) + b.rules_equal + b.key_index_fx;
    table.info(
        "  analyze median with both, estimated",
        format!(
            "{} = {} resources/s",
            ms(estimate),
            group((w.expected.len() as f64 / estimate.as_secs_f64()) as u64)
        ),
    );
}

fn best_and_median(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let best = times.first().copied().unwrap_or_default();
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    (best, median)
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plain `metric | value | target | ok` table, aligned when printed.
#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

enum Row {
    Section(String),
    Cells([String; 4]),
}

impl Table {
    fn section(&mut self, title: &str) {
        self.rows.push(Row::Section(title.to_string()));
    }

    fn row(&mut self, metric: &str, value: String, target: String, ok: bool) {
        let ok = if ok { "yes" } else { "NO" };
        self.rows.push(Row::Cells([
            metric.to_string(),
            value,
            target,
            ok.to_string(),
        ]));
    }

    fn info(&mut self, metric: &str, value: String) {
        self.rows.push(Row::Cells([
            metric.to_string(),
            value,
            String::new(),
            String::new(),
        ]));
    }

    fn print(&self) {
        let header = ["metric", "value", "target", "ok"].map(String::from);
        let mut widths = header.clone().map(|h| h.len());
        for row in &self.rows {
            if let Row::Cells(cells) = row {
                for (w, c) in widths.iter_mut().zip(cells) {
                    *w = (*w).max(c.chars().count());
                }
            }
        }
        let line = |cells: &[String; 4]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            println!("{}", padded.join(" | ").trim_end());
        };
        line(&header);
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        println!("{}", rule.join("-+-"));
        for row in &self.rows {
            match row {
                Row::Section(title) => println!("{title}"),
                Row::Cells(cells) => line(cells),
            }
        }
    }
}
