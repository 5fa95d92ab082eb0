//! What the directory's routes and pages hold, and what they ask of other features: what
//! follows a follow, and which datasets an account publishes.

use std::sync::Arc;

use ketnoi_core::{AccountId, Citizen};

use crate::{
    features::lookups::service::Lookups,
    kernel::{
        error::ApiError,
        state::{Kernel, feature_state},
    },
};

/// What happens when a citizen follows an account, besides the follow itself: the bot's welcome
/// opens the conversation, integrations' webhooks are told. A failure does not undo the follow.
#[async_trait::async_trait]
pub trait Followed: Send + Sync {
    /// `citizen` has just followed `account`.
    async fn followed(&self, account: AccountId, citizen: &Citizen) -> Result<(), ApiError>;
    /// `citizen` has just stopped following `account`.
    async fn unfollowed(&self, _account: AccountId, _citizen: &Citizen) -> Result<(), ApiError> {
        Ok(())
    }
}

/// The directory's state: the kernel, what to do after a follow, the served datasets.
#[derive(Clone)]
pub struct DirectoryState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// Told of every new follow.
    pub followed: Arc<dyn Followed>,
    /// The datasets an account's page links to.
    pub lookups: Arc<Lookups>,
}
feature_state!(DirectoryState);
