//! What storage knows about conversations: the writes it applies in batches, and what it
//! answers.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, Attachment, AttachmentId, Author, BotState, CitizenId, ClientMsgId, Content,
    Conversation, ConversationId, ConversationStatus, Message, MessageKind, Note, NoteBody, Side,
    StaffId, Timestamp, TransferKind,
};

use crate::Result;

/// Where a message goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// An existing conversation.
    Conversation(ConversationId),
    /// The author's (a citizen's) conversation with an account, opened if this is their first
    /// message; `citizen_label` is how officers will see them.
    Account {
        /// The account.
        account: AccountId,
        /// The masked phone number officers see.
        citizen_label: String,
    },
    /// A citizen's conversation with an account, opened if there is none, written by the
    /// account's side (the bot welcoming a new follower). A citizen author is refused with
    /// [`ChatRefusal::NoConversation`]: citizens write through [`Recipient::Account`].
    Open {
        /// The account.
        account: AccountId,
        /// The citizen.
        citizen: CitizenId,
        /// The masked phone number officers see, if the conversation is opened.
        citizen_label: String,
    },
}

/// One write to conversations. A batch of them is applied in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatWrite {
    /// Stores a message, unless the author already sent one with this client id.
    Send {
        /// Where to.
        to: Recipient,
        /// Who writes.
        author: Author,
        /// The author's name to keep with the message (officers), or empty.
        author_name: String,
        /// The sender's id for it.
        client_msg_id: ClientMsgId,
        /// What it says.
        content: Content,
        /// When.
        at: Timestamp,
        /// The conversation's new bot state, set with the message (an officer's reply pauses
        /// the bot, the bot's hand-off waits for an officer); `None` leaves it. A repeated
        /// send changes nothing, this included.
        bot: Option<BotState>,
    },
    /// Records that one side has read up to `seq`.
    Read {
        /// The conversation.
        conversation: ConversationId,
        /// Who read.
        side: Side,
        /// Up to where.
        seq: i64,
        /// When.
        at: Timestamp,
    },
    /// Closes or reopens a conversation. Closing also hands it back to the bot (its state
    /// becomes [`BotState::Active`]), even when it was already closed; reopening leaves the
    /// bot's state as it is.
    SetStatus {
        /// The conversation.
        conversation: ConversationId,
        /// The new status.
        status: ConversationStatus,
        /// When.
        at: Timestamp,
    },
    /// Sets where the conversation stands with the bot. It makes no inbox event.
    SetBot {
        /// The conversation.
        conversation: ConversationId,
        /// The new state.
        state: BotState,
        /// When.
        at: Timestamp,
    },
    /// Assigns the conversation to an officer, or to nobody, with an
    /// [`InboxEventKind::Assigned`] event when that changes anything. Whether the officer may
    /// handle it is the caller's business; an officer who does not exist is refused with
    /// [`ChatRefusal::NoStaff`].
    Assign {
        /// The conversation.
        conversation: ConversationId,
        /// The officer, or nobody.
        assignee: Option<StaffId>,
        /// Leave a conversation someone already has alone (automatic assignment never takes
        /// one from an officer).
        only_if_unassigned: bool,
        /// When.
        at: Timestamp,
    },
    /// Hands the conversation over to another account's inbox: see [`Transfer`].
    Transfer(Transfer),
}

/// A conversation handed over to another account. In one step: the receiving account's inbox
/// holds it (open, waiting for a person, assigned to `assignee`), the citizen gets `notice` as a
/// system message (an inbox message event on the receiving side), the sending side's inbox gets
/// an [`InboxEventKind::TransferredOut`] event, and the handover is recorded. Who may send it
/// where is the caller's business; the store refuses only a conversation already there
/// ([`ChatRefusal::AlreadyThere`]) and an account or officer that does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// The conversation.
    pub conversation: ConversationId,
    /// The receiving account.
    pub to: AccountId,
    /// Across, up or down the agency tree.
    pub kind: TransferKind,
    /// The officer who sent it, if an officer did.
    pub by: Option<StaffId>,
    /// The officer's word to the receiving side (staff only; may be empty).
    pub reason: String,
    /// Whether the sending side keeps reading the conversation.
    pub keep_read: bool,
    /// The system message telling the citizen where the conversation went.
    pub notice: Content,
    /// Whom it is assigned to on arrival (round-robin), or nobody.
    pub assignee: Option<StaffId>,
    /// When.
    pub at: Timestamp,
}

