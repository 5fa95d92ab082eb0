//! Integrations: credentials (an app id, a secret key, access and refresh tokens in the
//! commercial platform's OAuth shape), the opaque per-account user ids integrations see, and the
//! state their routes hold.
//!
//! The secret key is kept wrapped under the server's key ([`crate::kernel::secrets`]): it signs
//! webhooks, so it must be readable again. Tokens are kept as hashes and shown once.

use std::sync::Arc;

use ketnoi_core::{
    Account, AccountId, CitizenId, ConversationId, IntegrationId, Scopes, StaffId, Timestamp,
};
use ketnoi_store::{Integration, NewIntegration, TokenGrant};
use rand::Rng as _;

use crate::{
    features::chat::service::Chat,
    kernel::{
        auth::{ACCESS_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, new_token, token_hash},
        config::Secret,
        error::ApiError,
        secrets,
        state::{Kernel, feature_state},
    },
};
use ketnoi_store::Store;

/// How long an access token works: 25 hours, as on the commercial platform.
pub const ACCESS_TTL_SECS: i64 = 90_000;
/// How long a refresh token works (it is also used up by refreshing): 90 days.
pub const REFRESH_TTL_SECS: i64 = 90 * 24 * 3600;

/// What the integration routes hold: the kernel and the chat writer (integrations send
/// messages as their account).
#[derive(Clone)]
pub struct IntegrationsState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The group-commit writer.
    pub chat: Arc<Chat>,
}
feature_state!(IntegrationsState);

/// A fresh pair of tokens, shown once.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Credentials {
    /// Sent as the `access_token` header (or as a bearer token on `/api/v1`).
    pub access_token: String,
    /// Exchanged once for a new pair at `POST /v4/oa/access_token`.
    pub refresh_token: String,
    /// Seconds the access token works.
    pub expires_in: i64,
}

/// A new integration's secret key: 32 letters and digits.
fn new_secret_key() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    (0..32).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// A new public app id: 19 digits, not starting with 0, as integrators' code expects of the
/// commercial platform's ids.
fn new_numeric_id() -> String {
    let mut rng = rand::thread_rng();
    format!("{}{:018}", rng.gen_range(1..=9), rng.gen_range(0..1_000_000_000_000_000_000u64))
}

/// The secret key of an integration.
pub fn secret_of(server_key: &Secret, integration: &Integration) -> Result<String, ApiError> {
    secrets::unwrap(server_key, &integration.app_id, &integration.secret_sealed).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!(
            "integration {} has a secret sealed under another server key",
            integration.app_id
        ))
    })
}

/// Makes and stores a new pair of tokens; with `replace`, the integration's earlier tokens stop
/// working.
pub async fn issue_tokens(
    store: &dyn Store,
    id: IntegrationId,
    replace: bool,
) -> Result<Credentials, ApiError> {
    let now = Timestamp::now();
    let access_token = new_token(ACCESS_TOKEN_PREFIX);
    let refresh_token = new_token(REFRESH_TOKEN_PREFIX);
    let access = TokenGrant {
        hash: token_hash(&access_token),
        expires_at: now.plus_millis(ACCESS_TTL_SECS * 1000),
    };
    let refresh = TokenGrant {
        hash: token_hash(&refresh_token),
        expires_at: now.plus_millis(REFRESH_TTL_SECS * 1000),
    };
    store.put_integration_tokens(id, &access, &refresh, replace, now).await?;
    Ok(Credentials { access_token, refresh_token, expires_in: ACCESS_TTL_SECS })
}

/// A new integration with everything shown once.
#[derive(Debug, Clone)]
pub struct Created {
    /// The integration.
    pub integration: Integration,
    /// Its secret key.
    pub secret_key: String,
    /// Its first tokens.
    pub credentials: Credentials,
}

