//! Office documents in ZIP containers, told apart by the names of their entries.
//!
//! Nothing is decompressed. OpenDocument stores its media type, uncompressed, as the first entry
//! (`mimetype`). Office Open XML has no such entry; its parts live under `word/`, `xl/` or `ppt/`
//! beside a `[Content_Types].xml`. Names are read from the central directory at the end of the
//! archive and from the local headers at the front, and the two are pooled, so that neither a
//! truncated archive nor one whose local headers cannot be skipped hides an entry.

use crate::{DOCX, ODP, ODS, ODT, PPTX, Sniffed, XLSX, read};

const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
const LOCAL_HEADER_LEN: usize = 30;
const CENTRAL_HEADER: &[u8] = b"PK\x01\x02";
const CENTRAL_HEADER_LEN: usize = 46;
const END_OF_CENTRAL_DIRECTORY: &[u8] = b"PK\x05\x06";
const END_OF_CENTRAL_DIRECTORY_LEN: usize = 22;
const MAX_COMMENT_LEN: usize = 0xFFFF;
/// General-purpose flag bit 3: sizes are in a descriptor after the data, not in the header.
const DATA_DESCRIPTOR: u16 = 0x0008;
const STORED: u16 = 0;

/// What the entry names of an archive say about it.
#[derive(Default)]
struct Names {
    word: bool,
    excel: bool,
    powerpoint: bool,
    content_types: bool,
    macros: bool,
}

impl Names {
    fn see(&mut self, name: &[u8]) {
        self.word |= read::starts_with_ignore_case(name, b"word/");
        self.excel |= read::starts_with_ignore_case(name, b"xl/");
        self.powerpoint |= read::starts_with_ignore_case(name, b"ppt/");
        self.content_types |= name.eq_ignore_ascii_case(b"[Content_Types].xml");
        self.macros |= read::ends_with_ignore_case(name, b"vbaProject.bin");
    }

    /// The Office Open XML type, when exactly one of the three families is present.
    fn office_open_xml(&self) -> Option<Sniffed> {
        match (self.content_types, self.word, self.excel, self.powerpoint) {
            (true, true, false, false) => Some(DOCX),
            (true, false, true, false) => Some(XLSX),
            (true, false, false, true) => Some(PPTX),
            _ => None,
        }
    }
}

/// The office document type of a ZIP archive, if it is one of the accepted ones.
///
/// Archives that match more than one type, or that carry VBA macros (a `.docm` renamed to
/// `.docx` is still a macro carrier), are not accepted.
pub(crate) fn office_type(bytes: &[u8]) -> Option<Sniffed> {
    let mut names = Names::default();
    local_names(bytes, &mut names);
    central_names(bytes, &mut names);
    if names.macros {
        return None;
    }
    match (opendocument(bytes), names.office_open_xml()) {
        (Some(sniffed), None) | (None, Some(sniffed)) => Some(sniffed),
        _ => None,
    }
}

/// The OpenDocument type named by a stored first entry called `mimetype`.
fn opendocument(bytes: &[u8]) -> Option<Sniffed> {
    let header = read::bytes_at(bytes, 0, LOCAL_HEADER_LEN)?;
    if !header.starts_with(LOCAL_HEADER) || read::u16_le(header, 8)? != STORED {
        return None;
    }
    let size = read::usize_le(header, 18)?;
    let name_len = usize::from(read::u16_le(header, 26)?);
    let extra_len = usize::from(read::u16_le(header, 28)?);
    if read::bytes_at(bytes, LOCAL_HEADER_LEN, name_len)? != b"mimetype" {
        return None;
    }
    let content_at = (LOCAL_HEADER_LEN + name_len).checked_add(extra_len)?;
    let content = read::bytes_at(bytes, content_at, size)?;
    [ODT, ODS, ODP].into_iter().find(|sniffed| sniffed.media_type.as_bytes() == content)
}

/// Walks the local headers from the front for as long as each says how long its data is.
fn local_names(bytes: &[u8], names: &mut Names) {
    let mut pos = 0usize;
    while let Some(header) = read::bytes_at(bytes, pos, LOCAL_HEADER_LEN) {
        if !header.starts_with(LOCAL_HEADER) {
            return;
        }
        let (Some(flags), Some(size), Some(name_len), Some(extra_len)) = (
            read::u16_le(header, 6),
            read::usize_le(header, 18),
            read::u16_le(header, 26).map(usize::from),
            read::u16_le(header, 28).map(usize::from),
        ) else {
            return;
        };
        let name_at = pos + LOCAL_HEADER_LEN;
        let Some(name) = read::bytes_at(bytes, name_at, name_len) else {
            return;
        };
        names.see(name);
        if flags & DATA_DESCRIPTOR != 0 {
            return; // the size is not known until after the data
        }
        let next = (name_at + name_len).checked_add(extra_len).and_then(|at| at.checked_add(size));
        match next {
            Some(next) => pos = next,
            None => return,
        }
    }
}

/// Walks the central directory, found through the end-of-central-directory record.
fn central_names(bytes: &[u8], names: &mut Names) {
    let Some((mut pos, end)) = central_directory(bytes) else {
        return;
    };
    while pos < end {
        let Some(header) = read::bytes_at(bytes, pos, CENTRAL_HEADER_LEN) else {
            return;
        };
        if !header.starts_with(CENTRAL_HEADER) {
            return;
        }
        let (Some(name_len), Some(extra_len), Some(comment_len)) = (
            read::u16_le(header, 28).map(usize::from),
            read::u16_le(header, 30).map(usize::from),
            read::u16_le(header, 32).map(usize::from),
        ) else {
            return;
        };
        let name_at = pos + CENTRAL_HEADER_LEN;
        let Some(name) = read::bytes_at(bytes, name_at, name_len) else {
            return;
        };
        names.see(name);
        pos = name_at + name_len + extra_len + comment_len;
    }
}

/// Start and end of the central directory. The end record is the last 22 bytes of the archive
/// unless a comment of up to 64 KiB follows it, so it is searched for backwards over that range;
/// the last record that points at a directory lying before it wins.
fn central_directory(bytes: &[u8]) -> Option<(usize, usize)> {
    let last = bytes.len().checked_sub(END_OF_CENTRAL_DIRECTORY_LEN)?;
    let first = last.saturating_sub(MAX_COMMENT_LEN);
    (first..=last).rev().find_map(|at| {
        let record = read::bytes_at(bytes, at, END_OF_CENTRAL_DIRECTORY_LEN)?;
        if !record.starts_with(END_OF_CENTRAL_DIRECTORY) {
            return None;
        }
        let size = read::usize_le(record, 12)?;
        let start = read::usize_le(record, 16)?;
        let end = start.checked_add(size)?;
        (end <= at).then_some((start, end))
    })
}
