//! Two-factor sign-in for staff: TOTP (RFC 6238) through `totp-rs`, with the parameters every
//! authenticator app supports (HMAC-SHA-1, six digits, 30-second steps) and one step of clock
//! skew either way; recovery codes kept as keyed hashes; and [`require`], which refuses staff
//! who must have a second factor and have none.
//!
//! A code is accepted only for a time step later than the last one accepted for that member
//! (storage moves the step in one statement), so a code seen over a shoulder or in a log cannot
//! be used again within its window. The secret is stored wrapped under the server's key and
//! bound to the member's id ([`crate::kernel::secrets`]); it never appears in logs.

use std::time::Duration;

use axum::{
    extract::{Request, State},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use ketnoi_core::{Action, StaffId, Timestamp, policy};
use rand::{Rng as _, RngCore as _};
use sha2::Sha256;
use totp_rs::{Algorithm, TOTP};

use crate::kernel::{
    auth::Caller, config::Secret, error::ApiError, http::hex, ratelimit::Limit, secrets,
    session::resolve_caller, state::Kernel,
};

/// Digits of a code.
pub const DIGITS: usize = 6;
/// Seconds a code lives.
pub const STEP_SECONDS: u64 = 30;
/// Steps of clock skew accepted either way.
pub const SKEW: u8 = 1;
/// Recovery codes made at enrolment (and on each renewal).
pub const RECOVERY_CODES: usize = 10;
/// The security page, where staff turn two-factor sign-in on.
pub const SECURITY_PAGE: &str = "/console/bao-mat";
/// The issuer authenticator apps show beside the account.
pub const ISSUER: &str = "ketnoi";

/// Per member: ten codes at once, then one every 30 s (a six-digit code is then out of reach:
/// about 2,880 guesses a day against a million codes, three of them valid at a time).
const PER_MEMBER: Limit = Limit::new(10, Duration::from_secs(30));
/// Per client address, across members.
const PER_CLIENT: Limit = Limit::new(30, Duration::from_secs(2));

/// How long a "this member needs no more checking" answer is remembered on this node. Only
/// members who have a confirmed second factor are remembered, so enrolling takes effect at once;
/// a reset made on another node takes effect within this time.
pub const ENROLLED_CACHE_TTL: Duration = Duration::from_secs(10);

fn totp(secret: Vec<u8>) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, SKEW, STEP_SECONDS, secret)
}

/// A new 160-bit secret (RFC 4226's recommended length), base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::thread_rng().fill_bytes(&mut bytes);
    b32_encode(&bytes)
}

fn b32_encode(bytes: &[u8]) -> String {
    match totp_rs::Secret::Raw(bytes.to_vec()).to_encoded() {
        totp_rs::Secret::Encoded(s) => s,
        totp_rs::Secret::Raw(_) => String::new(),
    }
}

fn b32_decode(text: &str) -> Option<Vec<u8>> {
    totp_rs::Secret::Encoded(text.to_owned()).to_bytes().ok()
}

/// The `otpauth://` URI an authenticator app scans.
pub fn otpauth_uri(username: &str, secret_b32: &str) -> String {
    format!("otpauth://totp/{ISSUER}:{username}?secret={secret_b32}&issuer={ISSUER}")
}

