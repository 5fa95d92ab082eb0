//! JPEG: a start-of-image marker, a run of marker segments (tables, frame header, application
//! data), then a start-of-scan segment followed by entropy-coded image data.
//!
//! Everything that identifies a person or a place sits in the segments before the first scan, so
//! the parser walks segments only up to SOS and treats the rest as opaque: the image data is
//! copied byte for byte and is never decoded here, up to the end-of-image marker. What follows
//! that marker (phones append further pictures there, depth maps and previews with Exif of their
//! own, GPS included) is dropped.

use crate::{MediaError, exif, read};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const TEM: u8 = 0x01;
const RST0: u8 = 0xD0;
const RST7: u8 = 0xD7;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const APP15: u8 = 0xEF;
const COM: u8 = 0xFE;

const JFIF: &[u8] = b"JFIF\0";
/// The fixed part of a JFIF APP0 payload: identifier, version, units, densities, and the
/// thumbnail's width and height; a thumbnail's pixels may follow.
const JFIF_FIXED_LEN: usize = 14;
const ICC_PROFILE: &[u8] = b"ICC_PROFILE\0";
const ADOBE: &[u8] = b"Adobe";
const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXTENSION: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

/// One piece of a JPEG header.
struct Segment<'a> {
    marker: u8,
    /// The whole segment, from its `0xFF` to the end of its payload. For SOS, the whole rest
    /// of the file.
    bytes: &'a [u8],
    /// What follows the marker and length; empty for markers that stand alone.
    payload: &'a [u8],
}

/// The segments of a JPEG, ending with SOS (or with the first structural error).
struct Segments<'a> {
    bytes: &'a [u8],
    pos: usize,
    done: bool,
}

fn segments(bytes: &[u8]) -> Result<Segments<'_>, &'static str> {
    if !bytes.starts_with(&[0xFF, SOI]) {
        return Err("JPEG does not start with a start-of-image marker");
    }
    Ok(Segments { bytes, pos: 2, done: false })
}

impl<'a> Segments<'a> {
    fn step(&mut self) -> Result<Segment<'a>, &'static str> {
        let bytes = self.bytes;
        match bytes.get(self.pos) {
            Some(0xFF) => {}
            Some(_) => return Err("JPEG has bytes between segments"),
            None => return Err("JPEG ends before its image data"),
        }
        // Any number of 0xFF fill bytes may precede a marker; the segment starts at the last.
        let mut start = self.pos;
        while bytes.get(start + 1) == Some(&0xFF) {
            start += 1;
        }
        let marker = *bytes.get(start + 1).ok_or("JPEG ends inside a marker")?;
        match marker {
            0x00 => Err("JPEG has a stuffed byte where a marker should be"),
            SOI => Err("JPEG has a second start-of-image marker"),
            EOI => Err("JPEG ends before its image data"),
            SOS => {
                self.pos = bytes.len();
                let rest = bytes.get(start..).unwrap_or_default();
                Ok(Segment { marker, bytes: rest, payload: rest.get(2..).unwrap_or_default() })
            }
            TEM | RST0..=RST7 => {
                let end = start + 2;
                self.pos = end;
                Ok(Segment {
                    marker,
                    bytes: bytes.get(start..end).unwrap_or_default(),
                    payload: &[],
                })
            }
            _ => {
                let length =
                    read::u16_be(bytes, start + 2).ok_or("JPEG ends inside a segment length")?;
                let length = usize::from(length);
                if length < 2 {
                    return Err("JPEG segment length is too small");
                }
                let end =
                    (start + 2).checked_add(length).ok_or("JPEG segment runs past the end")?;
                let segment = bytes.get(start..end).ok_or("JPEG segment runs past the end")?;
                self.pos = end;
                Ok(Segment {
                    marker,
                    bytes: segment,
                    payload: segment.get(4..).unwrap_or_default(),
                })
            }
        }
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<Segment<'a>, &'static str>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        self.done = !matches!(&step, Ok(segment) if segment.marker != SOS);
        Some(step)
    }
}

/// What the stripped file keeps of one segment.
enum Kept<'a> {
    Verbatim(&'a [u8]),
    /// A JFIF APP0 segment rewritten without its thumbnail.
    Jfif(Vec<u8>),
}

impl Kept<'_> {
    fn bytes(&self) -> &[u8] {
        match self {
            Kept::Verbatim(bytes) => bytes,
            Kept::Jfif(bytes) => bytes,
        }
    }
}

/// What to keep of a segment before the first scan, if anything.
///
/// APP0 JFIF, APP2 ICC profiles and APP14 Adobe change how the pixels are decoded or coloured,
/// so they stay. Every other application segment (Exif and XMP in APP1, IPTC in APP13, maker
/// data in the rest) and every comment goes: none is needed to show the picture, and any may
/// name a person or a place. Non-application segments (tables, frame header) are the picture.
fn keep<'a>(segment: &Segment<'a>) -> Option<Kept<'a>> {
    let payload = segment.payload;
    match segment.marker {
        APP0 if payload.starts_with(JFIF) => Some(without_thumbnail(segment)),
        APP2 if payload.starts_with(ICC_PROFILE) => Some(Kept::Verbatim(segment.bytes)),
        APP14 if payload.starts_with(ADOBE) => Some(Kept::Verbatim(segment.bytes)),
        APP0..=APP15 | COM => None,
        _ => Some(Kept::Verbatim(segment.bytes)),
    }
}

