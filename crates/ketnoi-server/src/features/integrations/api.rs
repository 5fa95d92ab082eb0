//! ketnoi's own form of the integration capabilities under `/api/v1`, in the OpenAPI document:
//! managing an account's integrations (staff who may issue the account's tokens), and, with an
//! integration's access token as a bearer token, sending to a user by their id, reading and
//! tagging followers, uploading files. Errors are problem+json; an unknown, revoked or expired
//! token is 401.

use axum::{
    Json, Router,
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    routing::{get, post, put},
};
use ketnoi_core::{
    Account, AuditAction, Author, Button, ClientMsgId, Content, MessageKind, Scope, Scopes, Tag,
    Timestamp, policy::Action,
};
use ketnoi_store::{ChatApplied, ChatWrite, Integration, Recipient};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    features::integrations::{
        oa::{NO_PERMISSION, NOT_FOLLOWING, Oa, OaError, TOO_MANY_CALLS},
        oa_messages,
        service::{self, Credentials, IntegrationsState},
    },
    kernel::{
        audit::{RequestId, record},
        auth::Caller,
        error::ApiError,
        extract::{self, Path, Query},
        views::ProblemView,
    },
};

/// The routes.
pub fn router() -> Router<IntegrationsState> {
    Router::new()
        .route("/accounts/{slug}/integrations", get(list).post(create))
        .route("/integrations/{app_id}/rotate", post(rotate))
        .route("/integrations/{app_id}", axum::routing::delete(revoke))
        .route("/integration", get(me))
        .route("/integration/users", get(users))
        .route("/integration/users/{user_id}", get(user))
        .route("/integration/users/{user_id}/messages", post(send))
        .route("/integration/users/{user_id}/tags", put(set_tags))
        .route("/integration/uploads", post(upload))
}

/// An integration as the console and the API show it (never its secret or tokens).
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationView {
    /// Its public id.
    pub app_id: String,
    /// The account's slug.
    pub account: String,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<String>,
    /// When it was made, RFC 3339.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl IntegrationView {
    fn new(i: &Integration, account: &Account) -> Self {
        Self {
            app_id: i.app_id.clone(),
            account: account.slug.to_string(),
            name: i.name.clone(),
            scopes: i.scopes.iter().map(|s| s.as_str().to_owned()).collect(),
            created_at: i.created_at.rfc3339(),
            revoked_at: i.revoked_at.map(|t| t.rfc3339()),
        }
    }
}

/// A new integration, or new credentials: shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct IssuedView {
    /// The integration.
    pub integration: IntegrationView,
    /// Its secret key: the `secret_key` header of the token refresh, and the key of the
    /// `X-ZEvent-Signature` on webhooks.
    pub secret_key: String,
    /// The same key in the Standard Webhooks form, for their libraries.
    pub webhook_secret: String,
    /// The first access and refresh tokens.
    pub credentials: Credentials,
}

impl IssuedView {
    fn new(created: &service::Created, account: &Account) -> Self {
        Self {
            integration: IntegrationView::new(&created.integration, account),
            webhook_secret: standard_webhooks_secret(&created.secret_key),
            secret_key: created.secret_key.clone(),
            credentials: created.credentials.clone(),
        }
    }
}

/// The Standard Webhooks form of a secret key: `whsec_` and the key's bytes in base64.
pub fn standard_webhooks_secret(secret_key: &str) -> String {
    use base64::Engine as _;
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(secret_key.as_bytes()))
}

/// The account named by `slug`, if the caller may manage its integrations (403 otherwise).
pub(crate) async fn managed_account(
    state: &IntegrationsState,
    caller: &Caller,
    slug: &str,
) -> Result<Account, ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let account = state.account(slug).await?;
    let up = state.store.agency_ancestry(account.agency).await?;
    caller.require(Action::IssueAccountToken, Some(&up))?;
    Ok(account)
}

