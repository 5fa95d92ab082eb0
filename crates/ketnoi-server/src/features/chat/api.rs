//! Conversations over HTTP: sending, history, inboxes, reads, closing, attachments, and the
//! routes of officers' internal notes (in `notes.rs`), assignment (`assign.rs`), labels
//! (`labels.rs`), canned replies (`canned.rs`), handovers (`transfer.rs`) and inbox settings
//! (`response.rs`).
//!
//! Live delivery is the WebSocket's job (`/api/v1/ws`); everything here also works without it.

use axum::{
    Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State, rejection::BytesRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post, put},
};
use ketnoi_core::{
    Account, AccountId, AttachmentId, Author, Button, ClientMsgId, Content, Conversation,
    ConversationId, ConversationStatus, MessageKind, Side, Timestamp,
};
use ketnoi_store::{AssigneeFilter, ChatApplied, ChatWrite, InboxQuery, MessageRange, Recipient};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::kernel::state::Kernel;
use crate::{
    features::chat::{
        assign, canned, labels, notes, rating, response,
        scope::{self as chat_scope, Access},
        service::{ChatState, check_not_stale, refused},
        transfer, upload,
        views::{AttachmentView, Audience, ConversationView, MessageView, SentView},
    },
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path, Query},
        views::{AccountView, ProblemView},
    },
};

pub(crate) fn router(max_upload: usize) -> Router<ChatState> {
    // Room for the multipart framing around the largest allowed file.
    let upload_limit = DefaultBodyLimit::max(max_upload + 64 * 1024);
    Router::new()
        .route("/accounts/{slug}/messages", post(send_to_account))
        .route("/accounts/{slug}/conversations", get(inbox))
        .route(
            "/accounts/{slug}/inbox-settings",
            get(response::get_settings).put(response::put_settings),
        )
        .route("/accounts/{slug}/attachments", post(upload_to_account).layer(upload_limit))
        .route("/me/conversations", get(my_conversations))
        .route("/conversations/{id}", get(conversation_detail))
        .route("/conversations/{id}/messages", get(history).post(send_in_conversation))
        .route("/conversations/{id}/read", post(mark_read))
        .route("/conversations/{id}/close", post(close))
        .route("/conversations/{id}/reopen", post(reopen))
        .route("/conversations/{id}/notes", get(notes::list_notes).post(notes::add_note))
        .route("/conversations/{id}/assignee", post(assign::set_assignee))
        .route("/conversations/{id}/transfer", post(transfer::transfer))
        .route("/conversations/{id}/rating", post(rating::rate_conversation))
        .route("/conversations/{id}/labels", get(labels::get_labels).put(labels::put_labels))
        .route("/conversations/{id}/canned-replies", get(canned::in_conversation))
        .route(
            "/accounts/{slug}/canned-replies",
            get(canned::list_for_account).post(canned::create_for_account),
        )
        .route(
            "/agencies/{code}/canned-replies",
            get(canned::list_for_agency).post(canned::create_for_agency),
        )
        .route("/canned-replies/{id}", put(canned::put_reply).delete(canned::delete_reply))
        .route("/conversations/{id}/attachments", post(upload_to_conversation).layer(upload_limit))
        .route("/attachments/{id}", get(download))
        .route("/ws", get(crate::features::chat::ws::upgrade))
}

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendBody {
    /// The client's id for this message (1–64 of `A-Z a-z 0-9 - _`, a UUID fits). Sending
    /// again with the same id returns the stored message; a different message under the same
    /// id is refused with 409.
    pub client_msg_id: String,
    /// The text, or the caption of an attachment.
    #[serde(default)]
    pub text: String,
    /// An attachment uploaded to this conversation by the same sender.
    pub attachment: Option<i64>,
    /// Buttons (accounts only): `{"type":"link","label","url"}` or
    /// `{"type":"reply","label","text"}`.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub buttons: Vec<Button>,
    /// Officers: the newest message number they saw. If another officer (or the integration)
    /// answered after it, the reply is not sent: 409 `reply-stale`, so it is not a duplicate.
    pub after_seq: Option<i64>,
}

