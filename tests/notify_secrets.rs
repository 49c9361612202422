//! Secrets, whatever echoes them: every channel sends to a local receiver that answers with an
//! error page echoing the whole request (request line and query, headers with Basic and Bearer
//! credentials, the body with a routing key), and the email channel to SMTP servers that refuse
//! the login and echo the credentials (`AUTH PLAIN` and `AUTH LOGIN`, encoded and decoded).
//! Neither `driftd notify test`, nor the daemon's
//! log, nor `driftd notify failed`, nor the history database holds any form of any secret.

mod util;

use driftd_testkit::receiver::Receiver;
use driftd_testkit::smtp::EchoSmtp;
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";
const HOOK_USER: &str = "ops";
const HOOK_PASSWORD: &str = "pa55-w0rd-9x";
const HOOK_PATH_TOKEN: &str = "T0K3N-path-77";
const HOOK_QUERY_TOKEN: &str = "q-s3cr3t-55";
const SLACK_PATH: [&str; 3] = ["T0AAA111", "B0BBB222", "zZ9yY8xX7wW6"];
const SLACK_TOKEN: &str = "xoxb-11-22-s3cr3tT0k3n";
const PD_KEY: &str = "R0UT1NG-k3y-abcdef";
const SMTP_USER: &str = "driftd";
const SMTP_PASSWORD: &str = "sm7p-Pa55w0rd-42";

/// Standard base64, as a Basic `Authorization` header carries `user:password`.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                ABC[(n >> (18 - 6 * i)) as usize & 63] as char
            } else {
                '='
            });
        }
    }
    out
}

/// Every form of every secret that a careless sender could let through.
fn forms() -> Vec<String> {
    let mut out: Vec<String> = [
        HOOK_PASSWORD,
        HOOK_PATH_TOKEN,
        HOOK_QUERY_TOKEN,
        SLACK_TOKEN,
        PD_KEY,
        SMTP_PASSWORD,
    ]
    .iter()
    .chain(SLACK_PATH.iter())
    .map(|s| s.to_string())
    .collect();
    out.push(base64(format!("{HOOK_USER}:{HOOK_PASSWORD}").as_bytes()));
    // What AUTH PLAIN and AUTH LOGIN send.
    out.push(base64(format!("\0{SMTP_USER}\0{SMTP_PASSWORD}").as_bytes()));
    out.push(base64(SMTP_PASSWORD.as_bytes()));
    out
}

fn assert_clean(what: &str, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for f in forms() {
        assert!(!text.contains(&f), "{what} holds `{f}`:\n{text}");
    }
}

/// The mail channels, each to its own echoing server.
const MAIL_CHANNELS: [&str; 2] = ["mail-plain", "mail-login"];

fn mail_channel(name: &str, port: u16) -> String {
    format!(
        "[[channel]]\nname = \"{name}\"\ntype = \"email\"\nsmtp_host = \"127.0.0.1\"\n\
         smtp_port = {port}\ntls = \"none\"\nfrom = \"driftd@example.com\"\n\
         to = [\"oncall@example.com\"]\nusername = \"{SMTP_USER}\"\n\
         password = \"env:SMTP_PASSWORD\"\ntimeout_secs = 5\n\n"
    )
}

fn setup(dir: &TempDir, receiver: &Receiver, smtp: &[EchoSmtp; 2]) -> Vec<(String, String)> {
    let plan = json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "resource_drift": [{"address": "cloudflare_record.www", "mode": "managed",
            "type": "cloudflare_record", "name": "www", "provider_name": CF,
            "change": {"actions": ["update"],
                "before": {"id": "rec-1", "content": "203.0.113.7"},
                "after": {"id": "rec-1", "content": "198.51.100.9"},
                "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}],
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
            {"address": "cloudflare_record.www", "mode": "managed", "type": "cloudflare_record",
             "name": "www", "provider_name": CF, "schema_version": 0,
             "values": {"id": "rec-1", "content": "198.51.100.9"}, "sensitive_values": {}}]}}},
        "complete": true, "errored": false
    });
    dir.write("plan.json", &plan.to_string());
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 2\n\n\
             [[target]]\nname = \"edge\"\nplans = [\"plan.json\"]\nschedule = \"0 0 * * * *\"\n\
             run_at_start = true\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"env:HOOK_URL\"\n\
             signing_secret = \"env:HOOK_SIGNING\"\n\n\
             [[channel]]\nname = \"slack-hook\"\ntype = \"slack\"\nwebhook_url = \"env:SLACK_WEBHOOK_URL\"\n\n\
             [[channel]]\nname = \"slack-api\"\ntype = \"slack\"\ntoken = \"env:SLACK_BOT_TOKEN\"\n\
             channel = \"C0123456\"\napi_url = \"{slack_api}\"\n\n\
             [[channel]]\nname = \"pager\"\ntype = \"pagerduty\"\nrouting_key = \"env:PD_ROUTING_KEY\"\n\
             url = \"{pd}\"\n\n\
             {mail_plain}{mail_login}\
             [notify.critical]\nrepeat_interval_secs = 0\n\n\
             [[route]]\ntiers = [\"critical\"]\n\
             channels = [\"hook\", \"slack-hook\", \"slack-api\", \"pager\", \"mail-plain\", \"mail-login\"]\n\n\
             [[classify]]\ntier = \"critical\"\nresource_type = \"cloudflare_record\"\n",
            slack_api = receiver.url("/slack-api/"),
            pd = receiver.url("/pd"),
            mail_plain = mail_channel(MAIL_CHANNELS[0], smtp[0].port),
            mail_login = mail_channel(MAIL_CHANNELS[1], smtp[1].port),
        ),
    );
    let hook_path = format!("/hook/{HOOK_PATH_TOKEN}");
    let slack_path = format!("/services/{}", SLACK_PATH.join("/"));
    for path in [
        hook_path.as_str(),
        slack_path.as_str(),
        "/slack-api/chat.postMessage",
        "/pd",
    ] {
        receiver.echo(path, 400);
    }
    vec![
        (
            "HOOK_URL".into(),
            format!(
                "http://{HOOK_USER}:{HOOK_PASSWORD}@127.0.0.1:{}{hook_path}?token={HOOK_QUERY_TOKEN}",
                receiver.port
            ),
        ),
        ("HOOK_SIGNING".into(), "whsec-signing-k3y".into()),
        ("SLACK_WEBHOOK_URL".into(), receiver.url(&slack_path)),
        ("SLACK_BOT_TOKEN".into(), SLACK_TOKEN.into()),
        ("PD_ROUTING_KEY".into(), PD_KEY.into()),
        ("SMTP_PASSWORD".into(), SMTP_PASSWORD.into()),
    ]
}

