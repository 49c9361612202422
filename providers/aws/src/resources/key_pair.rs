//! `aws_key_pair`: the id is the key name, as Terraform's. Its fingerprint and key pair id are
//! computed from the key material and change only when the key is replaced, which Terraform sees
//! as a new resource; what can drift in place is the tags.

use super::{resource, AWS_GENERATED_TAGS, TAGS};
use crate::client::{classify, tags_value};
use async_trait::async_trait;
use aws_sdk_ec2::types::KeyPairInfo;
use aws_sdk_ec2::Client;
use driftd_core::{KindListing, ListError, Resource, ResourceKind, TypeSpec, UncomparedAttr};
use serde_json::json;

pub struct KeyPair;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_key_pair",
    attrs: &[TAGS],
    generated_tag_prefixes: AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "public_key",
            "not read: DescribeKeyPairs answers it only when asked, and another key under the \
            same name would show in fingerprint",
        ),
        UncomparedAttr::new(
            "fingerprint",
            "not compared yet: a key deleted and imported again under the same name has another \
            one",
        ),
        UncomparedAttr::new(
            "key_name_prefix",
            "Terraform-side only: generates the name at create; the name is the id",
        ),
    ],
};

fn map(k: &KeyPairInfo, region: &str) -> Option<Resource> {
    let name = k.key_name()?;
    Some(resource(
        SPEC.resource_type,
        name,
        region,
        json!({ "tags": tags_value(k.tags()) }),
    ))
}

#[async_trait]
impl ResourceKind<Client> for KeyPair {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &Client, region: &str) -> Result<KindListing, ListError> {
        // DescribeKeyPairs is not paginated: one call returns every key pair of the region.
        let page = client
            .describe_key_pairs()
            .send()
            .await
            .map_err(|e| classify("DescribeKeyPairs", &e))?;
        Ok(KindListing {
            resources: page
                .key_pairs()
                .iter()
                .filter_map(|k| map(k, region))
                .collect(),
            ..KindListing::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::Tag;

    #[test]
    fn the_id_is_the_key_name() {
        let k = KeyPairInfo::builder()
            .key_name("deployer")
            .key_pair_id("key-1")
            .key_fingerprint("1f:51:ae")
            .tags(Tag::builder().key("Team").value("ops").build())
            .build();
        let r = map(&k, "eu-west-1").unwrap();
        assert_eq!(r.key.id, "deployer");
        assert_eq!(r.region.as_deref(), Some("eu-west-1"));
        assert_eq!(r.attrs["tags"], json!({"Team": "ops"}));
        assert!(!r.attrs.contains_key("fingerprint"));
    }
}
