//! `aws_db_parameter_group`: the id is the group's name, as Terraform's. DescribeDBParameterGroups
//! lists the groups; each group then takes DescribeDBParameters (`Source=user`: the values set on
//! it, which is what Terraform's `parameter` blocks hold) and ListTagsForResource, through
//! `each_bounded`. AWS's own `default.*` groups are cloud defaults and are not read further.
//!
//! moto serves every call used here; its DescribeDBParameters answers only the parameters set on
//! the group, whatever the `Source` asked, which is what `Source=user` answers.

use super::{list_tags, present, SERVICE};
use crate::client::ApiClient;
use crate::common::{resource, str_of, text, TAGS};
use crate::paging::{each_bounded, query_all, unless_gone, QueryList};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TypeSpec, UncomparedAttr,
};
use serde_json::{json, Value};

pub struct DbParameterGroup;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_db_parameter_group",
    attrs: &[
        AttrSpec::new("name", Shape::Scalar),
        AttrSpec::new("family", Shape::Scalar),
        AttrSpec::new("description", Shape::Scalar),
        // A set of blocks: order carries no meaning, each block compared whole.
        AttrSpec::new("parameter", Shape::Document),
        TAGS,
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "name_prefix",
            "Terraform-side only: it chooses the name once, which is compared",
        ),
        UncomparedAttr::new(
            "skip_destroy",
            "Terraform-side only: read when the group is destroyed",
        ),
    ],
};

/// `Parameter` entries as Terraform's `parameter` blocks.
fn parameters(items: &[Value]) -> Value {
    Value::Array(
        items
            .iter()
            .filter(|p| !str_of(p, "ParameterName").is_empty())
            .map(|p| {
                json!({
                    "name": str_of(p, "ParameterName"),
                    "value": str_of(p, "ParameterValue"),
                    "apply_method": match str_of(p, "ApplyMethod") {
                        "" => "immediate",
                        m => m,
                    },
                })
            })
            .collect(),
    )
}

/// A parameter group (one `DBParameterGroup`) with its user-set parameters and tags, if read.
fn map(g: &Value, params: Option<Value>, tags: Option<Value>, region: &str) -> Resource {
    let name = str_of(g, "DBParameterGroupName");
    let mut r = resource(
        SPEC.resource_type,
        name,
        region,
        present(vec![
            ("name", json!(name)),
            ("family", text(g, "DBParameterGroupFamily")),
            ("description", text(g, "Description")),
            ("parameter", params.unwrap_or(Value::Null)),
            ("tags", tags.unwrap_or(Value::Null)),
        ]),
    );
    r.cloud_default = name.starts_with("default.");
    r
}

/// The parameters set on group `name`; `None` when it is gone.
async fn user_parameters(client: &ApiClient, name: &str) -> Result<Option<Value>, ListError> {
    let got = query_all(
        client,
        &SERVICE,
        QueryList {
            action: "DescribeDBParameters",
            params: vec![
                ("DBParameterGroupName", name.to_string()),
                ("Source", "user".into()),
                ("MaxRecords", "100".into()),
            ],
            list: "Parameters",
            item: "Parameter",
            marker_in: "Marker",
            marker_out: "Marker",
        },
    )
    .await;
    Ok(unless_gone(got)?.map(|items| parameters(&items)))
}

#[async_trait]
impl ResourceKind<ApiClient> for DbParameterGroup {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let groups = query_all(
            client,
            &SERVICE,
            QueryList {
                action: "DescribeDBParameterGroups",
                params: vec![("MaxRecords", "100".into())],
                list: "DBParameterGroups",
                item: "DBParameterGroup",
                marker_in: "Marker",
                marker_out: "Marker",
            },
        )
        .await?;
        let region = region.to_string();
        let resources = each_bounded(groups, |g| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let name = str_of(&g, "DBParameterGroupName").to_string();
                if name.starts_with("default.") {
                    return Ok(Some(map(&g, None, None, &region)));
                }
                let Some(params) = user_parameters(&client, &name).await? else {
                    return Ok(None);
                };
                let tags = match str_of(&g, "DBParameterGroupArn") {
                    "" => None,
                    arn => match list_tags(&client, arn).await? {
                        Some(t) => Some(t),
                        None => return Ok(None),
                    },
                };
                Ok(Some(map(&g, Some(params), tags, &region)))
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
    use driftd_core::{Change, ChangeOp, FindingKind, Tier};

    fn group() -> Value {
        json!({
            "DBParameterGroupName": "pg16",
            "DBParameterGroupFamily": "postgres16",
            "Description": "Managed by Terraform",
            "DBParameterGroupArn": "arn:aws:rds:eu-west-1:123456789012:pg:pg16",
        })
    }

    /// DescribeDBParameters' `Parameter` entries as the API reference documents them.
    fn params() -> Vec<Value> {
        vec![
            json!({"ParameterName": "log_connections", "ParameterValue": "1",
                   "ApplyMethod": "immediate", "Source": "user", "IsModifiable": "true"}),
            json!({"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements",
                   "ApplyMethod": "pending-reboot", "Source": "user"}),
        ]
    }

    #[test]
    fn group_maps_to_terraform_attributes() {
        let r = map(
            &group(),
            Some(parameters(&params())),
            Some(json!({})),
            "eu-west-1",
        );
        assert_eq!(r.key.id, "pg16");
        assert_eq!(r.attrs["family"], json!("postgres16"));
        assert_eq!(
            r.attrs["parameter"][1],
            json!({"name": "shared_preload_libraries", "value": "pg_stat_statements",
                   "apply_method": "pending-reboot"})
        );
        assert!(!r.cloud_default);
        let mut default = group();
        default["DBParameterGroupName"] = json!("default.postgres16");
        assert!(map(&default, None, None, "eu-west-1").cloud_default);
    }

    #[test]
    fn a_parameter_change_is_a_warning() {
        let tier = |path: &str| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(
                    path,
                    ChangeOp::Replace,
                    Value::Null,
                    json!("x"),
                )],
            )
        };
        assert_eq!(tier("parameter"), Tier::Warning);
        assert_eq!(tier("tags.Env"), Tier::Info);
    }

    #[test]
    fn false_positive_parameter_order_is_in_sync() {
        use crate::testing::{assert_in_sync, changed_paths};
        let live = map(
            &group(),
            Some(parameters(&params())),
            Some(json!({})),
            "eu-west-1",
        );
        let state = json!({
            "id": "pg16", "name": "pg16", "name_prefix": "", "family": "postgres16",
            "description": "Managed by Terraform",
            "parameter": [
                {"name": "shared_preload_libraries", "value": "pg_stat_statements",
                 "apply_method": "pending-reboot"},
                {"apply_method": "immediate", "name": "log_connections", "value": "1"},
            ],
            "tags": {}, "tags_all": {},
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        let mut changed = params();
        changed[0]["ParameterValue"] = json!("0");
        let live = map(
            &group(),
            Some(parameters(&changed)),
            Some(json!({})),
            "eu-west-1",
        );
        assert_eq!(changed_paths(&SPEC, state, &live), ["parameter"]);
    }
}
