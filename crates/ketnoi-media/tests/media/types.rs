use ketnoi_media::{Kind, MediaError, OLE_STORAGE, Sniffed, check, sniff};

use crate::fixtures::{self, JPEG, PDF, PLAIN, PNG, WEBP, ZipOptions, ooxml, opendocument, zip};

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const ODT: &str = "application/vnd.oasis.opendocument.text";
const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODP: &str = "application/vnd.oasis.opendocument.presentation";

fn document(media_type: &'static str, extension: &'static str) -> Option<Sniffed> {
    Some(Sniffed { media_type, kind: Kind::Document, extension })
}

fn mismatch(declared: &str, actual: &'static str) -> Result<Sniffed, MediaError> {
    Err(MediaError::Mismatch { declared: declared.to_owned(), actual })
}

#[test]
fn images_and_pdf_are_known_by_their_signatures() {
    assert_eq!(sniff(&fixtures::phone_photo().bytes), Some(JPEG));
    assert_eq!(sniff(&fixtures::png_with_metadata()), Some(PNG));
    assert_eq!(sniff(&fixtures::webp_with_metadata()), Some(WEBP));
    assert_eq!(sniff(&fixtures::pdf()), Some(PDF));
}

#[test]
fn office_open_xml_is_told_apart_by_its_part_names() {
    let descriptors = ZipOptions { data_descriptors: true };
    for options in [&PLAIN, &descriptors] {
        assert_eq!(sniff(&ooxml("word/document.xml", options)), document(DOCX, "docx"));
        assert_eq!(sniff(&ooxml("xl/workbook.xml", options)), document(XLSX, "xlsx"));
        assert_eq!(sniff(&ooxml("ppt/presentation.xml", options)), document(PPTX, "pptx"));
    }
}

#[test]
fn a_docx_without_its_central_directory_is_still_read_from_its_local_headers() {
    let docx = ooxml("word/document.xml", &PLAIN);
    let central_at = docx.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    assert_eq!(sniff(&docx[..central_at]), document(DOCX, "docx"));
}

#[test]
fn a_docx_whose_local_headers_cannot_be_walked_is_read_from_its_central_directory() {
    // With data descriptors the walk from the front stops after "[Content_Types].xml", so
    // "word/" is found only in the central directory; cut that off and nothing is left.
    let docx = ooxml("word/document.xml", &ZipOptions { data_descriptors: true });
    assert_eq!(sniff(&docx), document(DOCX, "docx"));
    let central_at = docx.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    assert_eq!(sniff(&docx[..central_at]), None);
}

#[test]
fn opendocument_is_told_by_its_mimetype_entry() {
    assert_eq!(sniff(&opendocument(ODT)), document(ODT, "odt"));
    assert_eq!(sniff(&opendocument(ODS)), document(ODS, "ods"));
    assert_eq!(sniff(&opendocument(ODP)), document(ODP, "odp"));
    assert_eq!(sniff(&opendocument("application/vnd.oasis.opendocument.graphics")), None);
    assert_eq!(sniff(&opendocument("application/epub+zip")), None);
    let mimetype_not_first = zip(&[("content.xml", b"<x/>"), ("mimetype", ODT.as_bytes())], &PLAIN);
    assert_eq!(sniff(&mimetype_not_first), None);
}

#[test]
fn other_zips_are_unsupported() {
    let plain = zip(&[("readme.txt", b"hello"), ("word/notes.txt", b"not office")], &PLAIN);
    let two_families = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<d/>"),
            ("xl/workbook.xml", b"<w/>"),
        ],
        &PLAIN,
    );
    let macros = zip(
        &[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<d/>"),
            ("word/vbaProject.bin", b"\xd0\xcf"),
        ],
        &PLAIN,
    );
    for (case, bytes) in
        [("plain", plain), ("docx and xlsx at once", two_families), ("VBA macros", macros)]
    {
        assert_eq!(sniff(&bytes), None, "{case}");
        assert_eq!(check(DOCX, &bytes), Err(MediaError::Unsupported), "{case}");
    }
}

#[test]
fn a_docx_stored_inside_a_plain_zip_does_not_lend_the_zip_its_names() {
    let docx = ooxml("word/document.xml", &PLAIN);
    for options in [PLAIN, ZipOptions { data_descriptors: true }] {
        let outer = zip(&[("attachment.docx", &docx), ("readme.txt", b"hello")], &options);
        assert_eq!(sniff(&outer), None);
    }
}

