//! Enrolling in, using and giving up two-factor sign-in, shared by the security page and its API;
//! an administrator's reset; an agency's "required for all staff". The TOTP mechanics and the
//! enforcement are the kernel's ([`crate::kernel::second_factor`]).

use std::net::IpAddr;

use crate::kernel::audit::RequestId;
use ketnoi_core::AuditAction;

use ketnoi_core::{Action, AgencyCode, StaffId, StaffMember, Timestamp, Username};

use crate::kernel::{
    auth::Caller,
    error::ApiError,
    second_factor::{self as sf, Passed},
    state::Kernel,
};

/// A pending enrolment, as the member's authenticator needs it.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing in by hand.
    pub secret: String,
    /// The `otpauth://` URI the QR code carries.
    pub uri: String,
    /// The QR code, an SVG element.
    pub qr_svg: String,
}

/// Where the member stands.
#[derive(Debug, Clone)]
pub struct Status {
    /// Confirmed, and when.
    pub confirmed_at: Option<Timestamp>,
    /// An enrolment was started and not confirmed.
    pub pending: bool,
    /// Unused recovery codes.
    pub recovery_left: i64,
    /// Whether the member must have one (and so may not turn it off).
    pub required: bool,
}

/// The signed-in staff member, or 401/403.
pub fn me(caller: &Caller) -> Result<&StaffMember, ApiError> {
    match caller {
        Caller::Staff { staff, .. } => Ok(staff),
        Caller::Anonymous => Err(ApiError::Unauthenticated),
        _ => Err(ApiError::Forbidden),
    }
}

/// The member's status.
pub async fn status(state: &Kernel, caller: &Caller) -> Result<Status, ApiError> {
    let staff = me(caller)?;
    let factor = state.store.second_factor(staff.id).await?;
    Ok(Status {
        confirmed_at: factor.as_ref().and_then(|f| f.confirmed_at),
        pending: factor.as_ref().is_some_and(|f| f.confirmed_at.is_none()),
        recovery_left: state.store.recovery_codes_left(staff.id).await?,
        required: sf::obliged(state, caller).await?,
    })
}

fn enrolment(staff: &StaffMember, secret: String) -> Result<Enrolment, ApiError> {
    let uri = sf::otpauth_uri(staff.username.as_str(), &secret);
    let qr_svg = sf::qr_svg(&uri)?;
    Ok(Enrolment { secret, uri, qr_svg })
}

/// Starts (or restarts) an enrolment with a new secret; 409 if one is already confirmed.
pub async fn start(state: &Kernel, caller: &Caller) -> Result<Enrolment, ApiError> {
    let staff = me(caller)?;
    let secret = sf::new_secret();
    let wrapped = sf::wrap_secret(&state.config.secret_key, staff.id, &secret);
    if !state.store.begin_second_factor(staff.id, &wrapped, Timestamp::now()).await? {
        return Err(ApiError::Conflict("second-factor"));
    }
    enrolment(staff, secret)
}

/// The enrolment under way, to show its QR code again; `None` if none is pending.
pub async fn pending(state: &Kernel, caller: &Caller) -> Result<Option<Enrolment>, ApiError> {
    let staff = me(caller)?;
    let Some(factor) = state.store.second_factor(staff.id).await? else { return Ok(None) };
    if factor.confirmed_at.is_some() {
        return Ok(None);
    }
    let secret = sf::unwrap_secret(&state.config.secret_key, staff.id, &factor.secret_wrapped)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a TOTP secret does not open")))?;
    enrolment(staff, secret).map(Some)
}

fn fresh_codes(state: &Kernel, staff: StaffId) -> (Vec<String>, Vec<String>) {
    let codes = sf::new_recovery_codes();
    let hashes =
        codes.iter().map(|c| sf::recovery_hash(&state.config.secret_key, staff, c)).collect();
    (codes, hashes)
}