#[test]
fn no_form_of_a_secret_survives_a_receiver_that_echoes_the_request() {
    let dir = TempDir::new("notify-secrets");
    let receiver = Receiver::start(vec![]).unwrap();
    let smtp = [
        EchoSmtp::start(&["PLAIN"]).unwrap(),
        EchoSmtp::start(&["LOGIN"]).unwrap(),
    ];
    let env = setup(&dir, &receiver, &smtp);
    let with_env = |args: &[&str]| {
        driftd_with(dir.path(), args, |c| {
            for (k, v) in &env {
                c.env(k, v);
            }
        })
    };

    // `notify test`: each channel fails with the receiver's answer, redacted.
    for channel in ["hook", "slack-hook", "slack-api", "pager"] {
        let run = with_env(&[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            channel,
        ]);
        assert_eq!(run.code, 1, "{channel}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("HTTP 400"), "{channel}: {}", run.stderr);
        assert_clean(&format!("notify test {channel}"), run.stderr.as_bytes());
        assert_clean(&format!("notify test {channel}"), run.stdout.as_bytes());
    }
    for channel in MAIL_CHANNELS {
        let run = with_env(&[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            channel,
        ]);
        assert_eq!(run.code, 1, "{channel}: {}{}", run.stdout, run.stderr);
        // The server's refusal is shown, its echo of the credentials is not.
        assert!(run.stderr.contains("535"), "{channel}: {}", run.stderr);
        assert!(run.stderr.contains("refused"), "{channel}: {}", run.stderr);
        assert_clean(&format!("notify test {channel}"), run.stderr.as_bytes());
        assert_clean(&format!("notify test {channel}"), run.stdout.as_bytes());
    }
    // The SMTP servers did get the credentials, each by its mechanism.
    let plain = base64(format!("\0{SMTP_USER}\0{SMTP_PASSWORD}").as_bytes());
    assert!(
        smtp[0].received().iter().any(|l| l.contains(&plain)),
        "{:?}",
        smtp[0].received()
    );
    assert!(
        smtp[1]
            .received()
            .contains(&base64(SMTP_PASSWORD.as_bytes())),
        "{:?}",
        smtp[1].received()
    );
    // The receiver did get the secrets (so the echo held them).
    let got: String = receiver
        .received()
        .iter()
        .map(|r| format!("{:?}{}", r.headers, String::from_utf8_lossy(&r.body)))
        .collect();
    assert!(got.contains(PD_KEY) && got.contains(SLACK_TOKEN), "{got}");

    // The daemon: the drift's notifications fail for good on every channel.
    let mut cmd = daemon_command(dir.path());
    for (k, v) in &env {
        cmd.env(k, v);
    }
    let mut daemon = cmd.spawn().expect("start daemon");
    let deadline = Instant::now() + Duration::from_secs(60);
    let failed = loop {
        let run = with_env(&[
            "notify",
            "failed",
            "--config",
            "driftd.toml",
            "--state-dir",
            "state",
        ]);
        let lines = run.stdout.lines().filter(|l| l.starts_with('#')).count();
        if lines >= 6 {
            break run;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
            panic!("not every channel failed: {}\n{log}", run.stdout);
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    assert!(failed.stdout.contains("HTTP 400"), "{}", failed.stdout);
    assert_clean("notify failed", failed.stdout.as_bytes());
    assert_clean(
        "daemon log",
        &std::fs::read(dir.path().join("daemon.log")).unwrap(),
    );
    let report = with_env(&["report", "--state-dir", "state", "--format", "json"]);
    assert_clean("report", report.stdout.as_bytes());
    for file in ["driftd.db", "driftd.db-wal"] {
        let path = dir.path().join("state").join(file);
        if Path::new(&path).exists() {
            assert_clean(file, &std::fs::read(&path).unwrap());
        }
    }
}
