//! Just enough Exif to read the two tags that matter here and to write the one that is kept.
//!
//! An Exif block is `Exif\0\0` followed by a small TIFF file: a byte-order mark (`II` little,
//! `MM` big), the number 42, and the offset of the first image file directory (IFD0). An IFD is a
//! count of 12-byte entries, each `tag, type, count, value or offset`. Orientation (0x0112) and the
//! pointer to the GPS directory (0x8825) both live in IFD0, so nothing deeper is ever followed.

use crate::read;

/// What an Exif block starts with, inside its JPEG APP1 segment.
pub(crate) const HEADER: &[u8] = b"Exif\0\0";

const ORIENTATION: u16 = 0x0112;
const GPS_IFD_POINTER: u16 = 0x8825;
/// TIFF field type 3: unsigned 16-bit.
const SHORT: u16 = 3;
const ENTRY_LEN: usize = 12;

#[derive(Clone, Copy)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn u16(self, bytes: &[u8], at: usize) -> Option<u16> {
        match self {
            Endian::Little => read::u16_le(bytes, at),
            Endian::Big => read::u16_be(bytes, at),
        }
    }

    fn u32(self, bytes: &[u8], at: usize) -> Option<u32> {
        match self {
            Endian::Little => read::u32_le(bytes, at),
            Endian::Big => read::u32_be(bytes, at),
        }
    }
}

/// The first image file directory of an Exif block.
struct Ifd0<'a> {
    tiff: &'a [u8],
    endian: Endian,
    entries_at: usize,
    count: u16,
}

/// One IFD entry: its field type, value count, and where its 4-byte value field is.
struct Entry {
    kind: u16,
    count: u32,
    value_at: usize,
}

impl<'a> Ifd0<'a> {
    fn parse(exif: &'a [u8]) -> Option<Self> {
        let tiff = exif.strip_prefix(HEADER)?;
        let endian = match tiff.get(..2)? {
            b"II" => Endian::Little,
            b"MM" => Endian::Big,
            _ => return None,
        };
        if endian.u16(tiff, 2)? != 42 {
            return None;
        }
        let offset = usize::try_from(endian.u32(tiff, 4)?).ok()?;
        let count = endian.u16(tiff, offset)?;
        Some(Ifd0 { tiff, endian, entries_at: offset.checked_add(2)?, count })
    }

    /// The entry for `tag`, among the entries that are actually present in the bytes.
    fn find(&self, tag: u16) -> Option<Entry> {
        // A count larger than the bytes can hold is cut to what is there, so that a lying count
        // costs nothing.
        let present = self.tiff.len().saturating_sub(self.entries_at) / ENTRY_LEN;
        (0..usize::from(self.count).min(present)).find_map(|i| {
            let at = self.entries_at.checked_add(i.checked_mul(ENTRY_LEN)?)?;
            if self.endian.u16(self.tiff, at)? != tag {
                return None;
            }
            Some(Entry {
                kind: self.endian.u16(self.tiff, at.checked_add(2)?)?,
                count: self.endian.u32(self.tiff, at.checked_add(4)?)?,
                value_at: at.checked_add(8)?,
            })
        })
    }
}

/// The orientation an Exif block records, when it is a valid one other than 1 ("upright"):
/// the only value worth writing back after the block is dropped.
pub(crate) fn orientation(exif: &[u8]) -> Option<u16> {
    let ifd = Ifd0::parse(exif)?;
    let entry = ifd.find(ORIENTATION)?;
    if entry.kind != SHORT || entry.count != 1 {
        return None;
    }
    let value = ifd.endian.u16(ifd.tiff, entry.value_at)?;
    (2..=8).contains(&value).then_some(value)
}

/// Whether an Exif block points to a GPS directory. The pointer alone is enough: a directory
/// that is there to be pointed at is location data, whatever it holds.
pub(crate) fn has_gps(exif: &[u8]) -> bool {
    Ifd0::parse(exif).and_then(|ifd| ifd.find(GPS_IFD_POINTER)).is_some()
}

/// A complete JPEG APP1 segment holding an Exif block with one entry, the orientation, and
/// nothing else. Always little-endian: readers honour either byte order.
pub(crate) fn orientation_segment(orientation: u16) -> Vec<u8> {
    let mut tiff = Vec::with_capacity(26);
    tiff.extend_from_slice(b"II");
    tiff.extend_from_slice(&42u16.to_le_bytes());
    tiff.extend_from_slice(&8u32.to_le_bytes()); // IFD0 follows the 8-byte header
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&ORIENTATION.to_le_bytes());
    tiff.extend_from_slice(&SHORT.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes()); // one value, held in the value field itself
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]); // the value field's unused half
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD

    // The segment length counts itself (2 bytes), the Exif header and the TIFF block: 34.
    let length = 2 + HEADER.len() + tiff.len();
    let mut segment = Vec::with_capacity(2 + length);
    segment.extend_from_slice(&[0xFF, 0xE1]);
    segment.extend_from_slice(&u16::try_from(length).unwrap_or(u16::MAX).to_be_bytes());
    segment.extend_from_slice(HEADER);
    segment.extend_from_slice(&tiff);
    segment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_orientation_block_reads_back_and_carries_no_gps() {
        for value in 2..=8 {
            let segment = orientation_segment(value);
            assert_eq!(segment.len(), 36);
            assert_eq!(segment[2..4], [0, 34]);
            let payload = &segment[4..];
            assert_eq!(orientation(payload), Some(value));
            assert!(!has_gps(payload));
        }
    }

    #[test]
    fn upright_and_out_of_range_orientations_are_not_worth_keeping() {
        assert_eq!(orientation(&orientation_segment(1)[4..]), None);
        assert_eq!(orientation(&orientation_segment(9)[4..]), None);
        assert_eq!(orientation(&orientation_segment(0)[4..]), None);
    }

    #[test]
    fn an_ifd_that_points_past_the_end_reads_as_nothing() {
        let mut segment = orientation_segment(6);
        segment[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(orientation(&segment[4..]), None);
    }
}
