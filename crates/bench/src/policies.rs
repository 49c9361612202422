//! The built-in policy pack over a fleet: what evaluating it costs, in CPU time.

use crate::analyzer;
use driftd_policy::{PolicyOptions, PolicySet, Subject};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Timings of one run, in CPU time of this thread (the machine may be shared; wall time beside).
pub struct Run {
    /// Loading the pack: parsing, compiling, its bytecode.
    pub load: Duration,
    pub evaluate: Duration,
    pub evaluate_wall: Duration,
    /// The same evaluation with every rule on regorus's interpreter.
    pub interpreter: Duration,
    /// Whether both gave the same findings and errors.
    pub same: bool,
    pub evaluations: usize,
    pub violations: usize,
    /// A floor for the rest of the scan's CPU over the same fleet: reading its state and
    /// comparing it with live (no API listing or decoding).
    pub state_and_analyze: Duration,
}

/// CPU time this process has used, all threads: the pack runs on a thread of its own (a large
/// stack for deep expressions), and nothing else runs while it is measured.
pub fn cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given and nothing else.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Loads the built-in pack (required tags on) and evaluates it over the live side of a fleet of
/// `resources`, as a scan does (state expects most of them), then again on the interpreter.
pub fn run(resources: usize) -> Run {
    let w = analyzer::workload(resources);
    let state = tfstate(&w.expected);
    let start = cpu();
    let parsed = driftd_iac::parse_state(&state, "bench.tfstate").expect("the state parses");
    let a = analyzer::run(&w);
    let state_and_analyze = cpu() - start;
    std::hint::black_box((parsed, a));
    let opts = PolicyOptions {
        builtin: true,
        required_tags: vec!["team".into()],
        ..Default::default()
    };
    let start = cpu();
    let mut set = PolicySet::load(&opts).expect("the built-in pack loads");
    let load = cpu() - start;
    let mut slow = set.clone();
    slow.interpreter_only();
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
    let (start, wall) = (cpu(), Instant::now());
    let e = set.evaluate("bench", &subjects);
    let (evaluate, evaluate_wall) = (cpu() - start, wall.elapsed());
    let start = cpu();
    let i = slow.evaluate("bench", &subjects);
    let interpreter = cpu() - start;
    Run {
        load,
        evaluate,
        evaluate_wall,
        interpreter,
        same: e.findings == i.findings && e.errors == i.errors,
        evaluations: e.evaluations,
        violations: e.findings.len(),
        state_and_analyze,
    }
}

/// A Terraform state (format 4) holding `resources`, one resource block each.
fn tfstate(resources: &[driftd_core::Resource]) -> Vec<u8> {
    let blocks: Vec<Value> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({
                "mode": "managed", "type": r.key.resource_type, "name": format!("r{i}"),
                "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
                "instances": [{"schema_version": 1, "attributes": r.attrs,
                               "sensitive_attributes": [], "private": "bnVsbA=="}],
            })
        })
        .collect();
    let state = json!({
        "version": 4, "terraform_version": "1.9.8", "serial": 1,
        "lineage": "0e3f8a4c-1d2b-4c5e-9f6a-7b8c9d0e1f2a", "outputs": {},
        "resources": blocks, "check_results": null,
    });
    serde_json::to_vec(&state).unwrap_or_default()
}
