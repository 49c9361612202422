//! driftd's readers of infrastructure code and state: they turn what the code side records into
//! the expected [`driftd_core::Resource`]s that the analyzer compares with live ones.
//!
//! - [`hcl`]: Terraform code (HCL): a root module and the local modules it calls, evaluated
//!   into the resource instances the code declares.
//! - [`plan`]: Terraform's and OpenTofu's own plans (`show -json`, `plan -json` logs), read as a
//!   second drift engine.
//! - [`tfstate`]: Terraform state files (format version 4, Terraform 0.12 and later), read from
//!   files, directories or glob patterns.

pub mod hcl;
pub mod plan;
pub mod tfstate;

pub use tfstate::{parse_state, read_state_file, read_states, StateError, StateFile};
