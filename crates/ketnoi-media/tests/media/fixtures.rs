//! Files made in code. Each carries recognisable "leaks" (see [`LEAKS`]) in the places a phone
//! or an editor would put them, so a test can tell whether any survived.

use ketnoi_media::{Kind, Sniffed};

pub const JPEG: Sniffed = Sniffed { media_type: "image/jpeg", kind: Kind::Image, extension: "jpg" };
pub const PNG: Sniffed = Sniffed { media_type: "image/png", kind: Kind::Image, extension: "png" };
pub const WEBP: Sniffed =
    Sniffed { media_type: "image/webp", kind: Kind::Image, extension: "webp" };
pub const PDF: Sniffed =
    Sniffed { media_type: "application/pdf", kind: Kind::Document, extension: "pdf" };

/// Byte strings that appear only in metadata of the fixtures, never in what must be kept.
pub const LEAKS: [&[u8]; 7] = [
    b"LeakyPhone",
    b"Hang Bac",
    b"Hanoi",
    b"GPSLatitude",
    b"adobe:ns:meta",
    b"2024:05:01",
    b"MPF\0",
];

/// The standard CRC-32 used by PNG (and ZIP), bit by bit.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

// ---------------------------------------------------------------- JPEG

pub fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![0xFF, marker];
    out.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// APP0 JFIF, with a 2×1 RGB thumbnail when asked.
pub fn jfif(thumbnail: bool) -> Vec<u8> {
    let mut payload = b"JFIF\0\x01\x02\x01\x00\x48\x00\x48".to_vec();
    if thumbnail {
        payload.extend_from_slice(&[2, 1]);
        payload.extend_from_slice(b"THUMB!");
    } else {
        payload.extend_from_slice(&[0, 0]);
    }
    segment(0xE0, &payload)
}

#[derive(Clone, Copy)]
pub enum Order {
    Little,
    Big,
}

/// An Exif APP1 segment: IFD0 with Make, an optional Orientation and an optional GPS pointer;
/// the GPS directory with GPSLatitudeRef and GPSLatitude.
pub fn exif(order: Order, orientation: Option<u16>, gps: bool) -> Vec<u8> {
    let u16b = |v: u16| match order {
        Order::Little => v.to_le_bytes(),
        Order::Big => v.to_be_bytes(),
    };
    let u32b = |v: u32| match order {
        Order::Little => v.to_le_bytes(),
        Order::Big => v.to_be_bytes(),
    };
    let entry = |tag: u16, kind: u16, count: u32, value: [u8; 4]| {
        let mut e = Vec::new();
        e.extend_from_slice(&u16b(tag));
        e.extend_from_slice(&u16b(kind));
        e.extend_from_slice(&u32b(count));
        e.extend_from_slice(&value);
        e
    };
    let ifd0_count = 1 + u32::from(orientation.is_some()) + u32::from(gps);
    let ifd0_len = 2 + 12 * ifd0_count + 4;
    let make_at = 8 + ifd0_len;
    let make = b"LeakyPhone\0\0"; // 11 bytes and a pad byte
    let gps_at = make_at + 12;
    let latitude_at = gps_at + 2 + 2 * 12 + 4;

    let mut tiff = Vec::new();
    tiff.extend_from_slice(match order {
        Order::Little => b"II",
        Order::Big => b"MM",
    });
    tiff.extend_from_slice(&u16b(42));
    tiff.extend_from_slice(&u32b(8));
    tiff.extend_from_slice(&u16b(u16::try_from(ifd0_count).unwrap()));
    tiff.extend(entry(0x010F, 2, 11, u32b(make_at)));
    if let Some(value) = orientation {
        let [a, b] = u16b(value);
        tiff.extend(entry(0x0112, 3, 1, [a, b, 0, 0]));
    }
    if gps {
        tiff.extend(entry(0x8825, 4, 1, u32b(gps_at)));
    }
    tiff.extend_from_slice(&u32b(0));
    tiff.extend_from_slice(make);
    if gps {
        tiff.extend_from_slice(&u16b(2));
        tiff.extend(entry(0x0001, 2, 2, *b"N\0\0\0"));
        tiff.extend(entry(0x0002, 5, 3, u32b(latitude_at)));
        tiff.extend_from_slice(&u32b(0));
        for (numerator, denominator) in [(21, 1), (1, 1), (4260, 100)] {
            tiff.extend_from_slice(&u32b(numerator));
            tiff.extend_from_slice(&u32b(denominator));
        }
    }
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend(tiff);
    segment(0xE1, &payload)
}

pub fn xmp() -> Vec<u8> {
    segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF \
          xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description \
          xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='21,1.71N' \
          exif:DateTimeOriginal='2024:05:01'/></rdf:RDF></x:xmpmeta>",
    )
}

