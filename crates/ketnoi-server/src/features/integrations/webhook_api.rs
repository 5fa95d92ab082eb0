//! An integration's webhook through the API: read and set it, list its events and delivery
//! attempts, redeliver an event. Staff with `issue-account-token` on the integration's account
//! only; the console pages (`webhook_pages.rs`) go through the same functions.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post},
};
use ketnoi_core::{Account, Action, Scope, Timestamp};
use ketnoi_store::{Integration, Webhook, WebhookDelivery, WebhookEvent, WebhookEventId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    features::integrations::{
        webhook_net,
        webhook_tail::WebhookTail,
        webhooks::{self, NOT_EMITTED},
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path, Query},
        state::{Kernel, feature_state},
        views::ProblemView,
    },
};

/// What the webhook routes and pages hold: the kernel and the tail (told of new endpoints; it
/// wakes the delivery workers).
#[derive(Clone)]
pub struct HooksState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The tail of the inbox logs.
    pub tail: Arc<WebhookTail>,
}
feature_state!(HooksState);

pub(crate) fn router() -> Router<HooksState> {
    Router::new()
        .route("/integrations/{app_id}/webhook", get(get_webhook).put(put_webhook))
        .route("/integrations/{app_id}/webhook/events", get(list_events))
        .route("/integrations/{app_id}/webhook/deliveries", get(list_deliveries))
        .route("/integrations/{app_id}/webhook/events/{event}/redeliver", post(redeliver_event))
}

/// The integration `id` and its account, for a caller who may manage its integrations: 401
/// for nobody, 404 for no such (or a revoked) integration, 403 for anyone else.
pub(crate) async fn managed(
    kernel: &Kernel,
    caller: &Caller,
    app_id: &str,
) -> Result<(Integration, Account), ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let integration = kernel.store.integration_by_app_id(app_id).await?;
    let integration =
        integration.filter(|i| i.revoked_at.is_none()).ok_or(ApiError::NotFound("integration"))?;
    let account = kernel
        .store
        .account(integration.account)
        .await?
        .ok_or(ApiError::NotFound("integration"))?;
    let ancestry = kernel.store.agency_ancestry(account.agency).await?;
    caller.require(Action::IssueAccountToken, Some(&ancestry))?;
    Ok((integration, account))
}

/// Sets an integration's endpoint after every check (scope 403, event names and URL 422);
/// nothing is stored when one fails.
pub(crate) async fn save(
    state: &HooksState,
    integration: &Integration,
    url: &str,
    events: &[String],
    on: bool,
) -> Result<Webhook, ApiError> {
    if !integration.scopes.has(Scope::Webhooks) {
        return Err(ApiError::NotAllowed("webhook-scope-missing"));
    }
    let events = webhooks::check_events(events)?;
    let config = &state.config.webhooks;
    let url = webhook_net::parse_url(url, config)?;
    webhook_net::check_destination(&url, config).await?;
    let hook = state
        .store
        .put_webhook(integration.id, url.as_str(), &events, on, Timestamp::now())
        .await?;
    state.tail.refresh().await;
    Ok(hook)
}

/// Queues one of the integration's events again, with the same `webhook-id`.
pub(crate) async fn redeliver(
    state: &HooksState,
    integration: &Integration,
    event: i64,
) -> Result<(), ApiError> {
    let id = WebhookEventId(event);
    let found = state.store.webhook_event(id).await?;
    if found.is_none_or(|e| e.integration != integration.id) {
        return Err(ApiError::NotFound("webhook-event"));
    }
    let config = &state.config.webhooks;
    let queued = state
        .store
        .redeliver_webhook_event(
            id,
            webhooks::QUEUE,
            webhooks::max_attempts(config),
            Timestamp::now(),
        )
        .await?;
    queued.ok_or(ApiError::NotFound("webhook-event"))?;
    state.tail.wake_deliveries(1);
    Ok(())
}

