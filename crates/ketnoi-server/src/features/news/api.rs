//! The news API: articles, broadcasts, the citizen's feed and ward, follower tags, and browsers'
//! push subscriptions.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use ketnoi_core::{
    Account, ArticleId, ArticleState, AuditAction, BroadcastId, CitizenId, Timestamp,
    policy::Action,
};
use ketnoi_store::{AlertInfo, ArticleDraft, FeedCursor, FeedQuery};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::features::news::{
    render,
    service::{BroadcastRequest, NewsState},
    views::{AlertView, ArticleView, BroadcastView, FeedPage},
};
use crate::kernel::{
    audit::{RequestId, record},
    auth::Caller,
    error::ApiError,
    extract::{Json as JsonBody, Path, Query},
    views::ProblemView,
};

/// The largest request body: an article of 100,000 characters of up to four bytes each, in JSON.
pub const MAX_BODY: usize = 512 * 1024;

pub(crate) fn router() -> Router<NewsState> {
    Router::new()
        .route("/accounts/{slug}/articles", get(list_articles).post(create_article))
        .route("/accounts/{slug}/articles/{id}", get(get_article).put(update_article))
        .route("/accounts/{slug}/broadcasts", get(list_broadcasts).post(send_broadcast))
        .route("/accounts/{slug}/broadcasts/{id}", get(get_broadcast))
        .route("/accounts/{slug}/broadcasts/{id}/cancel", post(cancel_broadcast))
        .route("/accounts/{slug}/audience", post(count_audience))
        .route("/accounts/{slug}/followers/{citizen}/tags", put(set_tags))
        .route("/accounts/{slug}/broadcast-quota", put(set_quota))
        .route("/me/feed", get(feed))
        .route("/me/area", get(my_area).put(set_my_area))
        .route("/me/push-subscriptions", post(subscribe).delete(unsubscribe))
        .route("/push/key", get(push_key))
        .route("/broadcasts/{id}/open", post(open))
}

/// The account at `slug` if the caller may publish its news.
pub(crate) async fn publishable(
    state: &NewsState,
    caller: &Caller,
    slug: &str,
) -> Result<Account, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let account = state.account(slug).await?;
    let ancestry = state.store.agency_ancestry(account.agency).await?;
    caller.require(Action::PublishNews, Some(&ancestry))?;
    Ok(account)
}

/// The account at `slug` if the caller may send its broadcasts: who may publish its news, or
/// its own integration with the `broadcast` scope.
pub(crate) async fn broadcaster(
    state: &NewsState,
    caller: &Caller,
    slug: &str,
) -> Result<Account, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let account = state.account(slug).await?;
    let ancestry = state.store.agency_ancestry(account.agency).await?;
    caller.require_broadcast(&account, &ancestry)?;
    Ok(account)
}

/// A page of a list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct PageQuery {
    /// The `next` of the previous page.
    before: Option<String>,
    /// 1–100, default 20.
    limit: Option<i64>,
}

impl PageQuery {
    fn parts(&self) -> Result<(Option<FeedCursor>, i64), ApiError> {
        let before = match self.before.as_deref().filter(|b| !b.is_empty()) {
            Some(raw) => {
                Some(FeedCursor::decode(raw).ok_or(ApiError::Unprocessable("invalid-cursor"))?)
            }
            None => None,
        };
        let limit = self.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ApiError::Unprocessable("invalid-limit"));
        }
        Ok((before, limit))
    }
}

