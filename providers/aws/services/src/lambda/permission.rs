//! `aws_lambda_permission`: one per statement of a function's resource-based policy. The id is
//! `function_name/statement_id`, as the provider's import takes it; Terraform's state records the
//! statement id alone, so the function's name and the statement id are the identity that pairs
//! a state permission with its live statement.
//!
//! ListFunctions pages through the functions; GetPolicy is then called for each (one call per
//! function, counted; a function without a policy answers 404 and has no permission). Only the
//! unqualified function's policy is read: a permission on an alias or version (`qualifier`) is
//! not listed by this type yet. State that names the function by its ARN rather than its name
//! does not pair with the live statement (it then reads as missing and unmanaged).
//!
//! A permission's principal or action changed is critical (it grants), and so is a condition
//! taken away (`source_arn`, `source_account`, `principal_org_id`: the grant is widened).
//!
//! moto serves every call used here.

use super::{function_path, functions, SERVICE};
use crate::client::ApiClient;
use crate::common::removed_is_critical;
use crate::common::{resource, str_of, GRANTS};
use crate::paging::{each_bounded, unless_gone};
use async_trait::async_trait;
use driftd_core::{
    AttrSpec, KindListing, ListError, Resource, ResourceKind, Shape, TierHint, TypeSpec,
    UncomparedAttr,
};
use serde_json::{json, Value};

pub struct LambdaPermission;

static SPEC: TypeSpec = TypeSpec {
    provider: crate::PROVIDER,
    resource_type: "aws_lambda_permission",
    attrs: &[
        AttrSpec::new("function_name", Shape::Scalar).identity(),
        AttrSpec::new("statement_id", Shape::Scalar).identity(),
        AttrSpec::new("principal", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("action", Shape::Scalar).tier(GRANTS),
        AttrSpec::new("source_arn", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("source_account", Shape::Scalar).tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("principal_org_id", Shape::Scalar)
            .tier(TierHint::Rule(removed_is_critical)),
        AttrSpec::new("function_url_auth_type", Shape::Scalar).tier(GRANTS),
    ],
    generated_tag_prefixes: crate::common::AWS_GENERATED_TAGS,
    not_compared: &[
        UncomparedAttr::new(
            "statement_id_prefix",
            "Terraform-side only: it chooses the statement id once, which is compared",
        ),
        UncomparedAttr::new(
            "qualifier",
            "permissions on an alias or a version live in that qualifier's policy, not read by driftd yet",
        ),
        UncomparedAttr::new(
            "event_source_token",
            "an Alexa skill's token: a shared secret, never read",
        ),
    ],
};

/// One value of a condition operator (`ArnLike`, `StringEquals`) for a key, whatever the case of
/// the key (`AWS:SourceArn` and `aws:SourceArn` both occur).
fn condition(statement: &Value, operators: &[&str], key: &str) -> Value {
    let Some(conditions) = statement.get("Condition").and_then(Value::as_object) else {
        return Value::Null;
    };
    for op in operators {
        let Some(Value::Object(pairs)) = conditions.get(*op) else {
            continue;
        };
        for (k, v) in pairs {
            if k.eq_ignore_ascii_case(key) {
                return match v {
                    Value::Array(a) if a.len() == 1 => a[0].clone(),
                    v => v.clone(),
                };
            }
        }
    }
    Value::Null
}

/// The principal as Terraform records it: a service name, `*`, or an account's id for its root
/// (Lambda writes an account id given as `arn:aws:iam::<id>:root`).
fn principal(statement: &Value) -> Value {
    let p = match statement.get("Principal") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(m)) => m
            .get("Service")
            .or_else(|| m.get("AWS"))
            .or_else(|| m.values().next())
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    };
    let account = p
        .strip_prefix("arn:aws:iam::")
        .or_else(|| p.strip_prefix("arn:aws-cn:iam::"))
        .or_else(|| p.strip_prefix("arn:aws-us-gov:iam::"))
        .and_then(|rest| rest.strip_suffix(":root"));
    json!(account.unwrap_or(&p))
}

/// The permissions of one function from its policy document (GetPolicy's `Policy` text).
fn map(function: &str, policy: &str, region: &str) -> Vec<Resource> {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return Vec::new();
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .filter(|s| !str_of(s, "Sid").is_empty())
        .map(|s| {
            let sid = str_of(s, "Sid");
            let action = match s.get("Action") {
                Some(Value::Array(a)) if a.len() == 1 => a[0].clone(),
                Some(a) => a.clone(),
                None => Value::Null,
            };
            resource(
                SPEC.resource_type,
                &format!("{function}/{sid}"),
                region,
                json!({
                    "function_name": function,
                    "statement_id": sid,
                    "principal": principal(s),
                    "action": action,
                    "source_arn": condition(s, &["ArnLike", "ArnEquals", "StringEquals"], "AWS:SourceArn"),
                    "source_account": condition(s, &["StringEquals"], "AWS:SourceAccount"),
                    "principal_org_id": condition(s, &["StringEquals"], "aws:PrincipalOrgID"),
                    "function_url_auth_type": condition(s, &["StringEquals"], "lambda:FunctionUrlAuthType"),
                }),
            )
        })
        .collect()
}

