//! The Terraform plan reader (`show -json` documents and `plan -json` logs) on arbitrary bytes:
//! never a panic, and every error names the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match driftd_iac::plan::parse_plan(data, "fuzz.json") {
        Ok(plan) => {
            std::hint::black_box((plan.resources.len(), plan.pending.len()));
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("fuzz.json"),
                "error does not name the file: {text}"
            );
        }
    }
});
