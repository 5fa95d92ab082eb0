//! Integrations (stand-in for the lead's model of issue 19: only what the webhooks need).

use async_trait::async_trait;
use ketnoi_core::{AccountId, IntegrationId, Scope, Timestamp};

use crate::Result;

/// A vendor's integration with one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// Its id.
    pub id: IntegrationId,
    /// The public application id the vendor's code names.
    pub app_id: String,
    /// The account it acts for.
    pub account: AccountId,
    /// What the account calls it.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// Its secret key, sealed.
    pub secret_sealed: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Timestamp>,
}

/// An integration to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIntegration {
    /// The public application id.
    pub app_id: String,
    /// The account.
    pub account: AccountId,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// Its secret key, sealed.
    pub secret_sealed: String,
    /// When.
    pub at: Timestamp,
}

/// Integrations.
#[async_trait]
pub trait IntegrationStore {
    /// Creates an integration. [`crate::StoreError::Conflict`] when the app id is taken.
    async fn create_integration(&self, new: &NewIntegration) -> Result<Integration>;
    /// One integration.
    async fn integration(&self, id: IntegrationId) -> Result<Option<Integration>>;
}
