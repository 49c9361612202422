//! `aws_lb_listener`: the id is the listener's ARN, as Terraform's. DescribeListeners needs a load
//! balancer, so the load balancers are listed first, then each one's listeners (one paged call
//! per load balancer), then each listener's tags (one call per listener), all through
//! `each_bounded`.
//!
//! A listener moved from HTTPS (or TLS) to plain HTTP (or TCP) is critical, and so is its
//! `ssl_policy` weakened (a policy accepting an older TLS version than the one recorded, or none).
//! moto serves every call used here.

use super::{action, tags, SERVICE};
use crate::client::ApiClient;
use crate::common::{number, resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Listener;

/// A listener that stopped encrypting (HTTPS to HTTP, TLS to TCP) is critical.
fn downgraded(c: &Change) -> Option<Tier> {
    let was = c.expected.as_str().unwrap_or("");
    let now = c.actual.as_str().unwrap_or("");
    let encrypted = |p: &str| matches!(p, "HTTPS" | "TLS");
    (encrypted(was) && !encrypted(now)).then_some(Tier::Critical)
}

/// The oldest TLS version a security policy accepts, as 10, 11, 12 or 13 (unknown names: 10).
fn min_tls(policy: &str) -> u8 {
    let p = policy.to_ascii_uppercase();
    if p.contains("TLS13-1-3") {
        13
    } else if p.contains("TLS13-1-2") || p.contains("TLS-1-2") || p.contains("FIPS-2023") {
        12
    } else if p.contains("TLS-1-1") {
        11
    } else {
        10
    }
}

/// A security policy weakened (an older minimum TLS version, or no policy) is critical.
fn weakened(c: &Change) -> Option<Tier> {
    let was = c.expected.as_str().filter(|s| !s.is_empty())?;
    match c.actual.as_str().filter(|s| !s.is_empty()) {
        None => Some(Tier::Critical),
        Some(now) => (min_tls(now) < min_tls(was)).then_some(Tier::Critical),
    }
}

pub(crate) static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lb_listener",
    attrs: &[
        AttrSpec::new("protocol", Shape::Scalar).tier(TierHint::Rule(downgraded)),
        AttrSpec::new("ssl_policy", Shape::Scalar).tier(TierHint::Rule(weakened)),
        AttrSpec::new("certificate_arn", Shape::Scalar),
        AttrSpec::new("load_balancer_arn", Shape::Scalar),
        AttrSpec::new("port", Shape::Number),
        AttrSpec::new("alpn_policy", Shape::Scalar),
        AttrSpec::new("default_action", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "mutual_authentication",
            "not read (DescribeListeners' MutualAuthentication)",
        ),
        UncomparedAttr::new("tcp_idle_timeout_seconds", "a listener attribute; not read"),
        UncomparedAttr::new(
            "routing_http_response_server_enabled",
            "a listener attribute; not read",
        ),
    ],
};

/// A listener from its DescribeListeners entry and its tags.
fn map(l: &Value, tags: Value, region: &str) -> Resource {
    // The default certificate: DescribeListeners lists only it (the others are
    // aws_lb_listener_certificate resources).
    let cert = members(&l["Certificates"], "member")
        .into_iter()
        .find_map(|c| c.get("CertificateArn").cloned())
        .unwrap_or(Value::Null);
    let actions: Vec<Value> = members(&l["DefaultActions"], "member")
        .into_iter()
        .enumerate()
        .map(|(i, a)| action(i, a))
        .collect();
    let alpn = members(&l["AlpnPolicy"], "member")
        .into_iter()
        .next()
        .cloned()
        .unwrap_or(Value::Null);
    resource(
        SPEC.resource_type,
        str_of(l, "ListenerArn"),
        region,
        json!({
            "load_balancer_arn": text(l, "LoadBalancerArn"),
            "port": number(l, "Port"),
            "protocol": text(l, "Protocol"),
            "ssl_policy": text(l, "SslPolicy"),
            "certificate_arn": cert,
            "alpn_policy": alpn,
            "default_action": actions,
            "tags": tags,
        }),
    )
}

