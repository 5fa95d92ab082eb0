//! The report envelope: clear routing fields, the report key wrapped to each receiving unit,
//! the sealed body, and the attachment streams beside it.

use std::{collections::BTreeMap, fmt};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{
    KeyPair, Label, PUBLIC_LEN, Result, SealError, Wrapped,
    b64::{b64u, field, fixed},
    primitives::{decrypt, encrypt, hkdf32, nfc, random},
    stream, unwrap, wrap,
};

/// The envelope version this crate writes and reads.
pub const VERSION: u32 = 1;

/// Whether the reporter gave their identity with the tip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Nobody, the server included, knows who sent it.
    Anonymous,
    /// Sent from a signed-in citizen's account, who chose to be known to the unit.
    Identified,
}

impl Mode {
    /// The wire name: `anonymous` or `identified`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Identified => "identified",
        }
    }
}

/// The fields that stay in clear so the server can route and count a tip. They are bound to
/// the body as associated data: changing any of them makes the body fail to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clear {
    /// The slug of the account the tip was sent from.
    pub account: String,
    /// The category the reporter picked.
    pub category: String,
    /// The area code where it happened.
    pub area: String,
    /// When it happened, as the reporter gave it: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM`, local time.
    pub occurred: String,
    /// Anonymous or identified.
    pub mode: Mode,
}

impl Clear {
    /// The fields in their fixed order, with their names.
    fn fields(&self) -> [(&'static str, &str); 5] {
        [
            ("account", &self.account),
            ("category", &self.category),
            ("area", &self.area),
            ("occurred", &self.occurred),
            ("mode", self.mode.as_str()),
        ]
    }

    /// [`SealError::BadClearField`] when a value contains a line break or another control
    /// character, which would make the associated data ambiguous.
    pub fn check(&self) -> Result<()> {
        match self.fields().into_iter().find(|(_, value)| value.chars().any(char::is_control)) {
            Some((name, _)) => Err(SealError::BadClearField(name)),
            None => Ok(()),
        }
    }

    /// The associated data of the body: `"ketnoi-tip-v1\n"`, then `name=value\n` for each field
    /// in order (`account`, `category`, `area`, `occurred`, `mode`), as UTF-8. Only meaningful
    /// for fields that pass [`Clear::check`].
    pub fn aad(&self) -> Vec<u8> {
        let mut aad = String::from("ketnoi-tip-v1\n");
        for (name, value) in self.fields() {
            aad.push_str(name);
            aad.push('=');
            aad.push_str(value);
            aad.push('\n');
        }
        aad.into_bytes()
    }

    fn normalized(&self) -> Self {
        Self {
            account: nfc(&self.account),
            category: nfc(&self.category),
            area: nfc(&self.area),
            occurred: nfc(&self.occurred),
            mode: self.mode,
        }
    }
}

/// An AES-GCM ciphertext with its nonce: a report body or a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    /// base64url of the 12-byte nonce.
    pub nonce: String,
    /// base64url of the ciphertext and its 16-byte tag.
    pub ct: String,
}

impl Sealed {
    pub(crate) fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Self> {
        let nonce = random();
        let ct = encrypt(key, &nonce, plaintext, aad)?;
        Ok(Self { nonce: b64u(&nonce), ct: b64u(&ct) })
    }

    pub(crate) fn open(&self, key: &[u8; 32], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let nonce = fixed(&self.nonce, "nonce")?;
        let ct = field(&self.ct, "ct")?;
        decrypt(key, &nonce, &ct, aad)
    }
}

/// A sealed report as stored: what the browser posts, without its attachment streams.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// The format version, [`VERSION`].
    pub v: u32,
    /// The clear routing fields.
    pub clear: Clear,
    /// The report key wrapped to each receiving unit's current key.
    pub recipients: Vec<Wrapped>,
    /// The sealed [`Body`].
    pub body: Sealed,
}

/// Who sealed a report: the reporter's browser, or the server for a visitor without
/// JavaScript (who then trusts the server with the plaintext for the time of the request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SealedBy {
    /// Sealed by seal.js in the reporter's browser.
    Browser,
    /// Sealed by the server.
    Server,
}

