//! Conversations, messages, inbox events, attachments and officers' notes.
//!
//! [`crate::ChatStore::apply_chat`] is the hot path: the server gathers every concurrent send
//! into one batch, and the batch costs one transaction and one durable commit. Within it each
//! conversation and each account's inbox head is read (and, on PostgreSQL, locked) once; sequence
//! numbers are handed out in memory; messages and events go in as multi-row inserts; each touched
//! conversation is written back once. The bookkeeping that needs no database lives here, in
//! [`Batch`]; the batch's statements are in `chat_write.rs` and the [`crate::ChatStore`]
//! implementation (the batch's entry point, and every read) in `chat_store.rs`, both as macros
//! expanded once per backend.

use std::collections::HashMap;

use ketnoi_core::{
    AccountId, Author, BotState, CitizenId, ClientMsgId, Content, Conversation, ConversationId,
    ConversationStatus, Message, MessageKind, Side, Timestamp,
};

use crate::{ChatApplied, ChatRefusal, InboxEvent, InboxEventKind};

/// The columns read for a [`Conversation`].
pub(crate) const CONVERSATION_COLUMNS: &str = "id, account_id, handler_id, citizen_id, \
     citizen_label, status, bot_state, last_seq, last_message_at, preview, citizen_read_seq, account_read_seq, citizen_unread, \
     account_unread, assignee_id, waiting_since, first_response_at, resolved_at, created_at";
/// The columns read for a [`Message`].
pub(crate) const MESSAGE_COLUMNS: &str = "conversation_id, seq, author_kind, author_id, \
     author_name, client_msg_id, kind, body, attachment_id, buttons, created_at";
/// The columns written for a message, in the order [`message_values`] binds them.
pub(crate) const MESSAGE_INSERT_COLUMNS: &str = "conversation_id, seq, author_kind, author_id, \
     author_name, client_msg_id, kind, body, attachment_id, buttons, search_key, created_at";
/// The columns read for an attachment.
pub(crate) const ATTACHMENT_COLUMNS: &str = "id, account_id, citizen_id, author_kind, author_id, \
     media_type, kind, name, size, width, height, blob_key, created_at";
/// The columns read for a [`ketnoi_core::Note`], from the notes aliased `n` joined with their
/// authors aliased `s`.
pub(crate) const NOTE_COLUMNS: &str = "n.id, n.conversation_id, n.author_id, \
     s.display_name AS author_name, n.body, n.created_at";
/// The columns of an inbox event.
pub(crate) const EVENT_COLUMNS: &str =
    "account_id, seq, conversation_id, kind, message_seq, created_at";

/// Multi-row statements are cut into chunks of these sizes, so that each connection prepares a
/// handful of statements rather than one per batch length. Chunks stay small because binding a
/// parameter costs time proportional to the statement's parameter count in sqlx's SQLite driver.
pub(crate) const CHUNKS: [usize; 3] = [32, 8, 1];

/// Splits `n` rows into [`CHUNKS`]-sized pieces, largest first.
pub(crate) fn chunk_sizes(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for size in CHUNKS {
        while n >= size {
            out.push(size);
            n -= size;
        }
    }
    out
}

