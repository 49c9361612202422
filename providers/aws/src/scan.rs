//! What every unit of one scan shares: the target's regions, and the account's buckets, listed
//! once by the first S3 unit that needs them (see `resources::s3_bucket`). Plain data, so that
//! the clients can carry it and the resource types fill it without either depending on the
//! other.

use driftd_core::ListError;
use tokio::sync::OnceCell;

/// One bucket and the region it lives in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Bucket {
    pub name: String,
    pub region: String,
}

pub struct ScanShared {
    pub(crate) regions: Vec<String>,
    /// Every bucket of the account, or why they could not all be listed and placed.
    pub(crate) buckets: OnceCell<Result<Vec<Bucket>, ListError>>,
}

impl ScanShared {
    pub(crate) fn new(regions: Vec<String>) -> Self {
        ScanShared {
            regions,
            buckets: OnceCell::new(),
        }
    }
}
