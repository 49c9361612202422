//! The Terraform state reader on arbitrary bytes: never a panic, and every error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match driftd_iac::parse_state(data, "fuzz.tfstate") {
        Ok(state) => {
            // What callers do with a state: look at every resource's key and address.
            for r in &state.resources {
                std::hint::black_box((&r.key, &r.address, r.attrs.len()));
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("fuzz.tfstate"),
                "error does not name the file: {text}"
            );
        }
    }
});
