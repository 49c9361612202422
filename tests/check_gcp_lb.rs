//! `driftd check` end to end over a Google Cloud HTTPS load balancer and the managed instance
//! group behind it, through the built binary. gcplocal serves none of these collections: the
//! test kit's stand-in for their documented REST resources answers, in front of gcplocal.

mod util;

use driftd_testkit::gcp::{compute_link, GcpLocal, GoogleState, PROJECT, REGION, ZONE};
use serde_json::{json, Value};
use util::*;

const LB_TYPES: [&str; 10] = [
    "google_compute_instance_template",
    "google_compute_instance_group_manager",
    "google_compute_forwarding_rule",
    "google_compute_global_forwarding_rule",
    "google_compute_backend_service",
    "google_compute_health_check",
    "google_compute_url_map",
    "google_compute_target_http_proxy",
    "google_compute_target_https_proxy",
    "google_compute_ssl_certificate",
];

/// Not a real certificate: PEM framing around a few bytes.
const CERT: &str =
    "-----BEGIN CERTIFICATE-----\nZHJpZnRkIGxiIHRlc3QgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
const KEY: &str = "-----BEGIN PRIVATE KEY-----\nbm90LWEtcmVhbC1rZXk=\n-----END PRIVATE KEY-----\n";
const EXPIRES: &str = "2027-06-01T00:00:00.000-07:00";
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";

fn config(compute: &str) -> String {
    let types: Vec<String> = LB_TYPES.iter().map(|t| format!("{t:?}")).collect();
    format!(
        "[[target]]\nname = \"gcp-lb\"\nprovider = \"google\"\nstates = [\"terraform.tfstate\"]\n\
         resource_types = [{}]\n\n\
         [target.gcp]\nprojects = [\"{PROJECT}\"]\nzones = [\"{ZONE}\"]\n\
         compute_endpoint = \"{compute}\"\nmax_attempts = 2\ntimeout_secs = 20\n",
        types.join(", ")
    )
}

fn check(dir: &TempDir) -> Run {
    driftd_with(dir.path(), &["check", "--format", "json"], |c| {
        c.env_remove("GOOGLE_APPLICATION_CREDENTIALS");
    })
}

fn template_body(name: &str) -> Value {
    json!({
        "name": name,
        "properties": {
            "machineType": "e2-small",
            "tags": {"items": ["web"]},
            "labels": {"tier": "web"},
            "metadata": {"items": [{"key": "enable-oslogin", "value": "TRUE"}]},
            "disks": [{"boot": true, "autoDelete": true,
                       "initializeParams": {"sourceImage": "projects/debian-cloud/global/images/family/debian-12",
                                            "diskSizeGb": "10"}}],
            "networkInterfaces": [{"network": compute_link("global/networks/main"),
                                   "subnetwork": compute_link(&format!("regions/{REGION}/subnetworks/app"))}],
            "serviceAccounts": [{"email": "web@driftd-test.iam.gserviceaccount.com", "scopes": [SCOPE]}]
        }
    })
}

fn cert_body(name: &str, pem: &str) -> Value {
    json!({"name": name, "certificate": pem, "privateKey": KEY, "expireTime": EXPIRES})
}