async fn conversation(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<(Conversation, Access), ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let conversation = state
        .store
        .conversation(ConversationId(id))
        .await?
        .ok_or(ApiError::NotFound("conversation"))?;
    let access = chat_scope::conversation_access(state, caller, &conversation).await?;
    Ok((conversation, access))
}

/// Builds the content of a message from a request body.
pub(crate) async fn content(
    state: &ChatState,
    body: &SendBody,
    may_use_buttons: bool,
) -> Result<Content, ApiError> {
    if !body.buttons.is_empty() {
        if !may_use_buttons {
            return Err(ApiError::Forbidden);
        }
        return Ok(Content::structured(&body.text, body.buttons.clone())?);
    }
    match body.attachment {
        Some(id) => {
            let kind = match state.store.attachment(AttachmentId(id)).await? {
                Some(a) => a.attachment.kind,
                None => return Err(ApiError::Unprocessable("bad-attachment")),
            };
            Ok(Content::attachment(kind, AttachmentId(id), &body.text)?)
        }
        None => Ok(Content::text(&body.text)?),
    }
}

/// Sends a write and turns its outcome into the answer: 201 for a new message, 200 for a
/// repeated one.
pub(crate) async fn deliver(
    state: &ChatState,
    write: ChatWrite,
    audience: Audience,
) -> Result<(StatusCode, SentView), ApiError> {
    if let ChatWrite::Send { author, .. } = &write {
        crate::features::chat::service::limit_sends(state, *author)?;
    }
    match state.chat.write(write).await? {
        Ok(ChatApplied::Sent { message, conversation, event }) => {
            let status = if event.is_some() { StatusCode::CREATED } else { StatusCode::OK };
            let view = SentView {
                message: state.chat.message_view(&message, audience).await?,
                conversation: ConversationView::new(&conversation, audience),
            };
            Ok((status, view))
        }
        Ok(ChatApplied::Changed { .. } | ChatApplied::Transferred { .. }) => {
            Err(ApiError::Internal(anyhow::anyhow!("a send answered as a change")))
        }
        Err(refusal) => Err(refused(refusal)),
    }
}

/// A citizen writes to an account; the first message opens their conversation.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/messages", tag = "conversations",
    request_body = SendBody, security(("bearer" = [])),
    params(("slug" = String, Path, description = "The account")),
    responses(
        (status = 201, description = "Stored (durably) and delivered", body = SentView),
        (status = 200, description = "Already stored under this client_msg_id", body = SentView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Only citizens write to an account", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "client_msg_id reused for a different message", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn send_to_account(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
    extract::Json(body): extract::Json<SendBody>,
) -> Result<(StatusCode, Json<SentView>), ApiError> {
    let citizen = caller.citizen()?;
    let account = state.account(&slug).await?;
    let write = ChatWrite::Send {
        to: Recipient::Account { account: account.id, citizen_label: citizen.phone.masked() },
        author: Author::Citizen(citizen.id),
        author_name: String::new(),
        client_msg_id: ClientMsgId::parse(&body.client_msg_id)?,
        content: content(&state, &body, false).await?,
        at: Timestamp::now(),
        bot: None,
    };
    let (status, view) = deliver(&state, write, Audience::Citizen).await?;
    Ok((status, Json(view)))
}

/// Sends a message in a conversation: the citizen, or an officer replying.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    request_body = SendBody, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses(
        (status = 201, body = SentView), (status = 200, body = SentView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 409, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn send_in_conversation(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<SendBody>,
) -> Result<(StatusCode, Json<SentView>), ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    access.require_reply()?;
    let (author, name, audience) = match access {
        Access::Citizen(c) => (Author::Citizen(c), String::new(), Audience::Citizen),
        Access::Staff { author, name, .. } => (author, name, Audience::Staff),
    };
    if audience == Audience::Staff {
        check_not_stale(state.store.as_ref(), &conv, author, body.after_seq).await?;
    }
    let write = ChatWrite::Send {
        to: Recipient::Conversation(conv.id),
        author,
        author_name: name,
        client_msg_id: ClientMsgId::parse(&body.client_msg_id)?,
        content: content(&state, &body, audience == Audience::Staff).await?,
        at: Timestamp::now(),
        bot: crate::features::chat::service::state_after(author),
    };
    let (status, view) = deliver(&state, write, audience).await?;
    Ok((status, Json(view)))
}

/// A conversation with its account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ConversationAnswer {
    conversation: ConversationView,
    account: AccountView,
    /// Response times in working time (officers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<response::ResponseView>,
}