#[test]
fn legacy_office_is_accepted_as_whichever_of_the_three_it_is_declared() {
    let ole = fixtures::ole();
    assert_eq!(sniff(&ole).map(|s| s.media_type), Some(OLE_STORAGE));
    assert_eq!(check("application/msword", &ole).ok(), document("application/msword", "doc"));
    assert_eq!(
        check("application/vnd.ms-excel", &ole).ok(),
        document("application/vnd.ms-excel", "xls")
    );
    assert_eq!(
        check("Application/VND.MS-PowerPoint; name=x.ppt", &ole).ok(),
        document("application/vnd.ms-powerpoint", "ppt")
    );
    assert_eq!(
        check("application/octet-stream", &ole),
        mismatch("application/octet-stream", OLE_STORAGE)
    );
    assert_eq!(check(DOCX, &ole), mismatch(DOCX, OLE_STORAGE));
}

#[test]
fn declared_types_must_match_the_content() {
    let jpeg = fixtures::phone_photo().bytes;
    assert_eq!(check("image/jpeg", &jpeg), Ok(JPEG));
    assert_eq!(check("image/png", &jpeg), mismatch("image/png", "image/jpeg"));
    assert_eq!(
        check("image/jpeg", &fixtures::png_with_metadata()),
        mismatch("image/jpeg", "image/png")
    );
    assert_eq!(
        check("application/pdf", &ooxml("word/document.xml", &PLAIN)),
        mismatch("application/pdf", DOCX)
    );
    assert_eq!(check(XLSX, &ooxml("word/document.xml", &PLAIN)), mismatch(XLSX, DOCX));
    assert_eq!(check("", &jpeg), mismatch("", "image/jpeg"));
}

#[test]
fn octet_stream_matches_nothing() {
    let files = [
        fixtures::phone_photo().bytes,
        fixtures::png_with_metadata(),
        fixtures::webp_with_metadata(),
        fixtures::pdf(),
        ooxml("word/document.xml", &PLAIN),
        opendocument(ODT),
    ];
    for bytes in files {
        let actual = sniff(&bytes).unwrap().media_type;
        assert_eq!(
            check("application/octet-stream", &bytes),
            mismatch("application/octet-stream", actual)
        );
    }
}

#[test]
fn aliases_parameters_case_and_space_are_accepted() {
    let jpeg = fixtures::phone_photo().bytes;
    for declared in
        ["image/jpg", "image/pjpeg", "IMAGE/JPEG", " image/jpeg ; charset=binary", "image/JPG;x=y"]
    {
        assert_eq!(check(declared, &jpeg), Ok(JPEG), "{declared}");
    }
    assert_eq!(check("image/x-png", &fixtures::png_with_metadata()), Ok(PNG));
    assert_eq!(check("application/x-pdf", &fixtures::pdf()), Ok(PDF));
    assert_eq!(
        check("image/jpg", &fixtures::png_with_metadata()),
        mismatch("image/jpg", "image/png")
    );
}

#[test]
fn svg_html_gif_and_executables_are_unsupported_whatever_they_claim() {
    let files: [(&str, &[u8]); 7] = [
        (
            "image/svg+xml",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        ),
        ("image/svg+xml", b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("text/html", b"<!DOCTYPE html><html><body>hi</body></html>"),
        ("image/gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04;"),
        ("application/x-msdownload", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ("application/x-elf", b"\x7fELF\x02\x01\x01\x00"),
        ("image/webp", b"RIFF\x10\x00\x00\x00WAVEfmt \x00\x00\x00\x00"),
    ];
    for (declared, bytes) in files {
        assert_eq!(sniff(bytes), None, "{declared}");
        assert_eq!(check(declared, bytes), Err(MediaError::Unsupported), "{declared}");
        assert_eq!(check("image/png", bytes), Err(MediaError::Unsupported), "{declared}");
    }
    assert_eq!(check("image/png", b""), Err(MediaError::Unsupported));
}

#[test]
fn a_huge_declared_type_is_cut_short_in_the_error() {
    let declared = "x".repeat(1_000_000);
    let Err(MediaError::Mismatch { declared, .. }) = check(&declared, &fixtures::pdf()) else {
        panic!("expected a mismatch");
    };
    assert_eq!(declared.len(), 100);
}
