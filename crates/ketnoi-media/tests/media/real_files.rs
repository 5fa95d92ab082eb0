//! Files made by other programs: `photo-gps.jpg` is a 64×48 ImageMagick JPEG to which exiftool
//! added Exif (Make, Orientation 6, GPS), IPTC (City), XMP (GPS) and a comment; `photo.png` is a
//! 24×16 ImageMagick PNG with a comment and dates in tEXt chunks.

use ketnoi_media::{check, dimensions, has_location_metadata, sniff, strip_metadata};

use crate::fixtures::{JPEG, PNG};
use crate::inspect::{
    jpeg_markers, jpeg_scan, jpeg_segments, leaked, png_chunk_types, png_chunks, png_crc_is_right,
};

const PHOTO_GPS: &[u8] = include_bytes!("../fixtures/photo-gps.jpg");
const PHOTO_PNG: &[u8] = include_bytes!("../fixtures/photo.png");

/// What exiftool wrote into the photo, each in one metadata block only.
const PHOTO_LEAKS: [&[u8]; 5] =
    [b"LeakyPhone", b"Hanoi", b"12 Hang Bac", b"GPSLatitude", b"ExifTool"];

#[test]
fn the_real_photo_is_a_jpeg_with_gps_of_64_by_48() {
    assert_eq!(sniff(PHOTO_GPS), Some(JPEG));
    assert_eq!(check("image/jpeg", PHOTO_GPS), Ok(JPEG));
    assert_eq!(dimensions(JPEG, PHOTO_GPS), Some((64, 48)));
    assert!(has_location_metadata(PHOTO_GPS));
    for leak in PHOTO_LEAKS {
        assert!(leaked(PHOTO_GPS, &[leak]).is_some(), "{}", String::from_utf8_lossy(leak));
    }
}

#[test]
fn the_real_photo_stripped_keeps_picture_and_orientation_only() {
    let stripped = strip_metadata(JPEG, PHOTO_GPS).unwrap();

    assert!(!has_location_metadata(&stripped));
    assert_eq!(leaked(&stripped, &PHOTO_LEAKS), None);
    assert_eq!(leaked(&stripped, &[b"GPS", b"http://ns.adobe.com", b"Photoshop"]), None);
    // JFIF, the new orientation-only Exif, quantisation tables, frame, Huffman tables, scan.
    assert_eq!(
        jpeg_markers(&stripped),
        [0xE0, 0xE1, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDA]
    );
    let exif = jpeg_segments(&stripped)[1].1;
    assert_eq!(exif.len(), 36);
    assert_eq!(&exif[10..12], b"II");
    assert_eq!(u16::from_le_bytes([exif[20], exif[21]]), 0x0112);
    assert_eq!(u16::from_le_bytes([exif[28], exif[29]]), 6);
    assert_eq!(jpeg_scan(&stripped), jpeg_scan(PHOTO_GPS));
    assert_eq!(dimensions(JPEG, &stripped), Some((64, 48)));
    // Tables and frame header identical too: only application segments and comments differ.
    let picture = |jpeg: &[u8]| -> Vec<u8> {
        let is_metadata = |marker: u8| (0xE0..=0xEF).contains(&marker) || marker == 0xFE;
        jpeg_segments(jpeg)
            .into_iter()
            .filter(|(m, _)| !is_metadata(*m))
            .flat_map(|(_, b)| b.to_vec())
            .collect()
    };
    assert!(picture(&stripped) == picture(PHOTO_GPS), "the picture's own segments changed");
}

#[test]
fn the_real_png_loses_its_text_chunks_and_keeps_its_pixels() {
    assert_eq!(sniff(PHOTO_PNG), Some(PNG));
    assert_eq!(dimensions(PNG, PHOTO_PNG), Some((24, 16)));
    assert!(png_chunk_types(PHOTO_PNG).contains(&"tEXt".to_owned()));
    // The test's CRC agrees with ImageMagick's on every chunk.
    assert!(png_chunks(PHOTO_PNG).iter().all(|(_, bytes)| png_crc_is_right(bytes)));

    let stripped = strip_metadata(PNG, PHOTO_PNG).unwrap();

    assert_eq!(png_chunk_types(&stripped), ["IHDR", "gAMA", "cHRM", "bKGD", "IDAT", "IEND"]);
    assert_eq!(leaked(&stripped, &[b"taken at home", b"date:create"]), None);
    let idat = |png: &[u8]| {
        png_chunks(png).into_iter().find(|(kind, _)| kind == b"IDAT").unwrap().1.to_vec()
    };
    assert_eq!(idat(&stripped), idat(PHOTO_PNG));
    assert_eq!(dimensions(PNG, &stripped), Some((24, 16)));
}

#[test]
fn pictures_a_phone_appends_after_the_end_of_image_are_dropped() {
    let clean = strip_metadata(JPEG, PHOTO_GPS).unwrap();
    // A second picture after EOI, as phones write previews and depth maps, carrying GPS.
    let mut carrier = clean.clone();
    carrier.extend_from_slice(PHOTO_GPS);
    assert!(leaked(&carrier, &PHOTO_LEAKS).is_some());
    let stripped = strip_metadata(JPEG, &carrier).unwrap();
    assert_eq!(stripped, clean, "everything after the first end-of-image goes");
    assert_eq!(leaked(&stripped, &PHOTO_LEAKS), None);
    assert!(stripped.ends_with(&[0xFF, 0xD9]));
}
