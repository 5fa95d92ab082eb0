//! Attachment streams: exact chunk boundaries, and every kind of cut, swap and addition caught.

use ketnoi_seal::{
    AttachmentEntry, CHUNK, KeyPair, SEGMENT, SealError, open_attachment, open_report,
};
use proptest::prelude::*;

use crate::support::{file, pattern, seal, sealed_file};

const TAG: usize = SEGMENT - CHUNK;

#[test]
fn files_round_trip_at_every_chunk_boundary() {
    for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK - 5] {
        let (key, entry, stream) = sealed_file(pattern(len));
        let chunks = len.div_ceil(CHUNK).max(1);
        assert_eq!(stream.len(), len + chunks * TAG, "length {len}");
        assert_eq!(entry.size, len as u64);
        assert_eq!(open_attachment(&key, &entry, &stream).unwrap(), pattern(len), "length {len}");
    }
}

#[test]
fn an_empty_file_is_one_empty_chunk() {
    let (key, entry, stream) = sealed_file(Vec::new());
    assert_eq!(stream.len(), TAG);
    assert_eq!(open_attachment(&key, &entry, &stream).unwrap(), Vec::<u8>::new());
    assert_eq!(open_attachment(&key, &entry, &[]).unwrap_err(), SealError::Truncated);
}

#[test]
fn a_file_that_fills_its_last_chunk_has_no_extra_empty_chunk() {
    let (key, entry, stream) = sealed_file(pattern(2 * CHUNK));
    assert_eq!(stream.len(), 2 * SEGMENT);
    // An empty final chunk could only be made with the key; refuse the shape all the same.
    let mut longer = stream.clone();
    longer.extend_from_slice(&[0; TAG]);
    let entry = AttachmentEntry { size: 2 * CHUNK as u64, ..entry };
    assert_eq!(open_attachment(&key, &entry, &longer).unwrap_err(), SealError::Truncated);
}

fn three_chunks() -> (ketnoi_seal::ReportKey, AttachmentEntry, Vec<u8>) {
    sealed_file(pattern(2 * CHUNK + 1000))
}

fn segments(stream: &[u8]) -> Vec<Vec<u8>> {
    stream.chunks(SEGMENT).map(<[u8]>::to_vec).collect()
}

/// The entry as if the file had `len` bytes, so that only the chunk checks can refuse.
fn claiming(entry: &AttachmentEntry, len: usize) -> AttachmentEntry {
    AttachmentEntry { size: len as u64, ..entry.clone() }
}

#[test]
fn a_dropped_last_chunk_is_caught() {
    let (key, entry, stream) = three_chunks();
    let cut = &stream[..2 * SEGMENT];
    assert_eq!(open_attachment(&key, &entry, cut).unwrap_err(), SealError::Truncated);
    // Even when the entry's size is made to agree, the second chunk is not marked last.
    assert_eq!(
        open_attachment(&key, &claiming(&entry, 2 * CHUNK), cut).unwrap_err(),
        SealError::Tampered
    );
}

#[test]
fn a_dropped_middle_chunk_is_caught() {
    let (key, entry, stream) = three_chunks();
    let parts = segments(&stream);
    let cut = [parts[0].clone(), parts[2].clone()].concat();
    assert_eq!(open_attachment(&key, &entry, &cut).unwrap_err(), SealError::Truncated);
    assert_eq!(
        open_attachment(&key, &claiming(&entry, CHUNK + 1000), &cut).unwrap_err(),
        SealError::Tampered
    );
}

#[test]
fn swapped_chunks_are_caught() {
    let (key, entry, stream) = sealed_file(pattern(3 * CHUNK));
    let parts = segments(&stream);
    let swapped = [parts[1].clone(), parts[0].clone(), parts[2].clone()].concat();
    assert_eq!(open_attachment(&key, &entry, &swapped).unwrap_err(), SealError::Tampered);
}

#[test]
fn an_appended_chunk_is_caught() {
    let (key, entry, stream) = three_chunks();
    let parts = segments(&stream);
    let longer = [stream.clone(), parts[0].clone()].concat();
    assert_eq!(open_attachment(&key, &entry, &longer).unwrap_err(), SealError::Truncated);
    assert_eq!(
        open_attachment(&key, &claiming(&entry, 3 * CHUNK + 1000), &longer).unwrap_err(),
        SealError::Tampered
    );
}

#[test]
fn a_stream_cut_inside_a_chunk_is_caught() {
    let (key, entry, stream) = three_chunks();
    for len in [0, 1, TAG - 1, SEGMENT, SEGMENT + 10, stream.len() - 1] {
        assert!(open_attachment(&key, &entry, &stream[..len]).is_err(), "cut at {len}");
    }
}

#[test]
fn streams_cannot_be_moved_between_attachments_or_reports() {
    let unit = KeyPair::generate();
    let files = [file("a.jpg", pattern(5000)), file("b.jpg", pattern(5000))];
    let (envelope, streams) = seal(&[&unit], &files);
    let (body, key) = open_report(&envelope, &unit).unwrap();
    let [a, b] = [&body.attachments[0], &body.attachments[1]];
    assert_eq!(open_attachment(&key, a, &streams[0]).unwrap(), pattern(5000));
    assert_eq!(open_attachment(&key, b, &streams[1]).unwrap(), pattern(5000));
    assert_eq!(open_attachment(&key, a, &streams[1]).unwrap_err(), SealError::Tampered);

    let (other_envelope, _) = seal(&[&unit], &files);
    let (_, other_key) = open_report(&other_envelope, &unit).unwrap();
    assert_eq!(open_attachment(&other_key, a, &streams[0]).unwrap_err(), SealError::Tampered);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn any_file_round_trips(len in 0usize..300_000) {
        let (key, entry, stream) = sealed_file(pattern(len));
        prop_assert_eq!(stream.len(), len + len.div_ceil(CHUNK).max(1) * TAG);
        prop_assert_eq!(open_attachment(&key, &entry, &stream).unwrap(), pattern(len));
    }

    #[test]
    fn any_flipped_bit_of_a_stream_is_caught(len in 0usize..300_000, bit in any::<usize>()) {
        let (key, entry, mut stream) = sealed_file(pattern(len));
        let bit = bit % (stream.len() * 8);
        stream[bit / 8] ^= 1 << (bit % 8);
        prop_assert_eq!(open_attachment(&key, &entry, &stream).unwrap_err(), SealError::Tampered);
    }
}
