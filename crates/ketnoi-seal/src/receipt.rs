//! Receipt codes: what a reporter keeps to follow a tip up without an account.
//!
//! A code is 10 random bytes (80 bits) written in Crockford's base32 as `XXXX-XXXX-XXXX-XXXX`.
//! Three values derive from it with HKDF: `lookup` finds the tip (stored in clear), `auth` proves
//! the holder knows the code (stored only as an Argon2id hash), and the reply key seals the
//! messages (never sent; the unit has it from the report body). The code itself is never stored.

use std::fmt;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
    password_hash::SaltString,
};
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::{
    Result, SealError,
    b64::{b64u, fixed},
    primitives::{hkdf_n, hkdf32, random},
};

/// Crockford's base32 alphabet: digits and capitals without I, L, O and U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Symbols in a code, without dashes.
const SYMBOLS: usize = 16;

/// The HKDF salt of every derivation from a code.
const SALT: &[u8] = b"ketnoi/v1/receipt";

/// Argon2id memory cost in KiB, time cost and parallelism for the `auth` hash (OWASP's first
/// recommended setting).
const ARGON2_M_KIB: u32 = 19_456;
const ARGON2_T: u32 = 2;
const ARGON2_P: u32 = 1;

/// A new random receipt code, `XXXX-XXXX-XXXX-XXXX`.
pub fn new_code() -> String {
    format(&random())
}

/// Writes 10 bytes as a code: 16 symbols, most significant bits first, in groups of four.
pub fn format(bytes: &[u8; 10]) -> String {
    let mut value = [0u8; 16];
    value[6..].copy_from_slice(bytes);
    let value = u128::from_be_bytes(value);
    let mut code = String::with_capacity(SYMBOLS + 3);
    for i in 0..SYMBOLS {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let symbol = (value >> (5 * (SYMBOLS - 1 - i))) & 31;
        code.push(char::from(ALPHABET[symbol as usize]));
    }
    code
}

/// Reads a code as a person may type it: any case, with or without dashes and spaces, `O` for
/// zero and `I` or `L` for one. [`SealError::BadReceipt`] for anything else (`U` included) or a
/// length other than 16 symbols.
pub fn parse(code: &str) -> Result<[u8; 10]> {
    let mut value: u128 = 0;
    let mut symbols = 0;
    for c in code.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        let symbol =
            ALPHABET.iter().position(|&a| char::from(a) == c).ok_or(SealError::BadReceipt)?;
        symbols += 1;
        if symbols > SYMBOLS {
            return Err(SealError::BadReceipt);
        }
        value = (value << 5) | symbol as u128;
    }
    if symbols != SYMBOLS {
        return Err(SealError::BadReceipt);
    }
    let mut bytes = [0u8; 10];
    bytes.copy_from_slice(&value.to_be_bytes()[6..]);
    Ok(bytes)
}

/// The values derived from a receipt code.
pub struct Receipt {
    /// base64url of 16 bytes: finds the tip; sent and stored.
    pub lookup: String,
    /// base64url of 32 bytes: proves knowledge of the code; sent, stored only as
    /// [`hash_auth`].
    pub auth: String,
    /// The key of the messages; never sent by the reporter.
    pub reply_key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt").field("lookup", &self.lookup).finish_non_exhaustive()
    }
}

/// Derives `lookup`, `auth` and the reply key from a code (parsed as [`parse`] does).
pub fn derive(code: &str) -> Result<Receipt> {
    let r = Zeroizing::new(parse(code)?);
    let lookup: [u8; 16] = hkdf_n(r.as_slice(), SALT, b"lookup")?;
    let auth = hkdf32(r.as_slice(), SALT, b"auth")?;
    let reply_key = hkdf32(r.as_slice(), SALT, b"reply")?;
    Ok(Receipt { lookup: b64u(&lookup), auth: b64u(auth.as_slice()), reply_key })
}

fn argon2() -> Result<Argon2<'static>> {
    let params = Params::new(ARGON2_M_KIB, ARGON2_T, ARGON2_P, Some(32))
        .map_err(|_| SealError::Internal("argon2 parameters"))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The Argon2id hash, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`), of the 32 bytes an
/// `auth` value encodes, with a fresh 16-byte salt.
pub fn hash_auth(auth_b64u: &str) -> Result<String> {
    let auth = Zeroizing::new(fixed::<32>(auth_b64u, "auth")?);
    let salt = SaltString::generate(&mut OsRng);
    let hash = argon2()?
        .hash_password(auth.as_slice(), &salt)
        .map_err(|_| SealError::Internal("argon2"))?;
    Ok(hash.to_string())
}

/// Whether `auth_b64u` matches a hash made by [`hash_auth`]. The comparison is constant-time;
/// a malformed value or hash, or one that is not Argon2id, is simply `false`.
pub fn verify_auth(phc: &str, auth_b64u: &str) -> bool {
    let Ok(auth) = fixed::<32>(auth_b64u, "auth").map(Zeroizing::new) else {
        return false;
    };
    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    if hash.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    Argon2::default().verify_password(auth.as_slice(), &hash).is_ok()
}
