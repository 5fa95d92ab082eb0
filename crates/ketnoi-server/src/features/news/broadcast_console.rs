//! The console page where officers send an account's broadcasts — to everyone, to areas, to
//! tagged followers, now or later, as emergency alerts for those who may — with an exact count
//! of who they will reach first, and see what each reached; and the form that tags a follower
//! from the conversation page. Plain forms that work without JavaScript.

use askama::Template;
use axum::{
    Router,
    extract::{Path, Query},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use ketnoi_core::{
    Account, ArticleId, ArticleState, AuditAction, BroadcastId, BroadcastState, Button, Timestamp,
    policy::Action,
};
use ketnoi_store::{AlertInfo, Broadcast};
use serde::Deserialize;

use crate::features::news::{
    cap,
    console::{Done, publisher},
    service::{BroadcastRequest, MAX_BROADCAST_CHARS, NewsState, broadcast_path},
};
use crate::kernel::{
    audit::record,
    error::ApiError,
    pages::{FormError, Layout, PageForm, Viewer, Who, console_form, encode},
};

pub(crate) fn router() -> Router<NewsState> {
    Router::new()
        .route("/console/a/{slug}/thong-bao", get(broadcasts).post(send))
        .route("/console/a/{slug}/thong-bao/{id}/huy", post(cancel))
        .route("/console/a/{slug}/followers/{citizen}/tags", post(tag_follower))
}

struct BroadcastRow {
    text: String,
    state: String,
    when: String,
    audience: String,
    stats: String,
    emergency: bool,
    cancel: Option<String>,
    view: String,
}

/// An option of a select.
struct Option_ {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "broadcast_console.html")]
struct BroadcastsPage {
    l: Layout,
    account_name: String,
    slug: String,
    errors: Vec<FormError>,
    notice: Option<String>,
    text: String,
    max_text: usize,
    articles: Vec<Option_>,
    areas: Vec<Option_>,
    tags: String,
    known_tags: String,
    buttons: Vec<(String, String)>,
    send_at: String,
    may_alert: bool,
    emergency: bool,
    event: String,
    categories: Vec<Option_>,
    severities: Vec<Option_>,
    urgencies: Vec<Option_>,
    certainties: Vec<Option_>,
    expires_at: String,
    quota: String,
    count: Option<String>,
    rows: Vec<BroadcastRow>,
}

/// What the broadcast form holds.
#[derive(Debug, Default, Clone)]
struct SendForm {
    csrf: Option<String>,
    text: String,
    article: String,
    areas: Vec<String>,
    tags: String,
    labels: Vec<String>,
    urls: Vec<String>,
    send_at: String,
    emergency: bool,
    event: String,
    category: String,
    severity: String,
    urgency: String,
    certainty: String,
    expires_at: String,
    action: String,
}

impl SendForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = Some(v),
                "text" => f.text = v,
                "article" => f.article = v,
                "areas" => f.areas.push(v),
                "tags" => f.tags = v,
                "button_label" => f.labels.push(v),
                "button_url" => f.urls.push(v),
                "send_at" => f.send_at = v,
                "emergency" => f.emergency = !v.is_empty(),
                "event" => f.event = v,
                "category" => f.category = v,
                "severity" => f.severity = v,
                "urgency" => f.urgency = v,
                "certainty" => f.certainty = v,
                "expires_at" => f.expires_at = v,
                "action" => f.action = v,
                _ => {}
            }
        }
        f
    }
}

/// How many link buttons the form offers.
const FORM_BUTTONS: usize = 3;

