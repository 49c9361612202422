//! The email channel end to end, against a real SMTP server (aiosmtpd from the project venv)
//! that writes every message into a Maildir the tests read back and parse: headers, both MIME
//! parts, HTML escaping, and threading of follow-ups through the daemon's outbox with moto.

mod util;

use driftd_testkit::smtp::Smtp;
use mailparse::{MailHeaderMap, ParsedMail};
use std::time::{Duration, Instant};
use util::*;

fn email_channel(port: u16) -> String {
    format!(
        "[[channel]]\nname = \"ops-mail\"\ntype = \"email\"\nsmtp_host = \"127.0.0.1\"\n\
         smtp_port = {port}\ntls = \"none\"\nfrom = \"driftd <driftd@example.com>\"\n\
         to = [\"oncall@example.com\", \"Second Line <second@example.org>\"]\n\
         timeout_secs = 5\n"
    )
}

/// A target (notify needs one to load the config) and its state file.
fn target(dir: &TempDir) -> &'static str {
    dir.state_fixture("simple.tfstate", "terraform.tfstate");
    "[[target]]\nname = \"prod-net\"\nstates = [\"terraform.tfstate\"]\n\n"
}

fn header(m: &ParsedMail<'_>, name: &str) -> String {
    m.headers
        .get_first_value(name)
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// The (text/plain, text/html) bodies of a multipart/alternative message.
fn parts(m: &ParsedMail<'_>) -> (String, String) {
    assert_eq!(m.ctype.mimetype, "multipart/alternative");
    assert_eq!(m.subparts.len(), 2);
    let plain = m
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/plain")
        .expect("text/plain part");
    let html = m
        .subparts
        .iter()
        .find(|p| p.ctype.mimetype == "text/html")
        .expect("text/html part");
    (plain.get_body().unwrap(), html.get_body().unwrap())
}

fn wait_for(smtp: &Smtp, n: usize, log: &std::path::Path) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = smtp.messages().unwrap();
        if got.len() >= n {
            return got;
        }
        if Instant::now() > deadline {
            panic!(
                "timed out waiting for {n} message(s), have {}\nlog:\n{}",
                got.len(),
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn test_notification_arrives_as_text_and_html() {
    let dir = TempDir::new("email-test");
    let smtp = Smtp::start(&dir.path().join("maildir"), None).expect("aiosmtpd");
    let config = format!("{}{}", target(&dir), email_channel(smtp.port));
    dir.write("driftd.toml", &config);
    let run = driftd(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            "ops-mail",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("test notification accepted"));
    let got = smtp.messages().unwrap();
    assert_eq!(got.len(), 1);
    let m = mailparse::parse_mail(&got[0]).unwrap();
    assert_eq!(
        header(&m, "Subject"),
        "Test: [driftd] [INFO] driftd-test: driftd_test test changed"
    );
    assert_eq!(header(&m, "From"), "driftd <driftd@example.com>");
    let to = header(&m, "To");
    assert!(
        to.starts_with("oncall@example.com, ")
            && to.ends_with("\"Second Line\" <second@example.org>"),
        "{to}"
    );
    assert_eq!(header(&m, "Auto-Submitted"), "auto-generated");
    assert_eq!(
        header(&m, "Message-ID"),
        "<driftd.00000000000000000000000000000000.0@example.com>"
    );
    assert!(m.headers.get_first_value("In-Reply-To").is_none());
    let (plain, html) = parts(&m);
    assert!(plain.contains("Test notification"), "{plain}");
    assert!(
        plain.contains("[info] driftd test notification: this channel works"),
        "{plain}"
    );
    assert!(plain.contains("Resource: driftd_test test"), "{plain}");
    assert!(html.contains("<h2>Test notification</h2>"), "{html}");
    assert!(html.contains("<td>driftd_test test</td>"), "{html}");
}

#[test]
fn validation_rejects_clear_text_to_a_remote_host_and_bad_addresses() {
    let dir = TempDir::new("email-validate");
    dir.write(
        "driftd.toml",
        "[[channel]]\nname = \"m\"\ntype = \"email\"\nsmtp_host = \"smtp.example.com\"\n\
         tls = \"none\"\nfrom = \"not a mailbox\"\nto = [\"oncall@example.com\", \"bad@\"]\n",
    );
    let run = driftd(dir.path(), &["validate", "--config", "driftd.toml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stderr.contains(".tls:"), "{}", run.stderr);
    assert!(run.stderr.contains(".from:"), "{}", run.stderr);
    assert!(run.stderr.contains("`bad@`"), "{}", run.stderr);
}

#[test]
fn a_dead_relay_is_retried_and_the_password_stays_out() {
    let dir = TempDir::new("email-dead");
    let port = driftd_testkit::moto::free_port().unwrap();
    dir.write(
        "driftd.toml",
        &format!(
            "{}{}username = \"driftd\"\npassword = \"env:SMTP_PASSWORD\"\n",
            target(&dir),
            email_channel(port)
        ),
    );
    let run = driftd_with(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            "ops-mail",
        ],
        |c| {
            c.env("SMTP_PASSWORD", "pa55w0rd-SECRET");
        },
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("will retry"), "{}", run.stderr);
    assert!(!run.stderr.contains("pa55w0rd-SECRET"), "{}", run.stderr);
}

/// A daemon process, killed (by its id) if the test fails before stopping it.
struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The daemon mails a critical drift (an ingress rule whose description holds markup), and
/// the resolve replies to the first message so mail clients thread them.
#[test]
fn daemon_mails_a_drift_and_threads_the_resolve() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("daemon-email");
    let smtp = Smtp::start(&dir.path().join("maildir"), None).expect("aiosmtpd");
    let seeded = seed(&rt, &moto, &dir, &[("us-east-1", 1)]);
    let sg = seeded[0].sg_id.clone();
    let markup = "<script>alert('x')</script>";
    let rule = || {
        aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .ip_ranges(
                aws_sdk_ec2::types::IpRange::builder()
                    .cidr_ip("0.0.0.0/0")
                    .description(markup)
                    .build(),
            )
            .build()
    };
    rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), "us-east-1").await;
        c.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_permissions(rule())
            .send()
            .await
            .unwrap();
    });
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"us-east-1\"]\n\
             schedule = \"*/2 * * * * *\"\nrun_at_start = true\n\
             [target.aws]\nendpoint_url = \"{}\"\nmax_attempts = 2\n\n{}\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"ops-mail\"]\n",
            moto.endpoint(),
            email_channel(smtp.port)
        ),
    );
    let log = dir.path().join("daemon.log");
    let mut daemon = Daemon(daemon_command(dir.path()).spawn().unwrap());

    let got = wait_for(&smtp, 1, &log);
    let first = mailparse::parse_mail(&got[0]).unwrap();
    let subject = header(&first, "Subject");
    assert_eq!(
        subject,
        format!("[driftd] [CRITICAL] demo: aws_security_group {sg} changed")
    );
    let first_id = header(&first, "Message-ID");
    assert!(first_id.starts_with("<driftd.") && first_id.ends_with("@example.com>"));
    assert!(first.headers.get_first_value("In-Reply-To").is_none());
    assert_eq!(header(&first, "Auto-Submitted"), "auto-generated");
    let (plain, html) = parts(&first);
    assert!(plain.contains("New drift detected"), "{plain}");
    assert!(
        plain.contains(markup),
        "the text part shows the value as is"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(
        html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"),
        "{html}"
    );

    // Fix the drift: one resolve, replying to the first message.
    ssh_to_world(&rt, &moto, "us-east-1", &sg, false);
    let got = wait_for(&smtp, 2, &log);
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.0.id().to_string()])
        .status();
    let _ = daemon.0.wait();
    assert_eq!(got.len(), 2, "the trigger and the resolve, nothing else");
    let second = mailparse::parse_mail(&got[1]).unwrap();
    assert_eq!(header(&second, "Subject"), format!("Resolved: {subject}"));
    assert_eq!(header(&second, "In-Reply-To"), first_id);
    assert_eq!(header(&second, "References"), first_id);
    assert_ne!(header(&second, "Message-ID"), first_id);
    let (plain, _) = parts(&second);
    assert!(plain.contains("Drift resolved"), "{plain}");
}

