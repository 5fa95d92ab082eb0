//! How conversations and messages are shown, to citizens and to officers, in API answers and in
//! WebSocket frames alike.

use ketnoi_core::{Attachment, Author, Button, Conversation, Message};
use ketnoi_store::InboxItem;
use serde::Serialize;
use utoipa::ToSchema;

/// Whose screen a view is for: officers see the citizen's masked number and each other's
/// names; citizens see the account, never which officer answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The conversation's citizen.
    Citizen,
    /// The account's officers.
    Staff,
}

/// A conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    /// Its id.
    pub id: i64,
    /// The id of the account the citizen wrote to.
    pub account: i64,
    /// The id of the account whose inbox holds it (officers only): the account itself, or the
    /// one it was transferred, escalated or sent back to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<i64>,
    /// `open` or `closed`.
    pub status: &'static str,
    /// The newest message's number (0 before any).
    pub last_seq: i64,
    /// When the newest message came, RFC 3339.
    pub last_message_at: String,
    /// The newest message, shortened.
    pub preview: String,
    /// Messages from the other side the viewer has not read.
    pub unread: i64,
    /// How far the viewer's side has read.
    pub read_seq: i64,
    /// How far the other side has read ("seen" marks).
    pub peer_read_seq: i64,
    /// The citizen's masked number (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub citizen_label: Option<String>,
    /// Where the conversation stands with the bot: `active` (the bot answers), `waiting` (handed
    /// to officers), `paused` (an officer has taken it).
    pub bot: &'static str,
    /// The staff member it is assigned to (officers only; absent when nobody).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_id: Option<i64>,
    /// In inbox lists: whether the citizen has waited longer than the account's response target
    /// (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<bool>,
    /// The conversation's labels (officers only, and only where the answer says so: the
    /// inbox lists them; absent elsewhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<String>>,
}

impl ConversationView {
    /// The view for an audience.
    pub fn new(c: &Conversation, audience: Audience) -> Self {
        let (unread, read_seq, peer_read_seq, label, assignee, handler) = match audience {
            Audience::Citizen => {
                (c.citizen_unread, c.citizen_read_seq, c.account_read_seq, None, None, None)
            }
            Audience::Staff => (
                c.account_unread,
                c.account_read_seq,
                c.citizen_read_seq,
                Some(c.citizen_label.clone()),
                c.assignee.map(|s| s.0),
                Some(c.handler.0),
            ),
        };
        Self {
            id: c.id.0,
            account: c.account.0,
            handler,
            status: c.status.as_str(),
            last_seq: c.last_seq,
            last_message_at: c.last_message_at.rfc3339(),
            preview: c.preview.clone(),
            unread,
            read_seq,
            peer_read_seq,
            citizen_label: label,
            bot: c.bot.as_str(),
            assignee_id: assignee,
            overdue: None,
            labels: None,
        }
    }
}

/// An attachment as messages show it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    /// Its id.
    pub id: i64,
    /// Where to fetch it (authorised per conversation).
    pub url: String,
    /// Its media type.
    pub media_type: String,
    /// The file name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Pixel width, for pictures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixel height, for pictures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        Self {
            id: a.id.0,
            url: format!("/api/v1/attachments/{}", a.id.0),
            media_type: a.media_type.clone(),
            name: a.name.clone(),
            size: a.size,
            width: a.dimensions.map(|d| d.0),
            height: a.dimensions.map(|d| d.1),
        }
    }
}

/// A message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    /// The conversation's id.
    pub conversation: i64,
    /// Its number in the conversation.
    pub seq: i64,
    /// `citizen`, `staff`, `account` or `bot`.
    pub author: &'static str,
    /// `citizen` or `account`: the side it came from.
    pub side: &'static str,
    /// The officer's name (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// The sender's id for it.
    pub client_msg_id: String,
    /// `text`, `image`, `file`, `structured`, or `system` (a notice from the platform, such as
    /// where the conversation was transferred).
    pub kind: &'static str,
    /// The text, or caption.
    pub text: String,
    /// The picture or document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentView>,
    /// Buttons under a structured message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub buttons: Vec<Button>,
    /// When the server stored it, RFC 3339.
    pub created_at: String,
}

impl MessageView {
    /// The view for an audience; `attachment` is the message's attachment, looked up.
    pub fn new(m: &Message, attachment: Option<&Attachment>, audience: Audience) -> Self {
        let author_name = match (audience, m.author) {
            (Audience::Staff, Author::Staff(_)) => Some(m.author_name.clone()),
            // Officers see which integration sent what the account's systems wrote.
            (Audience::Staff, Author::Account(_)) if !m.author_name.is_empty() => {
                Some(m.author_name.clone())
            }
            _ => None,
        };
        Self {
            conversation: m.conversation.0,
            seq: m.seq,
            author: m.author.kind_str(),
            side: m.author.side().as_str(),
            author_name,
            client_msg_id: m.client_msg_id.to_string(),
            kind: m.content.kind().as_str(),
            text: m.content.body().to_owned(),
            attachment: attachment.map(AttachmentView::from),
            buttons: m.content.buttons().to_vec(),
            created_at: m.created_at.rfc3339(),
        }
    }
}

/// A message with its conversation, as a send answers.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentView {
    /// The stored message.
    pub message: MessageView,
    /// The conversation after it.
    pub conversation: ConversationView,
}

/// The frame officers' screens receive for an inbox event.
#[derive(Debug, Serialize)]
pub struct StaffFrame<'a> {
    /// Always `event`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The account.
    pub account: i64,
    /// The event's number in the account's inbox.
    pub seq: i64,
    /// `message`, `citizen-read`, `account-read`, `closed`, `reopened`, `assigned`, or
    /// `transferred` (it left this inbox for another account's).
    pub event: &'static str,
    /// The conversation now.
    pub conversation: ConversationView,
    /// The message, for message events.
    pub message: Option<&'a MessageView>,
}

/// The frame citizens' devices receive.
#[derive(Debug, Serialize)]
pub struct CitizenFrame<'a> {
    /// `message` (with a message) or `conversation` (read marks, status).
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The conversation now.
    pub conversation: ConversationView,
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a MessageView>,
}

/// Encodes the staff frame of an inbox item.
pub fn staff_frame(item: &InboxItem, message: Option<&MessageView>) -> String {
    let frame = StaffFrame {
        kind: "event",
        account: item.event.account.0,
        seq: item.event.seq,
        event: item.event.kind.as_str(),
        conversation: ConversationView::new(&item.conversation, Audience::Staff),
        message,
    };
    serde_json::to_string(&frame).unwrap_or_default()
}

/// Encodes the citizen frame of a conversation change or message.
pub fn citizen_frame(conversation: &Conversation, message: Option<&MessageView>) -> String {
    let frame = CitizenFrame {
        kind: if message.is_some() { "message" } else { "conversation" },
        conversation: ConversationView::new(conversation, Audience::Citizen),
        message,
    };
    serde_json::to_string(&frame).unwrap_or_default()
}