/// An account's published articles, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/articles", tag = "news", params(("slug" = String, Path), PageQuery),
    responses((status = 200, body = FeedPage), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_articles(
    State(state): State<NewsState>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<FeedPage>, ApiError> {
    let account = state.account(&slug).await?;
    let (before, limit) = q.parts()?;
    let query = FeedQuery::public_articles(account.id, before, Timestamp::now(), limit);
    let items = state.store.feed(&query).await?;
    Ok(Json(FeedPage::new(&items, std::slice::from_ref(&account), limit)))
}

/// An article as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArticleBody {
    title: String,
    #[serde(default)]
    summary: String,
    /// Markdown.
    body: String,
    /// `draft`, `scheduled` or `published` (default `draft`); `withdrawn` takes it down.
    #[serde(default)]
    state: Option<String>,
    /// For `scheduled`: when, RFC 3339.
    #[serde(default)]
    publish_at: Option<String>,
}

/// Checks an article as written and renders its body.
pub(crate) fn draft_of(
    title: &str,
    summary: &str,
    body: &str,
    state: ArticleState,
    publish_at: Option<&str>,
    now: Timestamp,
) -> Result<ArticleDraft, ApiError> {
    use ketnoi_core::news::{MAX_BODY_CHARS, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS};
    let bounded =
        |raw: &str, field: &'static str, min: usize, max: usize| -> Result<String, ApiError> {
            let text = ketnoi_text::nfc(raw.trim());
            let len = text.chars().count();
            if len < min || len > max {
                return Err(ketnoi_core::InvalidInput::Length { field, min, max }.into());
            }
            if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
                return Err(ketnoi_core::InvalidInput::ControlCharacter { field }.into());
            }
            Ok(text.replace("\r\n", "\n"))
        };
    let title = bounded(title, "title", 1, MAX_TITLE_CHARS)?;
    if title.contains('\n') {
        return Err(ketnoi_core::InvalidInput::ControlCharacter { field: "title" }.into());
    }
    let body = bounded(body, "body", 1, MAX_BODY_CHARS)?;
    let mut summary = bounded(summary, "summary", 0, MAX_SUMMARY_CHARS)?;
    if summary.is_empty() {
        summary = render::plain_text(&body, 200);
    }
    let publish_at = match (state, publish_at.map(str::trim).filter(|p| !p.is_empty())) {
        (ArticleState::Scheduled, None) => {
            return Err(ApiError::BadField { code: "schedule-missing", field: "publish_at" });
        }
        (_, Some(raw)) => {
            let at = Timestamp::parse_moment(raw)
                .ok_or(ApiError::BadField { code: "invalid-moment", field: "publish_at" })?;
            if state == ArticleState::Scheduled && at.millis() < now.millis() - 60_000 {
                return Err(ApiError::BadField { code: "schedule-in-past", field: "publish_at" });
            }
            Some(at)
        }
        (_, None) => None,
    };
    Ok(ArticleDraft {
        body_html: render::markdown(&body),
        title,
        summary,
        body,
        cover: None,
        state,
        publish_at,
    })
}

fn state_of(raw: Option<&str>) -> Result<ArticleState, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(ArticleState::Draft),
        Some(s) => Ok(s.parse()?),
    }
}

