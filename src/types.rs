//! `driftd types`: every resource type driftd compares, per provider, with the attributes it
//! compares. Read from the providers' registries (the same specs the analyzer uses), so the list
//! cannot drift from what a scan does. A state resource of any other type is counted as "not
//! compared" in reports, never as in sync.

use crate::target::registry;
use anyhow::{bail, Result};
use clap::Args;
use driftd_core::{Shape, TypeSpec};
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct TypesArgs {
    /// Only this provider (`driftd types` lists them all).
    #[arg(long)]
    pub provider: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Every provider with its specs sorted by type, or what it says instead of a list.
fn registries() -> Vec<(&'static str, Vec<&'static TypeSpec>, Option<&'static str>)> {
    registry::KINDS
        .iter()
        .map(|k| {
            let mut specs = k.type_specs();
            specs.sort_by_key(|s| s.resource_type);
            (k.names()[0], specs, k.types_note())
        })
        .collect()
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Scalar => "scalar",
        Shape::Set => "set",
        Shape::Tags => "tags",
        Shape::RuleSet(_) => "rules",
        Shape::Number => "number",
        Shape::CaseInsensitive => "case-insensitive",
        Shape::Cidr => "cidr",
        Shape::Protocol => "protocol",
        Shape::Document => "document",
        Shape::Keys => "keys",
        Shape::Link => "link",
        Shape::Count => "count",
        Shape::Switch => "switch",
    }
}

pub fn run(args: TypesArgs) -> Result<u8> {
    let wanted = match args.provider.as_deref() {
        None => None,
        Some(p) => match registry::find(p) {
            Some(kind) => Some(kind.names()[0]),
            None => bail!("unknown provider `{p}`; providers: {}", registry::names()),
        },
    };
    let registries: Vec<_> = registries()
        .into_iter()
        .filter(|(p, _, _)| wanted.is_none_or(|w| w == *p))
        .collect();
    let text = if args.json {
        let providers: Vec<Value> = registries
            .iter()
            .map(|(p, specs, note)| {
                let mut v = json!({"provider": p, "types": specs.iter().map(|s| type_json(s)).collect::<Vec<_>>()});
                if let Some(note) = note {
                    v["note"] = json!(note);
                }
                v
            })
            .collect();
        let mut t = serde_json::to_string_pretty(&json!({ "providers": providers }))?;
        t.push('\n');
        t
    } else {
        let mut out = String::new();
        for (p, specs, note) in &registries {
            match note {
                Some(note) if specs.is_empty() => out.push_str(&format!("{p}\n  {note}\n")),
                _ => {
                    out.push_str(&format!("{p} ({} types)\n", specs.len()));
                    for s in specs {
                        out.push_str(&format!("  {}: {}\n", s.resource_type, attrs_text(s)));
                        for n in s.not_compared {
                            out.push_str(&format!("    not compared: {}: {}\n", n.name, n.reason));
                        }
                    }
                    out.push('\n');
                }
            }
        }
        out
    };
    print!("{text}");
    Ok(0)
}

/// `instance_type, tags (state: tags_all), ...`, with what matches a resource when its id does
/// not (`identity`) and what the provider resolves from the code (`resolved`).
fn attrs_text(spec: &TypeSpec) -> String {
    spec.attrs
        .iter()
        .map(|a| {
            let mut notes = Vec::new();
            if a.identity {
                notes.push("identity".to_string());
            }
            if a.resolved {
                notes.push("resolved on apply".to_string());
            }
            if let Some(alias) = a.state_alias {
                notes.push(format!("state: {alias}"));
            }
            if notes.is_empty() {
                a.name.to_string()
            } else {
                format!("{} ({})", a.name, notes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn type_json(spec: &TypeSpec) -> Value {
    json!({
        "resource_type": spec.resource_type,
        "attributes": spec.attrs.iter().map(|a| json!({
            "name": a.name,
            "shape": shape_name(a.shape),
            "identity": a.identity,
            "resolved": a.resolved,
            "state_alias": a.state_alias,
        })).collect::<Vec<_>>(),
        "not_compared": spec.not_compared.iter().map(|n| json!({
            "name": n.name,
            "reason": n.reason,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_type_is_listed_once_with_attributes() {
        for (provider, specs, note) in registries() {
            assert!(!specs.is_empty() || note.is_some(), "{provider}");
            let mut names: Vec<&str> = specs.iter().map(|s| s.resource_type).collect();
            names.dedup();
            assert_eq!(names.len(), specs.len(), "{provider}: a type listed twice");
            for s in specs {
                assert_eq!(s.provider, provider);
                assert!(!s.attrs.is_empty(), "{} compares nothing", s.resource_type);
                for n in s.not_compared {
                    assert!(
                        !s.attrs.iter().any(|a| a.name == n.name),
                        "{}.{} is both compared and not compared",
                        s.resource_type,
                        n.name
                    );
                    assert!(!n.reason.is_empty(), "{}.{}", s.resource_type, n.name);
                }
            }
        }
    }

    #[test]
    fn no_attribute_is_listed_twice_as_not_compared() {
        for (_, specs, _) in registries() {
            for s in specs {
                let mut names: Vec<&str> = s.not_compared.iter().map(|n| n.name).collect();
                names.sort_unstable();
                let before = names.len();
                names.dedup();
                assert_eq!(
                    names.len(),
                    before,
                    "{}: an attribute listed twice",
                    s.resource_type
                );
            }
        }
    }
}