/// Confirms the pending enrolment with a first code: returns the recovery codes (shown once)
/// and ends the member's other sessions. A wrong code changes nothing.
pub async fn confirm(
    state: &Kernel,
    client: IpAddr,
    caller: &Caller,
    request: &RequestId,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    let staff = me(caller)?;
    state.limit("second-factor-enrol", &staff.id.0.to_string(), ENROL_LIMIT)?;
    state.limit("second-factor-enrol-client", &client.to_string(), ENROL_LIMIT)?;
    let factor = state.store.second_factor(staff.id).await?;
    let Some(factor) = factor.filter(|f| f.confirmed_at.is_none()) else {
        return Err(ApiError::Unprocessable("second-factor-not-pending"));
    };
    let secret = sf::unwrap_secret(&state.config.secret_key, staff.id, &factor.secret_wrapped)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a TOTP secret does not open")))?;
    let clean: String = code.chars().filter(|c| c.is_ascii_digit()).take(8).collect();
    let now = u64::try_from(Timestamp::now().millis() / 1000).unwrap_or(0);
    let Some(step) = sf::matching_step(&secret, &clean, now) else {
        return Err(ApiError::SecondFactorWrong { replayed: false });
    };
    let (codes, hashes) = fresh_codes(state, staff.id);
    if !state.store.confirm_second_factor(staff.id, step, &hashes, Timestamp::now()).await? {
        return Err(ApiError::Unprocessable("second-factor-not-pending"));
    }
    let keep = caller_token(caller);
    let ended = end_sessions(state, staff.id, keep).await?;
    tracing::info!(staff = staff.id.0, ended, "second factor confirmed");
    audit_member(state, caller, request, AuditAction::SecondFactorEnrolled, staff.id).await?;
    Ok(codes)
}

/// Records a change to a member's second factor in the log of every agency they hold a role on.
async fn audit_member(
    state: &Kernel,
    caller: &Caller,
    request: &RequestId,
    action: AuditAction,
    member: StaffId,
) -> Result<(), ApiError> {
    let object = format!("staff:{}", member.0);
    let mut agencies: Vec<ketnoi_core::AgencyId> =
        state.store.grants(member).await?.into_iter().map(|g| g.agency).collect();
    agencies.sort_unstable_by_key(|a| a.0);
    agencies.dedup();
    if agencies.is_empty() {
        return crate::kernel::audit::record(state, caller, request, action, &object, None).await;
    }
    for agency in agencies {
        crate::kernel::audit::record(state, caller, request, action, &object, Some(agency)).await?;
    }
    Ok(())
}

/// Ends the member's sessions but `keep`, in storage and in this node's memory of callers
/// (other nodes forget within their few seconds).
async fn end_sessions(state: &Kernel, staff: StaffId, keep: Option<&str>) -> Result<u64, ApiError> {
    let ended = state.store.end_staff_sessions(staff, keep).await?;
    state.callers.forget_where(|c| match c {
        Caller::Staff { staff: s, token_hash, .. } => {
            s.id == staff && Some(token_hash.as_str()) != keep
        }
        _ => false,
    });
    Ok(ended)
}

/// Enrolment attempts per member (the code checks of sign-in have their own limits).
const ENROL_LIMIT: crate::kernel::ratelimit::Limit =
    crate::kernel::ratelimit::Limit::new(10, std::time::Duration::from_secs(30));

fn caller_token(caller: &Caller) -> Option<&str> {
    match caller {
        Caller::Staff { token_hash, .. } => Some(token_hash.as_str()),
        _ => None,
    }
}

/// New recovery codes (the old ones stop working), for a member who gives a current code.
pub async fn regenerate(
    state: &Kernel,
    client: IpAddr,
    caller: &Caller,
    code: &str,
) -> Result<Vec<String>, ApiError> {
    let staff = me(caller)?;
    sf::verify(state, client, staff.id, code, false).await?;
    let (codes, hashes) = fresh_codes(state, staff.id);
    state.store.replace_recovery_codes(staff.id, &hashes).await?;
    tracing::info!(staff = staff.id.0, "recovery codes renewed");
    Ok(codes)
}

/// Turns two-factor sign-in off, for a member who gives a current code and is not required to
/// have it (403 `second-factor-still-required` otherwise).
pub async fn disable(
    state: &Kernel,
    client: IpAddr,
    caller: &Caller,
    request: &RequestId,
    code: &str,
) -> Result<(), ApiError> {
    let staff = me(caller)?;
    if sf::obliged(state, caller).await? {
        return Err(ApiError::NotAllowed("second-factor-still-required"));
    }
    let passed = sf::verify(state, client, staff.id, code, true).await?;
    state.store.delete_second_factor(staff.id).await?;
    sf::forget(state, staff.id);
    tracing::info!(staff = staff.id.0, recovery = passed == Passed::Recovery, "second factor off");
    audit_member(state, caller, request, AuditAction::SecondFactorDisabled, staff.id).await
}