/// Creates an integration for an account, with its secret key and first tokens.
pub async fn create(
    store: &dyn Store,
    server_key: &Secret,
    account: &Account,
    name: &str,
    scopes: Scopes,
    by: Option<StaffId>,
) -> Result<Created, ApiError> {
    let name = ketnoi_core::integration::integration_name(name)?;
    let secret_key = new_secret_key();
    // A clash of 19 random digits is all but impossible; try again rather than fail if it
    // happens.
    for _ in 0..3 {
        let app_id = new_numeric_id();
        let new = NewIntegration {
            secret_sealed: secrets::wrap(server_key, &app_id, &secret_key),
            app_id,
            account: account.id,
            name: name.clone(),
            scopes: scopes.clone(),
            created_by: by,
            created_at: Timestamp::now(),
        };
        match store.create_integration(&new).await {
            Ok(integration) => {
                let credentials = issue_tokens(store, integration.id, true).await?;
                tracing::info!(account = %account.slug, app_id = %integration.app_id, "integration created");
                return Ok(Created { integration, secret_key, credentials });
            }
            Err(ketnoi_store::StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::Internal(anyhow::anyhow!("could not draw a free app id")))
}

/// Gives an integration a new secret key and new tokens; the old ones stop working at once.
pub async fn rotate(
    store: &dyn Store,
    server_key: &Secret,
    integration: &Integration,
) -> Result<Created, ApiError> {
    if integration.revoked_at.is_some() {
        return Err(ApiError::Conflict("integration-revoked"));
    }
    let secret_key = new_secret_key();
    let sealed = secrets::wrap(server_key, &integration.app_id, &secret_key);
    if !store.set_integration_secret(integration.id, &sealed).await? {
        return Err(ApiError::Conflict("integration-revoked"));
    }
    let credentials = issue_tokens(store, integration.id, true).await?;
    tracing::info!(app_id = %integration.app_id, "integration credentials rotated");
    let mut integration = integration.clone();
    integration.secret_sealed = sealed;
    Ok(Created { integration, secret_key, credentials })
}

/// Revokes an integration: its tokens stop working at once, its webhook stops.
pub async fn revoke(store: &dyn Store, integration: &Integration) -> Result<bool, ApiError> {
    let done = store.revoke_integration(integration.id, Timestamp::now()).await?;
    if done {
        tracing::info!(app_id = %integration.app_id, "integration revoked");
    }
    Ok(done)
}

/// The id an account's integrations know a citizen by (18 digits, made the first time).
pub async fn user_id(
    kernel: &Kernel,
    account: AccountId,
    citizen: CitizenId,
) -> Result<String, ApiError> {
    Ok(kernel.store.account_user_id(account, citizen, &new_numeric_id(), Timestamp::now()).await?)
}

/// The citizen an account's integration means by `user_id`; `None` for an id it was never
/// given (another account's ids included: they are never a different citizen here).
pub async fn citizen_of(
    kernel: &Kernel,
    account: AccountId,
    user_id: &str,
) -> Result<Option<CitizenId>, ApiError> {
    if user_id.is_empty() || user_id.len() > 40 || !user_id.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(kernel.store.citizen_by_user_id(account, user_id).await?)
}

/// A message's id as integrations see it: its conversation and its place there.
pub fn msg_id(conversation: ConversationId, seq: i64) -> String {
    format!("{}.{}", conversation.0, seq)
}

/// The conversation and place a message id names, if it is well formed.
pub fn parse_msg_id(raw: &str) -> Option<(ConversationId, i64)> {
    let (c, s) = raw.trim().split_once('.')?;
    Some((ConversationId(c.parse().ok()?), s.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_look_like_the_platforms_and_message_ids_round_trip() {
        let id = new_numeric_id();
        assert_eq!(id.len(), 19);
        assert!(id.bytes().all(|b| b.is_ascii_digit()) && !id.starts_with('0'));
        assert_ne!(new_numeric_id(), id);
        let key = new_secret_key();
        assert_eq!(key.len(), 32);
        assert!(key.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(parse_msg_id(&msg_id(ConversationId(42), 7)), Some((ConversationId(42), 7)));
        assert_eq!(parse_msg_id("42"), None);
        assert_eq!(parse_msg_id("a.b"), None);
    }
}
