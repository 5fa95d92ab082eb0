//! ketnoi's domain: the words the rest of the code speaks.
//!
//! Administrative areas and agencies form trees of any depth; agencies own official accounts;
//! staff hold roles on agencies; citizens are known by a phone number and follow accounts.
//! Every value that arrives from outside (a phone number, a slug, an area code, a username) is a
//! newtype whose constructor is the only way in, so code that holds one never checks it again.
//!
//! Authorisation is decided in one place, [`policy`], from one table of role × action.
//!
//! No I/O happens here: storage, HTTP and the command line all depend on this crate, never the
//! other way round.
#![deny(missing_docs)]

mod account;
mod agency;
mod area;
pub mod audit;
pub mod bot;
pub mod chat;
pub mod desk;
mod error;
mod hours;
pub mod inbox;
pub mod integration;
pub mod news;
mod person;
mod phone;
pub mod policy;
mod slug;
mod time;
pub mod tip;

pub use account::{Account, AccountId, AccountKind, NewAccount};
pub use agency::{Agency, AgencyCode, AgencyId, AgencyKind, NewAgency};
pub use area::{Area, AreaCode, AreaLevel};
pub use audit::{Actor, AuditAction};
pub use bot::{BotState, Intent, IntentId, KeywordRule, NewKeywordRule, RuleId, RuleMatch};
pub use chat::{
    Attachment, AttachmentId, Author, Button, ClientMsgId, Content, Conversation, ConversationId,
    ConversationStatus, Message, MessageKind, Note, NoteBody, NoteId, Rating, Side, StoredRating,
    TransferKind,
};
pub use error::InvalidInput;
pub use hours::OfficeHours;
pub use inbox::{
    CannedOwner, CannedReply, CannedReplyId, CannedText, Label, Placeholders, Shortcut,
};
pub use integration::{IntegrationId, Scope, Scopes};
pub use news::{ArticleId, ArticleState, Audience, BroadcastId, BroadcastState, Tag};
pub use person::{Citizen, CitizenId, DisplayName, NewStaff, StaffId, StaffMember, Username};
pub use phone::Phone;
pub use policy::{Action, Grant, Role};
pub use slug::Slug;
pub use time::{Timestamp, VIETNAM_OFFSET};
pub use tip::{ExtensionReason, TipCategory, TipClosing, TipDeadlines, TipStatus};

/// NFC and trimmed, with no other check: for values whose own rules follow.
pub(crate) fn nfc_trimmed(raw: &str) -> String {
    ketnoi_text::nfc(raw.trim())
}

/// Parses free text that must be present: NFC-normalised, trimmed, between `min` and `max`
/// characters. Shared by every text newtype so they all agree on what "too long" means.
pub(crate) fn bounded_text(
    raw: &str,
    field: &'static str,
    min: usize,
    max: usize,
) -> Result<String, InvalidInput> {
    let text = ketnoi_text::nfc(raw.trim());
    let len = text.chars().count();
    if len < min || len > max {
        return Err(InvalidInput::Length { field, min, max });
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(InvalidInput::ControlCharacter { field });
    }
    Ok(text)
}