/// What an attachment was: the body's record of one attachment stream. Its `Debug` shows the
/// type and size only: the name is as private as the content.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentEntry {
    /// The file name the reporter's device gave it.
    pub name: String,
    /// Its media type.
    #[serde(rename = "type")]
    pub content_type: String,
    /// Its plaintext length in bytes.
    pub size: u64,
    /// base64url of the 16-byte salt of its key.
    pub salt: String,
}

/// The sealed content of a report.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// What happened, in the reporter's words.
    pub description: String,
    /// Optional details by name (`place`, `people`, `vehicles`, `contact`, …).
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    /// One entry per attachment stream, in order.
    #[serde(default)]
    pub attachments: Vec<AttachmentEntry>,
    /// base64url of the receipt's 32-byte reply key, so the unit can reply.
    pub reply_key: String,
    /// Where the report was sealed.
    pub sealed_by: SealedBy,
}

impl Body {
    /// The reply key for [`crate::seal_message`] and [`crate::open_message`].
    pub fn reply_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        fixed(&self.reply_key, "reply_key").map(Zeroizing::new)
    }
}

impl fmt::Debug for AttachmentEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttachmentEntry")
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

/// What a tip says never reaches a log by accident: `Debug` shows its shape only.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Body")
            .field("description_chars", &self.description.chars().count())
            .field("details", &self.details.len())
            .field("attachments", &self.attachments)
            .field("sealed_by", &self.sealed_by)
            .finish_non_exhaustive()
    }
}

/// A file to attach, in clear. Its `Debug` shows the type and size only.
#[derive(Clone, PartialEq, Eq)]
pub struct PlainFile {
    /// Its file name.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for PlainFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PlainFile")
            .field("content_type", &self.content_type)
            .field("bytes", &self.bytes.len())
            .finish_non_exhaustive()
    }
}

/// Everything [`seal_report`] seals. Its `Debug` shows the clear fields and counts only.
#[derive(Clone, Copy)]
pub struct Draft<'a> {
    /// The clear routing fields.
    pub clear: &'a Clear,
    /// The current public key (65 bytes) of each receiving unit.
    pub recipients: &'a [[u8; PUBLIC_LEN]],
    /// What happened.
    pub description: &'a str,
    /// Optional details by name.
    pub details: &'a BTreeMap<String, String>,
    /// The attachments, in order.
    pub files: &'a [PlainFile],
    /// The reply key of the report's receipt ([`crate::receipt::Receipt::reply_key`]).
    pub reply_key: &'a [u8; 32],
    /// Who is sealing.
    pub sealed_by: SealedBy,
}

impl fmt::Debug for Draft<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Draft")
            .field("clear", self.clear)
            .field("recipients", &self.recipients.len())
            .field("files", &self.files)
            .field("sealed_by", &self.sealed_by)
            .finish_non_exhaustive()
    }
}

/// The key of one report, 32 bytes, from which its body and attachment keys derive. Wiped
/// when dropped; `Debug` does not show it.
pub struct ReportKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for ReportKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReportKey(<redacted>)")
    }
}

impl ReportKey {
    fn body_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        hkdf32(self.0.as_slice(), &[], b"ketnoi/v1/body")
    }

    fn note_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        hkdf32(self.0.as_slice(), &[], b"ketnoi/v1/note")
    }

    fn attachment_key(&self, salt: &[u8]) -> Result<Zeroizing<[u8; 32]>> {
        hkdf32(self.0.as_slice(), salt, b"ketnoi/v1/attachment")
    }
}

