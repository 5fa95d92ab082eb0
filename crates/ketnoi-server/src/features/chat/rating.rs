//! Citizens rate how their question was answered: once a conversation is settled (closed), its
//! citizen may give it 1–5 stars and a comment, once per settlement (a conversation reopened and
//! settled again may be rated again). The officers who handle it see the ratings on its page.
//! The API route, the citizen's form on their chat page, and the officers' list.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use ketnoi_core::{
    Conversation, ConversationId, ConversationStatus, Rating, StoredRating, Timestamp,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    features::chat::service::ChatState,
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        pages::{PageForm, Tr, Viewer, encode},
        state::Kernel,
        views::ProblemView,
    },
};

/// Rates the conversation's latest settlement as its citizen. 422 while it is open; 409 when
/// that settlement was rated already. Nothing changes on either.
async fn rate(
    state: &Kernel,
    conversation: &Conversation,
    stars: i64,
    comment: &str,
) -> Result<StoredRating, ApiError> {
    let rating = Rating::new(stars, comment)?;
    let resolved_at = match (conversation.status, conversation.resolved_at) {
        (ConversationStatus::Closed, Some(at)) => at,
        _ => return Err(ApiError::Unprocessable("rating-not-closed")),
    };
    Ok(state
        .store
        .rate(conversation.id, resolved_at, conversation.handler, &rating, Timestamp::now())
        .await?)
}

/// Whether the conversation's latest settlement can still be rated.
async fn may_rate(state: &Kernel, conversation: &Conversation) -> Result<bool, ApiError> {
    let Some(resolved) =
        conversation.resolved_at.filter(|_| conversation.status == ConversationStatus::Closed)
    else {
        return Ok(false);
    };
    let given = state.store.ratings(conversation.id).await?;
    Ok(!given.iter().any(|r| r.resolved_at == resolved))
}

/// The citizen's own conversation `id`; everyone else is told it does not exist, officers
/// that only citizens rate.
async fn citizens_own(state: &Kernel, caller: &Caller, id: i64) -> Result<Conversation, ApiError> {
    let citizen = match caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { citizen, .. } => citizen.id,
        _ => return Err(ApiError::Forbidden),
    };
    match state.store.conversation(ConversationId(id)).await? {
        Some(c) if c.citizen == citizen => Ok(c),
        _ => Err(ApiError::NotFound("conversation")),
    }
}

/// A rating as given.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingRequest {
    /// 1 (poor) to 5 (excellent).
    stars: i64,
    /// What the citizen adds (at most 500 characters).
    #[serde(default)]
    comment: String,
}

/// A rating as shown.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RatingView {
    stars: u8,
    comment: String,
    /// When the rated settlement was (RFC 3339).
    resolved_at: String,
    /// When it was rated (RFC 3339).
    created_at: String,
}

impl From<&StoredRating> for RatingView {
    fn from(r: &StoredRating) -> Self {
        Self {
            stars: r.rating.stars,
            comment: r.rating.comment.clone(),
            resolved_at: r.resolved_at.rfc3339(),
            created_at: r.created_at.rfc3339(),
        }
    }
}

/// The conversation's citizen rates how it was settled: once per settlement, only while it is
/// closed.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/rating", tag = "conversations",
    request_body = RatingRequest, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 201, description = "Recorded", body = RatingView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Only citizens rate", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "This settlement was rated already", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Stars outside 1–5, the comment too long, or the conversation open", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn rate_conversation(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<RatingRequest>,
) -> Result<(StatusCode, Json<RatingView>), ApiError> {
    let conversation = citizens_own(&state, &caller, id).await?;
    let stored = rate(&state, &conversation, body.stars, &body.comment).await?;
    Ok((StatusCode::CREATED, Json(RatingView::from(&stored))))
}

/// A conversation's ratings, on the citizen's page (the form, or their thanks) and on the
/// officers' (what citizens said).
pub(crate) struct RatingPanel {
    /// Where the citizen's form posts, while they may rate.
    pub(crate) action: Option<String>,
    /// `(stars as text, comment, when)`, oldest first.
    pub(crate) given: Vec<(String, String, String)>,
}

fn stars(t: &Tr, n: u8) -> String {
    let filled = "★".repeat(usize::from(n));
    let empty = "☆".repeat(usize::from(5 - n.min(5)));
    format!("{filled}{empty} ({})", t.count("rating-stars", i64::from(n)))
}

/// The panel for the conversation's citizen (on `/a/{slug}/chat`): the form while they may
/// rate, else what they gave; `None` when there is nothing to show.
pub(crate) async fn citizen_panel(
    state: &Kernel,
    t: &Tr,
    conversation: &Conversation,
    slug: &str,
) -> Result<Option<RatingPanel>, ApiError> {
    let given = state.store.ratings(conversation.id).await?;
    let action =
        may_rate(state, conversation).await?.then(|| format!("/a/{}/chat/rating", encode(slug)));
    let latest: Vec<_> = given
        .iter()
        .rev()
        .take(1)
        .filter(|_| conversation.status == ConversationStatus::Closed)
        .map(|r| (stars(t, r.rating.stars), r.rating.comment.clone(), r.created_at.display_vn()))
        .collect();
    if action.is_none() && latest.is_empty() {
        return Ok(None);
    }
    Ok(Some(RatingPanel { action, given: latest }))
}

/// The panel for officers: every rating the conversation received; `None` when none.
pub(crate) async fn staff_panel(
    state: &Kernel,
    t: &Tr,
    conversation: &Conversation,
) -> Result<Option<RatingPanel>, ApiError> {
    let given: Vec<_> = state
        .store
        .ratings(conversation.id)
        .await?
        .iter()
        .map(|r| (stars(t, r.rating.stars), r.rating.comment.clone(), r.created_at.display_vn()))
        .collect();
    Ok((!given.is_empty()).then_some(RatingPanel { action: None, given }))
}

/// The citizen's rating form as posted.
#[derive(Debug, Deserialize)]
pub(crate) struct RatingForm {
    csrf: Option<String>,
    #[serde(default)]
    stars: String,
    #[serde(default)]
    comment: String,
}

/// Rates from the citizen's chat page, then goes back to it with thanks.
pub(crate) async fn rate_page(
    viewer: Viewer<ChatState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    PageForm(form): PageForm<RatingForm>,
) -> Response {
    let back = format!("/a/{}/chat", encode(&slug));
    if let Some(stop) = viewer.stop_form(false, &back, form.csrf.as_deref()) {
        return stop;
    }
    let result = async {
        let Caller::Citizen { citizen, .. } = &viewer.caller else {
            return Err(ApiError::Forbidden);
        };
        let account = viewer.state.account(&slug).await?;
        let conversation = viewer
            .state
            .store
            .conversation_between(account.id, citizen.id)
            .await?
            .ok_or(ApiError::NotFound("conversation"))?;
        let stars = form.stars.trim().parse().unwrap_or(0);
        rate(&viewer.state, &conversation, stars, &form.comment).await
    };
    match result.await {
        Ok(_) => Redirect::to(&format!("{back}?done=rated#rating")).into_response(),
        Err(e) => viewer.fail(e),
    }
}
