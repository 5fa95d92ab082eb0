//! The surface shaped like the commercial platform's Official Account API, so that code written
//! for it works against ketnoi after changing its base URL: the `access_token` header, answers
//! `{"error":0,"message":"Success","data":…}` or `{"error":<negative>,"message":…}` (always with
//! HTTP 200, as the platform answers and as its clients expect), and the platform's error codes
//! where it publishes one. docs/INTEGRATIONS.md lists every endpoint, what it supports, and what
//! an unsupported field gets.

use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{HeaderMap, StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use ketnoi_core::{Account, Scope, Timestamp};
use ketnoi_store::{Integration, TokenKind};
use serde_json::{Value, json};

use crate::{
    features::integrations::service::{self, IntegrationsState},
    kernel::{auth::token_hash, error::ApiError, ratelimit::Limit},
};

/// The platform's code for a missing, unknown, revoked or expired access token: a client that
/// refreshes on it works unchanged.
pub const INVALID_TOKEN: i64 = -216;
/// A parameter is missing, malformed, or asks for something ketnoi cannot do.
pub const INVALID_PARAM: i64 = -201;
/// A parameter is over its limit (a body or file too large, too many items).
pub const OVER_LIMIT: i64 = -210;
/// The user does not follow the account (and has never written to it).
pub const NOT_FOLLOWING: i64 = -213;
/// The integration was not given the scope this call needs.
pub const NO_PERMISSION: i64 = -224;
/// Too many calls.
pub const TOO_MANY_CALLS: i64 = -32;
/// Something failed on ketnoi's side.
pub const SERVER_ERROR: i64 = -1;

/// Per integration: a thousand calls at once, then a hundred a second.
const CALLS_PER_INTEGRATION: Limit = Limit::new(1000, std::time::Duration::from_millis(10));

/// An answer in the platform's error shape.
#[derive(Debug)]
pub struct OaError {
    code: i64,
    message: String,
    status: StatusCode,
}

impl OaError {
    /// An error the caller made.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), status: StatusCode::OK }
    }

    /// A parameter that is invalid, named as the caller wrote it.
    pub fn invalid(field: &str) -> Self {
        Self::new(INVALID_PARAM, format!("{field} is invalid"))
    }

    /// A parameter ketnoi does not support, named, so nothing is dropped silently.
    pub fn unsupported(field: &str) -> Self {
        Self::new(INVALID_PARAM, format!("{field} is not supported by ketnoi"))
    }

    /// The code, for tests and logs.
    pub fn code(&self) -> i64 {
        self.code
    }

    /// What it says.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for OaError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.code, "message": self.message }))).into_response()
    }
}

impl From<ApiError> for OaError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Invalid(why) => Self::new(INVALID_PARAM, why.to_string()),
            ApiError::UploadTooLarge { max_bytes } => {
                Self::new(OVER_LIMIT, format!("file is larger than {max_bytes} bytes"))
            }
            ApiError::UploadRejected(why) => Self::new(INVALID_PARAM, format!("file: {why}")),
            ApiError::TooManyRequests { .. } => {
                Self::new(TOO_MANY_CALLS, "Your application reached limit call api")
            }
            ApiError::Unauthenticated => Self::new(INVALID_TOKEN, "Access token is invalid"),
            ApiError::Forbidden => Self::new(NO_PERMISSION, "Permission denied"),
            other => {
                tracing::warn!(error = %other, "integration call failed");
                Self {
                    code: SERVER_ERROR,
                    message: "Internal error".to_owned(),
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                }
            }
        }
    }
}

impl From<ketnoi_store::StoreError> for OaError {
    fn from(e: ketnoi_store::StoreError) -> Self {
        ApiError::from(e).into()
    }
}

impl From<ketnoi_core::InvalidInput> for OaError {
    fn from(e: ketnoi_core::InvalidInput) -> Self {
        Self::new(INVALID_PARAM, e.to_string())
    }
}

/// A successful answer.
pub fn success(data: Value) -> Json<Value> {
    Json(json!({ "error": 0, "message": "Success", "data": data }))
}

/// The integration calling, from its `access_token` header, and the account it acts for.
pub struct Oa {
    /// The integration.
    pub integration: Integration,
    /// Its account.
    pub account: Account,
}

impl Oa {
    /// Refuses a call the integration was not given the scope for.
    pub fn require(&self, scope: Scope) -> Result<(), OaError> {
        if self.integration.scopes.has(scope) {
            Ok(())
        } else {
            Err(OaError::new(
                NO_PERMISSION,
                format!("The application has not been granted the '{scope}' permission"),
            ))
        }
    }
}

