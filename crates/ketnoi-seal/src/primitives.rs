//! The three primitives everything else is built from, in the shapes the format uses them:
//! random bytes, HKDF-SHA-256 to 32 bytes, and AES-256-GCM with a 12-byte nonce and 16-byte tag.

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use hkdf::Hkdf;
use rand::{RngCore, rngs::OsRng};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::{Result, SealError};

/// Length of an AES-GCM nonce.
pub(crate) const NONCE_LEN: usize = 12;

/// Length of an AES-GCM tag.
pub(crate) const TAG_LEN: usize = 16;

/// `N` bytes from the operating system's generator.
pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    OsRng.fill_bytes(&mut bytes);
    bytes
}

/// HKDF-SHA-256 (RFC 5869) of `ikm` with `salt` and `info`, 32 bytes of output.
pub(crate) fn hkdf32(ikm: &[u8], salt: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
    let mut okm = Zeroizing::new([0u8; 32]);
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, okm.as_mut())
        // Only asking for more than 255 hash lengths fails; 32 bytes never does.
        .map_err(|_| SealError::Internal("hkdf"))?;
    Ok(okm)
}

/// HKDF-SHA-256 to `N` bytes, for the receipt's lookup value (16 bytes).
pub(crate) fn hkdf_n<const N: usize>(ikm: &[u8], salt: &[u8], info: &[u8]) -> Result<[u8; N]> {
    let mut okm = [0u8; N];
    Hkdf::<Sha256>::new(Some(salt), ikm)
        .expand(info, &mut okm)
        .map_err(|_| SealError::Internal("hkdf"))?;
    Ok(okm)
}

/// AES-256-GCM encryption: ciphertext followed by the 16-byte tag.
pub(crate) fn encrypt(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>> {
    Aes256Gcm::new(&(*key).into())
        .encrypt(&Nonce::from(*nonce), Payload { msg: plaintext, aad })
        // Fails only past GCM's limit of 64 GiB per message.
        .map_err(|_| SealError::Internal("aes-gcm"))
}

/// AES-256-GCM decryption; any failure of authentication is [`SealError::Tampered`]. The
/// plaintext is wiped when dropped.
pub(crate) fn decrypt(
    key: &[u8; 32],
    nonce: &[u8; NONCE_LEN],
    ciphertext: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    Aes256Gcm::new(&(*key).into())
        .decrypt(&Nonce::from(*nonce), Payload { msg: ciphertext, aad })
        .map(Zeroizing::new)
        .map_err(|_| SealError::Tampered)
}

/// NFC, the one normal form of text in the format, so that the same words typed on two
/// keyboards seal to the same bytes (Vietnamese tone marks come precomposed or not).
pub(crate) fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
}
