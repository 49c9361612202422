//! cloudfront: no type yet.

use crate::Kinds;

/// Every type of this service.
pub fn kinds() -> Kinds {
    Vec::new()
}