/// A test CA and a leaf certificate for `localhost` signed by it, written as PEM files:
/// (ca.pem, server.pem, server.key).
fn test_pki(dir: &TempDir) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
        KeyPair, KeyUsagePurpose,
    };
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "driftd test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    (
        dir.write("ca.pem", &ca_cert.pem()),
        dir.write("server.pem", &leaf_cert.pem()),
        dir.write("server.key", &leaf_key.serialize_pem()),
    )
}

/// STARTTLS against a relay whose certificate is signed by a private CA: accepted with
/// `ca_file`, refused (and retried) without it. The server requires STARTTLS before MAIL.
#[test]
fn starttls_with_a_private_ca() {
    let dir = TempDir::new("email-starttls");
    let (ca, cert, key) = test_pki(&dir);
    let smtp = Smtp::start(
        &dir.path().join("maildir"),
        Some(&driftd_testkit::smtp::ServerTls {
            cert,
            key,
            implicit: false,
        }),
    )
    .expect("aiosmtpd with STARTTLS");
    let target = target(&dir);
    let channel = |extra: &str| {
        format!(
            "{target}[[channel]]\nname = \"ops-mail\"\ntype = \"email\"\nsmtp_host = \"localhost\"\n\
             smtp_port = {}\ntls = \"starttls\"\nfrom = \"driftd@example.com\"\n\
             to = [\"oncall@example.com\"]\ntimeout_secs = 5\n{extra}",
            smtp.port
        )
    };
    let args = [
        "notify",
        "test",
        "--config",
        "driftd.toml",
        "--channel",
        "ops-mail",
    ];
    dir.write("driftd.toml", &channel(""));
    let run = driftd(dir.path(), &args);
    assert_eq!(run.code, 1, "an unknown CA is refused");
    assert!(run.stderr.contains("will retry"), "{}", run.stderr);
    assert!(smtp.messages().unwrap().is_empty());

    dir.write(
        "driftd.toml",
        &channel(&format!("ca_file = {:?}\n", ca.display().to_string())),
    );
    let run = driftd(dir.path(), &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = smtp.messages().unwrap();
    assert_eq!(got.len(), 1);
    let m = mailparse::parse_mail(&got[0]).unwrap();
    assert_eq!(header(&m, "Auto-Submitted"), "auto-generated");
    parts(&m);
}

/// Implicit TLS (SMTPS): TLS from the first byte, the same private CA.
#[test]
fn implicit_tls_with_a_private_ca() {
    let dir = TempDir::new("email-smtps");
    let (ca, cert, key) = test_pki(&dir);
    let smtp = Smtp::start(
        &dir.path().join("maildir"),
        Some(&driftd_testkit::smtp::ServerTls {
            cert,
            key,
            implicit: true,
        }),
    )
    .expect("aiosmtpd with SMTPS");
    let config = format!(
        "{}[[channel]]\nname = \"ops-mail\"\ntype = \"email\"\nsmtp_host = \"localhost\"\n\
         smtp_port = {}\ntls = \"implicit\"\nfrom = \"driftd@example.com\"\n\
         to = [\"oncall@example.com\"]\ntimeout_secs = 5\nca_file = {:?}\n",
        target(&dir),
        smtp.port,
        ca.display().to_string()
    );
    dir.write("driftd.toml", &config);
    let run = driftd(
        dir.path(),
        &[
            "notify",
            "test",
            "--config",
            "driftd.toml",
            "--channel",
            "ops-mail",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got = smtp.messages().unwrap();
    assert_eq!(got.len(), 1);
    let m = mailparse::parse_mail(&got[0]).unwrap();
    assert!(header(&m, "Subject").starts_with("Test: [driftd]"));
    parts(&m);
}
