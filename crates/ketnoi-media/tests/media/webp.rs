use ketnoi_media::{MediaError, dimensions, has_location_metadata, sniff, strip_metadata};

use crate::fixtures::{
    self, LEAKS, VP8X_ALPHA, VP8X_EXIF, VP8X_ICC, VP8X_XMP, WEBP, riff, riff_chunk, vp8, vp8x,
};
use crate::inspect::{leaked, webp_chunks, webp_fourccs};

#[test]
fn exif_and_xmp_chunks_and_flags_go_the_rest_stays() {
    let original = fixtures::webp_with_metadata();
    assert_eq!(webp_fourccs(&original), ["VP8X", "ICCP", "ALPH", "VP8 ", "EXIF", "XMP "]);
    assert!(has_location_metadata(&original));

    let stripped = strip_metadata(WEBP, &original).unwrap();

    assert_eq!(webp_fourccs(&stripped), ["VP8X", "ICCP", "ALPH", "VP8 "]); // also checks the RIFF size
    let flags = webp_chunks(&stripped)[0].1[0];
    assert_eq!(flags, VP8X_ICC | VP8X_ALPHA);
    assert_eq!(webp_chunks(&stripped)[1..], webp_chunks(&original)[1..4]);
    assert!(!has_location_metadata(&stripped));
    assert_eq!(leaked(&stripped, &LEAKS), None);
    assert_eq!(sniff(&stripped), Some(WEBP));
}

#[test]
fn an_odd_sized_chunk_keeps_its_pad_byte() {
    let original = riff(&[vp8(2, 2), riff_chunk(b"EXIF", b"odd"), riff_chunk(b"UNKN", b"abc")]);
    let stripped = strip_metadata(WEBP, &original).unwrap();
    assert_eq!(stripped, riff(&[vp8(2, 2), riff_chunk(b"UNKN", b"abc")]));
}

#[test]
fn bytes_after_the_riff_are_dropped() {
    let mut original = fixtures::webp_with_metadata();
    original.extend_from_slice(b"Hanoi");
    let stripped = strip_metadata(WEBP, &original).unwrap();
    assert_eq!(leaked(&stripped, &[b"Hanoi"]), None);
    assert_eq!(webp_fourccs(&stripped).len(), 4);
}

#[test]
fn dimensions_from_vp8x_vp8_and_vp8l() {
    assert_eq!(dimensions(WEBP, &fixtures::webp_with_metadata()), Some((400, 300)));
    assert_eq!(dimensions(WEBP, &riff(&[vp8(1920, 1080)])), Some((1920, 1080)));
    assert_eq!(dimensions(WEBP, &riff(&[vp8x(0, 16_777_216, 1)])), Some((16_777_216, 1)));
    // VP8L: signature 0x2F, then (width - 1) in 14 bits and (height - 1) in the next 14.
    let bits: u32 = (100 - 1) | ((50 - 1) << 14);
    let vp8l =
        riff(&[riff_chunk(b"VP8L", &[&[0x2F][..], &bits.to_le_bytes(), b"pixels"].concat())]);
    assert_eq!(dimensions(WEBP, &vp8l), Some((100, 50)));
    let bad_start_code = riff(&[riff_chunk(b"VP8 ", b"\x50\x02\x00\x9D\x01\x2B\x10\x00\x10\x00")]);
    assert_eq!(dimensions(WEBP, &bad_start_code), None);
}

#[test]
fn broken_structure_is_malformed() {
    let good = fixtures::webp_with_metadata();
    let mut size_too_big = good.clone();
    size_too_big[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let exif_first = riff(&[riff_chunk(b"EXIF", b"MM"), vp8(2, 2)]);
    let short_vp8x = riff(&[riff_chunk(b"VP8X", &[VP8X_EXIF | VP8X_XMP, 0, 0])]);
    let mut chunk_overrun = riff(&[vp8(2, 2)]);
    chunk_overrun[16..20].copy_from_slice(&1000u32.to_le_bytes());
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("RIFF size past the end", size_too_big),
        ("cut short", good[..good.len() - 10].to_vec()),
        ("metadata before the image", exif_first),
        ("VP8X shorter than 10 bytes", short_vp8x),
        ("chunk past the RIFF end", chunk_overrun),
        ("no chunks", riff(&[])),
    ];
    for (case, bytes) in cases {
        assert!(matches!(strip_metadata(WEBP, &bytes), Err(MediaError::Malformed(_))), "{case}");
    }
}