/// Builds the load balancer through the stand-in as `terraform apply` would: health checks
/// `web-hc` and `legacy-hc`, template `web-v1`, group `web`, backend service `web-be`, URL maps
/// `web-map` and `to-https`, certificate `web-cert`, proxies `web-https` and `web-http`, global
/// rules `web-https` and `web-http`, and the internal regional rule `api-ilb`.
async fn seed_lb(gcp: &GcpLocal) -> anyhow::Result<()> {
    let hc = |name: &str, port: i64| {
        json!({"name": name, "type": "HTTP",
               "httpHealthCheck": {"port": port, "requestPath": "/healthz"}})
    };
    gcp.compute("POST", "global/healthChecks", Some(hc("web-hc", 8080)))
        .await?;
    gcp.compute("POST", "global/healthChecks", Some(hc("legacy-hc", 80)))
        .await?;
    gcp.compute(
        "POST",
        "global/instanceTemplates",
        Some(template_body("web-v1")),
    )
    .await?;
    gcp.compute(
        "POST",
        &format!("zones/{ZONE}/instanceGroupManagers"),
        Some(json!({
            "name": "web", "baseInstanceName": "web", "targetSize": 2,
            "instanceTemplate": compute_link("global/instanceTemplates/web-v1"),
            "versions": [{"instanceTemplate": compute_link("global/instanceTemplates/web-v1")}],
            "namedPorts": [{"name": "http", "port": 8080}]
        })),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/backendServices",
        Some(json!({
            "name": "web-be", "protocol": "HTTPS", "portName": "http", "timeoutSec": 30,
            "loadBalancingScheme": "EXTERNAL_MANAGED",
            "securityPolicy": compute_link("global/securityPolicies/edge-waf"),
            "healthChecks": [compute_link("global/healthChecks/web-hc")],
            "backends": [{"group": compute_link(&format!("zones/{ZONE}/instanceGroups/web")),
                          "maxUtilization": 0.8}]
        })),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/urlMaps",
        Some(json!({
            "name": "web-map", "defaultService": compute_link("global/backendServices/web-be"),
            "hostRules": [{"hosts": ["shop.example.com"], "pathMatcher": "shop"}],
            "pathMatchers": [{"name": "shop",
                              "defaultService": compute_link("global/backendServices/web-be")}]
        })),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/urlMaps",
        Some(json!({
            "name": "to-https",
            "defaultUrlRedirect": {"httpsRedirect": true, "stripQuery": false,
                                   "redirectResponseCode": "MOVED_PERMANENTLY_DEFAULT"}
        })),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/sslCertificates",
        Some(cert_body("web-cert", CERT)),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/targetHttpsProxies",
        Some(json!({
            "name": "web-https", "urlMap": compute_link("global/urlMaps/web-map"),
            "sslCertificates": [compute_link("global/sslCertificates/web-cert")],
            "sslPolicy": compute_link("global/sslPolicies/modern-tls")
        })),
    )
    .await?;
    gcp.compute(
        "POST",
        "global/targetHttpProxies",
        Some(json!({"name": "web-http", "urlMap": compute_link("global/urlMaps/to-https")})),
    )
    .await?;
    for (name, port, target) in [
        ("web-https", "443", "targetHttpsProxies/web-https"),
        ("web-http", "80", "targetHttpProxies/web-http"),
    ] {
        gcp.compute(
            "POST",
            "global/forwardingRules",
            Some(json!({
                "name": name, "IPAddress": "34.120.1.2", "portRange": port,
                "loadBalancingScheme": "EXTERNAL_MANAGED",
                "target": compute_link(&format!("global/{target}"))
            })),
        )
        .await?;
    }
    gcp.compute(
        "POST",
        &format!("regions/{REGION}/forwardingRules"),
        Some(json!({
            "name": "api-ilb", "IPAddress": "10.10.0.20", "ports": ["8080"],
            "loadBalancingScheme": "INTERNAL", "networkTier": "PREMIUM",
            "backendService": compute_link(&format!("regions/{REGION}/backendServices/api")),
            "network": compute_link("global/networks/main"),
            "subnetwork": compute_link(&format!("regions/{REGION}/subnetworks/app"))
        })),
    )
    .await?;
    Ok(())
}