async fn broadcast_page(
    viewer: &Viewer<NewsState>,
    account: &Account,
    form: &SendForm,
    errors: Vec<FormError>,
    notice: Option<String>,
    count: Option<String>,
) -> Result<BroadcastsPage, ApiError> {
    let store = &viewer.state.store;
    let t = viewer.t();
    let now = Timestamp::now();
    let ancestry = store.agency_ancestry(account.agency).await?;
    let may_alert = viewer.caller.may(Action::SendEmergency, Some(&ancestry));
    let articles = store
        .account_articles(account.id, 100)
        .await?
        .into_iter()
        .filter(|a| a.state_at(now) == ArticleState::Published)
        .map(|a| Option_ {
            selected: form.article == a.id.0.to_string(),
            value: a.id.0.to_string(),
            label: a.title,
        })
        .collect();
    // The account's own area and two levels below it: a commune's account lists itself, a
    // province's its communes (and their wards where the tree has three levels).
    let mut areas = Vec::new();
    if let Some(own) = store.area(&account.area).await? {
        let children = store.area_children(Some(&own.code)).await?;
        areas.push(own);
        for child in children {
            let grandchildren = if areas.len() < 400 {
                store.area_children(Some(&child.code)).await?
            } else {
                Vec::new()
            };
            areas.push(child);
            areas.extend(grandchildren);
        }
    }
    let areas = areas
        .into_iter()
        .map(|a| Option_ {
            selected: form.areas.contains(&a.code.to_string()),
            value: a.code.to_string(),
            label: a.name,
        })
        .collect();
    let known_tags = store
        .account_tags(account.id)
        .await?
        .iter()
        .map(|(tag, n)| format!("{tag} ({n})"))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = match store.broadcast_quota(account.id).await? {
        Some(n) => n,
        None => viewer.state.config.broadcasts_per_week,
    };
    let used =
        store.counted_broadcasts(account.id, crate::features::news::service::week_of(now)).await?;
    let rows = store
        .account_broadcasts(account.id, 50)
        .await?
        .iter()
        .map(|b| row(viewer, account, b))
        .collect();
    let pick = |values: &[&str], chosen: &str| {
        values
            .iter()
            .map(|v| Option_ {
                value: (*v).to_owned(),
                label: (*v).to_owned(),
                selected: *v == chosen,
            })
            .collect::<Vec<_>>()
    };
    let buttons = (0..FORM_BUTTONS)
        .map(|i| {
            (
                form.labels.get(i).cloned().unwrap_or_default(),
                form.urls.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    Ok(BroadcastsPage {
        l: viewer.layout(!errors.is_empty()),
        account_name: account.display_name.clone(),
        slug: account.slug.to_string(),
        errors,
        notice,
        text: form.text.clone(),
        max_text: MAX_BROADCAST_CHARS,
        articles,
        areas,
        tags: form.tags.clone(),
        known_tags,
        buttons,
        send_at: form.send_at.clone(),
        may_alert,
        emergency: form.emergency,
        event: form.event.clone(),
        categories: pick(cap::CATEGORIES, &form.category),
        severities: pick(cap::SEVERITIES, &form.severity),
        urgencies: pick(cap::URGENCIES, &form.urgency),
        certainties: pick(cap::CERTAINTIES, &form.certainty),
        expires_at: form.expires_at.clone(),
        quota: t.with_count("broadcast-quota-note", "limit", &limit.to_string(), used),
        count,
        rows,
    })
}

fn row(viewer: &Viewer<NewsState>, account: &Account, b: &Broadcast) -> BroadcastRow {
    let t = viewer.t();
    let audience = if b.audience.is_everyone() {
        t.get("broadcast-audience-all")
    } else {
        let mut parts: Vec<String> = b.audience.areas.iter().map(|a| a.to_string()).collect();
        parts.extend(b.audience.tags.iter().map(|tag| format!("#{tag}")));
        parts.join(", ")
    };
    BroadcastRow {
        text: crate::kernel::text::shorten(b.body.text(), 120),
        state: t.get(&format!("broadcast-state-{}", b.state)),
        when: b.sent_at.unwrap_or(b.send_at).display_vn(),
        audience,
        stats: if b.state == BroadcastState::Sent {
            t.numbers(
                "broadcast-stats",
                &[("audience", b.audience_size), ("delivered", b.delivered), ("opened", b.opened)],
            )
        } else {
            String::new()
        },
        emergency: b.alert.is_some(),
        cancel: (b.state == BroadcastState::Scheduled)
            .then(|| format!("/console/a/{}/thong-bao/{}/huy", account.slug, b.id.0)),
        view: broadcast_path(account, b.id),
    }
}

async fn broadcasts(
    viewer: Viewer<NewsState>,
    Path(slug): Path<String>,
    done: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let account = match publisher(&viewer, &slug, "thong-bao").await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let t = viewer.t();
    let notice = done
        .ok()
        .and_then(|Query(d)| d.done)
        .filter(|d| ["sent", "scheduled", "cancelled"].contains(&d.as_str()))
        .map(|d| t.get(&format!("broadcast-done-{d}")));
    match broadcast_page(&viewer, &account, &SendForm::default(), Vec::new(), notice, None).await {
        Ok(page) => viewer.render(StatusCode::OK, &page),
        Err(e) => viewer.fail(e),
    }
}

/// The request a form makes.
fn request_of(form: &SendForm) -> Result<BroadcastRequest, (&'static str, ApiError)> {
    let moment =
        |raw: &str, field: &'static str| -> Result<Option<Timestamp>, (&'static str, ApiError)> {
            let raw = raw.trim();
            if raw.is_empty() {
                return Ok(None);
            }
            Timestamp::parse_moment(raw)
                .map(Some)
                .ok_or((field, ApiError::BadField { code: "invalid-moment", field }))
        };
    let mut buttons = Vec::new();
    for (label, url) in form.labels.iter().zip(&form.urls) {
        match (label.trim(), url.trim()) {
            ("", "") => {}
            (label, url) => {
                buttons.push(Button::Link { label: label.to_owned(), url: url.to_owned() })
            }
        }
    }
    let article = match form.article.trim() {
        "" => None,
        raw => {
            Some(ArticleId(raw.parse().map_err(|_| ("article", ApiError::NotFound("article")))?))
        }
    };
    let emergency = if form.emergency {
        Some(AlertInfo {
            category: form.category.clone(),
            event: form.event.clone(),
            severity: form.severity.clone(),
            urgency: form.urgency.clone(),
            certainty: form.certainty.clone(),
            expires_at: moment(&form.expires_at, "expires_at")?,
        })
    } else {
        None
    };
    Ok(BroadcastRequest {
        text: form.text.clone(),
        article,
        buttons,
        areas: form.areas.clone(),
        tags: form.tags.split(',').map(str::to_owned).collect(),
        send_at: moment(&form.send_at, "send_at")?,
        emergency,
    })
}

/// The form field a refused broadcast points at.
fn send_field(e: &ApiError) -> &'static str {
    match e {
        ApiError::Invalid(i) => match i.field() {
            Some("tags" | "tag") => "tags",
            Some("areas") => "areas",
            Some("event") => "event",
            Some("buttons" | "button label" | "button text") => "button_label",
            Some("category" | "severity" | "urgency" | "certainty") => "event",
            _ => match i {
                ketnoi_core::InvalidInput::AreaCode => "areas",
                ketnoi_core::InvalidInput::Tag => "tags",
                ketnoi_core::InvalidInput::ButtonUrl => "button_url",
                _ => "text",
            },
        },
        ApiError::BadField { field: "send_at", .. } => "send_at",
        ApiError::BadField { field: "expires_at", .. } => "expires_at",
        ApiError::BadField { field: "article", .. } => "article",
        ApiError::NotAllowed(_) => "emergency",
        ApiError::MissingReference("area") => "areas",
        ApiError::NotFound("article") => "article",
        _ => "text",
    }
}

async fn send(
    viewer: Viewer<NewsState>,
    Path(slug): Path<String>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let form = SendForm::from_pairs(pairs);
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::PublishNews, "thong-bao")
            .await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    let fail_inline = |field: &'static str, e: ApiError| {
        let viewer = &viewer;
        let account = &account;
        let form = &form;
        async move {
            let status = match &e {
                ApiError::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
                ApiError::NotAllowed(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let errors = vec![FormError { field, message: viewer.message(&e) }];
            match broadcast_page(viewer, account, form, errors, None, None).await {
                Ok(page) => viewer.render(status, &page),
                Err(e) => viewer.fail(e),
            }
        }
    };
    let request = match request_of(&form) {
        Ok(r) => r,
        Err((field, e)) => return fail_inline(field, e).await,
    };
    if form.action == "count" {
        let counted = async {
            let audience = crate::features::news::service::audience(&request.areas, &request.tags)?;
            for area in &audience.areas {
                viewer.state.store.area(area).await?.ok_or(ApiError::MissingReference("area"))?;
            }
            Ok::<_, ApiError>(viewer.state.store.audience_size(account.id, &audience).await?)
        }
        .await;
        return match counted {
            Ok(n) => {
                let count = Some(viewer.t().count("broadcast-count", n));
                match broadcast_page(&viewer, &account, &form, Vec::new(), None, count).await {
                    Ok(page) => viewer.render(StatusCode::OK, &page),
                    Err(e) => viewer.fail(e),
                }
            }
            Err(e) => fail_inline(send_field(&e), e).await,
        };
    }
    let sent = match viewer.state.news.send(&viewer.caller, &account, request).await {
        Ok(b) => {
            let object = format!("broadcast:{}", b.id.0);
            let (action, agency) = (AuditAction::BroadcastSent, Some(account.agency));
            match record(&viewer.state, &viewer.caller, &viewer.request, action, &object, agency)
                .await
            {
                Ok(()) => Ok(b),
                Err(e) => return viewer.fail(e),
            }
        }
        Err(e) => Err(e),
    };
    match sent {
        Ok(b) => {
            let done = if b.state == BroadcastState::Scheduled { "scheduled" } else { "sent" };
            Redirect::to(&format!(
                "/console/a/{}/thong-bao?done={done}",
                encode(account.slug.as_str())
            ))
            .into_response()
        }
        Err(e @ (ApiError::Internal(_) | ApiError::Forbidden | ApiError::Unauthenticated)) => {
            viewer.fail(e)
        }
        Err(e) => fail_inline(send_field(&e), e).await,
    }
}

#[derive(Debug, Deserialize)]
struct CancelForm {
    csrf: Option<String>,
}

async fn cancel(
    viewer: Viewer<NewsState>,
    Path((slug, id)): Path<(String, i64)>,
    PageForm(form): PageForm<CancelForm>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::PublishNews, "thong-bao")
            .await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    match viewer.state.news.cancel(&viewer.caller, &account, BroadcastId(id)).await {
        Ok(()) => Redirect::to(&format!("/console/a/{}/thong-bao?done=cancelled", account.slug))
            .into_response(),
        Err(e) => viewer.fail(e),
    }
}

