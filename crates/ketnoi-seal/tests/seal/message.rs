//! Messages under the reply key.

use ketnoi_seal::{Author, SealError, Sealed, open_message, receipt, seal_message};

use crate::support::flip;

#[test]
fn messages_open_with_the_reply_key_only() {
    let mine = receipt::derive(&receipt::new_code()).unwrap();
    let other = receipt::derive(&receipt::new_code()).unwrap();
    let text = "Cán bộ sẽ liên hệ lại. Xin cảm ơn!";
    let sealed = seal_message(&mine.reply_key, Author::Unit, text).unwrap();
    assert_eq!(open_message(&mine.reply_key, Author::Unit, &sealed).unwrap(), text);
    assert_eq!(
        open_message(&other.reply_key, Author::Unit, &sealed).unwrap_err(),
        SealError::Tampered
    );
}

#[test]
fn a_reply_cannot_pass_for_the_reporters_words() {
    let key = [9; 32];
    let sealed = seal_message(&key, Author::Unit, "ok").unwrap();
    assert_eq!(open_message(&key, Author::Reporter, &sealed).unwrap_err(), SealError::Tampered);
    let sealed = seal_message(&key, Author::Reporter, "ok").unwrap();
    assert_eq!(open_message(&key, Author::Reporter, &sealed).unwrap(), "ok");
}

#[test]
fn a_changed_message_is_caught() {
    let key = [9; 32];
    let sealed = seal_message(&key, Author::Reporter, "thêm thông tin").unwrap();
    for bit in (0..200).step_by(7) {
        let changed = Sealed { ct: flip(&sealed.ct, bit), ..sealed.clone() };
        assert!(open_message(&key, Author::Reporter, &changed).is_err(), "ct bit {bit}");
        let changed = Sealed { nonce: flip(&sealed.nonce, bit), ..sealed.clone() };
        assert!(open_message(&key, Author::Reporter, &changed).is_err(), "nonce bit {bit}");
    }
}

#[test]
fn message_text_is_sealed_in_nfc() {
    let key = [9; 32];
    let decomposed = "Xin chào Vie\u{0323}\u{0302}t Nam";
    let sealed = seal_message(&key, Author::Reporter, decomposed).unwrap();
    assert_eq!(open_message(&key, Author::Reporter, &sealed).unwrap(), "Xin chào Việt Nam");
}

#[test]
fn notes_open_with_the_report_key_not_the_reply_key() {
    let unit = ketnoi_seal::KeyPair::generate();
    let (envelope, _) = crate::support::seal(&[&unit], &[]);
    let (_, report_key) = ketnoi_seal::open_report(&envelope, &unit).unwrap();
    let text = "Đã liên hệ Công an xã để xác minh địa điểm.";
    let sealed = ketnoi_seal::seal_note(&report_key, text).unwrap();
    assert_eq!(ketnoi_seal::open_note(&report_key, &sealed).unwrap(), text);
    // Another report's key, and the reply key the reporter holds, open nothing.
    let (other, _) = crate::support::seal(&[&unit], &[]);
    let (_, other_key) = ketnoi_seal::open_report(&other, &unit).unwrap();
    assert_eq!(ketnoi_seal::open_note(&other_key, &sealed).unwrap_err(), SealError::Tampered);
    assert!(open_message(&crate::support::REPLY_KEY, Author::Unit, &sealed).is_err());
    let changed = Sealed { ct: flip(&sealed.ct, 3), ..sealed };
    assert!(ketnoi_seal::open_note(&report_key, &changed).is_err());
}
