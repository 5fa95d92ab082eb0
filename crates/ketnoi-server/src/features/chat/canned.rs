//! Canned replies: the rules (who manages whose, inheritance, placeholders, search) and the API.
//!
//! An account keeps its own replies; an agency keeps templates that every account of the agency
//! and of the agencies below it inherits. The account's own reply overrides an inherited one
//! with the same shortcut, and the nearest agency's wins over a farther one's. Anyone who may
//! reply on an account manages its replies; an agency's templates need the desk permission on
//! the agency. In a conversation a reply comes with its placeholders expanded for it. Replies
//! are staff-only: nothing here is shown to a citizen until an officer sends it.

use axum::{
    Json,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use ketnoi_core::{
    Account, AgencyCode, AgencyId, CannedOwner, CannedReply, CannedReplyId, CannedText,
    Conversation, Placeholders,
    inbox::{MAX_CANNED_REPLIES, applicable, matches},
    policy::Action,
};
use ketnoi_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    features::chat::{assign, service::ChatState},
    kernel::{
        auth::Caller,
        error::ApiError,
        extract::{self, Path, Query},
        state::Kernel,
        views::ProblemView,
    },
};

/// The most replies a search in a conversation answers with.
pub(crate) const SHOWN: usize = 50;

/// The replies an account may use, its own and inherited, one per shortcut.
pub(crate) async fn for_account(
    state: &Kernel,
    account: &Account,
) -> Result<Vec<CannedReply>, ApiError> {
    let line = state.store.agency_ancestry(account.agency).await?;
    let mut owners = vec![CannedOwner::Account(account.id)];
    owners.extend(line.iter().map(|g| CannedOwner::Agency(*g)));
    let all = state.store.canned_replies(&owners).await?;
    Ok(applicable(all, account.id, &line))
}

/// What the placeholders stand for in a conversation.
pub(crate) async fn placeholders(
    state: &Kernel,
    conversation: &Conversation,
    account: &Account,
) -> Result<Placeholders, ApiError> {
    let citizen = state.store.citizen(conversation.citizen).await?;
    let name = citizen.and_then(|c| c.display_name).filter(|n| !n.trim().is_empty());
    Ok(Placeholders {
        citizen_name: name.unwrap_or_else(|| conversation.citizen_label.clone()),
        office_hours: account.office_hours.clone(),
        account_name: account.display_name.clone(),
    })
}

/// The replies usable in a conversation that match `q`, best first (a shortcut starting with
/// it, then a title, then a body holding its words), at most [`SHOWN`].
pub(crate) async fn search(
    state: &Kernel,
    account: &Account,
    q: &str,
) -> Result<Vec<CannedReply>, ApiError> {
    let mut found: Vec<(u8, CannedReply)> = for_account(state, account)
        .await?
        .into_iter()
        .filter_map(|r| matches(&r.text, q).map(|rank| (rank, r)))
        .collect();
    found.sort_by(|a, b| (a.0, &a.1.text.shortcut).cmp(&(b.0, &b.1.text.shortcut)));
    Ok(found.into_iter().take(SHOWN).map(|(_, r)| r).collect())
}

/// The canned replies beside the composer of an officer's conversation page: a search that
/// works without JavaScript (a GET form, and a link per reply that opens the page with the
/// composer filled in), and the address the script searches as the officer types `/`.
pub(crate) struct CannedPanel {
    /// Where the search form goes (the conversation page).
    pub(crate) action: String,
    /// The search as typed.
    pub(crate) q: String,
    /// `(href, shortcut, title)` of each match.
    pub(crate) rows: Vec<(String, String, String)>,
    /// The API the script asks.
    pub(crate) api: String,
}