/// An integration's webhook endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookView {
    /// Where events are POSTed.
    url: String,
    /// The event names it receives.
    events: Vec<String>,
    /// `on`, `off`, or `disabled` (by ketnoi, after failed deliveries in a row).
    state: String,
    /// Failed delivery attempts in a row.
    failures: i64,
    /// When ketnoi disabled it.
    disabled_at: Option<String>,
    /// Why ketnoi disabled it.
    disabled_reason: Option<String>,
    /// Of the events asked for, those ketnoi never sends (no location messages; no delivery
    /// receipt apart from reading).
    never_sent: Vec<String>,
}

impl From<&Webhook> for WebhookView {
    fn from(h: &Webhook) -> Self {
        Self {
            url: h.url.clone(),
            events: h.events.clone(),
            state: h.state.as_str().to_owned(),
            failures: h.failures,
            disabled_at: h.disabled_at.map(Timestamp::rfc3339),
            disabled_reason: h.disabled_reason.clone(),
            never_sent: h
                .events
                .iter()
                .filter(|e| NOT_EMITTED.contains(&e.as_str()))
                .cloned()
                .collect(),
        }
    }
}

/// An endpoint to set.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WebhookRequest {
    /// https (plain http only to hosts the operator allowed), at most 2,000 characters, no
    /// credentials, leading to a public address.
    url: String,
    /// Event names: `user_send_text`, `user_send_image`, `user_send_file`,
    /// `user_send_location` (never sent), `follow`, `unfollow`, `user_received_message` (never
    /// sent), `user_seen_message`, `oa_send_text`, `oa_send_image`, `oa_send_file`,
    /// `ketnoi_conversation_transferred`.
    events: Vec<String>,
    /// On (the default) or off. Turning on a disabled endpoint re-enables it from now on:
    /// events held meanwhile are redelivered one by one.
    #[serde(default = "default_on")]
    enabled: bool,
}

fn default_on() -> bool {
    true
}

/// An event recorded for delivery.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WebhookEventView {
    /// Its id (redeliver it by this).
    id: i64,
    /// The `webhook-id` header it is sent with, the same on every attempt.
    webhook_id: String,
    /// Its name.
    event_name: String,
    /// `pending`, `delivered` or `failed`.
    state: String,
    /// When it was recorded.
    created_at: String,
    /// When a receiver first answered 2xx.
    delivered_at: Option<String>,
    /// The body as sent.
    #[schema(value_type = Object)]
    body: serde_json::Value,
}