/// Writes an article (staff who may publish the account's news).
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/articles", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ArticleBody,
    responses((status = 201, body = ArticleView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn create_article(
    State(state): State<NewsState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<ArticleBody>,
) -> Result<(StatusCode, Json<ArticleView>), ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    let now = Timestamp::now();
    let draft = draft_of(
        &body.title,
        &body.summary,
        &body.body,
        state_of(body.state.as_deref())?,
        body.publish_at.as_deref(),
        now,
    )?;
    let author = match &caller {
        Caller::Staff { staff, .. } => Some(staff.id),
        _ => None,
    };
    let slug = ketnoi_core::news::article_slug(&draft.title);
    let article = state.store.create_article(account.id, &slug, &draft, author, now).await?;
    Ok((StatusCode::CREATED, Json(ArticleView::new(&account, &article, true))))
}

/// One article: published ones for anyone, any state for staff who may publish the account's
/// news.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/articles/{id}", tag = "news",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_article(
    State(state): State<NewsState>,
    caller: Caller,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Json<ArticleView>, ApiError> {
    let account = state.account(&slug).await?;
    let article = state
        .store
        .article(ArticleId(id))
        .await?
        .filter(|a| a.account == account.id)
        .ok_or(ApiError::NotFound("article"))?;
    let staff = publishable(&state, &caller, &slug).await.is_ok();
    if !staff && article.state_at(Timestamp::now()) != ArticleState::Published {
        return Err(ApiError::NotFound("article"));
    }
    Ok(Json(ArticleView::new(&account, &article, staff)))
}

/// Rewrites an article, or changes its state.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/articles/{id}", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = ArticleBody,
    responses((status = 200, body = ArticleView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn update_article(
    State(state): State<NewsState>,
    caller: Caller,
    Path((slug, id)): Path<(String, i64)>,
    JsonBody(body): JsonBody<ArticleBody>,
) -> Result<Json<ArticleView>, ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    let found = state.store.article(ArticleId(id)).await?.filter(|a| a.account == account.id);
    let found = found.ok_or(ApiError::NotFound("article"))?;
    let now = Timestamp::now();
    let draft = draft_of(
        &body.title,
        &body.summary,
        &body.body,
        state_of(body.state.as_deref())?,
        body.publish_at.as_deref(),
        now,
    )?;
    let article = state.store.update_article(found.id, &draft, now).await?;
    state.news.forget_article(&account, &article);
    Ok(Json(ArticleView::new(&account, &article, true)))
}

/// A broadcast to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BroadcastBody {
    /// The text, 1–2000 characters.
    text: String,
    /// An article of the account to show as a card.
    #[serde(default)]
    article: Option<i64>,
    /// Buttons: `{"type":"link","label":…,"url":…}` or `{"type":"reply","label":…,"text":…}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    buttons: Vec<ketnoi_core::Button>,
    /// Area codes at any level: followers whose ward lies in one of them.
    #[serde(default)]
    areas: Vec<String>,
    /// Tags: followers carrying one of them.
    #[serde(default)]
    tags: Vec<String>,
    /// When to send, RFC 3339; absent for now.
    #[serde(default)]
    send_at: Option<String>,
    /// Send as an emergency alert (administrators only).
    #[serde(default)]
    emergency: Option<AlertView>,
}

/// The alert details of a request, parsed.
pub(crate) fn alert_of(view: &AlertView) -> Result<AlertInfo, ApiError> {
    let expires_at = match view.expires_at.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        Some(raw) => Some(
            Timestamp::parse_moment(raw)
                .ok_or(ApiError::BadField { code: "invalid-moment", field: "expires_at" })?,
        ),
        None => None,
    };
    Ok(AlertInfo {
        category: view.category.clone(),
        event: view.event.clone(),
        severity: view.severity.clone(),
        urgency: view.urgency.clone(),
        certainty: view.certainty.clone(),
        expires_at,
    })
}

/// Sends a broadcast now, or schedules it.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/broadcasts", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = BroadcastBody,
    responses((status = 201, body = BroadcastView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "The week's broadcasts are used", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn send_broadcast(
    State(state): State<NewsState>,
    caller: Caller,
    request_id: RequestId,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<BroadcastBody>,
) -> Result<(StatusCode, Json<BroadcastView>), ApiError> {
    let account = broadcaster(&state, &caller, &slug).await?;
    let send_at = match body.send_at.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(
            Timestamp::parse_moment(raw)
                .ok_or(ApiError::BadField { code: "invalid-moment", field: "send_at" })?,
        ),
        None => None,
    };
    let request = BroadcastRequest {
        text: body.text,
        article: body.article.map(ArticleId),
        buttons: body.buttons,
        areas: body.areas,
        tags: body.tags,
        send_at,
        emergency: body.emergency.as_ref().map(alert_of).transpose()?,
    };
    let broadcast = state.news.send(&caller, &account, request).await?;
    let object = format!("broadcast:{}", broadcast.id.0);
    let action = AuditAction::BroadcastSent;
    record(&state, &caller, &request_id, action, &object, Some(account.agency)).await?;
    Ok((StatusCode::CREATED, Json(BroadcastView::new(&account, &broadcast, true))))
}

/// The account's broadcasts with their statistics, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/broadcasts", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<BroadcastView>), (status = 403, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_broadcasts(
    State(state): State<NewsState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<BroadcastView>>, ApiError> {
    let account = broadcaster(&state, &caller, &slug).await?;
    let found = state.store.account_broadcasts(account.id, 100).await?;
    Ok(Json(found.iter().map(|b| BroadcastView::new(&account, b, true)).collect()))
}

/// One broadcast with its statistics.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/broadcasts/{id}", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = BroadcastView), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_broadcast(
    State(state): State<NewsState>,
    caller: Caller,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Json<BroadcastView>, ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    let found = state.store.broadcast(BroadcastId(id)).await?.filter(|b| b.account == account.id);
    let found = found.ok_or(ApiError::NotFound("broadcast"))?;
    Ok(Json(BroadcastView::new(&account, &found, true)))
}

