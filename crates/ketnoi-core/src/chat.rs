//! Conversations between citizens and official accounts, and the messages in them.
//!
//! A conversation is one citizen talking with one account; it opens with the citizen's first
//! message and lives for ever after, open or closed. Every message in it carries a sequence
//! number the server assigns: 1, 2, 3… with no gaps, so a client that saw up to `n` knows
//! exactly what it missed. Each account also numbers the events of its inbox (new messages,
//! reads, closes) in a sequence of its own, which is how officers' screens catch up.
//!
//! Clients name each message they send with a [`ClientMsgId`]; sending the same id again returns
//! the message already stored instead of a second copy.

use crate::{AccountId, BotState, CitizenId, InvalidInput, StaffId, Timestamp, error::wire_enum};

/// A conversation's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct ConversationId(pub i64);

/// An uploaded attachment's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct AttachmentId(pub i64);

wire_enum!(
    /// Whether officers still have something to do in a conversation.
    ConversationStatus, "status" {
        /// Waiting for, or in, an exchange.
        Open => "open",
        /// Settled by an officer; the citizen writing again reopens it.
        Closed => "closed",
    }
);

wire_enum!(
    /// What a message holds.
    MessageKind, "kind" {
        /// Text only.
        Text => "text",
        /// A picture, with optional caption.
        Image => "image",
        /// A document, with optional caption.
        File => "file",
        /// Text with buttons, links or quick replies, sent by the account (bot, lookups).
        Structured => "structured",
        /// A notice from the platform itself, shown apart from the exchange: where the
        /// conversation was transferred. Never sent through the API.
        System => "system",
    }
);

wire_enum!(
    /// Where a conversation was handed over to, seen from the account that held it.
    TransferKind, "kind" {
        /// Another account of the same agency.
        Transfer => "transfer",
        /// An account of an agency above.
        Escalate => "escalate",
        /// An account of an agency below.
        Return => "return",
    }
);

wire_enum!(
    /// Which side of a conversation someone is on.
    Side, "side" {
        /// The citizen.
        Citizen => "citizen",
        /// The account: its officers, its bot, its integrations.
        Account => "account",
    }
);

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Author {
    /// The citizen of the conversation.
    Citizen(CitizenId),
    /// An officer of the account.
    Staff(StaffId),
    /// The account itself, through an integration's token.
    Account(AccountId),
    /// The account's automatic assistant.
    Bot,
}

impl Author {
    /// The author kind's word, as stored.
    pub fn kind_str(self) -> &'static str {
        match self {
            Self::Citizen(_) => "citizen",
            Self::Staff(_) => "staff",
            Self::Account(_) => "account",
            Self::Bot => "bot",
        }
    }

    /// The author's id within its kind (0 for the bot).
    pub fn id(self) -> i64 {
        match self {
            Self::Citizen(c) => c.0,
            Self::Staff(s) => s.0,
            Self::Account(a) => a.0,
            Self::Bot => 0,
        }
    }

    /// Rebuilds an author from its stored kind and id.
    pub fn from_parts(kind: &str, id: i64) -> Result<Self, InvalidInput> {
        match kind {
            "citizen" => Ok(Self::Citizen(CitizenId(id))),
            "staff" => Ok(Self::Staff(StaffId(id))),
            "account" => Ok(Self::Account(AccountId(id))),
            "bot" => Ok(Self::Bot),
            _ => Err(InvalidInput::Choice {
                field: "author",
                choices: "citizen, staff, account, bot",
            }),
        }
    }

    /// The side of the conversation the author is on.
    pub fn side(self) -> Side {
        match self {
            Self::Citizen(_) => Side::Citizen,
            _ => Side::Account,
        }
    }
}

/// The id a client gives a message so that sending it twice stores it once: 1–64 ASCII letters,
/// digits, `-` or `_` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// Checks a client's id.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let ok = (1..=64).contains(&raw.len())
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok { Ok(Self(raw.to_owned())) } else { Err(InvalidInput::ClientMsgId) }
    }
}
crate::error::string_newtype!(ClientMsgId);

