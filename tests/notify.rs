//! Notification channels end to end, against local HTTP receivers that answer like PagerDuty
//! Events v2 and a webhook consumer: payloads, signatures, dedup keys, retry classification,
//! secrets kept out of output, and the daemon's durable outbox with moto.

mod util;

use driftd_testkit::receiver::{Answer, Receiver};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::time::{Duration, Instant};
use util::*;

const SIGNING_KEY: &str = "whsec-test-signing-key";

fn channels_config(webhook_url_env: &str, pd_url: &str) -> String {
    format!(
        "[[target]]\nname = \"prod-net\"\nstates = [\"terraform.tfstate\"]\n\n\
         [[channel]]\nname = \"hooks\"\ntype = \"webhook\"\nurl = \"env:{webhook_url_env}\"\n\
         signing_secret = \"file:signing.key\"\n\n\
         [[channel]]\nname = \"pager\"\ntype = \"pagerduty\"\nrouting_key = \"env:PD_ROUTING_KEY\"\nurl = \"{pd_url}\"\n\n\
         [[route]]\ntiers = [\"critical\"]\nchannels = [\"pager\", \"hooks\"]\n"
    )
}

fn setup(dir: &TempDir, receiver: &Receiver) {
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    dir.write("signing.key", SIGNING_KEY);
    dir.write(
        "driftd.toml",
        &channels_config("HOOK_URL", &receiver.url("/v2/enqueue")),
    );
}

fn run_notify(dir: &TempDir, receiver: &Receiver, channel: &str) -> Run {
    let hook = receiver.url("/hooks/T0KEN-in-url");
    driftd_with(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            channel,
        ],
        |c| {
            c.env("HOOK_URL", &hook)
                .env("PD_ROUTING_KEY", "R0UTINGKEY-secret");
        },
    )
}

#[test]
fn webhook_is_signed_and_idempotent() {
    let receiver = Receiver::start(vec![]).unwrap();
    let dir = TempDir::new("webhook");
    setup(&dir, &receiver);
    let run = run_notify(&dir, &receiver, "hooks");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hooks/T0KEN-in-url");
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["x-driftd-event"], "test");
    assert!(r.headers["idempotency-key"].starts_with("driftd-0-"));
    let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_KEY.as_bytes()).unwrap();
    mac.update(&r.body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        r.headers["x-driftd-signature"],
        format!("sha256={expected}")
    );
    assert_eq!(r.json()["event"], json!("test"));
    assert_eq!(r.json()["version"], json!(1));
}

#[test]
fn pagerduty_gets_an_events_v2_trigger() {
    let receiver = Receiver::start(vec![]).unwrap();
    let dir = TempDir::new("pagerduty");
    setup(&dir, &receiver);
    let run = run_notify(&dir, &receiver, "pager");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let body = receiver.received()[0].json();
    assert_eq!(body["routing_key"], json!("R0UTINGKEY-secret"));
    assert_eq!(body["event_action"], json!("trigger"));
    assert_eq!(body["dedup_key"], json!("00000000000000000000000000000000"));
    assert_eq!(body["payload"]["severity"], json!("info"));
    assert!(body["payload"]["summary"]
        .as_str()
        .unwrap()
        .contains("test notification"));
    assert!(body["payload"]["source"].is_string());
}

#[test]
fn a_rejected_notification_says_why_without_secrets() {
    let receiver = Receiver::start(vec![Answer {
        status: 400,
        retry_after: None,
        body: r#"{"status":"invalid event","message":"Event object is invalid","errors":["routing key R0UTINGKEY-secret is not valid"]}"#.into(),
    }])
    .unwrap();
    let dir = TempDir::new("rejected");
    setup(&dir, &receiver);
    let run = run_notify(&dir, &receiver, "pager");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("HTTP 400"), "{}", run.stderr);
    assert!(run.stderr.contains("not retried"), "{}", run.stderr);
    assert!(!run.stderr.contains("R0UTINGKEY-secret"), "{}", run.stderr);

    // Connection refused: the webhook URL (which holds a token) is not in the message either.
    let dead = driftd_testkit::moto::free_port().unwrap();
    let run = driftd_with(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            "hooks",
        ],
        |c| {
            c.env(
                "HOOK_URL",
                format!("http://127.0.0.1:{dead}/hooks/T0KEN-in-url"),
            )
            .env("PD_ROUTING_KEY", "x");
        },
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
    assert!(!run.stderr.contains("T0KEN-in-url"), "{}", run.stderr);
}