impl From<&WebhookEvent> for WebhookEventView {
    fn from(e: &WebhookEvent) -> Self {
        Self {
            id: e.id.0,
            webhook_id: webhooks::webhook_id(e.id),
            event_name: e.name.clone(),
            state: e.state.as_str().to_owned(),
            created_at: e.created_at.rfc3339(),
            delivered_at: e.delivered_at.map(Timestamp::rfc3339),
            body: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// One attempt to deliver an event.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryView {
    /// The event.
    event_id: i64,
    /// Its name.
    event_name: String,
    /// Which attempt (a redelivery counts from 1 again).
    attempt: i64,
    /// When.
    at: String,
    /// The receiver's HTTP status, if it answered.
    status: Option<i64>,
    /// Why there was no usable answer.
    error: Option<String>,
    /// The first kilobyte of the answer.
    answer: String,
    /// How long it took, in milliseconds.
    millis: i64,
}

impl From<&WebhookDelivery> for DeliveryView {
    fn from(d: &WebhookDelivery) -> Self {
        Self {
            event_id: d.event.0,
            event_name: d.event_name.clone(),
            attempt: d.attempt,
            at: d.at.rfc3339(),
            status: d.status,
            error: d.error.clone(),
            answer: d.answer.clone(),
            millis: d.millis,
        }
    }
}

/// A page of a list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct ListParams {
    /// Events only: those recorded before this event id.
    before: Option<i64>,
    /// How many (1–200, default 50).
    limit: Option<i64>,
}

/// An integration's webhook endpoint.
#[utoipa::path(get, path = "/api/v1/integrations/{app_id}/webhook", tag = "integrations",
    security(("bearer" = [])), params(("app_id" = String, Path, description = "The integration")),
    responses((status = 200, body = WebhookView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such integration, or no endpoint set", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_webhook(
    State(state): State<HooksState>,
    caller: Caller,
    Path(app_id): Path<String>,
) -> Result<Json<WebhookView>, ApiError> {
    let (integration, _) = managed(&state, &caller, &app_id).await?;
    let hook = state.store.webhook(integration.id).await?.ok_or(ApiError::NotFound("webhook"))?;
    Ok(Json(WebhookView::from(&hook)))
}

/// Sets an integration's webhook endpoint. A new endpoint, or one turned on again, receives
/// the events from now on (nothing earlier is replayed).
#[utoipa::path(put, path = "/api/v1/integrations/{app_id}/webhook", tag = "integrations",
    request_body = WebhookRequest, security(("bearer" = [])),
    params(("app_id" = String, Path, description = "The integration")),
    responses((status = 200, body = WebhookView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed, or `webhook-scope-missing`: the integration has no `webhooks` scope", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`field` names what was refused: `url` (`webhook-url-invalid`, `webhook-url-insecure`, `webhook-url-private`, `webhook-url-unresolved`) or `events` (`webhook-event-unknown`). Nothing changed.", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_webhook(
    State(state): State<HooksState>,
    caller: Caller,
    Path(app_id): Path<String>,
    extract::Json(body): extract::Json<WebhookRequest>,
) -> Result<Json<WebhookView>, ApiError> {
    let (integration, _) = managed(&state, &caller, &app_id).await?;
    let hook = save(&state, &integration, &body.url, &body.events, body.enabled).await?;
    Ok(Json(WebhookView::from(&hook)))
}

/// The events recorded for an integration's endpoint, newest first.
#[utoipa::path(get, path = "/api/v1/integrations/{app_id}/webhook/events", tag = "integrations",
    security(("bearer" = [])), params(("app_id" = String, Path, description = "The integration"), ListParams),
    responses((status = 200, body = Vec<WebhookEventView>),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_events(
    State(state): State<HooksState>,
    caller: Caller,
    Path(app_id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<WebhookEventView>>, ApiError> {
    let (integration, _) = managed(&state, &caller, &app_id).await?;
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let events = state
        .store
        .webhook_events(integration.id, params.before.map(WebhookEventId), limit)
        .await?;
    Ok(Json(events.iter().map(WebhookEventView::from).collect()))
}

/// The latest delivery attempts of an integration's endpoint, newest first, with what the
/// receiver answered.
#[utoipa::path(get, path = "/api/v1/integrations/{app_id}/webhook/deliveries", tag = "integrations",
    security(("bearer" = [])), params(("app_id" = String, Path, description = "The integration"), ListParams),
    responses((status = 200, body = Vec<DeliveryView>),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_deliveries(
    State(state): State<HooksState>,
    caller: Caller,
    Path(app_id): Path<String>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<DeliveryView>>, ApiError> {
    let (integration, _) = managed(&state, &caller, &app_id).await?;
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let found = state.store.webhook_deliveries(integration.id, limit).await?;
    Ok(Json(found.iter().map(DeliveryView::from).collect()))
}

/// Delivers an event again (delivered or failed), with the same `webhook-id` and body.
#[utoipa::path(post, path = "/api/v1/integrations/{app_id}/webhook/events/{event}/redeliver",
    tag = "integrations", security(("bearer" = [])),
    params(("app_id" = String, Path, description = "The integration"), ("event" = i64, Path, description = "The event")),
    responses((status = 202, description = "Queued"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn redeliver_event(
    State(state): State<HooksState>,
    caller: Caller,
    Path((app_id, event)): Path<(String, i64)>,
) -> Result<StatusCode, ApiError> {
    let (integration, _) = managed(&state, &caller, &app_id).await?;
    redeliver(&state, &integration, event).await?;
    Ok(StatusCode::ACCEPTED)
}
