//! Path and file functions. `basename`, `dirname` and `pathexpand` of a path without `~` are
//! pure string work. `file` and `fileexists` read files inside the root module's directory tree
//! (`templatefile` is in `eval`, which renders templates); other file functions (`filemd5`,
//! `fileset`...), and files outside that tree, make the attribute unknown with the reason.
//! `abspath` and `pathexpand("~/...")` depend on the machine Terraform runs on, likewise
//! unknown.

use super::strings::string;
use super::{apply_time, FnResult};
use ::hcl::eval::FuncArgs;
use ::hcl::Value;

/// The last element of a path, as Go's `filepath.Base` on a Unix system.
pub(super) fn basename(args: FuncArgs) -> FnResult {
    let p = string(&args, 0, "basename")?;
    if p.is_empty() {
        return Ok(Value::from("."));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(Value::from("/"));
    }
    Ok(Value::from(
        trimmed.rsplit('/').next().unwrap_or(trimmed).to_string(),
    ))
}

/// Everything but the last element of a path, cleaned, as Go's `filepath.Dir` on Unix.
pub(super) fn dirname(args: FuncArgs) -> FnResult {
    let p = string(&args, 0, "dirname")?;
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    Ok(Value::from(clean(dir)))
}

/// A path with repeated slashes, `.` elements and `dir/..` pairs removed (Go's `path.Clean`).
fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

pub(super) fn pathexpand(args: FuncArgs) -> FnResult {
    let p = string(&args, 0, "pathexpand")?;
    if p == "~" || p.starts_with("~/") {
        return Err(apply_time(
            "the home directory of the machine running Terraform",
        ));
    }
    Ok(Value::from(p))
}

pub(super) fn abspath(_: FuncArgs) -> FnResult {
    Err(apply_time("the directory Terraform runs in"))
}

/// `file(path)`: the file's text, when it is inside the root module's directory tree.
pub(super) fn file(args: FuncArgs) -> FnResult {
    let p = string(&args, 0, "file")?;
    super::super::read_code_file(&p)
        .map(Value::from)
        .map_err(|why| unreadable(&why))
}

/// A file that is there but not read (outside the tree) makes the value unknown; a file that
/// is not there is an error, as in Terraform (`try(file(...), ...)` moves on).
fn unreadable(why: &str) -> String {
    if why.contains("outside the root module") || why.contains("no root module") {
        apply_time(why)
    } else {
        why.to_string()
    }
}

/// `fileexists(path)`: whether a file is there, inside the root module's directory tree.
pub(super) fn fileexists(args: FuncArgs) -> FnResult {
    let p = string(&args, 0, "fileexists")?;
    match super::super::read_code_file(&p) {
        Ok(_) => Ok(Value::Bool(true)),
        Err(why) if why.contains("No such file") || why.contains("not found") => {
            Ok(Value::Bool(false))
        }
        Err(why) => Err(unreadable(&why)),
    }
}

/// Every function that reads files: unknown, with the reason.
pub(super) fn reads_files(_: FuncArgs) -> FnResult {
    Err(apply_time(
        "files on the machine running Terraform (driftd does not read files from code)",
    ))
}