/// An integration by app id with its account, if the caller may manage it (404 otherwise, so
/// app ids cannot be probed).
pub(crate) async fn managed(
    state: &IntegrationsState,
    caller: &Caller,
    app_id: &str,
) -> Result<(Integration, Account), ApiError> {
    if matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthenticated);
    }
    let integration = state
        .store
        .integration_by_app_id(app_id)
        .await?
        .ok_or(ApiError::NotFound("integration"))?;
    let account =
        state.store.account(integration.account).await?.ok_or(ApiError::NotFound("integration"))?;
    let up = state.store.agency_ancestry(account.agency).await?;
    if !caller.may(Action::IssueAccountToken, Some(&up)) {
        return Err(ApiError::NotFound("integration"));
    }
    Ok((integration, account))
}

/// An account's integrations.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}/integrations", tag = "integrations",
    security(("bearer" = [])), params(("slug" = String, Path, description = "The account")),
    responses((status = 200, body = Vec<IntegrationView>),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn list(
    State(state): State<IntegrationsState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<IntegrationView>>, ApiError> {
    let account = managed_account(&state, &caller, &slug).await?;
    let all = state.store.integrations_of(account.id).await?;
    Ok(Json(all.iter().map(|i| IntegrationView::new(i, &account)).collect()))
}

/// What a new integration is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIntegrationBody {
    /// Its name, shown to officers beside what it sends (1–80 characters).
    pub name: String,
    /// What it may do: `message`, `followers`, `tags`, `webhooks`, `broadcast`.
    pub scopes: Vec<String>,
}

/// Creates an integration; its secret key and first tokens are in the answer and nowhere else.
#[utoipa::path(post, path = "/api/v1/accounts/{slug}/integrations", tag = "integrations",
    request_body = NewIntegrationBody, security(("bearer" = [])),
    params(("slug" = String, Path, description = "The account")),
    responses((status = 201, body = IssuedView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn create(
    State(state): State<IntegrationsState>,
    caller: Caller,
    request: RequestId,
    Path(slug): Path<String>,
    extract::Json(body): extract::Json<NewIntegrationBody>,
) -> Result<(StatusCode, Json<IssuedView>), ApiError> {
    let account = managed_account(&state, &caller, &slug).await?;
    let scopes = Scopes::parse(&body.scopes.join(","))?;
    let created = service::create(
        state.store.as_ref(),
        &state.config.secret_key,
        &account,
        &body.name,
        scopes,
        caller.staff_id(),
    )
    .await?;
    let object = format!("integration:{}", created.integration.app_id);
    let action = AuditAction::IntegrationCreated;
    record(&state, &caller, &request, action, &object, Some(account.agency)).await?;
    Ok((StatusCode::CREATED, Json(IssuedView::new(&created, &account))))
}

/// Gives an integration a new secret key and new tokens; the old ones stop working at once.
#[utoipa::path(post, path = "/api/v1/integrations/{app_id}/rotate", tag = "integrations",
    security(("bearer" = [])), params(("app_id" = String, Path, description = "The integration")),
    responses((status = 200, body = IssuedView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "Revoked", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn rotate(
    State(state): State<IntegrationsState>,
    caller: Caller,
    request: RequestId,
    Path(app_id): Path<String>,
) -> Result<Json<IssuedView>, ApiError> {
    let (integration, account) = managed(&state, &caller, &app_id).await?;
    let created =
        service::rotate(state.store.as_ref(), &state.config.secret_key, &integration).await?;
    let object = format!("integration:{app_id}");
    let action = AuditAction::IntegrationRotated;
    record(&state, &caller, &request, action, &object, Some(account.agency)).await?;
    Ok(Json(IssuedView::new(&created, &account)))
}

/// Revokes an integration: its tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/integrations/{app_id}", tag = "integrations",
    security(("bearer" = [])), params(("app_id" = String, Path, description = "The integration")),
    responses((status = 204, description = "Revoked (or already was)"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn revoke(
    State(state): State<IntegrationsState>,
    caller: Caller,
    request: RequestId,
    Path(app_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let (integration, account) = managed(&state, &caller, &app_id).await?;
    if service::revoke(state.store.as_ref(), &integration).await? {
        let object = format!("integration:{app_id}");
        let action = AuditAction::IntegrationRevoked;
        record(&state, &caller, &request, action, &object, Some(account.agency)).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The integration behind a bearer access token, as the compatible surface knows it.
async fn calling(state: &IntegrationsState, caller: &Caller) -> Result<Oa, ApiError> {
    match caller {
        Caller::Anonymous => Err(ApiError::Unauthenticated),
        Caller::Account { account, via: Some(via), .. } => {
            let integration = state
                .store
                .integration(via.integration)
                .await?
                .filter(|i| i.revoked_at.is_none())
                .ok_or(ApiError::Unauthenticated)?;
            Ok(Oa { integration, account: account.clone() })
        }
        _ => Err(ApiError::NotAllowed("integration-token-only")),
    }
}

/// The compatible surface's error as a problem.
fn problem(e: OaError) -> ApiError {
    match e.code() {
        c if c == NO_PERMISSION => ApiError::Forbidden,
        c if c == TOO_MANY_CALLS => ApiError::TooManyRequests { retry_after: 1 },
        c if c == NOT_FOLLOWING => ApiError::Unprocessable("user-not-following"),
        -216 => ApiError::Unauthenticated,
        -1 => ApiError::Internal(anyhow::anyhow!("integration call failed")),
        _ => ApiError::BrokenRule {
            code: "integration-field",
            at: e.message().to_owned(),
            limit: None,
        },
    }
}

/// The account an integration acts for.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationMe {
    /// The integration.
    pub integration: IntegrationView,
    /// The account's display name.
    pub account_name: String,
    /// How many follow it.
    pub followers: i64,
}

/// Who the token is: the integration and its account.
#[utoipa::path(get, path = "/api/v1/integration", tag = "integrations",
    security(("bearer" = [])),
    responses((status = 200, body = IntegrationMe),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not an integration's token", body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn me(
    State(state): State<IntegrationsState>,
    caller: Caller,
) -> Result<Json<IntegrationMe>, ApiError> {
    let oa = calling(&state, &caller).await?;
    Ok(Json(IntegrationMe {
        integration: IntegrationView::new(&oa.integration, &oa.account),
        account_name: oa.account.display_name.clone(),
        followers: oa.account.follower_count,
    }))
}

/// Which followers.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsersParams {
    /// Skip this many (default 0).
    pub offset: Option<i64>,
    /// At most this many, 1–200 (default 50).
    pub count: Option<i64>,
    /// Only those carrying this tag.
    pub tag: Option<String>,
}

/// A user as an integration knows them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// The account's own id for them.
    pub user_id: String,
    /// The name they chose to show, if any.
    pub display_name: Option<String>,
    /// Whether they follow the account.
    pub follows: bool,
    /// The account's tags on them.
    pub tags: Vec<String>,
    /// When they last wrote or were written to, RFC 3339.
    pub last_interaction: Option<String>,
}

/// A page of followers.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsersPage {
    /// How many there are in all.
    pub total: i64,
    /// This page.
    pub users: Vec<UserView>,
}

async fn user_view(
    state: &IntegrationsState,
    oa: &Oa,
    citizen: ketnoi_core::CitizenId,
) -> Result<UserView, ApiError> {
    let user_id = service::user_id(state, oa.account.id, citizen).await?;
    let person = state.store.citizen(citizen).await?.ok_or(ApiError::NotFound("user"))?;
    let follows = state.store.is_following(citizen, oa.account.id).await?;
    let tags =
        if follows { state.store.follower_tags(oa.account.id, citizen).await? } else { vec![] };
    let last = state
        .store
        .conversation_between(oa.account.id, citizen)
        .await?
        .filter(|c| c.last_seq > 0)
        .map(|c| c.last_message_at.rfc3339());
    Ok(UserView {
        user_id,
        display_name: person.display_name,
        follows,
        tags: tags.iter().map(|t| t.as_str().to_owned()).collect(),
        last_interaction: last,
    })
}

/// The account's followers, newest first.
#[utoipa::path(get, path = "/api/v1/integration/users", tag = "integrations",
    security(("bearer" = [])), params(UsersParams),
    responses((status = 200, body = UsersPage),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn users(
    State(state): State<IntegrationsState>,
    caller: Caller,
    Query(p): Query<UsersParams>,
) -> Result<Json<UsersPage>, ApiError> {
    let oa = calling(&state, &caller).await?;
    oa.require(Scope::Followers).map_err(problem)?;
    let count = p.count.unwrap_or(50);
    if !(1..=200).contains(&count) {
        return Err(ketnoi_core::InvalidInput::Length { field: "count", min: 1, max: 200 }.into());
    }
    let offset = p.offset.unwrap_or(0).max(0);
    let tag = p.tag.as_deref().map(Tag::parse).transpose()?;
    let (total, page) =
        state.store.followers_page(oa.account.id, tag.as_ref(), offset, count).await?;
    let mut out = Vec::with_capacity(page.len());
    for (citizen, _) in page {
        out.push(user_view(&state, &oa, citizen).await?);
    }
    Ok(Json(UsersPage { total, users: out }))
}

async fn known_user(
    state: &IntegrationsState,
    oa: &Oa,
    user_id: &str,
) -> Result<ketnoi_core::CitizenId, ApiError> {
    service::citizen_of(state, oa.account.id, user_id).await?.ok_or(ApiError::NotFound("user"))
}

/// One user; another account's id is 404, never someone else.
#[utoipa::path(get, path = "/api/v1/integration/users/{user_id}", tag = "integrations",
    security(("bearer" = [])), params(("user_id" = String, Path, description = "The account's id for the user")),
    responses((status = 200, body = UserView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn user(
    State(state): State<IntegrationsState>,
    caller: Caller,
    Path(user_id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    let oa = calling(&state, &caller).await?;
    oa.require(Scope::Followers).map_err(problem)?;
    let citizen = known_user(&state, &oa, &user_id).await?;
    Ok(Json(user_view(&state, &oa, citizen).await?))
}

/// A message to a user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntegrationSend {
    /// The sender's id for this message (1–64 of `A-Za-z0-9-_`): sending again with the same id
    /// stores nothing new.
    pub client_msg_id: String,
    /// The text, or the caption of an upload.
    #[serde(default)]
    pub text: String,
    /// Buttons under the text.
    #[serde(default)]
    #[schema(value_type = Vec<Object>)]
    pub buttons: Vec<Button>,
    /// A file uploaded at `/api/v1/integration/uploads`.
    pub upload: Option<String>,
}

/// The message stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntegrationSent {
    /// Its id (conversation.seq).
    pub message_id: String,
    /// The conversation.
    pub conversation: i64,
}

/// Sends to a user who follows the account or has written to it.
#[utoipa::path(post, path = "/api/v1/integration/users/{user_id}/messages", tag = "integrations",
    request_body = IntegrationSend, security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id for the user")),
    responses((status = 201, body = IntegrationSent), (status = 200, description = "Already stored under this client_msg_id", body = IntegrationSent),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 409, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn send(
    State(state): State<IntegrationsState>,
    caller: Caller,
    Path(user_id): Path<String>,
    extract::Json(body): extract::Json<IntegrationSend>,
) -> Result<(StatusCode, Json<IntegrationSent>), ApiError> {
    let oa = calling(&state, &caller).await?;
    oa.require(Scope::Message).map_err(problem)?;
    known_user(&state, &oa, &user_id).await?;
    let citizen = oa_messages::recipient(&state, &oa, &user_id).await.map_err(problem)?;
    let client_msg_id = ClientMsgId::parse(&body.client_msg_id)?;
    let content = match (&body.upload, body.buttons.is_empty()) {
        (Some(_), false) => {
            return Err(ApiError::BrokenRule {
                code: "integration-field",
                at: "buttons: not with an upload".to_owned(),
                limit: None,
            });
        }
        (Some(token), true) => {
            let upload = state.store.integration_upload(oa.integration.id, token).await?;
            let kind = upload.map(|u| u.kind).ok_or(ApiError::Unprocessable("bad-attachment"))?;
            let id = oa_messages::attach(&state, &oa, citizen, token, kind, "upload")
                .await
                .map_err(problem)?;
            Content::attachment(kind, id, &body.text)?
        }
        (None, false) => Content::structured(&body.text, body.buttons.clone())?,
        (None, true) => Content::text(&body.text)?,
    };
    let person = state.store.citizen(citizen).await?.ok_or(ApiError::NotFound("user"))?;
    let write = ChatWrite::Send {
        to: Recipient::Open {
            account: oa.account.id,
            citizen,
            citizen_label: person.phone.masked(),
        },
        author: Author::Account(oa.account.id),
        author_name: oa.integration.name.clone(),
        client_msg_id,
        content,
        at: Timestamp::now(),
        bot: crate::features::chat::service::state_after(Author::Account(oa.account.id)),
    };
    match state.chat.write(write).await? {
        Ok(ChatApplied::Sent { message, conversation, event }) => Ok((
            if event.is_some() { StatusCode::CREATED } else { StatusCode::OK },
            Json(IntegrationSent {
                message_id: service::msg_id(conversation.id, message.seq),
                conversation: conversation.id.0,
            }),
        )),
        Ok(_) => Err(ApiError::Internal(anyhow::anyhow!("a send answered as a change"))),
        Err(refusal) => Err(crate::features::chat::service::refused(refusal)),
    }
}

/// A follower's tags.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagsBody {
    /// The tags, replacing those the follower carries (at most 20).
    pub tags: Vec<String>,
}

/// Replaces a follower's tags.
#[utoipa::path(put, path = "/api/v1/integration/users/{user_id}/tags", tag = "integrations",
    request_body = TagsBody, security(("bearer" = [])),
    params(("user_id" = String, Path, description = "The account's id for the user")),
    responses((status = 200, body = UserView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn set_tags(
    State(state): State<IntegrationsState>,
    caller: Caller,
    Path(user_id): Path<String>,
    extract::Json(body): extract::Json<TagsBody>,
) -> Result<Json<UserView>, ApiError> {
    let oa = calling(&state, &caller).await?;
    oa.require(Scope::Tags).map_err(problem)?;
    let citizen = known_user(&state, &oa, &user_id).await?;
    if body.tags.len() > 20 {
        return Err(ketnoi_core::InvalidInput::Length { field: "tags", min: 0, max: 20 }.into());
    }
    let tags = body.tags.iter().map(|t| Tag::parse(t)).collect::<Result<Vec<_>, _>>()?;
    if !state.store.is_following(citizen, oa.account.id).await? {
        return Err(ApiError::Unprocessable("user-not-following"));
    }
    state.store.set_follower_tags(oa.account.id, citizen, &tags).await?;
    Ok(Json(user_view(&state, &oa, citizen).await?))
}

/// A file kept for sending.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    /// What a message refers to it by.
    pub upload: String,
    /// `image` or `file`.
    pub kind: String,
}

/// Uploads a file (multipart field `file`), checked and cleaned like every upload.
#[utoipa::path(post, path = "/api/v1/integration/uploads", tag = "integrations",
    security(("bearer" = [])), request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, body = UploadView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 413, body = ProblemView, content_type = "application/problem+json"),
        (status = 422, body = ProblemView, content_type = "application/problem+json")))]
pub(crate) async fn upload(
    State(state): State<IntegrationsState>,
    caller: Caller,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<UploadView>), ApiError> {
    let oa = calling(&state, &caller).await?;
    // A picture or a document, whichever it is.
    let token = match oa_messages::upload(&state, &oa, form, None).await {
        Ok(t) => t,
        Err(e) => return Err(problem(e)),
    };
    let kind = state
        .store
        .integration_upload(oa.integration.id, &token)
        .await?
        .map_or(MessageKind::File, |u| u.kind);
    Ok((StatusCode::CREATED, Json(UploadView { upload: token, kind: kind.as_str().to_owned() })))
}
