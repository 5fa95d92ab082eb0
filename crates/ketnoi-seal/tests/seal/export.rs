//! Unit key files and exports, opened offline.

use ketnoi_seal::{
    Author, Export, ExportMessage, KeyPair, SealError, UnitKeyEntry, UnitKeyFile, b64u,
    decrypt_export, seal_message,
};

use crate::support::{DESCRIPTION, REPLY_KEY, clear, file, pattern, seal};

fn export_for(unit: &KeyPair) -> Export {
    let files = [file("anh.jpg", pattern(70_000)), file("trong.txt", Vec::new())];
    let (envelope, streams) = seal(&[unit], &files);
    let message = |author, at: &str, text| ExportMessage {
        author,
        at: at.into(),
        sealed: seal_message(&REPLY_KEY, author, text).unwrap(),
    };
    Export {
        v: 1,
        tip: 17,
        created_at: "2026-11-28T21:40:00+07:00".into(),
        status: "new".into(),
        envelope,
        attachments: streams.iter().map(|s| b64u(s)).collect(),
        messages: vec![
            message(Author::Unit, "2026-11-29T08:00:00+07:00", "Đã nhận, cảm ơn."),
            message(Author::Reporter, "2026-11-29T09:15:00+07:00", "Hôm nay họ lại đến."),
        ],
    }
}

#[test]
fn an_export_opens_with_a_key_file_holding_retired_keys() {
    let (old, current) = (KeyPair::generate(), KeyPair::generate());
    let export: Export =
        serde_json::from_str(&serde_json::to_string(&export_for(&current)).unwrap()).unwrap();
    let file = UnitKeyFile::Many(vec![UnitKeyEntry::new(&old), UnitKeyEntry::new(&current)]);
    let file: UnitKeyFile = serde_json::from_str(&serde_json::to_string(&file).unwrap()).unwrap();
    let tip = decrypt_export(&export, &file.keys().unwrap()).unwrap();

    assert_eq!(tip.clear, clear());
    assert_eq!(tip.body.description, DESCRIPTION);
    assert_eq!(tip.attachments.len(), 2);
    assert_eq!(tip.attachments[0].0.name, "anh.jpg");
    assert_eq!(tip.attachments[0].1, pattern(70_000));
    assert_eq!(tip.attachments[1].1, Vec::<u8>::new());
    let texts: Vec<_> = tip.messages.iter().map(|m| (m.author, m.text.as_str())).collect();
    assert_eq!(
        texts,
        [(Author::Unit, "Đã nhận, cảm ơn."), (Author::Reporter, "Hôm nay họ lại đến.")]
    );
    assert_eq!(tip.messages[1].at, "2026-11-29T09:15:00+07:00");
}

#[test]
fn a_key_file_may_hold_a_single_key() {
    let unit = KeyPair::generate();
    let json = serde_json::to_string(&UnitKeyEntry::new(&unit)).unwrap();
    assert!(json.starts_with("{\"kid\":"), "{json}");
    let file: UnitKeyFile = serde_json::from_str(&json).unwrap();
    let keys = file.keys().unwrap();
    assert_eq!(keys.len(), 1);
    assert!(decrypt_export(&export_for(&unit), &keys).is_ok());
    assert!(!format!("{file:?}").contains(&b64u(unit.secret_bytes().as_slice())));
}

#[test]
fn a_key_file_whose_parts_disagree_is_refused() {
    let (a, b) = (KeyPair::generate(), KeyPair::generate());
    let mut entry = UnitKeyEntry::new(&a);
    entry.public = b64u(&b.public());
    assert_eq!(entry.key().unwrap_err(), SealError::BadKey);
}

#[test]
fn an_export_does_not_open_with_other_keys() {
    let export = export_for(&KeyPair::generate());
    assert_eq!(decrypt_export(&export, &[KeyPair::generate()]).unwrap_err(), SealError::WrongKey);
    assert_eq!(decrypt_export(&export, &[]).unwrap_err(), SealError::WrongKey);
}

#[test]
fn an_export_missing_an_attachment_or_with_a_moved_message_is_refused() {
    let unit = KeyPair::generate();
    let mut export = export_for(&unit);
    export.attachments.pop();
    assert_eq!(
        decrypt_export(&export, std::slice::from_ref(&unit)).unwrap_err(),
        SealError::Truncated
    );

    let mut export = export_for(&unit);
    export.messages[0].author = Author::Reporter;
    assert_eq!(decrypt_export(&export, &[unit]).unwrap_err(), SealError::Tampered);
}
