//! Receiving attachments: size limit, type check against the bytes, metadata stripping,
//! storage in the blob store, and the record that authorises downloads.

use ketnoi_core::{AccountId, Attachment, Author, CitizenId, MessageKind, Timestamp};
use ketnoi_media::Kind;
use ketnoi_store::NewAttachment;

use crate::kernel::error::ApiError;
use crate::kernel::state::Kernel;

/// An upload to a citizen's conversation with an account.
pub struct Upload<'a> {
    /// The account.
    pub account: AccountId,
    /// The citizen.
    pub citizen: CitizenId,
    /// Who uploads.
    pub uploader: Author,
    /// The Content-Type the client declared.
    pub declared: &'a str,
    /// The file name the client gave, if any.
    pub name: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// Checks, cleans and stores an upload.
pub async fn store(state: &Kernel, upload: Upload<'_>) -> Result<Attachment, ApiError> {
    crate::features::chat::service::limit_uploads(state, upload.uploader)?;
    let (sniffed, cleaned) =
        crate::kernel::media::clean(upload.declared, upload.bytes, state.config.max_upload_bytes)?;
    let kind = match sniffed.kind {
        Kind::Image => MessageKind::Image,
        Kind::Document => MessageKind::File,
    };
    let dimensions = ketnoi_media::dimensions(sniffed, &cleaned);
    let key = crate::kernel::http::hex(&rand::random::<[u8; 16]>());
    state.blobs.put(&key, &cleaned).await?;
    let name = ketnoi_core::chat::safe_file_name(upload.name, sniffed.extension);
    let record = NewAttachment {
        account: upload.account,
        citizen: upload.citizen,
        uploader: upload.uploader,
        media_type: sniffed.media_type.to_owned(),
        kind,
        name,
        size: cleaned.len() as i64,
        dimensions,
        blob_key: key.clone(),
        at: Timestamp::now(),
    };
    match state.store.create_attachment(&record).await {
        Ok(a) => Ok(a),
        Err(e) => {
            let _ = state.blobs.delete(&key).await;
            Err(e.into())
        }
    }
}
