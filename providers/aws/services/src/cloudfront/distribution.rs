//! `aws_cloudfront_distribution`: the id is the distribution's id (`E2QWRUHEXAMPLE`), as
//! Terraform's. ListDistributions' summaries hold what is compared here; each distribution's tags
//! are read with ListTagsForResource (one call per distribution). CloudFront is global: the
//! distributions are listed once per scan.
//!
//! Nested settings are compared by their path in Terraform's blocks
//! (`default_cache_behavior.0.viewer_protocol_policy`): a default cache behaviour now allowing
//! plain HTTP (`allow-all`) is critical, and so is a web ACL removed or a viewer certificate's
//! minimum TLS version lowered.
//! moto serves every call used here (its summaries leave some settings out: those stay unknown).

use super::SERVICE;
use crate::client::{form, ApiClient, CallError};
use crate::common::{flag, resource, str_of, tag_list, text, TAGS};
use crate::paging::runaway;
use crate::paging::{each_bounded, unless_gone};
use crate::xml::members;
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Map, Value};

pub struct Distribution;

/// Viewers allowed in over plain HTTP: critical.
fn http_allowed(c: &Change) -> Option<Tier> {
    (c.actual.as_str() == Some("allow-all")).then_some(Tier::Critical)
}

/// A web ACL removed: critical.
fn acl_removed(c: &Change) -> Option<Tier> {
    let gone = match &c.actual {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        _ => false,
    };
    gone.then_some(Tier::Critical)
}

/// The year-and-version order of CloudFront's viewer security policies (`TLSv1.2_2021`).
fn tls_rank(policy: &str) -> (u8, &str) {
    let version = match policy.split('_').next().unwrap_or("") {
        "SSLv3" => 0,
        "TLSv1" => 10,
        "TLSv1.1" => 11,
        "TLSv1.2" => 12,
        "TLSv1.3" => 13,
        _ => 0,
    };
    (version, policy.split_once('_').map(|p| p.1).unwrap_or(""))
}

/// A viewer certificate's minimum protocol version lowered: critical.
fn tls_lowered(c: &Change) -> Option<Tier> {
    let was = c.expected.as_str()?;
    let now = c.actual.as_str().unwrap_or("");
    (tls_rank(now) < tls_rank(was)).then_some(Tier::Critical)
}

const VPP: &str = "default_cache_behavior.0.viewer_protocol_policy";
const MIN_TLS: &str = "viewer_certificate.0.minimum_protocol_version";

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_cloudfront_distribution",
    attrs: &[
        AttrSpec::new(VPP, Shape::Scalar).tier(TierHint::Rule(http_allowed)),
        AttrSpec::new("web_acl_id", Shape::Scalar).tier(TierHint::Rule(acl_removed)),
        AttrSpec::new(MIN_TLS, Shape::Scalar).tier(TierHint::Rule(tls_lowered)),
        AttrSpec::new("viewer_certificate.0.acm_certificate_arn", Shape::Scalar),
        AttrSpec::new("viewer_certificate.0.cloudfront_default_certificate", Shape::Scalar),
        AttrSpec::new("viewer_certificate.0.ssl_support_method", Shape::Scalar),
        AttrSpec::new("default_cache_behavior.0.target_origin_id", Shape::Scalar),
        AttrSpec::new("default_cache_behavior.0.allowed_methods", Shape::Set),
        AttrSpec::new("default_cache_behavior.0.cached_methods", Shape::Set),
        AttrSpec::new("default_cache_behavior.0.compress", Shape::Scalar),
        AttrSpec::new("restrictions.0.geo_restriction.0.restriction_type", Shape::Scalar),
        AttrSpec::new("restrictions.0.geo_restriction.0.locations", Shape::Set),
        AttrSpec::new("enabled", Shape::Scalar),
        AttrSpec::new("comment", Shape::Scalar),
        AttrSpec::new("aliases", Shape::Set),
        AttrSpec::new("price_class", Shape::Scalar),
        AttrSpec::new("http_version", Shape::Scalar),
        AttrSpec::new("is_ipv6_enabled", Shape::Scalar),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "origin",
            "origins' connection settings and custom headers (which may carry shared secrets) are not read",
        ),
        UncomparedAttr::new(
            "ordered_cache_behavior",
            "not read (the default cache behaviour's viewer policy is)",
        ),
        UncomparedAttr::new("custom_error_response", "not read"),
        UncomparedAttr::new("logging_config", "in the distribution's config only; not read"),
        UncomparedAttr::new("default_root_object", "in the distribution's config only; not read"),
        UncomparedAttr::new("origin_group", "not read"),
        UncomparedAttr::new("continuous_deployment_policy_id", "not read"),
        UncomparedAttr::new("staging", "not read"),
        UncomparedAttr::new("retain_on_delete", "Terraform-side only: how it deletes"),
        UncomparedAttr::new("wait_for_deployment", "Terraform-side only: what apply waits for"),
    ],
};