/// The state an apply of [`seed_lb`] writes, in the shape the `google` provider writes it
/// (defaults it fills included).
fn lb_state() -> GoogleState {
    let mut st = GoogleState::new();
    let hc = |name: &str, port: i64| {
        json!({"id": format!("projects/{PROJECT}/global/healthChecks/{name}"), "name": name,
               "project": PROJECT, "type": "HTTP", "check_interval_sec": 5, "timeout_sec": 5,
               "healthy_threshold": 2, "unhealthy_threshold": 2, "description": "",
               "log_config": [], "source_regions": [],
               "http_health_check": [{"port": port, "port_name": "", "port_specification": "",
                                      "proxy_header": "NONE", "request_path": "/healthz",
                                      "host": "", "response": ""}],
               "https_health_check": [], "http2_health_check": [], "tcp_health_check": [],
               "ssl_health_check": [], "grpc_health_check": []})
    };
    st.add("google_compute_health_check", "web", hc("web-hc", 8080))
        .add("google_compute_health_check", "legacy", hc("legacy-hc", 80));
    st.add(
        "google_compute_instance_template",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/instanceTemplates/web-v1"),
               "name": "web-v1", "name_prefix": "", "project": PROJECT, "description": "",
               "machine_type": "e2-small", "can_ip_forward": false, "tags": ["web"],
               "labels": {"tier": "web"}, "terraform_labels": {"tier": "web"},
               "metadata": {"enable-oslogin": "TRUE"}, "metadata_startup_script": "",
               "disk": [{"boot": true, "auto_delete": true, "disk_size_gb": 10,
                         "source_image": "projects/debian-cloud/global/images/family/debian-12"}],
               "network_interface": [{"network": compute_link("global/networks/main"),
                                      "subnetwork": compute_link(&format!("regions/{REGION}/subnetworks/app")),
                                      "access_config": []}],
               "service_account": [{"email": "web@driftd-test.iam.gserviceaccount.com",
                                    "scopes": [SCOPE]}],
               "scheduling": [{"preemptible": false, "automatic_restart": true}]}),
    );
    st.add(
        "google_compute_instance_group_manager",
        "web",
        json!({"id": format!("projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web"),
               "name": "web", "project": PROJECT, "zone": ZONE, "base_instance_name": "web",
               "target_size": 2, "description": "", "target_pools": [],
               "version": [{"name": "", "target_size": [],
                            "instance_template": compute_link("global/instanceTemplates/web-v1")}],
               "named_port": [{"name": "http", "port": 8080}], "auto_healing_policies": [],
               "wait_for_instances": false, "wait_for_instances_status": "STABLE"}),
    );
    st.add(
        "google_compute_backend_service",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/backendServices/web-be"),
               "name": "web-be", "project": PROJECT, "protocol": "HTTPS", "port_name": "http",
               "timeout_sec": 30, "load_balancing_scheme": "EXTERNAL_MANAGED",
               "session_affinity": "NONE", "affinity_cookie_ttl_sec": 0,
               "connection_draining_timeout_sec": 300, "enable_cdn": false, "description": "",
               "security_policy": compute_link("global/securityPolicies/edge-waf"),
               "edge_security_policy": "", "iap": [], "log_config": [],
               "health_checks": [compute_link("global/healthChecks/web-hc")],
               "custom_request_headers": [], "custom_response_headers": [],
               "backend": [{"group": compute_link(&format!("zones/{ZONE}/instanceGroups/web")),
                            "balancing_mode": "UTILIZATION", "capacity_scaler": 1,
                            "description": "", "max_connections": 0,
                            "max_connections_per_instance": 0,
                            "max_connections_per_endpoint": 0, "max_rate": 0,
                            "max_rate_per_instance": 0, "max_rate_per_endpoint": 0,
                            "max_utilization": 0.8}]}),
    );
    st.add(
        "google_compute_url_map",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/urlMaps/web-map"), "name": "web-map",
               "project": PROJECT, "description": "",
               "default_service": compute_link("global/backendServices/web-be"),
               "default_url_redirect": [], "default_route_action": [], "header_action": [],
               "host_rule": [{"hosts": ["shop.example.com"], "path_matcher": "shop",
                              "description": ""}],
               "path_matcher": [{"name": "shop", "description": "", "path_rule": [],
                                 "route_rules": [],
                                 "default_service": compute_link("global/backendServices/web-be")}],
               "test": []}),
    )
    .add(
        "google_compute_url_map",
        "to_https",
        json!({"id": format!("projects/{PROJECT}/global/urlMaps/to-https"), "name": "to-https",
               "project": PROJECT, "description": "", "default_service": "",
               "default_url_redirect": [{"https_redirect": true, "strip_query": false,
                                         "redirect_response_code": "MOVED_PERMANENTLY_DEFAULT",
                                         "host_redirect": "", "path_redirect": "",
                                         "prefix_redirect": ""}],
               "host_rule": [], "path_matcher": [], "test": []}),
    );
    st.add(
        "google_compute_ssl_certificate",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/sslCertificates/web-cert"),
               "name": "web-cert", "name_prefix": "", "project": PROJECT, "description": "",
               "certificate": CERT, "private_key": KEY, "expire_time": EXPIRES,
               "certificate_id": 1000007}),
    );
    st.add(
        "google_compute_target_https_proxy",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/targetHttpsProxies/web-https"),
               "name": "web-https", "project": PROJECT, "description": "",
               "url_map": compute_link("global/urlMaps/web-map"),
               "ssl_certificates": [compute_link("global/sslCertificates/web-cert")],
               "ssl_policy": compute_link("global/sslPolicies/modern-tls"),
               "quic_override": "NONE", "certificate_map": "", "server_tls_policy": "",
               "proxy_bind": false, "tls_early_data": "DISABLED"}),
    )
    .add(
        "google_compute_target_http_proxy",
        "web",
        json!({"id": format!("projects/{PROJECT}/global/targetHttpProxies/web-http"),
               "name": "web-http", "project": PROJECT, "description": "", "proxy_bind": false,
               "url_map": compute_link("global/urlMaps/to-https")}),
    );
    for (name, port, target) in [
        ("web-https", "443", "targetHttpsProxies/web-https"),
        ("web-http", "80", "targetHttpProxies/web-http"),
    ] {
        st.add(
            "google_compute_global_forwarding_rule",
            &name.replace('-', "_"),
            json!({"id": format!("projects/{PROJECT}/global/forwardingRules/{name}"),
                   "name": name, "project": PROJECT, "ip_address": "34.120.1.2",
                   "ip_protocol": "TCP", "port_range": format!("{port}-{port}"),
                   "load_balancing_scheme": "EXTERNAL_MANAGED", "source_ip_ranges": [],
                   "target": compute_link(&format!("global/{target}")), "network": "",
                   "subnetwork": "", "ip_version": "", "description": "", "labels": {},
                   "terraform_labels": {}, "label_fingerprint": "x"}),
        );
    }
    st.add(
        "google_compute_forwarding_rule",
        "api",
        json!({"id": format!("projects/{PROJECT}/regions/{REGION}/forwardingRules/api-ilb"),
               "name": "api-ilb", "project": PROJECT, "region": REGION,
               "ip_address": "10.10.0.20", "ip_protocol": "TCP", "ports": ["8080"],
               "port_range": "", "all_ports": false, "allow_global_access": false,
               "load_balancing_scheme": "INTERNAL", "network_tier": "PREMIUM",
               "backend_service": compute_link(&format!("regions/{REGION}/backendServices/api")),
               "network": compute_link("global/networks/main"),
               "subnetwork": compute_link(&format!("regions/{REGION}/subnetworks/app")),
               "source_ip_ranges": [], "target": "", "service_label": "", "ip_version": "",
               "description": "", "labels": {}, "terraform_labels": {}}),
    );
    st
}

