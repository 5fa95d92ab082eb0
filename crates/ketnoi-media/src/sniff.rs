//! Identifying bytes by their content.

use crate::{JPEG, OLE, PDF, PNG, Sniffed, WEBP, png, webp, zip};

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Identifies the bytes by their content (magic numbers, container structure), never by name.
///
/// Answers `None` for everything that is not an accepted type: plain ZIP archives, executables,
/// HTML, SVG (which can carry script), GIF, and anything unrecognised. Sniffing looks only at
/// signatures and container structure; whether an image is well-formed throughout is found out
/// by [`strip_metadata`](crate::strip_metadata), which parses it.
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(JPEG)
    } else if bytes.starts_with(&png::SIGNATURE) {
        Some(PNG)
    } else if webp::is_webp(bytes) {
        Some(WEBP)
    } else if bytes.starts_with(b"%PDF-") {
        Some(PDF)
    } else if bytes.starts_with(&OLE_MAGIC) {
        Some(OLE)
    } else if bytes.starts_with(b"PK\x03\x04") {
        zip::office_type(bytes)
    } else {
        None
    }
}