/// Builds the panel for a conversation page at `base` (`/console/c/{id}`), with the replies
/// matching `q`; and the body of reply `chosen`, filled in for the conversation, if it is one
/// of those the account may use.
pub(crate) async fn panel(
    state: &Kernel,
    base: &str,
    conversation: &Conversation,
    account: &Account,
    q: &str,
    chosen: Option<i64>,
) -> Result<(CannedPanel, Option<String>), ApiError> {
    let rows = search(state, account, q)
        .await?
        .iter()
        .map(|r| {
            let href = format!("{base}?reply={}#text", r.id.0);
            (href, r.text.shortcut.to_string(), r.text.title.clone())
        })
        .collect();
    let body = match chosen {
        Some(id) => {
            let usable = for_account(state, account).await?;
            match usable.iter().find(|r| r.id.0 == id) {
                Some(r) => {
                    Some(placeholders(state, conversation, account).await?.expand(&r.text.body))
                }
                None => None,
            }
        }
        None => None,
    };
    let api = format!("/api/v1/conversations/{}/canned-replies", conversation.id.0);
    Ok((CannedPanel { action: base.to_owned(), q: q.to_owned(), rows, api }, body))
}

/// The action an owner's replies need, and the agency line it is checked on.
async fn owner_rule(
    state: &Kernel,
    owner: CannedOwner,
) -> Result<(Action, Vec<AgencyId>), ApiError> {
    Ok(match owner {
        CannedOwner::Account(a) => {
            let account =
                state.store.account(a).await?.ok_or(ApiError::NotFound("canned-reply"))?;
            (Action::ReplyConversations, state.store.agency_ancestry(account.agency).await?)
        }
        CannedOwner::Agency(g) => (Action::ManageDesk, state.store.agency_ancestry(g).await?),
    })
}

/// Whether the caller may manage an owner's replies.
pub(crate) async fn may_manage(
    state: &Kernel,
    caller: &Caller,
    owner: CannedOwner,
) -> Result<bool, ApiError> {
    let (action, line) = owner_rule(state, owner).await?;
    Ok(caller.may(action, Some(&line)))
}

/// A reply the caller may manage: 401 for nobody signed in, 404 for anyone else who may not.
pub(crate) async fn managed(
    state: &Kernel,
    caller: &Caller,
    id: i64,
) -> Result<CannedReply, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let hidden = || ApiError::NotFound("canned-reply");
    let reply = state.store.canned_reply(CannedReplyId(id)).await?.ok_or_else(hidden)?;
    if may_manage(state, caller, reply.owner).await? { Ok(reply) } else { Err(hidden()) }
}

/// The user's faults of a write, as 422s.
fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::Unprocessable("canned-shortcut-taken"),
        other => other.into(),
    }
}

/// Checks and adds a reply for an owner (whose right the caller checked).
pub(crate) async fn create(
    state: &Kernel,
    owner: CannedOwner,
    input: &CannedInput,
) -> Result<CannedReply, ApiError> {
    let text = CannedText::parse(&input.shortcut, &input.title, &input.body)?;
    let limit = MAX_CANNED_REPLIES as i64;
    let at = ketnoi_core::Timestamp::now();
    match state.store.create_canned_reply(owner, &text, limit, at).await.map_err(refused)? {
        Some(reply) => Ok(reply),
        None => Err(ApiError::Unprocessable("too-many-canned-replies")),
    }
}

/// Checks and rewrites a reply (whose right the caller checked).
pub(crate) async fn update(
    state: &Kernel,
    id: CannedReplyId,
    input: &CannedInput,
) -> Result<CannedReply, ApiError> {
    let text = CannedText::parse(&input.shortcut, &input.title, &input.body)?;
    let at = ketnoi_core::Timestamp::now();
    state
        .store
        .update_canned_reply(id, &text, at)
        .await
        .map_err(refused)?
        .ok_or(ApiError::NotFound("canned-reply"))
}

/// A canned reply's fields.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CannedInput {
    /// 1–32 of `a-z 0-9 - _`, unique for its owner; what an officer types after `/`.
    pub(crate) shortcut: String,
    /// 1–100 characters.
    pub(crate) title: String,
    /// 1–2,000 characters. `{ten_cong_dan}` (`{citizen_name}`), `{gio_lam_viec}`
    /// (`{office_hours}`) and `{ten_tai_khoan}` (`{account_name}`) are filled in when used.
    pub(crate) body: String,
}

