//! `read_states` against a real directory tree: files, directories, glob patterns, deduplication,
//! ordering, and the errors for locations that match nothing.

use driftd_iac::{read_states, StateError};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/tfstate")
        .join(name)
}

/// A project directory:
/// ```text
/// states/prod.tfstate        (simple)
/// states/staging.tfstate     (modules)
/// states/prod.tfstate.backup (simple, never read)
/// states/notes.txt
/// states/eu/prod.tfstate     (simple)
/// states/.terraform/terraform.tfstate (v3: a backend settings file, never read)
/// ```
fn project() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let states = dir.path().join("states");
    fs::create_dir_all(states.join("eu")).expect("mkdir");
    fs::create_dir_all(states.join(".terraform")).expect("mkdir");
    let copy = |from: &str, to: &Path| {
        fs::copy(fixture(from), to).expect("copy fixture");
    };
    copy("simple.tfstate", &states.join("prod.tfstate"));
    copy("modules.tfstate", &states.join("staging.tfstate"));
    copy("simple.tfstate", &states.join("prod.tfstate.backup"));
    copy("simple.tfstate", &states.join("eu/prod.tfstate"));
    copy("v3.tfstate", &states.join(".terraform/terraform.tfstate"));
    fs::write(states.join("notes.txt"), "not a state").expect("write");
    dir
}

fn read(locations: &[&str], base: &Path) -> Result<Vec<String>, StateError> {
    let locations: Vec<String> = locations.iter().map(|l| l.to_string()).collect();
    Ok(read_states(&locations, base)?
        .into_iter()
        .map(|s| s.path)
        .collect())
}

#[test]
fn a_file_is_read_as_written() {
    let dir = project();
    let states = read_states(&["states/prod.tfstate".to_string()], dir.path()).expect("reads");
    assert_eq!(states.len(), 1);
    assert_eq!(states[0].path, "states/prod.tfstate");
    assert_eq!(states[0].resources.len(), 5);
    assert_eq!(
        states[0].resources[0].source.as_deref(),
        Some("states/prod.tfstate")
    );
}

#[test]
fn a_directory_gives_its_tfstate_files_directly_inside_sorted() {
    let dir = project();
    assert_eq!(
        read(&["states"], dir.path()).expect("reads"),
        vec!["states/prod.tfstate", "states/staging.tfstate"]
    );
    assert_eq!(
        read(&["states/"], dir.path()).expect("reads"),
        vec!["states/prod.tfstate", "states/staging.tfstate"]
    );
}

#[test]
fn glob_patterns_match_below_the_base_and_skip_hidden_directories() {
    let dir = project();
    assert_eq!(
        read(&["states/*.tfstate"], dir.path()).expect("reads"),
        vec!["states/prod.tfstate", "states/staging.tfstate"]
    );
    assert_eq!(
        read(&["states/**/*.tfstate"], dir.path()).expect("reads"),
        vec![
            "states/eu/prod.tfstate",
            "states/prod.tfstate",
            "states/staging.tfstate"
        ]
    );
    assert_eq!(
        read(&["states/*/prod.tfstate"], dir.path()).expect("reads"),
        vec!["states/eu/prod.tfstate"]
    );
    assert_eq!(
        read(&["**/prod.tfstate"], dir.path()).expect("reads"),
        vec!["states/eu/prod.tfstate", "states/prod.tfstate"]
    );
    assert_eq!(
        read(&["states/pro?.tfstate"], dir.path()).expect("reads"),
        vec!["states/prod.tfstate"]
    );
}

#[test]
fn absolute_locations_ignore_the_base() {
    let dir = project();
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let pattern = format!("{}/states/*.tfstate", dir.path().display());
    let got = read(&[&pattern], elsewhere.path()).expect("reads");
    assert_eq!(
        got,
        vec![
            format!("{}/states/prod.tfstate", dir.path().display()),
            format!("{}/states/staging.tfstate", dir.path().display()),
        ]
    );
}

#[test]
fn a_file_matched_twice_is_read_once() {
    let dir = project();
    let got = read(
        &[
            "states/prod.tfstate",
            "states",
            "states/*.tfstate",
            "./states/prod.tfstate",
            "states/eu/../prod.tfstate",
        ],
        dir.path(),
    )
    .expect("reads");
    assert_eq!(got, vec!["states/prod.tfstate", "states/staging.tfstate"]);
}

#[test]
fn a_location_matching_nothing_is_an_error_naming_it() {
    let dir = project();
    let e = read(&["states/prod.tfstate", "other/*.tfstate"], dir.path())
        .expect_err("no match")
        .to_string();
    assert!(
        e.starts_with(&format!(
            "no state file matches `other/*.tfstate` (resolved from {})",
            dir.path().display()
        )),
        "{e}"
    );
    for location in ["states/none.tfstate", "states/*.json", "missing-dir", ""] {
        let e = read(&[location], dir.path())
            .expect_err("no match")
            .to_string();
        assert!(
            e.contains(&format!("no state file matches `{location}`")),
            "{e}"
        );
    }
    // A directory without state files matches nothing either.
    fs::create_dir(dir.path().join("empty")).expect("mkdir");
    assert!(matches!(
        read(&["empty"], dir.path()),
        Err(StateError::NoMatch { .. })
    ));
}

#[test]
fn an_invalid_pattern_is_an_error() {
    let dir = project();
    let e = read(&["states/[.tfstate"], dir.path())
        .expect_err("bad pattern")
        .to_string();
    assert!(
        e.starts_with("invalid glob pattern `states/[.tfstate`"),
        "{e}"
    );
}

#[test]
fn a_bad_file_among_good_ones_is_an_error_naming_it() {
    let dir = project();
    fs::copy(
        fixture("truncated.tfstate"),
        dir.path().join("states/broken.tfstate"),
    )
    .expect("copy");
    let e = read(&["states"], dir.path())
        .expect_err("broken file")
        .to_string();
    assert!(
        e.starts_with("states/broken.tfstate: truncated JSON (file ends at line"),
        "{e}"
    );
    // Hidden directories are searched when the location names them.
    for location in [
        "states/.terraform/terraform.tfstate",
        "states/.terraform",
        "states/.*/*.tfstate",
    ] {
        let e = read(&[location], dir.path()).expect_err("v3").to_string();
        assert!(
            e.starts_with(
                "states/.terraform/terraform.tfstate: unsupported state format version 3"
            ),
            "{location}: {e}"
        );
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_is_an_error_not_a_silent_gap() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project();
    let locked = dir.path().join("states/locked");
    fs::create_dir(&locked).expect("mkdir");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).expect("chmod");
    // Root reads anything: the test only means something for other users.
    let readable = fs::read_dir(&locked).is_ok();
    let result = read(&["states/**/*.tfstate"], dir.path());
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).expect("chmod back");
    if readable {
        return;
    }
    let e = result.expect_err("unreadable").to_string();
    assert!(
        e.starts_with("states/locked: cannot list directory: Permission denied"),
        "{e}"
    );
}