/// The most characters a message's text may hold.
pub const MAX_TEXT_CHARS: usize = 4000;
/// The most buttons a structured message may carry.
pub const MAX_BUTTONS: usize = 10;

/// A button under a structured message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Button {
    /// Opens a link (an https URL or a path on this site).
    Link {
        /// What the button says.
        label: String,
        /// Where it goes.
        url: String,
    },
    /// Sends `text` as the citizen's next message when pressed.
    Reply {
        /// What the button says.
        label: String,
        /// What pressing it sends.
        text: String,
    },
}

impl Button {
    fn check(&self) -> Result<(), InvalidInput> {
        let (label, other) = match self {
            Self::Link { label, url } => {
                let safe =
                    url.starts_with("https://") || (url.starts_with('/') && !url.starts_with("//"));
                if !safe || url.len() > 2000 || url.chars().any(char::is_whitespace) {
                    return Err(InvalidInput::ButtonUrl);
                }
                (label, None)
            }
            Self::Reply { label, text } => (label, Some(text)),
        };
        crate::bounded_text(label, "button label", 1, 80)?;
        if let Some(text) = other {
            crate::bounded_text(text, "button text", 1, 500)?;
        }
        Ok(())
    }
}

/// What a message says, checked: text within bounds and NFC, an attachment where the kind needs
/// one, buttons only on structured messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    kind: MessageKind,
    text: String,
    attachment: Option<AttachmentId>,
    buttons: Vec<Button>,
}

impl Content {
    /// Plain text: 1–[`MAX_TEXT_CHARS`] characters after trimming.
    pub fn text(raw: &str) -> Result<Self, InvalidInput> {
        let text = message_text(raw, 1)?;
        Ok(Self { kind: MessageKind::Text, text, attachment: None, buttons: Vec::new() })
    }

    /// A picture or document, with an optional caption.
    pub fn attachment(
        kind: MessageKind,
        attachment: AttachmentId,
        caption: &str,
    ) -> Result<Self, InvalidInput> {
        if !matches!(kind, MessageKind::Image | MessageKind::File) {
            return Err(InvalidInput::Choice { field: "kind", choices: "image, file" });
        }
        let text = message_text(caption, 0)?;
        Ok(Self { kind, text, attachment: Some(attachment), buttons: Vec::new() })
    }

    /// Text with buttons.
    pub fn structured(raw: &str, buttons: Vec<Button>) -> Result<Self, InvalidInput> {
        let text = message_text(raw, 1)?;
        if buttons.is_empty() || buttons.len() > MAX_BUTTONS {
            return Err(InvalidInput::Length { field: "buttons", min: 1, max: MAX_BUTTONS });
        }
        let buttons = buttons
            .into_iter()
            .map(|b| {
                b.check()?;
                Ok(match b {
                    Button::Link { label, url } => {
                        Button::Link { label: ketnoi_text::nfc(label.trim()), url }
                    }
                    Button::Reply { label, text } => Button::Reply {
                        label: ketnoi_text::nfc(label.trim()),
                        text: ketnoi_text::nfc(text.trim()),
                    },
                })
            })
            .collect::<Result<_, InvalidInput>>()?;
        Ok(Self { kind: MessageKind::Structured, text, attachment: None, buttons })
    }

    /// A notice from the platform (see [`MessageKind::System`]), checked like text.
    pub fn system(raw: &str) -> Result<Self, InvalidInput> {
        let text = message_text(raw, 1)?;
        Ok(Self { kind: MessageKind::System, text, attachment: None, buttons: Vec::new() })
    }

    /// Rebuilds stored content without checking it again.
    pub fn from_stored(
        kind: MessageKind,
        text: String,
        attachment: Option<AttachmentId>,
        buttons: Vec<Button>,
    ) -> Self {
        Self { kind, text, attachment, buttons }
    }

    /// The kind.
    pub fn kind(&self) -> MessageKind {
        self.kind
    }

    /// The text (the caption, for pictures and documents; may then be empty).
    pub fn body(&self) -> &str {
        &self.text
    }

    /// The attachment, for pictures and documents.
    pub fn attachment_id(&self) -> Option<AttachmentId> {
        self.attachment
    }

