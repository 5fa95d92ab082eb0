//! Messaging: the group-commit writer, the fan-out hub, the WebSocket endpoint and the views
//! they share.
//!
//! Every change to a conversation goes through [`Chat::write`], which queues it for the single
//! writer task. The writer takes everything queued (up to [`MAX_BATCH`]), applies it in one
//! transaction with one durable commit, answers each caller, and hands the committed events to
//! the publisher, which encodes their frames once and gives them to the [`hub::Hub`]. A caller is
//! answered only after its write is durable.

use std::sync::Arc;

use ketnoi_core::{AccountId, Attachment, Conversation, Message};
use ketnoi_store::{ChatApplied, ChatOutcome, ChatWrite, InboxEventKind, InboxItem, Store};
use tokio::sync::{mpsc, oneshot};

use crate::features::chat::views::{Audience, MessageView};

use crate::kernel::{
    error::ApiError,
    hub::{Hub, HubEvent},
    push::{Notification, Pusher},
    ratelimit::Limit,
    state::{Kernel, feature_state},
};

/// The most writes one transaction takes. Larger batches commit less often but make each
/// sender wait longer; this keeps a batch well under a few milliseconds of work.
pub const MAX_BATCH: usize = 256;
/// How many writes may wait for the writer before senders are made to wait.
const QUEUE: usize = 8192;
/// How many conversations waiting for automatic assignment may queue up.
const WAITING: usize = 4096;

/// Per author: sixty messages at once, then ten a second, so one sender cannot flood an inbox.
const SENDS_PER_AUTHOR: Limit = Limit::new(60, std::time::Duration::from_millis(100));
/// Per author: ten files at once, then one every six seconds.
const UPLOADS_PER_AUTHOR: Limit = Limit::new(10, std::time::Duration::from_secs(6));

/// Refuses (429) an author who sends faster than a person could.
pub fn limit_sends(kernel: &Kernel, author: ketnoi_core::Author) -> Result<(), ApiError> {
    let key = format!("{}:{}", author.kind_str(), author.id());
    kernel.limit("chat-send", &key, SENDS_PER_AUTHOR)
}

/// Refuses (429) an author who uploads faster than a person could.
pub fn limit_uploads(kernel: &Kernel, author: ketnoi_core::Author) -> Result<(), ApiError> {
    let key = format!("{}:{}", author.kind_str(), author.id());
    kernel.limit("chat-upload", &key, UPLOADS_PER_AUTHOR)
}

/// The answer to a refused write.
pub(crate) fn refused(refusal: ketnoi_store::ChatRefusal) -> ApiError {
    match refusal {
        ketnoi_store::ChatRefusal::NoConversation => ApiError::NotFound("conversation"),
        ketnoi_store::ChatRefusal::ClientIdReused => ApiError::ClientIdReused,
        ketnoi_store::ChatRefusal::BadAttachment => ApiError::Unprocessable("bad-attachment"),
        ketnoi_store::ChatRefusal::NoStaff => ApiError::Unprocessable("assignee-cannot-handle"),
        ketnoi_store::ChatRefusal::NoAccount => ApiError::Unprocessable("transfer-not-allowed"),
        ketnoi_store::ChatRefusal::AlreadyThere => {
            ApiError::Unprocessable("transfer-already-there")
        }
    }
}

/// Refuses ([`ApiError::ReplyStale`]) an officer's reply when someone else on the account's side
/// (another officer, the integration) has answered since `after_seq`, the last message the
/// author saw; `None` skips the check.
pub(crate) async fn check_not_stale(
    store: &dyn Store,
    conversation: &Conversation,
    author: ketnoi_core::Author,
    after_seq: Option<i64>,
) -> Result<(), ApiError> {
    let Some(seen) = after_seq else { return Ok(()) };
    if conversation.last_seq <= seen {
        return Ok(());
    }
    let newer = store
        .messages(conversation.id, ketnoi_store::MessageRange::After { seq: seen, limit: 100 })
        .await?;
    let answered = newer.iter().any(|m| {
        matches!(m.author, ketnoi_core::Author::Staff(_) | ketnoi_core::Author::Account(_))
            && m.author != author
    });
    if answered { Err(ApiError::ReplyStale) } else { Ok(()) }
}

