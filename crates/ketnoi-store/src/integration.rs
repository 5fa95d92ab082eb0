//! Integrations (programs driving an account through the API), their tokens, and the opaque
//! per-account ids integrations know citizens by.

use async_trait::async_trait;
use ketnoi_core::{
    AccountId, CitizenId, IntegrationId, MessageKind, Scopes, StaffId, Tag, Timestamp,
};

use crate::Result;

/// An integration as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integration {
    /// Its id in storage.
    pub id: IntegrationId,
    /// Its public id, what integrators call `app_id`: digits only.
    pub app_id: String,
    /// The account it acts for.
    pub account: AccountId,
    /// Its name, shown to officers beside what it sends.
    pub name: String,
    /// What it may do.
    pub scopes: Scopes,
    /// Its secret key, wrapped under the server's key.
    pub secret_sealed: String,
    /// Who created it.
    pub created_by: Option<StaffId>,
    /// When.
    pub created_at: Timestamp,
    /// When it was revoked; a revoked integration's tokens no longer work.
    pub revoked_at: Option<Timestamp>,
}

/// A new integration.
#[derive(Debug, Clone)]
pub struct NewIntegration {
    /// Its public id.
    pub app_id: String,
    /// The account.
    pub account: AccountId,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scopes: Scopes,
    /// Its secret key, wrapped.
    pub secret_sealed: String,
    /// Who creates it.
    pub created_by: Option<StaffId>,
    /// When.
    pub created_at: Timestamp,
}

/// Which of an integration's tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Calls the API.
    Access,
    /// Gets a new pair, once.
    Refresh,
}

impl TokenKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Refresh => "refresh",
        }
    }
}

/// A token's hash and when it stops working.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// SHA-256 of the token, hex.
    pub hash: String,
    /// Its end.
    pub expires_at: Timestamp,
}

/// A presented token, found.
#[derive(Debug, Clone)]
pub struct FoundToken {
    /// Whose.
    pub integration: Integration,
    /// Which kind.
    pub kind: TokenKind,
    /// Its end (it may have passed: the caller tells an expired token from an unknown one).
    pub expires_at: Timestamp,
}

/// A file an integration uploaded, waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationUpload {
    /// What the integration refers to it by (its `attachment_id` or `token`).
    pub token: String,
    /// Whose.
    pub integration: IntegrationId,
    /// A picture or a document.
    pub kind: MessageKind,
    /// Its media type, read from the bytes.
    pub media_type: String,
    /// The download name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Pixel size, for pictures.
    pub dimensions: Option<(u32, u32)>,
    /// Where the bytes are.
    pub blob_key: String,
    /// When.
    pub created_at: Timestamp,
}

/// Integrations, their tokens and per-account user ids.
#[async_trait]
pub trait IntegrationStore {
    /// Stores a new integration. [`crate::StoreError::Conflict`] if its app id is taken.
    async fn create_integration(&self, integration: &NewIntegration) -> Result<Integration>;
    /// One integration.
    async fn integration(&self, id: IntegrationId) -> Result<Option<Integration>>;
    /// One integration by its public id.
    async fn integration_by_app_id(&self, app_id: &str) -> Result<Option<Integration>>;
    /// An account's integrations, revoked ones too, newest first.
    async fn integrations_of(&self, account: AccountId) -> Result<Vec<Integration>>;
    /// Revokes an integration and deletes its tokens; false if it was already revoked.
    async fn revoke_integration(&self, id: IntegrationId, at: Timestamp) -> Result<bool>;
    /// Replaces an integration's secret; false if it is revoked or unknown.
    async fn set_integration_secret(&self, id: IntegrationId, sealed: &str) -> Result<bool>;
    /// Stores a new access and refresh token for an integration; with `replace`, every token
    /// it held before is deleted in the same transaction.
    async fn put_integration_tokens(
        &self,
        id: IntegrationId,
        access: &TokenGrant,
        refresh: &TokenGrant,
        replace: bool,
        now: Timestamp,
    ) -> Result<()>;
    /// The integration a token hash belongs to, if it is not revoked.
    async fn integration_token(&self, hash: &str) -> Result<Option<FoundToken>>;
    /// Uses up a refresh token of `id` that has not expired: true once, false ever after.
    async fn take_refresh_token(
        &self,
        id: IntegrationId,
        hash: &str,
        now: Timestamp,
    ) -> Result<bool>;
    /// Deletes expired tokens; how many.
    async fn purge_integration_tokens(&self, now: Timestamp) -> Result<u64>;
    /// The id `account`'s integrations know `citizen` by, made from `candidate` the first
    /// time. Two callers racing get the same id.
    async fn account_user_id(
        &self,
        account: AccountId,
        citizen: CitizenId,
        candidate: &str,
        now: Timestamp,
    ) -> Result<String>;
    /// The citizen `account` knows by `user_id`; `None` for an id of another account.
    async fn citizen_by_user_id(
        &self,
        account: AccountId,
        user_id: &str,
    ) -> Result<Option<CitizenId>>;
    /// A page of an account's followers, newest first, with when they followed, and how many
    /// there are; `tag` keeps those carrying it.
    async fn followers_page(
        &self,
        account: AccountId,
        tag: Option<&Tag>,
        offset: i64,
        count: i64,
    ) -> Result<(i64, Vec<(CitizenId, Timestamp)>)>;
    /// Records an integration's upload.
    async fn put_integration_upload(&self, upload: &IntegrationUpload) -> Result<()>;
    /// One of an integration's uploads; `None` for another integration's.
    async fn integration_upload(
        &self,
        integration: IntegrationId,
        token: &str,
    ) -> Result<Option<IntegrationUpload>>;
    /// Takes a tag off all of an account's followers; how many carried it.
    async fn remove_account_tag(&self, account: AccountId, tag: &Tag) -> Result<u64>;
}
