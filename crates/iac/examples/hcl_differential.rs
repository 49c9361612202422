//! The fast parser against hcl-edit over whole directory trees (public module repositories,
//! say): prints how many files each parser read alike, how many the fast parser left to
//! hcl-edit, and every file where they differ. Exits 1 if any differ.
//!
//! `cargo run -p driftd-iac --example hcl_differential -- DIR...`

use driftd_iac::hcl::{differential, Differential};
use std::path::{Path, PathBuf};

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !name.starts_with('.') {
                tf_files(&path, out);
            }
        } else if name.ends_with(".tf") {
            out.push(path);
        }
    }
}

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: hcl_differential DIR...");
        std::process::exit(1);
    }
    println!(
        "{:<40} {:>6} {:>6} {:>9} {:>7}",
        "tree", "files", "alike", "deferred", "differ"
    );
    let mut any_differ = false;
    for dir in &dirs {
        let mut files = Vec::new();
        tf_files(Path::new(dir), &mut files);
        let (mut alike, mut deferred, mut differs) = (0, 0, Vec::new());
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            match differential(&text, &file.display().to_string()) {
                Differential::Same => alike += 1,
                Differential::Deferred => deferred += 1,
                Differential::Differs(what) => differs.push(what),
            }
        }
        let name = Path::new(dir)
            .file_name()
            .map_or(dir.clone(), |n| n.to_string_lossy().into_owned());
        println!(
            "{:<40} {:>6} {:>6} {:>9} {:>7}",
            name,
            files.len(),
            alike,
            deferred,
            differs.len()
        );
        for what in &differs {
            eprintln!("{what}\n");
        }
        any_differ |= !differs.is_empty();
    }
    std::process::exit(i32::from(any_differ));
}