    /// The buttons, for structured messages.
    pub fn buttons(&self) -> &[Button] {
        &self.buttons
    }

    /// A one-line summary for conversation lists: the text's start, or the attachment's kind.
    pub fn preview(&self) -> String {
        let line = self.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut preview: String = line.chars().take(PREVIEW_CHARS).collect();
        if line.chars().count() > PREVIEW_CHARS {
            preview.push('…');
        }
        preview
    }
}

/// How many characters of a message a conversation list shows.
pub const PREVIEW_CHARS: usize = 120;

fn message_text(raw: &str, min: usize) -> Result<String, InvalidInput> {
    let text = ketnoi_text::nfc(raw.trim());
    let len = text.chars().count();
    if len < min || len > MAX_TEXT_CHARS {
        return Err(InvalidInput::Length { field: "text", min, max: MAX_TEXT_CHARS });
    }
    // Line breaks and tabs are how people write; other control characters are not.
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')) {
        return Err(InvalidInput::ControlCharacter { field: "text" });
    }
    Ok(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The most characters an internal note may hold.
pub const MAX_NOTE_CHARS: usize = 2000;

/// An internal note's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct NoteId(pub i64);

/// What an officers' internal note says: NFC, trimmed, 1–[`MAX_NOTE_CHARS`] characters, line
/// breaks and tabs kept, no other control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NoteBody(String);

impl NoteBody {
    /// Checks a note's text.
    pub fn parse(raw: &str) -> Result<Self, InvalidInput> {
        let text = ketnoi_text::nfc(raw.trim()).replace("\r\n", "\n").replace('\r', "\n");
        let len = text.chars().count();
        if !(1..=MAX_NOTE_CHARS).contains(&len) {
            return Err(InvalidInput::Length { field: "body", min: 1, max: MAX_NOTE_CHARS });
        }
        if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t')) {
            return Err(InvalidInput::ControlCharacter { field: "body" });
        }
        Ok(Self(text))
    }
}
crate::error::string_newtype!(NoteBody);

/// An officers' internal note on a conversation. Notes are kept apart from the messages and
/// shown only to the staff who handle the conversation, never to its citizen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Its id.
    pub id: NoteId,
    /// The conversation.
    pub conversation: ConversationId,
    /// The officer who wrote it.
    pub author: StaffId,
    /// The officer's display name.
    pub author_name: String,
    /// What it says.
    pub body: NoteBody,
    /// When it was written.
    pub created_at: Timestamp,
}

/// The most characters a citizen's comment on a rating may hold.
pub const MAX_RATING_COMMENT_CHARS: usize = 500;

/// A citizen's rating of a settled conversation: 1–5 stars and an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    /// 1 (poor) to 5 (excellent).
    pub stars: u8,
    /// What the citizen added (NFC, trimmed, at most [`MAX_RATING_COMMENT_CHARS`]; may be empty).
    pub comment: String,
}

