//! What the tests share: a draft report, flipping bits in base64url fields, and sealing files
//! to get at their streams.

use std::collections::BTreeMap;

use ketnoi_seal::{
    AttachmentEntry, Body, Clear, Draft, Envelope, KeyPair, Mode, PlainFile, ReportKey, SealedBy,
    b64u, open_report, seal_report, unb64u,
};

pub fn clear() -> Clear {
    Clear {
        account: "cong-an-tinh-tuyen-quang".into(),
        category: "ma-tuy".into(),
        area: "08".into(),
        occurred: "2026-11-28T21:30".into(),
        mode: Mode::Anonymous,
    }
}

pub fn details() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("place".to_owned(), "Ngõ 12, phường Minh Xuân".to_owned()),
        ("vehicles".to_owned(), "Xe máy Wave màu đỏ".to_owned()),
    ])
}

pub const DESCRIPTION: &str = "Có người bán ma tuý ở quán nước đầu ngõ, tối nào cũng vậy.";

pub const REPLY_KEY: [u8; 32] = [42; 32];

pub fn file(name: &str, bytes: Vec<u8>) -> PlainFile {
    PlainFile { name: name.into(), content_type: "application/octet-stream".into(), bytes }
}

/// Seals a report with `files` to `recipients`.
pub fn seal(recipients: &[&KeyPair], files: &[PlainFile]) -> (Envelope, Vec<Vec<u8>>) {
    let clear = clear();
    let details = details();
    let publics: Vec<_> = recipients.iter().map(|k| k.public()).collect();
    seal_report(&Draft {
        clear: &clear,
        recipients: &publics,
        description: DESCRIPTION,
        details: &details,
        files,
        reply_key: &REPLY_KEY,
        sealed_by: SealedBy::Server,
    })
    .unwrap()
}

/// Seals one file and opens the report again, for tests of the stream alone.
pub fn sealed_file(bytes: Vec<u8>) -> (ReportKey, AttachmentEntry, Vec<u8>) {
    let unit = KeyPair::generate();
    let (envelope, mut streams) = seal(&[&unit], &[file("f.bin", bytes)]);
    let (body, key): (Body, ReportKey) = open_report(&envelope, &unit).unwrap();
    (key, body.attachments[0].clone(), streams.remove(0))
}

/// A base64url value with one bit flipped.
pub fn flip(value: &str, bit: usize) -> String {
    let mut bytes = unb64u(value).unwrap();
    let bit = bit % (bytes.len() * 8);
    bytes[bit / 8] ^= 1 << (bit % 8);
    b64u(&bytes)
}

/// Deterministic content of any length.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i.wrapping_mul(31).wrapping_add(7) % 256) as u8).collect()
}
