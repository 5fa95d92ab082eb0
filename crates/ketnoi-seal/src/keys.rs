//! P-256 keys, key ids, and ECDH key wrapping.
//!
//! Keys travel as raw bytes: the public key as the 65-byte uncompressed SEC1 point, the private
//! key as the 32-byte big-endian scalar (WebCrypto's JWK `d`). Wrapping encrypts a short secret
//! (a report key, a unit's private scalar) to a public key with a fresh ephemeral key pair, the
//! way ECIES does; the label keeps a report key from ever being accepted as a unit key.

use std::fmt;

use p256::{PublicKey, SecretKey, ecdh::EphemeralSecret, elliptic_curve::sec1::ToEncodedPoint};
use rand::rngs::OsRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{
    Result, SealError,
    b64::{b64u, field, fixed},
    primitives::{decrypt, encrypt, hkdf32, random},
};

/// Length of a public key: the uncompressed SEC1 point `0x04 || X || Y`.
pub const PUBLIC_LEN: usize = 65;

/// Length of a private key: the big-endian scalar `d`.
pub const SECRET_LEN: usize = 32;

/// A P-256 key pair: a unit's key or an officer's. The private scalar is wiped when dropped,
/// and `Debug` shows only the key id.
#[derive(Clone)]
pub struct KeyPair {
    secret: SecretKey,
    public: [u8; PUBLIC_LEN],
}

impl KeyPair {
    /// A new key pair from the operating system's generator.
    pub fn generate() -> Self {
        Self::from_secret_key(SecretKey::random(&mut OsRng))
    }

    /// The key pair of a 32-byte big-endian private scalar; [`SealError::BadKey`] when it is
    /// not 32 bytes or not in `1..n`.
    pub fn from_secret(bytes: &[u8]) -> Result<Self> {
        let bytes =
            Zeroizing::new(<[u8; SECRET_LEN]>::try_from(bytes).map_err(|_| SealError::BadKey)?);
        let secret = SecretKey::from_bytes(&(*bytes).into()).map_err(|_| SealError::BadKey)?;
        Ok(Self::from_secret_key(secret))
    }

    fn from_secret_key(secret: SecretKey) -> Self {
        let public = encode_public(&secret.public_key());
        Self { secret, public }
    }

    /// The public key, 65 bytes.
    pub fn public(&self) -> [u8; PUBLIC_LEN] {
        self.public
    }

    /// The key id of the public key (see [`kid`]).
    pub fn kid(&self) -> String {
        kid(&self.public)
    }

    /// The private scalar, 32 bytes, wiped when the returned value is dropped.
    pub fn secret_bytes(&self) -> Zeroizing<[u8; SECRET_LEN]> {
        let bytes = Zeroizing::new(self.secret.to_bytes());
        let mut out = Zeroizing::new([0u8; SECRET_LEN]);
        out.copy_from_slice(bytes.as_slice());
        out
    }

    /// The ECDH shared secret with `public`: the X coordinate of the shared point.
    fn agree(&self, public: &PublicKey) -> Zeroizing<[u8; 32]> {
        let shared =
            p256::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), public.as_affine());
        let mut z = Zeroizing::new([0u8; 32]);
        z.copy_from_slice(shared.raw_secret_bytes().as_slice());
        z
    }
}

impl fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPair").field("kid", &self.kid()).finish_non_exhaustive()
    }
}

/// The key id of a public key: base64url of the first 16 bytes of its SHA-256, 22 characters.
/// It names a key in wrapped keys and key files, and is the associated data of what is wrapped
/// to it.
pub fn kid(public: &[u8]) -> String {
    let digest = Sha256::digest(public);
    b64u(&digest[..16])
}

/// What a wrapped secret is for; part of the key derivation, so a secret wrapped for one
/// purpose never opens as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    /// A report key wrapped to a unit's key.
    Report,
    /// A unit's private scalar wrapped to an officer's key.
    Unit,
}

impl Label {
    /// The label as it enters the key derivation: `report` or `unit`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Unit => "unit",
        }
    }
}

/// A secret wrapped to one public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wrapped {
    /// The key id of the recipient's public key.
    pub kid: String,
    /// The ephemeral public key, base64url of 65 bytes.
    pub epk: String,
    /// The AES-GCM nonce, base64url of 12 bytes.
    pub nonce: String,
    /// The wrapped secret and its tag, base64url.
    pub ct: String,
}

/// Wraps `secret` to `recipient_public` (65 bytes) for the purpose `label`.
pub fn wrap(secret: &[u8], recipient_public: &[u8], label: Label) -> Result<Wrapped> {
    let recipient = parse_public(recipient_public)?;
    let ephemeral = EphemeralSecret::random(&mut OsRng);
    let epk = encode_public(&ephemeral.public_key());
    let shared = ephemeral.diffie_hellman(&recipient);
    let kek = wrapping_key(shared.raw_secret_bytes().as_slice(), &epk, recipient_public, label)?;
    let nonce = random();
    let kid = kid(recipient_public);
    let ct = encrypt(&kek, &nonce, secret, kid.as_bytes())?;
    Ok(Wrapped { kid, epk: b64u(&epk), nonce: b64u(&nonce), ct: b64u(&ct) })
}

/// Unwraps a secret wrapped to `key` for `label`: [`SealError::NotForThisKey`] when it was
/// wrapped to another key, [`SealError::Tampered`] when it does not authenticate.
pub fn unwrap(wrapped: &Wrapped, key: &KeyPair, label: Label) -> Result<Zeroizing<Vec<u8>>> {
    let kid = key.kid();
    if wrapped.kid != kid {
        return Err(SealError::NotForThisKey);
    }
    let epk = fixed::<PUBLIC_LEN>(&wrapped.epk, "epk")?;
    let ephemeral = parse_public(&epk).map_err(|_| SealError::BadEncoding("epk"))?;
    let nonce = fixed(&wrapped.nonce, "nonce")?;
    let ct = field(&wrapped.ct, "ct")?;
    let z = key.agree(&ephemeral);
    let kek = wrapping_key(z.as_slice(), &epk, &key.public, label)?;
    decrypt(&kek, &nonce, &ct, kid.as_bytes())
}

/// KEK = HKDF(ikm = Z, salt = E || R, info = "ketnoi/v1/wrap/" + label).
fn wrapping_key(
    z: &[u8],
    epk: &[u8],
    recipient: &[u8],
    label: Label,
) -> Result<Zeroizing<[u8; 32]>> {
    let salt = [epk, recipient].concat();
    let info = format!("ketnoi/v1/wrap/{}", label.as_str());
    hkdf32(z, &salt, info.as_bytes())
}

/// A public key from its 65-byte uncompressed encoding; the point must be on the curve.
pub(crate) fn parse_public(bytes: &[u8]) -> Result<PublicKey> {
    if bytes.len() != PUBLIC_LEN || bytes.first() != Some(&0x04) {
        return Err(SealError::BadKey);
    }
    PublicKey::from_sec1_bytes(bytes).map_err(|_| SealError::BadKey)
}

fn encode_public(public: &PublicKey) -> [u8; PUBLIC_LEN] {
    let point = public.to_encoded_point(false);
    let mut out = [0u8; PUBLIC_LEN];
    out.copy_from_slice(point.as_bytes());
    out
}
