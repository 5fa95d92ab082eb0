//! Uploaded files made safe to keep: the type read from the bytes and checked against what the
//! client declared, metadata (where and when a photo was taken) stripped, size bounded.

use ketnoi_media::{MediaError, Sniffed};

use crate::kernel::error::ApiError;

/// Checks an upload and returns what it is with its cleaned bytes. Refuses empty files, files
/// over `max` bytes, types ketnoi does not accept, and anything that still carries a location
/// after cleaning.
pub fn clean(declared: &str, bytes: &[u8], max: usize) -> Result<(Sniffed, Vec<u8>), ApiError> {
    if bytes.len() > max {
        return Err(ApiError::UploadTooLarge { max_bytes: max });
    }
    if bytes.is_empty() {
        return Err(ApiError::UploadRejected("upload-empty"));
    }
    let sniffed = ketnoi_media::check(declared, bytes).map_err(|e| match e {
        MediaError::Unsupported => ApiError::UploadRejected("upload-unsupported"),
        MediaError::Mismatch { .. } => ApiError::UploadRejected("upload-mismatch"),
        MediaError::Malformed(_) => ApiError::UploadRejected("upload-malformed"),
    })?;
    let cleaned = ketnoi_media::strip_metadata(sniffed, bytes)
        .map_err(|_| ApiError::UploadRejected("upload-malformed"))?;
    if ketnoi_media::has_location_metadata(&cleaned) {
        // Never keep a picture that still says where it was taken.
        return Err(ApiError::UploadRejected("upload-malformed"));
    }
    Ok((sniffed, cleaned))
}

/// The document types a forms library keeps: PDF, Word (DOC, DOCX), OpenDocument text (ODT) and
/// spreadsheets (XLS, XLSX). Pictures and slides are refused.
const DOCUMENT_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
];

/// A document checked and cleaned by [`clean_document`].
pub struct CleanDocument {
    /// Its media type, read from the bytes.
    pub content_type: String,
    /// The extension it is served under.
    pub extension: &'static str,
    /// The bytes, without metadata.
    pub bytes: Vec<u8>,
}

/// Checks a downloadable document as [`clean`] does, and refuses anything but the types of a
/// forms library.
pub fn clean_document(declared: &str, bytes: &[u8], max: usize) -> Result<CleanDocument, ApiError> {
    let (sniffed, bytes) = clean(declared, bytes, max)?;
    if !DOCUMENT_TYPES.contains(&sniffed.media_type) {
        return Err(ApiError::UploadRejected("upload-unsupported"));
    }
    Ok(CleanDocument {
        content_type: sniffed.media_type.to_owned(),
        extension: sniffed.extension,
        bytes,
    })
}
