//! Receipt codes: how people may type them, what they derive, and the auth hash.

use ketnoi_seal::{SealError, receipt, unb64u};
use proptest::prelude::*;

#[test]
fn a_new_code_is_four_groups_of_four() {
    let code = receipt::new_code();
    assert_eq!(code.len(), 19, "{code}");
    for (i, c) in code.chars().enumerate() {
        if i % 5 == 4 {
            assert_eq!(c, '-', "{code}");
        } else {
            assert!("0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c), "{code}");
        }
    }
    assert_ne!(code, receipt::new_code());
    assert!(receipt::parse(&code).is_ok());
}

#[test]
fn codes_are_big_endian_crockford_base32() {
    assert_eq!(receipt::format(&[0; 10]), "0000-0000-0000-0000");
    assert_eq!(receipt::format(&[0xff; 10]), "ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    // 0x08 = 00001 000|.. : the first symbol is 1, the last byte's low five bits the last.
    let mut bytes = [0; 10];
    bytes[0] = 0x08;
    bytes[9] = 0x1f;
    assert_eq!(receipt::format(&bytes), "1000-0000-0000-000Z");
}

#[test]
fn codes_are_read_as_people_type_them() {
    let code = "7K3M-QX9A-H2RT-P0W1";
    let bytes = receipt::parse(code).unwrap();
    for typed in [
        "7k3m-qx9a-h2rt-p0w1",
        "7K3MQX9AH2RTP0W1",
        "7K3M QX9A H2RT P0W1",
        " 7k3m-QX9A-h2rt-pOwl ",
        "7K3M-QX9A-H2RT-P0WI",
        "7-K-3-M-QX9AH2RTP0W1",
    ] {
        assert_eq!(receipt::parse(typed), Ok(bytes), "{typed}");
    }
    assert_eq!(receipt::format(&bytes), code);
}

#[test]
fn malformed_codes_are_refused() {
    for bad in [
        "",
        "7K3M-QX9A-H2RT-P0W",
        "7K3M-QX9A-H2RT-P0W1A",
        "7K3M-QX9A-H2RT-P0WU",
        "7K3M-QX9A-H2RT-P0W!",
        "7K3M_QX9A_H2RT_P0W1",
        "7K3M-QX9A-H2RT-P0Wß",
        "7K3M\tQX9A-H2RT-P0W1",
    ] {
        assert_eq!(receipt::parse(bad), Err(SealError::BadReceipt), "{bad:?}");
        assert_eq!(receipt::derive(bad).unwrap_err(), SealError::BadReceipt, "{bad:?}");
    }
}

#[test]
fn a_code_derives_the_same_values_however_it_is_typed() {
    let a = receipt::derive("7K3M-QX9A-H2RT-P0W1").unwrap();
    let b = receipt::derive("7k3mqx9ah2rtpowl").unwrap();
    assert_eq!((&a.lookup, &a.auth, &*a.reply_key), (&b.lookup, &b.auth, &*b.reply_key));
    assert_eq!(unb64u(&a.lookup).unwrap().len(), 16);
    assert_eq!(unb64u(&a.auth).unwrap().len(), 32);
    let c = receipt::derive("7K3M-QX9A-H2RT-P0W2").unwrap();
    assert_ne!(a.lookup, c.lookup);
    assert_ne!(a.auth, c.auth);
    assert_ne!(*a.reply_key, *c.reply_key);
    // Three different values from one code.
    assert_ne!(unb64u(&a.auth).unwrap(), a.reply_key.to_vec());
    assert!(!format!("{a:?}").contains(&a.auth));
}

#[test]
fn the_auth_hash_is_argon2id_and_verifies_only_the_right_value() {
    let receipt = receipt::derive("7K3M-QX9A-H2RT-P0W1").unwrap();
    let hash = receipt::hash_auth(&receipt.auth).unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
    assert!(!hash.contains(&receipt.auth));
    assert!(receipt::verify_auth(&hash, &receipt.auth));

    let other = receipt::derive("7K3M-QX9A-H2RT-P0W2").unwrap();
    assert!(!receipt::verify_auth(&hash, &other.auth));
    assert!(!receipt::verify_auth(&hash, "not base64url!"));
    assert!(!receipt::verify_auth(&hash, &receipt.lookup));
    assert!(!receipt::verify_auth("$argon2id$nonsense", &receipt.auth));
    assert!(!receipt::verify_auth("", &receipt.auth));
    // Salted: the same value hashes differently each time.
    assert_ne!(receipt::hash_auth(&receipt.auth).unwrap(), hash);
    assert_eq!(receipt::hash_auth("short").unwrap_err(), SealError::BadEncoding("auth"));
}

proptest! {
    #[test]
    fn every_ten_bytes_make_a_code_that_reads_back(bytes in any::<[u8; 10]>()) {
        let code = receipt::format(&bytes);
        prop_assert_eq!(receipt::parse(&code), Ok(bytes));
        prop_assert_eq!(receipt::parse(&code.to_lowercase().replace('-', "")), Ok(bytes));
    }
}