/// What answers citizens in their conversations (the bot), told of every new citizen message
/// once it is committed. It must not block: it queues the message and returns.
pub trait Responder: Send + Sync {
    /// A citizen's message, just committed, in its conversation as it now stands.
    fn consider(&self, conversation: Conversation, message: Message);
}

/// What follows accounts' inbox logs from storage (integrations' webhooks), told cheaply that an
/// account's inbox has new events once they are committed. It must not block: it notes the
/// account and returns; whoever it is reads the events from storage itself.
pub trait InboxWatcher: Send + Sync {
    /// `account`'s inbox has events up to at least `seq`.
    fn inbox_changed(&self, account: AccountId, seq: i64);
}

/// What the messaging routes and pages hold: the kernel and the chat service.
#[derive(Clone)]
pub struct ChatState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The group-commit writer and the fan-out hub.
    pub chat: Arc<Chat>,
}
feature_state!(ChatState);

/// What a message by `author` does to the conversation's bot: an officer's (or an
/// integration's) reply takes the conversation over, so the bot pauses.
pub fn state_after(author: ketnoi_core::Author) -> Option<ketnoi_core::BotState> {
    match author {
        ketnoi_core::Author::Staff(_) | ketnoi_core::Author::Account(_) => {
            Some(ketnoi_core::BotState::Paused)
        }
        ketnoi_core::Author::Citizen(_) | ketnoi_core::Author::Bot => None,
    }
}

/// Which conversations an inbox lists: `person` (those waiting for or taken by an officer) or
/// `bot` (those the bot is handling); anything else is refused.
pub fn parse_handler(raw: Option<&str>) -> Result<Option<bool>, ApiError> {
    match raw.map(str::trim).filter(|h| !h.is_empty()) {
        None => Ok(None),
        Some("bot") => Ok(Some(true)),
        Some("person") => Ok(Some(false)),
        Some(_) => {
            Err(ketnoi_core::InvalidInput::Choice { field: "handler", choices: "bot, person" }
                .into())
        }
    }
}

struct Pending {
    write: ChatWrite,
    reply: oneshot::Sender<Result<ChatOutcome, ()>>,
}

/// The messaging service shared by every handler.
pub struct Chat {
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    writes: mpsc::Sender<Pending>,
    /// Conversations that came to wait for a person with nobody assigned, for whoever assigns
    /// them automatically (taken once, by [`Chat::take_waiting`]).
    waiting: std::sync::Mutex<Option<mpsc::Receiver<Conversation>>>,
}

