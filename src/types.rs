//! `driftd types`: every resource type driftd compares, per provider, with the attributes it
//! compares. Read from the providers' registries (the same specs the analyzer uses), so the list
//! cannot drift from what a scan does. A state resource of any other type is counted as "not
//! compared" in reports, never as in sync.

use anyhow::{bail, Result};
use clap::Args;
use driftd_core::{Shape, TypeSpec};
use serde_json::{json, Value};

#[derive(Debug, Args)]
pub struct TypesArgs {
    /// Only this provider: aws, google or kubernetes.
    #[arg(long)]
    pub provider: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Kubernetes kinds have no fixed list: what is compared comes from the manifests.
const KUBERNETES_NOTE: &str = "any kind the manifests declare (custom resources included), \
     compared on every field the manifest sets; live objects of the watched kinds that no \
     manifest declares are unmanaged";

/// The providers with a registry of types, and their specs sorted by type.
fn registries() -> Vec<(&'static str, Vec<&'static TypeSpec>)> {
    let sorted = |mut specs: Vec<&'static TypeSpec>| {
        specs.sort_by_key(|s| s.resource_type);
        specs
    };
    vec![
        (
            driftd_aws::PROVIDER,
            sorted(
                driftd_aws::resources::registry()
                    .iter()
                    .map(|k| k.spec())
                    .collect(),
            ),
        ),
        (
            driftd_gcp::PROVIDER,
            sorted(
                driftd_gcp::resources::registry()
                    .iter()
                    .map(|k| k.kind.spec())
                    .collect(),
            ),
        ),
    ]
}

fn shape_name(shape: Shape) -> &'static str {
    match shape {
        Shape::Scalar => "scalar",
        Shape::Set => "set",
        Shape::Tags => "tags",
        Shape::RuleSet => "rules",
        Shape::Number => "number",
        Shape::CaseInsensitive => "case-insensitive",
        Shape::Cidr => "cidr",
        Shape::Protocol => "protocol",
        Shape::Document => "document",
        Shape::Keys => "keys",
        Shape::Link => "link",
        Shape::Count => "count",
    }
}

pub fn run(args: TypesArgs) -> Result<u8> {
    let wanted = args.provider.as_deref().map(|p| match p {
        "gcp" => driftd_gcp::PROVIDER,
        other => other,
    });
    let known = [
        driftd_aws::PROVIDER,
        driftd_gcp::PROVIDER,
        driftd_kubernetes::PROVIDER,
    ];
    if let Some(p) = wanted.filter(|p| !known.contains(p)) {
        bail!("unknown provider `{p}`; providers: {}", known.join(", "));
    }
    let show = |p: &str| wanted.is_none_or(|w| w == p);
    let registries: Vec<_> = registries().into_iter().filter(|(p, _)| show(p)).collect();
    let text = if args.json {
        let mut providers: Vec<Value> = registries
            .iter()
            .map(|(p, specs)| json!({"provider": p, "types": specs.iter().map(|s| type_json(s)).collect::<Vec<_>>()}))
            .collect();
        if show(driftd_kubernetes::PROVIDER) {
            providers.push(json!({
                "provider": driftd_kubernetes::PROVIDER,
                "types": [],
                "note": KUBERNETES_NOTE,
            }));
        }
        let mut t = serde_json::to_string_pretty(&json!({ "providers": providers }))?;
        t.push('\n');
        t
    } else {
        let mut out = String::new();
        for (p, specs) in &registries {
            out.push_str(&format!("{p} ({} types)\n", specs.len()));
            for s in specs {
                out.push_str(&format!("  {}: {}\n", s.resource_type, attrs_text(s)));
            }
            out.push('\n');
        }
        if show(driftd_kubernetes::PROVIDER) {
            out.push_str(&format!(
                "{}\n  {KUBERNETES_NOTE}\n",
                driftd_kubernetes::PROVIDER
            ));
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_type_is_listed_once_with_attributes() {
        for (provider, specs) in registries() {
            assert!(!specs.is_empty(), "{provider}");
            let mut names: Vec<&str> = specs.iter().map(|s| s.resource_type).collect();
            names.dedup();
            assert_eq!(names.len(), specs.len(), "{provider}: a type listed twice");
            for s in specs {
                assert_eq!(s.provider, provider);
                assert!(!s.attrs.is_empty(), "{} compares nothing", s.resource_type);
            }
        }
    }
}