/// Every listener of every load balancer of the region (DescribeListeners entries).
pub(crate) async fn listeners(client: &ApiClient) -> Result<Vec<Value>, ListError> {
    let lbs = super::lb::load_balancers(client).await?;
    let arns: Vec<String> = lbs
        .iter()
        .map(|lb| str_of(lb, "LoadBalancerArn").to_string())
        .collect();
    let per_lb = each_bounded(arns, |arn| {
        let client = client.clone();
        async move {
            let got = query_all(
                &client,
                &SERVICE,
                QueryList {
                    action: "DescribeListeners",
                    params: vec![("LoadBalancerArn", arn)],
                    list: "Listeners",
                    item: "member",
                    marker_in: "Marker",
                    marker_out: "NextMarker",
                },
            )
            .await;
            unless_gone(got)
        }
    })
    .await?;
    Ok(per_lb.into_iter().flatten().collect())
}

#[async_trait]
impl ResourceKind<ApiClient> for Listener {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = listeners(client).await?;
        let region = region.to_string();
        let resources = each_bounded(all, |l| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let Some(tags) = tags(&client, str_of(&l, "ListenerArn")).await? else {
                    return Ok(None);
                };
                Ok(Some(map(&l, tags, &region)))
            }
        })
        .await?;
        Ok(KindListing {
            resources,
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    const ARN: &str = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
    const TG: &str =
        "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067";

    fn live() -> Resource {
        let l = json!({
            "ListenerArn": ARN, "LoadBalancerArn": "arn:lb", "Port": "443", "Protocol": "HTTPS",
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "Certificates": {"member": {"CertificateArn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc"}},
            "DefaultActions": {"member": {"Type": "forward", "TargetGroupArn": TG, "Order": "1",
                "ForwardConfig": {"TargetGroups": {"member": {"TargetGroupArn": TG, "Weight": "1"}},
                    "TargetGroupStickinessConfig": {"Enabled": "false"}}}},
        });
        map(&l, json!({}), "eu-west-1")
    }

    #[test]
    fn listener_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, ARN);
        assert_eq!(r.attrs["port"], json!(443));
        assert_eq!(
            r.attrs["default_action"],
            json!([{"type": "forward", "order": 1, "target_group_arn": TG}])
        );
    }

    #[test]
    fn https_to_http_and_a_weaker_policy_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier("protocol", json!("HTTPS"), json!("HTTP")),
            Tier::Critical
        );
        assert_eq!(
            tier("protocol", json!("HTTP"), json!("HTTPS")),
            Tier::Warning
        );
        let strong = json!("ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert_eq!(
            tier(
                "ssl_policy",
                strong.clone(),
                json!("ELBSecurityPolicy-2016-08")
            ),
            Tier::Critical
        );
        assert_eq!(
            tier("ssl_policy", strong.clone(), Value::Null),
            Tier::Critical
        );
        assert_eq!(
            tier("ssl_policy", json!("ELBSecurityPolicy-2016-08"), strong),
            Tier::Warning
        );
    }

    #[test]
    fn false_positive_forward_config_aws_fills_in_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        // AWS answers a forward to one group with a ForwardConfig too; Terraform records only
        // target_group_arn and empty nested blocks.
        let state = json!({
            "load_balancer_arn": "arn:lb", "port": 443, "protocol": "HTTPS",
            "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
            "alpn_policy": null,
            "default_action": [{"authenticate_cognito": [], "authenticate_oidc": [],
                "fixed_response": [], "forward": [], "order": 1, "redirect": [],
                "target_group_arn": TG, "type": "forward"}],
            "tags": {}, "tags_all": {},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["ssl_policy"] = json!("ELBSecurityPolicy-TLS13-1-3-2021-06");
        assert_eq!(changed_paths(&SPEC, other, &live), ["ssl_policy"]);
    }
}
