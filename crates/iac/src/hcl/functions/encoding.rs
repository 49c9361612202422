//! Hash and encoding functions of strings: `md5`, `sha1`, `sha256`, `sha512` (lower-case hex),
//! `base64sha256`, `base64sha512`, `urlencode`. The hashes are of the string's UTF-8 bytes.

use super::strings::string;
use super::FnResult;
use ::hcl::eval::FuncArgs;
use ::hcl::Value;
use sha2::Digest;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn md5(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "md5")?;
    Ok(Value::from(hex(&md5::Md5::digest(s.as_bytes()))))
}

pub(super) fn sha1(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "sha1")?;
    Ok(Value::from(hex(&sha1::Sha1::digest(s.as_bytes()))))
}

pub(super) fn sha256(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "sha256")?;
    Ok(Value::from(hex(&sha2::Sha256::digest(s.as_bytes()))))
}

pub(super) fn sha512(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "sha512")?;
    Ok(Value::from(hex(&sha2::Sha512::digest(s.as_bytes()))))
}

pub(super) fn base64sha256(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "base64sha256")?;
    Ok(Value::from(super::base64(&sha2::Sha256::digest(
        s.as_bytes(),
    ))))
}

pub(super) fn base64sha512(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "base64sha512")?;
    Ok(Value::from(super::base64(&sha2::Sha512::digest(
        s.as_bytes(),
    ))))
}

/// `urlencode(s)`: query-string escaping: letters, digits and `-_.~` kept, space as `+`,
/// every other byte as `%XX`.
pub(super) fn urlencode(args: FuncArgs) -> FnResult {
    let s = string(&args, 0, "urlencode")?;
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(Value::from(out))
}
