//! Hostile values in live data are rendered inert everywhere: a drifted value (here from a
//! plan, the cheapest way to put any text in a finding) carrying an HTML/script injection, an
//! attribute breaker, terminal escape sequences (ESC, BEL, NUL, BS, a C1 control), Slack
//! mention and link syntax, a Markdown table breaker and an XML CDATA closer. Through the built
//! binary in every report format, and through the daemon to Slack, a webhook, PagerDuty and
//! email (a real SMTP server, aiosmtpd, whose Maildir the test parses).

mod util;

use driftd_testkit::receiver::{Answer, Receiver};
use driftd_testkit::smtp::Smtp;
use mailparse::MailHeaderMap;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use util::*;

const CF: &str = "registry.terraform.io/cloudflare/cloudflare";
const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)> a|b\nnext \
    \u{1b}[31mRED\u{1b}]0;title\u{7} \u{0}\u{8}\u{9b}2J <!channel> <https://evil.example|click> \
    ]]> end";

fn hostile_plan() -> Value {
    let before = json!({"id": "rec-1", "content": "203.0.113.7", "tags": {"Env": "prod"}});
    let after = json!({"id": "rec-1", "content": HOSTILE, "tags": {"Env": HOSTILE}});
    json!({
        "format_version": "1.2", "terraform_version": "1.9.8",
        "resource_drift": [{"address": "cloudflare_record.www", "mode": "managed",
            "type": "cloudflare_record", "name": "www", "provider_name": CF,
            "change": {"actions": ["update"], "before": before, "after": after,
                       "after_unknown": {}, "before_sensitive": {}, "after_sensitive": {}}}],
        "prior_state": {"format_version": "1.0", "values": {"root_module": {"resources": [
            {"address": "cloudflare_record.www", "mode": "managed", "type": "cloudflare_record",
             "name": "www", "provider_name": CF, "schema_version": 0, "values": after,
             "sensitive_values": {}}]}}},
        "complete": true, "errored": false
    })
}

/// Control characters a terminal or a page would act on (tab and newline excepted).
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t' && *c != '\r')
        .collect()
}

fn assert_no_markup(what: &str, text: &str) {
    for raw in [
        "<script>alert",
        "<img src=x",
        "<!channel>",
        "<https://evil.example|click>",
    ] {
        assert!(!text.contains(raw), "{what} carries raw `{raw}`:\n{text}");
    }
}

#[test]
fn every_report_format_renders_hostile_values_inert() {
    let dir = TempDir::new("hostile-formats");
    dir.write("plan.json", &hostile_plan().to_string());
    let check = |format: &str| {
        let run = driftd(
            dir.path(),
            &["check", "--plan", "plan.json", "--format", format],
        );
        assert_eq!(run.code, 2, "{format}: {}", run.stderr);
        assert!(
            controls(&run.stdout).is_empty() && controls(&run.stderr).is_empty(),
            "{format}: control characters {:?}",
            controls(&run.stdout)
        );
        run.stdout
    };
    // Machine formats keep the value exactly, escaped by their syntax.
    for format in ["json", "sarif"] {
        let out = check(format);
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(v
            .to_string()
            .contains(&serde_json::to_string(HOSTILE).unwrap()[1..20]));
    }
    // Pages and documents: no markup of the value survives.
    let html = check("html");
    assert_no_markup("html", &html);
    assert!(
        html.contains("&lt;script&gt;alert(1)"),
        "the value is still shown"
    );
    assert!(html.contains('\u{241b}'), "ESC is shown as ␛");
    let junit = check("junit");
    assert_no_markup("junit", &junit);
    // One CDATA section or text node: `]]>` never closes one early.
    assert_eq!(
        junit.matches("<![CDATA[").count(),
        junit.matches("]]>").count(),
        "{junit}"
    );
    let markdown = check("markdown");
    assert_no_markup("markdown", &markdown);
    // Every row of a Markdown table has as many cell separators as its header.
    let mut header_pipes = None;
    for line in markdown.lines() {
        if line.starts_with('|') {
            let pipes = line.matches('|').count();
            match header_pipes {
                None => header_pipes = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "table row broken: {line}"),
            }
        } else {
            header_pipes = None;
        }
    }
    let table = check("table");
    assert!(table.contains("cloudflare_record"), "{table}");
}

