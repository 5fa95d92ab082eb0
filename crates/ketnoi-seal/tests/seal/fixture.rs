//! A tip sealed by seal.js in headless Chromium, committed as `tests/fixtures/browser-v1.json`,
//! opened here without a browser: the browser and Rust cannot silently disagree, and the
//! envelope format cannot drift without this test failing.
//!
//! The fixture is written by `crates/ketnoi/tests/it/browser_seal.rs` with
//! `KETNOI_WRITE_SEAL_FIXTURE=1`; the expected plaintext below is repeated there.

use std::collections::BTreeMap;

use ketnoi_seal::{
    Author, Clear, Export, KeyPair, Label, Mode, SealError, SealedBy, SealedKey, UnitKeyFile,
    Wrapped, decrypt_export, open_with_passphrase, receipt, unwrap,
};
use serde::Deserialize;

use crate::support::pattern;

const FIXTURE: &str = include_str!("../fixtures/browser-v1.json");

#[derive(Deserialize)]
struct Fixture {
    unit_key: UnitKeyFile,
    officer: Officer,
    receipt: Receipt,
    export: Export,
}

#[derive(Deserialize)]
struct Officer {
    passphrase: String,
    sealed: SealedKey,
    unit_copy: Wrapped,
}

#[derive(Deserialize)]
struct Receipt {
    code: String,
    lookup: String,
    auth: String,
}

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).unwrap()
}

#[test]
fn the_browser_fixture_opens_with_its_unit_key_file() {
    let fixture = fixture();
    let tip = decrypt_export(&fixture.export, &fixture.unit_key.keys().unwrap()).unwrap();

    assert_eq!(
        tip.clear,
        Clear {
            account: "cong-an-tinh-tuyen-quang".into(),
            category: "ma-tuy".into(),
            area: "08".into(),
            occurred: "2026-11-28T21:30".into(),
            mode: Mode::Anonymous,
        }
    );
    assert_eq!(
        tip.body.description,
        "Tối nào cũng có người bán ma tuý ở quán nước đầu ngõ 12; họ đi xe máy Wave màu đỏ."
    );
    assert_eq!(
        tip.body.details,
        BTreeMap::from([
            ("people".to_owned(), "Hai thanh niên khoảng 20 tuổi".to_owned()),
            ("place".to_owned(), "Ngõ 12, phường Minh Xuân, TP Tuyên Quang".to_owned()),
        ])
    );
    assert_eq!(tip.body.sealed_by, SealedBy::Browser);

    let files: Vec<_> = tip
        .attachments
        .iter()
        .map(|(entry, bytes)| (entry.name.as_str(), entry.content_type.as_str(), bytes.clone()))
        .collect();
    assert_eq!(
        files,
        [
            ("anh-hien-truong.jpg", "image/jpeg", pattern(70_000)),
            ("ghi-chu.txt", "text/plain", Vec::new()),
        ]
    );

    let messages: Vec<_> =
        tip.messages.iter().map(|m| (m.author, m.at.as_str(), m.text.as_str())).collect();
    assert_eq!(
        messages,
        [
            (
                Author::Unit,
                "2026-11-29T08:00:00+07:00",
                "Chúng tôi đã nhận tin, xin cảm ơn. Bạn có nhớ biển số xe không?"
            ),
            (Author::Reporter, "2026-11-29T09:15:00+07:00", "Biển số 22B1-123.45, xe màu đỏ."),
        ]
    );
}

#[test]
fn the_browser_fixtures_receipt_derives_the_same_values_in_rust() {
    let fixture = fixture();
    let derived = receipt::derive(&fixture.receipt.code).unwrap();
    assert_eq!(derived.lookup, fixture.receipt.lookup);
    assert_eq!(derived.auth, fixture.receipt.auth);
    let tip = decrypt_export(&fixture.export, &fixture.unit_key.keys().unwrap()).unwrap();
    assert_eq!(*tip.body.reply_key().unwrap(), *derived.reply_key);
}

#[test]
fn the_browser_fixtures_officer_key_opens_its_copy_of_the_unit_key() {
    let fixture = fixture();
    let officer = open_with_passphrase(&fixture.officer.sealed, &fixture.officer.passphrase);
    let officer = officer.unwrap();
    let secret = unwrap(&fixture.officer.unit_copy, &officer, Label::Unit).unwrap();
    let unit = KeyPair::from_secret(&secret).unwrap();
    assert_eq!(unit.public(), fixture.unit_key.keys().unwrap()[0].public());
    assert_eq!(fixture.officer.passphrase, "Mật khẩu riêng của cán bộ 2026");
}

#[test]
fn the_browser_fixture_does_not_open_with_another_key_or_once_changed() {
    let fixture = fixture();
    let keys = fixture.unit_key.keys().unwrap();
    assert_eq!(
        decrypt_export(&fixture.export, &[KeyPair::generate()]).unwrap_err(),
        SealError::WrongKey
    );
    let mut changed = fixture.export.clone();
    changed.envelope.clear.mode = Mode::Identified;
    assert_eq!(decrypt_export(&changed, &keys).unwrap_err(), SealError::Tampered);
}

#[test]
fn the_browser_fixtures_attachment_fails_to_open_once_a_bit_flips_or_a_chunk_is_dropped_or_moved() {
    let fixture = fixture();
    let keys = fixture.unit_key.keys().unwrap();
    let (body, report_key) = ketnoi_seal::open_report(&fixture.export.envelope, &keys[0]).unwrap();
    let (index, entry) = body
        .attachments
        .iter()
        .enumerate()
        .find(|(_, e)| e.size as usize > ketnoi_seal::CHUNK)
        .expect("the fixture has an attachment of more than one chunk");
    let sealed = ketnoi_seal::unb64u(&fixture.export.attachments[index]).unwrap();
    assert!(ketnoi_seal::open_attachment(&report_key, entry, &sealed).is_ok());
    let (first, last) = sealed.split_at(ketnoi_seal::SEGMENT);

    // A flipped bit anywhere: in the first chunk, in the second, in a tag.
    for at in [0, 1000, ketnoi_seal::SEGMENT - 1, ketnoi_seal::SEGMENT + 3, sealed.len() - 1] {
        let mut changed = sealed.clone();
        changed[at] ^= 0x20;
        assert!(ketnoi_seal::open_attachment(&report_key, entry, &changed).is_err(), "bit {at}");
    }
    // The last chunk dropped: the first is not marked last.
    assert!(ketnoi_seal::open_attachment(&report_key, entry, first).is_err());
    // The first dropped, or the two swapped.
    assert!(ketnoi_seal::open_attachment(&report_key, entry, last).is_err());
    let swapped = [last, first].concat();
    assert!(ketnoi_seal::open_attachment(&report_key, entry, &swapped).is_err());
    // Another unit's key opens nothing at all.
    assert!(ketnoi_seal::open_report(&fixture.export.envelope, &KeyPair::generate()).is_err());
}
