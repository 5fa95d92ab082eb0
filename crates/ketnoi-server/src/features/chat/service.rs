//! Messaging: the group-commit writer, the fan-out hub, the WebSocket endpoint and the views
//! they share.
//!
//! Every change to a conversation goes through [`Chat::write`], which queues it for the single
//! writer task. The writer takes everything queued (up to [`MAX_BATCH`]), applies it in one
//! transaction with one durable commit, answers each caller, and hands the committed events to
//! the publisher, which encodes their frames once and gives them to the [`hub::Hub`]. A caller is
//! answered only after its write is durable.

use std::sync::Arc;

use ketnoi_core::{Attachment, Conversation, Message};
use ketnoi_store::{ChatApplied, ChatOutcome, ChatWrite, InboxItem, Store};
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

/// What answers citizens in their conversations (the bot), told of every new citizen message
/// once it is committed. It must not block: it queues the message and returns.
pub trait Responder: Send + Sync {
    /// A citizen's message, just committed, in its conversation as it now stands.
    fn consider(&self, conversation: Conversation, message: Message);
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
    ) -> Arc<Self> {
        let (writes, queue) = mpsc::channel(QUEUE);
        let (committed, to_publish) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(store.clone(), queue, committed));
        tokio::spawn(publish_loop(store.clone(), hub.clone(), to_publish, responder, push));
        Arc::new(Self { store, hub, writes })
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

/// Encodes committed events and gives them to the hub, in commit order.
async fn publish_loop(
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    mut committed: mpsc::UnboundedReceiver<Vec<ChatOutcome>>,
    responder: Option<Arc<dyn Responder>>,
    push: Option<Arc<Pusher>>,
) {
    while let Some(outcomes) = committed.recv().await {
        for outcome in outcomes {
            if let (Some(push), Ok(ChatApplied::Sent { message, conversation, event: Some(_) })) =
                (&push, &outcome)
                && message.author.side() == ketnoi_core::Side::Account
            {
                notify_reply(store.clone(), push.clone(), conversation, message);
            }
            if let (
                Some(responder),
                Ok(ChatApplied::Sent { message, conversation, event: Some(_) }),
            ) = (&responder, &outcome)
                && matches!(message.author, ketnoi_core::Author::Citizen(_))
            {
                responder.consider(conversation.clone(), message.clone());
            }
            match event_of(store.as_ref(), outcome).await {
                Ok(Some(event)) => hub.publish(Arc::new(event)),
                Ok(None) => {}
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

async fn event_of(store: &dyn Store, outcome: ChatOutcome) -> Result<Option<HubEvent>, ApiError> {
    let (conversation, event, message) = match outcome {
        Ok(ChatApplied::Sent { message, conversation, event: Some(event) }) => {
            (conversation, event, Some(message))
        }
        Ok(ChatApplied::Changed { conversation, event: Some(event) }) => {
            (conversation, event, None)
        }
        _ => return Ok(None),
    };
    let (staff_view, citizen_view) = match &message {
        Some(m) => {
            let attachment = attachment_of(store, m).await?;
            (
                Some(MessageView::new(m, attachment.as_ref(), Audience::Staff)),
                Some(MessageView::new(m, attachment.as_ref(), Audience::Citizen)),
            )
        }
        None => (None, None),
    };
    let item = InboxItem { event, conversation, message };
    Ok(Some(HubEvent {
        account: item.conversation.account,
        citizen: item.conversation.citizen,
        conversation: item.conversation.id,
        inbox_seq: item.event.seq,
        message_seq: item.message.as_ref().map(|m| m.seq),
        staff_frame: crate::features::chat::views::staff_frame(&item, staff_view.as_ref()),
        citizen_frame: Some(crate::features::chat::views::citizen_frame(
            &item.conversation,
            citizen_view.as_ref(),
        )),
    }))
}
