//! AWS Secrets Manager, over JSON 1.1 (`secretsmanager.<Operation>`). Only metadata and resource
//! policies are read: GetSecretValue is never called.

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod secret;

pub const SERVICE: Service = Service {
    endpoint_prefix: "secretsmanager",
    signing_name: "secretsmanager",
    iam_prefix: "secretsmanager",
    protocol: Protocol::Json {
        version: "1.1",
        target: "secretsmanager",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(secret::SecretsManagerSecret)]
}
