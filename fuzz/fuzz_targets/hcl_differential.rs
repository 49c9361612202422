//! The fast HCL parser against hcl-edit: on every text the fast parser accepts, both must read
//! the same structures on the same lines (after the same preparation). The library's own
//! cross-check runs only in debug builds; this one runs in the optimized fuzz build.
#![no_main]

use driftd_iac::hcl::{differential, Differential};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Differential::Differs(what) = differential(text, "fuzz.tf") {
        panic!("the fast parser and hcl-edit disagree:\n{what}");
    }
});
