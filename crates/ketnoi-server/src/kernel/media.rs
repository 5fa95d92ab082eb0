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
