//! Command-line interface: `check` and `validate`.

use crate::config::{AwsConfig, Config, TargetConfig};
use crate::output::{self, Format};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use driftd_core::report::{outcome, FailOn, Outcome};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Parser)]
#[command(
    name = "driftd",
    version,
    about = "Drift detection for infrastructure as code"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// More log output on stderr (-v: info, -vv: debug). RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Log format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan once and report drift. Exit codes: 0 no drift, 1 error, 2 drift, 3 scan incomplete.
    Check(CheckArgs),
    /// Check a configuration without touching the network.
    Validate(ValidateArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Configuration file. Default: ./driftd.toml when it exists and no --state is given.
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// Check only these targets (repeatable). Default: all.
    #[arg(short, long = "target")]
    pub targets: Vec<String>,
    /// Without a config: a Terraform state file, directory or glob (repeatable).
    #[arg(long = "state")]
    pub states: Vec<String>,
    /// Without a config: a region to scan (repeatable). Default: the regions in the state.
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// Without a config: an alternative AWS endpoint (an emulator).
    #[arg(long)]
    pub endpoint_url: Option<String>,
    /// Without a config: the AWS profile to use.
    #[arg(long)]
    pub profile: Option<String>,
    /// Report format. Default: table, or json with --output.
    #[arg(short, long, value_enum)]
    pub format: Option<Format>,
    /// Write the report to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Lowest tier that makes the check fail with exit 2: critical, warning, info or none.
    #[arg(long, default_value = "info")]
    pub fail_on: FailOn,
    /// Report cloud-created defaults (default VPC, default security groups, root volumes) too.
    #[arg(long)]
    pub include_defaults: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Configuration file to check.
    #[arg(short, long, default_value = "driftd.toml")]
    pub config: PathBuf,
}

pub fn init_logging(g: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let level = match g.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(format!(
            "{level},aws_config=warn,aws_smithy_runtime=warn,hyper=warn"
        ))
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match g.log_format {
        LogFormat::Human => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn adhoc_target(args: &CheckArgs) -> TargetConfig {
    TargetConfig {
        name: "default".into(),
        provider: "aws".into(),
        states: args.states.clone(),
        regions: args.regions.clone(),
        resource_types: Vec::new(),
        include_cloud_defaults: args.include_defaults,
        aws: AwsConfig {
            profile: args.profile.clone(),
            endpoint_url: args.endpoint_url.clone(),
            ..AwsConfig::default()
        },
    }
}

pub async fn check(args: CheckArgs) -> Result<u8> {
    let config = match (&args.config, args.states.is_empty()) {
        (Some(path), true) => Config::load(path)?,
        (Some(_), false) => bail!("use either --config or --state, not both"),
        (None, false) => {
            let config = Config {
                targets: vec![adhoc_target(&args)],
                base_dir: PathBuf::from("."),
                path: PathBuf::from("(command line)"),
            };
            config.validate()?;
            config
        }
        (None, true) => {
            let default = Path::new("driftd.toml");
            if !default.exists() {
                bail!(
                    "no configuration: pass --config FILE, or --state FILE for a quick check \
                     (no ./driftd.toml here)"
                );
            }
            Config::load(default)?
        }
    };
    let targets = config.select(&args.targets)?;

    let mut reports = Vec::new();
    let mut result = Outcome::Clean;
    for t in targets {
        let mut t = t.clone();
        t.include_cloud_defaults |= args.include_defaults;
        match crate::scan::run_target(&t, &config.base_dir).await {
            Ok(report) => {
                result = result.worst(outcome(&report, args.fail_on));
                reports.push(report);
            }
            Err(e) => {
                result = Outcome::Error;
                // Report each failed target now; the rest still run.
                eprintln!("driftd: error: {}", crate::chain(&e));
            }
        }
    }

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let format = args.format.unwrap_or(if args.output.is_some() {
        Format::Json
    } else {
        Format::Table
    });
    if !reports.is_empty() {
        let text = output::render(format, &reports, to_terminal && format == Format::Table);
        match &args.output {
            Some(path) => std::fs::write(path, text)
                .with_context(|| format!("cannot write the report to {}", path.display()))?,
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(text.as_bytes())
                    .and_then(|_| out.flush())
                    .context("cannot write the report to standard output")?;
            }
        }
    }
    Ok(result.code() as u8)
}

pub fn validate(args: ValidateArgs) -> Result<u8> {
    let config = Config::load(&args.config)?;
    println!(
        "{}: OK, {} target(s)",
        args.config.display(),
        config.targets.len()
    );
    for t in &config.targets {
        let regions = if t.regions.is_empty() {
            "regions from state".to_string()
        } else {
            t.regions.join(", ")
        };
        println!(
            "  {}: {} · {} · {} state location(s)",
            t.name,
            t.provider,
            regions,
            t.states.len()
        );
    }
    Ok(0)
}