/// `$1, $2, …` for an `IN` list.
pub(crate) fn list(n: usize) -> String {
    (1..=n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` placeholders.
pub(crate) fn placeholders(rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(r * cols + c + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// A message's buttons as stored: JSON, or NULL when it has none.
pub(crate) fn buttons_json(content: &Content) -> Option<String> {
    if content.buttons().is_empty() { None } else { serde_json::to_string(content.buttons()).ok() }
}

/// The preview a conversation list shows for a message.
pub(crate) fn preview(content: &Content) -> String {
    let text = content.preview();
    match (content.kind(), text.is_empty()) {
        (MessageKind::Image, true) => "📷".to_owned(),
        (MessageKind::File, true) => "📎".to_owned(),
        (MessageKind::Image, false) => format!("📷 {text}"),
        (MessageKind::File, false) => format!("📎 {text}"),
        _ => text,
    }
}

/// The idempotency key of a message: who sent it where, under which client id.
type SendKey = (ConversationId, &'static str, i64, ClientMsgId);

/// What a batch has decided so far, before it reaches the database.
#[derive(Default)]
pub(crate) struct Batch {
    /// Every conversation the batch touched, as it will be written back.
    pub convs: HashMap<ConversationId, (Conversation, bool)>,
    /// Citizen-and-account pairs already resolved to a conversation.
    pub pairs: HashMap<(AccountId, CitizenId), ConversationId>,
    /// Inbox heads read so far: the last number handed out, and whether it moved.
    pub heads: HashMap<AccountId, (i64, bool)>,
    /// Messages waiting to be inserted, with their search keys.
    pub messages: Vec<(Message, String)>,
    /// Where each waiting message sits in `messages`, by idempotency key.
    pub keys: HashMap<SendKey, usize>,
    /// Events waiting to be inserted.
    pub events: Vec<InboxEvent>,
    /// Conversation ids looked up before the batch ran (found or not).
    pub looked_up: std::collections::HashSet<ConversationId>,
    /// Citizen-and-account pairs looked up before the batch ran (found or not).
    pub looked_up_pairs: std::collections::HashSet<(AccountId, CitizenId)>,
    /// Conversations this batch opened: nothing was stored in them before.
    pub fresh: std::collections::HashSet<ConversationId>,
    /// Idempotency keys looked up before the batch ran, and the messages found under them.
    pub checked: HashMap<SendKey, Option<Message>>,
}

impl Batch {
    pub(crate) fn key(conv: ConversationId, author: Author, id: &ClientMsgId) -> SendKey {
        (conv, author.kind_str(), author.id(), id.clone())
    }

    /// Answers a send whose key is already taken, by a waiting or stored message.
    pub(crate) fn replay(
        existing: &Message,
        content: &Content,
        conversation: &Conversation,
    ) -> Result<ChatApplied, ChatRefusal> {
        if existing.content == *content {
            Ok(ChatApplied::Sent {
                message: existing.clone(),
                conversation: conversation.clone(),
                event: None,
            })
        } else {
            Err(ChatRefusal::ClientIdReused)
        }
    }

    /// Hands out the next number of an account's inbox (whose head must be loaded).
    pub(crate) fn next_event(
        &mut self,
        account: AccountId,
        conversation: ConversationId,
        kind: InboxEventKind,
        message_seq: i64,
        at: Timestamp,
    ) -> InboxEvent {
        let head = self.heads.entry(account).or_insert((0, false));
        head.0 += 1;
        head.1 = true;
        let event = InboxEvent { account, seq: head.0, conversation, kind, message_seq, at };
        self.events.push(event);
        event
    }

    /// Stores a new message in a loaded conversation: numbers it, updates the conversation's
    /// counters, preview and bot state, and makes its inbox event.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append(
        &mut self,
        conv_id: ConversationId,
        author: Author,
        author_name: &str,
        client_msg_id: &ClientMsgId,
        content: &Content,
        at: Timestamp,
        bot: Option<BotState>,
    ) -> Option<ChatApplied> {
        let (conv, dirty) = self.convs.get_mut(&conv_id)?;
        *dirty = true;
        if let Some(state) = bot {
            conv.bot = state;
        }
        // The response clock: the citizen waits from their first unanswered message (or the
        // bot's hand-off, or a handover) until an officer or integration answers.
        match author {
            Author::Citizen(_) => {
                conv.waiting_since.get_or_insert(at);
                conv.resolved_at = None;
            }
            Author::Staff(_) | Author::Account(_) => {
                conv.waiting_since = None;
                conv.first_response_at.get_or_insert(at);
            }
            Author::Bot if conv.bot == BotState::Waiting => {
                conv.waiting_since.get_or_insert(at);
            }
            Author::Bot => conv.waiting_since = None,
        }
        conv.last_seq += 1;
        let seq = conv.last_seq;
        conv.last_message_at = at;
        conv.preview = preview(content);
        // Writing means having read what came before.
        match author.side() {
            Side::Citizen => {
                conv.account_unread += 1;
                conv.citizen_read_seq = seq;
                conv.citizen_unread = 0;
                conv.status = ConversationStatus::Open;
            }
            Side::Account => {
                conv.citizen_unread += 1;
                conv.account_read_seq = seq;
                conv.account_unread = 0;
            }
        }
        let conversation = conv.clone();
        let message = Message {
            conversation: conv_id,
            seq,
            author,
            author_name: author_name.to_owned(),
            client_msg_id: client_msg_id.clone(),
            content: content.clone(),
            created_at: at,
        };
        let event =
            self.next_event(conversation.handler, conv_id, InboxEventKind::Message, seq, at);
        self.keys.insert(Self::key(conv_id, author, client_msg_id), self.messages.len());
        self.messages.push((message.clone(), ketnoi_text::search_key(content.body())));
        Some(ChatApplied::Sent { message, conversation, event: Some(event) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_with_few_statement_shapes() {
        for n in 0..600 {
            let sizes = chunk_sizes(n);
            assert_eq!(sizes.iter().sum::<usize>(), n);
            assert!(sizes.windows(2).all(|w| w[0] >= w[1]));
        }
        assert_eq!(chunk_sizes(170), vec![32, 32, 32, 32, 32, 8, 1, 1]);
    }

    #[test]
    fn placeholders_number_rows_then_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
    }
}
