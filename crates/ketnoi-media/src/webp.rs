//! WebP: a RIFF container, `RIFF, size, WEBP`, then chunks of `FourCC, size, payload` padded
//! to an even length.
//!
//! The image is in a VP8 (lossy) or VP8L (lossless) chunk, alone or after a VP8X chunk that
//! announces the extras. Exif and XMP are top-level chunks of their own, and VP8X has a flag bit
//! for each; stripping drops the chunks, clears the bits and rewrites the RIFF size.

use crate::{MediaError, read};

const HEADER_LEN: usize = 12;
const CHUNK_HEADER_LEN: usize = 8;
/// VP8X flag bits, in the first payload byte.
const EXIF_FLAG: u8 = 0x08;
const XMP_FLAG: u8 = 0x04;
const VP8X_LEN: usize = 10;

/// Whether the bytes are a RIFF WebP whose first chunk is an image or VP8X chunk.
pub(crate) fn is_webp(bytes: &[u8]) -> bool {
    bytes.starts_with(b"RIFF")
        && bytes.get(8..12) == Some(b"WEBP")
        && matches!(bytes.get(12..16), Some(b"VP8 " | b"VP8L" | b"VP8X"))
}

struct Chunk<'a> {
    fourcc: [u8; 4],
    payload: &'a [u8],
    /// The whole chunk: header, payload and the pad byte if there is one.
    bytes: &'a [u8],
}

/// The top-level chunks of a WebP, up to the end of the RIFF (or the first structural error).
struct Chunks<'a> {
    body: &'a [u8],
    pos: usize,
    failed: bool,
}

/// The chunks, and whether the file holds all the bytes its RIFF size promises.
fn chunks(bytes: &[u8]) -> Result<(Chunks<'_>, bool), &'static str> {
    if !bytes.starts_with(b"RIFF") || bytes.get(8..12) != Some(b"WEBP") {
        return Err("WebP does not start with a RIFF WEBP header");
    }
    let size = read::usize_le(bytes, 4).ok_or("WebP RIFF size is out of range")?;
    let promised_end = size.checked_add(8).ok_or("WebP RIFF size is out of range")?;
    let complete = promised_end <= bytes.len() && promised_end >= HEADER_LEN;
    let body = bytes.get(HEADER_LEN..promised_end.min(bytes.len())).unwrap_or_default();
    Ok((Chunks { body, pos: 0, failed: false }, complete))
}

impl<'a> Chunks<'a> {
    fn step(&mut self) -> Result<Chunk<'a>, &'static str> {
        let body = self.body;
        let start = self.pos;
        let fourcc: [u8; 4] = read::array(body, start).ok_or("WebP chunk header is cut short")?;
        let size = read::usize_le(body, start + 4).ok_or("WebP chunk header is cut short")?;
        let payload_at = start + CHUNK_HEADER_LEN;
        let padded = size.checked_add(size & 1).ok_or("WebP chunk runs past the end")?;
        let end = payload_at.checked_add(padded).ok_or("WebP chunk runs past the end")?;
        let chunk = body.get(start..end).ok_or("WebP chunk runs past the end")?;
        self.pos = end;
        Ok(Chunk {
            fourcc,
            payload: read::bytes_at(body, payload_at, size).unwrap_or_default(),
            bytes: chunk,
        })
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.pos >= self.body.len() {
            return None;
        }
        let step = self.step();
        self.failed = step.is_err();
        Some(step)
    }
}

fn is_metadata(fourcc: &[u8; 4]) -> bool {
    fourcc == b"EXIF" || fourcc == b"XMP "
}

/// Drops the EXIF and XMP chunks and their VP8X flags. Bytes after the RIFF's end are dropped:
/// no decoder reads them.
pub(crate) fn strip(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let (chunks, complete) = chunks(bytes).map_err(MediaError::Malformed)?;
    if !complete {
        return Err(MediaError::Malformed("WebP is shorter than its RIFF size says"));
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(b"RIFF\0\0\0\0WEBP");
    for (index, chunk) in chunks.enumerate() {
        let chunk = chunk.map_err(MediaError::Malformed)?;
        if index == 0 && !matches!(&chunk.fourcc, b"VP8 " | b"VP8L" | b"VP8X") {
            return Err(MediaError::Malformed("WebP does not start with an image chunk"));
        }
        if is_metadata(&chunk.fourcc) {
            continue;
        }
        if &chunk.fourcc == b"VP8X" {
            if chunk.payload.len() < VP8X_LEN {
                return Err(MediaError::Malformed("WebP VP8X chunk is too short"));
            }
            let mut vp8x = chunk.bytes.to_vec();
            if let Some(flags) = vp8x.get_mut(CHUNK_HEADER_LEN) {
                *flags &= !(EXIF_FLAG | XMP_FLAG);
            }
            out.extend_from_slice(&vp8x);
        } else {
            out.extend_from_slice(chunk.bytes);
        }
    }
    if out.len() == HEADER_LEN {
        return Err(MediaError::Malformed("WebP has no chunks"));
    }
    let size =
        u32::try_from(out.len() - 8).map_err(|_| MediaError::Malformed("WebP is too large"))?;
    if let Some(field) = out.get_mut(4..8) {
        field.copy_from_slice(&size.to_le_bytes());
    }
    Ok(out)
}

/// Width and height from the first chunk: the canvas of VP8X, or the frame of VP8 or VP8L.
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let (mut chunks, _) = chunks(bytes).ok()?;
    let chunk = chunks.next()?.ok()?;
    let payload = chunk.payload;
    match &chunk.fourcc {
        b"VP8X" => {
            // Canvas width and height minus one, 24-bit little-endian, after flags and 3 reserved.
            let width = u24_le(payload, 4)? + 1;
            let height = u24_le(payload, 7)? + 1;
            Some((width, height))
        }
        b"VP8 " => {
            // A key frame: 3-byte frame tag, start code, then 14-bit width and height.
            if payload.get(3..6) != Some(&[0x9D, 0x01, 0x2A]) {
                return None;
            }
            let width = u32::from(read::u16_le(payload, 6)? & 0x3FFF);
            let height = u32::from(read::u16_le(payload, 8)? & 0x3FFF);
            (width > 0 && height > 0).then_some((width, height))
        }
        b"VP8L" => {
            // Signature 0x2F, then width and height minus one in 14 bits each.
            if payload.first() != Some(&0x2F) {
                return None;
            }
            let bits = read::u32_le(payload, 1)?;
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        _ => None,
    }
}

fn u24_le(bytes: &[u8], at: usize) -> Option<u32> {
    let [a, b, c] = read::array(bytes, at)?;
    Some(u32::from_le_bytes([a, b, c, 0]))
}

/// Whether a top-level EXIF or XMP chunk comes before the end (or the first structural error).
pub(crate) fn has_location_metadata(bytes: &[u8]) -> bool {
    let Ok((chunks, _)) = chunks(bytes) else {
        return false;
    };
    chunks.map_while(Result::ok).any(|chunk| is_metadata(&chunk.fourcc))
}