/// One conversation.
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = ConversationAnswer),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn conversation_detail(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ConversationAnswer>, ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    let account =
        state.store.account(conv.account).await?.ok_or(ApiError::NotFound("conversation"))?;
    // Officers see the response figures under the settings of the inbox that holds it.
    let response = match access {
        Access::Staff { .. } => {
            let holder = state.store.account(conv.handler).await?;
            let holder = holder.ok_or(ApiError::NotFound("conversation"))?;
            let settings = response::settings(&state, &holder).await?;
            Some(response::ResponseView::from(&response::figures(
                &conv,
                &settings,
                Timestamp::now(),
            )))
        }
        Access::Citizen(_) => None,
    };
    Ok(Json(ConversationAnswer {
        conversation: ConversationView::new(&conv, audience(&access)),
        account: AccountView::from(&account),
        response,
    }))
}

fn audience(access: &Access) -> Audience {
    match access {
        Access::Citizen(_) => Audience::Citizen,
        Access::Staff { .. } => Audience::Staff,
    }
}

/// Which messages to list.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct HistoryParams {
    /// Only messages before this number (loading older history).
    before: Option<i64>,
    /// Only messages after this number (catching up).
    after: Option<i64>,
    /// How many, 1–200 (default 50).
    limit: Option<i64>,
}

/// Messages, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryAnswer {
    messages: Vec<MessageView>,
}

/// A conversation's messages: the newest, or a page before or after a number.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation"), HistoryParams),
    responses((status = 200, body = HistoryAnswer),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn history(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<HistoryParams>,
) -> Result<Json<HistoryAnswer>, ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::Unprocessable("invalid-limit"));
    }
    let range = match (p.before, p.after) {
        (Some(_), Some(_)) => return Err(ApiError::Unprocessable("invalid-range")),
        (Some(seq), None) => MessageRange::Before { seq, limit },
        (None, Some(seq)) => MessageRange::After { seq, limit },
        (None, None) => MessageRange::Latest { limit },
    };
    let audience = audience(&access);
    let mut messages = Vec::new();
    for m in state.store.messages(conv.id, range).await? {
        messages.push(state.chat.message_view(&m, audience).await?);
    }
    Ok(Json(HistoryAnswer { messages }))
}

/// How far the caller has read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReadBody {
    /// The last message read.
    seq: i64,
}

/// Marks a conversation read up to a message, for the caller's side.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "conversations",
    request_body = ReadBody, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = ConversationView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn mark_read(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<ReadBody>,
) -> Result<Json<ConversationView>, ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    access.require_reply()?;
    let side = match access {
        Access::Citizen(_) => Side::Citizen,
        Access::Staff { .. } => Side::Account,
    };
    let write =
        ChatWrite::Read { conversation: conv.id, side, seq: body.seq, at: Timestamp::now() };
    changed(&state, write, audience(&access)).await
}

/// Applies a change to a conversation and answers with the conversation after it.
pub(crate) async fn changed(
    state: &ChatState,
    write: ChatWrite,
    audience: Audience,
) -> Result<Json<ConversationView>, ApiError> {
    match state.chat.write(write).await? {
        Ok(
            ChatApplied::Changed { conversation, .. }
            | ChatApplied::Sent { conversation, .. }
            | ChatApplied::Transferred { conversation, .. },
        ) => Ok(Json(ConversationView::new(&conversation, audience))),
        Err(refusal) => Err(refused(refusal)),
    }
}

