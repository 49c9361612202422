//! The `.driftignore` parser (driftctl's syntax), then the rules it accepts applied to findings:
//! never a panic; errors and ignored findings name lines that exist.
#![no_main]

use driftd_core::ignore::{parse_driftignore, IgnoreSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.lines().count();
    let rules = match parse_driftignore(text) {
        Ok(rules) => rules,
        Err(errors) => {
            for e in &errors {
                assert!(e.line >= 1 && e.line <= lines, "error on line {}", e.line);
                assert!(!e.message.is_empty());
            }
            return;
        }
    };
    for r in &rules {
        assert!(r.line >= 1 && r.line <= lines, "rule on line {}", r.line);
    }
    let set = IgnoreSet::new(".driftignore", rules, vec![]);
    driftd_fuzz::apply_and_check(&set, text, ".driftignore:");
});
