//! Webhooks: one endpoint per integration, the events recorded for it and every attempt to
//! deliver them.
//!
//! Events are produced by tailing each account's inbox log (`inbox_events`) from a cursor kept
//! with the webhook. [`WebhookStore::record_webhook_events`] moves that cursor by
//! compare-and-set and, in the same transaction, inserts the events and one delivery job per
//! event: a crash loses nothing (the cursor did not move) and two nodes tailing the same inbox
//! record each event once (the second one's compare-and-set finds the cursor moved).

use async_trait::async_trait;
use ketnoi_core::{AccountId, IntegrationId, Timestamp};

use crate::{JobId, Result};

/// The id of a recorded webhook event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebhookEventId(pub i64);

/// Whether an endpoint is sent events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookState {
    /// Events are recorded and delivered.
    On,
    /// Turned off by the account: nothing is recorded or delivered.
    Off,
    /// Turned off by ketnoi after repeated failures; the reason and time are kept.
    Disabled,
}

impl WebhookState {
    /// The state's word, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::On => "on",
            Self::Off => "off",
            Self::Disabled => "disabled",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::On, Self::Off, Self::Disabled].into_iter().find(|k| k.as_str() == s)
    }
}

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookEventState {
    /// Waiting for its first or next attempt (or for the endpoint to be turned on again).
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed.
    Failed,
}

impl WebhookEventState {
    /// The state's word, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed].into_iter().find(|k| k.as_str() == s)
    }
}

/// An integration's endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The integration.
    pub integration: IntegrationId,
    /// The integration's account, whose inbox is tailed.
    pub account: AccountId,
    /// Where events are POSTed.
    pub url: String,
    /// The event names it wants, as given.
    pub events: Vec<String>,
    /// On, off, or disabled after failures.
    pub state: WebhookState,
    /// Delivery attempts failed in a row.
    pub failures: i64,
    /// When ketnoi disabled it.
    pub disabled_at: Option<Timestamp>,
    /// Why ketnoi disabled it.
    pub disabled_reason: Option<String>,
    /// The last inbox event turned into webhook events.
    pub inbox_cursor: i64,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// An event to record: its name and its body, fixed now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebhookEvent {
    /// The event's name (`user_send_text`).
    pub name: String,
    /// The JSON body sent for it, byte for byte on every attempt.
    pub body: String,
}

/// A recorded event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookEvent {
    /// Its id.
    pub id: WebhookEventId,
    /// The integration.
    pub integration: IntegrationId,
    /// Its name.
    pub name: String,
    /// The body sent.
    pub body: String,
    /// When it was recorded.
    pub created_at: Timestamp,
    /// When a receiver first took it.
    pub delivered_at: Option<Timestamp>,
    /// Where it stands.
    pub state: WebhookEventState,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookDelivery {
    /// The event.
    pub event: WebhookEventId,
    /// The event's name (filled in by reads).
    pub event_name: String,
    /// Which attempt of its job (1, 2, …; a redelivery starts again at 1).
    pub attempt: i64,
    /// When it was made.
    pub at: Timestamp,
    /// The receiver's HTTP status, if it answered.
    pub status: Option<i64>,
    /// Why nothing usable came back (refused address, timeout, connection error).
    pub error: Option<String>,
    /// The start of the receiver's answer.
    pub answer: String,
    /// How long it took.
    pub millis: i64,
}

/// How an attempt ended, for [`WebhookStore::record_webhook_attempt`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// 2xx: the event is delivered and the failure count starts again.
    Delivered,
    /// Anything else; `last` when no attempt is left, so the event has failed.
    Failed {
        /// This was the event's last attempt.
        last: bool,
    },
}

/// Webhooks, their events and deliveries.
#[async_trait]
pub trait WebhookStore {
    /// Sets an integration's endpoint. A new endpoint, or one turned on from off or disabled,
    /// starts at the account's current inbox head (nothing from before is replayed), with no
    /// failures; otherwise the cursor stays. [`crate::StoreError::MissingReference`] when the
    /// integration does not exist.
    async fn put_webhook(
        &self,
        integration: IntegrationId,
        url: &str,
        events: &[String],
        on: bool,
        at: Timestamp,
    ) -> Result<Webhook>;
    /// An integration's endpoint.
    async fn webhook(&self, integration: IntegrationId) -> Result<Option<Webhook>>;
    /// Every endpoint that is on, of live (unrevoked) integrations.
    async fn active_webhooks(&self) -> Result<Vec<Webhook>>;
    /// Records events and enqueues one job per event on `queue` (payload `{"event": id}`,
    /// `max_attempts`), in one transaction. With `cursor = Some((old, new))` the endpoint's
    /// cursor moves from `old` to `new` first; if it is not at `old` (another node moved it)
    /// nothing is recorded and the answer is `Ok(None)`.
    async fn record_webhook_events(
        &self,
        integration: IntegrationId,
        cursor: Option<(i64, i64)>,
        events: &[NewWebhookEvent],
        queue: &str,
        max_attempts: i64,
        at: Timestamp,
    ) -> Result<Option<Vec<(WebhookEventId, JobId)>>>;
    /// One event.
    async fn webhook_event(&self, id: WebhookEventId) -> Result<Option<WebhookEvent>>;
    /// An integration's events, newest first, before `before` if given.
    async fn webhook_events(
        &self,
        integration: IntegrationId,
        before: Option<WebhookEventId>,
        limit: i64,
    ) -> Result<Vec<WebhookEvent>>;
    /// Logs an attempt and what it means, in one transaction: a delivery marks the event
    /// delivered and zeroes the endpoint's failure count; a failure counts one more, marks the
    /// event failed if it was the `last` attempt, and disables an endpoint that is on once the
    /// count reaches `disable_after`, with `reason`. Returns the endpoint's state after.
    async fn record_webhook_attempt(
        &self,
        attempt: &WebhookDelivery,
        outcome: AttemptOutcome,
        disable_after: i64,
        reason: &str,
    ) -> Result<Option<WebhookState>>;
    /// An integration's latest delivery attempts, newest first.
    async fn webhook_deliveries(
        &self,
        integration: IntegrationId,
        limit: i64,
    ) -> Result<Vec<WebhookDelivery>>;
    /// Queues an event again (a new job for the same event id) and marks it pending;
    /// `Ok(None)` when there is no such event.
    async fn redeliver_webhook_event(
        &self,
        id: WebhookEventId,
        queue: &str,
        max_attempts: i64,
        at: Timestamp,
    ) -> Result<Option<JobId>>;
}