/// Every finding's `(kind, tier, type, id)` with its changed paths, sorted.
fn outcomes(report: &Value) -> Vec<(String, String, String, String, Vec<String>)> {
    let mut out: Vec<_> = finding_summary(report)
        .into_iter()
        .zip(report["findings"].as_array().expect("findings"))
        .map(|((kind, tier, t, id), f)| {
            let paths = f["changes"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|c| c["path"].as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            (kind, tier, t, id, paths)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn load_balancer_and_instance_group_drift_through_the_compute_stand_in() {
    let rt = runtime();
    let gcp = GcpLocal::start().expect("gcplocal");
    let dir = TempDir::new("check-gcp-lb");
    rt.block_on(seed_lb(&gcp)).expect("seed the load balancer");
    lb_state()
        .write(&dir.path().join("terraform.tfstate"))
        .expect("write state");
    dir.write("driftd.toml", &config(&gcp.endpoint()));

    // In sync: exit 0, no finding, every type listed.
    let run = check(&dir);
    let report = run.json();
    assert_eq!(report["findings"], json!([]), "stderr: {}", run.stderr);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    assert_eq!(report["scan"]["complete"], json!(true), "{report:#}");

    // Out of band, one change per type, a health check deleted and a certificate nobody
    // manages.
    rt.block_on(async {
        // Templates cannot be edited: made again under the same name, with an external IP.
        gcp.compute("DELETE", "global/instanceTemplates/web-v1", None)
            .await?;
        let mut template = template_body("web-v1");
        template["properties"]["networkInterfaces"][0]["accessConfigs"] =
            json!([{"type": "ONE_TO_ONE_NAT", "name": "External NAT"}]);
        gcp.compute("POST", "global/instanceTemplates", Some(template))
            .await?;
        gcp.compute(
            "PATCH",
            &format!("zones/{ZONE}/instanceGroupManagers/web"),
            Some(json!({"targetSize": 6})),
        )
        .await?;
        gcp.compute(
            "PATCH",
            &format!("regions/{REGION}/forwardingRules/api-ilb"),
            Some(json!({"allowGlobalAccess": true})),
        )
        .await?;
        // A global rule's address cannot be edited either: made again on another address.
        let mut rule = gcp
            .compute("GET", "global/forwardingRules/web-https", None)
            .await?;
        gcp.compute("DELETE", "global/forwardingRules/web-https", None)
            .await?;
        rule["IPAddress"] = json!("34.120.9.9");
        gcp.compute("POST", "global/forwardingRules", Some(rule))
            .await?;
        gcp.compute(
            "PATCH",
            "global/backendServices/web-be",
            Some(json!({"protocol": "HTTP"})),
        )
        .await?;
        gcp.compute(
            "PATCH",
            "global/healthChecks/web-hc",
            Some(json!({"httpHealthCheck": {"port": 8080, "requestPath": "/"}})),
        )
        .await?;
        gcp.compute(
            "PATCH",
            "global/urlMaps/web-map",
            Some(
                json!({"hostRules": [{"hosts": ["shop.example.com", "admin.example.com"],
                                       "pathMatcher": "shop"}]}),
            ),
        )
        .await?;
        gcp.compute(
            "PATCH",
            "global/targetHttpProxies/web-http",
            Some(json!({"urlMap": compute_link("global/urlMaps/web-map")})),
        )
        .await?;
        gcp.compute(
            "PATCH",
            "global/targetHttpsProxies/web-https",
            Some(json!({"sslPolicy": null})),
        )
        .await?;
        gcp.compute("DELETE", "global/sslCertificates/web-cert", None)
            .await?;
        let other = CERT.replace("ZHJpZnRkIGxiIHRlc3QgY2VydGlmaWNhdGU=", "b3RoZXIgY2VydA==");
        gcp.compute(
            "POST",
            "global/sslCertificates",
            Some(cert_body("web-cert", &other)),
        )
        .await?;
        gcp.compute("DELETE", "global/healthChecks/legacy-hc", None)
            .await?;
        gcp.compute(
            "POST",
            "global/sslCertificates",
            Some(cert_body("stray-cert", CERT)),
        )
        .await?;
        anyhow::Ok(())
    })
    .expect("make drift");

    let run = check(&dir);
    let report = run.json();
    assert_eq!(run.code, 2, "stderr: {}", run.stderr);
    let global = |path: &str| format!("projects/{PROJECT}/global/{path}");
    let s = |v: &str| v.to_string();
    let changed = |tier: &str, t: &str, id: String, path: &str| {
        (s("changed"), s(tier), s(t), id, vec![s(path)])
    };
    let mut expected = vec![
        changed(
            "critical",
            "google_compute_instance_template",
            global("instanceTemplates/web-v1"),
            "network_interface.0.access_config",
        ),
        changed(
            "warning",
            "google_compute_instance_group_manager",
            format!("projects/{PROJECT}/zones/{ZONE}/instanceGroupManagers/web"),
            "target_size",
        ),
        changed(
            "warning",
            "google_compute_forwarding_rule",
            format!("projects/{PROJECT}/regions/{REGION}/forwardingRules/api-ilb"),
            "allow_global_access",
        ),
        changed(
            "critical",
            "google_compute_global_forwarding_rule",
            global("forwardingRules/web-https"),
            "ip_address",
        ),
        changed(
            "critical",
            "google_compute_backend_service",
            global("backendServices/web-be"),
            "protocol",
        ),
        changed(
            "warning",
            "google_compute_health_check",
            global("healthChecks/web-hc"),
            "http_health_check",
        ),
        changed(
            "warning",
            "google_compute_url_map",
            global("urlMaps/web-map"),
            "host_rule",
        ),
        changed(
            "warning",
            "google_compute_target_http_proxy",
            global("targetHttpProxies/web-http"),
            "url_map",
        ),
        changed(
            "critical",
            "google_compute_target_https_proxy",
            global("targetHttpsProxies/web-https"),
            "ssl_policy",
        ),
        changed(
            "critical",
            "google_compute_ssl_certificate",
            global("sslCertificates/web-cert"),
            "certificate",
        ),
        (
            s("missing"),
            s("critical"),
            s("google_compute_health_check"),
            global("healthChecks/legacy-hc"),
            vec![],
        ),
        (
            s("unmanaged"),
            s("warning"),
            s("google_compute_ssl_certificate"),
            global("sslCertificates/stray-cert"),
            vec![],
        ),
    ];
    expected.sort();
    assert_eq!(
        outcomes(&report),
        expected,
        "{report:#}\nstderr: {}",
        run.stderr
    );
    // The private key is write-only: never read, never shown.
    assert!(
        !run.stdout.contains("bm90LWEtcmVhbC1rZXk") && !run.stderr.contains("bm90LWEtcmVhbC1rZXk")
    );
}