/// Whether the caller may manage the staff of some agency the member holds a grant on.
async fn may_manage(state: &Kernel, caller: &Caller, member: StaffId) -> Result<bool, ApiError> {
    for g in state.store.grants(member).await? {
        let ancestry = state.store.agency_ancestry(g.agency).await?;
        if caller.may(Action::ManageStaff, Some(&ancestry)) {
            return Ok(true);
        }
    }
    Ok(caller.may(Action::ManageStaff, None))
}

/// An administrator's reset of a member's second factor (they enrol again at next sign-in):
/// 403 without `manage-staff` on one of the member's agencies, 404 for an unknown member.
/// Ends the member's sessions. Returns whether there was one to reset.
pub async fn reset(
    state: &Kernel,
    caller: &Caller,
    request: &RequestId,
    username: &str,
) -> Result<bool, ApiError> {
    me(caller)?;
    let name = Username::parse(username).map_err(|_| ApiError::NotFound("staff member"))?;
    let (member, _) =
        state.store.staff_by_username(&name).await?.ok_or(ApiError::NotFound("staff member"))?;
    if !may_manage(state, caller, member.id).await? {
        return Err(ApiError::Forbidden);
    }
    let had = reset_member(state, member.id).await?;
    tracing::info!(staff = member.id.0, by = ?caller.staff_id().map(|s| s.0), "second factor reset");
    audit_member(state, caller, request, AuditAction::SecondFactorReset, member.id).await?;
    Ok(had)
}

/// Removes a member's second factor and ends their sessions (also the command line's reset).
pub async fn reset_member(state: &Kernel, member: StaffId) -> Result<bool, ApiError> {
    let had = state.store.delete_second_factor(member).await?;
    end_sessions(state, member, None).await?;
    sf::forget(state, member);
    Ok(had)
}

/// The agency at `code`, for someone with `manage-staff` on it.
pub async fn managed_agency(
    state: &Kernel,
    caller: &Caller,
    code: &str,
) -> Result<ketnoi_core::Agency, ApiError> {
    me(caller)?;
    let code = AgencyCode::parse(code).map_err(|_| ApiError::NotFound("agency"))?;
    let agency = state.store.agency_by_code(&code).await?.ok_or(ApiError::NotFound("agency"))?;
    let ancestry = state.store.agency_ancestry(agency.id).await?;
    caller.require(Action::ManageStaff, Some(&ancestry))?;
    Ok(agency)
}

/// Sets an agency's "two-factor sign-in required for all staff".
pub async fn set_required(
    state: &Kernel,
    caller: &Caller,
    request: &RequestId,
    code: &str,
    required: bool,
) -> Result<ketnoi_core::Agency, ApiError> {
    let agency = managed_agency(state, caller, code).await?;
    state.store.set_second_factor_required(agency.id, required, Timestamp::now()).await?;
    tracing::info!(agency = agency.id.0, required, "second factor requirement changed");
    let object = format!("agency:{}", agency.id.0);
    let action = AuditAction::SecuritySettingsChanged;
    crate::kernel::audit::record(state, caller, request, action, &object, Some(agency.id)).await?;
    Ok(agency)
}

/// The second step of a staff sign-in, after the right password: nothing for a member without a
/// second factor; for one with it, 401 `second-factor-needed` without a code, and the code (from
/// the authenticator, or a recovery code) checked and used up.
pub async fn second_step(
    state: &Kernel,
    client: IpAddr,
    request: &crate::kernel::audit::RequestId,
    staff: StaffId,
    code: Option<&str>,
) -> Result<(), ApiError> {
    use crate::features::sign_in::service::audit_staff;
    use ketnoi_core::{Actor, AuditAction};
    if !sf::enrolled(state, staff).await? {
        return Ok(());
    }
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Err(ApiError::SecondFactorNeeded),
        Some(code) => match sf::verify(state, client, staff, code, true).await {
            Ok(passed) => {
                let me = Actor::Staff(staff);
                if passed == Passed::Recovery {
                    tracing::info!(staff = staff.0, "signed in with a recovery code");
                    audit_staff(state, me, request, AuditAction::RecoveryCodeUsed, Some(staff))
                        .await?;
                }
                tracing::info!(staff = staff.0, "staff signed in");
                audit_staff(state, me, request, AuditAction::SignIn, Some(staff)).await
            }
            Err(e) => {
                if matches!(e, ApiError::SecondFactorWrong { .. }) {
                    let nobody = Actor::Unknown;
                    audit_staff(state, nobody, request, AuditAction::SignInFailed, Some(staff))
                        .await?;
                }
                Err(e)
            }
        },
    }
}
