//! The sign-in flows, shared by the JSON API and the web pages: asking for and checking a
//! one-time code, checking a staff password, and starting a session.

use std::{net::IpAddr, sync::Arc, time::Duration};

use axum::http::HeaderValue;
use ketnoi_core::{
    Actor, AgencyId, AuditAction, Citizen, Phone, StaffId, StaffMember, Timestamp, Username,
};
use ketnoi_store::{OtpOutcome, SessionKind, Subject};

use crate::{
    features::sign_in::otp::{self, OtpSender},
    kernel::{
        audit::{RequestId, record_as},
        auth::{self, IssuedToken},
        error::ApiError,
        ratelimit::Limit,
        state::{Kernel, feature_state},
    },
};

/// What the sign-in routes and pages hold: the kernel and the code sender.
#[derive(Clone)]
pub struct SignInState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// Delivers one-time codes.
    pub otp_sender: Arc<dyn OtpSender>,
}
feature_state!(SignInState);

/// Per client address: ten code requests at once, then one every 30 s.
const OTP_REQUEST_PER_CLIENT: Limit = Limit::new(10, Duration::from_secs(30));
/// Per phone: three codes at once, then one a minute, so nobody floods a phone with SMS.
const OTP_REQUEST_PER_PHONE: Limit = Limit::new(3, Duration::from_secs(60));
/// Per client address: code checks (the per-code limit of five lives in the database).
const OTP_VERIFY_PER_CLIENT: Limit = Limit::new(20, Duration::from_secs(3));
/// Per client and username: password tries.
const STAFF_SIGN_IN: Limit = Limit::new(5, Duration::from_secs(20));

/// Sends a new code to `phone`. Returns the code itself only in demo mode.
pub async fn request_code(
    state: &SignInState,
    client: IpAddr,
    phone: &Phone,
) -> Result<Option<String>, ApiError> {
    state.limit("otp-request-client", &client.to_string(), OTP_REQUEST_PER_CLIENT)?;
    state.limit("otp-request-phone", phone.e164(), OTP_REQUEST_PER_PHONE)?;
    let code = otp::new_code();
    let now = Timestamp::now();
    let hash = otp::code_hash(&state.config.secret_key, phone, &code);
    state.store.put_otp(phone, &hash, now, now.plus_millis(otp::CODE_TTL_MS)).await?;
    state.otp_sender.send(phone, &code).await.map_err(ApiError::OtpSendFailed)?;
    Ok(state.config.demo.then_some(code))
}

/// Checks a code; on success, the citizen (created on first sign-in).
pub async fn verify_code(
    state: &Kernel,
    client: IpAddr,
    phone: &Phone,
    code: &str,
) -> Result<Citizen, ApiError> {
    let code = code.trim();
    if !otp::is_code(code) {
        return Err(ApiError::Unprocessable("invalid-code"));
    }
    state.limit("otp-verify-client", &client.to_string(), OTP_VERIFY_PER_CLIENT)?;
    let hash = otp::code_hash(&state.config.secret_key, phone, code);
    let now = Timestamp::now();
    match state.store.check_otp(phone, &hash, now, otp::MAX_ATTEMPTS).await? {
        OtpOutcome::Accepted => {}
        OtpOutcome::Wrong { remaining } => return Err(ApiError::OtpWrong { remaining }),
        OtpOutcome::Locked => return Err(ApiError::OtpLocked),
        OtpOutcome::Expired | OtpOutcome::Missing => return Err(ApiError::OtpExpired),
    }
    let citizen = state.store.citizen_for_phone(phone, now).await?;
    tracing::info!(citizen = citizen.id.0, "citizen signed in");
    Ok(citizen)
}

/// Checks a staff member's password. Unknown names and wrong passwords fail alike, in about the
/// same time. Both outcomes are audited: a success as the member's, a failure as an unknown
/// actor's against the member's account (or `staff:unknown`; the name typed is never kept).
pub async fn check_staff(
    state: &Kernel,
    client: IpAddr,
    request: &RequestId,
    username: &str,
    password: String,
) -> Result<StaffMember, ApiError> {
    let username = Username::parse(username).ok();
    let key = format!("{client}|{}", username.as_ref().map_or("", |u| u.as_str()));
    state.limit("staff-sign-in", &key, STAFF_SIGN_IN)?;
    if password.len() > 1024 {
        return Err(ApiError::WrongCredentials);
    }
    let found = match &username {
        Some(u) => state.store.staff_by_username(u).await?,
        None => None,
    };
    let phc = found.as_ref().map_or_else(|| auth::decoy_hash().to_owned(), |(_, h)| h.clone());
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    match found {
        Some((staff, _)) if matches => {
            // A member with two-factor sign-in has not signed in yet: the second step records
            // the outcome.
            if !crate::kernel::second_factor::enrolled(state, staff.id).await? {
                tracing::info!(staff = staff.id.0, "staff signed in");
                let actor = Actor::Staff(staff.id);
                audit_staff(state, actor, request, AuditAction::SignIn, Some(staff.id)).await?;
            }
            Ok(staff)
        }
        found => {
            let staff = found.map(|(s, _)| s.id);
            audit_staff(state, Actor::Unknown, request, AuditAction::SignInFailed, staff).await?;
            Err(ApiError::WrongCredentials)
        }
    }
}

/// Records a staff member's sign-in, failed sign-in or sign-out once for each agency where
/// they hold a role, so that each unit's log shows it (once, with no agency, for someone with
/// none, or for a name that matches nobody).
pub async fn audit_staff(
    state: &Kernel,
    actor: Actor,
    request: &RequestId,
    action: AuditAction,
    staff: Option<StaffId>,
) -> Result<(), ApiError> {
    let Some(staff) = staff else {
        return record_as(state, actor, request, action, "staff:unknown", None).await;
    };
    let object = format!("staff:{}", staff.0);
    let mut agencies: Vec<AgencyId> =
        state.store.grants(staff).await?.into_iter().map(|g| g.agency).collect();
    agencies.sort_unstable_by_key(|a| a.0);
    agencies.dedup();
    if agencies.is_empty() {
        return record_as(state, actor, request, action, &object, None).await;
    }
    for agency in agencies {
        record_as(state, actor, request, action, &object, Some(agency)).await?;
    }
    Ok(())
}

/// Starts a browser session for `subject`, ending the session the browser held before (so a
/// session fixed by someone else before sign-in is worthless after it). Returns the new token
/// and its cookie.
pub async fn start_session(
    state: &Kernel,
    subject: Subject,
    previous_token: Option<&str>,
) -> Result<(IssuedToken, HeaderValue), ApiError> {
    if let Some(old) = previous_token {
        crate::kernel::session::end_session(state, &auth::token_hash(old)).await?;
    }
    let (ttl, label) = match subject {
        Subject::Staff(_) => (auth::STAFF_SESSION_MS, "staff sign-in"),
        _ => (auth::CITIZEN_SESSION_MS, "citizen sign-in"),
    };
    let issued =
        auth::issue_token(state.store.as_ref(), subject, SessionKind::Cookie, label, Some(ttl))
            .await?;
    let cookie = session_cookie(state, &issued.token, ttl / 1000);
    Ok((issued, cookie))
}

/// The `Set-Cookie` value for a session (an empty token with age 0 clears it).
pub fn session_cookie(state: &Kernel, token: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    let value = format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        auth::SESSION_COOKIE
    );
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static(""))
}
