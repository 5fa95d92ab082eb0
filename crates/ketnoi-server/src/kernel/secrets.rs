//! Secrets the server must be able to read again (an integration's key, which signs its
//! webhooks), kept wrapped: AES-256-GCM under a key derived from the server's secret key, a
//! fresh random nonce each time, stored as `v1.` + base64url(nonce ‖ ciphertext).
//!
//! Changing the server's secret key makes every wrapped secret unreadable: integrations then
//! need new credentials (the console says so).

use aes_gcm::{
    Aes256Gcm, KeyInit as _, Nonce,
    aead::{Aead as _, Payload},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD as B64};
use rand::RngCore as _;

use crate::kernel::config::Secret;

const PREFIX: &str = "v1.";

fn cipher(server: &Secret) -> Aes256Gcm {
    let hk = hkdf::Hkdf::<sha2::Sha256>::new(
        Some(b"ketnoi wrapped secrets"),
        server.expose().as_bytes(),
    );
    let mut key = [0u8; 32];
    // 32 bytes is always a valid HKDF-SHA256 output length.
    let _ = hk.expand(b"aes-256-gcm v1", &mut key);
    Aes256Gcm::new(&key.into())
}

/// Wraps `plain`; `context` (what it belongs to, e.g. an integration's app id) is bound to it,
/// so a wrapped value copied onto another row does not open.
pub fn wrap(server: &Secret, context: &str, plain: &str) -> String {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let sealed = cipher(server)
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload { msg: plain.as_bytes(), aad: context.as_bytes() },
        )
        .unwrap_or_default();
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    format!("{PREFIX}{}", B64.encode(out))
}

/// Opens what [`wrap`] made for the same `context`; `None` if it was made under another server
/// key, for another context, or altered.
pub fn unwrap(server: &Secret, context: &str, wrapped: &str) -> Option<String> {
    let raw = B64.decode(wrapped.strip_prefix(PREFIX)?).ok()?;
    if raw.len() < 12 + 16 {
        return None;
    }
    let (nonce, sealed) = raw.split_at(12);
    let plain = cipher(server)
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: context.as_bytes() })
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_secrets_open_only_under_the_same_key_and_context() {
        let key = Secret::new("server secret one");
        let wrapped = wrap(&key, "app-1", "s3cret");
        assert!(wrapped.starts_with("v1.") && !wrapped.contains("s3cret"));
        assert_ne!(wrapped, wrap(&key, "app-1", "s3cret"), "a fresh nonce each time");
        assert_eq!(unwrap(&key, "app-1", &wrapped).as_deref(), Some("s3cret"));
        assert_eq!(unwrap(&key, "app-2", &wrapped), None);
        assert_eq!(unwrap(&Secret::new("another"), "app-1", &wrapped), None);
        let mut tampered = wrapped.clone();
        tampered.pop();
        tampered.push(if wrapped.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(unwrap(&key, "app-1", &tampered), None);
        assert_eq!(unwrap(&key, "app-1", "v1.short"), None);
    }
}
