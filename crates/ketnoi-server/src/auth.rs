//! Passwords, tokens and who is calling.
//!
//! Tokens are 256 random bits, base64url-encoded behind a prefix that says what they are:
//! `ketnoi_s_` for browser sessions and `ketnoi_t_` for API tokens, so a leaked token is easy to
//! recognise in a paste or a secret scanner. Storage keeps only their SHA-256.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, Method, header, request::Parts},
};
use base64::Engine as _;
use ketnoi_core::{Account, Citizen, Grant, StaffMember, Timestamp, policy};
use ketnoi_store::{NewSession, SessionKind, Store, Subject};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::{AppState, error::ApiError};

/// The cookie that carries a browser session.
pub const SESSION_COOKIE: &str = "ketnoi_session";
/// Prefix of browser-session tokens.
pub const SESSION_PREFIX: &str = "ketnoi_s_";
/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "ketnoi_t_";

/// How long a citizen stays signed in.
pub const CITIZEN_SESSION_MS: i64 = 30 * 24 * 3600 * 1000;
/// How long a staff session lasts: one working day and a bit.
pub const STAFF_SESSION_MS: i64 = 12 * 3600 * 1000;

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("argon2: {e}")))
}

/// Checks a password against a PHC string; false for a malformed hash.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A PHC string no password matches, verified against when a username is unknown so that the
/// answer takes as long as for a known one.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("ketnoi decoy password").unwrap_or_default())
}

/// A new random token with the given prefix.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// What storage keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A freshly issued token, shown to its owner once.
#[derive(Debug)]
pub struct IssuedToken {
    /// The token itself.
    pub token: String,
    /// When it stops working.
    pub expires_at: Option<Timestamp>,
}

/// Creates and stores a session or API token for a subject.
pub async fn issue_token(
    store: &dyn Store,
    subject: Subject,
    kind: SessionKind,
    label: &str,
    ttl_ms: Option<i64>,
) -> Result<IssuedToken, ApiError> {
    let prefix = match kind {
        SessionKind::Cookie => SESSION_PREFIX,
        SessionKind::Api => API_TOKEN_PREFIX,
    };
    let token = new_token(prefix);
    let now = Timestamp::now();
    let expires_at = ttl_ms.map(|ms| now.plus_millis(ms));
    store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            subject,
            kind,
            label: label.chars().take(100).collect(),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(IssuedToken { token, expires_at })
}

/// Who is making a request.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Nobody signed in.
    Anonymous,
    /// A citizen.
    Citizen {
        /// The citizen.
        citizen: Citizen,
        /// Their token's hash, to end the session.
        token_hash: String,
    },
    /// A staff member, with their roles.
    Staff {
        /// The member.
        staff: StaffMember,
        /// Their roles.
        grants: Vec<Grant>,
        /// Their token's hash.
        token_hash: String,
    },
    /// A program acting for an official account.
    Account {
        /// The account.
        account: Account,
        /// The token's hash.
        token_hash: String,
    },
}

impl Caller {
    /// The signed-in citizen, or 401 (403 if someone else is signed in).
    pub fn citizen(&self) -> Result<&Citizen, ApiError> {
        match self {
            Self::Citizen { citizen, .. } => Ok(citizen),
            Self::Anonymous => Err(ApiError::Unauthenticated),
            _ => Err(ApiError::Forbidden),
        }
    }

    /// Whether the policy lets this caller do `action` to something owned by an agency with
    /// this ancestry (`None`: platform-wide). Only staff hold roles.
    pub fn may(&self, action: policy::Action, ancestry: Option<&[ketnoi_core::AgencyId]>) -> bool {
        match self {
            Self::Staff { staff, grants, .. } => {
                policy::permits(staff.platform_admin, grants, action, ancestry)
            }
            _ => false,
        }
    }

    /// 401 for nobody, 403 for someone not permitted.
    pub fn require(
        &self,
        action: policy::Action,
        ancestry: Option<&[ketnoi_core::AgencyId]>,
    ) -> Result<(), ApiError> {
        match self {
            Self::Anonymous => Err(ApiError::Unauthenticated),
            _ if self.may(action, ancestry) => Ok(()),
            _ => Err(ApiError::Forbidden),
        }
    }
}

/// The token a request carries, and whether it came in a cookie.
fn presented_token(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(auth) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        let (scheme, token) = auth.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| (token.trim().to_owned(), false));
    }
    cookie(headers, SESSION_COOKIE).map(|t| (t, true))
}

/// A cookie's value.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Whether a state-changing request could have been forged by another site. Browsers send
/// `Sec-Fetch-Site` and `Origin` on such requests; programs using bearer tokens are not at risk,
/// since no browser attaches those by itself.
pub fn cross_site(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        (Some(_), None) => true,
        (None, _) => false,
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if presented_token(&parts.headers).is_some_and(|(_, from_cookie)| from_cookie)
            && cross_site(&parts.method, &parts.headers)
        {
            return Err(ApiError::CsrfRejected);
        }
        resolve_caller(state, &parts.headers).await
    }
}

/// Who the request's bearer token or session cookie belongs to. An unknown or expired token is
/// 401: a client that sends one expects to be someone.
pub async fn resolve_caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let Some((token, _)) = presented_token(headers) else {
        return Ok(Caller::Anonymous);
    };
    if !(token.starts_with(SESSION_PREFIX) || token.starts_with(API_TOKEN_PREFIX))
        || token.len() > 128
    {
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
        Subject::Account(id) => store
            .account(id)
            .await?
            .map(|account| Caller::Account { account, token_hash: hash.clone() }),
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

/// Ends a session: in storage, and in this node's memory of who holds it.
pub async fn end_session(state: &AppState, token_hash: &str) -> Result<bool, ApiError> {
    state.callers.forget(&token_hash.to_owned());
    let ended = state.store.delete_session(token_hash).await?;
    state.callers.forget(&token_hash.to_owned());
    Ok(ended)
}

/// The token that protects a signed-in form against cross-site submission: an HMAC of the
/// session under the server's key, so it changes with every session and cannot be guessed.
pub fn csrf_token(secret: &crate::Secret, session_hash: &str) -> String {
    use hmac::{Hmac, Mac as _};
    match Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) {
        Ok(mut mac) => {
            mac.update(b"ketnoi csrf v1\0");
            mac.update(session_hash.as_bytes());
            hex(&mac.finalize().into_bytes()[..16])
        }
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_stored_hashed() {
        let a = new_token(API_TOKEN_PREFIX);
        let b = new_token(API_TOKEN_PREFIX);
        assert!(a.starts_with("ketnoi_t_") && a.len() == 9 + 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("mật khẩu đúng").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("mật khẩu đúng", &h));
        assert!(!verify_password("mat khau dung", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn cross_site_changes_are_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "ketnoi.example".parse().unwrap_or_else(|_| unreachable!()));
        assert!(!cross_site(&Method::POST, &h), "no browser headers: a program");
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap_or_else(|_| unreachable!()));
        assert!(cross_site(&Method::POST, &h));
        assert!(!cross_site(&Method::GET, &h));
        h.insert(
            header::ORIGIN,
            "https://ketnoi.example".parse().unwrap_or_else(|_| unreachable!()),
        );
        assert!(!cross_site(&Method::POST, &h));
        h.insert("sec-fetch-site", "cross-site".parse().unwrap_or_else(|_| unreachable!()));
        assert!(cross_site(&Method::DELETE, &h));
    }
}
