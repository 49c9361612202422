//! CloudWatch: three APIs behind one Terraform prefix. CloudWatch Logs (JSON 1.1,
//! `Logs_20140328`), CloudWatch alarms (the query protocol, `2010-08-01`, endpoint `monitoring`)
//! and EventBridge (JSON 1.1, `AWSEvents`, endpoint `events`).

use crate::client::{Protocol, Service};
use crate::Kinds;
use serde_json::Value;

pub mod event_rule;
pub mod event_target;
pub mod log_group;
pub mod metric_alarm;

pub const LOGS: Service = Service {
    endpoint_prefix: "logs",
    signing_name: "logs",
    iam_prefix: "logs",
    protocol: Protocol::Json {
        version: "1.1",
        target: "Logs_20140328",
    },
    global: false,
};

pub const MONITORING: Service = Service {
    endpoint_prefix: "monitoring",
    signing_name: "monitoring",
    iam_prefix: "cloudwatch",
    protocol: Protocol::Query {
        version: "2010-08-01",
    },
    global: false,
};

pub const EVENTS: Service = Service {
    endpoint_prefix: "events",
    signing_name: "events",
    iam_prefix: "events",
    protocol: Protocol::Json {
        version: "1.1",
        target: "AWSEvents",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![
        Box::new(log_group::LogGroup),
        Box::new(metric_alarm::MetricAlarm),
        Box::new(event_rule::EventRule),
        Box::new(event_target::EventTarget),
    ]
}

/// Every leaf value of `key`, at any depth of `v` (a canonical document, where a one-element
/// list is its element and leaves are strings): what the tier rules of nested blocks look at.
pub(crate) fn leaves(v: &Value, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, key: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == key {
                        match x {
                            Value::String(s) => out.push(s.clone()),
                            Value::Array(a) => out.extend(a.iter().map(|i| match i {
                                Value::String(s) => s.clone(),
                                o => o.to_string(),
                            })),
                            Value::Null => {}
                            o => out.push(o.to_string()),
                        }
                    }
                    walk(x, key, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, key, out)),
            _ => {}
        }
    }
    walk(v, key, &mut out);
    out
}

/// A string that is absent in the answer as Terraform records it: `""`.
pub(crate) fn or_empty(v: Value) -> Value {
    if v.is_null() {
        Value::String(String::new())
    } else {
        v
    }
}

/// A field that is absent in the answer as Terraform records its default.
pub(crate) fn or(v: Value, default: Value) -> Value {
    if v.is_null() {
        default
    } else {
        v
    }
}
