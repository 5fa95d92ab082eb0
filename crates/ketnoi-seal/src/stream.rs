//! The attachment stream: a file sealed in 64 KiB chunks, each its own AES-GCM message, so a
//! browser never holds a second copy of a large file and a changed, dropped, reordered or
//! appended chunk is caught.
//!
//! Chunk `i` is sealed under the nonce `0^7 || be32(i) || last`, where `last` is 1 on the final
//! chunk only (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár): the index
//! pins each chunk to its place and the flag pins the end, so cutting the stream short at a
//! chunk boundary fails too.

use crate::{
    Result, SealError,
    primitives::{NONCE_LEN, TAG_LEN, decrypt, encrypt},
};

/// Plaintext bytes per chunk; every chunk but the last is exactly this long.
pub const CHUNK: usize = 65_536;

/// Ciphertext bytes per full chunk: the chunk and its tag.
pub const SEGMENT: usize = CHUNK + TAG_LEN;

/// The nonce of chunk `index`.
fn chunk_nonce(index: usize, last: bool) -> Result<[u8; NONCE_LEN]> {
    let index = u32::try_from(index).map_err(|_| SealError::Internal("attachment too large"))?;
    let mut nonce = [0u8; NONCE_LEN];
    nonce[7..11].copy_from_slice(&index.to_be_bytes());
    nonce[11] = u8::from(last);
    Ok(nonce)
}

/// How many chunks a plaintext of `len` bytes makes: an empty file is one empty chunk, and a
/// length that is a multiple of [`CHUNK`] ends with a full chunk (never an extra empty one).
fn chunk_count(len: usize) -> usize {
    len.div_ceil(CHUNK).max(1)
}

/// Seals `plaintext` under the attachment key `key`.
pub(crate) fn seal(key: &[u8; 32], plaintext: &[u8]) -> Result<Vec<u8>> {
    let count = chunk_count(plaintext.len());
    let mut out = Vec::with_capacity(plaintext.len() + count * TAG_LEN);
    for index in 0..count {
        let start = index * CHUNK;
        let end = plaintext.len().min(start + CHUNK);
        let chunk = plaintext.get(start..end).unwrap_or_default();
        let nonce = chunk_nonce(index, index + 1 == count)?;
        out.extend_from_slice(&encrypt(key, &nonce, chunk, &[])?);
    }
    Ok(out)
}

/// Opens a stream sealed under `key` whose plaintext is `size` bytes long.
///
/// The length is checked before anything is decrypted: a dropped or appended chunk, or a stream
/// cut anywhere, is [`SealError::Truncated`]. A changed or reordered chunk is
/// [`SealError::Tampered`].
pub(crate) fn open(key: &[u8; 32], ciphertext: &[u8], size: u64) -> Result<Vec<u8>> {
    let count = ciphertext.len().div_ceil(SEGMENT);
    let last = ciphertext.len().saturating_sub(count.saturating_sub(1) * SEGMENT);
    if count == 0 || last < TAG_LEN {
        return Err(SealError::Truncated);
    }
    let plain_len = ciphertext.len() - count * TAG_LEN;
    if u64::try_from(plain_len).ok() != Some(size) || count != chunk_count(plain_len) {
        return Err(SealError::Truncated);
    }
    let mut out = Vec::with_capacity(plain_len);
    for (index, segment) in ciphertext.chunks(SEGMENT).enumerate() {
        let nonce = chunk_nonce(index, index + 1 == count)?;
        out.extend_from_slice(&decrypt(key, &nonce, segment, &[])?);
    }
    Ok(out)
}
