//! `[[ignore]]` rules as the config holds them: TOML text deserialized into `IgnoreConfig`s,
//! compiled (globs, expiry dates), then applied to findings. Never a panic.
#![no_main]

use driftd_core::ignore::{ConfigRule, Expiry, IgnoreConfig, IgnoreSet};
use driftd_core::Summary;
use libfuzzer_sys::fuzz_target;
use serde::Deserialize;

#[derive(Deserialize)]
struct Config {
    #[serde(default)]
    ignore: Vec<IgnoreConfig>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Expiry dates are also read on their own (`driftd validate`, the TOML string form).
    for line in text.lines().take(16) {
        let _ = Expiry::parse(line);
    }
    let Ok(config) = toml::from_str::<Config>(text) else {
        return;
    };
    let mut rules = Vec::new();
    for (i, c) in config.ignore.iter().enumerate() {
        std::hint::black_box(c.describe());
        match ConfigRule::compile(c, format!("driftd.toml: ignore[{}]", i + 1)) {
            Ok(rule) => rules.push(rule),
            Err(message) => assert!(!message.is_empty()),
        }
    }
    let set = IgnoreSet::new(".driftignore", vec![], rules);
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
        assert!(ignored.rule.source.starts_with("driftd.toml: ignore["));
    }
});
