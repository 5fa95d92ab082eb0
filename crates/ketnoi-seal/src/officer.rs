//! An officer's personal key at rest: the private scalar sealed under a key passphrase (not the
//! sign-in password) with PBKDF2, so the server stores it without being able to use it, and
//! the officer's browser opens it with WebCrypto alone.

use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{
    KeyPair, PUBLIC_LEN, Result, SealError,
    b64::{b64u, field, fixed},
    primitives::{decrypt, encrypt, nfc, random},
};

/// The PBKDF2-HMAC-SHA-256 iteration count used when sealing, and the least accepted when
/// opening (OWASP's figure for that hash, 2023).
pub const MIN_ITERATIONS: u32 = 600_000;

/// The most iterations accepted when opening: a stored object asking for more would make a
/// browser or the command line spin for minutes.
pub const MAX_ITERATIONS: u32 = 10_000_000;

/// A private key sealed under a passphrase, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    /// The key id of the public key.
    pub kid: String,
    /// base64url of the 65-byte public key.
    pub public: String,
    /// base64url of the 16-byte PBKDF2 salt.
    pub salt: String,
    /// The PBKDF2 iteration count.
    pub iterations: u32,
    /// base64url of the 12-byte AES-GCM nonce.
    pub nonce: String,
    /// base64url of the sealed 32-byte scalar and its tag.
    pub ct: String,
}

/// Seals `key`'s private scalar under `passphrase` (normalized to NFC) with
/// [`MIN_ITERATIONS`]. An empty passphrase is refused as [`SealError::BadPassphrase`].
pub fn seal_with_passphrase(key: &KeyPair, passphrase: &str) -> Result<SealedKey> {
    if passphrase.is_empty() {
        return Err(SealError::BadPassphrase);
    }
    let salt: [u8; 16] = random();
    let wrapping = derive(passphrase, &salt, MIN_ITERATIONS);
    let nonce = random();
    let kid = key.kid();
    let ct = encrypt(&wrapping, &nonce, key.secret_bytes().as_slice(), kid.as_bytes())?;
    Ok(SealedKey {
        kid,
        public: b64u(&key.public()),
        salt: b64u(&salt),
        iterations: MIN_ITERATIONS,
        nonce: b64u(&nonce),
        ct: b64u(&ct),
    })
}

/// Opens a sealed key with its passphrase. [`SealError::WeakParameters`] when the stored
/// iteration count is outside [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`];
/// [`SealError::BadPassphrase`] when the passphrase is wrong (or the object was changed).
pub fn open_with_passphrase(sealed: &SealedKey, passphrase: &str) -> Result<KeyPair> {
    if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&sealed.iterations) {
        return Err(SealError::WeakParameters);
    }
    let public = fixed::<PUBLIC_LEN>(&sealed.public, "public")?;
    if crate::kid(&public) != sealed.kid {
        return Err(SealError::BadEncoding("kid"));
    }
    let salt = field(&sealed.salt, "salt")?;
    if salt.len() != 16 {
        return Err(SealError::BadEncoding("salt"));
    }
    let nonce = fixed(&sealed.nonce, "nonce")?;
    let ct = field(&sealed.ct, "ct")?;
    let wrapping = derive(passphrase, &salt, sealed.iterations);
    let secret = decrypt(&wrapping, &nonce, &ct, sealed.kid.as_bytes())
        .map_err(|_| SealError::BadPassphrase)?;
    let key = KeyPair::from_secret(&secret)?;
    // The public key is authenticated (its kid is the associated data), so a mismatch means a
    // broken sealer rather than an attack; refuse it all the same.
    if key.public() != public {
        return Err(SealError::BadKey);
    }
    Ok(key)
}

/// PBKDF2-HMAC-SHA-256 of the NFC passphrase, 32 bytes.
fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> Zeroizing<[u8; 32]> {
    let passphrase = Zeroizing::new(nfc(passphrase));
    let mut out = Zeroizing::new([0u8; 32]);
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), salt, iterations, out.as_mut());
    out
}
