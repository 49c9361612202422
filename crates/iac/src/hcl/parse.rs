//! Finding and parsing a module directory's files, and sorting its top-level blocks by role.
//!
//! Files are read by [`fastparse`](super::fastparse) straight into hcl-rs's plain structure when
//! they stay within the common subset it reads; otherwise (and for every syntax error) by hcl-rs's
//! editing parser (`hcl::edit`), which keeps spans, so that every block knows its line and every
//! syntax error its line and column, and whose body is then converted to the plain structure for
//! evaluation. A directory's files are parsed on all cores.

use super::prepare::DuplicateKey;
use super::{HclError, SourcePos};
use ::hcl::edit::Span as _;
use ::hcl::{Attribute, Block, Structure};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A block or attribute with where it was declared.
pub(crate) struct Located<T> {
    pub item: T,
    pub pos: SourcePos,
}

/// One module directory's declarations, in file order (files sorted by name).
#[derive(Default)]
pub(crate) struct ModuleSource {
    /// The directory as given, for `path.module` and for naming files.
    pub dir: PathBuf,
    pub variables: Vec<Located<Block>>,
    /// Every attribute of every `locals` block.
    pub locals: Vec<Located<Attribute>>,
    pub resources: Vec<Located<Block>>,
    pub modules: Vec<Located<Block>>,
    pub providers: Vec<Located<Block>>,
    /// `backend` blocks found inside `terraform` blocks.
    pub backends: Vec<Located<Block>>,
    /// What was read but set aside (an expression Terraform would reject), `file:line:col: ...`.
    pub warnings: Vec<String>,
}

/// Reads and parses every `*.tf` file directly in `dir`.
pub(crate) fn read_module_dir(dir: &Path) -> Result<ModuleSource, HclError> {
    let shown = dir.display().to_string();
    let entries = fs::read_dir(dir).map_err(|e| HclError::Read {
        path: shown.clone(),
        reason: io_reason(&e),
    })?;
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| HclError::Read {
            path: shown.clone(),
            reason: io_reason(&e),
        })?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // Editor backups and hidden files are not configuration, as for Terraform.
        if name.ends_with(".tf") && !name.starts_with('.') && path.is_file() {
            files.push(path);
        }
    }
    if files.is_empty() {
        return Err(HclError::NoConfig { dir: shown });
    }
    files.sort();
    let parsed = parse_all(&files)?;
    let mut module = ModuleSource {
        dir: dir.to_path_buf(),
        ..ModuleSource::default()
    };
    for file in parsed {
        file.sort_into(&mut module);
    }
    Ok(module)
}

/// A parsed file: its top-level structures, each with its line.
struct ParsedFile {
    display: Arc<str>,
    structures: Vec<(Structure, usize)>,
    warnings: Vec<String>,
}

impl ParsedFile {
    fn sort_into(self, module: &mut ModuleSource) {
        module.warnings.extend(self.warnings);
        for (structure, line) in self.structures {
            let pos = SourcePos {
                file: self.display.to_string(),
                line,
            };
            let Structure::Block(block) = structure else {
                // Terraform rejects top-level attributes; nothing to read from them.
                continue;
            };
            match block.identifier.as_str() {
                "variable" => module.variables.push(Located { item: block, pos }),
                "resource" => module.resources.push(Located { item: block, pos }),
                "module" => module.modules.push(Located { item: block, pos }),
                "provider" => module.providers.push(Located { item: block, pos }),
                "locals" => {
                    for inner in block.body {
                        if let Structure::Attribute(attr) = inner {
                            module.locals.push(Located {
                                item: attr,
                                pos: pos.clone(),
                            });
                        }
                    }
                }
                "terraform" => {
                    for inner in block.body {
                        if let Structure::Block(inner) = inner {
                            if inner.identifier.as_str() == "backend" {
                                module.backends.push(Located {
                                    item: inner,
                                    pos: pos.clone(),
                                });
                            }
                        }
                    }
                }
                // data, output, moved, import, check: nothing to compare.
                _ => {}
            }
        }
    }
}