/// The entries of a CloudFront list (`{Quantity, Items: {<item>: ...}}`).
fn items<'a>(list: &'a Value, item: &str) -> Vec<&'a Value> {
    members(&list["Items"], item)
}

/// A distribution from its ListDistributions summary and its tags.
fn map(d: &Value, tags: Value, region: &str) -> Resource {
    let mut out = Map::new();
    let mut put = |k: &str, v: Value| {
        if !v.is_null() {
            out.insert(k.to_string(), v);
        }
    };
    put("enabled", flag(d, "Enabled"));
    put("comment", text(d, "Comment"));
    put(
        "aliases",
        json!(items(&d["Aliases"], "CNAME")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()),
    );
    put("price_class", text(d, "PriceClass"));
    put("http_version", text(d, "HttpVersion"));
    put("is_ipv6_enabled", flag(d, "IsIPV6Enabled"));
    put("web_acl_id", text(d, "WebACLId"));
    let b = &d["DefaultCacheBehavior"];
    put(VPP, text(b, "ViewerProtocolPolicy"));
    put(
        "default_cache_behavior.0.target_origin_id",
        text(b, "TargetOriginId"),
    );
    put("default_cache_behavior.0.compress", flag(b, "Compress"));
    let methods = &b["AllowedMethods"];
    if methods.is_object() {
        let allowed: Vec<Value> = items(methods, "Method").into_iter().cloned().collect();
        let cached: Vec<Value> = items(&methods["CachedMethods"], "Method")
            .into_iter()
            .cloned()
            .collect();
        put("default_cache_behavior.0.allowed_methods", json!(allowed));
        put("default_cache_behavior.0.cached_methods", json!(cached));
    }
    let c = &d["ViewerCertificate"];
    if c.is_object() {
        put(MIN_TLS, text(c, "MinimumProtocolVersion"));
        put(
            "viewer_certificate.0.acm_certificate_arn",
            text(c, "ACMCertificateArn"),
        );
        put(
            "viewer_certificate.0.cloudfront_default_certificate",
            flag(c, "CloudFrontDefaultCertificate"),
        );
        // Meaningless with CloudFront's own certificate (Terraform records "" there).
        if flag(c, "CloudFrontDefaultCertificate") != Value::Bool(true) {
            put(
                "viewer_certificate.0.ssl_support_method",
                text(c, "SSLSupportMethod"),
            );
        }
    }
    let geo = &d["Restrictions"]["GeoRestriction"];
    if geo.is_object() {
        put(
            "restrictions.0.geo_restriction.0.restriction_type",
            text(geo, "RestrictionType"),
        );
        put(
            "restrictions.0.geo_restriction.0.locations",
            json!(items(geo, "Location")
                .into_iter()
                .cloned()
                .collect::<Vec<_>>()),
        );
    }
    put("tags", tags);
    resource(
        SPEC.resource_type,
        str_of(d, "Id"),
        region,
        Value::Object(out),
    )
}

/// Every distribution summary, page by page (`Marker`).
async fn summaries(client: &ApiClient) -> Result<Vec<Value>, CallError> {
    let mut out = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..10_000 {
        let mut query = vec![("MaxItems", "100".to_string())];
        if let Some(m) = &marker {
            query.push(("Marker", m.clone()));
        }
        let page = client
            .rest(
                &SERVICE,
                "ListDistributions",
                "/2020-05-31/distribution",
                &form(&query),
            )
            .await?;
        out.extend(items(&page, "DistributionSummary").into_iter().cloned());
        if flag(&page, "IsTruncated") != Value::Bool(true) {
            return Ok(out);
        }
        match page["NextMarker"].as_str().filter(|s| !s.is_empty()) {
            None => {
                return Err(runaway(
                    "ListDistributions",
                    "the answer is cut short but names no next page",
                ))
            }
            Some(n) if marker.as_deref() == Some(n) => {
                return Err(runaway(
                    "ListDistributions",
                    "the next page is the page just read",
                ))
            }
            Some(n) => marker = Some(n.to_string()),
        }
    }
    Err(runaway("ListDistributions", "more pages than driftd reads"))
}