#[test]
fn every_channel_renders_hostile_values_inert() {
    let dir = TempDir::new("hostile-channels");
    dir.write("plan.json", &hostile_plan().to_string());
    let r = Receiver::start(vec![]).unwrap();
    let smtp = Smtp::start(&dir.path().join("maildir"), None).unwrap();
    r.respond(
        "/slack/chat.postMessage",
        Answer::json(
            200,
            r#"{"ok":true,"channel":"C0123456","ts":"1700000000.000100","message":{"text":"x"}}"#,
        ),
    );
    dir.write(
        "driftd.toml",
        &format!(
            "[[target]]\nname = \"edge\"\nplans = [\"plan.json\"]\nschedule = \"0 0 * * * *\"\n\
             run_at_start = true\n\n\
             [[channel]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"env:HOOK_URL\"\n\n\
             [[channel]]\nname = \"slack\"\ntype = \"slack\"\ntoken = \"env:SLACK_BOT_TOKEN\"\n\
             channel = \"C0123456\"\napi_url = \"{slack}\"\n\n\
             [[channel]]\nname = \"pager\"\ntype = \"pagerduty\"\nrouting_key = \"env:PD_KEY\"\n\
             url = \"{pd}\"\n\n\
             [[channel]]\nname = \"mail\"\ntype = \"email\"\nsmtp_host = \"127.0.0.1\"\n\
             smtp_port = {smtp_port}\ntls = \"none\"\nfrom = \"driftd@example.com\"\n\
             to = [\"oncall@example.com\"]\ntimeout_secs = 5\n\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"hook\", \"slack\", \"pager\", \"mail\"]\n\n\
             [[classify]]\ntier = \"critical\"\nresource_type = \"cloudflare_record\"\n",
            slack = r.url("/slack/"),
            pd = r.url("/pd"),
            smtp_port = smtp.port,
        ),
    );
    let mut daemon = daemon_command(dir.path())
        .env("SLACK_BOT_TOKEN", "xoxb-hostile-test")
        .env("PD_KEY", "pd-hostile-test")
        .env("HOOK_URL", r.url("/hook"))
        .spawn()
        .expect("start daemon");
    let deadline = Instant::now() + Duration::from_secs(60);
    let paths = ["/hook", "/slack/chat.postMessage", "/pd"];
    loop {
        let got = r.received();
        let mailed = !smtp.messages().unwrap_or_default().is_empty();
        if mailed && paths.iter().all(|p| got.iter().any(|x| x.path == *p)) {
            break;
        }
        if Instant::now() > deadline {
            let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
            panic!("not every channel was called: {got:?}\n{log}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    for got in r.received() {
        let body: Value = serde_json::from_slice(&got.body).expect("JSON body");
        // Every string the channel sends, decoded from its JSON.
        let mut strings = Vec::new();
        collect_strings(&body, &mut strings);
        let text = strings.join("\n");
        if got.path == "/hook" {
            // A webhook is for machines: the exact value, escaped by JSON.
            assert_eq!(
                body["finding"]["changes"][0]["actual"],
                json!(HOSTILE),
                "{body:#}"
            );
            continue;
        }
        if got.path == "/pd" {
            // PagerDuty shows the summary as text and the details as data.
            let summary = body["payload"]["summary"].as_str().unwrap_or_default();
            assert!(controls(summary).is_empty(), "{summary:?}");
            assert_eq!(
                body["payload"]["custom_details"]["changes"][0]["actual"],
                json!(HOSTILE)
            );
            continue;
        }
        assert!(
            controls(&text).is_empty(),
            "{}: control characters {:?}",
            got.path,
            controls(&text)
        );
        if got.path.starts_with("/slack") {
            // Slack mrkdwn: mentions and links written by a value stay text.
            assert_no_markup("slack", &text);
            assert!(text.contains("&lt;!channel&gt;"), "{text}");
        }
    }
    // Email: the subject is one line of text, the text part shows controls as pictures, the
    // HTML part escapes markup.
    let raw = &smtp.messages().unwrap()[0];
    let mail = mailparse::parse_mail(raw).expect("a MIME message");
    let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
    assert!(controls(&subject).is_empty(), "{subject:?}");
    for part in &mail.subparts {
        let body = part.get_body().expect("decodable part");
        assert!(
            controls(&body).is_empty(),
            "{}: control characters {:?}",
            part.ctype.mimetype,
            controls(&body)
        );
        if part.ctype.mimetype == "text/plain" {
            // The value is still there for the reader, its escapes visible.
            assert!(body.contains("\u{241b}[31mRED"), "{body}");
        } else {
            assert_no_markup("email html", &body);
        }
    }
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}
