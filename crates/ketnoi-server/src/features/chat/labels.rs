//! Labels on conversations ("CCCD", "cư trú", "khiếu nại"): the rules, the API routes, and the
//! panel the officer's conversation page shows (its forms post to `label_pages.rs`).
//!
//! Labels are staff-only, like notes: kept in a table of their own, never in a message, an
//! inbox event or a live frame, and never put in a view for the citizen. Whoever may handle a
//! conversation (reply in it) may label it; everyone else is answered as if the conversation
//! did not exist. Two labels differing only by case or diacritics are one label.

use axum::{Json, extract::State};
use ketnoi_core::{ConversationId, InvalidInput, Label};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    features::chat::{assign, service::ChatState},
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        state::Kernel,
        views::ProblemView,
    },
};

/// Replaces a conversation's labels with `raw`: each checked (422 `label-invalid`), those
/// sharing a key collapsed to the first, at most [`ketnoi_core::inbox::MAX_LABELS`] (422 `too-many-labels`).
/// Nothing changes when any is refused.
pub(crate) async fn replace(
    state: &Kernel,
    conversation: ConversationId,
    raw: &[String],
) -> Result<Vec<Label>, ApiError> {
    let labels = Label::parse_set(raw)?.map_err(|_| ApiError::Unprocessable("too-many-labels"))?;
    Ok(state.store.set_labels(conversation, &labels).await?)
}

/// Adds one label to a conversation's (nothing changes if it already carries it).
pub(crate) async fn add(
    state: &Kernel,
    conversation: ConversationId,
    raw: &str,
) -> Result<Vec<Label>, ApiError> {
    let label = Label::parse(raw)?;
    let mut current = state.store.labels(conversation).await?;
    if current.iter().any(|l| l.key() == label.key()) {
        return Ok(current);
    }
    current.push(label);
    let raw: Vec<String> = current.iter().map(Label::to_string).collect();
    replace(state, conversation, &raw).await
}

/// Takes a label (matched by key) off a conversation.
pub(crate) async fn remove(
    state: &Kernel,
    conversation: ConversationId,
    raw: &str,
) -> Result<Vec<Label>, ApiError> {
    let key = ketnoi_text::fold(raw.trim());
    let current = state.store.labels(conversation).await?;
    let kept: Vec<String> =
        current.iter().filter(|l| l.key() != key).map(Label::to_string).collect();
    if kept.len() == current.len() {
        return Ok(current);
    }
    replace(state, conversation, &kept).await
}

/// The labels an inbox filter names, folded; empty means none.
pub(crate) fn filter_key(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    match raw.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(None),
        Some(raw) => Ok(Some(Label::parse(raw)?.key())),
    }
}

/// The labels of a conversation, as its officers' page shows them.
pub(crate) struct LabelsPanel {
    /// Where the add form posts.
    pub(crate) add: String,
    /// Where each label's remove button posts.
    pub(crate) remove: String,
    pub(crate) labels: Vec<String>,
    /// The labels in use on the account's open conversations, offered as the field's choices.
    pub(crate) in_use: Vec<String>,
    /// The label being added, kept when it was refused.
    pub(crate) draft: String,
    /// Why it was refused.
    pub(crate) error: Option<String>,
    /// What the last post did.
    pub(crate) notice: Option<String>,
}

/// Builds the panel for a conversation of `account`, at `base` (`/console/c/{id}`).
pub(crate) async fn panel(
    state: &Kernel,
    base: &str,
    conversation: ConversationId,
    account: ketnoi_core::AccountId,
) -> Result<LabelsPanel, ApiError> {
    let labels = state.store.labels(conversation).await?;
    let in_use = state.store.labels_in_use(account).await?;
    Ok(LabelsPanel {
        add: format!("{base}/labels"),
        remove: format!("{base}/labels/remove"),
        labels: labels.iter().map(Label::to_string).collect(),
        in_use: in_use.into_iter().map(|(l, _)| l.to_string()).collect(),
        draft: String::new(),
        error: None,
        notice: None,
    })
}

/// The page's message for a refused label.
pub(crate) fn refusal_key(e: &ApiError) -> Option<&'static str> {
    match e {
        ApiError::Invalid(InvalidInput::Label) => Some("chat-labels-error-invalid"),
        ApiError::Unprocessable("too-many-labels") => Some("chat-labels-error-too-many"),
        _ => None,
    }
}

/// A conversation's labels.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LabelsAnswer {
    /// Ordered by their folded form.
    labels: Vec<String>,
}

impl LabelsAnswer {
    fn new(labels: &[Label]) -> Self {
        Self { labels: labels.iter().map(Label::to_string).collect() }
    }
}

/// The labels a conversation is to carry.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelsRequest {
    /// Up to 10 labels of 1–40 characters; labels differing only by case or diacritics are
    /// one (the first is kept). An empty list takes every label off.
    labels: Vec<String>,
}

/// A conversation's labels, for the officers who may handle it. They are never shown to the
/// citizen.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/labels", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = LabelsAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn get_labels(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<LabelsAnswer>, ApiError> {
    let (conversation, _) = assign::assign_access(&state, &caller, id).await?;
    Ok(Json(LabelsAnswer::new(&state.store.labels(conversation.id).await?)))
}

/// Replaces a conversation's labels (officers who may handle it). It changes nothing the
/// citizen sees.
#[utoipa::path(put, path = "/api/v1/conversations/{id}/labels", tag = "conversations",
    request_body = LabelsRequest, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, description = "The labels it now carries", body = LabelsAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "`label-invalid`: a label empty, over 40 characters or with a control character; `too-many-labels`: more than 10. Nothing changed.", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_labels(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<LabelsRequest>,
) -> Result<Json<LabelsAnswer>, ApiError> {
    let (conversation, _) = assign::assign_access(&state, &caller, id).await?;
    let labels = replace(&state, conversation.id, &body.labels).await?;
    Ok(Json(LabelsAnswer::new(&labels)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_inbox_filter_is_folded_and_an_empty_one_is_none() {
        assert_eq!(filter_key(Some(" Cư  Trú ")).ok().flatten().as_deref(), Some("cu tru"));
        assert_eq!(filter_key(Some("  ")).ok(), Some(None));
        assert_eq!(filter_key(None).ok(), Some(None));
        assert!(filter_key(Some(&"x".repeat(41))).is_err());
    }
}
