//! `driftd-bench`: throughput of the Terraform state reader, of the Terraform plan reader, of
//! the analyzer and of the built-in policy pack, printed as a plain table with each figure beside
//! its target.
//!
//! Run with `cargo run --release -p driftd-bench`; `--quick` uses small sizes for a CI smoke run.
//! Figures from a debug build mean nothing. Sizes are in decimal megabytes (10^6 bytes).

// The instance attribute set is one large `json!` literal.
#![recursion_limit = "256"]

mod analyzer;
mod gen;
mod plan;
mod policies;
mod scan;

use driftd_core::{FindingKind, Prepared};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const USAGE: &str = "usage: driftd-bench [--quick] [--policies] [--no-scan] [--driftd PATH]

Prints tfstate parse, plan read, analyzer and policy pack throughput beside their targets.
  --quick          small sizes (5 MB state, plans of 1,000 and 5,000 resources, 10,000
                   resources analyzed, 2,000 resources under the policy pack), for a CI smoke run
  --policies       only the policy pack section
  --no-scan        no real scan: the pack's share is then of a floor of the scan's CPU (state
                   read and analysis)
  --driftd PATH    the driftd binary the real scan runs (default: the one beside this binary,
                   from `cargo build --release -p driftd`); the scan also needs moto (.venv,
                   made by scripts/setup)";

const PARSE_TARGET_MB_S: f64 = 100.0;
const ANALYZE_TARGET_PER_S: f64 = 1_000_000.0;
const PLAN_TARGET_MB_S: f64 = 30.0;

struct Sizes {
    state_bytes: usize,
    parse_runs: usize,
    /// Resource instances of each plan read.
    plan_resources: &'static [usize],
    plan_runs: usize,
    resources: usize,
    analyze_runs: usize,
    /// Live resources the policy pack is evaluated over, and how many times.
    policy_resources: usize,
    policy_runs: usize,
    /// `driftd check` runs of the real scan, with and without the pack each.
    scan_runs: usize,
}

