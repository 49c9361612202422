//! `aws_acm_certificate`: the id is the certificate's ARN, as Terraform's. ListCertificates (every
//! key type asked for: by default it leaves some out) lists them; DescribeCertificate and
//! ListTagsForCertificate read each one (two calls per certificate).
//!
//! An imported certificate's private key is write-only in Terraform and never read here; its body
//! and chain are not compared either (only what identifies the certificate: its names).
//! moto serves every call used here.

use super::SERVICE;
use crate::client::ApiClient;
use crate::common::{array, resource, str_of, tag_list, text, TAGS};
use crate::paging::{each_bounded, json_all, unless_gone, JsonList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, Change, KindListing, ListError, Resource, ResourceKind, Shape, Tier, TierHint,
    TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct Certificate;

/// Certificate transparency logging turned off is a warning at least; nothing here grants.
fn transparency_off(c: &Change) -> Option<Tier> {
    c.actual
        .to_string()
        .contains("DISABLED")
        .then_some(Tier::Warning)
}

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_acm_certificate",
    attrs: &[
        AttrSpec::new("domain_name", Shape::Scalar),
        AttrSpec::new("subject_alternative_names", Shape::Set),
        AttrSpec::new("validation_method", Shape::Scalar),
        AttrSpec::new("key_algorithm", Shape::CaseInsensitive),
        AttrSpec::new("certificate_authority_arn", Shape::Scalar),
        AttrSpec::new("options", Shape::Document).tier(TierHint::Rule(transparency_off)),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "private_key",
            "write-only secret of an imported certificate: never read or shown",
        ),
        UncomparedAttr::new(
            "certificate_body",
            "an imported certificate's PEM: its names are compared instead",
        ),
        UncomparedAttr::new(
            "certificate_chain",
            "an imported certificate's PEM chain; not read",
        ),
        UncomparedAttr::new(
            "validation_option",
            "request-time input (the validation domain); not returned as set",
        ),
        UncomparedAttr::new(
            "early_renewal_duration",
            "private certificates' renewal window; not read",
        ),
    ],
};

/// A certificate from DescribeCertificate's `Certificate` and its tags.
fn map(c: &Value, tags: Value, region: &str) -> Resource {
    let domain = str_of(c, "DomainName");
    // Terraform leaves the domain name itself out of the alternative names; ACM lists it.
    let sans: Vec<&str> = array(c, "SubjectAlternativeNames")
        .iter()
        .filter_map(Value::as_str)
        .filter(|n| *n != domain)
        .collect();
    let imported = str_of(c, "Type") == "IMPORTED";
    let method = if imported {
        Value::Null
    } else {
        array(c, "DomainValidationOptions")
            .first()
            .map(|o| text(o, "ValidationMethod"))
            .unwrap_or(Value::Null)
    };
    // DescribeCertificate has written `RSA-2048` where the request takes `RSA_2048`.
    let key = str_of(c, "KeyAlgorithm").replace('-', "_");
    let transparency = text(&c["Options"], "CertificateTransparencyLoggingPreference");
    resource(
        SPEC.resource_type,
        str_of(c, "CertificateArn"),
        region,
        json!({
            "domain_name": domain,
            "subject_alternative_names": sans,
            "validation_method": method,
            "key_algorithm": if key.is_empty() { Value::Null } else { json!(key) },
            "certificate_authority_arn": text(c, "CertificateAuthorityArn"),
            "options": [{"certificate_transparency_logging_preference": transparency}],
            "tags": tags,
        }),
    )
}

#[async_trait]
impl ResourceKind<ApiClient> for Certificate {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let summaries = json_all(
            client,
            &SERVICE,
            JsonList {
                operation: "ListCertificates",
                input: json!({"MaxItems": 1000, "Includes": {"keyTypes": [
                    "RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1",
                    "EC_secp384r1", "EC_secp521r1"]}}),
                list: "CertificateSummaryList",
                token_in: "NextToken",
                token_out: "NextToken",
            },
        )
        .await?;
        let arns: Vec<String> = summaries
            .iter()
            .map(|s| str_of(s, "CertificateArn").to_string())
            .collect();
        let region = region.to_string();
        let resources = each_bounded(arns, |arn| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .json(
                        &SERVICE,
                        "DescribeCertificate",
                        json!({"CertificateArn": arn}),
                    )
                    .await;
                let Some(described) = unless_gone(got)? else {
                    return Ok(None);
                };
                let got = client
                    .json(
                        &SERVICE,
                        "ListTagsForCertificate",
                        json!({"CertificateArn": arn}),
                    )
                    .await;
                let Some(tags) = unless_gone(got)? else {
                    return Ok(None);
                };
                let tags = tag_list(array(&tags, "Tags"), "Key", "Value");
                Ok(Some(map(&described["Certificate"], tags, &region)))
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

    const ARN: &str =
        "arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012";

    fn live() -> Resource {
        // DescribeCertificate's `Certificate`, as the API reference shows it.
        let c = json!({
            "CertificateArn": ARN, "DomainName": "example.com",
            "SubjectAlternativeNames": ["example.com", "www.example.com"],
            "DomainValidationOptions": [{"DomainName": "example.com", "ValidationMethod": "DNS",
                "ValidationStatus": "SUCCESS"}],
            "Status": "ISSUED", "Type": "AMAZON_ISSUED", "KeyAlgorithm": "RSA-2048",
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        });
        map(&c, json!({"Env": "prod"}), "eu-west-1")
    }

    #[test]
    fn certificate_maps_to_terraform_attributes() {
        let r = live();
        assert_eq!(r.key.id, ARN);
        assert_eq!(
            r.attrs["subject_alternative_names"],
            json!(["www.example.com"])
        );
        assert_eq!(r.attrs["validation_method"], json!("DNS"));
        assert_eq!(r.attrs["key_algorithm"], json!("RSA_2048"));
        assert_eq!(r.attrs["tags"], json!({"Env": "prod"}));
        let tier = default_tier(
            Some(&SPEC),
            FindingKind::Changed,
            &[Change::new(
                "options",
                ChangeOp::Replace,
                Value::Null,
                json!([{"certificate_transparency_logging_preference": "DISABLED"}]),
            )],
        );
        assert_eq!(tier, Tier::Warning);
    }

    #[test]
    fn false_positive_domain_among_its_alternative_names_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let state = json!({
            "domain_name": "example.com", "subject_alternative_names": ["www.example.com"],
            "validation_method": "DNS", "key_algorithm": "RSA_2048",
            "certificate_authority_arn": "", "private_key": null,
            "options": [{"certificate_transparency_logging_preference": "ENABLED"}],
            "tags": {"Env": "prod"}, "tags_all": {"Env": "prod"},
        });
        let live = live();
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut other = state;
        other["subject_alternative_names"] = json!(["api.example.com"]);
        assert_eq!(
            changed_paths(&SPEC, other, &live),
            ["subject_alternative_names"]
        );
    }
}