impl Chat {
    /// Starts the writer and publisher tasks. Every new citizen message, once committed, is
    /// also given to `responder` (the bot); every answer from the account (an officer, an
    /// integration or the bot) is pushed to the citizen's subscribed browsers through `push`.
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<dyn Hub>,
        responder: Option<Arc<dyn Responder>>,
        push: Option<Arc<Pusher>>,
        watcher: Option<Arc<dyn InboxWatcher>>,
    ) -> Arc<Self> {
        let (writes, queue) = mpsc::channel(QUEUE);
        let (committed, to_publish) = mpsc::unbounded_channel();
        let (waiting_tx, waiting) = mpsc::channel(WAITING);
        tokio::spawn(write_loop(store.clone(), queue, committed));
        let publisher = Publisher {
            store: store.clone(),
            hub: hub.clone(),
            responder,
            push,
            watcher,
            waiting: waiting_tx,
        };
        tokio::spawn(publisher.run(to_publish));
        Arc::new(Self { store, hub, writes, waiting: std::sync::Mutex::new(Some(waiting)) })
    }

    /// The open conversations nobody is assigned to that may have come to need an officer (the
    /// citizen wrote, the bot handed them off, another account sent them here), as they are
    /// committed; `None` after the first call.
    pub fn take_waiting(&self) -> Option<mpsc::Receiver<Conversation>> {
        self.waiting.lock().ok().and_then(|mut w| w.take())
    }

    /// Applies one write, durably, together with whatever else is being written at the moment.
    pub async fn write(&self, write: ChatWrite) -> Result<ChatOutcome, ApiError> {
        let (reply, answer) = oneshot::channel();
        let unavailable = || ApiError::Internal(anyhow::anyhow!("the chat writer has stopped"));
        self.writes.send(Pending { write, reply }).await.map_err(|_| unavailable())?;
        match answer.await {
            Ok(Ok(outcome)) => Ok(outcome),
            Ok(Err(())) => Err(ApiError::Internal(anyhow::anyhow!("the chat batch failed"))),
            Err(_) => Err(unavailable()),
        }
    }

    /// The hub connections subscribe to.
    pub fn hub(&self) -> &Arc<dyn Hub> {
        &self.hub
    }

    /// A message as an audience sees it, with its attachment looked up.
    pub async fn message_view(
        &self,
        message: &Message,
        audience: Audience,
    ) -> Result<MessageView, ApiError> {
        message_view(self.store.as_ref(), message, audience).await
    }

    /// The staff frame of an inbox item.
    pub async fn staff_frame(&self, item: &InboxItem) -> Result<String, ApiError> {
        let message = match &item.message {
            Some(m) => Some(self.message_view(m, Audience::Staff).await?),
            None => None,
        };
        Ok(crate::features::chat::views::staff_frame(item, message.as_ref()))
    }

    /// The citizen frame of a message.
    pub async fn citizen_message_frame(
        &self,
        conversation: &Conversation,
        message: &Message,
    ) -> Result<String, ApiError> {
        let view = self.message_view(message, Audience::Citizen).await?;
        Ok(crate::features::chat::views::citizen_frame(conversation, Some(&view)))
    }
}

async fn attachment_of(
    store: &dyn Store,
    message: &Message,
) -> Result<Option<Attachment>, ApiError> {
    match message.content.attachment_id() {
        Some(id) => Ok(store.attachment(id).await?.map(|a| a.attachment)),
        None => Ok(None),
    }
}

async fn message_view(
    store: &dyn Store,
    message: &Message,
    audience: Audience,
) -> Result<MessageView, ApiError> {
    let attachment = attachment_of(store, message).await?;
    Ok(MessageView::new(message, attachment.as_ref(), audience))
}

/// Takes whatever is queued, applies it as one batch, answers, and passes events on.
async fn write_loop(
    store: Arc<dyn Store>,
    mut queue: mpsc::Receiver<Pending>,
    committed: mpsc::UnboundedSender<Vec<ChatOutcome>>,
) {
    let mut pending = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut pending, MAX_BATCH).await > 0 {
        let (writes, replies): (Vec<_>, Vec<_>) =
            pending.drain(..).map(|p| (p.write, p.reply)).unzip();
        match store.apply_chat(&writes).await {
            Ok(outcomes) => {
                let _ = committed.send(outcomes.clone());
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = ?e, writes = writes.len(), "chat batch failed");
                for reply in replies {
                    let _ = reply.send(Err(()));
                }
            }
        }
    }
}

/// What the publishing task holds.
struct Publisher {
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    responder: Option<Arc<dyn Responder>>,
    push: Option<Arc<Pusher>>,
    watcher: Option<Arc<dyn InboxWatcher>>,
    waiting: mpsc::Sender<Conversation>,
}

impl Publisher {
    /// Encodes committed events and gives them to the hub, in commit order.
    async fn run(self, mut committed: mpsc::UnboundedReceiver<Vec<ChatOutcome>>) {
        while let Some(outcomes) = committed.recv().await {
            for outcome in outcomes {
                self.publish(outcome).await;
            }
        }
    }