fn main() -> ExitCode {
    let mut quick = false;
    let mut only_policies = false;
    let mut real_scan = true;
    let mut driftd = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--policies" => only_policies = true,
            "--no-scan" => real_scan = false,
            "--driftd" => match args.next() {
                Some(p) => driftd = Some(std::path::PathBuf::from(p)),
                None => {
                    eprintln!("driftd-bench: --driftd needs a path\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
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
            plan_resources: &[1_000, 5_000],
            plan_runs: 3,
            resources: 10_000,
            analyze_runs: 3,
            policy_resources: 2_000,
            policy_runs: 3,
            scan_runs: 3,
        }
    } else {
        Sizes {
            state_bytes: 50_000_000,
            parse_runs: 7,
            plan_resources: &[1_000, 10_000, 50_000],
            plan_runs: 5,
            resources: 100_000,
            analyze_runs: 7,
            policy_resources: 10_000,
            policy_runs: 3,
            scan_runs: 3,
        }
    };
    if cfg!(debug_assertions) {
        eprintln!("driftd-bench: this is a debug build; use --release for meaningful figures");
    }
    let driftd = if real_scan {
        driftd.or_else(scan::default_driftd).ok_or(
            "no driftd binary beside this one: `cargo build --release -p driftd`, or --driftd PATH",
        )
    } else {
        Err("--no-scan")
    };
    let mut table = Table::default();
    if only_policies {
        bench_policies(&sizes, driftd, &mut table);
        table.print();
        return ExitCode::SUCCESS;
    }
    if let Err(e) = bench_parse(&sizes, &mut table) {
        eprintln!("driftd-bench: the generated state did not parse: {e}");
        return ExitCode::FAILURE;
    }
    if let Err(e) = bench_plan(&sizes, &mut table) {
        eprintln!("driftd-bench: the generated plan did not parse: {e}");
        return ExitCode::FAILURE;
    }
    bench_analyze(&sizes, &mut table);
    bench_policies(&sizes, driftd, &mut table);
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

fn bench_plan(sizes: &Sizes, table: &mut Table) -> Result<(), driftd_iac::plan::PlanError> {
    use driftd_iac::plan::{parse_plan, Drift};

    table.section("plan read (parse_plan)");
    table.info(
        "plan",
        "refresh-only, `terraform show -json` format 1.2, one line; 10% drifted".to_string(),
    );
    for &n in sizes.plan_resources {
        eprintln!(
            "generating a refresh-only plan of {} resources...",
            group(n as u64)
        );
        let generated = plan::refresh_only_plan(n);
        let bytes = &generated.bytes;
        let mb = bytes.len() as f64 / 1e6;

        // A plan of 50,000 resources takes seconds to read.
        let runs = if n >= 50_000 {
            sizes.plan_runs.min(3)
        } else {
            sizes.plan_runs
        };
        eprintln!("reading it {runs} times...");
        // Each run also times what serde_json alone costs on the same bytes: the reader builds
        // the document's tree, and frees it before it returns.
        let mut times = Vec::with_capacity(runs);
        let mut build = Vec::with_capacity(runs);
        let mut free = Vec::with_capacity(runs);
        let mut found = (0, 0, 0);
        let mut drop_time = Duration::ZERO;
        for _ in 0..runs {
            let start = Instant::now();
            let plan = parse_plan(bytes, "bench-plan.json")?;
            times.push(start.elapsed());
            let count = |f: fn(&Drift) -> bool| {
                plan.resources
                    .iter()
                    .filter(|r| r.drift.as_ref().is_some_and(f))
                    .count()
            };
            found = (
                plan.resources.len(),
                count(|d| matches!(d, Drift::Changed(_))),
                count(|d| *d == Drift::Deleted),
            );
            let start = Instant::now();
            drop(plan);
            drop_time = start.elapsed();

            let start = Instant::now();
            let tree = serde_json::from_slice::<serde_json::Value>(bytes);
            build.push(start.elapsed());
            std::hint::black_box(tree.is_ok());
            let start = Instant::now();
            drop(tree);
            free.push(start.elapsed());
        }
        let (best, median_parse) = best_and_median(&mut times);
        // Best runs, set against the reader's best: the least disturbed by the allocator's state
        // and by other work on the machine.
        let best_of_runs = |times: &mut [Duration]| best_and_median(times).0;
        let (build, free) = (best_of_runs(&mut build), best_of_runs(&mut free));

        let label = |what: &str| format!("{} resources: {what}", group(n as u64));
        let speed = |t: Duration| {
            format!(
                "{} ms, {:.0} MB/s, {} resources/s",
                ms(t),
                mb / t.as_secs_f64(),
                group((n as f64 / t.as_secs_f64()) as u64)
            )
        };
        table.info(
            &label("plan size"),
            format!(
                "{mb:.1} MB, {} drifted planted ({} update, {} delete)",
                group(generated.drifted() as u64),
                group(generated.updated as u64),
                group(generated.deleted as u64)
            ),
        );
        table.info(&label("parse, best"), speed(best));
        table.row(
            &label("parse, median"),
            speed(median_parse),
            format!(">= {PLAN_TARGET_MB_S:.0} MB/s"),
            mb / median_parse.as_secs_f64() >= PLAN_TARGET_MB_S,
        );
        let (resources, changed, deleted) = found;
        table.row(
            &label("drifted found"),
            format!(
                "{} ({} changed, {} deleted) of {} resources",
                group((changed + deleted) as u64),
                group(changed as u64),
                group(deleted as u64),
                group(resources as u64)
            ),
            format!(
                "{} planted ({} / {}) of {}",
                group(generated.drifted() as u64),
                group(generated.updated as u64),
                group(generated.deleted as u64),
                group(generated.resources as u64)
            ),
            (resources, changed, deleted)
                == (generated.resources, generated.updated, generated.deleted),
        );
        let tree = build + free;
        table.info(
            "  best: the plan as a Value tree: build + free",
            format!(
                "{} + {} ms ({:.0} MB/s)",
                ms(build),
                ms(free),
                mb / tree.as_secs_f64()
            ),
        );
        table.info(
            "  rest of parse_plan (best - the tree, rough)",
            format!("{} ms", ms(best.saturating_sub(tree))),
        );
        table.info(
            "  freeing the plan read",
            format!("{} ms (not in parse time)", ms(drop_time)),
        );
    }
    Ok(())
}

/// Milliseconds, one decimal.
fn ms(t: Duration) -> String {
    format!("{:.1}", t.as_secs_f64() * 1e3)
}

/// At most this share of a scan's client CPU may go to the built-in policy pack (issue 19:
/// "adds at most 10% to a scan's client CPU").
const POLICY_SHARE_TARGET: f64 = 0.10;

fn bench_policies(sizes: &Sizes, driftd: Result<std::path::PathBuf, &str>, table: &mut Table) {
    let n = sizes.policy_resources;
    eprintln!(
        "evaluating the built-in policy pack over {} resources {} times...",
        group(n as u64),
        sizes.policy_runs
    );
    let mut runs: Vec<policies::Run> = (0..sizes.policy_runs).map(|_| policies::run(n)).collect();
    runs.sort_by_key(|r| r.evaluate);
    let median = &runs[runs.len() / 2];
    table.section("policies (built-in pack, regorus; CPU time of the bench process)");
    table.info(
        "fleet",
        format!(
            "{} live resources, {} evaluations, {} violations",
            group(n as u64),
            group(median.evaluations as u64),
            group(median.violations as u64)
        ),
    );
    table.info(
        "load and compile the pack (once per scan)",
        format!("{} ms", ms(median.load)),
    );
    let speed = |t: Duration| {
        format!(
            "{} resources/s ({} ms, {:.1} us per resource)",
            group((n as f64 / t.as_secs_f64()) as u64),
            ms(t),
            t.as_secs_f64() * 1e6 / n as f64
        )
    };
    table.info("evaluate, median", speed(median.evaluate));
    table.info(
        "  the same, wall clock",
        format!("{} ms", ms(median.evaluate_wall)),
    );
    table.row(
        "  every rule on the interpreter",
        speed(median.interpreter),
        "same findings".to_string(),
        runs.iter().all(|r| r.same),
    );
    let pack = median.load + median.evaluate;
    let floor = median.state_and_analyze;
    table.info(
        "  floor of a scan: state read + analysis",
        format!(
            "{} ms; the pack is {:.1}% of it (no listing or decoding: an upper bound)",
            ms(floor),
            100.0 * pack.as_secs_f64() / floor.as_secs_f64()
        ),
    );
    let driftd = match driftd {
        Ok(p) => p,
        Err(why) => {
            table.info("real scan", format!("not run: {why}"));
            return;
        }
    };
    let want = sizes.policy_resources;
    eprintln!(
        "planting ~{} resources in moto, then running driftd check {} times with and {} times \
         without the pack...",
        group(want as u64),
        sizes.scan_runs + 1,
        sizes.scan_runs + 1
    );
    let s = match scan::measure(&driftd, want, sizes.scan_runs) {
        Ok(s) => s,
        Err(e) => {
            table.info("real scan", format!("not run: {e:#}"));
            return;
        }
    };
    let (mut without, mut with) = (s.without.clone(), s.with.clone());
    let (_, a) = best_and_median(&mut without);
    let (_, b) = best_and_median(&mut with);
    let spread = |v: &[Duration]| {
        let list: Vec<String> = v.iter().map(|t| ms(*t)).collect();
        list.join(", ")
    };
    table.info(
        "real scan: driftd check against moto",
        format!(
            "{} live resources planted in {:.0} s, {} compared ({} managed), {} violations",
            group(s.planted as u64),
            s.planting.as_secs_f64(),
            group(s.compared as u64),
            group(s.managed as u64),
            group(s.violations as u64)
        ),
    );
    table.info(
        "  driftd CPU (user+sys), no policies, median",
        format!("{} ms (runs: {})", ms(a), spread(&s.without)),
    );
    table.info(
        "  driftd CPU, with the built-in pack, median",
        format!("{} ms (runs: {})", ms(b), spread(&s.with)),
    );
    let added = b.as_secs_f64() - a.as_secs_f64();
    let share = added / a.as_secs_f64();
    table.row(
        "  added by the pack",
        format!(
            "{:.0} ms, {:.1}% of the scan's CPU ({:.1} us per resource)",
            added * 1e3,
            share * 100.0,
            added * 1e6 / s.planted as f64
        ),
        format!("<= {:.0}%", POLICY_SHARE_TARGET * 100.0),
        share <= POLICY_SHARE_TARGET,
    );
    let scaled = pack.as_secs_f64() * s.planted as f64 / n as f64;
    table.info(
        "  this bench's pack CPU at that size / scan CPU",
        format!("{:.1}% (cross-check)", 100.0 * scaled / a.as_secs_f64()),
    );
}

fn bench_analyze(sizes: &Sizes, table: &mut Table) {
    eprintln!(
        "building {} expected resources and their live views...",
        group(sizes.resources as u64)
    );
    let w = analyzer::workload(sizes.resources);

    eprintln!("analyzing {} times...", sizes.analyze_runs);
    // Each run times the steps one by one (preparing each side, comparing them), then the
    // public entry point, which does all of them and frees what it prepared.
    let mut prep_expected = Vec::with_capacity(sizes.analyze_runs);
    let mut prep_live = Vec::with_capacity(sizes.analyze_runs);
    let mut compare = Vec::with_capacity(sizes.analyze_runs);
    let mut per_scan = Vec::with_capacity(sizes.analyze_runs);
    let mut end_to_end = Vec::with_capacity(sizes.analyze_runs);
    let mut same = true;
    let mut analysis = None;
    for _ in 0..sizes.analyze_runs {
        let start = Instant::now();
        let expected = Prepared::expected(&analyzer::SPECS, &w.expected);
        prep_expected.push(start.elapsed());
        let start = Instant::now();
        let live = Prepared::live(&analyzer::SPECS, &w.live);
        prep_live.push(start.elapsed());
        let start = Instant::now();
        let prepared = analyzer::run_prepared(&w, &expected, &live);
        compare.push(start.elapsed());
        per_scan.push(prep_live[prep_live.len() - 1] + compare[compare.len() - 1]);
        drop((expected, live));

        let start = Instant::now();
        let a = analyzer::run(&w);
        end_to_end.push(start.elapsed());
        same &= prepared == a;
        analysis = Some(a);
    }
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

    // Rates are per resource of the side concerned: expected ones, except for the live side.
    let (n_exp, n_live) = (w.expected.len(), w.live.len());
    let rate = |n: usize, t: Duration| n as f64 / t.as_secs_f64();
    let text = |n: usize, t: Duration| {
        format!(
            "{} resources/s ({:.1} ms)",
            group(rate(n, t) as u64),
            t.as_secs_f64() * 1e3
        )
    };
    let median = |times: &mut [Duration]| best_and_median(times).1;

    table.section("analyzer (driftd_core, single thread)");
    table.info(
        "workload",
        format!(
            "{} expected, {} live, 4 types",
            group(n_exp as u64),
            group(n_live as u64)
        ),
    );
    table.info(
        "prepare expected side (state), median",
        text(n_exp, median(&mut prep_expected)),
    );
    table.info(
        "prepare live side, median",
        text(n_live, median(&mut prep_live)),
    );
    let (best, median_compare) = best_and_median(&mut compare);
    for (label, t) in [
        ("compare (analyze_prepared), best", best),
        ("compare (analyze_prepared), median", median_compare),
    ] {
        table.row(
            label,
            text(n_exp, t),
            format!(">= {} resources/s", group(ANALYZE_TARGET_PER_S as u64)),
            rate(n_exp, t) >= ANALYZE_TARGET_PER_S,
        );
    }
    let (best, median_total) = best_and_median(&mut end_to_end);
    table.info(
        "end to end (analyze: prepare both + compare), best",
        text(n_exp, best),
    );
    table.info(
        "end to end (analyze: prepare both + compare), median",
        text(n_exp, median_total),
    );
    table.info(
        "  per scan, state side prepared once: live + compare",
        text(n_exp, median(&mut per_scan)),
    );
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
    table.row(
        "compare result vs analyze result",
        if same { "identical" } else { "DIFFERENT" }.to_string(),
        "identical".to_string(),
        same,
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