/// The URI as an inline SVG QR code, drawn on the server (no image library, no script).
pub fn qr_svg(uri: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("qr code: {e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .build();
    // Inline in HTML, the XML declaration is noise.
    Ok(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

/// The code for a time (Unix seconds), as an authenticator would show it.
pub fn code_at(secret_b32: &str, unix_seconds: u64) -> Option<String> {
    let bytes = b32_decode(secret_b32)?;
    Some(totp(bytes).generate(unix_seconds))
}

/// The time step a code belongs to, if it is right for the current step or one either side.
pub fn matching_step(secret_b32: &str, code: &str, unix_seconds: u64) -> Option<i64> {
    let bytes = b32_decode(secret_b32)?;
    let t = totp(bytes);
    let now = unix_seconds / STEP_SECONDS;
    let skew = u64::from(SKEW);
    let mut found = None;
    for step in now.saturating_sub(skew)..=now + skew {
        let expected = t.generate(step * STEP_SECONDS);
        // Every candidate is compared, in constant time, so timing says nothing.
        if constant_eq(expected.as_bytes(), code.as_bytes()) {
            found = i64::try_from(step).ok();
        }
    }
    found
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn now_seconds() -> u64 {
    u64::try_from(Timestamp::now().millis() / 1000).unwrap_or(0)
}

/// What the wrapping of a member's secret is bound to.
fn context(staff: StaffId) -> String {
    format!("staff-totp:{}", staff.0)
}

/// Wraps a member's secret for storage.
pub fn wrap_secret(key: &Secret, staff: StaffId, secret_b32: &str) -> String {
    secrets::wrap(key, &context(staff), secret_b32)
}

/// Opens a member's stored secret.
pub fn unwrap_secret(key: &Secret, staff: StaffId, wrapped: &str) -> Option<String> {
    secrets::unwrap(key, &context(staff), wrapped)
}

/// A code as typed, without spaces and dashes, lower-cased; and whether it is a TOTP code.
fn normalize(code: &str) -> (String, bool) {
    let clean: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    let is_totp = clean.len() == DIGITS && clean.bytes().all(|b| b.is_ascii_digit());
    (clean, is_totp)
}

/// Ten new recovery codes, 80 random bits each, shown as `xxxx-xxxx-xxxx-xxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    // Letters and digits that cannot be mistaken for one another when copied by hand.
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String =
                (0..16).map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())])).collect();
            format!("{}-{}-{}-{}", &raw[0..4], &raw[4..8], &raw[8..12], &raw[12..16])
        })
        .collect()
}

/// What storage keeps of a recovery code: an HMAC under the server's key, bound to the member.
pub fn recovery_hash(key: &Secret, staff: StaffId, code: &str) -> String {
    let (clean, _) = normalize(code);
    match Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"ketnoi recovery code v1\0");
            mac.update(staff.0.to_string().as_bytes());
            mac.update(b"\0");
            mac.update(clean.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// Which kind of code passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// A code from the authenticator.
    Totp,
    /// A recovery code, now used.
    Recovery,
}

/// Checks a member's code (from the authenticator or, if `recovery` allows, a recovery code)
/// against their confirmed second factor, throttled per member and per client. A wrong code
/// changes nothing; a right one is used up.
pub async fn verify(
    state: &Kernel,
    client: std::net::IpAddr,
    staff: StaffId,
    code: &str,
    recovery: bool,
) -> Result<Passed, ApiError> {
    state.limit("second-factor-member", &staff.0.to_string(), PER_MEMBER)?;
    state.limit("second-factor-client", &client.to_string(), PER_CLIENT)?;
    let Some(factor) = state.store.second_factor(staff).await? else {
        return Err(ApiError::SecondFactorWrong { replayed: false });
    };
    if factor.confirmed_at.is_none() {
        return Err(ApiError::SecondFactorWrong { replayed: false });
    }
    let (clean, is_totp) = normalize(code);
    if is_totp {
        let secret = unwrap_secret(&state.config.secret_key, staff, &factor.secret_wrapped)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a TOTP secret does not open")))?;
        let Some(step) = matching_step(&secret, &clean, now_seconds()) else {
            return Err(ApiError::SecondFactorWrong { replayed: false });
        };
        if state.store.accept_second_factor_step(staff, step).await? {
            Ok(Passed::Totp)
        } else {
            Err(ApiError::SecondFactorWrong { replayed: true })
        }
    } else if recovery && !clean.is_empty() {
        let hash = recovery_hash(&state.config.secret_key, staff, &clean);
        if state.store.use_recovery_code(staff, &hash, Timestamp::now()).await? {
            tracing::info!(staff = staff.0, "recovery code used");
            Ok(Passed::Recovery)
        } else {
            Err(ApiError::SecondFactorWrong { replayed: false })
        }
    } else {
        Err(ApiError::SecondFactorWrong { replayed: false })
    }
}