/// Cancels a scheduled broadcast; 422 once it has been sent or cancelled.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/broadcasts/{id}/cancel", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = BroadcastView),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn cancel_broadcast(
    State(state): State<NewsState>,
    caller: Caller,
    Path((slug, id)): Path<(String, i64)>,
) -> Result<Json<BroadcastView>, ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    state.news.cancel(&caller, &account, BroadcastId(id)).await?;
    let found =
        state.store.broadcast(BroadcastId(id)).await?.ok_or(ApiError::NotFound("broadcast"))?;
    Ok(Json(BroadcastView::new(&account, &found, true)))
}

/// An audience to count.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AudienceBody {
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// How many followers an audience reaches now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AudienceSize {
    followers: i64,
}

/// Counts the followers an audience would reach, exactly.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/audience", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = AudienceBody,
    responses((status = 200, body = AudienceSize), (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn count_audience(
    State(state): State<NewsState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<AudienceBody>,
) -> Result<Json<AudienceSize>, ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    let audience = crate::features::news::service::audience(&body.areas, &body.tags)?;
    for area in &audience.areas {
        state.store.area(area).await?.ok_or(ApiError::MissingReference("area"))?;
    }
    let followers = state.store.audience_size(account.id, &audience).await?;
    Ok(Json(AudienceSize { followers }))
}

/// A follower's tags on an account.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TagsBody {
    tags: Vec<String>,
}

