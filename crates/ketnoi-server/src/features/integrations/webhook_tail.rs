//! Producing webhook events: each endpoint that is on follows its account's inbox log.
//!
//! The chat writer is not touched. The inbox log (`inbox_events`) is already durable, numbered
//! without gaps and written in the message's own transaction; each endpoint keeps a cursor in
//! it. [`WebhookTail`] reads the events after the cursor, turns those the endpoint asked for
//! into webhook events (bodies fixed now), and records them with their delivery jobs in the
//! transaction that moves the cursor by compare-and-set. A crash before that commit loses
//! nothing (the cursor did not move; the next pass reads the same events); a node whose
//! compare-and-set fails records nothing, so no event is recorded twice however many nodes
//! tail. The publisher wakes the tail through [`InboxWatcher`] when an account with an
//! endpoint has new events; a sweep every few seconds picks up what other nodes wrote.
//!
//! Follows and unfollows are not in the inbox log: they are recorded as they happen
//! ([`WebhookTail::follow_changed`]), after the follow itself is stored.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, RwLock},
};

use ketnoi_core::{AccountId, Author, CitizenId, MessageKind, Timestamp};
use ketnoi_store::{InboxEventKind, InboxItem, Integration, NewWebhookEvent, Webhook};
use tokio::sync::Notify;

use crate::{
    features::{
        chat::service::InboxWatcher,
        integrations::{
            service,
            webhooks::{self, Attached, Happening, Party},
        },
    },
    kernel::{error::ApiError, jobs::Jobs, state::Kernel},
};

/// How many inbox events one pass reads at a time.
const PAGE: i64 = 500;

/// What the chat publisher tells the tail: which accounts' inboxes moved. Made before the
/// tail (the chat service starts first) and shared with it.
#[derive(Default)]
pub struct InboxSignal {
    /// Accounts whose inbox moved since the last pass.
    touched: Mutex<HashSet<AccountId>>,
    wake: Notify,
    /// Accounts with an endpoint that is on, as of the last sweep or change on this node.
    active: RwLock<HashSet<AccountId>>,
}

impl InboxWatcher for InboxSignal {
    fn inbox_changed(&self, account: AccountId, _seq: i64) {
        let watched = self.active.read().is_ok_and(|a| a.contains(&account));
        if watched && let Ok(mut touched) = self.touched.lock() {
            touched.insert(account);
            self.wake.notify_one();
        }
    }
}

/// Follows the inbox logs of accounts with an endpoint that is on.
pub struct WebhookTail {
    kernel: Kernel,
    /// Wakes the delivery runner.
    deliveries: Arc<Jobs>,
    signal: Arc<InboxSignal>,
}

impl WebhookTail {
    /// A tail woken through `signal` that wakes `deliveries` when it records events.
    pub fn new(kernel: Kernel, deliveries: Arc<Jobs>, signal: Arc<InboxSignal>) -> Arc<Self> {
        Arc::new(Self { kernel, deliveries, signal })
    }

    /// Wakes up to `n` delivery workers.
    pub fn wake_deliveries(&self, n: usize) {
        for _ in 0..n.min(self.kernel.config.webhooks.workers.max(1)) {
            self.deliveries.wake();
        }
    }