/// A handover, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// The conversation.
    pub conversation: ConversationId,
    /// The account that held it.
    pub from: AccountId,
    /// The account it went to.
    pub to: AccountId,
    /// Across, up or down.
    pub kind: TransferKind,
    /// The officer who sent it, if an officer did and still exists.
    pub by: Option<StaffId>,
    /// The officer's word to the receiving side.
    pub reason: String,
    /// Whether the sending side kept reading it.
    pub keep_read: bool,
    /// The system message's number in the conversation.
    pub message_seq: i64,
    /// When.
    pub at: Timestamp,
}

/// What happened in an account's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InboxEventKind {
    /// A message arrived (from either side).
    Message,
    /// The citizen read up to a message.
    CitizenRead,
    /// An officer read up to a message.
    AccountRead,
    /// An officer closed the conversation.
    Closed,
    /// The conversation was reopened.
    Reopened,
    /// It was assigned to an officer, or to nobody.
    Assigned,
    /// It left this inbox for another account's (its new handler).
    TransferredOut,
}

impl InboxEventKind {
    /// The kind's word, as stored and sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::CitizenRead => "citizen-read",
            Self::AccountRead => "account-read",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
            Self::Assigned => "assigned",
            Self::TransferredOut => "transferred",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [
            Self::Message,
            Self::CitizenRead,
            Self::AccountRead,
            Self::Closed,
            Self::Reopened,
            Self::Assigned,
            Self::TransferredOut,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The read event for a side.
    pub fn read_by(side: Side) -> Self {
        match side {
            Side::Citizen => Self::CitizenRead,
            Side::Account => Self::AccountRead,
        }
    }
}

/// One numbered event of an account's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InboxEvent {
    /// The account.
    pub account: AccountId,
    /// Its number in the account's inbox: 1, 2, 3… without gaps.
    pub seq: i64,
    /// The conversation it is about.
    pub conversation: ConversationId,
    /// What happened.
    pub kind: InboxEventKind,
    /// The message's sequence number (for messages and reads), else 0.
    pub message_seq: i64,
    /// When.
    pub at: Timestamp,
}

/// What a write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatApplied {
    /// A message was stored, or had been (`duplicate`), in which case nothing changed and
    /// `event` is `None`.
    Sent {
        /// The stored message.
        message: Message,
        /// The conversation after the write.
        conversation: Conversation,
        /// The inbox event it made.
        event: Option<InboxEvent>,
    },
    /// A read, status, bot or assignment change, with its event; `None` when it changed
    /// nothing (already read that far, already closed) and for bot changes, which make no event.
    Changed {
        /// The conversation after the write.
        conversation: Conversation,
        /// The inbox event it made.
        event: Option<InboxEvent>,
    },
    /// A conversation was handed over.
    Transferred {
        /// The system message the citizen sees.
        message: Message,
        /// The conversation after the write (its `handler` the receiving account).
        conversation: Conversation,
        /// The message's event, in the receiving account's inbox.
        event: InboxEvent,
        /// The event in the sending account's inbox.
        left: InboxEvent,
    },
}

/// Why one write of a batch was refused; the rest of the batch is unaffected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChatRefusal {
    /// No such conversation, the author is not its citizen, or the author may not open it
    /// this way.
    #[error("no such conversation")]
    NoConversation,
    /// The client id was used before for a different message.
    #[error("client_msg_id already used for a different message")]
    ClientIdReused,
    /// The attachment does not exist, belongs to another conversation or author, or is of
    /// another kind.
    #[error("attachment not usable here")]
    BadAttachment,
    /// The officer to assign does not exist.
    #[error("no such staff member")]
    NoStaff,
    /// The account to hand the conversation to does not exist.
    #[error("no such account")]
    NoAccount,
    /// The conversation is already in that account's inbox.
    #[error("the conversation is already there")]
    AlreadyThere,
}

/// One write's result.
pub type ChatOutcome = std::result::Result<ChatApplied, ChatRefusal>;

