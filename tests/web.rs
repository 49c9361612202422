//! The daemon's web side against a real scan of moto: the JSON API, `/metrics` read by the
//! Prometheus text parser, authentication, escaping of hostile tag values, acknowledging, and the
//! dashboard and HTML report in headless Chromium (screenshots in target/test-artifacts/).

mod util;

use aws_sdk_ec2::types::Tag;
use driftd_testkit::browser::Browser;
use driftd_testkit::seed::ec2_client;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};
use util::*;

const US: &str = "us-east-1";
const TOKEN: &str = "web-t0ken-for-tests";
/// A tag value that would run script if any page rendered it as HTML.
const HOSTILE: &str =
    "<script>window.pwned=1;document.title='pwned'</script>\"><img src=x onerror=\"window.pwned=2\">";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Running {
    _moto: Moto,
    dir: TempDir,
    daemon: Child,
    base: String,
    rt: tokio::runtime::Runtime,
    vpc: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.daemon.id().to_string()])
            .status();
        let _ = self.daemon.wait();
    }
}

/// moto with critical drift (SSH open to the world) and info drift (the VPC's Name tag set to
/// [`HOSTILE`]); returns the VPC id.
fn drifted(rt: &tokio::runtime::Runtime, moto: &Moto, dir: &TempDir) -> String {
    let seeded = seed(rt, moto, dir, &[(US, 1)]);
    ssh_to_world(rt, moto, US, &seeded[0].sg_id, true);
    let vpc = seeded[0].vpc_id.clone();
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        c.create_tags()
            .resources(&vpc)
            .tags(Tag::builder().key("Name").value(HOSTILE).build())
            .send()
            .await
            .expect("tag");
    });
    vpc
}

/// [`drifted`] infrastructure and a daemon that scanned it once, serving the web side with a
/// token.
fn start(name: &str) -> Running {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new(name);
    let vpc = drifted(&rt, &moto, &dir);
    // A type driftd does not compare: never in sync, counted against coverage.
    add_to_state(&dir, "aws_s3_bucket_metric", "api", json!({"id": "api"}));
    let port = free_port();
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{US}\"]\n\
             schedule = \"0 0 * * * *\"\nrun_at_start = true\n\
             [target.aws]\nendpoint_url = \"{}\"\n\n\
             [web]\nlisten = \"127.0.0.1:{port}\"\ntoken = \"env:DRIFTD_WEB_TOKEN\"\n",
            moto.endpoint()
        ),
    );
    let daemon = daemon_command(dir.path())
        .env("DRIFTD_WEB_TOKEN", TOKEN)
        .spawn()
        .unwrap();
    let run = Running {
        _moto: moto,
        dir,
        daemon,
        base: format!("http://127.0.0.1:{port}"),
        rt,
        vpc,
    };
    // Ready once the first scan is recorded.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = run
            .get_json("/api/v1/targets")
            .ok()
            .and_then(|v| v[0]["last_scan"]["status"].as_str().map(String::from))
            .is_some_and(|s| s == "complete");
        if done {
            break;
        }
        if Instant::now() > deadline {
            panic!("no finished scan in 60 s; log:\n{}", run.log());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    run
}

impl Running {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    /// (status, headers, body) of a request; `token` adds the bearer header.
    fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        extra: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        self.rt.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let url = format!("{}{path}", self.base);
            let mut req = match method {
                "POST" => client.post(&url).json(&body.unwrap_or(json!({}))),
                _ => client.get(&url),
            };
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            for (k, v) in extra {
                req = req.header(*k, *v);
            }
            let resp = match req.send().await {
                Ok(r) => r,
                // Not listening yet (or any more): status 0.
                Err(e) => return (0, Default::default(), e.to_string()),
            };
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            (status, headers, resp.text().await.unwrap_or_default())
        })
    }

    fn get_json(&self, path: &str) -> Result<Value, String> {
        let (status, _, body) = self.request("GET", path, Some(TOKEN), &[], None);
        if status != 200 {
            return Err(format!("{path}: HTTP {status}: {body}"));
        }
        serde_json::from_str(&body).map_err(|e| e.to_string())
    }
}

