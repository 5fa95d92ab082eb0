//! Two-factor sign-in over the API: the member's own enrolment (start, confirm, new recovery
//! codes, disable), an administrator's reset of a member, and an agency's "required for all
//! staff". Answers that carry a secret or recovery codes are never cached.

use axum::{
    Router,
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    features::sign_in::{second_factor as sf, service::SignInState},
    kernel::{
        auth::Caller,
        client_ip::ClientIp,
        error::ApiError,
        extract::{Json, Path},
        views::ProblemView,
    },
};

pub(crate) fn router() -> Router<SignInState> {
    Router::new()
        .route("/me/second-factor", get(status).post(start))
        .route("/me/second-factor/confirm", post(confirm))
        .route("/me/second-factor/recovery-codes", post(regenerate))
        .route("/me/second-factor/disable", post(disable))
        .route("/staff/{username}/second-factor", delete(reset))
        .route("/agencies/{code}/security", get(agency_security).put(put_agency_security))
}

fn no_store<T: Serialize>(status: StatusCode, body: T) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The caller's two-factor sign-in.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SecondFactorStatus {
    /// Whether it is on.
    enrolled: bool,
    /// Since when, RFC 3339.
    confirmed_at: Option<String>,
    /// An enrolment was started and awaits its first code.
    pending: bool,
    /// Unused recovery codes.
    recovery_codes_left: i64,
    /// Whether the caller must have it (tips, or an agency's rule).
    required: bool,
}

/// Whether two-factor sign-in is on for the caller.
#[utoipa::path(get, path = "/api/v1/me/second-factor", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, body = SecondFactorStatus),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not a staff member", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn status(
    State(state): State<SignInState>,
    caller: Caller,
) -> Result<axum::Json<SecondFactorStatus>, ApiError> {
    let s = sf::status(&state, &caller).await?;
    Ok(axum::Json(SecondFactorStatus {
        enrolled: s.confirmed_at.is_some(),
        confirmed_at: s.confirmed_at.map(ketnoi_core::Timestamp::rfc3339),
        pending: s.pending,
        recovery_codes_left: s.recovery_left,
        required: s.required,
    }))
}

/// A new secret for the caller's authenticator. Shown once per start.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EnrolmentView {
    /// The secret in base32, to type in by hand.
    secret: String,
    /// The `otpauth://totp/ketnoi:USERNAME?secret=…&issuer=ketnoi` URI.
    otpauth_uri: String,
    /// The URI as a QR code, an SVG element.
    qr_svg: String,
    /// TOTP parameters: HMAC-SHA-1, six digits, 30-second steps.
    algorithm: &'static str,
    /// Digits of a code.
    digits: usize,
    /// Seconds a code lives.
    period: u64,
}

/// Starts (or restarts) enrolment: a new secret, to confirm with a first code.
#[utoipa::path(post, path = "/api/v1/me/second-factor", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 201, body = EnrolmentView),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Not a staff member", body = ProblemView, content_type = "application/problem+json"),
        (status = 409, description = "Already on: disable it first", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn start(
    State(state): State<SignInState>,
    caller: Caller,
) -> Result<Response, ApiError> {
    let e = sf::start(&state, &caller).await?;
    Ok(no_store(
        StatusCode::CREATED,
        EnrolmentView {
            secret: e.secret,
            otpauth_uri: e.uri,
            qr_svg: e.qr_svg,
            algorithm: "SHA1",
            digits: crate::kernel::second_factor::DIGITS,
            period: crate::kernel::second_factor::STEP_SECONDS,
        },
    ))
}

/// A code from the authenticator (or, where accepted, a recovery code).
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CodeBody {
    /// Six digits, or a recovery code.
    code: String,
}

/// Recovery codes, shown once: each signs in once when the authenticator is lost.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RecoveryCodes {
    /// Ten codes.
    recovery_codes: Vec<String>,
}

