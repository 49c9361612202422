//! Secret values that must be compared but never shown: a Kubernetes Secret's data, an
//! attribute Terraform marks sensitive in a plan.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::sync::OnceLock;

/// A digest of a secret value that can be compared within this process and tells nothing about
/// the value outside it: an HMAC under a random key made once per process. Expected and live
/// sides are digested by the same process, so equal values give equal digests; the key is never
/// stored or printed, so a digest in a report cannot be used to guess a weak password.
pub fn secret_digest(bytes: &[u8]) -> Value {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        // std seeds every `RandomState` from the operating system's randomness.
        use std::hash::{BuildHasher, Hasher};
        let mut key = [0u8; 32];
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
        key
    });
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Value::String("(secret value hidden)".into());
    };
    mac.update(bytes);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    Value::String(format!("(secret value hidden, digest {hex})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_equal_digests_that_do_not_show_them() {
        let a = secret_digest(b"hunter2");
        assert_eq!(a, secret_digest(b"hunter2"));
        assert_ne!(a, secret_digest(b"hunter3"));
        assert!(!a.as_str().unwrap().contains("hunter2"));
    }
}
