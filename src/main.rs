//! driftd: drift detection for infrastructure as code.
//!
//! The binary is thin: [`cli`] parses arguments, [`config`] reads and validates `driftd.toml`,
//! [`scan`] runs one target (state → live → analysis → report), [`output`] renders reports. The
//! model and the analyzer live in `driftd-core`, state readers in `driftd-iac`, cloud adapters in
//! `providers/`. Errors are printed once, as a chain, and mapped to exit code 1.

mod cli;
mod config;
mod daemon;
mod history;
mod notify;
mod output;
mod scan;
mod silences;

use anyhow::Result;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if !matches!(cli.command, cli::Command::Daemon(_)) {
        // A one-shot command piped into `head` should end quietly when the pipe closes, as
        // other Unix tools do, instead of panicking on a failed print. The daemon keeps Rust's
        // default (SIGPIPE ignored), so a closed socket is an error, never a kill.
        // SAFETY: setting a signal disposition before any thread is started.
        unsafe {
            libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        }
    }
    cli::init_logging(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("driftd: error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("driftd: error: {}", chain(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line each, without repeating a cause already in the message.
fn chain(err: &anyhow::Error) -> String {
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

async fn run(cli: cli::Cli) -> Result<u8> {
    match cli.command {
        cli::Command::Check(args) => cli::check(args).await,
        cli::Command::Validate(args) => cli::validate(args),
        cli::Command::Daemon(args) => cli::daemon(args).await,
        cli::Command::Scan(args) => cli::scan(args).await,
        cli::Command::Report(args) => cli::report(args),
        cli::Command::Ack(args) => cli::ack(args),
        cli::Command::Notify(cmd) => cli::notify(cmd).await,
        cli::Command::Silence(cmd) => silences::run(cmd),
    }
}