/// Parses Prometheus text with the reference Python parser; returns every sample.
fn parse_metrics(text: &str) -> Vec<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let script = r#"
import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = []
for fam in text_string_to_metric_families(sys.stdin.read()):
    for s in fam.samples:
        out.append({"family": fam.name, "type": fam.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(out))
"#;
    let mut child = std::process::Command::new(root.join(".venv/bin/python"))
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run .venv/bin/python (bash scripts/setup installs it)");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the Prometheus parser rejected /metrics: {}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

#[test]
fn api_metrics_auth_escaping_and_acknowledgement() {
    let run = start("web-api");

    // Health checks are open; everything else needs the token.
    assert_eq!(run.request("GET", "/healthz", None, &[], None).0, 200);
    assert_eq!(run.request("GET", "/readyz", None, &[], None).0, 200);
    let (status, headers, _) = run.request("GET", "/", None, &[], None);
    assert_eq!(status, 303, "pages redirect to the login form");
    assert_eq!(headers["location"], "/login");
    assert_eq!(
        run.request("GET", "/api/v1/targets", None, &[], None).0,
        401
    );
    assert_eq!(
        run.request("GET", "/api/v1/targets", Some("wrong"), &[], None)
            .0,
        401
    );
    assert_eq!(run.request("GET", "/metrics", None, &[], None).0, 401);

    // The API.
    let targets = run.get_json("/api/v1/targets").unwrap();
    assert_eq!(targets[0]["name"], "demo");
    assert_eq!(targets[0]["complete"], true);
    assert_eq!(
        targets[0]["open"],
        json!({"critical": 1, "warning": 0, "info": 1})
    );
    assert_eq!(targets[0]["trend"].as_array().unwrap().len(), 14);
    // 6 compared, the function not: 6 / 7, rounded down.
    assert_eq!(
        (
            &targets[0]["compared"],
            &targets[0]["not_compared"],
            &targets[0]["coverage_pct"]
        ),
        (&json!(6), &json!(1), &json!(85.7))
    );
    assert_eq!(targets[0]["trend"][13]["open"], 2);
    let target = run.get_json("/api/v1/targets/demo").unwrap();
    let open = target["open_findings"].as_array().unwrap();
    assert_eq!(open.len(), 2);
    let fp_of = |rtype: &str| {
        open.iter().find(|f| f["resource_type"] == rtype).unwrap()["fingerprint"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (sg, vpc) = (fp_of("aws_security_group"), fp_of("aws_vpc"));
    let scan_id = target["recent_scans"][0]["id"].as_i64().unwrap();
    let scan = run.get_json(&format!("/api/v1/scans/{scan_id}")).unwrap();
    assert_eq!(scan["report"]["findings"].as_array().unwrap().len(), 2);
    let finding = run.get_json(&format!("/api/v1/findings/{vpc}")).unwrap();
    assert_eq!(finding["finding"]["resource_id"], run.vpc);
    assert_eq!(finding["events"][0]["event"], "opened");
    assert_eq!(
        run.request("GET", "/api/v1/findings/ffff", Some(TOKEN), &[], None)
            .0,
        404
    );
    assert_eq!(
        run.request("GET", "/api/v1/targets/nope", Some(TOKEN), &[], None)
            .0,
        404
    );

    // Pages show hostile values as text, under a strict CSP.
    let (status, headers, html) =
        run.request("GET", &format!("/findings/{vpc}"), Some(TOKEN), &[], None);
    assert_eq!(status, 200);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        !html.contains("<script>window.pwned"),
        "tag value rendered as HTML"
    );
    assert!(!html.contains("<img src=x"), "tag value rendered as HTML");
    assert!(html.contains("&lt;script&gt;window.pwned=1;"), "{html}");
    let (_, _, overview) = run.request("GET", "/", Some(TOKEN), &[], None);
    assert!(overview.contains("href=\"/targets/demo\""), "{overview}");
    assert!(overview.contains("85.7%</span>"), "{overview}");
    assert!(overview.contains("(1 not compared)"), "{overview}");
    let (_, _, page) = run.request("GET", "/targets/demo", Some(TOKEN), &[], None);
    assert!(
        page.contains("Coverage <span id=\"coverage\">85.7%</span>"),
        "{page}"
    );
    assert!(page.contains("1 resource(s) not compared:"), "{page}");
    assert!(
        page.contains("1 × aws_s3_bucket_metric: type not compared yet"),
        "{page}"
    );
    assert_eq!(
        target["not_compared"],
        json!([{"category": "not_supported", "provider": "aws",
                "resource_type": "aws_s3_bucket_metric",
                "reason": "driftd does not compare this type yet", "count": 1}])
    );

    // /metrics in Prometheus text format.
    let (status, headers, text) = run.request("GET", "/metrics", Some(TOKEN), &[], None);
    assert_eq!(status, 200);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let samples = parse_metrics(&text);
    let value = |name: &str, labels: Value| -> Option<f64> {
        samples
            .iter()
            .find(|s| {
                s["name"] == name
                    && labels
                        .as_object()
                        .unwrap()
                        .iter()
                        .all(|(k, v)| &s["labels"][k] == v)
            })
            .and_then(|s| s["value"].as_f64())
    };
    assert_eq!(
        value(
            "driftd_open_findings",
            json!({"target": "demo", "kind": "changed", "tier": "critical"})
        ),
        Some(1.0)
    );
    assert_eq!(
        value("driftd_last_scan_complete", json!({"target": "demo"})),
        Some(1.0)
    );
    assert_eq!(
        value(
            "driftd_scans_total",
            json!({"target": "demo", "status": "complete"})
        ),
        Some(1.0)
    );
    assert!(value(
        "driftd_last_scan_duration_seconds",
        json!({"target": "demo"})
    )
    .is_some());
    let ratio = value("driftd_coverage_ratio", json!({"target": "demo"})).unwrap();
    assert!((ratio - 6.0 / 7.0).abs() < 1e-9, "{ratio}");
    for (status, n) in [
        ("compared", 6.0),
        ("not_supported", 1.0),
        ("not_scanned", 0.0),
    ] {
        assert_eq!(
            value(
                "driftd_resources",
                json!({"target": "demo", "status": status})
            ),
            Some(n),
            "{status}"
        );
    }

    // Acknowledging: needs the token, refuses other sites.
    let ack = format!("/api/v1/findings/{sg}/ack");
    assert_eq!(run.request("POST", &ack, None, &[], None).0, 401);
    assert_eq!(
        run.request(
            "POST",
            &ack,
            Some(TOKEN),
            &[("sec-fetch-site", "cross-site")],
            None
        )
        .0,
        403
    );
    let (status, _, body) =
        run.request("POST", &ack, Some(TOKEN), &[], Some(json!({"by": "alice"})));
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["acknowledged"],
        1
    );
    let acked = run.get_json(&format!("/api/v1/findings/{sg}")).unwrap();
    assert_eq!(acked["ack"]["by"], "alice");

    // Logging in to the dashboard: the session cookie is HttpOnly and SameSite=Strict, and
    // Secure behind a TLS proxy; wrong tokens are limited; oversized bodies are refused.
    let login = |token: &str, proto: Option<&str>| {
        run.rt.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let mut req = client
                .post(format!("{}/login", run.base))
                .form(&[("token", token)]);
            if let Some(p) = proto {
                req = req.header("x-forwarded-proto", p);
            }
            let resp = req.send().await.unwrap();
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            (status, headers, resp.text().await.unwrap_or_default())
        })
    };
    let (status, headers, _) = login(TOKEN, None);
    assert_eq!(status, 303);
    let cookie = headers["set-cookie"].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert!(
        !cookie.contains(TOKEN),
        "the cookie is a session, not the token"
    );
    let (_, headers, _) = login(TOKEN, Some("https"));
    assert!(
        headers["set-cookie"].to_str().unwrap().contains("; Secure"),
        "{headers:?}"
    );
    // The session cookie opens the pages.
    let session = cookie.split(';').next().unwrap().to_string();
    let (status, _, _) = run.request("GET", "/", None, &[("cookie", &session)], None);
    assert_eq!(status, 200);
    // Ten wrong tokens in a minute, then every login is refused for a while, even the right one.
    for i in 0..10 {
        let (status, _, page) = login(&format!("wrong-{i}"), None);
        assert_eq!(status, 401, "attempt {i}: {page}");
    }
    for token in ["wrong-again", TOKEN] {
        let (status, headers, page) = login(token, None);
        assert_eq!(status, 429, "{page}");
        let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "Retry-After {wait}");
        assert!(page.contains("Too many wrong tokens"), "{page}");
    }
    // A session already open is not affected, and the API's bearer token still works.
    assert_eq!(
        run.request("GET", "/", None, &[("cookie", &session)], None)
            .0,
        200
    );
    assert!(run.get_json("/api/v1/targets").is_ok());
    // Request bodies past 64 KiB are refused before they are read.
    let big = json!({"by": "x".repeat(100 * 1024)});
    assert_eq!(
        run.request("POST", &ack, Some(TOKEN), &[], Some(big)).0,
        413
    );
    assert!(!run.log().contains(TOKEN), "token in the log");
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let dir = TempDir::new("web-open");
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"prod\"\nstates = [\"terraform.tfstate\"]\n\n[web]\nlisten = \"0.0.0.0:8686\"\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "driftd.toml"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("web.token"), "{}", run.stderr);
    dir.write(
        "driftd.toml",
        "[[target]]\nname = \"prod\"\nstates = [\"terraform.tfstate\"]\n\n[web]\nlisten = \"0.0.0.0:8686\"\nallow_unauthenticated = true\n",
    );
    assert_eq!(
        driftd(dir.path(), &["validate", "--config", "driftd.toml"]).code,
        0
    );
}

