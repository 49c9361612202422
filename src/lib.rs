//! driftd: drift detection for infrastructure as code.
//!
//! The library behind the `driftd` binary (and its benchmarks): [`cli`] parses arguments,
//! [`config`] reads and validates `driftd.toml`, [`scan`] runs one target (state → live → analysis → report), [`output`] renders reports. The
//! model and the analyzer live in `driftd-core`, state readers in `driftd-iac`, cloud adapters in
//! `providers/`. Errors are printed once, as a chain, and mapped to exit code 1.

pub mod cli;
pub mod config;
pub mod daemon;
pub mod explain;
pub mod history;
pub mod notify;
pub mod output;
pub mod policy;
pub mod policy_eval;
pub mod scan;
pub mod schedule;
pub mod secret;
pub mod silences;
pub mod store;
pub mod target;
pub mod time;
pub mod types;
pub mod validate;
pub mod web;

/// The error and its causes on one line each, without repeating a cause already in the message.
pub fn chain(err: &anyhow::Error) -> String {
    let mut out = err.to_string();
    for cause in err.chain().skip(1) {
        let text = cause.to_string();
        if !out.contains(&text) {
            out.push_str("\n  caused by: ");
            out.push_str(&text);
        }
    }
    out
}