pub fn comment() -> Vec<u8> {
    segment(0xFE, b"taken at home, 12 Hang Bac")
}

pub fn iptc() -> Vec<u8> {
    segment(0xED, b"Photoshop 3.0\08BIM\x04\x04\0\0\0\0\0\x09\x1c\x02\x5a\0\x05Hanoi")
}

pub fn icc() -> Vec<u8> {
    segment(0xE2, b"ICC_PROFILE\0\x01\x01not a real profile but kept")
}

pub fn mpf() -> Vec<u8> {
    segment(0xE2, b"MPF\0II*\0\x08\0\0\0")
}

pub fn adobe() -> Vec<u8> {
    segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01")
}

/// A JPEG, and where its scan (SOS onwards) starts.
pub struct Jpeg {
    pub bytes: Vec<u8>,
    pub scan_at: usize,
}

/// SOI, the given segments, then tables, a baseline frame header of the given size, and a scan
/// with stuffed bytes and a restart marker in its data.
pub fn jpeg(segments: &[Vec<u8>], width: u16, height: u16) -> Jpeg {
    let mut bytes = vec![0xFF, 0xD8];
    for s in segments {
        bytes.extend_from_slice(s);
    }
    let mut dqt = vec![0];
    dqt.extend(1..=64u8);
    bytes.extend(segment(0xDB, &dqt));
    let [h1, h0] = height.to_be_bytes();
    let [w1, w0] = width.to_be_bytes();
    bytes.extend(segment(0xC0, &[8, h1, h0, w1, w0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]));
    let mut dht = vec![0x00, 1];
    dht.extend([0; 15]);
    dht.push(0);
    bytes.extend(segment(0xC4, &dht));
    let scan_at = bytes.len();
    bytes.extend(segment(0xDA, &[3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]));
    bytes.extend_from_slice(&[
        0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78, 0x9A, 0xBC, 0xFF, 0xD9,
    ]);
    Jpeg { bytes, scan_at }
}

/// What a phone might send: JFIF, big-endian Exif with orientation 6 and GPS, XMP, IPTC,
/// a comment, ICC, MPF, Adobe; 640×480.
pub fn phone_photo() -> Jpeg {
    jpeg(
        &[
            jfif(false),
            exif(Order::Big, Some(6), true),
            xmp(),
            iptc(),
            comment(),
            icc(),
            mpf(),
            adobe(),
        ],
        640,
        480,
    )
}

// ---------------------------------------------------------------- PNG

pub fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc_input = kind.to_vec();
    crc_input.extend_from_slice(data);
    out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    out
}

pub const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

pub fn ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut data = width.to_be_bytes().to_vec();
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale, no interlace
    chunk(b"IHDR", &data)
}

/// A real zlib stream (one stored block) of a greyscale image's rows, each with filter 0.
pub fn idat(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0);
        raw.extend((0..width).map(|x| u8::try_from((x * 40 + y * 90) % 256).unwrap()));
    }
    let len = u16::try_from(raw.len()).unwrap();
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend_from_slice(&len.to_le_bytes());
    zlib.extend_from_slice(&(!len).to_le_bytes());
    zlib.extend_from_slice(&raw);
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    chunk(b"IDAT", &zlib)
}

/// A 5×3 greyscale PNG with gAMA and pHYs (kept), and tEXt, zTXt, iTXt XMP, eXIf and tIME
/// (dropped), and bytes after IEND.
pub fn png_with_metadata() -> Vec<u8> {
    let exif_segment = exif(Order::Little, Some(6), true);
    let mut bytes = PNG_SIGNATURE.to_vec();
    bytes.extend(ihdr(5, 3));
    bytes.extend(chunk(b"gAMA", &45455u32.to_be_bytes()));
    bytes.extend(chunk(b"tEXt", b"Comment\0taken at home, 12 Hang Bac"));
    bytes.extend(chunk(b"eXIf", &exif_segment[10..]));
    bytes.extend(chunk(
        b"iTXt",
        &[b"XML:com.adobe.xmp\0\0\0\0\0".as_slice(), &xmp()[33..]].concat(),
    ));
    bytes.extend(chunk(b"zTXt", b"Author\0\0x\x9c not really compressed LeakyPhone"));
    bytes.extend(chunk(b"tIME", &[0x07, 0xE8, 5, 1, 12, 0, 0]));
    bytes.extend(chunk(b"pHYs", &[0, 0, 0x0B, 0x13, 0, 0, 0x0B, 0x13, 1]));
    bytes.extend(idat(5, 3));
    bytes.extend(chunk(b"IEND", &[]));
    bytes.extend_from_slice(b"after the end: Hanoi");
    bytes
}