fn artifact(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-artifacts")
        .join(name)
}

#[test]
fn dashboard_in_chromium_shows_drift_and_never_runs_tag_values() {
    let run = start("web-chromium");
    let rt = runtime();
    rt.block_on(async {
        let b = Browser::start().await.expect("chromium");
        // Log in through the form.
        b.open(&format!("{}/", run.base)).await.unwrap();
        assert!(b.url().await.unwrap().ends_with("/login"));
        b.eval(
            "document.querySelector('input[name=token]').value = arguments[0]; document.querySelector('form').submit();",
            vec![json!(TOKEN)],
        )
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        b.open(&format!("{}/", run.base)).await.unwrap();
        let text = b.text().await.unwrap();
        assert!(text.contains("Drift overview"), "{text}");
        assert!(text.contains("demo"), "{text}");
        let cells = b
            .eval(
                "return Array.from(document.querySelectorAll('tr.target td.num')).map(td => td.innerText);",
                vec![],
            )
            .await
            .unwrap();
        // Coverage, critical, warning, info.
        assert_eq!(cells[1], "1");
        assert_eq!(cells[3], "1");
        b.screenshot(&artifact("dashboard-overview.png")).await.unwrap();

        // The VPC's finding page: the hostile tag value is text, and nothing ran.
        b.open(&format!("{}/targets/demo", run.base)).await.unwrap();
        let link = b
            .eval(
                "return Array.from(document.querySelectorAll('tr.finding-row a')).map(a => a.href).find(h => h.includes('/findings/'));",
                vec![],
            )
            .await
            .unwrap();
        let vpc_link = b
            .eval(
                "return Array.from(document.querySelectorAll('tr.finding-row a')).filter(a => a.innerText.includes('aws_vpc')).map(a => a.href)[0];",
                vec![],
            )
            .await
            .unwrap();
        assert!(link.is_string(), "{link}");
        b.open(vpc_link.as_str().unwrap()).await.unwrap();
        let text = b.text().await.unwrap();
        assert!(text.contains("<script>window.pwned=1;"), "shown as text: {text}");
        assert!(text.contains("Timeline") && text.contains("First seen"), "{text}");
        let ran = b
            .eval("return [typeof window.pwned, document.title];", vec![])
            .await
            .unwrap();
        assert_eq!(ran[0], "undefined", "a tag value ran as script");
        assert!(!ran[1].as_str().unwrap().contains("pwned"));
        b.screenshot(&artifact("dashboard-finding.png")).await.unwrap();
    });
}

