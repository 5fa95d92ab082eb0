//! Signing in: citizens by one-time code, staff by password; signing out.

use axum::{
    Router,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use ketnoi_core::{Actor, AuditAction, Phone, Timestamp};
use ketnoi_store::Subject;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::{audit::RequestId, client_ip::ClientIp, views};
use crate::{
    features::sign_in::otp,
    features::sign_in::second_factor,
    features::sign_in::service as signin,
    features::sign_in::service::SignInState,
    kernel::auth::{self, Caller},
    kernel::error::ApiError,
    kernel::extract::Json,
};

pub(crate) fn router() -> Router<SignInState> {
    Router::new()
        .route("/auth/otp/request", post(otp_request))
        .route("/auth/otp/verify", post(otp_verify))
        .route("/auth/staff/sign-in", post(staff_sign_in))
        .route("/auth/sign-out", post(sign_out))
}

/// Asks for a sign-in code.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct OtpRequest {
    /// A Vietnamese mobile number, as typed: `0912 345 678`, `+84912345678`…
    phone: String,
}

/// The code is on its way.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OtpRequested {
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
pub(crate) async fn otp_request(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    Json(body): Json<OtpRequest>,
) -> Result<(StatusCode, axum::Json<OtpRequested>), ApiError> {
    let phone = Phone::parse(&body.phone)?;
    let demo_code = signin::request_code(&state, ip, &phone).await?;
    let demo = state.config.demo;
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(OtpRequested {
            sent_to: phone.masked(),
            expires_in_seconds: otp::CODE_TTL_MS / 1000,
            demo,
            demo_code,
        }),
    ))
}

/// Proves a phone with its code.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct OtpVerify {
    /// The same phone as in the request.
    phone: String,
    /// The six-digit code.
    code: String,
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignedIn {
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
pub(crate) async fn otp_verify(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Json(body): Json<OtpVerify>,
) -> Result<Response, ApiError> {
    let phone = Phone::parse(&body.phone)?;
    let citizen = signin::verify_code(&state, ip, &phone, &body.code).await?;
    let previous = crate::kernel::http::cookie(&headers, auth::SESSION_COOKIE);
    let (issued, cookie) =
        signin::start_session(&state, Subject::Citizen(citizen.id), previous.as_deref()).await?;
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
pub(crate) struct StaffSignIn {
    /// Sign-in name.
    username: String,
    /// Password.
    password: String,
    /// For a member with two-factor sign-in: the code from their authenticator, or one of their
    /// recovery codes.
    #[serde(default)]
    code: Option<String>,
}

/// Signs a staff member in with username and password.
#[utoipa::path(post, path = "/api/v1/auth/staff/sign-in", tag = "auth", request_body = StaffSignIn,
    responses(
        (status = 200, body = SignedIn),
        (status = 401, description = "Wrong username or password; or, for a member with two-factor sign-in, `second-factor-needed` (no code) or `second-factor-wrong` (a wrong code, or one already used: `replayed`)", body = views::ProblemView, content_type = "application/problem+json"),
        (status = 429, description = "Too many tries", body = views::ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn staff_sign_in(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    request: RequestId,
    headers: HeaderMap,
    Json(body): Json<StaffSignIn>,
) -> Result<Response, ApiError> {
    let staff = signin::check_staff(&state, ip, &request, &body.username, body.password).await?;
    second_factor::second_step(&state, ip, &request, staff.id, body.code.as_deref()).await?;
    let previous = crate::kernel::http::cookie(&headers, auth::SESSION_COOKIE);
    let (issued, cookie) =
        signin::start_session(&state, Subject::Staff(staff.id), previous.as_deref()).await?;
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
pub(crate) async fn sign_out(
    State(state): State<SignInState>,
    caller: Caller,
    request: RequestId,
) -> Result<Response, ApiError> {
    let hash = match &caller {
        Caller::Anonymous => return Err(ApiError::Unauthenticated),
        Caller::Citizen { token_hash, .. }
        | Caller::Staff { token_hash, .. }
        | Caller::Account { token_hash, .. } => token_hash,
    };
    crate::kernel::session::end_session(&state, hash).await?;
    if let Caller::Staff { staff, .. } = &caller {
        let actor = Actor::Staff(staff.id);
        signin::audit_staff(&state, actor, &request, AuditAction::SignOut, Some(staff.id)).await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(header::SET_COOKIE, signin::session_cookie(&state, "", 0));
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
