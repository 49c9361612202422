//! `[[ignore]]` rules as the config holds them: TOML text deserialized into `IgnoreConfig`s,
//! compiled (globs, expiry dates), then applied to findings. Never a panic.
#![no_main]

use driftd_core::ignore::{ConfigRule, Expiry, IgnoreConfig, IgnoreSet};
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
    driftd_fuzz::apply_and_check(&set, text, "driftd.toml: ignore[");
});
