//! Reading test outputs back, written apart from the crate's parsers so that a test does not
//! grade the crate with its own code. These panic on anything unexpected: inputs are trusted.

/// The segments of a JPEG after SOI, as (marker, whole segment); SOS comes last and runs to the end.
pub fn jpeg_segments(bytes: &[u8]) -> Vec<(u8, &[u8])> {
    assert_eq!(bytes[..2], [0xFF, 0xD8], "not a JPEG");
    let mut segments = Vec::new();
    let mut pos = 2;
    loop {
        assert_eq!(bytes[pos], 0xFF, "no marker at {pos}");
        let marker = bytes[pos + 1];
        if marker == 0xDA {
            segments.push((marker, &bytes[pos..]));
            return segments;
        }
        let len = usize::from(u16::from_be_bytes([bytes[pos + 2], bytes[pos + 3]]));
        segments.push((marker, &bytes[pos..pos + 2 + len]));
        pos += 2 + len;
    }
}

pub fn jpeg_markers(bytes: &[u8]) -> Vec<u8> {
    jpeg_segments(bytes).into_iter().map(|(marker, _)| marker).collect()
}

/// The scan: everything from the SOS marker to the end.
pub fn jpeg_scan(bytes: &[u8]) -> &[u8] {
    jpeg_segments(bytes).pop().unwrap().1
}

/// The chunks of a PNG as (type, whole chunk), up to IEND.
pub fn png_chunks(bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    assert_eq!(bytes[..8], super::fixtures::PNG_SIGNATURE);
    let mut chunks = Vec::new();
    let mut pos = 8;
    loop {
        let len =
            usize::try_from(u32::from_be_bytes(bytes[pos..pos + 4].try_into().unwrap())).unwrap();
        let kind: [u8; 4] = bytes[pos + 4..pos + 8].try_into().unwrap();
        chunks.push((kind, &bytes[pos..pos + 12 + len]));
        pos += 12 + len;
        if &kind == b"IEND" {
            return chunks;
        }
    }
}

pub fn png_chunk_types(bytes: &[u8]) -> Vec<String> {
    png_chunks(bytes).iter().map(|(kind, _)| String::from_utf8_lossy(kind).into_owned()).collect()
}

/// Whether a whole PNG chunk's CRC is right.
pub fn png_crc_is_right(chunk: &[u8]) -> bool {
    let (body, crc) = chunk[4..].split_at(chunk.len() - 8);
    super::fixtures::crc32(body).to_be_bytes() == crc
}

/// The top-level chunks of a WebP as (FourCC, payload), checking the RIFF size on the way.
pub fn webp_chunks(bytes: &[u8]) -> Vec<([u8; 4], &[u8])> {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..12], b"WEBP");
    let riff_size = usize::try_from(u32::from_le_bytes(bytes[4..8].try_into().unwrap())).unwrap();
    assert_eq!(riff_size, bytes.len() - 8, "RIFF size");
    let mut chunks = Vec::new();
    let mut pos = 12;
    while pos < bytes.len() {
        let fourcc: [u8; 4] = bytes[pos..pos + 4].try_into().unwrap();
        let len = usize::try_from(u32::from_le_bytes(bytes[pos + 4..pos + 8].try_into().unwrap()))
            .unwrap();
        chunks.push((fourcc, &bytes[pos + 8..pos + 8 + len]));
        pos += 8 + len + len % 2;
    }
    assert_eq!(pos, bytes.len());
    chunks
}

pub fn webp_fourccs(bytes: &[u8]) -> Vec<String> {
    webp_chunks(bytes)
        .iter()
        .map(|(fourcc, _)| String::from_utf8_lossy(fourcc).into_owned())
        .collect()
}

/// The first of `needles` found in `haystack`, if any.
pub fn leaked<'a>(haystack: &[u8], needles: &[&'a [u8]]) -> Option<&'a str> {
    needles
        .iter()
        .find(|needle| haystack.windows(needle.len()).any(|window| window == **needle))
        .map(|needle| std::str::from_utf8(needle).unwrap())
}
