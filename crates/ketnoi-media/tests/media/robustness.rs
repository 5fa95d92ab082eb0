//! Arbitrary, truncated and mutated bytes must never panic, and wherever stripping succeeds its
//! result must be clean, stable and no larger than the input plus the orientation segment.

use ketnoi_media::{Sniffed, check, dimensions, has_location_metadata, sniff, strip_metadata};

use crate::fixtures::{self, JPEG, Order, PDF, PLAIN, PNG, WEBP};

/// SplitMix64: deterministic, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }

    fn byte(&mut self) -> u8 {
        self.next().to_le_bytes()[0]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

const DECLARED: [&str; 6] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "application/pdf",
    "application/msword",
    "application/octet-stream",
];

/// Runs every function on `bytes`; checks what must hold whenever stripping succeeds.
fn exercise(bytes: &[u8]) {
    let found = sniff(bytes);
    for declared in DECLARED {
        let checked = check(declared, bytes);
        assert!(checked.is_err() || found.is_some());
    }
    let _ = has_location_metadata(bytes);
    for format in [JPEG, PNG, WEBP, PDF] {
        let size = dimensions(format, bytes);
        let Ok(stripped) = strip_metadata(format, bytes) else {
            continue;
        };
        assert!(stripped.len() <= bytes.len() + 36, "{} grew", format.media_type);
        if format == PDF {
            assert_eq!(stripped, bytes);
            continue;
        }
        assert!(!has_location_metadata(&stripped), "{} kept metadata", format.media_type);
        assert_eq!(dimensions(format, &stripped), size, "{} changed size", format.media_type);
        assert_eq!(
            strip_metadata(format, &stripped).as_ref(),
            Ok(&stripped),
            "{} unstable",
            format.media_type
        );
        if found == Some(format) {
            assert_eq!(sniff(&stripped), found);
        }
    }
}

fn valid_files() -> Vec<Vec<u8>> {
    vec![
        fixtures::phone_photo().bytes,
        fixtures::jpeg(&[fixtures::jfif(true), fixtures::exif(Order::Little, Some(8), true)], 3, 2)
            .bytes,
        fixtures::png_with_metadata(),
        fixtures::webp_with_metadata(),
        fixtures::ooxml("word/document.xml", &PLAIN),
        fixtures::ooxml("xl/workbook.xml", &fixtures::ZipOptions { data_descriptors: true }),
        fixtures::opendocument("application/vnd.oasis.opendocument.text"),
        fixtures::ole(),
        include_bytes!("../fixtures/photo-gps.jpg").to_vec(),
        include_bytes!("../fixtures/photo.png").to_vec(),
    ]
}

#[test]
fn every_truncation_of_every_valid_file_is_handled() {
    for file in valid_files() {
        for len in 0..=file.len() {
            exercise(&file[..len]);
        }
    }
}

#[test]
fn every_single_bit_flip_of_every_valid_file_is_handled() {
    for mut file in valid_files() {
        for at in 0..file.len() {
            for bit in 0..8 {
                file[at] ^= 1 << bit;
                exercise(&file);
                file[at] ^= 1 << bit;
            }
        }
    }
}

#[test]
fn random_rewrites_of_valid_files_are_handled() {
    let mut rng = Rng(0x6B65_746E_6F69);
    for file in valid_files() {
        for _ in 0..2_000 {
            let mut mutated = file.clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(mutated.len().max(1));
                match rng.below(4) {
                    0 if !mutated.is_empty() => mutated[at] = rng.byte(),
                    1 if !mutated.is_empty() => {
                        mutated[at] = [0x00, 0xFF, 0x7F, 0x80][rng.below(4)]
                    }
                    2 => {
                        let count = rng.below(8);
                        let insert = rng.bytes(count);
                        mutated.splice(at.min(mutated.len())..at.min(mutated.len()), insert);
                    }
                    _ => {
                        let end = (at + rng.below(16)).min(mutated.len());
                        mutated.drain(at.min(end)..end);
                    }
                }
            }
            exercise(&mutated);
        }
    }
}

#[test]
fn random_bytes_behind_every_signature_are_handled() {
    let prefixes: [&[u8]; 9] = [
        b"",
        b"\xFF\xD8\xFF",
        b"\xFF\xD8\xFF\xE1\x00\x40Exif\0\0II*\0\x08\0\0\0",
        b"\xFF\xD8\xFF\xE1\x00\x40Exif\0\0MM\0*\0\0\0\x08",
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR",
        b"RIFF\x40\0\0\0WEBPVP8X",
        b"PK\x03\x04",
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1",
        b"%PDF-",
    ];
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let prefix = prefixes[rng.below(prefixes.len())];
        let len = rng.below(300);
        let mut bytes = prefix.to_vec();
        bytes.extend(rng.bytes(len));
        exercise(&bytes);
    }
}

#[test]
fn random_jpeg_segment_soups_are_handled() {
    let mut rng = Rng(7);
    for _ in 0..5_000 {
        let mut segments = Vec::new();
        for _ in 0..rng.below(6) {
            let marker =
                [0xE0, 0xE1, 0xE2, 0xED, 0xEE, 0xFE, 0xDB, 0xC0, 0xC2, 0xDD][rng.below(10)];
            let mut payload = match rng.below(3) {
                0 => b"Exif\0\0".to_vec(),
                1 => b"JFIF\0".to_vec(),
                _ => Vec::new(),
            };
            if rng.below(2) == 0 {
                payload.extend_from_slice([b"II*\0".as_slice(), b"MM\0*"][rng.below(2)]);
                payload.extend_from_slice(&[0, 0, 0, 8][..]);
                payload.extend_from_slice(&[1 + rng.byte() % 3, 0]);
                for _ in 0..3 {
                    payload.extend_from_slice(&[
                        [0x12, 0x88, 0x01][rng.below(3)],
                        [0x01, 0x25, 0x12][rng.below(3)],
                    ]);
                    payload.extend(rng.bytes(10));
                }
            }
            let tail = rng.below(24);
            payload.extend(rng.bytes(tail));
            segments.push(fixtures::segment(marker, &payload));
        }
        let jpeg = fixtures::jpeg(&segments, u16::try_from(rng.below(3)).unwrap(), 5);
        exercise(&jpeg.bytes);
    }
}

#[test]
fn documents_pass_through_unchanged() {
    let pdf = fixtures::pdf();
    assert_eq!(strip_metadata(PDF, &pdf).unwrap(), pdf);
    let docx_sniffed: Sniffed = sniff(&fixtures::ooxml("word/document.xml", &PLAIN)).unwrap();
    assert_eq!(strip_metadata(docx_sniffed, b"any bytes at all").unwrap(), b"any bytes at all");
    assert_eq!(dimensions(docx_sniffed, &fixtures::phone_photo().bytes), None);
}
