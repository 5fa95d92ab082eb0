//! Reading a tip offline: the unit key file an officer keeps (`ketnoi tips decrypt --key FILE`)
//! and the export of one tip with its attachment streams and messages.

use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::{
    AttachmentEntry, Author, Body, Clear, Envelope, KeyPair, PUBLIC_LEN, Result, SealError, Sealed,
    b64::{b64u, field, fixed},
    open_attachment, open_message, open_report,
};

/// One unit key in a key file. The private value is wiped when dropped; `Debug` does not show
/// it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitKeyEntry {
    /// The key id of the public key.
    pub kid: String,
    /// base64url of the 65-byte public key.
    pub public: String,
    /// base64url of the 32-byte private scalar.
    pub private: String,
}

impl UnitKeyEntry {
    /// The entry of a key pair.
    pub fn new(key: &KeyPair) -> Self {
        Self {
            kid: key.kid(),
            public: b64u(&key.public()),
            private: b64u(key.secret_bytes().as_slice()),
        }
    }

    /// The key pair, checked against the entry's public key and key id.
    pub fn key(&self) -> Result<KeyPair> {
        let secret = zeroize::Zeroizing::new(fixed::<32>(&self.private, "private")?);
        let key = KeyPair::from_secret(secret.as_slice())?;
        let public = fixed::<PUBLIC_LEN>(&self.public, "public")?;
        if key.public() != public || key.kid() != self.kid {
            return Err(SealError::BadKey);
        }
        Ok(key)
    }
}

impl Drop for UnitKeyEntry {
    fn drop(&mut self) {
        self.private.zeroize();
    }
}

impl fmt::Debug for UnitKeyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitKeyEntry").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// A unit key file: one key, or an array of keys (the current one and those retired by
/// rotation, which still open older tips).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UnitKeyFile {
    /// A single key object.
    One(UnitKeyEntry),
    /// An array of key objects.
    Many(Vec<UnitKeyEntry>),
}

impl UnitKeyFile {
    /// Every key of the file, each checked.
    pub fn keys(&self) -> Result<Vec<KeyPair>> {
        match self {
            Self::One(entry) => Ok(vec![entry.key()?]),
            Self::Many(entries) => entries.iter().map(UnitKeyEntry::key).collect(),
        }
    }
}

/// One message of an export, still sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportMessage {
    /// Who wrote it.
    pub author: Author,
    /// When the server received it, RFC 3339 (not authenticated).
    pub at: String,
    /// The sealed message.
    pub sealed: Sealed,
}

/// A tip exported for offline decryption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    /// The export format version, 1.
    pub v: u32,
    /// The tip's id on the server.
    pub tip: i64,
    /// When the server received it, RFC 3339.
    pub created_at: String,
    /// Its status on the server (`new`, `handled`, …).
    pub status: String,
    /// The envelope.
    pub envelope: Envelope,
    /// base64url of each attachment stream, in the body's order.
    pub attachments: Vec<String>,
    /// The messages, oldest first.
    pub messages: Vec<ExportMessage>,
}

/// A message, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Who wrote it.
    pub author: Author,
    /// When the server received it, as the export says.
    pub at: String,
    /// The text.
    pub text: String,
}

/// A tip, opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptedTip {
    /// The clear fields.
    pub clear: Clear,
    /// The body.
    pub body: Body,
    /// Each attachment's entry and content, in order.
    pub attachments: Vec<(AttachmentEntry, Vec<u8>)>,
    /// The messages, in the export's order.
    pub messages: Vec<Message>,
}

/// Opens an exported tip with whichever of `keys` is one of its recipients.
/// [`SealError::WrongKey`] when none is; [`SealError::Truncated`] when the number of
/// attachment streams differs from the body's.
pub fn decrypt_export(export: &Export, keys: &[KeyPair]) -> Result<DecryptedTip> {
    if export.v != 1 {
        return Err(SealError::UnsupportedVersion(export.v));
    }
    let envelope = &export.envelope;
    let key = keys
        .iter()
        .find(|key| {
            let kid = key.kid();
            envelope.recipients.iter().any(|w| w.kid == kid)
        })
        .ok_or(SealError::WrongKey)?;
    let (body, report_key) = open_report(envelope, key)?;
    if body.attachments.len() != export.attachments.len() {
        return Err(SealError::Truncated);
    }
    let attachments = body
        .attachments
        .iter()
        .zip(&export.attachments)
        .map(|(entry, stream)| {
            let stream = field(stream, "attachment")?;
            Ok((entry.clone(), open_attachment(&report_key, entry, &stream)?))
        })
        .collect::<Result<Vec<_>>>()?;
    let reply_key = body.reply_key()?;
    let messages = export
        .messages
        .iter()
        .map(|m| {
            let text = open_message(&reply_key, m.author, &m.sealed)?;
            Ok(Message { author: m.author, at: m.at.clone(), text })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(DecryptedTip { clear: envelope.clear.clone(), body, attachments, messages })
}
