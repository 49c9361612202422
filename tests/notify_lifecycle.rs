//! The notification lifecycle of a running daemon against moto and local webhook receivers:
//! critical drift pages at once, warning drift only after a second scan confirms it, info drift
//! goes to the daily digest, an undeliverable channel raises a self-alert, a heartbeat is sent,
//! a restart in the middle neither loses nor repeats anything, a scan that cannot read a region
//! warns once instead of reporting everything missing, and fixing the drift sends resolves.

mod util;

use aws_sdk_ec2::types::{AttributeValue, Tag};
use driftd_testkit::proxy::{Fault, Proxy, Rule};
use driftd_testkit::receiver::{Answer, Received, Receiver};
use driftd_testkit::seed::ec2_client;
use std::time::{Duration, Instant};
use util::*;

const US: &str = "us-east-1";

fn events(r: &Receiver, path: &str) -> Vec<serde_json::Value> {
    r.received()
        .into_iter()
        .filter(|x| x.path == path && x.status < 300)
        .map(|x| x.json())
        .collect()
}

fn kinds(r: &Receiver, path: &str) -> Vec<(String, String)> {
    events(r, path)
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap_or("").to_string(),
                e["finding"]["resource_type"]
                    .as_str()
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect()
}

#[test]
fn daemon_notifies_by_tier_digests_info_and_survives_a_restart() {
    let rt = runtime();
    let moto = Moto::start().expect("moto");
    let dir = TempDir::new("lifecycle");
    let seeded = seed(&rt, &moto, &dir, &[(US, 1)]);
    let (sg, instance, vpc) = (
        seeded[0].sg_id.clone(),
        seeded[0].instance_ids[0].clone(),
        seeded[0].vpc_id.clone(),
    );
    let proxy = Proxy::start(moto.port, vec![]).expect("proxy");
    let hooks = Receiver::start(vec![]).unwrap();
    hooks.respond("/broken", Answer::status(400));

    // Critical: SSH open to the world. Warning: the instance resized. Info: the VPC retagged.
    ssh_to_world(&rt, &moto, US, &sg, true);
    let resize = |to: &str| {
        rt.block_on(async {
            let c = ec2_client(&moto.endpoint(), US).await;
            c.modify_instance_attribute()
                .instance_id(&instance)
                .instance_type(AttributeValue::builder().value(to).build())
                .send()
                .await
                .expect("resize");
        })
    };
    let retag = |name: &str| {
        rt.block_on(async {
            let c = ec2_client(&moto.endpoint(), US).await;
            c.create_tags()
                .resources(&vpc)
                .tags(Tag::builder().key("Name").value(name).build())
                .send()
                .await
                .expect("retag");
        })
    };
    let original_name = rt.block_on(async {
        let c = ec2_client(&moto.endpoint(), US).await;
        let out = c.describe_vpcs().vpc_ids(&vpc).send().await.unwrap();
        out.vpcs()[0]
            .tags()
            .iter()
            .find(|t| t.key() == Some("Name"))
            .and_then(|t| t.value().map(String::from))
            .expect("seeded VPC has a Name tag")
    });
    resize("m5.xlarge");
    retag("renamed-by-hand");

    // The digest is due 15 seconds from now (UTC wall clock).
    let digest_at = (chrono::Utc::now() + chrono::Duration::seconds(15)).format("%H:%M:%S");
    dir.write(
        "driftd.toml",
        &format!(
            "[daemon]\nshutdown_timeout_secs = 5\n\n\
             [[target]]\nname = \"demo\"\nstates = [\"terraform.tfstate\"]\nregions = [\"{US}\"]\n\
             schedule = \"*/3 * * * * *\"\nrun_at_start = true\nlabels = {{ team = \"net\" }}\n\
             [target.aws]\nendpoint_url = \"{endpoint}\"\nmax_attempts = 1\n\n\
             [[channel]]\nname = \"pager\"\ntype = \"webhook\"\nurl = \"env:HOOK_PAGER\"\n\
             [[channel]]\nname = \"team\"\ntype = \"webhook\"\nurl = \"env:HOOK_TEAM\"\n\
             [[channel]]\nname = \"digest\"\ntype = \"webhook\"\nurl = \"env:HOOK_DIGEST\"\n\
             [[channel]]\nname = \"broken\"\ntype = \"webhook\"\nurl = \"env:HOOK_BROKEN\"\n\
             [[channel]]\nname = \"ops\"\ntype = \"webhook\"\nurl = \"env:HOOK_OPS\"\n\n\
             [notify]\nself_alert = [\"ops\"]\n\
             [notify.heartbeat]\nurl = \"env:HOOK_BEAT\"\ninterval_secs = 10\n\
             [notify.warning]\ngroup_wait_secs = 0\nconfirm_scans = 2\nrepeat_interval_secs = 86400\nsend_resolved = true\n\n\
             [[route]]\ntiers = [\"critical\"]\nchannels = [\"pager\", \"broken\"]\ncontinue = true\n\
             [[route]]\ntiers = [\"critical\", \"warning\"]\nlabels = {{ team = \"net\" }}\nchannels = [\"team\"]\n\
             [[route]]\nname = \"info-digest\"\ntiers = [\"info\"]\nchannels = [\"digest\"]\n\
             digest = {{ at = \"{digest_at}\", timezone = \"UTC\" }}\n",
            endpoint = proxy.endpoint(),
        ),
    );
    let start = || {
        let mut cmd = daemon_command(dir.path());
        for name in ["pager", "team", "digest", "broken", "ops", "beat"] {
            cmd.env(
                format!("HOOK_{}", name.to_uppercase()),
                hooks.url(&format!("/{name}")),
            );
        }
        cmd.spawn().unwrap()
    };
    let wait = |what: &str, secs: u64, pred: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !pred() {
            if Instant::now() > deadline {
                let log =
                    std::fs::read_to_string(dir.path().join("daemon.log")).unwrap_or_default();
                let got: Vec<(String, String)> = hooks
                    .received()
                    .iter()
                    .map(|r: &Received| (r.path.clone(), r.json()["event"].to_string()))
                    .collect();
                panic!("timed out waiting for {what}; received {got:?}\nlog:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let has = |path: &str, event: &str, rtype: &str| {
        kinds(&hooks, path)
            .iter()
            .any(|(e, t)| e == event && t == rtype)
    };

    let mut daemon = start();
    wait("the page", 30, &|| {
        has("/pager", "trigger", "aws_security_group")
    });
    // The first scan pages the critical drift; the warning waits for a second scan. The pager
    // and the team channel are delivered concurrently: wait for the team's first message too.
    wait("the team's first message", 30, &|| {
        !kinds(&hooks, "/team").is_empty()
    });
    let first_team = kinds(&hooks, "/team");
    assert_eq!(
        first_team.first().map(|k| k.1.as_str()),
        Some("aws_security_group"),
        "critical reaches the team channel first: {first_team:?}"
    );
    wait("the confirmed warning", 30, &|| {
        has("/team", "trigger", "aws_instance")
    });
    let warning = events(&hooks, "/team")
        .into_iter()
        .find(|e| e["finding"]["resource_type"] == "aws_instance")
        .unwrap();
    assert!(
        warning["finding"]["times_seen"].as_i64() >= Some(2),
        "sent only once confirmed: {warning}"
    );
    // The channel that answers 400 is not retried, and ops hears about it.
    wait("the self-alert", 30, &|| {
        events(&hooks, "/ops")
            .iter()
            .any(|e| e["event"] == "undeliverable")
    });
    let ops = events(&hooks, "/ops");
    assert!(ops[0]["summary"]
        .as_str()
        .unwrap()
        .contains("channel `broken`"));
    assert_eq!(
        hooks
            .received()
            .iter()
            .filter(|r| r.path == "/broken")
            .count(),
        1,
        "a 400 is not retried"
    );
    wait("a heartbeat", 15, &|| !events(&hooks, "/beat").is_empty());
    assert_eq!(events(&hooks, "/beat")[0]["status"], "ok");

    // Restart in the middle: nothing is sent twice.
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    daemon = start();

    // Info never goes out on its own; it arrives in the digest.
    wait("the digest", 40, &|| {
        events(&hooks, "/digest")
            .iter()
            .any(|e| e["event"] == "digest")
    });
    let digests = events(&hooks, "/digest");
    assert_eq!(digests.len(), 1, "{digests:?}");
    let lines = digests[0]["lines"].to_string();
    assert!(lines.contains("aws_vpc") && lines.contains(&vpc), "{lines}");
    assert!(digests[0].get("finding").is_none());

    // A region that cannot be read: one warning, and nothing reported missing.
    proxy.set_rules(vec![Rule {
        region: Some(US.into()),
        action: None,
        fault: Fault::Deny,
    }]);
    wait("the degraded warning", 30, &|| {
        events(&hooks, "/team")
            .iter()
            .any(|e| e["event"] == "degraded")
    });
    proxy.set_rules(vec![]);

    // Fix everything: resolves go where the triggers went.
    ssh_to_world(&rt, &moto, US, &sg, false);
    resize(driftd_testkit::seed::INSTANCE_TYPE);
    retag(&original_name);
    wait("the resolves", 40, &|| {
        has("/pager", "resolve", "aws_security_group")
            && has("/team", "resolve", "aws_security_group")
            && has("/team", "resolve", "aws_instance")
    });
    wait("the all-clear of the degraded scan", 20, &|| {
        events(&hooks, "/team")
            .iter()
            .any(|e| e["event"] == "resolve" && e["title"].as_str().is_some())
    });
    std::thread::sleep(Duration::from_secs(4));
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();

    let count = |path: &str, event: &str| {
        kinds(&hooks, path)
            .iter()
            .filter(|(e, _)| e == event)
            .count()
    };
    assert_eq!(
        count("/pager", "trigger"),
        1,
        "{:?}",
        kinds(&hooks, "/pager")
    );
    assert_eq!(count("/pager", "resolve"), 1);
    assert_eq!(count("/team", "trigger"), 2, "{:?}", kinds(&hooks, "/team"));
    assert_eq!(count("/team", "degraded"), 1);
    assert_eq!(
        count("/digest", "trigger"),
        0,
        "info drift is only in the digest"
    );
    // No scan ever reported the unreadable region's resources as deleted.
    assert!(hooks
        .received()
        .iter()
        .all(|r| r.json()["finding"]["kind"] != "missing"));
    let log = std::fs::read_to_string(dir.path().join("daemon.log")).unwrap();
    assert!(
        !log.contains("/beat") && !log.contains(&hooks.url("/pager")),
        "URLs are secrets"
    );
}
