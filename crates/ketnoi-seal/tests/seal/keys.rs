//! Key pairs, key ids and wrapping.

use ketnoi_seal::{KeyPair, Label, SealError, Wrapped, b64u, kid, unb64u, unwrap, wrap};

use crate::support::flip;

/// The order of P-256, the first scalar out of range.
const ORDER: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn a_key_pair_survives_its_secret_bytes() {
    let key = KeyPair::generate();
    let again = KeyPair::from_secret(key.secret_bytes().as_slice()).unwrap();
    assert_eq!(key.public(), again.public());
    assert_eq!(key.public()[0], 0x04);
    assert_eq!(key.kid(), kid(&key.public()));
    assert_eq!(key.kid().len(), 22);
}

#[test]
fn scalars_out_of_range_or_of_the_wrong_length_are_refused() {
    let order = hex(ORDER);
    assert_eq!(KeyPair::from_secret(&order).unwrap_err(), SealError::BadKey);
    assert_eq!(KeyPair::from_secret(&[0; 32]).unwrap_err(), SealError::BadKey);
    assert_eq!(KeyPair::from_secret(&[1; 31]).unwrap_err(), SealError::BadKey);
    assert_eq!(KeyPair::from_secret(&[1; 33]).unwrap_err(), SealError::BadKey);
    let mut below = order.clone();
    below[31] -= 1;
    assert!(KeyPair::from_secret(&below).is_ok());
}

#[test]
fn the_key_id_is_the_start_of_the_public_keys_sha256() {
    // SHA-256 of the empty string starts e3b0c442 98fc1c14 9afbf4c8 996fb924.
    assert_eq!(unb64u(&kid(b"")).unwrap(), hex("e3b0c44298fc1c149afbf4c8996fb924"));
}

#[test]
fn debug_output_shows_no_secret() {
    let key = KeyPair::generate();
    let shown = format!("{key:?}");
    assert!(shown.contains(&key.kid()), "{shown}");
    assert!(!shown.contains(&b64u(key.secret_bytes().as_slice())), "{shown}");
}

#[test]
fn a_wrapped_secret_unwraps_with_its_key_and_label() {
    let officer = KeyPair::generate();
    let unit = KeyPair::generate();
    let wrapped = wrap(unit.secret_bytes().as_slice(), &officer.public(), Label::Unit).unwrap();
    assert_eq!(wrapped.kid, officer.kid());
    let secret = unwrap(&wrapped, &officer, Label::Unit).unwrap();
    assert_eq!(secret.as_slice(), unit.secret_bytes().as_slice());
}

#[test]
fn a_wrapped_secret_does_not_unwrap_with_another_key() {
    let wrapped = wrap(&[7; 32], &KeyPair::generate().public(), Label::Report).unwrap();
    let other = KeyPair::generate();
    assert_eq!(unwrap(&wrapped, &other, Label::Report).unwrap_err(), SealError::NotForThisKey);
    // Claiming to be for the other key does not help.
    let relabelled = Wrapped { kid: other.kid(), ..wrapped };
    assert_eq!(unwrap(&relabelled, &other, Label::Report).unwrap_err(), SealError::Tampered);
}

#[test]
fn a_report_key_never_unwraps_as_a_unit_key() {
    let key = KeyPair::generate();
    let wrapped = wrap(&[7; 32], &key.public(), Label::Report).unwrap();
    assert_eq!(unwrap(&wrapped, &key, Label::Unit).unwrap_err(), SealError::Tampered);
}

#[test]
fn any_flipped_bit_of_a_wrapped_key_is_caught() {
    let key = KeyPair::generate();
    let wrapped = wrap(&[7; 32], &key.public(), Label::Report).unwrap();
    for bit in 0..(48 * 8) {
        let changed = Wrapped { ct: flip(&wrapped.ct, bit), ..wrapped.clone() };
        assert!(unwrap(&changed, &key, Label::Report).is_err(), "ct bit {bit}");
    }
    for bit in 0..(12 * 8) {
        let changed = Wrapped { nonce: flip(&wrapped.nonce, bit), ..wrapped.clone() };
        assert!(unwrap(&changed, &key, Label::Report).is_err(), "nonce bit {bit}");
    }
    for bit in 0..(65 * 8) {
        let changed = Wrapped { epk: flip(&wrapped.epk, bit), ..wrapped.clone() };
        assert!(unwrap(&changed, &key, Label::Report).is_err(), "epk bit {bit}");
    }
}

#[test]
fn only_uncompressed_points_on_the_curve_are_accepted_as_recipients() {
    let public = KeyPair::generate().public();
    let mut off_curve = public;
    off_curve[64] ^= 1;
    let mut compressed = public[..33].to_vec();
    compressed[0] = 0x02 | (public[64] & 1);
    for bad in [&off_curve[..], &compressed, &public[..64], &[0u8; 65]] {
        assert_eq!(wrap(&[1; 32], bad, Label::Report).unwrap_err(), SealError::BadKey);
    }
}
