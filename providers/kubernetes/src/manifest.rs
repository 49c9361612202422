//! Reading definitions: plain YAML/JSON manifests (multi-document files, directories, globs)
//! and the output of a render command (`kustomize build`, `helm template`).
//!
//! Every object is identified by group, version, kind, namespace and name. The target's default
//! namespace is applied to objects of namespaced kinds that do not name one; which kinds are
//! cluster-scoped is known for the built-in kinds, read from CustomResourceDefinitions found in
//! the same manifests, and can be extended by the target (see [`ManifestSettings`]).
//!
//! Errors name the file (or the render command) and the document's position in it, and never
//! quote document content: a Secret's values must not reach a log line.

use crate::canon::ObjectId;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncReadExt;

/// One object read from the definitions.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestObject {
    pub id: ObjectId,
    /// Where it was read: `manifests/app.yaml#2` (the second document), or the render command.
    pub source: String,
    /// The object as written.
    pub body: Value,
}

/// Where a target's definitions come from.
#[derive(Debug, Clone, Default)]
pub struct ManifestSettings {
    /// Files, directories (read recursively: `*.yaml`, `*.yml`, `*.json`) and glob patterns,
    /// relative to `base_dir`.
    pub paths: Vec<String>,
    /// A command whose standard output is a YAML stream of objects.
    pub render: Option<RenderCommand>,
    /// Applied to namespaced objects that name no namespace. `default` when unset.
    pub default_namespace: Option<String>,
    /// Extra cluster-scoped kinds (`Kind` or `Kind.group`), for custom resources whose
    /// CustomResourceDefinition is not among the manifests.
    pub cluster_scoped_kinds: Vec<String>,
    /// Base for relative paths and the render command's working directory.
    pub base_dir: PathBuf,
}

/// A render command, run without a shell.
#[derive(Debug, Clone)]
pub struct RenderCommand {
    /// Program and arguments: `["kustomize", "build", "overlays/prod"]`.
    pub argv: Vec<String>,
    pub timeout: Duration,
}

impl RenderCommand {
    fn display(&self) -> String {
        self.argv.join(" ")
    }
}

/// Why the definitions could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("`{pattern}` is not a valid glob pattern: {message}")]
    Glob { pattern: String, message: String },
    #[error("`{pattern}` matches no manifest file; check the path in `manifests`")]
    NoMatch { pattern: String },
    #[error("{source_name}{at}: document {doc}: not valid {format}: {message}")]
    Parse {
        source_name: String,
        /// `:LINE:COLUMN` in the file when the parser knows it, else empty.
        at: String,
        doc: usize,
        format: &'static str,
        message: String,
    },
    #[error("{source_name}, document {doc}: {message}")]
    Invalid {
        source_name: String,
        doc: usize,
        message: String,
    },
    #[error("{id} is defined twice: in {first} and in {second}")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
    #[error("render command is empty: give a program and its arguments, like [\"kustomize\", \"build\", \"overlays/prod\"]")]
    EmptyRender,
    #[error(
        "cannot start render command `{command}`: {source}; is the program installed and on PATH?"
    )]
    RenderSpawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("render command `{command}` failed ({status}): {stderr}")]
    RenderFailed {
        command: String,
        status: String,
        stderr: String,
    },
    #[error("render command `{command}` did not finish within {secs} s; raise `render_timeout_secs` or fix the command")]
    RenderTimeout { command: String, secs: u64 },
    #[error("no definitions: set `manifests` or `render` in the target")]
    Nothing,
}

/// Built-in cluster-scoped kinds, as `Kind.group` ([`crate::canon::type_name`]).
const CLUSTER_SCOPED: [&str; 22] = [
    "Namespace",
    "Node",
    "PersistentVolume",
    "ComponentStatus",
    "ClusterRole.rbac.authorization.k8s.io",
    "ClusterRoleBinding.rbac.authorization.k8s.io",
    "StorageClass.storage.k8s.io",
    "CSIDriver.storage.k8s.io",
    "CSINode.storage.k8s.io",
    "VolumeAttachment.storage.k8s.io",
    "CustomResourceDefinition.apiextensions.k8s.io",
    "APIService.apiregistration.k8s.io",
    "PriorityClass.scheduling.k8s.io",
    "IngressClass.networking.k8s.io",
    "RuntimeClass.node.k8s.io",
    "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
    "MutatingWebhookConfiguration.admissionregistration.k8s.io",
    "ValidatingAdmissionPolicy.admissionregistration.k8s.io",
    "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
    "CertificateSigningRequest.certificates.k8s.io",
    "FlowSchema.flowcontrol.apiserver.k8s.io",
    "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
];

