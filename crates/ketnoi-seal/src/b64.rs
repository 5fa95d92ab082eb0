//! base64url without padding, the encoding of every binary value in the format's JSON.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use zeroize::Zeroizing;

use crate::{Result, SealError};

/// Encodes bytes as base64url without padding.
pub fn b64u(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url without padding. Strict, as seal.js is: padding, other alphabets and
/// non-zero trailing bits are refused, so each value has exactly one encoding.
pub fn unb64u(text: &str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| SealError::BadEncoding("base64url"))
}

/// Decodes a value that must be exactly `N` bytes long; `field` names it in the error. The
/// intermediate buffer is wiped, as the value may be a secret.
pub(crate) fn fixed<const N: usize>(text: &str, field: &'static str) -> Result<[u8; N]> {
    let bytes =
        Zeroizing::new(URL_SAFE_NO_PAD.decode(text).map_err(|_| SealError::BadEncoding(field))?);
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| SealError::BadEncoding(field))
}

/// Decodes a value of any length; `field` names it in the error.
pub(crate) fn field(text: &str, field: &'static str) -> Result<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).map_err(|_| SealError::BadEncoding(field))
}