#[async_trait]
impl ResourceKind<ApiClient> for Distribution {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let all = summaries(client).await?;
        let region = region.to_string();
        let resources = each_bounded(all, |d| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let query = form(&[("Resource", str_of(&d, "ARN").to_string())]);
                let got = client
                    .rest(
                        &SERVICE,
                        "ListTagsForResource",
                        "/2020-05-31/tagging",
                        &query,
                    )
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = tag_list(items(&tags, "Tag"), "Key", "Value");
                Ok(Some(map(&d, tags, &region)))
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
    /// Found with the `aws_answers` fuzz target: a truncated answer naming the page just read
    /// gave its distributions twice and ended as if complete. It now stops the listing.
    #[tokio::test]
    async fn paging_that_cannot_go_on_stops_the_listing() {
        let body = "<DistributionList><IsTruncated>true</IsTruncated><NextMarker>m</NextMarker><Items><DistributionSummary><Id>E1</Id></DistributionSummary></Items></DistributionList>";
        let client = crate::testing::client_answering(200, "text/xml", body);
        let err = super::summaries(&client).await.expect_err(body);
        assert!(
            format!("{err:?}").contains("the listing was stopped"),
            "{err:?}"
        );
    }

    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{ChangeOp, FindingKind};

    fn live() -> Resource {
        // A DistributionSummary as the API reference shows it (XML read as JSON).
        let d = json!({
            "Id": "E2QWRUHEXAMPLE", "ARN": "arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE",
            "Status": "Deployed", "DomainName": "d111111abcdef8.cloudfront.net",
            "Aliases": {"Quantity": "2", "Items": {"CNAME": ["www.example.com", "cdn.example.com"]}},
            "DefaultCacheBehavior": {"TargetOriginId": "s3-site", "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": {"Quantity": "2", "Items": {"Method": ["HEAD", "GET"]},
                    "CachedMethods": {"Quantity": "2", "Items": {"Method": ["HEAD", "GET"]}}},
                "Compress": "true"},
            "Comment": "", "PriceClass": "PriceClass_100", "Enabled": "true",
            "ViewerCertificate": {"ACMCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                "SSLSupportMethod": "sni-only", "MinimumProtocolVersion": "TLSv1.2_2021",
                "CloudFrontDefaultCertificate": "false"},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": "0"}},
            "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": "true",
        });
        map(&d, json!({"Env": "prod"}), "global")
    }

    #[test]
    fn distribution_maps_to_terraform_paths() {
        let r = live();
        assert_eq!(r.key.id, "E2QWRUHEXAMPLE");
        assert_eq!(r.attrs[VPP], json!("redirect-to-https"));
        assert_eq!(r.attrs["enabled"], json!(true));
        assert_eq!(
            r.attrs["aliases"],
            json!(["www.example.com", "cdn.example.com"])
        );
    }

    #[test]
    fn http_allowed_a_lower_tls_and_a_removed_acl_are_critical() {
        let tier = |path: &str, old: Value, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, old, new)],
            )
        };
        assert_eq!(
            tier(VPP, json!("redirect-to-https"), json!("allow-all")),
            Tier::Critical
        );
        assert_eq!(
            tier(VPP, json!("redirect-to-https"), json!("https-only")),
            Tier::Warning
        );
        assert_eq!(
            tier(MIN_TLS, json!("TLSv1.2_2021"), json!("TLSv1_2016")),
            Tier::Critical
        );
        assert_eq!(
            tier(MIN_TLS, json!("TLSv1.2_2019"), json!("TLSv1.2_2021")),
            Tier::Warning
        );
        assert_eq!(
            tier("web_acl_id", json!("arn:acl"), json!("")),
            Tier::Critical
        );
    }

    #[test]
    fn false_positive_method_order_and_empty_comment_are_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "enabled": true, "comment": "", "aliases": ["cdn.example.com", "www.example.com"],
            "price_class": "PriceClass_100", "http_version": "http2", "is_ipv6_enabled": true,
            "web_acl_id": "", "retain_on_delete": false,
            "default_cache_behavior": [{"target_origin_id": "s3-site",
                "viewer_protocol_policy": "redirect-to-https", "compress": true,
                "allowed_methods": ["GET", "HEAD"], "cached_methods": ["GET", "HEAD"],
                "min_ttl": 0, "default_ttl": 3600, "forwarded_values": []}],
            "viewer_certificate": [{"acm_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                "cloudfront_default_certificate": false, "iam_certificate_id": "",
                "minimum_protocol_version": "TLSv1.2_2021", "ssl_support_method": "sni-only"}],
            "restrictions": [{"geo_restriction": [{"locations": [], "restriction_type": "none"}]}],
            "tags": {"Env": "prod"}, "tags_all": {"Env": "prod"},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["default_cache_behavior"][0]["viewer_protocol_policy"] = json!("https-only");
        assert_eq!(changed_paths(&SPEC, other, &live), [VPP]);
    }
}
