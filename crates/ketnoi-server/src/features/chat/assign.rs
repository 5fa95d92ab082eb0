//! Assigning conversations to officers, by hand or in turn, and officers on duty or away: the
//! rules, the API route, the page forms (the conversation page's assignee drop-down, the inbox's
//! duty form) and the task that assigns in turn (turned on with the inbox settings).
//!
//! Whoever may handle a conversation (reply in it) may assign it, reassign it or take it off
//! anyone; the assignee must be someone the policy lets handle the account whose inbox holds it.
//! Assignment does not narrow who sees or answers: the account's other officers keep both. It
//! makes an inbox event (officers' screens follow it live) and changes nothing the citizen sees.
//!
//! With automatic assignment on for an account, a conversation that comes to need a person with
//! nobody assigned (the bot handed it off, another account sent it here, or the citizen wrote
//! to an account without a bot) goes to the next officer in turn among those who may handle the
//! account and are on duty; officers who set themselves away are skipped. It never takes a
//! conversation from someone who has it.

use axum::{
    Json,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use ketnoi_core::{
    Account, Conversation, StaffId, Timestamp,
    policy::{self, Action},
};
use ketnoi_store::{ChatApplied, ChatRefusal, ChatWrite};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    features::chat::{
        scope as chat_scope,
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
    let (conversation, _) = chat_scope::handled_conversation(state, caller, id).await?;
    let account = state.store.account(conversation.handler).await?;
    Ok((conversation, account.ok_or(ApiError::NotFound("conversation"))?))
}

/// Assigns the conversation to `assignee` (or to nobody). Someone who may not handle the
/// account is refused with 422 and nothing changes.
pub(crate) async fn assign(
    state: &ChatState,
    conversation: &Conversation,
    account: &Account,
    assignee: Option<StaffId>,
) -> Result<Conversation, ApiError> {
    if let Some(staff) = assignee
        && !handlers(state, account).await?.iter().any(|h| h.id == staff)
    {
        return Err(ApiError::Unprocessable("assignee-cannot-handle"));
    }
    let write = ChatWrite::Assign {
        conversation: conversation.id,
        assignee,
        only_if_unassigned: false,
        at: Timestamp::now(),
    };
    match state.chat.write(write).await? {
        Ok(ChatApplied::Changed { conversation, .. }) => Ok(conversation),
        Ok(_) => Err(ApiError::Internal(anyhow::anyhow!("an assignment answered as a send"))),
        Err(refusal) => Err(crate::features::chat::service::refused(refusal)),
    }
}

/// The next officer in turn on an account, among those who may handle it and are on duty;
/// `None` when automatic assignment is off or nobody is on duty.
pub(crate) async fn next_in_turn(
    state: &Kernel,
    account: &Account,
) -> Result<Option<StaffId>, ApiError> {
    if !crate::features::chat::response::settings(state, account).await?.auto_assign {
        return Ok(None);
    }
    let mut on_duty: Vec<StaffId> =
        handlers(state, account).await?.into_iter().filter(|h| !h.away).map(|h| h.id).collect();
    on_duty.sort_unstable();
    Ok(state.store.next_in_turn(account.id, &on_duty).await?)
}

/// Assigns, in turn, the conversations that come to wait for a person with nobody assigned,
/// on the accounts that want it; runs until the chat service stops.
pub(crate) async fn assign_in_turn(state: ChatState) {
    let Some(mut waiting) = state.chat.take_waiting() else { return };
    while let Some(conversation) = waiting.recv().await {
        if let Err(e) = assign_one(&state, &conversation).await {
            tracing::warn!(error = ?e, conversation = conversation.id.0, "automatic assignment failed");
        }
    }
}

async fn assign_one(state: &ChatState, conversation: &Conversation) -> Result<(), ApiError> {
    // Several messages may queue it before the first assignment lands: the turn moves once.
    let Some(conversation) = state.store.conversation(conversation.id).await? else {
        return Ok(());
    };
    if conversation.assignee.is_some() {
        return Ok(());
    }
    let Some(account) = state.store.account(conversation.handler).await? else { return Ok(()) };
    // A conversation the account's bot is answering needs nobody yet.
    if conversation.bot == ketnoi_core::BotState::Active
        && state.store.bot_settings(account.id).await?.enabled
    {
        return Ok(());
    }
    let Some(staff) = next_in_turn(state, &account).await? else { return Ok(()) };
    let write = ChatWrite::Assign {
        conversation: conversation.id,
        assignee: Some(staff),
        only_if_unassigned: true,
        at: Timestamp::now(),
    };
    match state.chat.write(write).await? {
        Ok(_) | Err(ChatRefusal::NoConversation | ChatRefusal::NoStaff) => Ok(()),
        Err(refusal) => Err(crate::features::chat::service::refused(refusal)),
    }
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
    let back = format!("/console/c/{id}");
    if let Some(stop) = viewer.stop_form(true, &back, form.csrf.as_deref()) {
        return stop;
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
