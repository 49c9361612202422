//! The `.driftignore` parser (driftctl's syntax), then the rules it accepts applied to findings:
//! never a panic; errors and ignored findings name lines that exist.
#![no_main]

use driftd_core::ignore::{parse_driftignore, IgnoreSet};
use driftd_core::Summary;
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
    let mut findings = driftd_fuzz::findings_for(text);
    let before = findings.len();
    let mut summary = Summary::default();
    let applied = set.apply(
        "prod",
        &[],
        &[],
        &mut findings,
        &mut summary,
        driftd_fuzz::now(),
    );
    assert!(findings.len() <= before);
    assert_eq!(summary.ignored.findings, before - findings.len());
    for ignored in &applied.ignored {
        assert!(ignored.rule.source.starts_with(".driftignore:"));
    }
});
