//! The Kubernetes manifest reader: a YAML stream (or, when the first byte is odd, one JSON
//! document) read into objects, then each object's canonical form and its flattened attributes,
//! as a target's definitions are compared. Never a panic; errors name the file.
#![no_main]

use driftd_kubernetes::canon::{canonical_expected, flatten};
use driftd_kubernetes::manifest::{parse_manifest_text, ManifestSettings};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let is_json = mode & 1 == 1;
    let name = if is_json { "fuzz.json" } else { "fuzz.yaml" };
    match parse_manifest_text(name, text, is_json, &ManifestSettings::default()) {
        Ok(objects) => {
            for o in &objects {
                let canonical = canonical_expected(&o.id, &o.body, &[]);
                std::hint::black_box(flatten(&canonical).len());
            }
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.contains(name), "error does not name the file: {text}");
        }
    }
});