impl Rating {
    /// Checks a rating as given.
    pub fn new(stars: i64, comment: &str) -> Result<Self, InvalidInput> {
        if !(1..=5).contains(&stars) {
            return Err(InvalidInput::Choice { field: "stars", choices: "1, 2, 3, 4, 5" });
        }
        let comment = crate::bounded_text(comment, "comment", 0, MAX_RATING_COMMENT_CHARS)?;
        Ok(Self { stars: stars as u8, comment })
    }
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRating {
    /// The conversation.
    pub conversation: ConversationId,
    /// The settlement it rates (when the conversation was closed).
    pub resolved_at: Timestamp,
    /// The account that settled it.
    pub handler: AccountId,
    /// The rating.
    pub rating: Rating,
    /// When it was given.
    pub created_at: Timestamp,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The conversation.
    pub conversation: ConversationId,
    /// Its place in the conversation: 1, 2, 3… without gaps.
    pub seq: i64,
    /// Who wrote it.
    pub author: Author,
    /// The author's name as it was when they wrote (officers' names; empty otherwise).
    pub author_name: String,
    /// The id the sender gave it.
    pub client_msg_id: ClientMsgId,
    /// What it says.
    pub content: Content,
    /// When the server stored it.
    pub created_at: Timestamp,
}

/// A conversation, as lists and headers show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Its id.
    pub id: ConversationId,
    /// The account the citizen wrote to: the conversation is theirs with it for good.
    pub account: AccountId,
    /// The account whose inbox holds it: its own account, or the one it was last transferred,
    /// escalated or sent back to.
    pub handler: AccountId,
    /// The citizen.
    pub citizen: CitizenId,
    /// How officers see the citizen: a masked phone number.
    pub citizen_label: String,
    /// Open or closed.
    pub status: ConversationStatus,
    /// Where it stands with the account's bot: answered by it, waiting for an officer, or
    /// taken over by one.
    pub bot: BotState,
    /// The newest message's sequence number (0 before any).
    pub last_seq: i64,
    /// When the newest message came.
    pub last_message_at: Timestamp,
    /// The newest message, shortened.
    pub preview: String,
    /// The last sequence number the citizen has read.
    pub citizen_read_seq: i64,
    /// The last sequence number an officer has read.
    pub account_read_seq: i64,
    /// Messages from the account the citizen has not read.
    pub citizen_unread: i64,
    /// Messages from the citizen no officer has read.
    pub account_unread: i64,
    /// The officer handling it, once assignment exists.
    pub assignee: Option<StaffId>,
    /// Since when the citizen has been waiting for an answer: their first message since the
    /// last reply, or the bot's hand-off; `None` when nobody is waiting.
    pub waiting_since: Option<Timestamp>,
    /// When an officer (or the account's integration) first answered.
    pub first_response_at: Option<Timestamp>,
    /// When it was last closed; `None` while open.
    pub resolved_at: Option<Timestamp>,
    /// When it opened.
    pub created_at: Timestamp,
}

impl Conversation {
    /// The last sequence number a side has read.
    pub fn read_seq(&self, side: Side) -> i64 {
        match side {
            Side::Citizen => self.citizen_read_seq,
            Side::Account => self.account_read_seq,
        }
    }
}

/// An uploaded file's description. It belongs to one citizen's conversation with one account;
/// only that conversation's parties may fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// Its id.
    pub id: AttachmentId,
    /// Who uploaded it.
    pub uploader: Author,
    /// Its media type, as found in its bytes.
    pub media_type: String,
    /// A picture or a document.
    pub kind: MessageKind,
    /// The file name to offer on download.
    pub name: String,
    /// Its size in bytes, as stored.
    pub size: i64,
    /// Pixel width and height, for pictures.
    pub dimensions: Option<(u32, u32)>,
    /// Where the blob store keeps the bytes.
    pub blob_key: String,
    /// When it was uploaded.
    pub created_at: Timestamp,
}

