use ketnoi_media::{MediaError, dimensions, has_location_metadata, sniff, strip_metadata};

use crate::fixtures::{self, JPEG, LEAKS, Order, segment};
use crate::inspect::{jpeg_markers, jpeg_scan, jpeg_segments, leaked};

/// The Exif segment a stripped photo with orientation 6 must carry, written out by hand:
/// APP1, length 34, "Exif\0\0", little-endian TIFF header, one IFD0 entry (0x0112, SHORT, 1, 6),
/// no next IFD.
const ORIENTATION_6: [u8; 36] = [
    0xFF, 0xE1, 0x00, 0x22, b'E', b'x', b'i', b'f', 0, 0, b'I', b'I', 0x2A, 0x00, 0x08, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00,
];

fn app1_segments(jpeg: &[u8]) -> Vec<&[u8]> {
    jpeg_segments(jpeg)
        .into_iter()
        .filter(|(marker, _)| *marker == 0xE1)
        .map(|(_, bytes)| bytes)
        .collect()
}

#[test]
fn a_phone_photo_loses_gps_xmp_iptc_and_comment() {
    let photo = fixtures::phone_photo();
    assert!(has_location_metadata(&photo.bytes));
    assert!(leaked(&photo.bytes, &LEAKS).is_some());

    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();

    assert!(!has_location_metadata(&stripped));
    assert_eq!(leaked(&stripped, &LEAKS), None);
    assert!(!jpeg_markers(&stripped).contains(&0xFE), "comment kept");
    assert!(!jpeg_markers(&stripped).contains(&0xED), "IPTC kept");
}

#[test]
fn a_phone_photo_keeps_its_orientation_in_a_minimal_exif_segment() {
    let photo = fixtures::phone_photo();
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(app1_segments(&stripped), [ORIENTATION_6.as_slice()]);
}

#[test]
fn only_jfif_icc_adobe_and_the_picture_itself_are_kept_in_order() {
    let photo = fixtures::phone_photo();
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    // APP0 JFIF, the new APP1, APP2 ICC (not APP2 MPF), APP14 Adobe, DQT, SOF0, DHT, SOS.
    assert_eq!(jpeg_markers(&stripped), [0xE0, 0xE1, 0xE2, 0xEE, 0xDB, 0xC0, 0xC4, 0xDA]);
    let kept: Vec<&[u8]> = jpeg_segments(&stripped).into_iter().map(|(_, bytes)| bytes).collect();
    assert_eq!(kept[0], fixtures::jfif(false));
    assert_eq!(kept[2], fixtures::icc());
    assert_eq!(kept[3], fixtures::adobe());
}

#[test]
fn image_data_from_the_scan_on_is_copied_byte_for_byte() {
    let photo = fixtures::phone_photo();
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(jpeg_scan(&stripped), &photo.bytes[photo.scan_at..]);
    assert!(stripped.ends_with(&photo.bytes[photo.scan_at..]));
}

#[test]
fn dimensions_come_from_the_frame_header_before_and_after_stripping() {
    let photo = fixtures::phone_photo();
    assert_eq!(dimensions(JPEG, &photo.bytes), Some((640, 480)));
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(dimensions(JPEG, &stripped), Some((640, 480)));
    let tall = fixtures::jpeg(&[], 3, 4000);
    assert_eq!(dimensions(JPEG, &tall.bytes), Some((3, 4000)));
}

#[test]
fn orientation_is_read_in_either_byte_order() {
    for order in [Order::Little, Order::Big] {
        for value in [2, 6, 8] {
            let photo = fixtures::jpeg(&[fixtures::exif(order, Some(value), false)], 10, 10);
            let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
            let mut expected = ORIENTATION_6;
            expected[28] = u8::try_from(value).unwrap();
            assert_eq!(app1_segments(&stripped), [expected.as_slice()]);
        }
    }
}

#[test]
fn an_upright_or_unoriented_photo_gets_no_exif_at_all() {
    for exif in
        [fixtures::exif(Order::Big, Some(1), true), fixtures::exif(Order::Little, None, true)]
    {
        let photo = fixtures::jpeg(&[fixtures::jfif(false), exif], 10, 10);
        let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
        assert!(app1_segments(&stripped).is_empty());
        assert_eq!(jpeg_markers(&stripped), [0xE0, 0xDB, 0xC0, 0xC4, 0xDA]);
    }
}