fn parse_all(files: &[PathBuf]) -> Result<Vec<ParsedFile>, HclError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len());
    if threads <= 1 {
        return files.iter().map(|f| read_and_parse(f)).collect();
    }
    // Contiguous chunks keep the result in file order.
    let chunk = files.len().div_ceil(threads);
    let limits = super::current_limits();
    let results: Vec<Result<Vec<ParsedFile>, HclError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                std::thread::Builder::new()
                    .name("driftd-hcl-parse".into())
                    .stack_size(super::LOAD_STACK)
                    .spawn_scoped(scope, move || {
                        super::with_limits(limits, || {
                            part.iter().map(|f| read_and_parse(f)).collect()
                        })
                    })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(HclError::Invalid {
                        path: String::new(),
                        message: "internal error: parser thread panicked".into(),
                    })
                }),
                Err(e) => Err(HclError::Invalid {
                    path: String::new(),
                    message: format!("cannot start a parser thread: {e}"),
                }),
            })
            .collect()
    });
    let mut out = Vec::with_capacity(files.len());
    for part in results {
        out.extend(part?);
    }
    Ok(out)
}

fn read_and_parse(path: &Path) -> Result<ParsedFile, HclError> {
    let display = path.display().to_string();
    let text = read_text(path)?;
    parse_text(&text, &display)
}