#[async_trait]
impl ResourceKind<ApiClient> for LambdaPermission {
    fn spec(&self) -> &'static TypeSpec {
        &SPEC
    }

    async fn list(&self, client: &ApiClient, region: &str) -> Result<KindListing, ListError> {
        let names: Vec<String> = functions(client)
            .await?
            .iter()
            .map(|f| str_of(f, "FunctionName").to_string())
            .filter(|n| !n.is_empty())
            .collect();
        let region = region.to_string();
        let per_function = each_bounded(names, |name| {
            let (client, region) = (client.clone(), region.clone());
            async move {
                let got = client
                    .rest(&SERVICE, "GetPolicy", &function_path(&name, "/policy"), "")
                    .await;
                // No policy (404) and a function gone since the list alike: no permission.
                let policy = unless_gone(got)?.unwrap_or(Value::Null);
                Ok(Some(map(&name, str_of(&policy, "Policy"), &region)))
            }
        })
        .await?;
        Ok(KindListing {
            resources: per_function.into_iter().flatten().collect(),
            unread_attributes: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftd_core::tier::default_tier;
    use driftd_core::{Change, Tier};
    use driftd_core::{ChangeOp, FindingKind};

    /// GetPolicy's `Policy`, as Lambda writes it.
    const POLICY: &str = r#"{"Version":"2012-10-17","Id":"default","Statement":[
        {"Sid":"AllowS3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},
         "Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:orders",
         "Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},
                      "ArnLike":{"AWS:SourceArn":"arn:aws:s3:::uploads"}}},
        {"Sid":"AllowPartner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},
         "Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:eu-west-1:123456789012:function:orders"}]}"#;

    #[test]
    fn each_statement_is_a_permission() {
        let got = map("orders", POLICY, "eu-west-1");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].key.id, "orders/AllowS3");
        assert_eq!(got[0].attrs["principal"], json!("s3.amazonaws.com"));
        assert_eq!(got[0].attrs["source_arn"], json!("arn:aws:s3:::uploads"));
        assert_eq!(got[0].attrs["source_account"], json!("123456789012"));
        assert_eq!(got[0].attrs["action"], json!("lambda:InvokeFunction"));
        assert_eq!(got[1].key.id, "orders/AllowPartner");
        assert_eq!(got[1].attrs["principal"], json!("210987654321"));
        assert_eq!(got[1].attrs["source_arn"], Value::Null);
        assert!(map("orders", "", "eu-west-1").is_empty());
    }

    #[test]
    fn a_new_principal_or_a_condition_taken_away_is_critical() {
        let tier = |path: &str, new: Value| {
            default_tier(
                Some(&SPEC),
                FindingKind::Changed,
                &[Change::new(path, ChangeOp::Replace, json!("x"), new)],
            )
        };
        assert_eq!(tier("principal", json!("*")), Tier::Critical);
        assert_eq!(tier("action", json!("lambda:*")), Tier::Critical);
        assert_eq!(tier("source_arn", Value::Null), Tier::Critical);
        assert_eq!(
            tier("source_arn", json!("arn:aws:s3:::other")),
            Tier::Warning
        );
    }

    #[test]
    fn false_positive_account_root_arn_and_statement_id_as_the_id() {
        use crate::testing::{assert_in_sync, changed_paths};
        // Terraform records the id as the statement id and the principal as it was written (an
        // account id); Lambda answers the account's root ARN.
        let live = map("orders", POLICY, "eu-west-1").remove(1);
        let state = json!({
            "id": "AllowPartner", "statement_id": "AllowPartner", "statement_id_prefix": "",
            "function_name": "orders", "principal": "210987654321",
            "action": "lambda:InvokeFunction", "qualifier": "", "source_arn": null,
            "source_account": null, "principal_org_id": null, "event_source_token": null,
            "function_url_auth_type": null,
        });
        assert_in_sync(&SPEC, state.clone(), &live);
        // Near miss: another account is drift.
        let mut other = state;
        other["principal"] = json!("111111111111");
        assert_eq!(changed_paths(&SPEC, other, &live), ["principal"]);
    }
}
