//! Amazon EFS, over its REST-JSON API (version `2015-02-01`, paths `/2015-02-01/...`), at
//! `elasticfilesystem.<region>.amazonaws.com`.

use crate::client::{Protocol, Service};
use crate::Kinds;

pub mod file_system;

pub const SERVICE: Service = Service {
    endpoint_prefix: "elasticfilesystem",
    signing_name: "elasticfilesystem",
    iam_prefix: "elasticfilesystem",
    protocol: Protocol::RestJson,
    global: false,
};

/// Every type of this service.
pub fn kinds() -> Kinds {
    vec![Box::new(file_system::EfsFileSystem)]
}
