//! Terraform's `s3` state backend: reading the state object a Terraform workspace writes.
//!
//! Terraform keeps the default workspace's state at `key` and every other workspace's at
//! `WORKSPACE_KEY_PREFIX/WORKSPACE/key` (the prefix is `env:` unless the backend sets
//! `workspace_key_prefix`). driftd only reads: it never takes the lock or writes.

use crate::client::{load_config, AwsSettings};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::operation::get_object::GetObjectError;

/// Where one workspace's state lives in S3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3State {
    pub bucket: String,
    /// The backend's `key`: the default workspace's object.
    pub key: String,
    /// The workspace to read; `None` or `default` reads `key` itself.
    pub workspace: Option<String>,
    /// The backend's `workspace_key_prefix`; `env:` when `None`.
    pub workspace_key_prefix: Option<String>,
}

impl S3State {
    /// The object key of the workspace's state, as Terraform names it.
    pub fn object_key(&self) -> String {
        match self.workspace.as_deref() {
            None | Some("") | Some("default") => self.key.clone(),
            Some(ws) => format!(
                "{}/{ws}/{}",
                self.workspace_key_prefix.as_deref().unwrap_or("env:"),
                self.key
            ),
        }
    }

    /// `s3://bucket/key`, for messages and the report's `source`.
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.object_key())
    }
}

/// Reads the state object. `settings.regions[0]` is the bucket's region; an endpoint override
/// (an emulator) is addressed path-style. Errors name the object and what to do, never a
/// credential.
pub async fn fetch_s3_state(settings: &AwsSettings, state: &S3State) -> Result<Vec<u8>, String> {
    let url = state.url();
    let config = load_config(settings)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let mut conf = aws_sdk_s3::config::Builder::from(&config);
    if settings.endpoint_url.is_some() {
        conf = conf.force_path_style(true);
    }
    let client = aws_sdk_s3::Client::from_conf(conf.build());
    let answer = client
        .get_object()
        .bucket(&state.bucket)
        .key(state.object_key())
        .send()
        .await
        .map_err(|e| describe(&url, state, &e))?;
    let body = answer
        .body
        .collect()
        .await
        .map_err(|e| format!("{url}: reading the object failed: {e}"))?;
    Ok(body.into_bytes().to_vec())
}

fn describe(url: &str, state: &S3State, e: &SdkError<GetObjectError>) -> String {
    if let SdkError::ServiceError(se) = e {
        if se.err().is_no_such_key() {
            let hint = match state.workspace.as_deref() {
                Some(ws) if ws != "default" => format!(
                    " (workspace `{ws}`: does it exist? `terraform workspace list` shows them)"
                ),
                _ => String::new(),
            };
            return format!(
                "{url}: no such state object{hint}; check the backend's bucket and key"
            );
        }
        let code = se.err().code().unwrap_or("");
        if code == "NoSuchBucket" {
            return format!("{url}: bucket `{}` does not exist", state.bucket);
        }
        if code == "AccessDenied" || se.raw().status().as_u16() == 403 {
            return format!(
                "{url}: access denied; the credentials need s3:GetObject on this object"
            );
        }
    }
    format!("{url}: cannot read the state: {}", DisplayErrorContext(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspaces_live_under_the_key_prefix() {
        let mut s = S3State {
            bucket: "b".into(),
            key: "net/terraform.tfstate".into(),
            workspace: None,
            workspace_key_prefix: None,
        };
        assert_eq!(s.object_key(), "net/terraform.tfstate");
        s.workspace = Some("default".into());
        assert_eq!(s.object_key(), "net/terraform.tfstate");
        s.workspace = Some("staging".into());
        assert_eq!(s.object_key(), "env:/staging/net/terraform.tfstate");
        s.workspace_key_prefix = Some("workspaces".into());
        assert_eq!(s.url(), "s3://b/workspaces/staging/net/terraform.tfstate");
    }
}
