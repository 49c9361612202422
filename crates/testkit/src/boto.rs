//! Seeding and changing moto's resources with boto3, the AWS SDK for Python that moto's own
//! package installs in the project venv: an independent, real client, so that what driftd reads
//! was written by something other than driftd's own client.
//!
//! A script is Python run after a preamble that defines `ENDPOINT`, `REGION`, `client(name,
//! region=None)` (a boto3 client on moto with the test credentials) and `out = {}`; whatever
//! the script puts in `out` comes back as JSON.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::process::Command;

const PREAMBLE: &str = r#"
import json, sys, boto3
ENDPOINT, REGION, KEY, SECRET = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def client(name, region=None):
    return boto3.client(name, endpoint_url=ENDPOINT, region_name=region or REGION,
                        aws_access_key_id=KEY, aws_secret_access_key=SECRET)
out = {}
"#;

/// Runs `script` against moto at `endpoint` in `region`; the script's `out` as JSON.
pub fn boto3(endpoint: &str, region: &str, script: &str) -> Result<Value> {
    let program = format!(
        "{PREAMBLE}\n{script}\nprint(json.dumps(out, default=str))\n",
        script = dedent(script)
    );
    let python = crate::venv().join("bin").join("python");
    let output = Command::new(&python)
        .arg("-c")
        .arg(&program)
        .args([endpoint, region, crate::ACCESS_KEY, crate::SECRET_KEY])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .with_context(|| format!("running {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "boto3 script failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or("{}");
    serde_json::from_str(last).with_context(|| format!("boto3 script printed {stdout}"))
}

/// The script with the indentation its lines share removed (scripts are written indented in
/// Rust string literals).
fn dedent(script: &str) -> String {
    let indent = script
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    script
        .lines()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim_start()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}
