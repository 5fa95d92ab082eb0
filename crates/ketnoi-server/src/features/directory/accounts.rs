//! The account directory, account pages, following, verification.

use axum::{
    Json, Router,
    extract::State,
    routing::{get, put},
};
use ketnoi_core::{Account, AccountKind, AreaCode, Slug, Timestamp, policy::Action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::kernel::state::Kernel;
use crate::kernel::views::{AccountView, AreaView, ProblemView};
use crate::{
    features::directory::service::DirectoryState,
    kernel::auth::Caller,
    kernel::error::ApiError,
    kernel::extract::{self, Path, Query},
};

pub(crate) fn router() -> Router<DirectoryState> {
    Router::new()
        .route("/accounts", get(directory))
        .route("/accounts/{slug}", get(account_detail))
        .route("/accounts/{slug}/follow", put(follow).delete(unfollow))
        .route("/accounts/{slug}/verified", put(set_verified))
}

/// A directory search.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct DirectoryParams {
    /// Words to find in names, with or without diacritics: `cong an vi xuyen`.
    q: Option<String>,
    /// An area code: only accounts serving it or any area below it.
    area: Option<String>,
    /// `police`, `e-government`, `youth`, `public-service` or `other`.
    kind: Option<String>,
    /// Only verified accounts.
    verified: Option<bool>,
    /// Page size, 1–100 (default 20).
    limit: Option<i64>,
    /// Results to skip, 0–10 000.
    offset: Option<i64>,
}

/// A page of the directory.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DirectoryAnswer {
    /// The accounts, best match first.
    accounts: Vec<AccountView>,
    /// Whether more follow.
    has_more: bool,
    /// The page size used.
    limit: i64,
    /// The offset used.
    offset: i64,
}

/// Searches the directory of official accounts.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "directory", params(DirectoryParams),
    responses(
        (status = 200, body = DirectoryAnswer),
        (status = 404, description = "No such area", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Malformed filter", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn directory(
    State(state): State<DirectoryState>,
    Query(p): Query<DirectoryParams>,
) -> Result<Json<DirectoryAnswer>, ApiError> {
    let limit = p.limit.unwrap_or(20);
    let offset = p.offset.unwrap_or(0);
    if !(1..=100).contains(&limit) || !(0..=10_000).contains(&offset) {
        return Err(ApiError::Unprocessable("invalid-limit"));
    }
    let text = p.q.map(|q| ketnoi_text::nfc(q.trim())).filter(|q| !q.is_empty());
    if text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ketnoi_core::InvalidInput::Length { field: "q", min: 0, max: 200 }.into());
    }
    let area = p.area.as_deref().filter(|a| !a.is_empty()).map(AreaCode::parse).transpose()?;
    if let Some(a) = &area {
        state.store.area(a).await?.ok_or(ApiError::NotFound("area"))?;
    }
    let kind =
        p.kind.as_deref().filter(|k| !k.is_empty()).map(str::parse::<AccountKind>).transpose()?;
    let page = state
        .store
        .search_accounts(&ketnoi_store::DirectoryQuery {
            text,
            area,
            kind,
            verified_only: p.verified.unwrap_or(false),
            limit,
            offset,
        })
        .await?;
    Ok(Json(DirectoryAnswer {
        accounts: page.accounts.iter().map(AccountView::from).collect(),
        has_more: page.has_more,
        limit,
        offset,
    }))
}

/// An account page's data.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AccountDetail {
    /// The account.
    account: AccountView,
    /// The area it serves.
    area: Option<AreaView>,
    /// The owning agency's name.
    agency_name: String,
    /// Whether the signed-in citizen follows it (absent for anyone else).
    #[serde(skip_serializing_if = "Option::is_none")]
    following: Option<bool>,
}

async fn account_for(state: &Kernel, slug: &str) -> Result<Account, ApiError> {
    // A path that is not a slug names no account: 404, not 422.
    let slug = Slug::parse(slug).map_err(|_| ApiError::NotFound("account"))?;
    state.store.account_by_slug(&slug).await?.ok_or(ApiError::NotFound("account"))
}

/// One official account.
#[utoipa::path(get, path = "/api/v1/accounts/{slug}", tag = "directory",
    params(("slug" = String, Path, description = "The account's slug")),
    responses(
        (status = 200, body = AccountDetail),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn account_detail(
    State(state): State<DirectoryState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<AccountDetail>, ApiError> {
    let account = account_for(&state, &slug).await?;
    let area = state.store.area(&account.area).await?;
    let agency_name = state.store.agency(account.agency).await?.map(|a| a.name).unwrap_or_default();
    let following = match &caller {
        Caller::Citizen { citizen, .. } => {
            Some(state.store.is_following(citizen.id, account.id).await?)
        }
        _ => None,
    };
    Ok(Json(AccountDetail {
        account: (&account).into(),
        area: area.as_ref().map(AreaView::from),
        agency_name,
        following,
    }))
}

/// Whether the caller now follows the account.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FollowState {
    /// Following?
    following: bool,
    /// The account's follower count now.
    follower_count: i64,
}

async fn set_following(
    state: &DirectoryState,
    caller: &Caller,
    slug: &str,
    follow: bool,
) -> Result<Json<FollowState>, ApiError> {
    let citizen = caller.citizen()?;
    let account = account_for(state, slug).await?;
    if follow {
        if state.store.follow(citizen.id, account.id, Timestamp::now()).await? {
            state.followed.followed(account.id, citizen).await?;
        }
    } else if state.store.unfollow(citizen.id, account.id).await? {
        state.followed.unfollowed(account.id, citizen).await?;
    }
    let count = state.store.account(account.id).await?.map_or(0, |a| a.follower_count);
    Ok(Json(FollowState { following: follow, follower_count: count }))
}

/// Follows an account (idempotent). Citizens only.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/follow", tag = "directory",
    params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = FollowState),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not a citizen", body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn follow(
    State(state): State<DirectoryState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    set_following(&state, &caller, &slug, true).await
}

/// Stops following an account (idempotent). Citizens only.
#[utoipa::path(delete, path = "/api/v1/accounts/{slug}/follow", tag = "directory",
    params(("slug" = String, Path)), security(("bearer" = [])),
    responses(
        (status = 200, body = FollowState),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn unfollow(
    State(state): State<DirectoryState>,
    caller: Caller,
    Path(slug): Path<String>,
) -> Result<Json<FollowState>, ApiError> {
    set_following(&state, &caller, &slug, false).await
}

/// The verified badge to set.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct VerifiedBody {
    /// Verified or not.
    verified: bool,
}

/// Sets or clears an account's verified badge. Platform administrators only.
#[utoipa::path(put, path = "/api/v1/accounts/{slug}/verified", tag = "directory",
    params(("slug" = String, Path)), request_body = VerifiedBody, security(("bearer" = [])),
    responses(
        (status = 200, body = AccountView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn set_verified(
    State(state): State<DirectoryState>,
    caller: Caller,
    Path(slug): Path<String>,
    extract::Json(body): extract::Json<VerifiedBody>,
) -> Result<Json<AccountView>, ApiError> {
    let account = account_for(&state, &slug).await?;
    let ancestry = state.store.agency_ancestry(account.agency).await?;
    caller.require(Action::VerifyAccount, Some(&ancestry))?;
    state.store.set_account_verified(account.id, body.verified).await?;
    state.accounts.forget(&account.slug.to_string());
    let account = state.store.account(account.id).await?.ok_or(ApiError::NotFound("account"))?;
    Ok(Json((&account).into()))
}