/// Reads a file as UTF-8 text, refusing one larger than the load's `max_file_bytes`.
pub(crate) fn read_text(path: &Path) -> Result<String, HclError> {
    let read_error = |e: std::io::Error| HclError::Read {
        path: path.display().to_string(),
        reason: io_reason(&e),
    };
    let file = fs::File::open(path).map_err(read_error)?;
    let max = super::current_limits().max_file_bytes;
    let mut bytes = Vec::new();
    // Read one byte past the limit to tell "at the limit" from "over it" without trusting the
    // size the file system reports (a pipe or /proc file has none).
    std::io::Read::read_to_end(&mut std::io::Read::take(file, max + 1), &mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > max {
        return Err(HclError::Limit {
            path: path.display().to_string(),
            line: 1,
            message: format!(
                "larger than the limit of {max} bytes for one file; if that is intended, raise \
                 `max_file_bytes` in the target's `[target.limits]` (driftd.toml)"
            ),
        });
    }
    String::from_utf8(bytes).map_err(|e| HclError::Invalid {
        path: path.display().to_string(),
        message: format!(
            "not UTF-8 text (invalid byte at offset {}): Terraform files must be UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Parses one file's text; `display` names it in errors and positions.
///
/// The fast parser reads most code; what it does not accept (or a syntax error) goes through
/// hcl-edit. Debug builds parse every file both ways and check that they agree.
fn parse_text(text: &str, display: &str) -> Result<ParsedFile, HclError> {
    let stripped = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(fast) = super::fastparse::parse(stripped) {
        let mut lines = LineCounter::new(stripped);
        let starts: Vec<usize> = fast.iter().map(|(_, at)| lines.line_at(*at)).collect();
        let mut plain = ::hcl::Body(fast.into_iter().map(|(s, _)| s).collect());
        super::prepare::prepare_body(&mut plain);
        #[cfg(debug_assertions)]
        if let Err(what) = compare_with_slow(text, display, &plain, &starts) {
            panic!("{what}");
        }
        return Ok(ParsedFile {
            display: Arc::from(display),
            structures: plain.into_iter().zip(starts).collect(),
            warnings: Vec::new(),
        });
    }
    parse_text_slow(text, display)
}

/// Checks what the fast parser made of `text` against hcl-edit's reading of it.
fn compare_with_slow(
    text: &str,
    display: &str,
    plain: &::hcl::Body,
    starts: &[usize],
) -> Result<(), String> {
    let slow = parse_text_slow(text, display)
        .map_err(|e| format!("{display}: the fast parser accepted what hcl-edit refuses: {e}"))?;
    let slow_lines: Vec<usize> = slow.structures.iter().map(|(_, l)| *l).collect();
    let slow_body = ::hcl::Body(slow.structures.into_iter().map(|(s, _)| s).collect());
    for (i, (fast, slow)) in plain.iter().zip(slow_body.iter()).enumerate() {
        if fast != slow {
            return Err(format!(
                "{display}: structure {i} (line {}) differs:\n  fast:     {fast:?}\n  hcl-edit: \
                 {slow:?}",
                starts.get(i).copied().unwrap_or(0)
            ));
        }
    }
    if plain.0.len() != slow_body.0.len() {
        return Err(format!(
            "{display}: {} structures from the fast parser, {} from hcl-edit",
            plain.0.len(),
            slow_body.0.len()
        ));
    }
    if starts != slow_lines {
        return Err(format!(
            "{display}: block lines differ: fast {starts:?}, hcl-edit {slow_lines:?}"
        ));
    }
    Ok(())
}

/// How the fast parser and hcl-edit compare on one file's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Differential {
    /// The fast parser left the text to hcl-edit (outside its subset, or a syntax error).
    Deferred,
    /// Both read it, to the same structures on the same lines.
    Same,
    /// They differ; the text says where and how.
    Differs(String),
}

/// Parses `text` with the fast parser and with hcl-edit and compares the results (after the
/// same preparation), as the differential test and `scripts/corpus` do on whole corpora.
pub fn differential(text: &str, display: &str) -> Differential {
    let stripped = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(fast) = super::fastparse::parse(stripped) else {
        return Differential::Deferred;
    };
    let mut lines = LineCounter::new(stripped);
    let starts: Vec<usize> = fast.iter().map(|(_, at)| lines.line_at(*at)).collect();
    let mut plain = ::hcl::Body(fast.into_iter().map(|(s, _)| s).collect());
    super::prepare::prepare_body(&mut plain);
    match compare_with_slow(text, display, &plain, &starts) {
        Ok(()) => Differential::Same,
        Err(what) => Differential::Differs(what),
    }
}

/// [`parse_text`] with hcl-edit.
fn parse_text_slow(text: &str, display: &str) -> Result<ParsedFile, HclError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (body, duplicates) = parse_body_lenient(text, display)?;
    let mut lines = LineCounter::new(text);
    let starts: Vec<usize> = body
        .iter()
        .map(|s| s.span().map_or(0, |span| lines.line_at(span.start)))
        .collect();
    let mut plain: ::hcl::Body = body.into();
    let mut warnings = Vec::new();
    if !duplicates.is_empty() {
        super::prepare::set_aside_duplicates(&mut plain, &duplicates);
        warnings.extend(duplicates.iter().map(|d| {
            format!(
                "{}: an object defines the key `{}` twice; Terraform rejects that expression, \
                 so driftd does not evaluate it (remove one of the two)",
                d.at, d.key
            )
        }));
    }
    super::prepare::prepare_body(&mut plain);
    Ok(ParsedFile {
        display: Arc::from(display),
        structures: plain.into_iter().zip(starts).collect(),
        warnings,
    })
}

/// The most duplicate object keys one file may have before it is an error.
const MAX_DUPLICATE_KEYS: usize = 64;

/// hcl-edit refuses a whole file for an object constructor that defines a key twice, while
/// Terraform only fails the expression that holds it. So such a key is renamed in a copy of the
/// text (to a marker no one writes) and the file parsed again; the caller then sets aside the
/// objects holding a marker, which evaluate as unknown with the reason.
fn parse_body_lenient(
    text: &str,
    display: &str,
) -> Result<(::hcl::edit::structure::Body, Vec<DuplicateKey>), HclError> {
    let mut copy: Option<String> = None;
    let mut duplicates = Vec::new();
    loop {
        let current = copy.as_deref().unwrap_or(text);
        let err = match ::hcl::edit::parser::parse_body(current) {
            Ok(body) => return Ok((body, duplicates)),
            Err(err) => err,
        };
        let syntax = || syntax_error(&err, display);
        if !err.message().contains("redefined object key") || duplicates.len() >= MAX_DUPLICATE_KEYS
        {
            return Err(syntax());
        }
        let offset = err.location().offset();
        let Some((start, end, key)) = key_at(current, offset) else {
            return Err(syntax());
        };
        let marker = format!("driftd-duplicate-{}", duplicates.len());
        duplicates.push(DuplicateKey {
            marker: marker.clone(),
            key,
            at: format!(
                "{display}:{}:{}",
                err.location().line(),
                err.location().column()
            ),
        });
        let mut next = String::with_capacity(current.len() + marker.len());
        next.push_str(&current[..start]);
        next.push_str(&marker);
        next.push_str(&current[end..]);
        copy = Some(next);
    }
}

/// The object key starting at `offset`: an identifier, or the inside of a plain quoted string.
/// Returns the byte range to replace and the key's text.
fn key_at(text: &str, offset: usize) -> Option<(usize, usize, String)> {
    let rest = text.get(offset..)?;
    if let Some(quoted) = rest.strip_prefix('"') {
        let end = quoted.find(['"', '\\', '$', '%', '\n'])?;
        if quoted.as_bytes().get(end) != Some(&b'"') {
            return None;
        }
        return Some((offset + 1, offset + 1 + end, quoted[..end].to_string()));
    }
    let len = rest
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-'))
        .map_or(rest.len(), |(i, _)| i);
    (len > 0).then(|| (offset, offset + len, rest[..len].to_string()))
}

fn syntax_error(err: &::hcl::edit::parser::Error, display: &str) -> HclError {
    HclError::Syntax {
        path: display.to_string(),
        line: err.location().line(),
        column: err.location().column(),
        // Cut to a length a report can hold, without control bytes.
        message: driftd_core::provider::bounded_reason(err.message()),
    }
}

pub(crate) fn parse_body(
    text: &str,
    display: &str,
) -> Result<::hcl::edit::structure::Body, HclError> {
    // Editors on Windows may save with a byte order mark, which is not HCL.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    ::hcl::edit::parser::parse_body(text).map_err(|e| syntax_error(&e, display))
}

/// Line numbers for increasing byte offsets, counting each newline once.
struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line += self.text[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line
    }
}

/// The attributes of a `.tfvars` file (HCL) in file order.
pub(crate) fn read_tfvars(path: &Path, display: &str) -> Result<Vec<Attribute>, HclError> {
    let text = read_text(path)?;
    let body: ::hcl::Body = parse_body(&text, display)?.into();
    Ok(body
        .into_iter()
        .filter_map(|s| match s {
            Structure::Attribute(a) => Some(a),
            Structure::Block(_) => None,
        })
        .collect())
}

/// The OS's description of an I/O error without the `(os error N)` suffix.
pub(crate) fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => text[..at].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_know_their_line() {
        let text = "# comment\n\nresource \"a\" \"b\" {\n  x = 1\n}\n\nvariable \"v\" {}\n";
        let file = parse_text(text, "main.tf").expect("parses");
        let lines: Vec<usize> = file.structures.iter().map(|(_, l)| *l).collect();
        assert_eq!(lines, vec![3, 7]);
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse_text("resource \"a\" \"b\" {\n  x = \n}\n", "dir/main.tf")
            .err()
            .expect("fails");
        let text = err.to_string();
        assert!(text.starts_with("dir/main.tf:"), "{text}");
        match err {
            HclError::Syntax { line, column, .. } => assert!(line >= 2 && column >= 1),
            other => panic!("{other}"),
        }
    }
}