// ---------------------------------------------------------------- WebP

/// A RIFF chunk, padded to an even length.
pub fn riff_chunk(fourcc: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = fourcc.to_vec();
    out.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_le_bytes());
    out.extend_from_slice(payload);
    if payload.len() % 2 == 1 {
        out.push(0);
    }
    out
}

pub fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend(body);
    out
}

pub const VP8X_ICC: u8 = 0x20;
pub const VP8X_ALPHA: u8 = 0x10;
pub const VP8X_EXIF: u8 = 0x08;
pub const VP8X_XMP: u8 = 0x04;

pub fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut payload = vec![flags, 0, 0, 0];
    payload.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    payload.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    riff_chunk(b"VP8X", &payload)
}

/// A lossy key frame header of the given size, and some bytes standing for the picture.
pub fn vp8(width: u16, height: u16) -> Vec<u8> {
    let mut payload = vec![0x50, 0x02, 0x00, 0x9D, 0x01, 0x2A];
    payload.extend_from_slice(&width.to_le_bytes());
    payload.extend_from_slice(&height.to_le_bytes());
    payload.extend_from_slice(b"picture data");
    riff_chunk(b"VP8 ", &payload)
}

/// An extended WebP, 400×300, with ICC and alpha (kept) and Exif and XMP (dropped).
pub fn webp_with_metadata() -> Vec<u8> {
    let exif_segment = exif(Order::Big, Some(3), true);
    riff(&[
        vp8x(VP8X_ICC | VP8X_ALPHA | VP8X_EXIF | VP8X_XMP, 400, 300),
        riff_chunk(b"ICCP", b"profile"),
        riff_chunk(b"ALPH", b"\0alpha"),
        vp8(400, 300),
        riff_chunk(b"EXIF", &exif_segment[10..]),
        riff_chunk(b"XMP ", &xmp()[33..]),
    ])
}

// ---------------------------------------------------------------- ZIP, OLE

pub struct ZipOptions {
    /// Sizes after each entry's data instead of in its local header.
    pub data_descriptors: bool,
}

/// A ZIP archive of stored entries, with a central directory.
pub fn zip(entries: &[(&str, &[u8])], options: &ZipOptions) -> Vec<u8> {
    let flags: u16 = if options.data_descriptors { 0x0008 } else { 0 };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content) in entries {
        let offset = u32::try_from(out.len()).unwrap();
        let crc = crc32(content);
        let size = u32::try_from(content.len()).unwrap();
        let name_len = u16::try_from(name.len()).unwrap();
        let (header_crc, header_size) = if options.data_descriptors { (0, 0) } else { (crc, size) };
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&[0; 6]); // method stored, time, date
        out.extend_from_slice(&header_crc.to_le_bytes());
        out.extend_from_slice(&header_size.to_le_bytes());
        out.extend_from_slice(&header_size.to_le_bytes());
        out.extend_from_slice(&name_len.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(content);
        if options.data_descriptors {
            out.extend_from_slice(b"PK\x07\x08");
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
            out.extend_from_slice(&size.to_le_bytes());
        }
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes());
        central.extend_from_slice(&flags.to_le_bytes());
        central.extend_from_slice(&[0; 6]);
        central.extend_from_slice(&crc.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&size.to_le_bytes());
        central.extend_from_slice(&name_len.to_le_bytes());
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let count = u16::try_from(entries.len()).unwrap();
    let central_at = u32::try_from(out.len()).unwrap();
    let central_len = u32::try_from(central.len()).unwrap();
    out.extend(central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&central_len.to_le_bytes());
    out.extend_from_slice(&central_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

pub const PLAIN: ZipOptions = ZipOptions { data_descriptors: false };

/// An Office Open XML package whose main part is `main` (e.g. `word/document.xml`).
pub fn ooxml(main: &str, options: &ZipOptions) -> Vec<u8> {
    zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            (main, b"<document/>"),
            ("docProps/core.xml", b"<coreProperties/>"),
        ],
        options,
    )
}

pub fn opendocument(mimetype: &str) -> Vec<u8> {
    zip(
        &[
            ("mimetype", mimetype.as_bytes()),
            ("content.xml", b"<office:document-content/>"),
            ("META-INF/manifest.xml", b"<manifest:manifest/>"),
        ],
        &PLAIN,
    )
}

/// The header sector of an OLE compound file (what .doc, .xls and .ppt are).
pub fn ole() -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    bytes[0x1C] = 0xFE;
    bytes[0x1D] = 0xFF;
    bytes
}

pub fn pdf() -> Vec<u8> {
    b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}