/// A page of a conversation's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRange {
    /// The newest `limit`.
    Latest {
        /// How many.
        limit: i64,
    },
    /// Up to `limit` messages after `seq`, oldest first (catching up).
    After {
        /// After this one.
        seq: i64,
        /// How many.
        limit: i64,
    },
    /// Up to `limit` messages before `seq` (loading older history).
    Before {
        /// Before this one.
        seq: i64,
        /// How many.
        limit: i64,
    },
}

/// An officer's view of an account's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxQuery {
    /// The account whose inbox it is (the conversations' handler).
    pub account: AccountId,
    /// Open or closed conversations.
    pub status: ConversationStatus,
    /// Words every listed conversation must contain, in a message or the citizen's masked
    /// number, with or without diacritics.
    pub text: Option<String>,
    /// `Some(true)`: only conversations the bot is handling ([`BotState::Active`]);
    /// `Some(false)`: only those that need a person (waiting or taken over); `None`: both.
    pub bot: Option<bool>,
    /// Only the conversations assigned to one officer, or to nobody; `None`: all.
    pub assignee: Option<AssigneeFilter>,
    /// Only those whose citizen has been waiting since before this instant (overdue, when it
    /// is the response target counted back in working time from now).
    pub waiting_before: Option<Timestamp>,
    /// Only the conversations carrying this label, matched on its folded form (lowercase, no
    /// diacritics: `cu tru` finds "cư trú"); `None`: all.
    pub label: Option<String>,
    /// Continue after this conversation (its last message time and id), newest first.
    pub before: Option<(Timestamp, ConversationId)>,
    /// Page size.
    pub limit: i64,
}

/// Whose conversations an inbox view lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Those assigned to this officer.
    Staff(StaffId),
    /// Those assigned to nobody.
    Nobody,
}

/// How many open conversations (with at least one message) each inbox view of an account
/// lists, for one officer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InboxCounts {
    /// Every open conversation.
    pub open: i64,
    /// Those that need a person (the bot handed them off, or an officer took them).
    pub need_person: i64,
    /// Those assigned to the officer.
    pub mine: i64,
    /// Those assigned to nobody.
    pub unassigned: i64,
    /// Those assigned to nobody that need a person.
    pub unassigned_need_person: i64,
    /// Those whose citizen has been waiting since before the cut-off asked for.
    pub overdue: i64,
    /// Those of them that need a person.
    pub overdue_need_person: i64,
}

/// How an account's inbox works: automatic assignment, the working week, the response target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxSettings {
    /// Conversations needing a person are assigned in turn to the officers on duty.
    pub auto_assign: bool,
    /// The account's working week.
    pub office_hours: ketnoi_core::OfficeHours,
    /// How soon, in working minutes, a citizen waiting should be answered.
    pub response_target_minutes: i64,
}

impl Default for InboxSettings {
    fn default() -> Self {
        Self {
            auto_assign: false,
            office_hours: ketnoi_core::OfficeHours::default(),
            response_target_minutes: 240,
        }
    }
}

/// An inbox event with what a screen needs to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
    /// The event.
    pub event: InboxEvent,
    /// The conversation as it is now.
    pub conversation: Conversation,
    /// The message, for message events.
    pub message: Option<Message>,
}

/// An attachment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttachment {
    /// The account of the conversation.
    pub account: AccountId,
    /// The citizen of the conversation.
    pub citizen: CitizenId,
    /// Who uploaded it.
    pub uploader: Author,
    /// Its media type.
    pub media_type: String,
    /// A picture or a document.
    pub kind: MessageKind,
    /// The download name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Pixel size, for pictures.
    pub dimensions: Option<(u32, u32)>,
    /// Where the bytes are.
    pub blob_key: String,
    /// When.
    pub at: Timestamp,
}

/// An attachment and the conversation pair it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// The attachment.
    pub attachment: Attachment,
    /// The account of its conversation.
    pub account: AccountId,
    /// The citizen of its conversation.
    pub citizen: CitizenId,
}