    /// Runs until the task is dropped: a pass over the touched accounts when woken, over every
    /// endpoint at each sweep.
    pub async fn run(self: Arc<Self>) {
        let mut sweep = tokio::time::interval(self.kernel.config.webhooks.sweep);
        sweep.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let only = tokio::select! {
                _ = self.signal.wake.notified() => {
                    let touched = self.signal.touched.lock().map(|mut t| std::mem::take(&mut *t));
                    Some(touched.unwrap_or_default())
                }
                _ = sweep.tick() => None,
            };
            if let Err(e) = self.pass(only.as_ref()).await {
                tracing::warn!(error = ?e, "webhook tail pass failed; retrying at the next sweep");
            }
        }
    }

    /// The endpoints that are on, remembered as the accounts worth waking for.
    async fn active_webhooks(&self) -> Result<Vec<Webhook>, ApiError> {
        let hooks = self.kernel.store.active_webhooks().await?;
        if let Ok(mut active) = self.signal.active.write() {
            *active = hooks.iter().map(|h| h.account).collect();
        }
        Ok(hooks)
    }

    /// Learns at once that an endpoint was set on this node, then tails it.
    pub async fn refresh(&self) {
        if let Err(e) = self.active_webhooks().await {
            tracing::warn!(error = ?e, "could not list webhooks");
        }
        self.signal.wake.notify_one();
    }

    /// One pass over the endpoints of `only` these accounts, or of every account.
    pub async fn pass(&self, only: Option<&HashSet<AccountId>>) -> Result<(), ApiError> {
        for hook in self.active_webhooks().await? {
            if only.is_none_or(|o| o.contains(&hook.account)) {
                self.tail(&hook).await?;
            }
        }
        Ok(())
    }

    /// Records an endpoint's events after its cursor, a page at a time, until it is at the
    /// head or another node moved it.
    async fn tail(&self, hook: &Webhook) -> Result<(), ApiError> {
        let store = &self.kernel.store;
        let Some(integration) = store.integration(hook.integration).await? else { return Ok(()) };
        let mut cursor = hook.inbox_cursor;
        loop {
            let items = store.inbox_events_after(hook.account, cursor, PAGE).await?;
            let Some(last) = items.last().map(|i| i.event.seq) else { return Ok(()) };
            let mut events = Vec::new();
            for item in &items {
                let Some((what, at)) = self.happening(item).await? else { continue };
                if !hook.events.iter().any(|e| e == what.name()) {
                    continue;
                }
                let party = self.party(&integration, item.conversation.citizen).await?;
                events.push(NewWebhookEvent {
                    name: what.name().to_owned(),
                    body: webhooks::body(&party, &what, at),
                });
            }
            let config = &self.kernel.config.webhooks;
            let recorded = store
                .record_webhook_events(
                    hook.integration,
                    Some((cursor, last)),
                    &events,
                    webhooks::QUEUE,
                    webhooks::max_attempts(config),
                    Timestamp::now(),
                )
                .await?;
            let Some(recorded) = recorded else { return Ok(()) };
            self.wake_deliveries(recorded.len());
            cursor = last;
            if (items.len() as i64) < PAGE {
                return Ok(());
            }
        }
    }

    /// Who an event of `integration` about `citizen` is between.
    async fn party(
        &self,
        integration: &Integration,
        citizen: CitizenId,
    ) -> Result<Party, ApiError> {
        Ok(Party {
            app_id: integration.app_id.clone(),
            // The account's id, as the compatible surface gives it (`getoa`).
            oa_id: integration.account.0.to_string(),
            user_id: service::user_id(&self.kernel, integration.account, citizen).await?,
        })
    }

    /// What an inbox event is as a webhook event, and when it happened; `None` for what
    /// webhooks do not tell (officers' reads, closing, reopening, assignment, system notices).
    async fn happening(
        &self,
        item: &InboxItem,
    ) -> Result<Option<(Happening, Timestamp)>, ApiError> {
        let event = &item.event;
        let what = match (event.kind, &item.message) {
            (InboxEventKind::Message, Some(message)) => {
                let from_user = match message.author {
                    Author::Citizen(_) => true,
                    Author::Staff(_) | Author::Account(_) | Author::Bot => false,
                };
                let content = &message.content;
                let attached = match (content.kind(), content.attachment_id()) {
                    (MessageKind::System, _) => return Ok(None),
                    (kind @ (MessageKind::Image | MessageKind::File), Some(id)) => {
                        let found = self.kernel.store.attachment(id).await?;
                        found.map(|a| Attached {
                            kind: if kind == MessageKind::Image { "image" } else { "file" },
                            url: self.absolute(&format!("/api/v1/attachments/{}", id.0)),
                            name: a.attachment.name,
                            size: a.attachment.size,
                        })
                    }
                    _ => None,
                };
                Happening::Message {
                    from_user,
                    msg_id: service::msg_id(message.conversation, message.seq),
                    text: content.body().to_owned(),
                    attached,
                }
            }
            (InboxEventKind::CitizenRead, _) => Happening::Seen {
                msg_ids: vec![service::msg_id(event.conversation, event.message_seq)],
            },
            (InboxEventKind::TransferredOut, _) => Happening::Transferred,
            _ => return Ok(None),
        };
        Ok(Some((what, event.at)))
    }

    /// A path of this site as a full URL, where the operator said where the site is.
    fn absolute(&self, path: &str) -> String {
        match &self.kernel.config.public_url {
            Some(base) => format!("{}{path}", base.trim_end_matches('/')),
            None => path.to_owned(),
        }
    }

    /// Records a follow or unfollow for every endpoint of the account that wants it.
    pub async fn follow_changed(
        &self,
        account: AccountId,
        citizen: CitizenId,
        followed: bool,
    ) -> Result<(), ApiError> {
        let what = Happening::Follow(followed);
        let store = &self.kernel.store;
        let config = &self.kernel.config.webhooks;
        for hook in store.active_webhooks().await? {
            if hook.account != account || !hook.events.iter().any(|e| e == what.name()) {
                continue;
            }
            let Some(integration) = store.integration(hook.integration).await? else { continue };
            let party = self.party(&integration, citizen).await?;
            let event = NewWebhookEvent {
                name: what.name().to_owned(),
                body: webhooks::body(&party, &what, Timestamp::now()),
            };
            let recorded = store
                .record_webhook_events(
                    hook.integration,
                    None,
                    &[event],
                    webhooks::QUEUE,
                    webhooks::max_attempts(config),
                    Timestamp::now(),
                )
                .await?;
            self.wake_deliveries(recorded.map_or(0, |r| r.len()));
        }
        Ok(())
    }
}
