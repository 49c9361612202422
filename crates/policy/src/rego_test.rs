//! `driftd policy test`: the Rego unit tests of a policy directory, as `opa test` runs them.
//!
//! A test is a rule whose name starts with `test_` in a `*_test.rego` file (the files a scan
//! leaves out); it passes when it evaluates to `true`. Tests see the config's policies and the
//! built-in pack's settings, and give a resource with `with input as {...}`.

use crate::{add_policy, eval_error, io_reason, PolicyError, PolicySet, MAX_FILES};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What one test gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// The rule is false or undefined.
    Fail,
    /// The rule could not be evaluated (a runtime error, the time limit), with the reason.
    Error(String),
}

/// One test rule and its outcome.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The `*_test.rego` file, as found under the path given.
    pub file: String,
    /// `data.<package>.<rule>`.
    pub name: String,
    pub outcome: Outcome,
    pub micros: u128,
}

/// The test files under `path` (a file or a directory, walked): `*_test.rego` and
/// `*_test.json` (recorded inputs with the violations they must give), each list sorted.
pub fn test_files(path: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), PolicyError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| PolicyError::Read {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    let mut rego = Vec::new();
    let mut json = Vec::new();
    let mut sort = |p: PathBuf| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with("_test.rego") {
            rego.push(p);
        } else if name.ends_with("_test.json") {
            json.push(p);
        }
    };
    if meta.is_file() {
        sort(path.to_path_buf());
    } else {
        let mut dirs = vec![path.to_path_buf()];
        let mut seen = 0usize;
        while let Some(dir) = dirs.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| PolicyError::Read {
                path: dir.display().to_string(),
                reason: io_reason(&e),
            })?;
            for entry in entries.flatten() {
                let Ok(kind) = entry.file_type() else {
                    continue;
                };
                seen += 1;
                if seen > MAX_FILES * 10 {
                    return Err(PolicyError::Invalid {
                        path: shown,
                        message: "too many files to look for tests in: name the policy \
                                  directories"
                            .into(),
                    });
                }
                if kind.is_dir() {
                    dirs.push(entry.path());
                } else {
                    sort(entry.path());
                }
            }
        }
    }
    rego.sort();
    json.sort();
    Ok((rego, json))
}

/// The names of the rules that start with `test_` at the start of a line of `text` (where
/// `opa fmt` and every style guide put rule heads), in order, without repeats.
fn test_rule_names(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.lines() {
        if !line.starts_with("test_") {
            continue;
        }
        let name: String = line
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

impl PolicySet {
    /// Adds the test files to the loaded policies and runs every test rule in them.
    pub fn run_tests(&mut self, files: &[PathBuf]) -> Result<Vec<TestResult>, PolicyError> {
        crate::guard::on_big_stack(|| self.run_tests_here(files))
    }

    fn run_tests_here(&mut self, files: &[PathBuf]) -> Result<Vec<TestResult>, PolicyError> {
        let mut tests = Vec::new();
        for path in files {
            let shown = path.display().to_string();
            let text = crate::read(path)?;
            let package = add_policy(&mut self.engine, &shown, text.clone())?;
            for rule in test_rule_names(&text) {
                if self
                    .engine
                    .has_declared_rule_rooted_at(&shown, &rule)
                    .unwrap_or(false)
                {
                    tests.push((shown.clone(), format!("{package}.{rule}")));
                }
            }
        }
        let mut out = Vec::new();
        for (file, name) in tests {
            // A test gives its own input (`with input as`); none is set otherwise, as in OPA.
            self.engine.set_input(regorus::Value::Undefined);
            let start = Instant::now();
            let engine = &mut self.engine;
            let value = crate::guard::contained(|| {
                engine
                    .eval_rule(name.clone())
                    .map_err(|e| eval_error(&e.to_string()))
            });
            let outcome = match value {
                Ok(regorus::Value::Bool(true)) => Outcome::Pass,
                Ok(_) => Outcome::Fail,
                Err(e) => Outcome::Error(e),
            };
            out.push(TestResult {
                file,
                name,
                outcome,
                micros: start.elapsed().as_micros(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PolicyOptions, PolicySource};

    #[test]
    fn rule_names_are_read_from_line_starts() {
        let text = "package p\n\ntest_a if {\n  true\n}\ntest_b := true\n  test_c if true\n\
                    test_a if { false }\n# test_d\n";
        assert_eq!(test_rule_names(text), vec!["test_a", "test_b"]);
    }

    /// Tests see the policy under test and the built-in pack's settings, give inputs with
    /// `with input as`, and report pass, fail and runtime errors apart.
    #[test]
    fn tests_pass_fail_and_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(
            dir.path().join("sizes.rego"),
            "package sizes\n\ndeny contains msg if {\n  input.type == \"aws_instance\"\n  \
             input.attributes.instance_type == \"x1e.32xlarge\"\n  msg := \"too big\"\n}\n",
        )
        .expect("write policy");
        std::fs::write(
            dir.path().join("sizes_test.rego"),
            "package sizes_test\n\nimport data.sizes\n\n\
             test_big_is_denied if {\n  \"too big\" in sizes.deny with input as \
             {\"type\": \"aws_instance\", \"attributes\": {\"instance_type\": \"x1e.32xlarge\"}}\n}\n\n\
             test_small_is_allowed if {\n  count(sizes.deny) == 0 with input as \
             {\"type\": \"aws_instance\", \"attributes\": {\"instance_type\": \"t3.micro\"}}\n}\n\n\
             test_wrong if {\n  count(sizes.deny) == 1 with input as \
             {\"type\": \"aws_instance\", \"attributes\": {\"instance_type\": \"t3.micro\"}}\n}\n\n\
             test_settings if {\n  22 in data.driftd.settings.admin_ports\n}\n\n\
             test_broken if {\n  x := 1 / 0\n  x > 0\n}\n",
        )
        .expect("write test");
        let opts = PolicyOptions {
            sources: vec![PolicySource {
                path: dir.path().to_path_buf(),
                selector: Default::default(),
                tier: None,
                owner: None,
            }],
            ..Default::default()
        };
        let mut set = PolicySet::load(&opts).expect("loads");
        let (rego, json) = test_files(dir.path()).expect("test files");
        assert_eq!(rego.len(), 1);
        assert!(json.is_empty());
        let results = set.run_tests(&rego).expect("runs");
        let got: Vec<(String, Outcome)> = results
            .iter()
            .map(|r| {
                let outcome = match &r.outcome {
                    Outcome::Error(_) => Outcome::Error(String::new()),
                    o => o.clone(),
                };
                (r.name.clone(), outcome)
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "data.sizes_test.test_big_is_denied".to_string(),
                    Outcome::Pass
                ),
                (
                    "data.sizes_test.test_small_is_allowed".to_string(),
                    Outcome::Pass
                ),
                ("data.sizes_test.test_wrong".to_string(), Outcome::Fail),
                ("data.sizes_test.test_settings".to_string(), Outcome::Pass),
                (
                    "data.sizes_test.test_broken".to_string(),
                    Outcome::Error(String::new())
                ),
            ]
        );
        match &results[4].outcome {
            Outcome::Error(reason) => assert!(reason.contains("sizes_test.rego"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
