//! The officers' inbox tools that live apart from messages: labels on conversations.

use async_trait::async_trait;
use ketnoi_core::{AccountId, ConversationId, Label};

use crate::Result;

/// Labels on conversations. Like notes, they are staff-only and kept in a table of their own,
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
}