#[test]
fn a_missing_secret_names_the_variable() {
    let receiver = Receiver::start(vec![]).unwrap();
    let dir = TempDir::new("missing-secret");
    setup(&dir, &receiver);
    let run = driftd_with(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            "pager",
        ],
        |_| {},
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("PD_ROUTING_KEY is not set"),
        "{}",
        run.stderr
    );
    dir.write(
        "bad.toml",
        "[[channel]]\nname = \"p\"\ntype = \"pagerduty\"\nrouting_key = \"R0UTINGKEY\"\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "bad.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("env:VARIABLE"), "{}", run.stderr);
    assert!(!run.stderr.contains("R0UTINGKEY"), "{}", run.stderr);
}

/// The daemon pages a critical drift through a flaky receiver exactly once, keeps it across a
/// restart while the receiver is down, and resolves it when the drift is fixed.
#[test]
fn daemon_pages_retries_and_resolves_through_the_outbox() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("daemon-notify");
    let seeded = seed(&rt, &moto, &dir, &[("us-east-1", 1)]);
    let sg = seeded[0].sg_id.clone();
    // Critical drift: SSH open to the world.
    ssh_to_world(&rt, &moto, "us-east-1", &sg, true);
    // First a server error, then throttling with Retry-After, then accepted.
    let pd = Receiver::start(vec![
        Answer::status(500),
        Answer {
            status: 429,
            retry_after: Some(1),
            body: String::new(),
        },
    ])
    .unwrap();
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"us-east-1\"]\n\
             schedule = \"*/2 * * * * *\"\nrun_at_start = true\n\
             [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n\n\
             [[channel]]\nname = \"pager\"\ntype = \"pagerduty\"\nrouting_key = \"env:PD_ROUTING_KEY\"\nurl = \"{}\"\n\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"pager\"]\n",
            moto.endpoint(),
            pd.url("/v2/enqueue")
        ),
    );
    let start = |dir: &TempDir| {
        daemon_command(dir.path())
            .env("PD_ROUTING_KEY", "R0UTINGKEY-secret")
            .spawn()
            .unwrap()
    };
    let wait = |what: &str, pred: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(40);
        while !pred() {
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
                panic!(
                    "timed out waiting for {what}; received {:?}\nlog:\n{log}",
                    pd.received()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut daemon = start(&dir);
    wait("the page to be accepted", &|| {
        pd.received().iter().any(|r| r.status == 202)
    });
    let got = pd.received();
    assert_eq!(
        got.iter().map(|r| r.status).collect::<Vec<_>>(),
        [500, 429, 202]
    );
    let bodies: Vec<_> = got.iter().map(|r| r.json()).collect();
    assert!(
        bodies.iter().all(|b| b == &bodies[0]),
        "retries resend the same event"
    );
    assert_eq!(bodies[0]["event_action"], json!("trigger"));
    assert_eq!(bodies[0]["payload"]["severity"], json!("critical"));
    assert_eq!(
        bodies[0]["payload"]["component"],
        json!("aws_security_group")
    );
    let dedup = bodies[0]["dedup_key"].clone();
    // A few more scans: no duplicate page (repeat interval is 4 h).
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(pd.received().iter().filter(|r| r.status == 202).count(), 1);

    // Fix the drift while the receiver is down, restart the daemon in between: the resolve
    // waits in the outbox and is delivered once, after the restart.
    pd.script(vec![Answer::status(503); 3]);
    ssh_to_world(&rt, &moto, "us-east-1", &sg, false);
    wait("a resolve attempt", &|| {
        pd.received()
            .iter()
            .any(|r| r.json()["event_action"] == "resolve")
    });
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    pd.script(vec![]);
    let mut daemon = start(&dir);
    wait("the resolve to be accepted", &|| {
        pd.received()
            .iter()
            .any(|r| r.status == 202 && r.json()["event_action"] == "resolve")
    });
    std::thread::sleep(Duration::from_secs(3));
    let resolves: Vec<_> = pd
        .received()
        .into_iter()
        .filter(|r| r.status == 202 && r.json()["event_action"] == "resolve")
        .collect();
    assert_eq!(resolves.len(), 1, "delivered exactly once");
    assert_eq!(resolves[0].json()["dedup_key"], dedup);
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(!log.contains("R0UTINGKEY-secret"), "secret in log");
}
