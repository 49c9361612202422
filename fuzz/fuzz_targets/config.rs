//! `driftd.toml` through `driftd::config::Config::load`, as `driftd check`, `validate` and the
//! daemon read it: strict TOML parsing, then every `problems()` check (targets and their
//! providers, backends, runners, schedules, `[[classify]]`, `[[ignore]]` and ignore files,
//! channels, routes, `[notify]`, `[web]`). Never a panic and never a hang; every error names
//! the file (driftd.toml, or the ignore file it is about); on a config that loads, what was
//! validated compiles (ignore sets, schedules) and a schedule's next ticks come in order.
//!
//! `Config::load` reads a file, so the input is written to `config/driftd.toml` in a directory
//! under `$TMPDIR` (one per fuzzing process) that also holds the files the repository's
//! configs name (`../tests/fixtures/tfstate/simple.tfstate`, `a.tfstate`, `states/`,
//! `infra/`...), so that seeds reach the checks past "no such file". Inputs with a glob outside
//! that directory, or naming `/dev`, `/proc` or `/sys`, are skipped: walking the machine's
//! directories or reading a device tests the machine the fuzzer runs on, not the text. `CONFIG_TRACE=1 BINARY FILE...` prints
//! whether each input loaded, or its error.
#![no_main]

use chrono::{DateTime, Utc};
use driftd::config::Config;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

fn config_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("driftd-fuzz-config-{}", std::process::id()));
        let dir = root.join("config");
        for d in [
            "config/states",
            "config/infra",
            "config/plans",
            "tests/fixtures/tfstate",
            "examples/gcp-project",
            "examples/kubernetes",
        ] {
            std::fs::create_dir_all(root.join(d)).expect("create the config's directories");
        }
        for (f, text) in [
            ("config/a.tfstate", "{}"),
            ("config/states/web.tfstate", "{}"),
            ("config/infra/prod.tfvars", "region = \"eu-west-1\"\n"),
            ("config/plans/prod.json", "{}"),
            ("config/web.token", "s3cret\n"),
            ("config/.driftignore", "aws_instance.i-1\n"),
            ("tests/fixtures/tfstate/simple.tfstate", "{}"),
        ] {
            std::fs::write(root.join(f), text).expect("write a file the config names");
        }
        dir.join("driftd.toml")
    })
}

/// `CONFIG_TRACE=1`: whether each input loaded, or its error, on stderr (to check seeds).
fn trace() -> bool {
    static T: OnceLock<bool> = OnceLock::new();
    *T.get_or_init(|| std::env::var_os("CONFIG_TRACE").is_some())
}

/// Whether loading `text` stays in the fuzzer's directory: no string of the document is a glob
/// outside it (absolute, or `..` above it), nor names `/dev`, `/proc` or `/sys`. A text that is
/// not TOML is never looked at further.
fn sandboxed(text: &str) -> bool {
    fn escapes(path: &str) -> bool {
        if path.starts_with('/') {
            return true;
        }
        // driftd.toml is in `config/`, one level below the fuzzer's directory.
        let mut depth = 1i64;
        for part in path.split('/') {
            match part {
                ".." => depth -= 1,
                "" | "." => {}
                _ => depth += 1,
            }
            if depth < 0 {
                return true;
            }
        }
        false
    }
    fn ok(v: &toml::Value) -> bool {
        match v {
            toml::Value::String(s) => {
                let device = ["/dev", "/proc", "/sys"].iter().any(|d| s.contains(d));
                !device && !(s.contains(['*', '?', '[']) && escapes(s))
            }
            toml::Value::Array(items) => items.iter().all(ok),
            toml::Value::Table(t) => t.values().all(ok),
            _ => true,
        }
    }
    match toml::from_str::<toml::Table>(text) {
        Ok(t) => t.values().all(ok),
        Err(_) => true,
    }
}

/// A fixed instant, so that schedules do not depend on the day the fuzzer runs.
fn now() -> DateTime<Utc> {
    driftd_fuzz::now()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if !sandboxed(text) {
        return;
    }
    let path = config_path();
    std::fs::write(path, text).expect("write driftd.toml");
    let loaded = Config::load(path);
    if trace() {
        match &loaded {
            Ok(c) => eprintln!("loaded: {} target(s)", c.targets.len()),
            Err(e) => eprintln!("error: {}", driftd::chain(e)),
        }
    }
    let config = match loaded {
        Ok(config) => config,
        Err(e) => {
            // A target's ignore file's problems name that file (and the target) instead.
            let message = driftd::chain(&e);
            assert!(
                message.contains("driftd.toml")
                    || message.contains("(ignore file of target")
                    || message.contains("ignore_file `"),
                "error does not name the file: {message}"
            );
            return;
        }
    };
    std::hint::black_box(config.classify_rules().len());
    assert_eq!(
        config.select(&[]).expect("no names: every target").len(),
        config.targets.len()
    );
    for t in &config.targets {
        if let Err(errors) = t.ignore_set(&config.base_dir) {
            panic!(
                "target {:?}: an ignore set that validated does not compile: {errors:?}",
                t.name
            );
        }
        std::hint::black_box(t.limits.limits());
        let Some(expr) = &t.schedule else { continue };
        let schedule = t
            .parsed_schedule(expr)
            .unwrap_or_else(|e| panic!("target {:?}: a schedule that validated: {e}", t.name));
        let ticks = schedule.upcoming(now(), 3);
        for w in ticks.windows(2) {
            assert!(
                w[0] < w[1],
                "schedule {expr:?}: ticks out of order: {ticks:?}"
            );
        }
        if let Some(first) = ticks.first() {
            assert!(
                *first > now(),
                "schedule {expr:?}: a tick not after now: {first}"
            );
            assert!(
                schedule.jitter_for(&t.name, *first)
                    <= std::time::Duration::from_secs(t.jitter_secs)
            );
            assert!(schedule.missed(Some(now()), *first));
        }
    }
});
