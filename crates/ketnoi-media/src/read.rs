//! Bounds-checked reads from untrusted bytes. Every reader answers `None` instead of panicking
//! when the bytes are too short, so a format parser can use `?` for every field it reads.

/// `len` bytes starting at `at`, if all of them are there.
pub(crate) fn bytes_at(bytes: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    bytes.get(at..at.checked_add(len)?)
}

/// `N` bytes starting at `at`, as an array.
pub(crate) fn array<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes_at(bytes, at, N)?.try_into().ok()
}

/// A big-endian `u16` at `at`.
pub(crate) fn u16_be(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_be_bytes)
}

/// A little-endian `u16` at `at`.
pub(crate) fn u16_le(bytes: &[u8], at: usize) -> Option<u16> {
    array(bytes, at).map(u16::from_le_bytes)
}

/// A big-endian `u32` at `at`.
pub(crate) fn u32_be(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_be_bytes)
}

/// A little-endian `u32` at `at`.
pub(crate) fn u32_le(bytes: &[u8], at: usize) -> Option<u32> {
    array(bytes, at).map(u32::from_le_bytes)
}

/// A little-endian `u32` at `at`, as a `usize` offset or length.
pub(crate) fn usize_le(bytes: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u32_le(bytes, at)?).ok()
}

/// Whether `bytes` begins with `prefix`, ignoring ASCII case.
pub(crate) fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Whether `bytes` ends with `suffix`, ignoring ASCII case.
pub(crate) fn ends_with_ignore_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes
        .len()
        .checked_sub(suffix.len())
        .and_then(|start| bytes.get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_none_not_panics() {
        let bytes = [1, 2, 3];
        assert_eq!(u16_be(&bytes, 1), Some(0x0203));
        assert_eq!(u16_le(&bytes, 1), Some(0x0302));
        assert_eq!(u16_be(&bytes, 2), None);
        assert_eq!(u32_le(&bytes, 0), None);
        assert_eq!(bytes_at(&bytes, usize::MAX, 2), None);
        assert_eq!(bytes_at(&bytes, 1, usize::MAX), None);
    }

    #[test]
    fn case_insensitive_prefix_and_suffix() {
        assert!(starts_with_ignore_case(b"Word/document.xml", b"word/"));
        assert!(!starts_with_ignore_case(b"wor", b"word/"));
        assert!(ends_with_ignore_case(b"xl/VBAProject.bin", b"vbaproject.bin"));
        assert!(!ends_with_ignore_case(b"bin", b"vbaproject.bin"));
    }
}