/// A JFIF segment may carry a thumbnail: a small copy of the picture, which may show what a
/// crop removed. The stripped file keeps the JFIF header and says it has no thumbnail.
fn without_thumbnail<'a>(segment: &Segment<'a>) -> Kept<'a> {
    match segment.payload.get(..JFIF_FIXED_LEN) {
        Some(fixed) if segment.payload.len() > JFIF_FIXED_LEN => {
            // 16: the length field itself and the fixed part.
            let mut rewritten = vec![0xFF, APP0, 0, 16];
            rewritten.extend_from_slice(fixed.get(..JFIF_FIXED_LEN - 2).unwrap_or_default());
            rewritten.extend_from_slice(&[0, 0]);
            Kept::Jfif(rewritten)
        }
        _ => Kept::Verbatim(segment.bytes),
    }
}

fn is_jfif(kept: &Kept<'_>) -> bool {
    let bytes = kept.bytes();
    bytes.get(1) == Some(&APP0) && bytes.get(4..).is_some_and(|payload| payload.starts_with(JFIF))
}

/// Drops metadata segments, writing back a minimal Exif orientation if there was one.
///
/// Two passes, neither of which keeps a list of segments: the first finds the orientation, the
/// second writes the kept segments as it meets them.
pub(crate) fn strip(bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    let first_exif = segments(bytes)
        .map_err(MediaError::Malformed)?
        .map_while(Result::ok)
        .find(|segment| segment.marker == APP1 && segment.payload.starts_with(exif::HEADER));
    let mut orientation_segment = first_exif
        .and_then(|segment| exif::orientation(segment.payload))
        .map(exif::orientation_segment);

    let mut out = Vec::with_capacity(bytes.len().saturating_add(64));
    out.extend_from_slice(&[0xFF, SOI]);
    let mut first_kept = true;
    for segment in segments(bytes).map_err(MediaError::Malformed)? {
        let segment = segment.map_err(MediaError::Malformed)?;
        let Some(kept) = keep(&segment) else {
            continue;
        };
        // JFIF wants its APP0 first and Exif wants its APP1 first; readers accept JFIF then
        // Exif. So the orientation goes before the first kept segment, or after it if JFIF.
        if !(first_kept && is_jfif(&kept))
            && let Some(orientation) = orientation_segment.take()
        {
            out.extend_from_slice(&orientation);
        }
        let bytes = kept.bytes();
        if segment.marker == SOS {
            out.extend_from_slice(bytes.get(..image_end(bytes)).unwrap_or(bytes));
        } else {
            out.extend_from_slice(bytes);
        }
        first_kept = false;
    }
    // The walk ends with SOS, which is always kept, or fails above: the orientation is written.
    Ok(out)
}

/// Where the picture ends in `scan` (from the first SOS to the end of the file): just after the
/// EOI marker, found by walking the entropy-coded data, where 0xFF is always followed by a stuffed
/// 0x00, a fill 0xFF, a restart marker, or a real marker (the segments between progressive scans,
/// which are skipped by their length, and EOI). Without an EOI everything is kept.
fn image_end(scan: &[u8]) -> usize {
    let Some(header) = read::u16_be(scan, 2) else { return scan.len() };
    let mut pos = 2 + usize::from(header);
    while let (Some(&byte), Some(&next)) = (scan.get(pos), scan.get(pos + 1)) {
        if byte != 0xFF {
            pos += 1;
            continue;
        }
        pos = match next {
            0x00 => pos + 2,
            0xFF => pos + 1,
            RST0..=RST7 => pos + 2,
            EOI => return pos + 2,
            _ => match read::u16_be(scan, pos + 2) {
                Some(length) if length >= 2 => pos + 2 + usize::from(length),
                _ => return scan.len(),
            },
        };
    }
    scan.len()
}

/// Width and height from the first frame header (SOF0–SOF15, less DHT, JPG and DAC, which share
/// the range).
pub(crate) fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    for segment in segments(bytes).ok()? {
        let segment = segment.ok()?;
        if matches!(segment.marker, 0xC0..=0xCF) && !matches!(segment.marker, 0xC4 | 0xC8 | 0xCC) {
            let height = read::u16_be(segment.payload, 1)?;
            let width = read::u16_be(segment.payload, 3)?;
            // A height of 0 is defined later by a DNL segment, after the scan: unknown here.
            return (width > 0 && height > 0).then_some((width.into(), height.into()));
        }
    }
    None
}

/// Whether an APP1 segment before the first scan is Exif with a GPS directory, or any XMP.
/// A file that breaks off is judged on the segments read before the break.
pub(crate) fn has_location_metadata(bytes: &[u8]) -> bool {
    let Ok(segments) = segments(bytes) else {
        return false;
    };
    segments.map_while(Result::ok).any(|segment| {
        let payload = segment.payload;
        segment.marker == APP1
            && (exif::has_gps(payload)
                || payload.starts_with(XMP)
                || payload.starts_with(XMP_EXTENSION))
    })
}
