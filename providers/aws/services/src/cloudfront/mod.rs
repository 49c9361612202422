//! Amazon CloudFront, over REST-XML (API version path `/2020-05-31/`): a global service, served
//! from `cloudfront.amazonaws.com` and signed for us-east-1.

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod distribution;

pub const SERVICE: Service = Service {
    endpoint_prefix: "cloudfront",
    signing_name: "cloudfront",
    iam_prefix: "cloudfront",
    protocol: Protocol::RestXml,
    global: true,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(distribution::Distribution)]
}
