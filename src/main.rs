//! The `driftd` binary: parses the command line and runs the command; everything else lives in
//! the library (`src/lib.rs`).

use anyhow::Result;
use clap::Parser;
use driftd::{chain, cli, silences};
use std::process::ExitCode;
fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` print to stdout and succeed. A usage error (an unknown
            // flag, a bad value) exits 1 like every other error: clap's own 2 is the code of
            // "drift found" (docs/report-schema.md), and CI must never read a typo as drift.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
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

async fn run(cli: cli::Cli) -> Result<u8> {
    match cli.command {
        cli::Command::Check(args) => cli::check(args).await,
        cli::Command::Validate(args) => cli::validate(args).await,
        cli::Command::Daemon(args) => cli::daemon(args).await,
        cli::Command::Scan(args) => cli::scan(args).await,
        cli::Command::Report(args) => cli::report(args),
        cli::Command::Ack(args) => cli::ack(args),
        cli::Command::Notify(cmd) => cli::notify(cmd).await,
        cli::Command::Silence(cmd) => silences::run(cmd),
        cli::Command::Explain(args) => driftd::explain::run(args),
        cli::Command::Types(args) => driftd::types::run(args),
        cli::Command::Policy(cmd) => driftd::policy_eval::run(cmd),
    }
}
