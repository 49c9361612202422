//! Time from the end of a scan to a notification accepted by the receiver, through the real
//! path: the scan's result recorded in the SQLite store, the planner, the outbox, the delivery
//! task woken by the scan, the webhook channel (signed JSON over HTTP) and a local receiver
//! answering 202. 100 scans, each finding one new critical drift.
//!
//! `cargo bench --bench notify_latency` prints a table.

use driftd::config::Config;
use driftd::daemon::{self, Ctx};
use driftd::time::{rfc3339, SystemClock};
use driftd_core::report::{ScanInfo, Tool};
use driftd_core::{Change, ChangeOp, Finding, FindingKind, Report, Summary, Tier};
use driftd_testkit::receiver::Receiver;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const RUNS: usize = 100;

fn report(i: usize) -> Report {
    Report {
        schema_version: 1,
        tool: Tool {
            name: "driftd".into(),
            version: "bench".into(),
        },
        target: "bench".into(),
        scan: ScanInfo {
            started_at: rfc3339(chrono::Utc::now()),
            finished_at: rfc3339(chrono::Utc::now()),
            complete: true,
            api_calls: None,
            throttles: None,
        },
        summary: Summary::default(),
        findings: vec![Finding {
            engine: Default::default(),
            fingerprint: format!("{i:032x}"),
            kind: FindingKind::Changed,
            tier: Tier::Critical,
            provider: "aws".into(),
            resource_type: "aws_security_group".into(),
            resource_id: format!("sg-{i:08x}"),
            address: Some(format!("aws_security_group.sg{i}")),
            region: Some("us-east-1".into()),
            source: Some("bench.tfstate".into()),
            changes: vec![Change {
                path: "ingress".into(),
                op: ChangeOp::Add,
                expected: serde_json::Value::Null,
                actual: serde_json::json!({"cidr_blocks": ["0.0.0.0/0"], "from_port": 22, "to_port": 22, "protocol": "tcp"}),
                expected_from: None,
                code: None,
            }],
            policy: None,
        }],
        skipped: vec![],
        ignored: Vec::new(),
        expired_ignores: Vec::new(),
        policy_errors: Vec::new(),
        not_compared: Vec::new(),
    }
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let receiver = Receiver::start(vec![])?;
    let dir = std::env::temp_dir().join(format!("driftd-notify-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tfstate/simple.tfstate");
    std::fs::write(dir.join("hook.url"), receiver.url("/hook"))?;
    std::fs::write(dir.join("hook.key"), "bench-signing-key")?;
    std::fs::write(
        dir.join("driftd.toml"),
        format!(
            "[[target]]\nname = \"bench\"\nstates = [\"{}\"]\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"file:{}\"\nsigning_secret = \"file:{}\"\n\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"hook\"]\n",
            fixture.display(),
            dir.join("hook.url").display(),
            dir.join("hook.key").display()
        ),
    )?;
    let config = Config::load(&dir.join("driftd.toml"))?;
    let store = daemon::open_store(&dir)?;
    let ctx = Arc::new(Ctx::new(&config, Arc::new(SystemClock), store, true)?);
    let stop = CancellationToken::new();
    let mut samples = Vec::with_capacity(RUNS);
    rt.block_on(async {
        let delivery = tokio::spawn(ctx.notifier.clone().delivery_loop(stop.clone()));
        // One warm-up run (connection set-up, first statements prepared), not counted.
        for i in 0..=RUNS {
            let at = rfc3339(chrono::Utc::now());
            let scan_id = ctx
                .store
                .run(move |s| s.begin_scan("bench", "manual", &at))
                .await?;
            let r = report(i);
            // The scan has its report: from here on it is notification latency.
            let t0 = Instant::now();
            let now = rfc3339(chrono::Utc::now());
            let changes = ctx
                .store
                .run(move |s| s.finish_scan(scan_id, &r, &[], &now))
                .await?;
            ctx.notifier.enqueue("bench", changes, Some(None)).await?;
            ctx.notifier.wake();
            let deadline = Instant::now() + Duration::from_secs(10);
            while receiver.received().len() <= i {
                if Instant::now() > deadline {
                    anyhow::bail!("notification {i} not delivered within 10 s");
                }
                tokio::time::sleep(Duration::from_micros(200)).await;
            }
            if i > 0 {
                samples.push(t0.elapsed());
            }
        }
        stop.cancel();
        let _ = delivery.await;
        anyhow::Ok(())
    })?;
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pct = |p: usize| samples[(samples.len() * p / 100).min(samples.len() - 1)];
    println!("notification latency: end of scan -> accepted by a local webhook receiver");
    println!("{:<10} {:>10}", "runs", samples.len());
    println!("{:<10} {:>8.2} ms", "min", ms(samples[0]));
    println!("{:<10} {:>8.2} ms", "median", ms(pct(50)));
    println!("{:<10} {:>8.2} ms", "p90", ms(pct(90)));
    println!("{:<10} {:>8.2} ms", "max", ms(samples[samples.len() - 1]));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
