//! AWS Certificate Manager, over its JSON 1.1 protocol (`CertificateManager.<Operation>`).

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod certificate;

pub const SERVICE: Service = Service {
    endpoint_prefix: "acm",
    signing_name: "acm",
    iam_prefix: "acm",
    protocol: Protocol::Json {
        version: "1.1",
        target: "CertificateManager",
    },
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(certificate::Certificate)]
}