/// Reads every definition of a target: the files, then the render command's output.
pub async fn load(settings: &ManifestSettings) -> Result<Vec<ManifestObject>, ManifestError> {
    if settings.paths.is_empty() && settings.render.is_none() {
        return Err(ManifestError::Nothing);
    }
    let mut docs: Vec<(String, usize, Value)> = Vec::new();
    let files = {
        let settings = settings.clone();
        tokio::task::spawn_blocking(move || expand_paths(&settings.paths, &settings.base_dir))
            .await
            .map_err(|e| ManifestError::Io {
                path: "manifests".into(),
                source: std::io::Error::other(e.to_string()),
            })??
    };
    for file in files {
        let text = tokio::fs::read_to_string(&file)
            .await
            .map_err(|source| ManifestError::Io {
                path: file.display().to_string(),
                source,
            })?;
        let name = display_path(&file, &settings.base_dir);
        let is_json = file.extension().is_some_and(|e| e == "json");
        docs.extend(parse_stream(&name, &text, is_json)?);
    }
    if let Some(render) = &settings.render {
        let out = run_render(render, &settings.base_dir).await?;
        docs.extend(parse_stream(
            &format!("output of `{}`", render.display()),
            &out,
            false,
        )?);
    }
    identify(docs, settings)
}

/// Reads the objects of one manifest text already in memory, as [`load`] reads one file: `name`
/// names it in errors and sources, `is_json` reads it as one JSON document instead of a YAML
/// stream. `settings` gives the default namespace and the extra cluster-scoped kinds (its paths
/// and render command are not used). For tests and the fuzz targets, which have no files.
pub fn parse_manifest_text(
    name: &str,
    text: &str,
    is_json: bool,
    settings: &ManifestSettings,
) -> Result<Vec<ManifestObject>, ManifestError> {
    identify(parse_stream(name, text, is_json)?, settings)
}

/// Paths shown in errors and findings: relative to the config's directory when inside it.
fn display_path(file: &Path, base: &Path) -> String {
    file.strip_prefix(base)
        .unwrap_or(file)
        .display()
        .to_string()
}

/// Manifest files named by `paths`, sorted and without repeats.
fn expand_paths(paths: &[String], base: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let mut out = BTreeSet::new();
    for p in paths {
        let full = base.join(p);
        let text = full.to_string_lossy().to_string();
        let is_glob = p.contains(['*', '?', '[']);
        let before = out.len();
        if is_glob {
            let entries = glob::glob(&text).map_err(|e| ManifestError::Glob {
                pattern: p.clone(),
                message: e.to_string(),
            })?;
            for entry in entries {
                let path = entry.map_err(|e| ManifestError::Io {
                    path: e.path().display().to_string(),
                    source: std::io::Error::other(e.to_string()),
                })?;
                collect(&path, &mut out, true)?;
            }
        } else {
            if !full.exists() {
                return Err(ManifestError::Io {
                    path: full.display().to_string(),
                    source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
                });
            }
            collect(&full, &mut out, false)?;
        }
        if out.len() == before {
            return Err(ManifestError::NoMatch { pattern: p.clone() });
        }
    }
    Ok(out.into_iter().collect())
}

fn is_manifest_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // A kustomization is an input of `kustomize build`, not an object.
    if matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    ) {
        return false;
    }
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
}

fn collect(p: &Path, out: &mut BTreeSet<PathBuf>, from_glob: bool) -> Result<(), ManifestError> {
    if p.is_dir() {
        let entries = std::fs::read_dir(p).map_err(|source| ManifestError::Io {
            path: p.display().to_string(),
            source,
        })?;
        for e in entries {
            let e = e.map_err(|source| ManifestError::Io {
                path: p.display().to_string(),
                source,
            })?;
            collect(&e.path(), out, true)?;
        }
    } else if !from_glob || is_manifest_file(p) {
        out.insert(p.to_path_buf());
    }
    Ok(())
}

