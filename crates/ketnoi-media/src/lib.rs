//! Chat attachments: what an upload really is, and what it must lose before anyone sees it.
//!
//! Citizens send photos and documents to agencies. Such files cannot be taken at their word.
//! Their names and declared `Content-Type` say nothing reliable about their bytes, so [`sniff`]
//! identifies a file by its content alone, and [`check`] refuses an upload whose type is not
//! one of the few accepted (images every browser shows without running code, office documents,
//! PDF) or whose declared type disagrees with its bytes. And a photo taken on a phone records
//! where and when it was taken, often who took it and with what: [`strip_metadata`] removes that
//! before the photo is stored or shown, while keeping what is needed to display it the right way
//! up and in the right colours.
//!
//! Every function here reads untrusted bytes: none panics, none trusts a length field before
//! checking it against the input, and none allocates more than a small multiple of its input.
//! Each format has its own module with a parser that walks the structure only as far as needed
//! and stops at the first inconsistency. The crate does no I/O.
//!
//! ```
//! use ketnoi_media::{MediaError, check, strip_metadata};
//!
//! let upload: &[u8] = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n";
//! let sniffed = check("Application/PDF; name=\"don.pdf\"", upload)?;
//! assert_eq!(sniffed.extension, "pdf");
//! assert_eq!(strip_metadata(sniffed, upload)?, upload); // documents pass through
//! assert!(matches!(check("image/png", upload), Err(MediaError::Mismatch { .. })));
//! assert_eq!(check("image/svg+xml", b"<svg/>"), Err(MediaError::Unsupported));
//! # Ok::<(), MediaError>(())
//! ```
#![deny(missing_docs)]

mod check;
mod exif;
mod jpeg;
mod png;
mod read;
mod sniff;
mod webp;
mod zip;

pub use check::check;
pub use sniff::sniff;

/// What the bytes of an upload are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A picture shown inline in the chat.
    Image,
    /// A file offered for download.
    Document,
}

/// What [`sniff`] or [`check`] found a file to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    /// The canonical media type, e.g. `image/jpeg`.
    pub media_type: &'static str,
    /// Whether it is shown as a picture or offered as a document.
    pub kind: Kind,
    /// The file name extension to store and serve it under, without the dot, e.g. `jpg`.
    pub extension: &'static str,
}

/// Why an upload is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// The bytes are not a type we accept.
    #[error("the file is not of a type that can be sent here")]
    Unsupported,
    /// The declared Content-Type disagrees with the bytes.
    #[error("the file was declared as {declared} but its content is {actual}")]
    Mismatch {
        /// The declared type, normalised: lowercase, without parameters.
        declared: String,
        /// The type the content was found to be.
        actual: &'static str,
    },
    /// The file claims a known type but its structure is broken.
    #[error("the file is damaged: {0}")]
    Malformed(&'static str),
}

/// What [`sniff`] reports for a legacy Office file (`.doc`, `.xls`, `.ppt`): an OLE compound
/// file, whose kind cannot be told cheaply; its extension is then `ole`. [`check`] turns it into
/// the declared Office type.
pub const OLE_STORAGE: &str = "application/x-ole-storage";

const fn image(media_type: &'static str, extension: &'static str) -> Sniffed {
    Sniffed { media_type, kind: Kind::Image, extension }
}

const fn document(media_type: &'static str, extension: &'static str) -> Sniffed {
    Sniffed { media_type, kind: Kind::Document, extension }
}

const JPEG: Sniffed = image("image/jpeg", "jpg");
const PNG: Sniffed = image("image/png", "png");
const WEBP: Sniffed = image("image/webp", "webp");
const PDF: Sniffed = document("application/pdf", "pdf");
const OLE: Sniffed = document(OLE_STORAGE, "ole");
const DOCX: Sniffed =
    document("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx");
const XLSX: Sniffed =
    document("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx");
const PPTX: Sniffed =
    document("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx");
const ODT: Sniffed = document("application/vnd.oasis.opendocument.text", "odt");
const ODS: Sniffed = document("application/vnd.oasis.opendocument.spreadsheet", "ods");
const ODP: Sniffed = document("application/vnd.oasis.opendocument.presentation", "odp");

/// Removes metadata that can identify a person or place from an image, returning new bytes.
///
/// `sniffed` is what [`sniff`] or [`check`] said of the same bytes; it picks the format.
///
/// - JPEG: drops APP1 (Exif and XMP), APP13 (IPTC/Photoshop), COM, and every other APPn except
///   APP0 JFIF, APP2 ICC_PROFILE and APP14 Adobe. A JFIF thumbnail is dropped, the JFIF header
///   kept. If the original Exif had an Orientation other than 1, a minimal new Exif segment with
///   only that Orientation is written back, so the photo still displays upright. Parsing stops
///   at the first scan (SOS); from there the bytes are copied verbatim.
/// - PNG: drops eXIf, tEXt, zTXt, iTXt and tIME chunks and anything after IEND, and keeps every
///   other chunk with its CRC as it was.
/// - WebP: drops EXIF and XMP chunks and anything after the RIFF's end, clears the EXIF and XMP
///   flags in VP8X if present, and fixes the RIFF size.
/// - Documents: returns the bytes unchanged.
///
/// The result is never more than 36 bytes longer than the input (the Exif orientation segment).
///
/// # Errors
///
/// [`MediaError::Malformed`] when an image's structure is broken before its image data.
pub fn strip_metadata(sniffed: Sniffed, bytes: &[u8]) -> Result<Vec<u8>, MediaError> {
    match sniffed.media_type {
        t if t == JPEG.media_type => jpeg::strip(bytes),
        t if t == PNG.media_type => png::strip(bytes),
        t if t == WEBP.media_type => webp::strip(bytes),
        _ => Ok(bytes.to_vec()),
    }
}

/// Pixel width and height of an image, read from its header (JPEG SOFn, PNG IHDR, WebP
/// VP8/VP8L/VP8X), or `None` for documents and for images whose header cannot be read.
///
/// For a JPEG with an Exif orientation of 5 to 8 these are the stored dimensions, before the
/// viewer turns the picture.
pub fn dimensions(sniffed: Sniffed, bytes: &[u8]) -> Option<(u32, u32)> {
    match sniffed.media_type {
        t if t == JPEG.media_type => jpeg::dimensions(bytes),
        t if t == PNG.media_type => png::dimensions(bytes),
        t if t == WEBP.media_type => webp::dimensions(bytes),
        _ => None,
    }
}

/// Whether a JPEG, PNG or WebP still carries an Exif, XMP or GPS metadata segment; used by tests
/// and as a check after stripping.
///
/// - JPEG: an APP1 Exif segment whose first directory points to a GPS directory (tag 0x8825),
///   or any APP1 XMP segment, before the first scan.
/// - PNG: an eXIf chunk, or a text chunk holding XMP (`XML:com.adobe.xmp`) or a raw Exif or XMP
///   profile as ImageMagick writes them.
/// - WebP: an EXIF or XMP chunk.
///
/// The format is told from the bytes. Other bytes answer `false`, as does metadata that follows
/// a structural error, which no reader would find either.
pub fn has_location_metadata(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg::has_location_metadata(bytes)
    } else if bytes.starts_with(&png::SIGNATURE) {
        png::has_location_metadata(bytes)
    } else {
        webp::has_location_metadata(bytes)
    }
}
