//! Command-line interface: `check` and `validate`.

use crate::config::{Config, TargetConfig};
use crate::output::{self, Format};
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use driftd_core::report::{
    coverage_shortfall, outcome_with_coverage, parse_coverage, FailOn, Outcome,
};
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
    /// Scan once and report drift. Exit codes: 0 no drift, 1 error (a usage error too), 2
    /// drift, 3 scan incomplete or coverage below --require-coverage.
    ///
    /// The report formats, the JSON schema, what coverage counts and the exit codes are
    /// described in docs/report-schema.md.
    Check(CheckArgs),
    /// Check a configuration without touching the network; show each target's next runs.
    Validate(ValidateArgs),
    /// Run as a service: scan every target on its schedule and keep history.
    Daemon(DaemonArgs),
    /// Scan one target now and record it in the history (daemon running or not).
    Scan(ScanArgs),
    /// Read the history: open drift, one finding's history, recent scans.
    Report(ReportArgs),
    /// Acknowledge open drift: no more repeats of its notifications.
    Ack(AckArgs),
    /// Notification channels: send a test alert, list undeliverable notifications.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Mute notifications of matching drift for a while (it is still recorded and reported).
    #[command(subcommand)]
    Silence(SilenceCommand),
    /// Why a finding was or was not reported: its tier's rule, the ignore rules that hide it.
    Explain(crate::explain::ExplainArgs),
    /// The resource types driftd compares, per provider, with the attributes it compares.
    Types(crate::types::TypesArgs),
    /// Policies: evaluate them over input documents, without a scan.
    #[command(subcommand)]
    Policy(crate::policy_eval::PolicyCommand),
}