#[derive(Debug, Deserialize)]
struct TagsForm {
    csrf: Option<String>,
    #[serde(default)]
    tags: String,
}

/// Sets the tags an account puts on a follower, from the conversation page, and goes back to
/// the conversation.
async fn tag_follower(
    viewer: Viewer<NewsState>,
    Path((slug, citizen)): Path<(String, i64)>,
    PageForm(form): PageForm<TagsForm>,
) -> Response {
    let account =
        match console_form(&viewer, &slug, form.csrf.as_deref(), Action::PublishNews, "thong-bao")
            .await
        {
            Ok(a) => a,
            Err(r) => return r,
        };
    let citizen = ketnoi_core::CitizenId(citizen);
    let saved = async {
        let tags = ketnoi_core::Tag::parse_list(&form.tags)?;
        viewer.state.store.set_follower_tags(account.id, citizen, &tags).await?;
        let conversation = viewer.state.store.conversation_between(account.id, citizen).await?;
        Ok::<_, ApiError>(conversation)
    }
    .await;
    match saved {
        Ok(Some(c)) => Redirect::to(&format!("/console/c/{}", c.id.0)).into_response(),
        Ok(None) => Redirect::to(&format!("/console/a/{}/inbox", account.slug)).into_response(),
        Err(e) => viewer.fail(e),
    }
}