/// Replaces the tags the account puts on one of its followers.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/followers/{citizen}/tags", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path), ("citizen" = i64, Path)), request_body = TagsBody,
    responses((status = 200, body = TagsBody), (status = 404, description = "Not a follower", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn set_tags(
    State(state): State<NewsState>,
    caller: Caller,
    Path((slug, citizen)): Path<(String, i64)>,
    JsonBody(body): JsonBody<TagsBody>,
) -> Result<Json<TagsBody>, ApiError> {
    let account = publishable(&state, &caller, &slug).await?;
    let tags = ketnoi_core::Tag::parse_list(&body.tags.join(","))?;
    state.store.set_follower_tags(account.id, CitizenId(citizen), &tags).await?;
    Ok(Json(TagsBody { tags: tags.iter().map(|t| t.to_string()).collect() }))
}

/// An account's weekly allowance of broadcasts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuotaBody {
    /// 0–10000, or null for the server's default.
    per_week: Option<i64>,
}

/// Sets an account's weekly broadcast allowance (platform operators).
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/broadcast-quota", tag = "news", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = QuotaBody,
    responses((status = 204), (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn set_quota(
    State(state): State<NewsState>,
    caller: Caller,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<QuotaBody>,
) -> Result<StatusCode, ApiError> {
    caller.require(Action::ManagePlatform, None)?;
    let account = state.account(&slug).await?;
    if body.per_week.is_some_and(|n| !(0..=10_000).contains(&n)) {
        return Err(ApiError::BadField { code: "invalid-quota", field: "per_week" });
    }
    state.store.set_broadcast_quota(account.id, body.per_week).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in citizen's feed: articles and the broadcasts addressed to them from the
/// accounts they follow, newest first.
#[utoipa::path(get, path = "/api/v1/me/feed", tag = "news", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = FeedPage), (status = 401, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn feed(
    State(state): State<NewsState>,
    caller: Caller,
    Query(q): Query<PageQuery>,
) -> Result<Json<FeedPage>, ApiError> {
    let citizen = caller.citizen()?;
    let (before, limit) = q.parts()?;
    let query = FeedQuery::for_citizen(citizen.id, None, before, Timestamp::now(), limit);
    let items = state.store.feed(&query).await?;
    let accounts = crate::features::news::service::accounts_of(&state, &items).await?;
    Ok(Json(FeedPage::new(&items, &accounts, limit)))
}

/// The ward a citizen lives in.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AreaBody {
    /// An area code, or null to clear it.
    area: Option<String>,
}

/// The ward the signed-in citizen chose.
#[utoipa::path(get, path = "/api/v1/me/area", tag = "news", security(("bearer" = [])),
    responses((status = 200, body = AreaBody), (status = 401, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn my_area(
    State(state): State<NewsState>,
    caller: Caller,
) -> Result<Json<AreaBody>, ApiError> {
    let citizen = caller.citizen()?;
    let area = state.store.citizen_area(citizen.id).await?;
    Ok(Json(AreaBody { area: area.map(|a| a.to_string()) }))
}

/// Sets the ward the signed-in citizen lives in: broadcasts to that ward, and to every area
/// above it, reach them from then on.
#[utoipa::path(put, path = "/api/v1/me/area", tag = "news", security(("bearer" = [])), request_body = AreaBody,
    responses((status = 200, body = AreaBody), (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn set_my_area(
    State(state): State<NewsState>,
    caller: Caller,
    JsonBody(body): JsonBody<AreaBody>,
) -> Result<Json<AreaBody>, ApiError> {
    let citizen = caller.citizen()?;
    let area = body
        .area
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(ketnoi_core::AreaCode::parse)
        .transpose()?;
    state.store.set_citizen_area(citizen.id, area.as_ref()).await?;
    Ok(Json(AreaBody { area: area.map(|a| a.to_string()) }))
}

/// The server's VAPID public key.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PushKey {
    /// base64url of the uncompressed P-256 point: `applicationServerKey`.
    public_key: String,
}

/// The key browsers subscribe with.
#[utoipa::path(get, path = "/api/v1/push/key", tag = "news", responses((status = 200, body = PushKey)))]
pub(crate) async fn push_key(State(state): State<NewsState>) -> Json<PushKey> {
    Json(PushKey { public_key: state.push.public_key().to_owned() })
}

/// A browser's subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SubscriptionBody {
    endpoint: String,
    #[serde(default)]
    keys: Option<SubscriptionKeys>,
}

/// The subscription's keys.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct SubscriptionKeys {
    p256dh: String,
    auth: String,
}

/// Registers this browser for notifications: replies, broadcasts and tip replies.
#[utoipa::path(post, path = "/api/v1/me/push-subscriptions", tag = "news", security(("bearer" = [])),
    request_body = SubscriptionBody,
    responses((status = 201), (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn subscribe(
    State(state): State<NewsState>,
    caller: Caller,
    JsonBody(body): JsonBody<SubscriptionBody>,
) -> Result<StatusCode, ApiError> {
    use base64::Engine as _;
    let citizen = caller.citizen()?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let endpoint = body.endpoint.trim();
    if !state.push.accepts_endpoint(endpoint) {
        return Err(ApiError::BadField { code: "push-endpoint", field: "endpoint" });
    }
    let keys = body.keys.ok_or(ApiError::BadField { code: "push-keys", field: "keys" })?;
    let key_ok = b64
        .decode(keys.p256dh.trim_end_matches('='))
        .is_ok_and(|k| p256::PublicKey::from_sec1_bytes(&k).is_ok());
    let auth_ok = b64.decode(keys.auth.trim_end_matches('=')).is_ok_and(|a| a.len() == 16);
    if !key_ok || !auth_ok {
        return Err(ApiError::BadField { code: "push-keys", field: "keys" });
    }
    state
        .store
        .put_push_subscription(
            citizen.id,
            endpoint,
            keys.p256dh.trim_end_matches('='),
            keys.auth.trim_end_matches('='),
            Timestamp::now(),
        )
        .await?;
    Ok(StatusCode::CREATED)
}

/// A subscription to remove.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct EndpointBody {
    endpoint: String,
}

/// Stops notifications to this browser.
#[utoipa::path(delete, path = "/api/v1/me/push-subscriptions", tag = "news", security(("bearer" = [])),
    request_body = EndpointBody,
    responses((status = 204), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn unsubscribe(
    State(state): State<NewsState>,
    caller: Caller,
    JsonBody(body): JsonBody<EndpointBody>,
) -> Result<StatusCode, ApiError> {
    let citizen = caller.citizen()?;
    let mine = state.store.push_subscriptions(citizen.id).await?;
    if !mine.iter().any(|s| s.endpoint == body.endpoint) {
        return Err(ApiError::NotFound("subscription"));
    }
    state.store.delete_push_subscription(&body.endpoint).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that the signed-in citizen opened a broadcast addressed to them.
#[utoipa::path(post, path = "/api/v1/broadcasts/{id}/open", tag = "news", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn open(
    State(state): State<NewsState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let citizen = caller.citizen()?;
    crate::features::news::service::addressed_to(&state, BroadcastId(id), citizen.id).await?;
    state.store.record_open(BroadcastId(id), citizen.id, Timestamp::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