/// A file name safe to offer for download: NFC, no path, no control or quoting characters, at
/// most 120 characters, never empty.
pub fn safe_file_name(raw: &str, fallback_extension: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = ketnoi_text::nfc(base)
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.');
    if trimmed.is_empty() {
        return format!("tep.{fallback_extension}");
    }
    let count = trimmed.chars().count();
    if count <= 120 {
        return trimmed.to_owned();
    }
    // Keep the extension when shortening.
    let (stem, ext) = trimmed.rsplit_once('.').unwrap_or((trimmed, ""));
    let keep = 120usize.saturating_sub(ext.chars().count() + 1);
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() { stem } else { format!("{stem}.{ext}") }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn client_ids_are_short_and_plain() {
        assert!(ClientMsgId::parse("550e8400-e29b-41d4-a716-446655440000").is_ok());
        assert!(ClientMsgId::parse("a_b-9").is_ok());
        for bad in ["", "có dấu", "a b", "x/y", &"a".repeat(65)] {
            assert_eq!(ClientMsgId::parse(bad), Err(InvalidInput::ClientMsgId), "{bad}");
        }
    }

    #[test]
    fn text_is_trimmed_nfc_and_bounded() {
        let nfd = "Xin cha\u{300}o";
        assert_eq!(Content::text(&format!("  {nfd} \n")).unwrap().body(), "Xin chào");
        assert!(Content::text("   ").is_err());
        assert!(Content::text(&"á".repeat(MAX_TEXT_CHARS)).is_ok());
        assert!(Content::text(&"á".repeat(MAX_TEXT_CHARS + 1)).is_err());
        assert_eq!(Content::text("a\u{7}b"), Err(InvalidInput::ControlCharacter { field: "text" }));
        assert_eq!(Content::text("dòng 1\r\ndòng 2").unwrap().body(), "dòng 1\ndòng 2");
    }

    #[test]
    fn attachments_need_a_picture_or_file_kind_and_allow_no_caption() {
        let c = Content::attachment(MessageKind::Image, AttachmentId(3), "").unwrap();
        assert_eq!(c.attachment_id(), Some(AttachmentId(3)));
        assert!(Content::attachment(MessageKind::Text, AttachmentId(3), "x").is_err());
    }

    #[test]
    fn buttons_must_be_safe_links_or_replies() {
        let ok = Content::structured(
            "Chọn thủ tục",
            vec![
                Button::Link { label: "Tra cứu".into(), url: "/a/x/lookups".into() },
                Button::Reply { label: "Hỏi tiếp".into(), text: "làm căn cước".into() },
            ],
        );
        assert_eq!(ok.unwrap().buttons().len(), 2);
        for url in ["javascript:alert(1)", "//evil.example", "http://plain.example", "/a b"] {
            let bad =
                Content::structured("x", vec![Button::Link { label: "x".into(), url: url.into() }]);
            assert_eq!(bad, Err(InvalidInput::ButtonUrl), "{url}");
        }
        assert!(Content::structured("x", vec![]).is_err());
    }

    #[test]
    fn previews_are_one_short_line() {
        let c = Content::text(&format!("một\nhai {}", "x".repeat(200))).unwrap();
        let p = c.preview();
        assert!(p.starts_with("một hai x"));
        assert_eq!(p.chars().count(), PREVIEW_CHARS + 1);
        assert!(p.ends_with('…'));
    }

    #[test]
    fn authors_round_trip() {
        for a in [Author::Citizen(CitizenId(4)), Author::Staff(StaffId(2)), Author::Bot] {
            assert_eq!(Author::from_parts(a.kind_str(), a.id()).unwrap(), a);
        }
        assert_eq!(Author::Staff(StaffId(1)).side(), Side::Account);
    }

    #[test]
    fn notes_are_trimmed_nfc_and_at_most_two_thousand_characters() {
        let nfd = "Đã gọi lại cho ngươ\u{300}i dân";
        let note = NoteBody::parse(&format!("  {nfd}\r\ndòng 2 \n")).unwrap();
        assert_eq!(note.as_str(), "Đã gọi lại cho người dân\ndòng 2");
        assert!(NoteBody::parse(&"á".repeat(MAX_NOTE_CHARS)).is_ok());
        let too_long = InvalidInput::Length { field: "body", min: 1, max: MAX_NOTE_CHARS };
        assert_eq!(NoteBody::parse(&"á".repeat(MAX_NOTE_CHARS + 1)), Err(too_long.clone()));
        assert_eq!(NoteBody::parse(" \n\t "), Err(too_long));
        assert_eq!(
            NoteBody::parse("a\u{7}b"),
            Err(InvalidInput::ControlCharacter { field: "body" })
        );
    }

    #[test]
    fn download_names_lose_paths_and_dangerous_characters() {
        assert_eq!(safe_file_name("../../etc/passwd", "pdf"), "passwd");
        assert_eq!(safe_file_name("C:\\Users\\an\\Đơn xin.pdf", "pdf"), "Đơn xin.pdf");
        assert_eq!(safe_file_name("a\"b\n.pdf", "pdf"), "ab.pdf");
        assert_eq!(safe_file_name("...", "jpg"), "tep.jpg");
        let long = format!("{}.docx", "d".repeat(300));
        let short = safe_file_name(&long, "docx");
        assert_eq!(short.chars().count(), 120);
        assert!(short.ends_with(".docx"));
    }
}
