//! The envelope: round trips, recipients, and every kind of change caught.

use ketnoi_seal::{
    Clear, Draft, Envelope, KeyPair, Mode, SealError, Sealed, SealedBy, Wrapped, open_report,
    seal_report,
};

use crate::support::{DESCRIPTION, REPLY_KEY, clear, details, flip, seal};

#[test]
fn every_recipient_opens_the_report() {
    let (first, second) = (KeyPair::generate(), KeyPair::generate());
    let (envelope, streams) = seal(&[&first, &second], &[]);
    assert!(streams.is_empty());
    assert_eq!(envelope.v, 1);
    assert_eq!(envelope.clear, clear());
    for key in [&first, &second] {
        let (body, _) = open_report(&envelope, key).unwrap();
        assert_eq!(body.description, DESCRIPTION);
        assert_eq!(body.details, details());
        assert_eq!(*body.reply_key().unwrap(), REPLY_KEY);
        assert_eq!(body.sealed_by, SealedBy::Server);
        assert!(body.attachments.is_empty());
    }
}

#[test]
fn anonymous_tip_cannot_be_read_without_the_unit_key() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let stranger = KeyPair::generate();
    assert_eq!(open_report(&envelope, &stranger).unwrap_err(), SealError::WrongKey);
    // Nor by pointing the stranger's kid at the unit's wrapped key.
    let mut forged = envelope.clone();
    forged.recipients[0].kid = stranger.kid();
    assert_eq!(open_report(&forged, &stranger).unwrap_err(), SealError::Tampered);
}

#[test]
fn the_envelope_survives_json() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let json = serde_json::to_value(&envelope).unwrap();
    let keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["body", "clear", "recipients", "v"]);
    assert_eq!(json["clear"]["mode"], "anonymous");
    let back: Envelope = serde_json::from_value(json).unwrap();
    assert!(open_report(&back, &unit).is_ok());
}

#[test]
fn any_flipped_bit_of_the_body_is_caught() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let bits = ketnoi_seal::unb64u(&envelope.body.ct).unwrap().len() * 8;
    for bit in 0..bits {
        let mut changed = envelope.clone();
        changed.body = Sealed { ct: flip(&envelope.body.ct, bit), ..envelope.body.clone() };
        assert_eq!(open_report(&changed, &unit).unwrap_err(), SealError::Tampered, "bit {bit}");
    }
    for bit in 0..96 {
        let mut changed = envelope.clone();
        changed.body = Sealed { nonce: flip(&envelope.body.nonce, bit), ..envelope.body.clone() };
        assert_eq!(open_report(&changed, &unit).unwrap_err(), SealError::Tampered, "bit {bit}");
    }
}

#[test]
fn any_flipped_bit_of_the_wrapped_report_key_is_caught() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let wrapped = &envelope.recipients[0];
    for bit in 0..(48 * 8) {
        let mut changed = envelope.clone();
        changed.recipients[0] = Wrapped { ct: flip(&wrapped.ct, bit), ..wrapped.clone() };
        assert!(open_report(&changed, &unit).is_err(), "bit {bit}");
    }
}

#[test]
fn changing_any_clear_field_is_caught() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let changes: [fn(&mut Clear); 5] = [
        |c| c.account = "cong-an-tinh-ha-giang".into(),
        |c| c.category = "trom-cap".into(),
        |c| c.area = "02".into(),
        |c| c.occurred = "2026-11-27T21:30".into(),
        |c| c.mode = Mode::Identified,
    ];
    for (i, change) in changes.iter().enumerate() {
        let mut changed = envelope.clone();
        change(&mut changed.clear);
        assert_eq!(open_report(&changed, &unit).unwrap_err(), SealError::Tampered, "field {i}");
    }
}

#[test]
fn the_associated_data_lists_the_clear_fields_in_order() {
    let aad = String::from_utf8(clear().aad()).unwrap();
    assert_eq!(
        aad,
        "ketnoi-tip-v1\naccount=cong-an-tinh-tuyen-quang\ncategory=ma-tuy\narea=08\n\
         occurred=2026-11-28T21:30\nmode=anonymous\n"
    );
}

