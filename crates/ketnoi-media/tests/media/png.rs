use ketnoi_media::{MediaError, dimensions, has_location_metadata, strip_metadata};

use crate::fixtures::{self, LEAKS, PNG, PNG_SIGNATURE, chunk};
use crate::inspect::{leaked, png_chunk_types, png_chunks, png_crc_is_right};

#[test]
fn the_crc_helper_gives_the_standard_check_value() {
    assert_eq!(fixtures::crc32(b"123456789"), 0xCBF4_3926);
}

#[test]
fn text_time_and_exif_chunks_are_dropped_and_the_rest_kept_as_it_was() {
    let original = fixtures::png_with_metadata();
    assert_eq!(
        png_chunk_types(&original),
        ["IHDR", "gAMA", "tEXt", "eXIf", "iTXt", "zTXt", "tIME", "pHYs", "IDAT", "IEND"]
    );

    let stripped = strip_metadata(PNG, &original).unwrap();

    assert_eq!(png_chunk_types(&stripped), ["IHDR", "gAMA", "pHYs", "IDAT", "IEND"]);
    let kept: Vec<&[u8]> = png_chunks(&original)
        .into_iter()
        .filter(|(kind, _)| [b"IHDR", b"gAMA", b"pHYs", b"IDAT", b"IEND"].contains(&kind))
        .map(|(_, bytes)| bytes)
        .collect();
    let expected: Vec<u8> = [PNG_SIGNATURE.as_slice(), &kept.concat()].concat();
    assert_eq!(stripped, expected, "kept chunks byte for byte, nothing after IEND");
    assert!(png_chunks(&stripped).iter().all(|(_, bytes)| png_crc_is_right(bytes)));
}

#[test]
fn no_leak_survives_and_no_location_metadata_is_left() {
    let original = fixtures::png_with_metadata();
    assert!(has_location_metadata(&original));
    assert!(leaked(&original, &LEAKS).is_some());
    let stripped = strip_metadata(PNG, &original).unwrap();
    assert!(!has_location_metadata(&stripped));
    assert_eq!(leaked(&stripped, &LEAKS), None);
}

#[test]
fn location_metadata_is_exif_or_xmp_not_any_text() {
    let with = |extra: Vec<u8>| {
        [
            PNG_SIGNATURE.to_vec(),
            fixtures::ihdr(1, 1),
            extra,
            fixtures::idat(1, 1),
            chunk(b"IEND", &[]),
        ]
        .concat()
    };
    assert!(!has_location_metadata(&with(chunk(b"tEXt", b"Comment\0hello"))));
    assert!(has_location_metadata(&with(chunk(b"eXIf", b"MM\0*\0\0\0\x08\0\0"))));
    assert!(has_location_metadata(&with(chunk(
        b"iTXt",
        b"XML:com.adobe.xmp\0\0\0\0\0<x:xmpmeta/>"
    ))));
    assert!(has_location_metadata(&with(chunk(b"zTXt", b"Raw profile type exif\0\0x"))));
}

#[test]
fn dimensions_come_from_ihdr() {
    assert_eq!(dimensions(PNG, &fixtures::png_with_metadata()), Some((5, 3)));
    let zero_width = [PNG_SIGNATURE.to_vec(), fixtures::ihdr(0, 3), chunk(b"IEND", &[])].concat();
    assert_eq!(dimensions(PNG, &zero_width), None);
}

#[test]
fn broken_structure_is_malformed() {
    let good = fixtures::png_with_metadata();
    let iend_at = good.len() - b"after the end: Hanoi".len() - 12;
    let mut bad_type = good.clone();
    bad_type[8 + 4] = b'1'; // "1HDR"
    let mut too_long = good.clone();
    too_long[8..12].copy_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
    let mut over_the_cap = good.clone();
    over_the_cap[8..12].copy_from_slice(&0x8000_0000u32.to_be_bytes());
    let not_ihdr_first =
        [PNG_SIGNATURE.to_vec(), chunk(b"gAMA", &[0; 4]), fixtures::ihdr(1, 1)].concat();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("no IEND", good[..iend_at].to_vec()),
        ("cut inside a chunk", good[..40].to_vec()),
        ("chunk type not letters", bad_type),
        ("chunk longer than the file", too_long),
        ("chunk length above 2^31-1", over_the_cap),
        ("IHDR not first", not_ihdr_first),
        ("wrong signature", [b"\x89PNG\r\n\x1a\x0b".as_slice(), &good[8..]].concat()),
    ];
    for (case, bytes) in cases {
        assert!(matches!(strip_metadata(PNG, &bytes), Err(MediaError::Malformed(_))), "{case}");
    }
}
