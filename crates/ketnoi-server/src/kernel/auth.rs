//! Passwords, tokens and who is calling.
//!
//! Tokens are 256 random bits, base64url-encoded behind a prefix that says what they are:
//! `ketnoi_s_` for browser sessions and `ketnoi_t_` for API tokens, so a leaked token is easy to
//! recognise in a paste or a secret scanner. Storage keeps only their SHA-256.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use base64::Engine as _;
use ketnoi_core::{Account, Citizen, Grant, StaffMember, Timestamp, policy};
use ketnoi_store::{NewSession, SessionKind, Store, Subject};
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::kernel::{config::Secret, error::ApiError, http::hex};

/// The cookie that carries a browser session.
pub const SESSION_COOKIE: &str = "ketnoi_session";
/// Prefix of browser-session tokens.
pub const SESSION_PREFIX: &str = "ketnoi_s_";
/// Prefix of API tokens.
pub const API_TOKEN_PREFIX: &str = "ketnoi_t_";
/// Prefix of integrations' access tokens (they expire and are refreshed).
pub const ACCESS_TOKEN_PREFIX: &str = "ketnoi_a_";
/// Prefix of integrations' refresh tokens (each used once).
pub const REFRESH_TOKEN_PREFIX: &str = "ketnoi_r_";

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

impl Caller {
    /// Whether the caller may send the broadcasts of `account` (whose agency's ancestry is
    /// `ancestry`): staff who may publish its news, and its own integrations given the
    /// `broadcast` scope (not a bare account token); 401 for nobody, 403 for everyone else.
    pub fn require_broadcast(
        &self,
        account: &Account,
        ancestry: &[ketnoi_core::AgencyId],
    ) -> Result<(), ApiError> {
        match self {
            Self::Account { account: own, via, .. } => {
                let scoped =
                    via.as_ref().is_some_and(|v| v.scopes.has(ketnoi_core::Scope::Broadcast));
                if own.id == account.id && scoped { Ok(()) } else { Err(ApiError::Forbidden) }
            }
            _ => self.require(policy::Action::PublishNews, Some(ancestry)),
        }
    }

    /// Refuses (403) an integration without `scope`; anyone else passes.
    pub fn require_scope(&self, scope: ketnoi_core::Scope) -> Result<(), ApiError> {
        match self {
            Self::Account { via: Some(via), .. } if !via.scopes.has(scope) => {
                Err(ApiError::Forbidden)
            }
            _ => Ok(()),
        }
    }
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
        /// The integration whose access token it is; `None` for an account token made with
        /// `ketnoi token create`, which may do everything.
        via: Option<Via>,
    },
}

/// The integration behind an account caller.
#[derive(Debug, Clone)]
pub struct Via {
    /// Its id.
    pub integration: ketnoi_core::IntegrationId,
    /// Its name, shown beside what it sends.
    pub name: String,
    /// What it may do.
    pub scopes: ketnoi_core::Scopes,
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

    /// The signed-in staff member's id, if a staff member is calling.
    pub fn staff_id(&self) -> Option<ketnoi_core::StaffId> {
        match self {
            Self::Staff { staff, .. } => Some(staff.id),
            _ => None,
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

/// The token that protects a signed-in form against cross-site submission: an HMAC of the
/// session under the server's key, so it changes with every session and cannot be guessed.
pub fn csrf_token(secret: &Secret, session_hash: &str) -> String {
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
}
