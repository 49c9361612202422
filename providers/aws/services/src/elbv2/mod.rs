//! Elastic Load Balancing v2 (application, network and gateway load balancers), over the query
//! protocol, API version 2015-12-01, signed as `elasticloadbalancing`.

use crate::client::{ApiClient, Protocol, Service};
use crate::common::tag_list;
use crate::paging::unless_gone;
use crate::xml::members;
use crate::Kinds;
use driftd_core::ListError;
use serde_json::{json, Map, Value};

pub mod lb;
pub mod listener;
pub mod listener_rule;
pub mod target_group;

pub const SERVICE: Service = Service {
    endpoint_prefix: "elasticloadbalancing",
    signing_name: "elasticloadbalancing",
    iam_prefix: "elasticloadbalancing",
    protocol: Protocol::Query {
        version: "2015-12-01",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(lb::Lb),
        Box::new(lb::Alb),
        Box::new(target_group::TargetGroup),
        Box::new(listener::Listener),
        Box::new(listener_rule::ListenerRule),
    ]
}

/// The tags of one ELBv2 resource (DescribeTags with its ARN) as a Terraform map; `None` when
/// it is gone.
pub(crate) async fn tags(client: &ApiClient, arn: &str) -> Result<Option<Value>, ListError> {
    let got = client
        .query(
            &SERVICE,
            "DescribeTags",
            &[("ResourceArns.member.1", arn.to_string())],
        )
        .await;
    Ok(unless_gone(got)?.map(|v| {
        members(&v["TagDescriptions"], "member")
            .into_iter()
            .find(|d| d["ResourceArn"] == arn)
            .map(|d| tag_list(members(&d["Tags"], "member"), "Key", "Value"))
            .unwrap_or_else(|| json!({}))
    }))
}

/// An attributes answer (`Attributes.member[] {Key, Value}`) as a map of key to value.
pub(crate) fn attribute_map(answer: &Value) -> Map<String, Value> {
    members(&answer["Attributes"], "member")
        .into_iter()
        .filter_map(|a| {
            Some((
                a.get("Key")?.as_str()?.to_string(),
                a.get("Value").cloned().unwrap_or(json!("")),
            ))
        })
        .collect()
}

/// An action (a listener's default action or a rule's) as Terraform's block. A forward to one
/// target group is recorded by Terraform as `target_group_arn` alone (its `forward` block is left
/// empty), so the `ForwardConfig` AWS fills in for it is left out then.
/// `position` is the action's place in its list (from 0): AWS numbers actions by it when none
/// was given, and an answer without `Order` (moto's) is read that way.
pub(crate) fn action(position: usize, a: &Value) -> Value {
    let mut out = Map::new();
    let kind = a["Type"].as_str().unwrap_or("");
    out.insert("type".into(), json!(kind));
    let order = crate::common::number(a, "Order")
        .as_i64()
        .unwrap_or(position as i64 + 1);
    out.insert("order".into(), json!(order));
    if let Some(tg) = a["TargetGroupArn"].as_str().filter(|s| !s.is_empty()) {
        out.insert("target_group_arn".into(), json!(tg));
    }
    let forward = &a["ForwardConfig"];
    let groups = members(&forward["TargetGroups"], "member");
    if groups.len() > 1 {
        let tgs: Vec<Value> = groups
            .iter()
            .map(|g| json!({"arn": g["TargetGroupArn"], "weight": crate::common::number(g, "Weight")}))
            .collect();
        out.insert("forward".into(), json!([{"target_group": tgs}]));
    }
    let r = &a["RedirectConfig"];
    if r.is_object() {
        out.insert(
            "redirect".into(),
            json!([{
                "host": r["Host"], "path": r["Path"], "port": r["Port"],
                "protocol": r["Protocol"], "query": r["Query"], "status_code": r["StatusCode"],
            }]),
        );
    }
    let f = &a["FixedResponseConfig"];
    if f.is_object() {
        out.insert(
            "fixed_response".into(),
            json!([{
                "content_type": f["ContentType"], "message_body": f["MessageBody"],
                "status_code": f["StatusCode"],
            }]),
        );
    }
    Value::Object(out)
}