/// A canned reply.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CannedView {
    id: i64,
    shortcut: String,
    title: String,
    /// In a conversation, with its placeholders filled in; elsewhere as written.
    body: String,
    /// `account` or `agency`.
    owner: &'static str,
    /// The owning account's or agency's id.
    owner_id: i64,
    /// Inherited from an agency, seen from an account.
    inherited: bool,
    /// When it was last written, RFC 3339.
    updated_at: String,
}

impl CannedView {
    pub(crate) fn new(r: &CannedReply, body: String, from_account: bool) -> Self {
        let (owner, owner_id) = match r.owner {
            CannedOwner::Account(a) => ("account", a.0),
            CannedOwner::Agency(g) => ("agency", g.0),
        };
        Self {
            id: r.id.0,
            shortcut: r.text.shortcut.to_string(),
            title: r.text.title.clone(),
            body,
            owner,
            owner_id,
            inherited: from_account && owner == "agency",
            updated_at: r.updated_at.rfc3339(),
        }
    }

    fn plain(r: &CannedReply, from_account: bool) -> Self {
        Self::new(r, r.text.body.clone(), from_account)
    }
}

/// Canned replies.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CannedAnswer {
    replies: Vec<CannedView>,
}

/// A search among the replies.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CannedParams {
    /// Words of a shortcut, title or body, with or without diacritics [default: every reply].
    q: Option<String>,
}

/// The canned replies usable in a conversation (the account's own and those it inherits, an
/// overridden one left out), matching `q`, best first, each with its body filled in for the
/// conversation. For the officers who may reply in it.
#[utoipa::path(get, path = "/api/v1/conversations/{id}/canned-replies", tag = "canned replies",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The conversation"), CannedParams),
    responses((status = 200, body = CannedAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation, or the caller may not reply in it", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn in_conversation(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(p): Query<CannedParams>,
) -> Result<Json<CannedAnswer>, ApiError> {
    let (conversation, account) = assign::assign_access(&state, &caller, id).await?;
    let q = p.q.unwrap_or_default();
    if q.chars().count() > 100 {
        return Err(ketnoi_core::InvalidInput::Length { field: "q", min: 0, max: 100 }.into());
    }
    let fill = placeholders(&state, &conversation, &account).await?;
    let replies = search(&state, &account, &q)
        .await?
        .iter()
        .map(|r| CannedView::new(r, fill.expand(&r.text.body), true))
        .collect();
    Ok(Json(CannedAnswer { replies }))
}

/// The account at `slug`, if the caller may reply on it.
async fn account_for(state: &Kernel, caller: &Caller, slug: &str) -> Result<Account, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let account = state.account(slug).await?;
    let line = state.store.agency_ancestry(account.agency).await?;
    caller.require(Action::ReplyConversations, Some(&line))?;
    Ok(account)
}

/// The agency with `code`, if the caller holds the desk permission on it.
async fn agency_for(state: &Kernel, caller: &Caller, code: &str) -> Result<AgencyId, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let code = AgencyCode::parse(code).map_err(|_| ApiError::NotFound("agency"))?;
    let agency = state.store.agency_by_code(&code).await?.ok_or(ApiError::NotFound("agency"))?;
    let line = state.store.agency_ancestry(agency.id).await?;
    caller.require(Action::ManageDesk, Some(&line))?;
    Ok(agency.id)
}

