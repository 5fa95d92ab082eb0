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

pub mod hub;
pub mod upload;
pub mod views;
pub(crate) mod ws;

use hub::{Hub, HubEvent};
use views::{Audience, MessageView};

use crate::error::ApiError;

/// The most writes one transaction takes. Larger batches commit less often but make each
/// sender wait longer; this keeps a batch well under a few milliseconds of work.
pub const MAX_BATCH: usize = 256;
/// How many writes may wait for the writer before senders are made to wait.
const QUEUE: usize = 8192;

/// Per author: sixty messages at once, then ten a second, so one sender cannot flood an inbox.
const SENDS_PER_AUTHOR: crate::ratelimit::Limit =
    crate::ratelimit::Limit::new(60, std::time::Duration::from_millis(100));
/// Per author: ten files at once, then one every six seconds.
const UPLOADS_PER_AUTHOR: crate::ratelimit::Limit =
    crate::ratelimit::Limit::new(10, std::time::Duration::from_secs(6));

/// Refuses (429) an author who sends faster than a person could.
pub fn limit_sends(state: &crate::AppState, author: ketnoi_core::Author) -> Result<(), ApiError> {
    let key = format!("{}:{}", author.kind_str(), author.id());
    crate::signin::limit(state, "chat-send", &key, SENDS_PER_AUTHOR)
}

/// Refuses (429) an author who uploads faster than a person could.
pub fn limit_uploads(state: &crate::AppState, author: ketnoi_core::Author) -> Result<(), ApiError> {
    let key = format!("{}:{}", author.kind_str(), author.id());
    crate::signin::limit(state, "chat-upload", &key, UPLOADS_PER_AUTHOR)
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
    /// also given to `citizen_messages` (the bot's queue).
    pub fn start(
        store: Arc<dyn Store>,
        hub: Arc<dyn Hub>,
        citizen_messages: Option<mpsc::UnboundedSender<crate::bot::Incoming>>,
    ) -> Arc<Self> {
        let (writes, queue) = mpsc::channel(QUEUE);
        let (committed, to_publish) = mpsc::unbounded_channel();
        tokio::spawn(write_loop(store.clone(), queue, committed));
        tokio::spawn(publish_loop(store.clone(), hub.clone(), to_publish, citizen_messages));
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
        Ok(views::staff_frame(item, message.as_ref()))
    }

    /// The citizen frame of a message.
    pub async fn citizen_message_frame(
        &self,
        conversation: &Conversation,
        message: &Message,
    ) -> Result<String, ApiError> {
        let view = self.message_view(message, Audience::Citizen).await?;
        Ok(views::citizen_frame(conversation, Some(&view)))
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
    citizen_messages: Option<mpsc::UnboundedSender<crate::bot::Incoming>>,
) {
    while let Some(outcomes) = committed.recv().await {
        for outcome in outcomes {
            if let (Some(tap), Ok(ChatApplied::Sent { message, conversation, event: Some(_) })) =
                (&citizen_messages, &outcome)
                && matches!(message.author, ketnoi_core::Author::Citizen(_))
            {
                let _ = tap.send((conversation.clone(), message.clone()));
            }
            match event_of(store.as_ref(), outcome).await {
                Ok(Some(event)) => hub.publish(Arc::new(event)),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = ?e, "could not encode a chat event"),
            }
        }
    }
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
        staff_frame: views::staff_frame(&item, staff_view.as_ref()),
        citizen_frame: Some(views::citizen_frame(&item.conversation, citizen_view.as_ref())),
    }))
}
