//! Assigning conversations to officers, and officers on duty or away: the rules, the API route
//! and the two page forms (the conversation page's assignee drop-down, the inbox's duty form).
//!
//! Whoever may handle a conversation (reply in it) may assign it, reassign it or take it off
//! anyone; the assignee must be someone the policy lets handle the account. Assignment does not
//! narrow who sees or answers: the account's other officers keep both. It makes no inbox event
//! and changes nothing the citizen sees.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use ketnoi_core::{
    Account, Conversation, ConversationId, StaffId,
    policy::{self, Action},
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    features::chat::{
        scope::{self as chat_scope, Access},
        service::ChatState,
        views::{Audience, ConversationView},
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        pages::{PageForm, Viewer, encode},
        state::Kernel,
        views::ProblemView,
    },
};

/// Someone who may handle an account's conversations, as the assignee list shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handler {
    pub(crate) id: StaffId,
    pub(crate) name: String,
    /// They set themselves away.
    pub(crate) away: bool,
}

/// The staff who may handle (reply in) an account's conversations, by name: exactly those the
/// policy table lets do [`Action::ReplyConversations`] on the account's agency.
pub(crate) async fn handlers(state: &Kernel, account: &Account) -> Result<Vec<Handler>, ApiError> {
    let ancestry = state.store.agency_ancestry(account.agency).await?;
    let candidates = state.store.staff_of_agencies(&ancestry).await?;
    Ok(candidates
        .into_iter()
        .filter(|c| {
            policy::permits(
                c.member.platform_admin,
                &c.grants,
                Action::ReplyConversations,
                Some(&ancestry),
            )
        })
        .map(|c| Handler { id: c.member.id, name: c.member.display_name.to_string(), away: c.away })
        .collect())
}

/// The conversation `id` and its account, if the caller may assign it: 401 for nobody signed
/// in; for everyone else who may not handle it, the same 404 as for a conversation that does
/// not exist.
pub(crate) async fn assign_access(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<(Conversation, Account), ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let hidden = || ApiError::NotFound("conversation");
    let conversation = state.store.conversation(ConversationId(id)).await?.ok_or_else(hidden)?;
    match chat_scope::conversation_access(state, caller, &conversation).await {
        Ok(Access::Staff { reply: true, .. }) => {
            let account = state.store.account(conversation.account).await?.ok_or_else(hidden)?;
            Ok((conversation, account))
        }
        Ok(_) | Err(ApiError::Forbidden | ApiError::NotFound(_)) => Err(hidden()),
        Err(e) => Err(e),
    }
}

/// Assigns the conversation to `assignee` (or to nobody). Someone who may not handle the
/// account is refused with 422 and nothing changes.
pub(crate) async fn assign(
    state: &Kernel,
    conversation: &Conversation,
    account: &Account,
    assignee: Option<StaffId>,
) -> Result<Conversation, ApiError> {
    if let Some(staff) = assignee
        && !handlers(state, account).await?.iter().any(|h| h.id == staff)
    {
        return Err(ApiError::Unprocessable("assignee-cannot-handle"));
    }
    state
        .store
        .set_assignee(conversation.id, assignee)
        .await?
        .ok_or(ApiError::NotFound("conversation"))
}

/// Whom to assign a conversation to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssigneeRequest {
    /// The staff member, who must be allowed to handle the account; `null` to unassign.
    staff_id: Option<i64>,
}

/// Assigns a conversation to a staff member who may handle its account, reassigns it, or
/// (with `null`) unassigns it; for anyone who may handle it. The account's other officers
/// still see and answer it; the citizen sees nothing of it.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/assignee", tag = "conversations",
    request_body = AssigneeRequest, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, description = "The conversation, with its `assignee_id`", body = ConversationView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "The staff member may not handle the account", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn set_assignee(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<AssigneeRequest>,
) -> Result<Json<ConversationView>, ApiError> {
    let (conversation, account) = assign_access(&state, &caller, id).await?;
    let done = assign(&state, &conversation, &account, body.staff_id.map(StaffId)).await?;
    Ok(Json(ConversationView::new(&done, Audience::Staff)))
}

/// The assignee drop-down as posted: a staff id, or empty for nobody.
#[derive(Debug, Deserialize)]
pub(crate) struct AssignForm {
    csrf: Option<String>,
    #[serde(default)]
    staff_id: String,
}

/// Assigns from the conversation page, then goes back to it with a notice.
pub(crate) async fn assign_page(
    viewer: Viewer<ChatState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    PageForm(form): PageForm<AssignForm>,
) -> Response {
    if matches!(viewer.caller, Caller::Anonymous) {
        return viewer.to_sign_in_then(true, &format!("/console/c/{id}"));
    }
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let assignee = match form.staff_id.trim() {
        "" => None,
        raw => match raw.parse() {
            Ok(n) => Some(StaffId(n)),
            Err(_) => return viewer.fail(ApiError::Unprocessable("assignee-cannot-handle")),
        },
    };
    let result = match assign_access(&viewer.state, &viewer.caller, id).await {
        Ok((conversation, account)) => {
            assign(&viewer.state, &conversation, &account, assignee).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/console/c/{id}?done=assign#assign")).into_response(),
        Err(e) => viewer.fail(e),
    }
}

/// The duty form as posted: `away` or `on-duty`.
#[derive(Debug, Deserialize)]
pub(crate) struct DutyForm {
    csrf: Option<String>,
    #[serde(default)]
    duty: String,
}

/// An officer sets themself on duty or away from an inbox page, then goes back to it.
pub(crate) async fn duty_page(
    viewer: Viewer<ChatState>,
    axum::extract::Path(slug): axum::extract::Path<String>,
    PageForm(form): PageForm<DutyForm>,
) -> Response {
    let back = format!("/console/a/{}/inbox", encode(&slug));
    let Caller::Staff { staff, .. } = &viewer.caller else {
        if matches!(viewer.caller, Caller::Anonymous) {
            return viewer.to_sign_in_then(true, &back);
        }
        return viewer.fail(ApiError::Forbidden);
    };
    if let Err(e) = viewer.check_form(form.csrf.as_deref()) {
        return viewer.fail(e);
    }
    let away = match form.duty.as_str() {
        "away" => true,
        "on-duty" => false,
        _ => {
            let e = ketnoi_core::InvalidInput::Choice { field: "duty", choices: "away, on-duty" };
            return viewer.fail(e.into());
        }
    };
    match viewer.state.store.set_staff_away(staff.id, away).await {
        Ok(_) => Redirect::to(&format!("{back}?done=duty")).into_response(),
        Err(e) => viewer.fail(e.into()),
    }
}
