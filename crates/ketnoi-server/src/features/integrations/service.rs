//! Stand-in for the lead's integrations service (issue 19): the three names the webhooks use.
//! The lead's commit replaces this file.

use hmac::{Hmac, Mac as _};
use ketnoi_core::{AccountId, CitizenId, ConversationId};
use ketnoi_store::Integration;
use sha2::Sha256;

use crate::kernel::{error::ApiError, state::Kernel};

/// A message's stable id on the compatible surface.
pub fn msg_id(conversation: ConversationId, seq: i64) -> String {
    format!("{}.{seq}", conversation.0)
}

/// An integration's secret key, unsealed. (Stand-in: the sealed form is the key itself.)
pub fn secret_of(_kernel: &Kernel, integration: &Integration) -> Result<String, ApiError> {
    Ok(integration.secret_sealed.clone())
}

/// A citizen's id as an account's integrations see it: the same citizen has another id with
/// every account, so integrations of two accounts cannot match their users.
pub fn user_id(
    kernel: &Kernel,
    account: AccountId,
    citizen: CitizenId,
) -> Result<String, ApiError> {
    let mut mac = Hmac::<Sha256>::new_from_slice(kernel.config.secret_key.expose().as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("user id key: {e}")))?;
    mac.update(b"ketnoi user id v1\0");
    mac.update(&account.0.to_be_bytes());
    mac.update(&citizen.0.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Digits only, as the platform's ids are.
    let mut n = [0u8; 8];
    n.copy_from_slice(&digest[..8]);
    Ok((u64::from_be_bytes(n) % 9_000_000_000_000_000_000 + 1_000_000_000_000_000_000).to_string())
}

/// An account's id as an official account (the `oa_id` of events).
pub fn oa_id(account: AccountId) -> String {
    account.0.to_string()
}
