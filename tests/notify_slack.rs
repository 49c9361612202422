//! The Slack channel end to end, against a local receiver speaking the documented Web API
//! (`POST /api/chat.postMessage`, `/api/chat.update`, `{"ok":...}` answers, HTTP 429 with
//! `Retry-After`) and an incoming webhook: payloads, the bearer token kept out of output, retry
//! classification, and the daemon's thread (post, then edit the same message on resolve).

mod util;

use driftd_testkit::receiver::{Answer, Receiver};
use serde_json::json;
use std::time::{Duration, Instant};
use util::*;

const TOKEN: &str = "xoxb-T0KEN-secret-123";
const TS: &str = "1700000000.000100";
const POSTED: &str =
    r#"{"ok":true,"channel":"C0123456","ts":"1700000000.000100","message":{"text":"x"}}"#;

fn slack_receiver() -> Receiver {
    let r = Receiver::start(vec![]).unwrap();
    r.respond("/api/chat.postMessage", Answer::json(200, POSTED));
    r.respond(
        "/api/chat.update",
        Answer::json(
            200,
            r#"{"ok":true,"channel":"C0123456","ts":"1700000000.000100","text":"x"}"#,
        ),
    );
    r
}

/// A config needs a target; the notify commands never scan it.
const TARGET: &str = "[[target]]\nname = \"prod-net\"\nstates = [\"terraform.tfstate\"]\n\n";

fn write_state(dir: &TempDir) {
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
}

fn setup(dir: &TempDir, receiver: &Receiver) {
    write_state(dir);
    dir.write(
        "driftd.toml",
        &format!(
            "{TARGET}[[channel]]\nname = \"slack-ops\"\ntype = \"slack\"\ntoken = \"env:SLACK_BOT_TOKEN\"\n\
             channel = \"C0123456\"\napi_url = \"{}\"\n\n\
             [[channel]]\nname = \"slack-hook\"\ntype = \"slack\"\nwebhook_url = \"env:SLACK_WEBHOOK_URL\"\n",
            receiver.url("/api/")
        ),
    );
}

fn notify_test(dir: &TempDir, channel: &str, webhook_url: &str) -> Run {
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
            c.env("SLACK_BOT_TOKEN", TOKEN)
                .env("SLACK_WEBHOOK_URL", webhook_url);
        },
    )
}

fn assert_no_secret(run: &Run) {
    for s in [TOKEN, "T0KEN", "HOOKSECRET"] {
        assert!(!run.stdout.contains(s), "secret in stdout: {}", run.stdout);
        assert!(!run.stderr.contains(s), "secret in stderr: {}", run.stderr);
    }
}

#[test]
fn test_message_is_posted_with_the_bearer_token() {
    let receiver = slack_receiver();
    let dir = TempDir::new("slack-test");
    setup(&dir, &receiver);
    let run = notify_test(&dir, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("test notification accepted"));
    assert_no_secret(&run);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/chat.postMessage");
    assert_eq!(r.headers["authorization"], format!("Bearer {TOKEN}"));
    assert!(
        r.headers["content-type"].starts_with("application/json"),
        "{:?}",
        r.headers
    );
    let body = r.json();
    assert_eq!(body["channel"], json!("C0123456"));
    assert!(body["text"].as_str().unwrap().contains("test notification"));
    let blocks = body["blocks"].as_array().unwrap();
    assert!(!blocks.is_empty());
    assert_eq!(blocks[0]["type"], json!("section"));
    assert_eq!(blocks[0]["text"]["type"], json!("mrkdwn"));
    assert!(body.get("thread_ts").is_none());
}

