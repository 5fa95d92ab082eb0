//! The console page of an integration's webhook: the URL and events, the state (with a notice
//! when ketnoi disabled it), the latest
//! events with a "Gửi lại" (redeliver) button each, and the delivery log with what receivers
//! answered. Plain forms: post, then back to the page with a notice; a refused form shows the
//! page again with the reason beside the field, and changes nothing.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{Account, Action, Timestamp};
use ketnoi_store::{Integration, WebhookState};
use serde::Deserialize;

use crate::{
    features::integrations::{
        webhook_api::{self, HooksState},
        webhooks::{self, EVENT_NAMES, NOT_EMITTED},
    },
    kernel::{
        error::ApiError,
        pages::{Layout, PageForm, Viewer, Who, account_for, encode},
    },
};

pub(crate) fn router() -> Router<HooksState> {
    Router::new()
        .route("/console/a/{slug}/integrations/{app_id}/webhook", get(webhook_page).post(save))
        .route(
            "/console/a/{slug}/integrations/{app_id}/webhook/events/{event}/redeliver",
            post(redeliver),
        )
}

/// An event name offered on the form.
struct Choice {
    name: &'static str,
    checked: bool,
    /// Accepted, never sent.
    never_sent: bool,
}

/// An event on the page.
struct EventRow {
    id: i64,
    webhook_id: String,
    name: String,
    state: String,
    at: String,
}

