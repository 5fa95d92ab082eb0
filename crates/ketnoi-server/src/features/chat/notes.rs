//! Officers' internal notes on a conversation, and their API.
//!
//! A note is staff-only text kept in a table of its own, never among the messages, so nothing
//! that serves a citizen (history, previews, unread counts, live frames) can carry one; notes
//! make no inbox event and go through no hub. Exactly the staff who may handle a conversation
//! (reply in it) read and write its notes. Everyone else, the conversation's own citizen
//! included, is answered as if the conversation did not exist. Note bodies are never logged.

use axum::{Json, extract::State, http::StatusCode};
use ketnoi_core::{Author, Conversation, ConversationId, Note, NoteBody, StaffId, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    features::chat::{scope as chat_scope, service::ChatState},
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path},
        state::Kernel,
        views::ProblemView,
    },
};

/// How many notes a conversation shows: its newest.
pub(crate) const NOTES_SHOWN: i64 = 200;

/// Who may keep notes, given what they may do in the conversation: an officer (not an
/// integration's token) who may reply.
pub(crate) fn keeper(reply: bool, author: Author) -> Option<StaffId> {
    match (reply, author) {
        (true, Author::Staff(staff)) => Some(staff),
        _ => None,
    }
}

/// The conversation `id` and the officer asking, if they may keep its notes: 401 for nobody
/// signed in, and for everyone else who may not, the same 404 as for a conversation that does
/// not exist.
pub(crate) async fn notes_access(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<(Conversation, StaffId), ApiError> {
    let (conversation, author) = chat_scope::handled_conversation(state, caller, id).await?;
    match keeper(true, author) {
        Some(staff) => Ok((conversation, staff)),
        None => Err(ApiError::NotFound("conversation")),
    }
}

/// Checks a note and stores it on the conversation.
pub(crate) async fn add(
    state: &Kernel,
    conversation: ConversationId,
    author: StaffId,
    raw: &str,
) -> Result<Note, ApiError> {
    let body = NoteBody::parse(raw)?;
    Ok(state.store.add_note(conversation, author, &body, Timestamp::now()).await?)
}

/// An internal note.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NoteView {
    /// Its id.
    id: i64,
    /// The conversation.
    conversation: i64,
    /// The officer who wrote it.
    author_id: i64,
    /// The officer's display name.
    author_name: String,
    /// What it says.
    body: String,
    /// When it was written, RFC 3339.
    created_at: String,
}

impl From<&Note> for NoteView {
    fn from(n: &Note) -> Self {
        Self {
            id: n.id.0,
            conversation: n.conversation.0,
            author_id: n.author.0,
            author_name: n.author_name.clone(),
            body: n.body.as_str().to_owned(),
            created_at: n.created_at.rfc3339(),
        }
    }
}

/// A conversation's internal notes, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NotesAnswer {
    notes: Vec<NoteView>,
}

/// A note to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteRequest {
    /// The text: 1–2,000 characters after trimming; line breaks kept.
    body: String,
}

/// A conversation's internal notes (its newest 200, oldest first), for the officers who may
/// handle it. They are never shown to the citizen.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/notes", tag = "conversations",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation")),
    responses((status = 200, body = NotesAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_notes(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Json<NotesAnswer>, ApiError> {
    let (conversation, _) = notes_access(&state, &caller, id).await?;
    let notes = state.store.notes(conversation.id, NOTES_SHOWN).await?;
    Ok(Json(NotesAnswer { notes: notes.iter().map(NoteView::from).collect() }))
}

/// Adds an internal note to a conversation (officers who may handle it). It changes nothing
/// the citizen sees: no message, preview, unread count or live event.
#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "conversations",
    request_body = NoteRequest, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The conversation")),
    responses((status = 201, body = NoteView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not handle it", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Empty, or over 2,000 characters", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn add_note(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(body): extract::Json<NoteRequest>,
) -> Result<(StatusCode, Json<NoteView>), ApiError> {
    let (conversation, author) = notes_access(&state, &caller, id).await?;
    let note = add(&state, conversation.id, author, &body.body).await?;
    Ok((StatusCode::CREATED, Json(NoteView::from(&note))))
}