async fn set_status(
    state: ChatState,
    caller: Caller,
    id: i64,
    status: ConversationStatus,
) -> Result<Json<ConversationView>, ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    if !matches!(access, Access::Staff { reply: true, .. }) {
        return Err(ApiError::Forbidden);
    }
    let write = ChatWrite::SetStatus { conversation: conv.id, status, at: Timestamp::now() };
    changed(&state, write, Audience::Staff).await
}

/// Closes a conversation (officers).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/close", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = ConversationView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn close(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ConversationView>, ApiError> {
    set_status(state, caller, id, ConversationStatus::Closed).await
}

/// Reopens a conversation (officers).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/reopen", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = ConversationView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn reopen(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<ConversationView>, ApiError> {
    set_status(state, caller, id, ConversationStatus::Open).await
}

/// A citizen's conversation, with its account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct MyConversationsAnswer {
    conversations: Vec<ConversationAnswer>,
}

/// The signed-in citizen's conversations, most recent first, with unread counts.
#[utoipa::path(get, path = "/api/v1/me/conversations", tag = "conversations",
    security(("bearer" = [])),
    responses((status = 200, body = MyConversationsAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn my_conversations(
    State(state): State<ChatState>,
    caller: Caller,
) -> Result<Json<MyConversationsAnswer>, ApiError> {
    let citizen = caller.citizen()?;
    let mut conversations = Vec::new();
    for (conv, account) in citizen_conversations(&state, citizen.id).await? {
        conversations.push(ConversationAnswer {
            conversation: ConversationView::new(&conv, Audience::Citizen),
            account: AccountView::from(&account),
            response: None,
        });
    }
    Ok(Json(MyConversationsAnswer { conversations }))
}

/// A citizen's conversations with their accounts.
pub(crate) async fn citizen_conversations(
    state: &Kernel,
    citizen: ketnoi_core::CitizenId,
) -> Result<Vec<(Conversation, Account)>, ApiError> {
    let mut out = Vec::new();
    for conv in state.store.citizen_conversations(citizen, 200).await? {
        if let Some(account) = state.store.account(conv.account).await? {
            out.push((conv, account));
        }
    }
    Ok(out)
}

/// An inbox page.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct InboxParams {
    /// `open` (default) or `closed`.
    status: Option<String>,
    /// Words in a message or the citizen's masked number, with or without diacritics.
    q: Option<String>,
    /// The `next` value of the previous page.
    before: Option<String>,
    /// Page size, 1–100 (default 30).
    limit: Option<i64>,
    /// `person`: only conversations waiting for or taken by an officer; `bot`: only those the
    /// bot is handling [default: all].
    handler: Option<String>,
    /// `me`: only conversations assigned to the caller; `none`: only unassigned ones; a staff
    /// id: only those assigned to that member [default: all].
    assignee: Option<String>,
    /// `true`: only those whose citizen has waited longer than the account's response target,
    /// in working time [default: all].
    overdue: Option<bool>,
    /// Only conversations carrying this label, with or without diacritics or capitals
    /// [default: all].
    label: Option<String>,
}

/// A page of an account's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct InboxAnswer {
    conversations: Vec<ConversationView>,
    /// Pass as `before` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

/// Parses an inbox query.
pub(crate) fn inbox_query(
    account: AccountId,
    status: Option<&str>,
    q: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> Result<InboxQuery, ApiError> {
    let status = status.filter(|s| !s.is_empty()).unwrap_or("open").parse()?;
    let text = q.map(|q| ketnoi_text::nfc(q.trim())).filter(|q| !q.is_empty());
    if text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ketnoi_core::InvalidInput::Length { field: "q", min: 0, max: 200 }.into());
    }
    let before = match before.filter(|b| !b.is_empty()) {
        Some(b) => {
            let parsed = b.split_once('.').and_then(|(at, id)| {
                Some((Timestamp(at.parse().ok()?), ConversationId(id.parse().ok()?)))
            });
            Some(parsed.ok_or(ApiError::Unprocessable("invalid-cursor"))?)
        }
        None => None,
    };
    if !(1..=100).contains(&limit) {
        return Err(ApiError::Unprocessable("invalid-limit"));
    }
    Ok(InboxQuery {
        account,
        status,
        text,
        bot: None,
        assignee: None,
        waiting_before: None,
        label: None,
        before,
        limit,
    })
}