/// A delivery attempt on the page.
struct DeliveryRow {
    event: i64,
    name: String,
    attempt: i64,
    at: String,
    outcome: String,
    ok: bool,
    answer: String,
    millis: i64,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    l: Layout,
    account_name: String,
    integration_name: String,
    base: String,
    url: String,
    enabled: bool,
    /// The state's words, shown.
    state: String,
    /// When and why ketnoi disabled the endpoint.
    disabled: Option<(String, String)>,
    choices: Vec<Choice>,
    events: Vec<EventRow>,
    deliveries: Vec<DeliveryRow>,
    notice: Option<String>,
    /// The field refused and why.
    error: Option<(&'static str, String)>,
}

impl WebhookPage {
    /// The message beside a field, if the form was refused for it.
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error.as_ref().filter(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    done: Option<String>,
}

/// The integration `id` of the account at `slug`, for a viewer who may manage it; an
/// integration of another account is not found.
async fn page_integration(
    viewer: &Viewer<HooksState>,
    slug: &str,
    app_id: &str,
) -> Result<(Integration, Account), ApiError> {
    let account = account_for(viewer, slug, Action::IssueAccountToken).await?;
    let (integration, _) =
        webhook_api::managed(&viewer.state.kernel, &viewer.caller, app_id).await?;
    if integration.account != account.id {
        return Err(ApiError::NotFound("integration"));
    }
    Ok((integration, account))
}

async fn webhook_page(
    viewer: Viewer<HooksState>,
    Path((slug, app_id)): Path<(String, String)>,
    params: Result<Query<PageParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if matches!(viewer.caller, crate::kernel::auth::Caller::Anonymous) {
        return viewer.to_sign_in(true);
    }
    let done = params.ok().and_then(|Query(p)| p.done);
    let (integration, account) = match page_integration(&viewer, &slug, &app_id).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    match page(&viewer, &integration, &account, done.as_deref(), None).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

/// What the form held, for showing it again.
struct Draft {
    url: String,
    events: Vec<String>,
    enabled: bool,
}

async fn page(
    viewer: &Viewer<HooksState>,
    integration: &Integration,
    account: &Account,
    done: Option<&str>,
    refused: Option<(Draft, &'static str, String)>,
) -> Result<WebhookPage, ApiError> {
    let t = viewer.t();
    let store = &viewer.state.store;
    let hook = store.webhook(integration.id).await?;
    let (draft, error) = match refused {
        Some((draft, field, message)) => (Some(draft), Some((field, message))),
        None => (None, None),
    };
    let (url, wanted, enabled) = match (&draft, &hook) {
        (Some(d), _) => (d.url.clone(), d.events.clone(), d.enabled),
        (None, Some(h)) => (h.url.clone(), h.events.clone(), h.state == WebhookState::On),
        (None, None) => (String::new(), Vec::new(), true),
    };
    let state = match hook.as_ref().map(|h| h.state) {
        Some(WebhookState::On) => t.get("webhook-state-on"),
        Some(WebhookState::Off) => t.get("webhook-state-off"),
        Some(WebhookState::Disabled) => t.get("webhook-state-disabled"),
        None => t.get("webhook-state-none"),
    };
    let disabled = hook.as_ref().filter(|h| h.state == WebhookState::Disabled).map(|h| {
        (
            h.disabled_at.map(Timestamp::display_vn).unwrap_or_default(),
            h.disabled_reason.clone().unwrap_or_default(),
        )
    });
    let choices = EVENT_NAMES
        .iter()
        .map(|name| Choice {
            name,
            checked: wanted.iter().any(|w| w == name),
            never_sent: NOT_EMITTED.contains(name),
        })
        .collect();
    let events = store
        .webhook_events(integration.id, None, 50)
        .await?
        .into_iter()
        .map(|e| EventRow {
            id: e.id.0,
            webhook_id: webhooks::webhook_id(e.id),
            name: e.name,
            state: t.get(&format!("webhook-event-{}", e.state.as_str())),
            at: e.created_at.display_vn(),
        })
        .collect();
    let deliveries = store
        .webhook_deliveries(integration.id, 50)
        .await?
        .into_iter()
        .map(|d| DeliveryRow {
            event: d.event.0,
            name: d.event_name,
            attempt: d.attempt,
            at: d.at.display_vn(),
            ok: d.status.is_some_and(|s| (200..300).contains(&s)),
            outcome: match (d.status, d.error) {
                (Some(s), _) => format!("HTTP {s}"),
                (None, Some(e)) => e,
                (None, None) => String::new(),
            },
            answer: d.answer,
            millis: d.millis,
        })
        .collect();
    let notice = match done {
        Some("saved") => Some(t.get("webhook-saved")),
        Some("redelivered") => Some(t.get("webhook-redelivered")),
        _ => None,
    };
    Ok(WebhookPage {
        l: viewer.layout(error.is_some()),
        account_name: account.display_name.clone(),
        integration_name: integration.name.clone(),
        base: format!(
            "/console/a/{}/integrations/{}/webhook",
            encode(account.slug.as_str()),
            encode(&integration.app_id)
        ),
        url,
        enabled,
        state,
        disabled,
        choices,
        events,
        deliveries,
        notice,
        error,
    })
}

/// The form as posted: `csrf`, `url`, `enabled`, and a checkbox `event.{name}` per event.
type WebhookForm = HashMap<String, String>;

async fn save(
    viewer: Viewer<HooksState>,
    Path((slug, app_id)): Path<(String, String)>,
    PageForm(form): PageForm<WebhookForm>,
) -> Response {
    let back = format!("/console/a/{}/integrations/{app_id}/webhook", encode(&slug));
    if let Some(stop) = viewer.stop_form(true, &back, form.get("csrf").map(String::as_str)) {
        return stop;
    }
    let (integration, account) = match page_integration(&viewer, &slug, &app_id).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    let draft = Draft {
        url: form.get("url").cloned().unwrap_or_default(),
        events: EVENT_NAMES
            .iter()
            .filter(|n| form.contains_key(&format!("event.{n}")))
            .map(|n| (*n).to_owned())
            .collect(),
        enabled: form.contains_key("enabled"),
    };
    match webhook_api::save(&viewer.state, &integration, &draft.url, &draft.events, draft.enabled)
        .await
    {
        Ok(_) => Redirect::to(&format!("{back}?done=saved")).into_response(),
        Err(ApiError::InvalidField { code, field }) => {
            let message = viewer.t().get(&format!("{code}-page"));
            match page(&viewer, &integration, &account, None, Some((draft, field, message))).await {
                Ok(page) => viewer.render(StatusCode::UNPROCESSABLE_ENTITY, &page),
                Err(e) => viewer.fail(e),
            }
        }
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: Option<String>,
}

async fn redeliver(
    viewer: Viewer<HooksState>,
    Path((slug, app_id, event)): Path<(String, String, i64)>,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    let back = format!("/console/a/{}/integrations/{app_id}/webhook", encode(&slug));
    if let Some(stop) = viewer.stop_form(true, &back, form.csrf.as_deref()) {
        return stop;
    }
    let (integration, _) = match page_integration(&viewer, &slug, &app_id).await {
        Ok(found) => found,
        Err(e) => return viewer.fail(e),
    };
    match webhook_api::redeliver(&viewer.state, &integration, event).await {
        Ok(()) => Redirect::to(&format!("{back}?done=redelivered")).into_response(),
        Err(e) => viewer.fail(e),
    }
}