impl FromRequestParts<IntegrationsState> for Oa {
    type Rejection = OaError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &IntegrationsState,
    ) -> Result<Self, OaError> {
        let token = parts
            .headers
            .get("access_token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(|| OaError::new(INVALID_TOKEN, "Access token is invalid"))?;
        let found = state.store.integration_token(&token_hash(token)).await?;
        let Some(found) = found.filter(|f| f.kind == TokenKind::Access) else {
            return Err(OaError::new(INVALID_TOKEN, "Access token is invalid"));
        };
        if found.expires_at <= Timestamp::now() {
            return Err(OaError::new(INVALID_TOKEN, "Access token has expired"));
        }
        let account = state
            .store
            .account(found.integration.account)
            .await?
            .ok_or_else(|| OaError::new(INVALID_TOKEN, "Access token is invalid"))?;
        let key = found.integration.id.0.to_string();
        state.kernel.limit("integration-call", &key, CALLS_PER_INTEGRATION)?;
        Ok(Self { integration: found.integration, account })
    }
}

/// The `data` query parameter the platform's reads take: JSON in the query string.
pub fn data_param<T: serde::de::DeserializeOwned>(
    query: &std::collections::HashMap<String, String>,
) -> Result<T, OaError> {
    let raw = query.get("data").map(String::as_str).unwrap_or("{}");
    serde_json::from_str(raw)
        .map_err(|e| OaError::new(INVALID_PARAM, format!("data is invalid: {e}")))
}

/// An absolute address for a path on this site (the platform's clients expect full URLs).
pub(crate) fn absolute(state: &IntegrationsState, path: &str) -> String {
    if path.is_empty() || path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    match &state.config.public_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

/// The OAuth error shape of the token endpoint.
fn oauth_error(code: i64, name: &str, description: &str) -> Response {
    Json(json!({
        "error": code,
        "error_name": name,
        "error_reason": "",
        "error_description": description,
    }))
    .into_response()
}

/// `POST /v4/oa/access_token`: a refresh token (used once) and the app's secret key for a new
/// pair, in the platform's OAuth shape.
pub(crate) async fn refresh(
    State(state): State<IntegrationsState>,
    headers: HeaderMap,
    body: Result<
        axum::extract::Form<std::collections::HashMap<String, String>>,
        axum::extract::rejection::FormRejection,
    >,
) -> Response {
    let Ok(axum::extract::Form(form)) = body else {
        return oauth_error(-14001, "Invalid parameter", "the body must be form fields");
    };
    let field = |k: &str| form.get(k).map(|v| v.trim()).unwrap_or("");
    if field("grant_type") != "refresh_token" {
        return oauth_error(-14018, "Invalid grant type", "grant_type must be refresh_token");
    }
    let app_id = field("app_id");
    let integration = match state.store.integration_by_app_id(app_id).await {
        Ok(Some(i)) if i.revoked_at.is_none() && !app_id.is_empty() => i,
        Ok(_) => return oauth_error(-14002, "Invalid appId", "no such app"),
        Err(e) => return OaError::from(e).into_response(),
    };
    let presented = headers.get("secret_key").and_then(|v| v.to_str().ok()).unwrap_or("");
    let secret = match service::secret_of(&state.config.secret_key, &integration) {
        Ok(s) => s,
        Err(e) => return OaError::from(e).into_response(),
    };
    let same: bool = {
        use subtle_eq::eq;
        eq(presented.as_bytes(), secret.as_bytes())
    };
    if !same {
        return oauth_error(-14004, "Invalid secret key", "secret_key does not match the app");
    }
    let refresh_token = field("refresh_token");
    match state
        .store
        .take_refresh_token(integration.id, &token_hash(refresh_token), Timestamp::now())
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return oauth_error(
                -14014,
                "Invalid refresh token",
                "the refresh token is unknown, expired or already used",
            );
        }
        Err(e) => return OaError::from(e).into_response(),
    }
    match service::issue_tokens(state.store.as_ref(), integration.id, false).await {
        Ok(c) => Json(json!({
            "access_token": c.access_token,
            "refresh_token": c.refresh_token,
            "expires_in": c.expires_in.to_string(),
            "refresh_token_expires_in": service::REFRESH_TTL_SECS.to_string(),
        }))
        .into_response(),
        Err(e) => OaError::from(e).into_response(),
    }
}

/// Compares secrets in time that does not depend on where they differ.
mod subtle_eq {
    pub(super) fn eq(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// `GET /v2.0/oa/getoa`: the account.
pub(crate) async fn get_oa(
    State(state): State<IntegrationsState>,
    oa: Oa,
) -> Result<Json<Value>, OaError> {
    let account = &oa.account;
    let t = |key: &str| state.messages.text(crate::kernel::i18n::Lang::Vi, key);
    Ok(success(json!({
        "oa_id": account.id.0.to_string(),
        "name": account.display_name,
        "description": account.description,
        "is_verified": account.verified,
        "oa_type": account.kind.as_str(),
        "cate_name": t(&format!("kind-{}", account.kind)),
        "num_follower": account.follower_count,
        "avatar": absolute(&state, account.avatar_url.as_deref().unwrap_or("")),
        "cover": "",
        "slug": account.slug.as_str(),
        "app_id": oa.integration.app_id,
    })))
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_compare_whole() {
        assert!(super::subtle_eq::eq(b"abc", b"abc"));
        assert!(!super::subtle_eq::eq(b"abc", b"abd"));
        assert!(!super::subtle_eq::eq(b"abc", b"abcd"));
    }
}
