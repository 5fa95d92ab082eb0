//! What every feature reaches, and how a feature's own state hands it to the kernel's extractors.
//!
//! A feature keeps its services in a state of its own that holds a [`Kernel`] and declares
//! itself with [`feature_state!`]: its handlers then read `state.store` as before, and the
//! kernel's extractors ([`Caller`], the page `Viewer`, `ClientIp`) find the kernel in it.

use std::sync::Arc;

use ketnoi_core::{Account, Slug};
use ketnoi_store::{BlobStore, JobId, NewJob, Store};

use crate::kernel::{
    auth::Caller,
    cache::TtlCache,
    config::ServerConfig,
    error::ApiError,
    i18n::Messages,
    jobs::Jobs,
    push::Pusher,
    ratelimit::{Limit, RateLimiter},
};

/// Storage, configuration, the shared limiter, the message catalogues, the blob store, and this
/// node's short memories of callers and accounts.
#[derive(Clone)]
pub struct Kernel {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The configuration.
    pub config: Arc<ServerConfig>,
    /// The shared rate limiter.
    pub limiter: Arc<RateLimiter>,
    /// Message catalogues.
    pub messages: Messages,
    /// Where attachments and datasets are kept.
    pub blobs: Arc<dyn BlobStore>,
    /// Who recent tokens belong to (a few seconds; sign-out here forgets at once).
    pub callers: Arc<TtlCache<String, Caller>>,
    /// Accounts by slug, for the paths every message takes.
    pub accounts: Arc<TtlCache<String, Account>>,
    /// Wakes this node's job runner.
    pub jobs: Arc<Jobs>,
    /// Sends Web Push notifications.
    pub push: Arc<Pusher>,
    /// Staff members known to have a confirmed second factor (see
    /// [`crate::kernel::second_factor::enrolled`]).
    pub enrolled: Arc<TtlCache<i64, ()>>,
}

impl Kernel {
    /// The account a slug names, remembered for a few seconds (every message to an account
    /// asks).
    pub async fn account(&self, slug: &str) -> Result<Account, ApiError> {
        if let Some(account) = self.accounts.get(&slug.to_owned()) {
            return Ok(account);
        }
        let parsed = Slug::parse(slug).map_err(|_| ApiError::NotFound("account"))?;
        let account =
            self.store.account_by_slug(&parsed).await?.ok_or(ApiError::NotFound("account"))?;
        self.accounts.put(slug.to_owned(), account.clone(), None);
        Ok(account)
    }

    /// Queues a job and wakes the runner.
    pub async fn enqueue(&self, job: NewJob) -> Result<JobId, ApiError> {
        let id = self.store.enqueue(&job).await?;
        self.jobs.wake();
        Ok(id)
    }

    /// Applies a rate limit, answering 429 with the wait when it is exceeded.
    pub fn limit(&self, scope: &str, key: &str, limit: Limit) -> Result<(), ApiError> {
        self.limiter
            .check(scope, key, limit)
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
    }
}

/// A state the kernel's extractors can read: the kernel itself, or a feature's state.
pub trait HasKernel: Clone + Send + Sync + 'static {
    /// The kernel inside.
    fn kernel(&self) -> &Kernel;
}

impl HasKernel for Kernel {
    fn kernel(&self) -> &Kernel {
        self
    }
}

/// Declares a feature's state: a struct with a `kernel: Kernel` field becomes [`HasKernel`] and
/// dereferences to the kernel.
macro_rules! feature_state {
    ($name:ident) => {
        impl std::ops::Deref for $name {
            type Target = $crate::kernel::state::Kernel;
            fn deref(&self) -> &Self::Target {
                &self.kernel
            }
        }
        impl $crate::kernel::state::HasKernel for $name {
            fn kernel(&self) -> &$crate::kernel::state::Kernel {
                &self.kernel
            }
        }
    };
}
pub(crate) use feature_state;
