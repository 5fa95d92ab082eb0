//! Signing in: citizens by one-time code, staff by password; signing out.

use std::time::Duration;

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use ketnoi_core::{Phone, Timestamp, Username};
use ketnoi_store::{OtpOutcome, SessionKind, Subject};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ClientIp, limit, views};
use crate::{
    AppState,
    auth::{self, Caller},
    error::ApiError,
    extract::Json,
    otp,
    ratelimit::Limit,
};

/// Per client address: ten code requests at once, then one every 30 s.
const OTP_REQUEST_PER_CLIENT: Limit = Limit::new(10, Duration::from_secs(30));
/// Per phone: three codes at once, then one a minute, so nobody floods a phone with SMS.
const OTP_REQUEST_PER_PHONE: Limit = Limit::new(3, Duration::from_secs(60));
/// Per client address: code checks (the per-code limit of five lives in the database).
const OTP_VERIFY_PER_CLIENT: Limit = Limit::new(20, Duration::from_secs(3));
/// Per client and username: password tries.
const STAFF_SIGN_IN: Limit = Limit::new(5, Duration::from_secs(20));

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/otp/request", post(otp_request))
        .route("/auth/otp/verify", post(otp_verify))
        .route("/auth/staff/sign-in", post(staff_sign_in))
        .route("/auth/sign-out", post(sign_out))
}

/// Asks for a sign-in code.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct OtpRequest {
    /// A Vietnamese mobile number, as typed: `0912 345 678`, `+84912345678`…
    phone: String,
}

/// The code is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct OtpRequested {
    /// Where it went, masked.
    sent_to: String,
    /// How long it stays valid.
    expires_in_seconds: i64,
    /// Whether this server runs in demo mode.
    demo: bool,
    /// In demo mode only: the code itself, so the demo needs no phone.
    #[serde(skip_serializing_if = "Option::is_none")]
    demo_code: Option<String>,
}

/// Sends a one-time code to a phone.
#[utoipa::path(post, path = "/api/v1/auth/otp/request", tag = "auth", request_body = OtpRequest,
    responses(
        (status = 202, body = OtpRequested),
        (status = 422, description = "Not a Vietnamese mobile number", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 503, description = "The SMS gateway failed", body = views::ProblemView, content_type = "application/problem+json"),
    ))]
pub(super) async fn otp_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<OtpRequest>,
) -> Result<(StatusCode, axum::Json<OtpRequested>), ApiError> {
    let phone = Phone::parse(&body.phone)?;
    limit(&state, "otp-request-client", &ip.to_string(), OTP_REQUEST_PER_CLIENT)?;
    limit(&state, "otp-request-phone", phone.e164(), OTP_REQUEST_PER_PHONE)?;
    let code = otp::new_code();
    let now = Timestamp::now();
    let hash = otp::code_hash(&state.config.secret_key, &phone, &code);
    state.store.put_otp(&phone, &hash, now, now.plus_millis(otp::CODE_TTL_MS)).await?;
    state.otp_sender.send(&phone, &code).await.map_err(ApiError::OtpSendFailed)?;
    let demo = state.config.demo;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(OtpRequested {
            sent_to: phone.masked(),
            expires_in_seconds: otp::CODE_TTL_MS / 1000,
            demo,
            demo_code: demo.then_some(code),
        }),
    ))
}

/// Proves a phone with its code.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct OtpVerify {
    /// The same phone as in the request.
    phone: String,
    /// The six-digit code.
    code: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct SignedIn {
    /// The session token: send it as `Authorization: Bearer …`. Shown once.
    token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// When the session ends, RFC 3339.
    expires_at: Option<String>,
    /// The citizen, for a citizen sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    citizen: Option<views::CitizenView>,
    /// The staff member, for a staff sign-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    staff: Option<views::StaffView>,
}

/// Signs a citizen in with the code sent to their phone. The code works once, for five minutes,
/// and dies after five wrong tries.
#[utoipa::path(post, path = "/api/v1/auth/otp/verify", tag = "auth", request_body = OtpVerify,
    responses(
        (status = 200, body = SignedIn),
        (status = 401, description = "Wrong, expired, used or locked code", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "Malformed phone or code", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many requests", body = views::ProblemView, content_type = "application/problem+json"),
    ))]