/// Splits a YAML stream into documents at `---` lines, as `kubectl` does, so that a document's
/// number counts every separator (empty documents included).
fn split_documents(text: &str) -> Vec<(usize, String)> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut start_line = 1;
    for (i, line) in text.lines().enumerate() {
        let is_separator = line.starts_with("---")
            && line[3..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || c == '#');
        if is_separator {
            docs.push((start_line, std::mem::take(&mut current)));
            start_line = i + 2;
            // `--- {inline: doc}` keeps what follows the marker.
            current.push_str(line[3..].trim_start());
            current.push('\n');
        } else if line.trim() == "..." {
            // End of document marker: what follows belongs to the next `---`.
            continue;
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs.push((start_line, current));
    docs
}

/// Parses one file or render output into `(source, document number, object)`, expanding
/// `kind: List`. Empty documents are skipped but counted.
fn parse_stream(
    name: &str,
    text: &str,
    is_json: bool,
) -> Result<Vec<(String, usize, Value)>, ManifestError> {
    let mut out = Vec::new();
    let docs = if is_json {
        vec![(1, text.to_string())]
    } else {
        split_documents(text)
    };
    let mut number = 0;
    for (start_line, doc) in docs {
        let meaningful = doc
            .lines()
            .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'));
        if !is_json && number == 0 && !meaningful {
            // Text before the first `---` that holds nothing is not a document.
            continue;
        }
        number += 1;
        if !meaningful {
            continue;
        }
        let value: Value = if is_json {
            serde_json::from_str(&doc).map_err(|e| ManifestError::Parse {
                source_name: name.to_string(),
                at: format!(":{}:{}", e.line(), e.column()),
                doc: number,
                format: "JSON",
                // serde_json's message names line and column, never the content.
                message: e.to_string(),
            })?
        } else {
            parse_yaml(&doc, start_line).map_err(|(at, message)| ManifestError::Parse {
                source_name: name.to_string(),
                at,
                doc: number,
                format: "YAML",
                message,
            })?
        };
        if value.is_null() {
            continue;
        }
        if value.get("kind").and_then(Value::as_str) == Some("List") {
            let items = value.get("items").and_then(Value::as_array).cloned();
            for item in items.unwrap_or_default() {
                out.push((name.to_string(), number, item));
            }
        } else {
            out.push((name.to_string(), number, value));
        }
    }
    Ok(out)
}

/// Parses one YAML document the way Kubernetes reads YAML 1.1 (`0644` is octal). The error text
/// holds the position only (`:LINE:COLUMN` in the file, and a message): the parser's snippets
/// could quote a Secret.
fn parse_yaml(doc: &str, start_line: usize) -> Result<Value, (String, String)> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    options.legacy_octal_numbers = true;
    serde_saphyr::from_str_with_options::<Value>(doc, options).map_err(|e| match e.location() {
        Some(loc) => (
            format!(
                ":{}:{}",
                (start_line as u64 + loc.line()).saturating_sub(1),
                loc.column()
            ),
            "syntax error".to_string(),
        ),
        None => (
            format!(":{start_line}"),
            "syntax error in the document starting here".to_string(),
        ),
    })
}

/// Identifies every document and applies the default namespace.
fn identify(
    docs: Vec<(String, usize, Value)>,
    settings: &ManifestSettings,
) -> Result<Vec<ManifestObject>, ManifestError> {
    let mut cluster_scoped: BTreeSet<String> =
        CLUSTER_SCOPED.iter().map(|s| s.to_string()).collect();
    for k in &settings.cluster_scoped_kinds {
        cluster_scoped.insert(k.clone());
    }
    // CustomResourceDefinitions among the manifests say the scope of their kinds.
    for (_, _, v) in &docs {
        if v.get("kind").and_then(Value::as_str) == Some("CustomResourceDefinition")
            && v.pointer("/spec/scope").and_then(Value::as_str) == Some("Cluster")
        {
            if let (Some(group), Some(kind)) = (
                v.pointer("/spec/group").and_then(Value::as_str),
                v.pointer("/spec/names/kind").and_then(Value::as_str),
            ) {
                cluster_scoped.insert(crate::canon::type_name(group, kind));
            }
        }
    }
    let default_ns = settings
        .default_namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let mut seen: BTreeMap<ObjectId, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (name, doc, body) in docs {
        let invalid = |message: String| ManifestError::Invalid {
            source_name: name.clone(),
            doc,
            message,
        };
        let field = |f: &str| -> Result<String, ManifestError> {
            match body.pointer(f) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(_) => Err(invalid(format!(
                    "`{}` must be a non-empty string",
                    &f[1..].replace('/', ".")
                ))),
                None => Err(invalid(format!(
                    "`{}` is missing; every object needs apiVersion, kind and metadata.name",
                    &f[1..].replace('/', ".")
                ))),
            }
        };
        if !body.is_object() {
            return Err(invalid("a document must be a mapping (an object)".into()));
        }
        let api_version = field("/apiVersion")?;
        let kind = field("/kind")?;
        let obj_name = field("/metadata/name")?;
        let (group, version) = match api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.clone()),
        };
        let type_name = crate::canon::type_name(&group, &kind);
        let namespaced = !(cluster_scoped.contains(&type_name) || cluster_scoped.contains(&kind));
        let namespace = if namespaced {
            Some(
                body.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| default_ns.clone()),
            )
        } else {
            None
        };
        let id = ObjectId {
            group,
            version,
            kind,
            namespace,
            name: obj_name,
        };
        let source = format!("{name}#{doc}");
        // Two versions of one object are one object: the group, not the version, identifies it.
        let identity = ObjectId {
            version: String::new(),
            ..id.clone()
        };
        if let Some(first) = seen.get(&identity) {
            return Err(ManifestError::Duplicate {
                id: id.to_string(),
                first: first.clone(),
                second: source,
            });
        }
        seen.insert(identity, source.clone());
        out.push(ManifestObject { id, source, body });
    }
    Ok(out)
}

