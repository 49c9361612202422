//! The built-in policy pack over a fleet: what evaluating it adds to a scan.

use crate::analyzer;
use driftd_policy::{PolicyOptions, PolicySet, Subject};
use std::time::{Duration, Instant};

/// Timings of one run: loading (parsing and compiling the pack), evaluating every resource.
pub struct Run {
    pub load: Duration,
    pub evaluate: Duration,
    pub analyze: Duration,
    pub evaluations: usize,
    pub violations: usize,
}

/// Loads the built-in pack (required tags on) and evaluates it over the live side of a fleet of
/// `resources`, beside the analyzer's time for the same fleet.
pub fn run(resources: usize) -> Run {
    let w = analyzer::workload(resources);
    let start = Instant::now();
    let a = analyzer::run(&w);
    let analyze = start.elapsed();
    std::hint::black_box(a);
    let opts = PolicyOptions {
        builtin: true,
        required_tags: vec!["team".into()],
        ..Default::default()
    };
    let start = Instant::now();
    let mut set = PolicySet::load(&opts).expect("the built-in pack loads");
    let load = start.elapsed();
    let expected: std::collections::HashMap<_, _> =
        w.expected.iter().map(|r| (&r.key, r)).collect();
    let subjects: Vec<Subject<'_>> = w
        .live
        .iter()
        .map(|r| Subject {
            live: r,
            expected: expected.get(&r.key).copied(),
            finding: None,
        })
        .collect();
    let start = Instant::now();
    let e = set.evaluate("bench", &subjects);
    let evaluate = start.elapsed();
    Run {
        load,
        evaluate,
        analyze,
        evaluations: e.evaluations,
        violations: e.findings.len(),
    }
}
