//! AWS KMS, over JSON 1.1 (`TrentService.<Operation>`). AWS-managed keys (`KeyManager` `AWS`) and
//! their `alias/aws/*` aliases are AWS's own: never listed.

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod alias;
pub mod key;

pub const SERVICE: Service = Service {
    endpoint_prefix: "kms",
    signing_name: "kms",
    iam_prefix: "kms",
    protocol: Protocol::Json {
        version: "1.1",
        target: "TrentService",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(key::KmsKey), Box::new(alias::KmsAlias)]
}
