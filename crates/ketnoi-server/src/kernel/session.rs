//! Who is calling: the session or token a request carries, resolved to a [`Caller`] through this
//! node's short memory of recent tokens, and the extractor every handler uses.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use ketnoi_core::Timestamp;
use ketnoi_store::Subject;

use crate::kernel::{
    auth::{
        ACCESS_TOKEN_PREFIX, API_TOKEN_PREFIX, Caller, SESSION_COOKIE, SESSION_PREFIX, Via,
        token_hash,
    },
    error::ApiError,
    http::{cookie, cross_site},
    state::{HasKernel, Kernel},
};

/// The token a request carries, and whether it came in a cookie.
fn presented_token(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = auth.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| (token.trim().to_owned(), false));
    }
    cookie(headers, SESSION_COOKIE).map(|t| (t, true))
}

impl<S: HasKernel> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        if presented_token(&parts.headers).is_some_and(|(_, from_cookie)| from_cookie)
            && cross_site(&parts.method, &parts.headers)
        {
            return Err(ApiError::CsrfRejected);
        }
        resolve_caller(state.kernel(), &parts.headers).await
    }
}

/// Who the request's bearer token or session cookie belongs to. An unknown or expired token is
/// 401: a client that sends one expects to be someone.
pub async fn resolve_caller(state: &Kernel, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some((token, _)) = presented_token(headers) else {
        return Ok(Caller::Anonymous);
    };
    if token.len() > 128 {
        return Err(ApiError::Unauthenticated);
    }
    if token.starts_with(ACCESS_TOKEN_PREFIX) {
        return integration_caller(state, &token).await;
    }
    if !(token.starts_with(SESSION_PREFIX) || token.starts_with(API_TOKEN_PREFIX)) {
        return Err(ApiError::Unauthenticated);
    }
    let hash = token_hash(&token);
    if let Some(caller) = state.callers.get(&hash) {
        return Ok(caller);
    }
    let store = &state.store;
    let Some(session) = store.session(&hash, Timestamp::now()).await? else {
        return Err(ApiError::Unauthenticated);
    };
    let caller = match session.subject {
        Subject::Citizen(id) => store
            .citizen(id)
            .await?
            .map(|citizen| Caller::Citizen { citizen, token_hash: hash.clone() }),
        Subject::Staff(id) => match store.staff(id).await? {
            Some(staff) => {
                let grants = store.grants(id).await?;
                Some(Caller::Staff { staff, grants, token_hash: hash.clone() })
            }
            None => None,
        },
        Subject::Account(id) => store.account(id).await?.map(|account| Caller::Account {
            account,
            token_hash: hash.clone(),
            via: None,
        }),
    };
    let caller = caller.ok_or(ApiError::Unauthenticated)?;
    // Remembered briefly, and never past the session's own end.
    let deadline = session.expires_at.map(|end| {
        let left = u64::try_from(end.millis() - Timestamp::now().millis()).unwrap_or(0);
        std::time::Instant::now() + std::time::Duration::from_millis(left)
    });
    state.callers.put(hash, caller.clone(), deadline);
    Ok(caller)
}

/// The account an integration's access token acts for. Not remembered: revoking an
/// integration or rotating its tokens takes effect on the next call, on every node.
pub async fn integration_caller(state: &Kernel, token: &str) -> Result<Caller, ApiError> {
    let hash = token_hash(token);
    let Some(found) = state.store.integration_token(&hash).await? else {
        return Err(ApiError::Unauthenticated);
    };
    if found.kind != ketnoi_store::TokenKind::Access || found.expires_at <= Timestamp::now() {
        return Err(ApiError::Unauthenticated);
    }
    let account =
        state.store.account(found.integration.account).await?.ok_or(ApiError::Unauthenticated)?;
    let integration = found.integration;
    Ok(Caller::Account {
        account,
        token_hash: hash,
        via: Some(Via {
            integration: integration.id,
            name: integration.name,
            scopes: integration.scopes,
        }),
    })
}

/// Ends a session: in storage, and in this node's memory of who holds it.
pub async fn end_session(state: &Kernel, token_hash: &str) -> Result<bool, ApiError> {
    state.callers.forget(&token_hash.to_owned());
    let ended = state.store.delete_session(token_hash).await?;
    state.callers.forget(&token_hash.to_owned());
    Ok(ended)
}