/// Parses an inbox's `assignee` filter: `me` (the signed-in officer, `me` being `None` for
/// anyone else), `none`, or a staff id.
pub(crate) fn parse_assignee(
    raw: Option<&str>,
    me: Option<ketnoi_core::StaffId>,
) -> Result<Option<AssigneeFilter>, ApiError> {
    let refused =
        || ketnoi_core::InvalidInput::Choice { field: "assignee", choices: "me, none, a staff id" };
    match raw.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some("none") => Ok(Some(AssigneeFilter::Nobody)),
        Some("me") => Ok(Some(AssigneeFilter::Staff(me.ok_or_else(refused)?))),
        Some(id) => Ok(Some(AssigneeFilter::Staff(ketnoi_core::StaffId(
            id.parse().map_err(|_| refused())?,
        )))),
    }
}

/// The cursor that continues an inbox page after `last`.
pub(crate) fn inbox_cursor(last: &Conversation) -> String {
    format!("{}.{}", last.last_message_at.millis(), last.id.0)
}

/// An account's conversations for its officers, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/conversations", tag = "conversations",
    security(("bearer" = [])), params(("slug" = String, Path, description = "The account"), InboxParams),
    responses((status = 200, body = InboxAnswer),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn inbox(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(p): Query<InboxParams>,
) -> Result<Json<InboxAnswer>, ApiError> {
    let account = state.account(&slug).await?;
    chat_scope::account_access(&state, &caller, &account).await?.ok_or(ApiError::Forbidden)?;
    let limit = p.limit.unwrap_or(30);
    let mut query =
        inbox_query(account.id, p.status.as_deref(), p.q.as_deref(), p.before.as_deref(), limit)?;
    query.bot = crate::features::chat::service::parse_handler(p.handler.as_deref())?;
    query.assignee = parse_assignee(p.assignee.as_deref(), caller.staff_id())?;
    let cutoff =
        response::overdue_cutoff(&response::settings(&state, &account).await?, Timestamp::now());
    if p.overdue == Some(true) {
        query.waiting_before = Some(cutoff);
    }
    query.label = labels::filter_key(p.label.as_deref())?;
    let found = state.store.inbox(&query).await?;
    let next = (found.len() as i64 == limit).then(|| found.last().map(inbox_cursor)).flatten();
    let view = |c: &Conversation| {
        let mut v = ConversationView::new(c, Audience::Staff);
        v.overdue = Some(c.waiting_since.is_some_and(|w| w < cutoff));
        v
    };
    // Every listed conversation's labels in one read.
    let ids: Vec<ConversationId> = found.iter().map(|c| c.id).collect();
    let labelled = state.store.labels_of(&ids).await?;
    let conversations = found
        .iter()
        .map(|c| {
            let mut v = view(c);
            v.labels = Some(
                labelled.iter().filter(|(id, _)| *id == c.id).map(|(_, l)| l.to_string()).collect(),
            );
            v
        })
        .collect();
    Ok(Json(InboxAnswer { conversations, next }))
}

/// Where an upload's name comes from.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct UploadParams {
    /// The file's name, offered again on download.
    name: Option<String>,
}

/// Reads an upload body, turning an oversized one into 413.
fn upload_bytes(state: &Kernel, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::UploadTooLarge { max_bytes: state.config.max_upload_bytes }
        } else {
            ApiError::Malformed(r.body_text())
        }
    })
}