#[test]
fn html_report_in_chromium_filters_and_never_runs_tag_values() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("report-chromium");
    let vpc = drifted(&rt, &moto, &dir);
    dir.write("driftd.toml", &config(&moto.endpoint(), &[US]));
    let run = driftd(
        dir.path(),
        &["check", "--format", "html", "--output", "report.html"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let url = format!("file://{}", dir.path().join("report.html").display());
    rt.block_on(async {
        let b = Browser::start().await.expect("chromium");
        b.open(&url).await.unwrap();
        let text = b.text().await.unwrap();
        assert!(text.contains("demo"), "{text}");
        assert!(text.contains(&vpc), "{text}");
        assert!(text.contains("<script>window.pwned=1;"), "shown as text: {text}");
        let ran = b
            .eval("return [typeof window.pwned, document.title];", vec![])
            .await
            .unwrap();
        assert_eq!(ran[0], "undefined", "a tag value ran as script");
        assert!(!ran[1].as_str().unwrap().contains("pwned"));
        let visible = "return Array.from(document.querySelectorAll('.finding')).filter(e => e.offsetParent !== null).map(e => e.dataset.tier);";
        assert_eq!(b.eval(visible, vec![]).await.unwrap(), json!(["critical", "info"]));
        b.screenshot(&artifact("html-report.png")).await.unwrap();

        // Filters from the URL fragment, then typed into the search box.
        b.open(&format!("{url}#tier=critical")).await.unwrap();
        assert_eq!(b.eval(visible, vec![]).await.unwrap(), json!(["critical"]));
        let shown = b
            .eval("return document.getElementById('shown-count').innerText;", vec![])
            .await
            .unwrap();
        assert!(shown.as_str().unwrap().contains("1 of 2"), "{shown}");
        b.open(&url).await.unwrap();
        b.eval(
            "const q = document.querySelector('input[type=search]'); q.value = arguments[0]; q.dispatchEvent(new Event('input', {bubbles: true}));",
            vec![json!(vpc)],
        )
        .await
        .unwrap();
        // The page may debounce typing: give it a moment.
        let mut shown = json!(null);
        for _ in 0..20 {
            shown = b.eval(visible, vec![]).await.unwrap();
            if shown == json!(["info"]) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(shown, json!(["info"]));
    });
}
