//! Officer keys sealed under a passphrase. PBKDF2 with 600,000 iterations is slow in a debug
//! build, so one test does the round trip and the wrong passphrase together.

use ketnoi_seal::{
    KeyPair, MAX_ITERATIONS, MIN_ITERATIONS, SealError, SealedKey, open_with_passphrase,
    seal_with_passphrase,
};

#[test]
fn an_officer_key_opens_with_its_passphrase_only() {
    let officer = KeyPair::generate();
    // Typed decomposed on one keyboard, precomposed on another: the same passphrase.
    let sealed = seal_with_passphrase(&officer, "mật khẩu của tôi").unwrap();
    assert_eq!(sealed.iterations, MIN_ITERATIONS);
    assert_eq!(sealed.kid, officer.kid());
    let json = serde_json::to_string(&sealed).unwrap();
    let sealed: SealedKey = serde_json::from_str(&json).unwrap();

    let opened = open_with_passphrase(&sealed, "ma\u{0323}\u{0302}t kha\u{0302}\u{0309}u của tôi");
    assert_eq!(opened.unwrap().public(), officer.public());
    assert_eq!(
        open_with_passphrase(&sealed, "mật khẩu của tôi ").unwrap_err(),
        SealError::BadPassphrase
    );
}

#[test]
fn weak_or_absurd_iteration_counts_are_refused_before_any_work() {
    let sealed = SealedKey {
        kid: String::new(),
        public: String::new(),
        salt: String::new(),
        iterations: MIN_ITERATIONS - 1,
        nonce: String::new(),
        ct: String::new(),
    };
    assert_eq!(open_with_passphrase(&sealed, "x").unwrap_err(), SealError::WeakParameters);
    let sealed = SealedKey { iterations: MAX_ITERATIONS + 1, ..sealed };
    assert_eq!(open_with_passphrase(&sealed, "x").unwrap_err(), SealError::WeakParameters);
}

#[test]
fn an_empty_passphrase_is_refused() {
    let officer = KeyPair::generate();
    assert_eq!(seal_with_passphrase(&officer, "").unwrap_err(), SealError::BadPassphrase);
}