#[test]
fn the_orientation_segment_follows_jfif_even_when_exif_came_first() {
    let exif_first =
        fixtures::jpeg(&[fixtures::exif(Order::Big, Some(6), true), fixtures::jfif(false)], 8, 8);
    let stripped = strip_metadata(JPEG, &exif_first.bytes).unwrap();
    assert_eq!(jpeg_markers(&stripped)[..2], [0xE0, 0xE1]);

    let without_jfif = fixtures::jpeg(&[fixtures::exif(Order::Big, Some(6), true)], 8, 8);
    let stripped = strip_metadata(JPEG, &without_jfif.bytes).unwrap();
    assert_eq!(
        &stripped[..2 + ORIENTATION_6.len()],
        [&[0xFF, 0xD8], ORIENTATION_6.as_slice()].concat()
    );
}

#[test]
fn a_jfif_thumbnail_is_dropped_and_the_jfif_header_kept() {
    let photo = fixtures::jpeg(&[fixtures::jfif(true)], 8, 8);
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(jpeg_segments(&stripped)[0].1, fixtures::jfif(false));
    assert_eq!(leaked(&stripped, &[b"THUMB!"]), None);
}

#[test]
fn jfxx_and_unknown_application_segments_are_dropped() {
    let jfxx = segment(0xE0, b"JFXX\0\x10thumbnail");
    let maker = segment(0xE9, b"Maker notes LeakyPhone");
    let not_adobe = segment(0xEE, b"Other\0\0");
    let photo = fixtures::jpeg(&[fixtures::jfif(false), jfxx, maker, not_adobe], 8, 8);
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(jpeg_markers(&stripped), [0xE0, 0xDB, 0xC0, 0xC4, 0xDA]);
}

#[test]
fn fill_bytes_before_a_marker_are_accepted() {
    let mut photo = fixtures::jpeg(&[fixtures::comment()], 8, 8);
    photo.bytes.splice(2..2, [0xFF, 0xFF, 0xFF]);
    let stripped = strip_metadata(JPEG, &photo.bytes).unwrap();
    assert_eq!(jpeg_markers(&stripped), [0xDB, 0xC0, 0xC4, 0xDA]);
}

#[test]
fn stripping_twice_changes_nothing_more() {
    let photo = fixtures::phone_photo();
    let once = strip_metadata(JPEG, &photo.bytes).unwrap();
    let twice = strip_metadata(JPEG, &once).unwrap();
    assert_eq!(once, twice);
    assert_eq!(sniff(&once), Some(JPEG));
}

#[test]
fn location_metadata_is_gps_exif_or_any_xmp() {
    let gps = fixtures::jpeg(&[fixtures::exif(Order::Little, Some(6), true)], 8, 8);
    let no_gps = fixtures::jpeg(&[fixtures::exif(Order::Little, Some(6), false)], 8, 8);
    let xmp = fixtures::jpeg(&[fixtures::xmp()], 8, 8);
    let comment = fixtures::jpeg(&[fixtures::comment()], 8, 8);
    assert!(has_location_metadata(&gps.bytes));
    assert!(!has_location_metadata(&no_gps.bytes));
    assert!(has_location_metadata(&xmp.bytes));
    assert!(!has_location_metadata(&comment.bytes));
}

#[test]
fn broken_headers_are_malformed() {
    let photo = fixtures::phone_photo();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("cut inside the header", photo.bytes[..photo.scan_at - 3].to_vec()),
        ("cut right before the scan", photo.bytes[..photo.scan_at].to_vec()),
        (
            "segment longer than the file",
            [&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0][..], b"Exif"].concat(),
        ),
        ("segment length below 2", vec![0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x01, 0xFF, 0xDA]),
        ("bytes between segments", [&photo.bytes[..2], b"junk", &photo.bytes[2..]].concat()),
        ("end of image before any scan", vec![0xFF, 0xD8, 0xFF, 0xD9]),
        ("not a JPEG at all", b"GIF89a".to_vec()),
    ];
    for (case, bytes) in cases {
        assert!(matches!(strip_metadata(JPEG, &bytes), Err(MediaError::Malformed(_))), "{case}");
    }
}

#[test]
fn a_scan_without_a_frame_header_has_no_dimensions() {
    let bytes = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0xD9];
    assert_eq!(dimensions(JPEG, &bytes), None);
    let zero_height = fixtures::jpeg(&[], 64, 0);
    assert_eq!(dimensions(JPEG, &zero_height.bytes), None);
}