#[test]
fn clear_fields_with_line_breaks_are_refused() {
    let unit = KeyPair::generate();
    let details = details();
    let mut clear = clear();
    clear.category = "ma-tuy\nmode=identified".into();
    let draft = Draft {
        clear: &clear,
        recipients: &[unit.public()],
        description: DESCRIPTION,
        details: &details,
        files: &[],
        reply_key: &REPLY_KEY,
        sealed_by: SealedBy::Browser,
    };
    assert_eq!(seal_report(&draft).unwrap_err(), SealError::BadClearField("category"));
    let mut tab = clear.clone();
    tab.category = "ma-tuy\t".into();
    assert_eq!(
        seal_report(&Draft { clear: &tab, ..draft }).unwrap_err(),
        SealError::BadClearField("category")
    );

    let (mut envelope, _) = seal(&[&unit], &[]);
    envelope.clear.area = "08\r".into();
    assert_eq!(open_report(&envelope, &unit).unwrap_err(), SealError::BadClearField("area"));
}

#[test]
fn a_report_needs_a_recipient() {
    let (clear, details) = (clear(), details());
    let draft = Draft {
        clear: &clear,
        recipients: &[],
        description: DESCRIPTION,
        details: &details,
        files: &[],
        reply_key: &REPLY_KEY,
        sealed_by: SealedBy::Browser,
    };
    assert_eq!(seal_report(&draft).unwrap_err(), SealError::NoRecipients);
}

#[test]
fn other_versions_are_refused() {
    let unit = KeyPair::generate();
    let (mut envelope, _) = seal(&[&unit], &[]);
    envelope.v = 2;
    assert_eq!(open_report(&envelope, &unit).unwrap_err(), SealError::UnsupportedVersion(2));
}

#[test]
fn text_is_sealed_in_nfc() {
    let unit = KeyPair::generate();
    let (clear, details) = (clear(), details());
    let draft = Draft {
        clear: &clear,
        recipients: &[unit.public()],
        description: "Ngu\u{031B}o\u{031B}\u{0300}i la\u{0323}",
        details: &details,
        files: &[],
        reply_key: &REPLY_KEY,
        sealed_by: SealedBy::Browser,
    };
    let (envelope, _) = seal_report(&draft).unwrap();
    let (body, _) = open_report(&envelope, &unit).unwrap();
    assert_eq!(body.description, "Người lạ");
}

#[test]
fn errors_and_debug_output_show_no_plaintext() {
    let unit = KeyPair::generate();
    let (envelope, _) = seal(&[&unit], &[]);
    let (body, key) = open_report(&envelope, &unit).unwrap();
    let shown = format!("{body:?} {key:?}");
    assert!(!shown.contains(&ketnoi_seal::b64u(&REPLY_KEY)), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn what_a_tip_says_never_shows_in_debug_output() {
    let body = ketnoi_seal::Body {
        description: "SECRET-DESCRIPTION".into(),
        details: [("place".to_owned(), "SECRET-PLACE".to_owned())].into(),
        attachments: vec![ketnoi_seal::AttachmentEntry {
            name: "SECRET-NAME.jpg".into(),
            content_type: "image/jpeg".into(),
            size: 3,
            salt: "AAAAAAAAAAAAAAAAAAAAAA".into(),
        }],
        reply_key: "SECRET-REPLY-KEY".into(),
        sealed_by: ketnoi_seal::SealedBy::Browser,
    };
    let file = ketnoi_seal::PlainFile {
        name: "SECRET-NAME.jpg".into(),
        content_type: "image/jpeg".into(),
        bytes: b"SECRET-BYTES".to_vec(),
    };
    let shown = format!("{body:?} {file:?} {:?}", std::slice::from_ref(&file));
    assert!(!shown.contains("SECRET"), "{shown}");
    assert!(shown.contains("image/jpeg"), "{shown}");
}