fn declared_type(headers: &HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// A citizen uploads a picture or document for their conversation with an account (before
/// their first message, if need be). The body is the file; `Content-Type` must match it.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/attachments", tag = "conversations",
    security(("bearer" = [])), params(("slug" = String, Path, description = "The account"), UploadParams),
    request_body(content = Vec<u8>, description = "The file", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView),
        (status = 413, body = ProblemView, content_type = "application/problem+json"),
        (status = 415, description = "Not an accepted type, or not the declared one", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn upload_to_account(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
    Query(p): Query<UploadParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let citizen = caller.citizen()?;
    let account = state.account(&slug).await?;
    let pair = (account.id, citizen.id);
    receive(&state, pair, Author::Citizen(citizen.id), &headers, p, body).await
}

/// Stores an upload for a conversation pair and answers 201 with it.
async fn receive(
    state: &Kernel,
    (account, citizen): (AccountId, ketnoi_core::CitizenId),
    uploader: Author,
    headers: &HeaderMap,
    params: UploadParams,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let bytes = upload_bytes(state, body)?;
    let upload = upload::Upload {
        account,
        citizen,
        uploader,
        declared: declared_type(headers),
        name: params.name.as_deref().unwrap_or(""),
        bytes: &bytes,
    };
    let stored = upload::store(state, upload).await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::from(&stored))))
}

/// Uploads a picture or document into a conversation (its citizen, or an officer who may
/// reply).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/attachments", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation"), UploadParams),
    request_body(content = Vec<u8>, description = "The file", content_type = "application/octet-stream"),
    responses((status = 201, body = AttachmentView),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 413, body = ProblemView, content_type = "application/problem+json"),
        (status = 415, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn upload_to_conversation(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<UploadParams>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    let (conv, access) = conversation(&state, &caller, id).await?;
    access.require_reply()?;
    let uploader = match access {
        Access::Citizen(c) => Author::Citizen(c),
        Access::Staff { author, .. } => author,
    };
    receive(&state, (conv.account, conv.citizen), uploader, &headers, p, body).await
}

/// Fetches an attachment: only the conversation's citizen and the account's officers may.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The attachment")),
    responses((status = 200, description = "The file, as stored (metadata removed)"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn download(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    attachment_response(&state, &caller, id).await
}

/// The download answer for an attachment, shared with the web pages.
pub(crate) async fn attachment_response(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<Response, ApiError> {
    let stored =
        state.store.attachment(AttachmentId(id)).await?.ok_or(ApiError::NotFound("attachment"))?;
    let allowed = match caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { citizen, .. } => citizen.id == stored.citizen,
        _ => {
            let account = state.store.account(stored.account).await?;
            match account {
                Some(a) => chat_scope::account_access(state, caller, &a).await?.is_some(),
                None => false,
            }
        }
    };
    if !allowed {
        // Citizens are not told whether someone else's file exists.
        return Err(match caller {
            Caller::Citizen { .. } => ApiError::NotFound("attachment"),
            _ => ApiError::Forbidden,
        });
    }
    let a = stored.attachment;
    let bytes = state.blobs.get(&a.blob_key).await?.ok_or(ApiError::NotFound("attachment"))?;
    let disposition = if a.kind == MessageKind::Image { "inline" } else { "attachment" };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let set = |v: &str| HeaderValue::from_str(v).ok();
    if let Some(v) = set(&a.media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Some(v) = set(&content_disposition(disposition, &a.name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
    // Files are shown, never run: no scripts, no plugins, even if a browser second-guesses.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    Ok(response)
}

/// `inline; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266).
fn content_disposition(kind: &str, name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect();
    let ascii = ascii.replace(['"', '\\'], "_");
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe_in_the_header_and_keep_vietnamese() {
        let h = content_disposition("attachment", "Đơn \"xin\".pdf");
        assert_eq!(
            h,
            "attachment; filename=\"__n _xin_.pdf\"; filename*=UTF-8''%C4%90%C6%A1n%20%22xin%22.pdf"
        );
    }

    #[test]
    fn inbox_cursors_round_trip_and_bad_ones_are_refused() {
        let q = inbox_query(AccountId(1), None, Some(" cháy "), Some("1700000000000.42"), 30);
        let q = q.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.before, Some((Timestamp(1_700_000_000_000), ConversationId(42))));
        assert_eq!(q.text.as_deref(), Some("cháy"));
        assert_eq!(q.status, ConversationStatus::Open);
        assert!(inbox_query(AccountId(1), None, None, Some("x.y"), 30).is_err());
        assert!(inbox_query(AccountId(1), Some("archived"), None, None, 30).is_err());
        assert!(inbox_query(AccountId(1), None, None, None, 0).is_err());
    }
}