/// An account's canned replies: its own and those it inherits from its agencies (an inherited
/// one its own overrides is left out), by shortcut.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/canned-replies", tag = "canned replies",
    security(("bearer" = [])), params(("slug" = String, Path, description = "The account")),
    responses((status = 200, body = CannedAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_for_account(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<CannedAnswer>, ApiError> {
    let account = account_for(&state, &caller, &slug).await?;
    let replies = for_account(&state, &account).await?;
    Ok(Json(CannedAnswer { replies: replies.iter().map(|r| CannedView::plain(r, true)).collect() }))
}

/// Adds a canned reply of an account's own (anyone who may reply on it).
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/canned-replies", tag = "canned replies",
    request_body = CannedInput, security(("bearer" = [])),
    params(("slug" = String, Path, description = "The account")),
    responses((status = 201, body = CannedView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "A field over its limits, `canned-shortcut-taken` or `too-many-canned-replies` (500). Nothing changed.", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn create_for_account(
    State(state): State<ChatState>,
    caller: Caller,
    Path(slug): Path<String>,
    extract::Json(input): extract::Json<CannedInput>,
) -> Result<(StatusCode, Json<CannedView>), ApiError> {
    let account = account_for(&state, &caller, &slug).await?;
    let reply = create(&state, CannedOwner::Account(account.id), &input).await?;
    Ok((StatusCode::CREATED, Json(CannedView::plain(&reply, true))))
}

/// An agency's canned-reply templates, which its accounts and those of the agencies below it
/// inherit (the desk permission on the agency).
#[utoipa::path(get, path = "/api/v1/agencies/{code}/canned-replies", tag = "canned replies",
    security(("bearer" = [])), params(("code" = String, Path, description = "The agency's code")),
    responses((status = 200, body = CannedAnswer),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list_for_agency(
    State(state): State<ChatState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<Json<CannedAnswer>, ApiError> {
    let agency = agency_for(&state, &caller, &code).await?;
    let mut replies = state.store.canned_replies(&[CannedOwner::Agency(agency)]).await?;
    replies.sort_by(|a, b| a.text.shortcut.cmp(&b.text.shortcut));
    Ok(Json(CannedAnswer {
        replies: replies.iter().map(|r| CannedView::plain(r, false)).collect(),
    }))
}

/// Adds a template to an agency's canned replies (the desk permission on the agency).
#[utoipa::path(post, path = "/api/v1/agencies/{code}/canned-replies", tag = "canned replies",
    request_body = CannedInput, security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency's code")),
    responses((status = 201, body = CannedView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "A field over its limits, `canned-shortcut-taken` or `too-many-canned-replies` (500). Nothing changed.", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn create_for_agency(
    State(state): State<ChatState>,
    caller: Caller,
    Path(code): Path<String>,
    extract::Json(input): extract::Json<CannedInput>,
) -> Result<(StatusCode, Json<CannedView>), ApiError> {
    let agency = agency_for(&state, &caller, &code).await?;
    let reply = create(&state, CannedOwner::Agency(agency), &input).await?;
    Ok((StatusCode::CREATED, Json(CannedView::plain(&reply, false))))
}

/// Rewrites a canned reply (whoever may manage its owner's; anyone else is told it does not
/// exist).
#[utoipa::path(put, path = "/api/v1/canned-replies/{id}", tag = "canned replies",
    request_body = CannedInput, security(("bearer" = [])),
    params(("id" = i64, Path, description = "The canned reply")),
    responses((status = 200, body = CannedView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "A field over its limits, or `canned-shortcut-taken`. Nothing changed.", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn put_reply(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
    extract::Json(input): extract::Json<CannedInput>,
) -> Result<Json<CannedView>, ApiError> {
    let reply = managed(&state, &caller, id).await?;
    let done = update(&state, reply.id, &input).await?;
    Ok(Json(CannedView::plain(&done, false)))
}

/// Deletes a canned reply (whoever may manage its owner's).
#[utoipa::path(delete, path = "/api/v1/canned-replies/{id}", tag = "canned replies",
    security(("bearer" = [])), params(("id" = i64, Path, description = "The canned reply")),
    responses((status = 204, description = "Deleted"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn delete_reply(
    State(state): State<ChatState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let reply = managed(&state, &caller, id).await?;
    state.store.delete_canned_reply(reply.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