/// Confirms enrolment with a first code; answers the recovery codes, and ends the caller's
/// other sessions.
#[utoipa::path(post, path = "/api/v1/me/second-factor/confirm", tag = "auth", security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, description = "Wrong code", body = ProblemView, content_type = "application/problem+json"),
        (status = 422, description = "No enrolment under way", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn confirm(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    caller: Caller,
    request: crate::kernel::audit::RequestId,
    Json(body): Json<CodeBody>,
) -> Result<Response, ApiError> {
    let codes = sf::confirm(&state, ip, &caller, &request, &body.code).await?;
    Ok(no_store(StatusCode::OK, RecoveryCodes { recovery_codes: codes }))
}

/// New recovery codes for a current code from the authenticator; the old ones stop working.
#[utoipa::path(post, path = "/api/v1/me/second-factor/recovery-codes", tag = "auth", security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 401, description = "Wrong or used code", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn regenerate(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    caller: Caller,
    Json(body): Json<CodeBody>,
) -> Result<Response, ApiError> {
    let codes = sf::regenerate(&state, ip, &caller, &body.code).await?;
    Ok(no_store(StatusCode::OK, RecoveryCodes { recovery_codes: codes }))
}

/// Turns two-factor sign-in off, for a current code; refused to those who must have it.
#[utoipa::path(post, path = "/api/v1/me/second-factor/disable", tag = "auth", security(("bearer" = [])),
    request_body = CodeBody,
    responses(
        (status = 204, description = "Off"),
        (status = 401, description = "Wrong or used code", body = ProblemView, content_type = "application/problem+json"),
        (status = 403, description = "Required for the caller", body = ProblemView, content_type = "application/problem+json"),
        (status = 429, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn disable(
    State(state): State<SignInState>,
    ClientIp(ip): ClientIp,
    caller: Caller,
    request: crate::kernel::audit::RequestId,
    Json(body): Json<CodeBody>,
) -> Result<StatusCode, ApiError> {
    sf::disable(&state, ip, &caller, &request, &body.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Resets a member's two-factor sign-in (they enrol again) and ends their sessions: for
/// administrators with `manage-staff` on one of the member's agencies.
#[utoipa::path(delete, path = "/api/v1/staff/{username}/second-factor", tag = "auth", security(("bearer" = [])),
    params(("username" = String, Path, description = "The member's sign-in name")),
    responses(
        (status = 204, description = "Reset"),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, description = "No such member, or none to reset", body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn reset(
    State(state): State<SignInState>,
    caller: Caller,
    request: crate::kernel::audit::RequestId,
    Path(username): Path<String>,
) -> Result<StatusCode, ApiError> {
    if sf::reset(&state, &caller, &request, &username).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound("second-factor"))
    }
}

/// An agency's security settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct AgencySecurity {
    /// Whether every member of the agency (and of those below it) must sign in with a second
    /// factor.
    second_factor_required: bool,
}

/// An agency's security settings, for those with `manage-staff` on it.
#[utoipa::path(get, path = "/api/v1/agencies/{code}/security", tag = "auth", security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency code")),
    responses(
        (status = 200, body = AgencySecurity),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn agency_security(
    State(state): State<SignInState>,
    caller: Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<AgencySecurity>, ApiError> {
    let agency = sf::managed_agency(&state, &caller, &code).await?;
    let required = state.store.second_factor_required(agency.id).await?;
    Ok(axum::Json(AgencySecurity { second_factor_required: required }))
}

/// Changes an agency's security settings.
#[utoipa::path(put, path = "/api/v1/agencies/{code}/security", tag = "auth", security(("bearer" = [])),
    params(("code" = String, Path, description = "The agency code")),
    request_body = AgencySecurity,
    responses(
        (status = 200, body = AgencySecurity),
        (status = 401, body = ProblemView, content_type = "application/problem+json"),
        (status = 403, body = ProblemView, content_type = "application/problem+json"),
        (status = 404, body = ProblemView, content_type = "application/problem+json"),
    ))]
pub(crate) async fn put_agency_security(
    State(state): State<SignInState>,
    caller: Caller,
    request: crate::kernel::audit::RequestId,
    Path(code): Path<String>,
    Json(body): Json<AgencySecurity>,
) -> Result<axum::Json<AgencySecurity>, ApiError> {
    sf::set_required(&state, &caller, &request, &code, body.second_factor_required).await?;
    Ok(axum::Json(body))
}