/// Whether the member has a confirmed second factor (remembered briefly when they do).
pub async fn enrolled(state: &Kernel, staff: StaffId) -> Result<bool, ApiError> {
    if state.enrolled.get(&staff.0).is_some() {
        return Ok(true);
    }
    let confirmed =
        state.store.second_factor(staff).await?.is_some_and(|f| f.confirmed_at.is_some());
    if confirmed {
        state.enrolled.put(staff.0, (), None);
    }
    Ok(confirmed)
}

/// Forgets what this node remembers of the member (after a disable or a reset).
pub fn forget(state: &Kernel, staff: StaffId) {
    state.enrolled.forget(&staff.0);
}

/// Whether a member must have a second factor: they may handle tips for an agency they hold a
/// grant on, or hold a copy of a tip key, or an agency of theirs (or one above it) requires it
/// of all staff.
pub async fn obliged(state: &Kernel, caller: &Caller) -> Result<bool, ApiError> {
    let Caller::Staff { staff, grants, .. } = caller else {
        return Ok(false);
    };
    for g in grants {
        let ancestry = state.store.agency_ancestry(g.agency).await?;
        if policy::permits(staff.platform_admin, grants, Action::HandleTips, Some(&ancestry)) {
            return Ok(true);
        }
    }
    Ok(state.store.holds_tip_key(staff.id).await?
        || state.store.second_factor_required_for(staff.id).await?)
}

/// Refuses (403 `second-factor-required`, saying where to turn it on) a staff member who must
/// have a second factor and has none. Everyone else passes.
pub async fn require(state: &Kernel, caller: &Caller) -> Result<(), ApiError> {
    let Caller::Staff { staff, .. } = caller else {
        return Ok(());
    };
    if enrolled(state, staff.id).await? || !obliged(state, caller).await? {
        return Ok(());
    }
    Err(ApiError::NotAllowed("second-factor-required"))
}

/// Paths a member without a second factor can always reach: the security page and its API
/// (to enrol), signing in and out.
fn exempt(path: &str) -> bool {
    path == SECURITY_PAGE
        || path.starts_with("/console/bao-mat/")
        || path.starts_with("/api/v1/me/second-factor")
        || path.starts_with("/api/v1/auth/")
}