/// Runs the render command with a timeout and returns its standard output. On failure the
/// error carries the end of its standard error, where tools say what went wrong.
async fn run_render(cmd: &RenderCommand, dir: &Path) -> Result<String, ManifestError> {
    let Some((program, args)) = cmd.argv.split_first() else {
        return Err(ManifestError::EmptyRender);
    };
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| ManifestError::RenderSpawn {
            command: cmd.display(),
            source,
        })?;
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let run = async {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let read_out = async {
            if let Some(s) = stdout.as_mut() {
                s.read_to_end(&mut out).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let read_err = async {
            if let Some(s) = stderr.as_mut() {
                s.read_to_end(&mut err).await?;
            }
            Ok::<_, std::io::Error>(())
        };
        let (a, b) = tokio::join!(read_out, read_err);
        a?;
        b?;
        let status = child.wait().await?;
        Ok::<_, std::io::Error>((status, out, err))
    };
    let (status, out, err) = match tokio::time::timeout(cmd.timeout, run).await {
        Ok(r) => r.map_err(|source| ManifestError::Io {
            path: format!("output of `{}`", cmd.display()),
            source,
        })?,
        // Dropping the future drops the child, which kills it (`kill_on_drop`).
        Err(_) => {
            return Err(ManifestError::RenderTimeout {
                command: cmd.display(),
                secs: cmd.timeout.as_secs(),
            })
        }
    };
    if !status.success() {
        let text = String::from_utf8_lossy(&err);
        let text = text.trim();
        // The end of stderr is where tools put the error; keep the message short.
        const MAX: usize = 2000;
        let tail = if text.len() > MAX {
            let mut cut = text.len() - MAX;
            while !text.is_char_boundary(cut) {
                cut += 1;
            }
            format!("...{}", &text[cut..])
        } else {
            text.to_string()
        };
        return Err(ManifestError::RenderFailed {
            command: cmd.display(),
            status: status.to_string(),
            stderr: if tail.is_empty() {
                "(no error output)".into()
            } else {
                tail
            },
        });
    }
    String::from_utf8(out).map_err(|_| ManifestError::Parse {
        source_name: format!("output of `{}`", cmd.display()),
        at: String::new(),
        doc: 0,
        format: "UTF-8",
        message: "the output is not UTF-8 text".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(dir: &Path, paths: &[&str]) -> ManifestSettings {
        ManifestSettings {
            paths: paths.iter().map(|s| s.to_string()).collect(),
            base_dir: dir.to_path_buf(),
            default_namespace: Some("apps".into()),
            ..Default::default()
        }
    }

    fn tempdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("driftd-k8s-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// `parse_manifest_text` reads text in memory as `load` reads a file (the fuzz target's
    /// entry): documents numbered in the stream, the default namespace applied, errors naming
    /// the text and the document.
    #[test]
    fn manifest_text_in_memory_reads_like_a_file() {
        let settings = settings(Path::new("."), &[]);
        let text = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n\
                    apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n";
        let objs = parse_manifest_text("mem.yaml", text, false, &settings).unwrap();
        let ids: Vec<String> = objs.iter().map(|o| o.id.to_string()).collect();
        assert_eq!(ids, ["v1 ConfigMap apps/a", "v1 Namespace b"]);
        assert_eq!(objs[1].source, "mem.yaml#3");
        let json = r#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"}}"#;
        let objs = parse_manifest_text("mem.json", json, true, &settings).unwrap();
        assert_eq!(objs[0].id.to_string(), "v1 Secret apps/s");
        let err = parse_manifest_text("mem.yaml", "a: [\n", false, &settings).unwrap_err();
        assert!(err.to_string().starts_with("mem.yaml:"), "{err}");
        let err = parse_manifest_text("mem.yaml", "kind: X\n", false, &settings).unwrap_err();
        assert!(err.to_string().contains("mem.yaml, document 1"), "{err}");
    }

    #[tokio::test]
    async fn multi_document_files_directories_and_globs() {
        let d = tempdir("multi");
        std::fs::create_dir_all(d.join("base/sub")).unwrap();
        std::fs::write(
            d.join("base/app.yaml"),
            "# leading comment\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  template:\n    spec:\n      volumes:\n      - name: v\n        configMap:\n          defaultMode: 0644\n",
        )
        .unwrap();
        std::fs::write(
            d.join("base/sub/ns.json"),
            r#"{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod"}}]}"#,
        )
        .unwrap();
        std::fs::write(d.join("base/kustomization.yaml"), "resources: [app.yaml]\n").unwrap();
        std::fs::write(d.join("base/notes.txt"), "not yaml").unwrap();
        let objs = load(&settings(&d, &["base"])).await.unwrap();
        let ids: Vec<String> = objs.iter().map(|o| o.id.to_string()).collect();
        assert_eq!(
            ids,
            [
                "v1 ConfigMap apps/a",
                "apps/v1 Deployment prod/web",
                "v1 Namespace prod"
            ]
        );
        assert_eq!(objs[1].source, "base/app.yaml#3");
        // YAML 1.1 octal, as kubectl reads it.
        assert_eq!(
            objs[1]
                .body
                .pointer("/spec/template/spec/volumes/0/configMap/defaultMode"),
            Some(&serde_json::json!(420))
        );
        let globbed = load(&settings(&d, &["base/*.yaml"])).await.unwrap();
        assert_eq!(globbed.len(), 2);
        let err = load(&settings(&d, &["nothing/*.yaml"])).await.unwrap_err();
        assert!(
            err.to_string().contains("matches no manifest file"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn errors_name_file_and_document_without_content() {
        let d = tempdir("errors");
        std::fs::write(
            d.join("bad.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: \"hunter2\n  x: [\n",
        )
        .unwrap();
        let err = load(&settings(&d, &["bad.yaml"]))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.yaml:"), "{err}");
        assert!(err.contains(": document 2: not valid YAML"), "{err}");
        assert!(!err.contains("hunter2"), "{err}");
        std::fs::write(
            d.join("noname.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
        )
        .unwrap();
        let err = load(&settings(&d, &["noname.yaml"]))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("noname.yaml, document 1: `metadata.name` is missing"),
            "{err}"
        );
        std::fs::write(
            d.join("dup.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: apps}\n",
        )
        .unwrap();
        let err = load(&settings(&d, &["dup.yaml"]))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("defined twice") && err.contains("dup.yaml#2"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn render_command_output_errors_and_timeout() {
        let d = tempdir("render");
        let mut s = settings(&d, &[]);
        s.render = Some(RenderCommand {
            argv: vec![
                "sh".into(),
                "-c".into(),
                "printf 'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: rendered\\n'"
                    .into(),
            ],
            timeout: Duration::from_secs(10),
        });
        let objs = load(&s).await.unwrap();
        assert_eq!(objs[0].id.resource_id(), "apps/rendered");
        assert!(
            objs[0].source.starts_with("output of `sh -c"),
            "{}",
            objs[0].source
        );

        s.render = Some(RenderCommand {
            argv: vec![
                "sh".into(),
                "-c".into(),
                "echo 'Error: chart not found' >&2; exit 3".into(),
            ],
            timeout: Duration::from_secs(10),
        });
        let err = load(&s).await.unwrap_err().to_string();
        assert!(
            err.contains("chart not found") && err.contains("exit status: 3"),
            "{err}"
        );

        s.render = Some(RenderCommand {
            argv: vec!["sleep".into(), "30".into()],
            timeout: Duration::from_millis(200),
        });
        let started = std::time::Instant::now();
        let err = load(&s).await.unwrap_err().to_string();
        assert!(err.contains("did not finish within"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(5));

        s.render = Some(RenderCommand {
            argv: vec!["driftd-no-such-renderer".into()],
            timeout: Duration::from_secs(1),
        });
        let err = load(&s).await.unwrap_err().to_string();
        assert!(err.contains("cannot start render command"), "{err}");
    }

    #[tokio::test]
    async fn cluster_scoped_kinds_get_no_namespace() {
        let d = tempdir("scope");
        std::fs::write(
            d.join("crd.yaml"),
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Widget}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n",
        )
        .unwrap();
        let objs = load(&settings(&d, &["crd.yaml"])).await.unwrap();
        assert!(objs.iter().all(|o| o.id.namespace.is_none()), "{objs:?}");
    }
}
