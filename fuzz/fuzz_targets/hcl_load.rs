//! The HCL reader end to end: the input is a root module's `main.tf` (and, after a NUL byte,
//! its `terraform.tfvars`), loaded with `load_module` as a target's code is: parsing (fast
//! parser or hcl-edit), variables, locals, functions, `count` / `for_each`, module calls.
//! Never a panic, and every error names a file.
//!
//! `load_module` reads a directory, so the input is written to one under `$TMPDIR` (one per
//! fuzzing process), nested a few levels deep so that `source = "../.."` stays inside it.
#![no_main]

use driftd_iac::hcl::{load_module, Limits, LoadOptions};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = std::env::temp_dir()
            .join(format!("driftd-fuzz-hcl-{}", std::process::id()))
            .join("a/b/root");
        std::fs::create_dir_all(&dir).expect("create the module directory");
        dir
    })
}

/// Limits well below the defaults: the bounds are exercised the same way, and an input that
/// reaches one costs milliseconds rather than a second, so the fuzzer explores more.
fn options() -> LoadOptions {
    let mut opts = LoadOptions::default();
    opts.limits = Limits {
        max_file_bytes: 1 << 20,
        max_instances: 200,
        max_resources: 5_000,
        max_elements: 20_000,
        max_string_bytes: 256 << 10,
    };
    opts
}

fuzz_target!(|data: &[u8]| {
    let dir = root();
    let (main, tfvars) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    std::fs::write(dir.join("main.tf"), main).expect("write main.tf");
    let tfvars_path = dir.join("terraform.tfvars");
    match tfvars {
        Some(t) => std::fs::write(&tfvars_path, t).expect("write terraform.tfvars"),
        None => {
            let _ = std::fs::remove_file(&tfvars_path);
        }
    }
    match load_module(dir, &options()) {
        Ok(module) => {
            std::hint::black_box((module.resources.len(), module.warnings.len()));
        }
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains(".tf") || text.contains(".tfvars") || text.contains("root"),
                "error does not name a file: {text}"
            );
        }
    }
});