/// Where the history is: the config (for `daemon.state_dir`) and `--state-dir`.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Configuration file.
    #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
    pub config: PathBuf,
    /// History directory.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SilenceCommand {
    /// Add a silence: every --match must hold (keys: target, tier, kind, policy, type,
    /// resource, provider, region, fingerprint, label.NAME; values are globs).
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// `key=glob`, repeatable: `--match type=aws_instance --match target=prod-*`.
        #[arg(long = "match", required = true, value_name = "KEY=GLOB")]
        matchers: Vec<String>,
        /// End time (RFC 3339, like 2026-11-24T08:00:00Z).
        #[arg(
            long,
            conflicts_with = "duration",
            required_unless_present = "duration"
        )]
        until: Option<String>,
        /// Or a duration from now: 30m, 4h, 2d, 1w.
        #[arg(long = "for", value_name = "DURATION")]
        duration: Option<String>,
        /// Why (recorded and shown in `silence list`).
        #[arg(long)]
        comment: String,
        /// Who (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// List silences in force (all, with --all).
    List {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        all: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// End a silence now.
    Expire {
        #[command(flatten)]
        store: StoreArgs,
        /// The silence's id (from `silence list`).
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct AckArgs {
    /// Configuration file.
    #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
    pub config: PathBuf,
    /// History directory.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Fingerprint (or a prefix of at least 6 characters) of the finding.
    pub fingerprint: Option<String>,
    /// Acknowledge every open finding of this target instead.
    #[arg(long, conflicts_with = "fingerprint")]
    pub target: Option<String>,
    /// Who acknowledges (recorded). Default: $USER.
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Send a synthetic alert through one channel now, to check its setup.
    Test {
        #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
        config: PathBuf,
        /// The channel's name.
        #[arg(long)]
        channel: String,
    },
    /// List notifications that could not be delivered.
    Failed {
        #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
        config: PathBuf,
        #[arg(long)]
        state_dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Configuration file.
    #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
    pub config: PathBuf,
    /// History directory. Default: $STATE_DIRECTORY, else `daemon.state_dir` of the config.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Configuration file.
    #[arg(short, long, default_value = "/etc/driftd/driftd.toml")]
    pub config: PathBuf,
    /// The target to scan.
    #[arg(short, long)]
    pub target: String,
    /// History directory. Default: $STATE_DIRECTORY, else `daemon.state_dir` of the config.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Report format.
    #[arg(short, long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Lowest tier that makes the exit code 2.
    #[arg(long, default_value = "info")]
    pub fail_on: FailOn,
    /// How long to wait, in seconds, for a scan of the same target that another driftd
    /// process (the daemon) is running; then exit 1.
    #[arg(long, default_value_t = 300, value_name = "SECONDS")]
    pub wait_timeout: u64,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Configuration file (for the state directory). Not needed with --state-dir.
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// History directory.
    #[arg(long)]
    pub state_dir: Option<PathBuf>,
    /// Only this target.
    #[arg(short, long)]
    pub target: Option<String>,
    /// Only drift first seen, and scans started, since then: RFC 3339 (`2026-11-01T00:00:00Z`)
    /// or an age (`30m`, `12h`, `7d`).
    #[arg(long)]
    pub since: Option<String>,
    /// The history of one finding (fingerprint or a prefix of at least 6 characters).
    #[arg(long)]
    pub finding: Option<String>,
    /// Report format. `table` and `json` show the history (open drift with its lifecycle,
    /// recent scans; JSON is the report schema plus lifecycle fields); the others render the
    /// last finished scan's report as `check` does.
    #[arg(short, long, value_enum, default_value_t = crate::output::Format::Table)]
    pub format: crate::output::Format,
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
    /// Without a config: a Terraform or OpenTofu plan (repeatable): the JSON of `terraform show
    /// -json PLANFILE` or the log of `terraform plan -json`. Its drift is reported for the
    /// resources driftd does not read itself; with no --state, for every resource.
    #[arg(long = "plan")]
    pub plans: Vec<String>,
    /// Without a config: the Terraform root module to read besides state (unapplied changes
    /// become `pending`); with no --state, its backend (or local state) is read.
    #[arg(long)]
    pub code: Option<PathBuf>,
    /// Without a config: a region to scan (repeatable). Default: the regions the state and code
    /// record, else AWS_REGION, AWS_DEFAULT_REGION or the profile's region.
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
    /// Exit 3 when less than PCT percent of the resources were compared (types driftd does not
    /// compare, scopes not scanned and code not evaluated count against it). Overrides the
    /// targets' `require_coverage`.
    #[arg(long, value_name = "PCT", value_parser = parse_coverage)]
    pub require_coverage: Option<f64>,
    /// Do not evaluate the built-in policy pack (the config's own `[[policy]]` files still
    /// are); the same as `[policies] builtin = false`.
    #[arg(long)]
    pub no_builtin_policies: bool,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Configuration file to check: the config, then every target's code, var files and
    /// manifests are read (no network); anything unreadable is listed with file:line:col.
    #[arg(short, long, default_value = "driftd.toml")]
    pub config: PathBuf,
    /// Instead of a config, read one Terraform root module directory and list the resources it
    /// expands to and the blocks it cannot evaluate, with the reason.
    #[arg(long, value_name = "DIR")]
    pub code: Option<PathBuf>,
    /// With --code: a `-var-file`, applied after terraform.tfvars and *.auto.tfvars (repeatable).
    #[arg(long = "var-file", value_name = "FILE", requires = "code")]
    pub var_files: Vec<PathBuf>,
    /// With --code: the workspace `terraform.workspace` evaluates to.
    #[arg(long, requires = "code")]
    pub workspace: Option<String>,
    /// With --code: print JSON (resources, not_evaluated, warnings) instead of text.
    #[arg(long, requires = "code")]
    pub json: bool,
}

pub fn init_logging(g: &GlobalArgs) {
    use tracing_subscriber::EnvFilter;
    let level = match g.verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        let mut directives = vec![level, "hyper=warn"];
        for kind in crate::target::registry::KINDS {
            directives.extend(kind.log_directives());
        }
        EnvFilter::new(directives.join(","))
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
    let kind = crate::target::registry::default_kind();
    let mut t = TargetConfig::new("default", kind.names()[0]);
    t.states = args.states.clone();
    t.plans = args.plans.clone();
    t.regions = args.regions.clone();
    t.include_cloud_defaults = args.include_defaults;
    t.config_name = "(command line)".into();
    t.code = args.code.as_ref().map(|p| p.display().to_string());
    if let Some(section) =
        kind.command_line_section(args.profile.as_deref(), args.endpoint_url.as_deref())
    {
        t.sections.insert(kind.section().to_string(), section);
    }
    t
}

pub async fn check(args: CheckArgs) -> Result<u8> {
    let adhoc = args.states.is_empty() && args.code.is_none() && args.plans.is_empty();
    let config = match (&args.config, adhoc) {
        (Some(path), true) => Config::load(path)?,
        (Some(_), false) => bail!("use either --config or --state/--code/--plan, not both"),
        (None, false) => {
            let mut config = Config {
                targets: vec![adhoc_target(&args)],
                daemon: Default::default(),
                classify: Vec::new(),
                ignore: Vec::new(),
                channels: Vec::new(),
                routes: Vec::new(),
                notify: Default::default(),
                web: None,
                policies: Default::default(),
                policy: Vec::new(),
                base_dir: PathBuf::from("."),
                path: PathBuf::from("(command line)"),
            };
            let policies = config.policy_options().unwrap_or_default();
            for t in &mut config.targets {
                t.policies = policies.clone();
            }
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
    let rules = config.classify_rules();

    // A live bar for a person at a terminal; logs and pipes get per-type log lines only.
    let progress = if std::io::stderr().is_terminal() {
        crate::scan::ProgressDisplay::Bar
    } else {
        crate::scan::ProgressDisplay::LogsOnly
    };
    let mut reports = Vec::new();
    let mut result = Outcome::Clean;
    for t in targets {
        let mut t = t.clone();
        t.include_cloud_defaults |= args.include_defaults;
        if args.no_builtin_policies {
            t.policies.builtin = false;
        }
        match crate::scan::run_target_with_progress(&t, &config.base_dir, &rules, progress).await {
            Ok(crate::scan::ScanOutput { report, .. }) => {
                let required = args.require_coverage.or(t.require_coverage);
                if let Some(why) = coverage_shortfall(&report, required) {
                    eprintln!("driftd: {why}");
                }
                result = result.worst(outcome_with_coverage(&report, args.fail_on, required));
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

pub async fn daemon(args: DaemonArgs) -> Result<u8> {
    crate::daemon::run(&args.config, args.state_dir.as_deref()).await
}

pub async fn scan(args: ScanArgs) -> Result<u8> {
    use crate::daemon::{open_store, scan_and_record, state_dir, Ctx, Trigger};
    let config = Config::load(&args.config)?;
    let target = config.select(std::slice::from_ref(&args.target))?[0].clone();
    let dir = state_dir(args.state_dir.as_deref(), Some(&config));
    let mut ctx = Ctx::new(
        &config,
        std::sync::Arc::new(crate::time::SystemClock),
        open_store(&dir)?,
        false,
    )?;
    ctx.wait_for_lock = Some(std::time::Duration::from_secs(args.wait_timeout));
    let Some(out) = scan_and_record(&ctx, &target, Trigger::Manual).await? else {
        bail!("the scan of target `{}` did not run", target.name);
    };
    let color = args.format == Format::Table && std::io::stdout().is_terminal();
    print!(
        "{}",
        output::render(args.format, std::slice::from_ref(&out.report), color)
    );
    if let Some(why) = coverage_shortfall(&out.report, target.require_coverage) {
        eprintln!("driftd: {why}");
    }
    Ok(outcome_with_coverage(&out.report, args.fail_on, target.require_coverage).code() as u8)
}

pub fn report(args: ReportArgs) -> Result<u8> {
    let config = args.config.as_deref().map(Config::load).transpose()?;
    if config.is_none() && args.state_dir.is_none() && std::env::var_os("STATE_DIRECTORY").is_none()
    {
        bail!("pass --config FILE or --state-dir DIR so driftd knows where the history is");
    }
    let dir = crate::daemon::state_dir(args.state_dir.as_deref(), config.as_ref());
    let db = dir.join(crate::daemon::DB_FILE);
    if !db.exists() {
        bail!(
            "no history at {}: run `driftd daemon` or `driftd scan` first, or pass the right --state-dir",
            db.display()
        );
    }
    let store = driftd_store::Store::open(&db)?;
    let since = args
        .since
        .as_deref()
        .map(crate::history::parse_since)
        .transpose()?;
    let text = crate::history::render(
        &store,
        args.format,
        args.target.as_deref(),
        since.as_deref(),
        args.finding.as_deref(),
    )?;
    print!("{text}");
    Ok(0)
}

pub fn ack(args: AckArgs) -> Result<u8> {
    let config = Config::load(&args.config)?;
    let dir = crate::daemon::state_dir(args.state_dir.as_deref(), Some(&config));
    let mut store = crate::daemon::open_store(&dir)?;
    if let Some(fp) = &args.fingerprint {
        if fp.len() < 6 {
            bail!("give at least 6 characters of the fingerprint");
        }
    } else if args.target.is_none() {
        bail!("name a finding (FINGERPRINT) or a whole target (--target NAME) to acknowledge");
    }
    let now = crate::time::rfc3339(chrono::Utc::now());
    let by = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "unknown".into());
    let n = store.ack(
        args.fingerprint.as_deref(),
        args.target.as_deref(),
        &by,
        &now,
    )?;
    if n == 0 {
        bail!("no open, unacknowledged finding matches");
    }
    println!("acknowledged {n} finding(s); their notifications will not repeat");
    Ok(0)
}

pub async fn notify(cmd: NotifyCommand) -> Result<u8> {
    match cmd {
        NotifyCommand::Test { config, channel } => {
            let config = Config::load(&config)?;
            let Some(cfg) = config.channels.iter().find(|c| c.name() == channel) else {
                let known: Vec<&str> = config.channels.iter().map(|c| c.name()).collect();
                bail!(
                    "no channel named `{channel}`; configured: {}",
                    known.join(", ")
                );
            };
            let channels = crate::notify::build_channels(std::slice::from_ref(cfg))
                .map_err(|e| anyhow::anyhow!(e))?;
            let ch = &channels[&channel];
            crate::notify::send_test(ch.as_ref())
                .await
                .map_err(|e| anyhow::anyhow!("channel `{channel}`: {e}"))?;
            println!("channel `{channel}`: test notification accepted");
            Ok(0)
        }
        NotifyCommand::Failed { config, state_dir } => {
            let config = Config::load(&config)?;
            let dir = crate::daemon::state_dir(state_dir.as_deref(), Some(&config));
            let store = crate::daemon::open_store(&dir)?;
            let failed = store.notifications("failed", 100)?;
            if failed.is_empty() {
                println!("no undeliverable notifications");
            }
            for n in failed {
                println!(
                    "#{} {} {} {} after {} attempt(s): {}",
                    n.id,
                    n.channel,
                    n.event,
                    n.fingerprint,
                    n.attempts,
                    n.last_error.unwrap_or_default()
                );
            }
            Ok(0)
        }
    }
}

pub async fn validate(args: ValidateArgs) -> Result<u8> {
    if let Some(dir) = args.code {
        return crate::validate::code(&crate::validate::CodeArgs {
            dir,
            var_files: args.var_files,
            workspace: args.workspace,
            json: args.json,
        });
    }
    let config = Config::load(&args.config)?;
    let mut read = Vec::with_capacity(config.targets.len());
    let mut problems = Vec::new();
    for t in &config.targets {
        match crate::validate::target(t, &config).await {
            Ok(lines) => read.push(lines),
            Err(p) => {
                problems.extend(p);
                read.push(Vec::new());
            }
        }
    }
    if !problems.is_empty() {
        bail!(
            "{}: {} problem(s) reading what the targets declare:\n  {}",
            args.config.display(),
            problems.len(),
            problems.join("\n  ")
        );
    }
    println!(
        "{}: OK, {} target(s)",
        args.config.display(),
        config.targets.len()
    );
    for (t, lines) in config.targets.iter().zip(&read) {
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
        for line in lines {
            println!("    {line}");
        }
        match &t.schedule {
            Some(expr) => {
                if let Ok(s) = t.parsed_schedule(expr) {
                    let next: Vec<String> = s
                        .upcoming(chrono::Utc::now(), 3)
                        .into_iter()
                        .map(|d| {
                            d.with_timezone(
                                &t.timezone
                                    .parse::<chrono_tz::Tz>()
                                    .unwrap_or(chrono_tz::UTC),
                            )
                            .format("%Y-%m-%d %H:%M:%S %Z")
                            .to_string()
                        })
                        .collect();
                    let jitter = if t.jitter_secs > 0 {
                        format!(" (+ up to {} s jitter)", t.jitter_secs)
                    } else {
                        String::new()
                    };
                    println!(
                        "    schedule `{expr}` {}: next {}{jitter}",
                        t.timezone,
                        next.join(", ")
                    );
                }
            }
            None => println!("    no schedule: scanned only by `driftd check` / `driftd scan`"),
        }
    }
    validate_ignores(&config);
    if !config.channels.is_empty() {
        let names: Vec<&str> = config.channels.iter().map(|c| c.name()).collect();
        println!(
            "  notifications: {} channel(s) ({}), {} route(s); secrets are read when the daemon starts",
            names.len(),
            names.join(", "),
            config.routes.len()
        );
        let now = chrono::Utc::now();
        for (i, r) in config.routes.iter().enumerate() {
            if let Some(Ok((at, tz))) = r.digest.as_ref().map(|d| d.when()) {
                let next = crate::notify::when::next_at(now, at, tz).with_timezone(&tz);
                println!(
                    "    route {}: daily digest at {} {tz}, next {}",
                    r.key(i),
                    at.format("%H:%M"),
                    next.format("%Y-%m-%d %H:%M %Z")
                );
            }
            if let Some(q) = &r.quiet_hours {
                println!(
                    "    route {}: quiet hours {}-{} {} ({}; never for critical)",
                    r.key(i),
                    q.from,
                    q.to,
                    q.timezone,
                    match q.action {
                        crate::notify::config::QuietAction::Hold => "held until they end",
                        crate::notify::config::QuietAction::Digest => "moved to the digest",
                    }
                );
            }
        }
    }
    if let Some(web) = &config.web {
        println!(
            "  web: dashboard, /api/v1/ and /metrics on http://{}/ ({})",
            web.listen,
            if web.token.is_some() {
                "token required"
            } else {
                "no token"
            }
        );
    }
    Ok(0)
}

/// `validate`'s lines about ignore rules: each target's ignore file, and every expired rule.
fn validate_ignores(config: &Config) {
    for t in &config.targets {
        if let Some((name, _)) = t.ignore_file_path(&config.base_dir) {
            println!("  {}: ignore file {name}", t.name);
        }
    }
    if config.ignore.is_empty() {
        return;
    }
    println!("  ignore: {} rule(s) in the config", config.ignore.len());
    let now = chrono::Utc::now();
    for (i, r) in config.ignore.iter().enumerate() {
        let source = format!("{}: ignore[{i}]", config.path.display());
        if let Ok(rule) = driftd_core::ignore::ConfigRule::compile(r, source) {
            if rule.expired(now) {
                println!(
                    "    EXPIRED {} ({}; owner {}, expired {}): no longer hides drift; renew `expires` or remove the rule",
                    rule.rule().source,
                    rule.rule().rule,
                    r.owner,
                    r.expires.as_ref().map(|e| e.text.as_str()).unwrap_or("")
                );
            }
        }
    }
}