/// Middleware: where an agency requires a second factor of all its staff, a member of it without
/// one reaches nothing of the console or the staff API but the security page (pages are sent
/// there; the API answers 403 `second-factor-required`).
pub async fn enforce(State(state): State<Kernel>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let console = path == "/console" || path.starts_with("/console/");
    let api = path.starts_with("/api/v1/");
    if !(console || api) || exempt(path) {
        return next.run(request).await;
    }
    // Only staff are concerned; anyone else (and a bad token) is left to the route.
    let Ok(caller @ Caller::Staff { .. }) = resolve_caller(&state, request.headers()).await else {
        return next.run(request).await;
    };
    match required_for_all(&state, &caller).await {
        Ok(false) => next.run(request).await,
        Ok(true) if console => {
            if request.method() == Method::GET || request.method() == Method::HEAD {
                Redirect::to(&format!("{SECURITY_PAGE}?bat-buoc=1")).into_response()
            } else {
                Redirect::to(SECURITY_PAGE).into_response()
            }
        }
        Ok(true) => ApiError::NotAllowed("second-factor-required").into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether the caller is held back by an agency's "required for all staff".
async fn required_for_all(state: &Kernel, caller: &Caller) -> Result<bool, ApiError> {
    let Caller::Staff { staff, .. } = caller else {
        return Ok(false);
    };
    if state.enrolled.get(&staff.id.0).is_some() {
        return Ok(false);
    }
    if !state.store.second_factor_required_for(staff.id).await? {
        return Ok(false);
    }
    Ok(!enrolled(state, staff.id).await?)
}

/// A short-lived proof that a member gave the right password, carried between the two steps of
/// the sign-in pages: `staff.expires.mac`, an HMAC under the server's key. It opens no session.
pub fn pending_token(key: &Secret, staff: StaffId, expires: Timestamp) -> String {
    let body = format!("{}.{}", staff.0, expires.millis());
    format!("{body}.{}", pending_mac(key, &body))
}

fn pending_mac(key: &Secret, body: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key.expose().as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"ketnoi second factor pending v1\0");
            mac.update(body.as_bytes());
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// The member a [`pending_token`] names, if it is authentic and not expired.
pub fn open_pending(key: &Secret, token: &str, now: Timestamp) -> Option<StaffId> {
    let (body, mac) = token.rsplit_once('.')?;
    if !constant_eq(pending_mac(key, body).as_bytes(), mac.as_bytes()) {
        return None;
    }
    let (staff, expires) = body.split_once('.')?;
    let expires: i64 = expires.parse().ok()?;
    (expires > now.millis()).then_some(StaffId(staff.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1: the ASCII secret "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn the_crate_gives_the_rfc_6238_appendix_b_values() {
        let eight =
            TOTP::new_unchecked(Algorithm::SHA1, 8, SKEW, STEP_SECONDS, RFC_SECRET.to_vec());
        let vectors = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        let b32 = b32_encode(RFC_SECRET);
        for (time, expected) in vectors {
            assert_eq!(eight.generate(time), expected, "at {time}");
            // Six digits are the last six of the same value, as our configuration gives them.
            assert_eq!(code_at(&b32, time).as_deref(), Some(&expected[2..]), "at {time}");
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32, "160 bits in base32");
        let t = 1_700_000_000u64;
        let step = i64::try_from(t / STEP_SECONDS).unwrap_or_default();
        let now = code_at(&secret, t).unwrap_or_default();
        assert_eq!(matching_step(&secret, &now, t), Some(step));
        let before = code_at(&secret, t - STEP_SECONDS).unwrap_or_default();
        assert_eq!(matching_step(&secret, &before, t), Some(step - 1));
        let two_ago = code_at(&secret, t - 2 * STEP_SECONDS).unwrap_or_default();
        if two_ago != now && two_ago != before {
            assert_eq!(matching_step(&secret, &two_ago, t), None);
        }
        assert_eq!(matching_step(&secret, "12345", t), None);
    }

    #[test]
    fn recovery_codes_are_many_distinct_and_hashed_per_member() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let key = Secret::new("k");
        let a = recovery_hash(&key, StaffId(1), &codes[0]);
        assert_eq!(a, recovery_hash(&key, StaffId(1), &codes[0].to_uppercase().replace('-', " ")));
        assert_ne!(a, recovery_hash(&key, StaffId(2), &codes[0]));
        assert!(!a.contains(&codes[0]));
    }

    #[test]
    fn a_pending_sign_in_opens_only_unaltered_and_in_time() {
        let key = Secret::new("k");
        let now = Timestamp::now();
        let token = pending_token(&key, StaffId(7), now.plus_millis(300_000));
        assert_eq!(open_pending(&key, &token, now), Some(StaffId(7)));
        assert_eq!(open_pending(&key, &token, now.plus_millis(300_001)), None);
        assert_eq!(open_pending(&Secret::new("other"), &token, now), None);
        let forged = token.replacen('7', "8", 1);
        assert_eq!(open_pending(&key, &forged, now), None);
    }

    #[test]
    fn the_qr_code_is_an_svg_element() {
        let svg = qr_svg(&otpauth_uri("canbo.lan", &new_secret())).unwrap_or_default();
        assert!(
            svg.starts_with("<svg") && svg.ends_with("</svg>"),
            "{}",
            &svg[..40.min(svg.len())]
        );
    }
}