#[test]
fn channel_not_found_is_permanent_and_names_the_fix() {
    let receiver = slack_receiver();
    receiver.respond(
        "/api/chat.postMessage",
        Answer::json(200, r#"{"ok":false,"error":"channel_not_found"}"#),
    );
    let dir = TempDir::new("slack-not-found");
    setup(&dir, &receiver);
    let run = notify_test(&dir, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`channel_not_found`"), "{}", run.stderr);
    assert!(run.stderr.contains("not retried"), "{}", run.stderr);
    assert!(run.stderr.contains("check `channel`"), "{}", run.stderr);
    assert_no_secret(&run);
    assert_eq!(receiver.received().len(), 1);
}

#[test]
fn rate_limits_and_server_errors_are_retryable() {
    let receiver = slack_receiver();
    receiver.script(vec![
        Answer {
            status: 429,
            retry_after: Some(3),
            body: r#"{"ok":false,"error":"ratelimited"}"#.into(),
        },
        Answer::json(503, "upstream unavailable"),
        Answer::json(200, r#"{"ok":false,"error":"invalid_auth"}"#),
    ]);
    let dir = TempDir::new("slack-ratelimit");
    setup(&dir, &receiver);
    let run = notify_test(&dir, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("rate limited"), "{}", run.stderr);
    assert!(run.stderr.contains("will retry"), "{}", run.stderr);
    let run = notify_test(&dir, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("HTTP 503"), "{}", run.stderr);
    assert!(run.stderr.contains("will retry"), "{}", run.stderr);
    let run = notify_test(&dir, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("`invalid_auth`"), "{}", run.stderr);
    assert!(run.stderr.contains("not retried"), "{}", run.stderr);
    assert_no_secret(&run);
    // Nothing reached a server: connection refused is retryable too.
    let dead = driftd_testkit::moto::free_port().unwrap();
    let dir2 = TempDir::new("slack-dead");
    let dead_receiver_url = format!("http://127.0.0.1:{dead}/api/");
    write_state(&dir2);
    dir2.write(
        "driftd.toml",
        &format!(
            "{TARGET}[[channel]]\nname = \"slack-ops\"\ntype = \"slack\"\ntoken = \"env:SLACK_BOT_TOKEN\"\n\
             channel = \"C0123456\"\napi_url = \"{dead_receiver_url}\"\n"
        ),
    );
    let run = notify_test(&dir2, "slack-ops", "http://127.0.0.1:1/x");
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("could not connect"), "{}", run.stderr);
    assert!(run.stderr.contains("will retry"), "{}", run.stderr);
    assert_no_secret(&run);
}

#[test]
fn incoming_webhook_posts_without_leaking_the_url() {
    let receiver = slack_receiver();
    receiver.respond(
        "/services/T0/B0/HOOKSECRET",
        Answer::json(200, r#"{"ok":true}"#),
    );
    let dir = TempDir::new("slack-webhook");
    setup(&dir, &receiver);
    let run = notify_test(
        &dir,
        "slack-hook",
        &receiver.url("/services/T0/B0/HOOKSECRET"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/services/T0/B0/HOOKSECRET");
    assert!(!got[0].headers.contains_key("authorization"));
    assert!(got[0].json()["text"]
        .as_str()
        .unwrap()
        .contains("test notification"));
    // A rejected webhook (Slack answers 404 `no_service`): permanent, URL not printed.
    receiver.respond(
        "/services/T0/B0/HOOKSECRET",
        Answer::json(404, "no_service"),
    );
    let run = notify_test(
        &dir,
        "slack-hook",
        &receiver.url("/services/T0/B0/HOOKSECRET"),
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("HTTP 404"), "{}", run.stderr);
    assert!(run.stderr.contains("not retried"), "{}", run.stderr);
    assert_no_secret(&run);
}

#[test]
fn config_problems_are_named() {
    let dir = TempDir::new("slack-validate");
    dir.write(
        "both.toml",
        "[[channel]]\nname = \"s\"\ntype = \"slack\"\ntoken = \"env:T\"\nchannel = \"C0123456\"\n\
         webhook_url = \"env:W\"\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "both.toml"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("webhook_url: use either"),
        "{}",
        run.stderr
    );
    dir.write(
        "name.toml",
        "[[channel]]\nname = \"s\"\ntype = \"slack\"\ntoken = \"env:T\"\nchannel = \"#ops\"\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "name.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("not a channel ID"), "{}", run.stderr);
    dir.write("none.toml", "[[channel]]\nname = \"s\"\ntype = \"slack\"\n");
    let run = driftd(dir.path(), &["validate", "--config", "none.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains(".token: required"), "{}", run.stderr);
    assert!(run.stderr.contains(".channel: required"), "{}", run.stderr);
    dir.write(
        "literal.toml",
        "[[channel]]\nname = \"s\"\ntype = \"slack\"\ntoken = \"xoxb-L1TERAL\"\nchannel = \"C1\"\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "literal.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("env:VARIABLE"), "{}", run.stderr);
    assert!(!run.stderr.contains("xoxb-L1TERAL"), "{}", run.stderr);
}

/// The daemon posts a critical drift once (after a rate limit), keeps the message's ts, and
/// edits that same message when the drift is fixed, with a reply in its thread.
#[test]
fn daemon_posts_then_edits_the_same_message_on_resolve() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("daemon-slack");
    let seeded = seed(&rt, &moto, &dir, &[("us-east-1", 1)]);
    let sg = seeded[0].sg_id.clone();
    ssh_to_world(&rt, &moto, "us-east-1", &sg, true);
    let slack = slack_receiver();
    slack.script(vec![Answer {
        status: 429,
        retry_after: Some(1),
        body: r#"{"ok":false,"error":"ratelimited"}"#.into(),
    }]);
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"us-east-1\"]\n\
             schedule = \"*/2 * * * * *\"\nrun_at_start = true\n\
             [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n\n\
             [[channel]]\nname = \"slack-ops\"\ntype = \"slack\"\ntoken = \"env:SLACK_BOT_TOKEN\"\n\
             channel = \"C0123456\"\napi_url = \"{}\"\n\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"slack-ops\"]\n",
            moto.endpoint(),
            slack.url("/api/")
        ),
    );
    let mut daemon = daemon_command(dir.path())
        .env("SLACK_BOT_TOKEN", TOKEN)
        .spawn()
        .unwrap();
    let wait = |what: &str, pred: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(40);
        while !pred() {
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
                panic!(
                    "timed out waiting for {what}; received {:?}\nlog:\n{log}",
                    slack.received()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait("the message to be posted", &|| {
        slack.received().iter().any(|r| r.status == 200)
    });
    let got = slack.received();
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), [429, 200]);
    assert_eq!(
        got[0].body, got[1].body,
        "the retry resends the same message"
    );
    let post = got[1].json();
    assert_eq!(got[1].path, "/api/chat.postMessage");
    assert_eq!(post["channel"], json!("C0123456"));
    assert!(post.get("thread_ts").is_none());
    let blocks = post["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["type"], json!("header"));
    let header = blocks[0]["text"]["text"].as_str().unwrap();
    assert!(
        header.contains("Critical drift: aws_security_group"),
        "{header}"
    );
    let all = post.to_string();
    assert!(all.contains(&sg), "{all}");
    assert!(all.contains("*Changes*"), "{all}");
    assert!(all.contains("us-east-1"), "{all}");
    // Scans go on: no second message (repeat interval is 4 h).
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(slack.received().len(), 2);

    ssh_to_world(&rt, &moto, "us-east-1", &sg, false);
    wait("the message to be edited", &|| {
        slack
            .received()
            .iter()
            .any(|r| r.path == "/api/chat.update")
    });
    wait("the thread reply", &|| slack.received().len() >= 4);
    let got = slack.received();
    let update = got
        .iter()
        .find(|r| r.path == "/api/chat.update")
        .unwrap()
        .json();
    assert_eq!(update["ts"], json!(TS));
    assert_eq!(update["channel"], json!("C0123456"));
    assert!(update["blocks"][0]["text"]["text"]
        .as_str()
        .unwrap()
        .starts_with("✅ Resolved"));
    let reply = got.last().unwrap();
    assert_eq!(reply.path, "/api/chat.postMessage");
    assert_eq!(reply.json()["thread_ts"], json!(TS));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(!log.contains(TOKEN), "token in log");
}