pub(super) async fn otp_verify(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<OtpVerify>,
) -> Result<Response, ApiError> {
    let phone = Phone::parse(&body.phone)?;
    let code = body.code.trim();
    if !otp::is_code(code) {
        return Err(ApiError::Unprocessable("invalid-code"));
    }
    limit(&state, "otp-verify-client", &ip.to_string(), OTP_VERIFY_PER_CLIENT)?;
    let hash = otp::code_hash(&state.config.secret_key, &phone, code);
    let now = Timestamp::now();
    match state.store.check_otp(&phone, &hash, now, otp::MAX_ATTEMPTS).await? {
        OtpOutcome::Accepted => {}
        OtpOutcome::Wrong { remaining } => return Err(ApiError::OtpWrong { remaining }),
        OtpOutcome::Locked => return Err(ApiError::OtpLocked),
        OtpOutcome::Expired | OtpOutcome::Missing => return Err(ApiError::OtpExpired),
    }
    let citizen = state.store.citizen_for_phone(&phone, now).await?;
    let issued = auth::issue_token(
        state.store.as_ref(),
        Subject::Citizen(citizen.id),
        SessionKind::Cookie,
        "citizen sign-in",
        Some(auth::CITIZEN_SESSION_MS),
    )
    .await?;
    tracing::info!(citizen = citizen.id.0, "citizen signed in");
    let cookie = session_cookie(&state, &issued.token, auth::CITIZEN_SESSION_MS / 1000);
    let body = SignedIn {
        token: issued.token,
        token_type: "Bearer",
        expires_at: issued.expires_at.map(Timestamp::rfc3339),
        citizen: Some((&citizen).into()),
        staff: None,
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

/// Staff credentials.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct StaffSignIn {
    /// Sign-in name.
    username: String,
    /// Password.
    password: String,
}

/// Signs a staff member in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/staff/sign-in", tag = "auth", request_body = StaffSignIn,
    responses(
        (status = 200, body = SignedIn),
        (status = 401, description = "Wrong username or password", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries", body = views::ProblemView, content_type = "application/problem+json"),
    ))]
pub(super) async fn staff_sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<StaffSignIn>,
) -> Result<Response, ApiError> {
    // A malformed username is just a wrong one: say nothing about which names exist.
    let username = Username::parse(&body.username).ok();
    let key = format!("{ip}|{}", username.as_ref().map_or("", |u| u.as_str()));
    limit(&state, "staff-sign-in", &key, STAFF_SIGN_IN)?;
    if body.password.len() > 1024 {
        return Err(ApiError::WrongCredentials);
    }
    let found = match &username {
        Some(u) => state.store.staff_by_username(u).await?,
        None => None,
    };
    let phc = found.as_ref().map_or_else(|| auth::decoy_hash().to_owned(), |(_, h)| h.clone());
    let password = body.password;
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let Some((staff, _)) = found.filter(|_| matches) else {
        return Err(ApiError::WrongCredentials);
    };
    let issued = auth::issue_token(
        state.store.as_ref(),
        Subject::Staff(staff.id),
        SessionKind::Cookie,
        "staff sign-in",
        Some(auth::STAFF_SESSION_MS),
    )
    .await?;
    tracing::info!(staff = staff.id.0, "staff signed in");
    let cookie = session_cookie(&state, &issued.token, auth::STAFF_SESSION_MS / 1000);
    let body = SignedIn {
        token: issued.token,
        token_type: "Bearer",
        expires_at: issued.expires_at.map(Timestamp::rfc3339),
        citizen: None,
        staff: Some((&staff).into()),
    };
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(body)).into_response())
}

/// Ends the caller's session (or revokes the API token used).
#[utoipa::path(post, path = "/api/v1/auth/sign-out", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, body = views::ProblemView, content_type = "application/problem+json"),
    ))]
pub(super) async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let hash = match &caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { token_hash, .. }
        | Caller::Staff { token_hash, .. }
        | Caller::Account { token_hash, .. } => token_hash,
    };
    state.store.delete_session(hash).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}

/// The `Set-Cookie` value for a session (an empty token with age 0 clears it).
fn session_cookie(state: &AppState, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        auth::SESSION_COOKIE
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}
