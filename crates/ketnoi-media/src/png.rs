//! PNG: an 8-byte signature, then chunks of `length, type, data, CRC` from IHDR to IEND.
//!
//! Metadata lives in its own chunks (eXIf, the three text chunks, tIME), so stripping is a
//! matter of leaving chunks out; every kept chunk is copied with its CRC untouched.

use crate::{MediaError, read};

/// The PNG file signature.
pub(crate) const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Chunks that may say who, where or when, and that no decoder needs.
const DROPPED: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"];
const TEXT: [&[u8; 4]; 3] = [b"tEXt", b"zTXt", b"iTXt"];
/// Text keywords under which XMP or Exif is kept: Adobe's, and ImageMagick's raw profiles.
const METADATA_KEYWORDS: [&[u8]; 4] = [
    b"XML:com.adobe.xmp",
    b"Raw profile type exif",
    b"Raw profile type xmp",
    b"Raw profile type APP1",
];
/// PNG caps a chunk length at 2^31 - 1.
const MAX_CHUNK_LEN: u32 = 0x7FFF_FFFF;
/// And the width and height, likewise.
const MAX_SIDE: u32 = 0x7FFF_FFFF;

struct Chunk<'a> {
    kind: [u8; 4],
    data: &'a [u8],
    /// The whole chunk: length, type, data and CRC.
    bytes: &'a [u8],
}

/// The chunks of a PNG, from IHDR to IEND (or to the first structural error).
struct Chunks<'a> {
    bytes: &'a [u8],
    pos: usize,
    done: bool,
}

fn chunks(bytes: &[u8]) -> Result<Chunks<'_>, &'static str> {
    if !bytes.starts_with(&SIGNATURE) {
        return Err("PNG signature is wrong");
    }
    Ok(Chunks { bytes, pos: SIGNATURE.len(), done: false })
}

impl<'a> Chunks<'a> {
    fn step(&mut self) -> Result<Chunk<'a>, &'static str> {
        let bytes = self.bytes;
        let start = self.pos;
        if start == bytes.len() {
            return Err("PNG ends without an IEND chunk");
        }
        let length = read::u32_be(bytes, start).ok_or("PNG chunk header is cut short")?;
        if length > MAX_CHUNK_LEN {
            return Err("PNG chunk length is out of range");
        }
        let kind: [u8; 4] = read::array(bytes, start + 4).ok_or("PNG chunk header is cut short")?;
        if !kind.iter().all(u8::is_ascii_alphabetic) {
            return Err("PNG chunk type is not four letters");
        }
        if start == SIGNATURE.len() && &kind != b"IHDR" {
            return Err("PNG does not start with IHDR");
        }
        let length = usize::try_from(length).map_err(|_| "PNG chunk length is out of range")?;
        let data_at = start + 8;
        let end = data_at.checked_add(length).and_then(|end| end.checked_add(4));
        let chunk =
            end.and_then(|end| bytes.get(start..end)).ok_or("PNG chunk runs past the end")?;
        self.pos = start + chunk.len();
        Ok(Chunk {
            kind,
            data: read::bytes_at(bytes, data_at, length).unwrap_or_default(),
            bytes: chunk,
        })
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        self.done = !matches!(&step, Ok(chunk) if &chunk.kind != b"IEND");
        Some(step)
    }
}

/// Drops the metadata chunks. Anything after IEND is dropped too: no decoder reads it, and it is
/// a known place to hide data.
pub(crate) fn strip(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&SIGNATURE);
    for chunk in chunks(bytes).map_err(MediaError::Malformed)? {
        let chunk = chunk.map_err(MediaError::Malformed)?;
        if !DROPPED.contains(&&chunk.kind) {
            out.extend_from_slice(chunk.bytes);
        }
    }
    Ok(out)
}

/// Width and height from IHDR, which must be the first chunk.
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let ihdr = chunks(bytes).ok()?.next()?.ok()?;
    let width = read::u32_be(ihdr.data, 0)?;
    let height = read::u32_be(ihdr.data, 4)?;
    let valid = 1..=MAX_SIDE;
    (valid.contains(&width) && valid.contains(&height)).then_some((width, height))
}

/// Whether an eXIf chunk, or a text chunk holding XMP or Exif, comes before IEND (or before the
/// first structural error).
pub(crate) fn has_location_metadata(bytes: &[u8]) -> bool {
    let Ok(chunks) = chunks(bytes) else {
        return false;
    };
    chunks.map_while(Result::ok).any(|chunk| {
        &chunk.kind == b"eXIf"
            || (TEXT.contains(&&chunk.kind) && METADATA_KEYWORDS.contains(&keyword(chunk.data)))
    })
}

/// The keyword a text chunk starts with: up to its NUL.
fn keyword(data: &[u8]) -> &[u8] {
    data.split(|&b| b == 0).next().unwrap_or_default()
}
