//! Declared types against sniffed ones.

use crate::{JPEG, Kind, MediaError, OLE_STORAGE, PDF, PNG, Sniffed, sniff};

/// Names that browsers and older clients send for the types we accept, with the canonical name.
const ALIASES: [(&str, &str); 4] = [
    ("image/jpg", JPEG.media_type),
    ("image/pjpeg", JPEG.media_type),
    ("image/x-png", PNG.media_type),
    ("application/x-pdf", PDF.media_type),
];

/// The legacy Office types an OLE compound file may be declared as, with their extensions.
const LEGACY_OFFICE: [(&str, &str); 3] = [
    ("application/msword", "doc"),
    ("application/vnd.ms-excel", "xls"),
    ("application/vnd.ms-powerpoint", "ppt"),
];

/// A declared type is echoed back in errors; a client could send anything, so it is cut short.
const MAX_DECLARED_LEN: usize = 100;

/// Checks that `declared` (a Content-Type value; parameters like "; charset=" ignored;
/// case-insensitive; common aliases such as image/jpg and image/pjpeg accepted for image/jpeg)
/// matches what [`sniff`] finds, and that the type is one of the accepted ones.
/// application/octet-stream does NOT match anything.
///
/// A legacy Office file (an OLE compound file, which [`sniff`] reports as [`OLE_STORAGE`]) is
/// accepted when declared as application/msword, application/vnd.ms-excel or
/// application/vnd.ms-powerpoint, and the result names the declared type: the three cannot be
/// told apart without reading the compound file's directory.
///
/// # Errors
///
/// [`MediaError::Unsupported`] when the bytes are not an accepted type, whatever was declared;
/// otherwise [`MediaError::Mismatch`] when the declared type is not theirs. `declared` in the
/// error is the normalised type: lowercase, without parameters, at most 100 characters.
pub fn check(declared: &str, bytes: &[u8]) -> Result<Sniffed, MediaError> {
    let actual = sniff(bytes).ok_or(MediaError::Unsupported)?;
    let declared = essence(declared);
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == declared)
        .map_or(declared.as_str(), |(_, name)| name);
    if actual.media_type == OLE_STORAGE {
        if let Some(&(media_type, extension)) =
            LEGACY_OFFICE.iter().find(|(name, _)| *name == canonical)
        {
            return Ok(Sniffed { media_type, kind: Kind::Document, extension });
        }
    } else if actual.media_type == canonical {
        return Ok(actual);
    }
    Err(MediaError::Mismatch { declared, actual: actual.media_type })
}

/// The media type without parameters or surrounding space, lowercased.
fn essence(declared: &str) -> String {
    let essence = declared.split(';').next().unwrap_or_default().trim();
    let mut essence: String = essence.chars().take(MAX_DECLARED_LEN).collect();
    essence.make_ascii_lowercase();
    essence
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_essence_drops_parameters_space_and_case() {
        assert_eq!(essence(" Image/JPEG ; charset=binary"), "image/jpeg");
        assert_eq!(essence("application/pdf"), "application/pdf");
        assert_eq!(essence(""), "");
        assert_eq!(essence(&"x".repeat(10_000)).len(), MAX_DECLARED_LEN);
    }
}