/// Conversations and messages.
#[async_trait]
pub trait ChatStore {
    /// Applies writes in one transaction and one durable commit (group commit: the server
    /// gathers concurrent senders into one batch). Writes are applied in order, each seeing the
    /// ones before it; a refused write changes nothing. `Err` means the whole batch failed and
    /// nothing was stored.
    async fn apply_chat(&self, batch: &[ChatWrite]) -> Result<Vec<ChatOutcome>>;
    /// One conversation.
    async fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>>;
    /// A citizen's conversation with an account, if they have written.
    async fn conversation_between(
        &self,
        account: AccountId,
        citizen: CitizenId,
    ) -> Result<Option<Conversation>>;
    /// A citizen's conversations, most recent first.
    async fn citizen_conversations(
        &self,
        citizen: CitizenId,
        limit: i64,
    ) -> Result<Vec<Conversation>>;
    /// An account's conversations, most recent first.
    async fn inbox(&self, query: &InboxQuery) -> Result<Vec<Conversation>>;
    /// A page of messages, oldest first.
    async fn messages(
        &self,
        conversation: ConversationId,
        range: MessageRange,
    ) -> Result<Vec<Message>>;
    /// An account's inbox events after `seq`, oldest first, up to `limit`.
    async fn inbox_events_after(
        &self,
        account: AccountId,
        seq: i64,
        limit: i64,
    ) -> Result<Vec<InboxItem>>;
    /// The account's newest inbox event number, and the oldest still kept (events are pruned
    /// after a while; a client further behind must reload).
    async fn inbox_bounds(&self, account: AccountId) -> Result<(i64, i64)>;
    /// Removes inbox events older than `before`; returns how many went.
    async fn prune_inbox_events(&self, before: Timestamp) -> Result<u64>;
    /// Records an uploaded file.
    async fn create_attachment(&self, attachment: &NewAttachment) -> Result<Attachment>;
    /// An attachment and its conversation pair.
    async fn attachment(&self, id: AttachmentId) -> Result<Option<StoredAttachment>>;
    /// Adds an officer's internal note to a conversation. Notes live apart from messages: they
    /// make no inbox event, change no counter or preview, and no message read returns them.
    /// [`crate::StoreError::MissingReference`] when the conversation or the officer does not
    /// exist.
    async fn add_note(
        &self,
        conversation: ConversationId,
        author: StaffId,
        body: &NoteBody,
        at: Timestamp,
    ) -> Result<Note>;
    /// A conversation's newest `limit` internal notes, oldest first, with their authors' names.
    async fn notes(&self, conversation: ConversationId, limit: i64) -> Result<Vec<Note>>;
    /// Records a citizen's rating of a conversation's settlement at `resolved_at`, by the
    /// account `handler`; [`crate::StoreError::Conflict`] when that settlement was rated already.
    async fn rate(
        &self,
        conversation: ConversationId,
        resolved_at: Timestamp,
        handler: AccountId,
        rating: &ketnoi_core::Rating,
        at: Timestamp,
    ) -> Result<ketnoi_core::StoredRating>;
    /// A conversation's ratings, oldest first.
    async fn ratings(&self, conversation: ConversationId)
    -> Result<Vec<ketnoi_core::StoredRating>>;
    /// A conversation's handovers, oldest first.
    async fn transfers(&self, conversation: ConversationId) -> Result<Vec<TransferRecord>>;
    /// How an account's inbox works; `None` when there is no such account.
    async fn inbox_settings(&self, account: AccountId) -> Result<Option<InboxSettings>>;
    /// Changes how an account's inbox works; [`crate::StoreError::NotFound`] when there is no
    /// such account.
    async fn set_inbox_settings(&self, account: AccountId, settings: &InboxSettings) -> Result<()>;
    /// The next officer in turn on an account: the first of `candidates` (ascending ids) after
    /// the one chosen last time, wrapping round; remembered for next time. `None` when there are
    /// no candidates.
    async fn next_in_turn(
        &self,
        account: AccountId,
        candidates: &[StaffId],
    ) -> Result<Option<StaffId>>;
    /// How many open conversations each inbox view of an account lists, `staff` being the
    /// officer whose "assigned to me" is counted and `overdue_before` the cut-off of the
    /// overdue ones.
    async fn inbox_counts(
        &self,
        account: AccountId,
        staff: StaffId,
        overdue_before: Timestamp,
    ) -> Result<InboxCounts>;
}
