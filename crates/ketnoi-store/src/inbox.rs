//! The officers' inbox tools that live apart from messages: labels on conversations, and
//! canned replies.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, CannedOwner, CannedReply, CannedReplyId, CannedText, ConversationId, Label,
    Timestamp,
};

use crate::Result;

/// Labels on conversations, and canned replies. Like notes, they are staff-only and kept in a table of their own,
/// which nothing serving a citizen reads; they make no inbox event.
#[async_trait]
pub trait InboxStore {
    /// A conversation's labels, ordered by key.
    async fn labels(&self, conversation: ConversationId) -> Result<Vec<Label>>;
    /// Replaces a conversation's labels with `labels`, in one transaction; of labels sharing a
    /// key, the first is kept. Returns the labels now on it, ordered by key. How many a
    /// conversation may carry is the caller's rule. [`crate::StoreError::MissingReference`]
    /// when labels are given for a conversation that does not exist.
    async fn set_labels(
        &self,
        conversation: ConversationId,
        labels: &[Label],
    ) -> Result<Vec<Label>>;
    /// The labels of several conversations in one query, by conversation, then key.
    async fn labels_of(
        &self,
        conversations: &[ConversationId],
    ) -> Result<Vec<(ConversationId, Label)>>;
    /// The labels on an account's open conversations (those with a message), one per key, with
    /// how many of them carry it, ordered by key. Where conversations spell a key differently
    /// ("CCCD", "cccd"), the commonest spelling names it.
    async fn labels_in_use(&self, account: AccountId) -> Result<Vec<(Label, i64)>>;
    /// The canned replies of these owners (an account and its agencies, say), in one read.
    async fn canned_replies(&self, owners: &[CannedOwner]) -> Result<Vec<CannedReply>>;
    /// One canned reply.
    async fn canned_reply(&self, id: CannedReplyId) -> Result<Option<CannedReply>>;
    /// Adds a canned reply, unless its owner already keeps `limit` (`Ok(None)`).
    /// [`crate::StoreError::Conflict`] when the owner has one with that shortcut;
    /// [`crate::StoreError::MissingReference`] when the owner does not exist.
    async fn create_canned_reply(
        &self,
        owner: CannedOwner,
        text: &CannedText,
        limit: i64,
        at: Timestamp,
    ) -> Result<Option<CannedReply>>;
    /// Rewrites a canned reply; `Ok(None)` when there is none. [`crate::StoreError::Conflict`]
    /// when its owner has another with that shortcut.
    async fn update_canned_reply(
        &self,
        id: CannedReplyId,
        text: &CannedText,
        at: Timestamp,
    ) -> Result<Option<CannedReply>>;
    /// Deletes a canned reply; `Ok(false)` when there was none.
    async fn delete_canned_reply(&self, id: CannedReplyId) -> Result<bool>;
}