/// Seals a report: returns the envelope and one ciphertext per file, in order. Text is
/// normalized to NFC first.
pub fn seal_report(draft: &Draft<'_>) -> Result<(Envelope, Vec<Vec<u8>>)> {
    let clear = draft.clear.normalized();
    clear.check()?;
    if draft.recipients.is_empty() {
        return Err(SealError::NoRecipients);
    }
    let key = ReportKey(Zeroizing::new(random()));
    let recipients = draft
        .recipients
        .iter()
        .map(|public| wrap(key.0.as_slice(), public, Label::Report))
        .collect::<Result<Vec<_>>>()?;

    let mut attachments = Vec::with_capacity(draft.files.len());
    let mut streams = Vec::with_capacity(draft.files.len());
    for file in draft.files {
        let salt: [u8; 16] = random();
        streams.push(stream::seal(&*key.attachment_key(&salt)?, &file.bytes)?);
        attachments.push(AttachmentEntry {
            name: nfc(&file.name),
            content_type: file.content_type.clone(),
            size: u64::try_from(file.bytes.len()).map_err(|_| SealError::Internal("size"))?,
            salt: b64u(&salt),
        });
    }
    let body = Body {
        description: nfc(draft.description),
        details: draft.details.iter().map(|(k, v)| (nfc(k), nfc(v))).collect(),
        attachments,
        reply_key: b64u(draft.reply_key),
        sealed_by: draft.sealed_by,
    };
    let plaintext =
        Zeroizing::new(serde_json::to_vec(&body).map_err(|_| SealError::Internal("body json"))?);
    let body = Sealed::seal(&*key.body_key()?, &plaintext, &clear.aad())?;
    Ok((Envelope { v: VERSION, clear, recipients, body }, streams))
}

/// Opens a report with one of its recipients' keys: the body, and the report key for
/// [`open_attachment`]. [`SealError::WrongKey`] when `key` is not a recipient;
/// [`SealError::Tampered`] when anything sealed or a clear field was changed.
pub fn open_report(envelope: &Envelope, key: &KeyPair) -> Result<(Body, ReportKey)> {
    if envelope.v != VERSION {
        return Err(SealError::UnsupportedVersion(envelope.v));
    }
    envelope.clear.check()?;
    let kid = key.kid();
    let wrapped = envelope.recipients.iter().find(|w| w.kid == kid).ok_or(SealError::WrongKey)?;
    let secret = unwrap(wrapped, key, Label::Report)?;
    if secret.len() != 32 {
        return Err(SealError::BadEncoding("report key"));
    }
    let mut key = ReportKey(Zeroizing::new([0u8; 32]));
    key.0.copy_from_slice(&secret);
    let plaintext = envelope.body.open(&*key.body_key()?, &envelope.clear.aad())?;
    let body: Body =
        serde_json::from_slice(&plaintext).map_err(|_| SealError::BadEncoding("body"))?;
    Ok((body, key))
}

/// Wraps an opened report's key to another unit's public key (65 bytes), for a transfer: the
/// receiving unit opens the report with its own key; the envelope's body is unchanged.
pub fn rewrap_report(key: &ReportKey, recipient_public: &[u8]) -> Result<Wrapped> {
    wrap(key.0.as_slice(), recipient_public, Label::Report)
}

/// The associated data of an officer's note.
const NOTE_AAD: &[u8] = b"ketnoi/v1/note";

/// The plaintext of a note: `{"text": "..."}`.
#[derive(Serialize, Deserialize)]
struct NotePlain {
    text: String,
}

/// Seals an officer's internal note on a report under a key derived from the report key: the
/// report's units can read it, the reporter (who holds only the reply key) cannot. The text is
/// normalized to NFC.
pub fn seal_note(key: &ReportKey, text: &str) -> Result<Sealed> {
    let plain = Zeroizing::new(
        serde_json::to_vec(&NotePlain { text: nfc(text) })
            .map_err(|_| SealError::Internal("note json"))?,
    );
    Sealed::seal(&*key.note_key()?, &plain, NOTE_AAD)
}

/// Opens a note sealed with [`seal_note`].
pub fn open_note(key: &ReportKey, sealed: &Sealed) -> Result<String> {
    let plain = sealed.open(&*key.note_key()?, NOTE_AAD)?;
    let NotePlain { text } =
        serde_json::from_slice(&plain).map_err(|_| SealError::BadEncoding("note"))?;
    Ok(text)
}

/// Opens one attachment stream of a report, given its entry in the body.
/// [`SealError::Truncated`] when the stream's length does not match the entry's size;
/// [`SealError::Tampered`] when a chunk was changed or moved.
pub fn open_attachment(
    key: &ReportKey,
    entry: &AttachmentEntry,
    ciphertext: &[u8],
) -> Result<Vec<u8>> {
    let salt = fixed::<16>(&entry.salt, "salt")?;
    stream::open(&*key.attachment_key(&salt)?, ciphertext, entry.size)
}