    async fn publish(&self, outcome: ChatOutcome) {
        let (message, conversation) = match &outcome {
            Ok(ChatApplied::Sent { message, conversation, event: Some(_) })
            | Ok(ChatApplied::Transferred { message, conversation, .. }) => {
                (Some(message), Some(conversation))
            }
            Ok(ChatApplied::Changed { conversation, event: Some(_) }) => (None, Some(conversation)),
            _ => (None, None),
        };
        if let (Some(push), Some(message), Some(conversation)) = (&self.push, message, conversation)
            && message.author.side() == ketnoi_core::Side::Account
        {
            notify_reply(self.store.clone(), push.clone(), conversation, message);
        }
        if let (Some(responder), Some(message), Some(conversation)) =
            (&self.responder, message, conversation)
            && matches!(message.author, ketnoi_core::Author::Citizen(_))
        {
            responder.consider(conversation.clone(), message.clone());
        }
        // What may now need an officer: a citizen's message, a hand-off by the bot, a handover.
        let citizen_wrote =
            message.is_some_and(|m| matches!(m.author, ketnoi_core::Author::Citizen(_)));
        if let Some(c) = conversation
            && c.assignee.is_none()
            && c.status == ketnoi_core::ConversationStatus::Open
            && (citizen_wrote || c.bot == ketnoi_core::BotState::Waiting)
        {
            // Best effort: when nobody takes them (or falls behind), they wait for a person to
            // assign them, as they would without automatic assignment.
            let _ = self.waiting.try_send(c.clone());
        }
        let events = match outcome {
            Ok(ChatApplied::Transferred { message, conversation, event, left }) => vec![
                (
                    InboxItem { event: left, conversation: conversation.clone(), message: None },
                    false,
                ),
                (InboxItem { event, conversation, message: Some(message) }, true),
            ],
            Ok(ChatApplied::Sent { message, conversation, event: Some(event) }) => {
                vec![(InboxItem { event, conversation, message: Some(message) }, true)]
            }
            Ok(ChatApplied::Changed { conversation, event: Some(event) }) => {
                // Assignment is the officers' business alone.
                let citizen = event.kind != InboxEventKind::Assigned;
                vec![(InboxItem { event, conversation, message: None }, citizen)]
            }
            _ => Vec::new(),
        };
        for (item, citizen) in events {
            if let Some(watcher) = &self.watcher {
                watcher.inbox_changed(item.event.account, item.event.seq);
            }
            match event_of(self.store.as_ref(), item, citizen).await {
                Ok(event) => self.hub.publish(Arc::new(event)),
                Err(e) => tracing::warn!(error = ?e, "could not encode a chat event"),
            }
        }
    }
}

/// Pushes an answer to the citizen's browsers, off the publishing path: who sent it (the
/// account's name) and the start of what it says.
fn notify_reply(
    store: Arc<dyn Store>,
    push: Arc<Pusher>,
    conversation: &Conversation,
    message: &Message,
) {
    let (account, citizen) = (conversation.account, conversation.citizen);
    let preview = message.content.preview();
    tokio::spawn(async move {
        let Ok(Some(account)) = store.account(account).await else { return };
        let notification = Notification {
            title: account.display_name.clone(),
            body: crate::kernel::text::shorten(&preview, 180),
            url: format!("/a/{}/chat", account.slug),
            tag: format!("chat-{}", account.slug),
            urgent: false,
        };
        push.notify_citizen(citizen, &notification).await;
    });
}

/// The hub event of an inbox item; `citizen` says whether the citizen's devices get a frame.
async fn event_of(store: &dyn Store, item: InboxItem, citizen: bool) -> Result<HubEvent, ApiError> {
    let (staff_view, citizen_view) = match &item.message {
        Some(m) => {
            let attachment = attachment_of(store, m).await?;
            (
                Some(MessageView::new(m, attachment.as_ref(), Audience::Staff)),
                Some(MessageView::new(m, attachment.as_ref(), Audience::Citizen)),
            )
        }
        None => (None, None),
    };
    Ok(HubEvent {
        account: item.event.account,
        citizen: item.conversation.citizen,
        conversation: item.conversation.id,
        inbox_seq: item.event.seq,
        message_seq: item.message.as_ref().map(|m| m.seq),
        staff_frame: crate::features::chat::views::staff_frame(&item, staff_view.as_ref()),
        citizen_frame: citizen.then(|| {
            crate::features::chat::views::citizen_frame(&item.conversation, citizen_view.as_ref())
        }),
    })
}
