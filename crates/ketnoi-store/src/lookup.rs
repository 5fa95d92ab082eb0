//! What storage keeps for lookups: each account's datasets, their versions, and which version is
//! live or scheduled.
//!
//! Storage holds only the bookkeeping. The CSV a version was imported from lives in the blob
//! store under the version's `blob_key`, and its spec (which column is the key, and so on) is an
//! opaque JSON string here: the lookup crate owns both formats. Every node reads
//! [`LookupStore::served_lookups`] from time to time and builds in memory what it must serve.

use async_trait::async_trait;
use ketnoi_core::{AccountId, Slug, StaffId, Timestamp};

use crate::Result;

/// A dataset's id.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct LookupDatasetId(pub i64);

/// A dataset to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLookupDataset {
    /// The account that publishes it.
    pub account: AccountId,
    /// Its name in URLs, unique within the account.
    pub slug: Slug,
    /// What citizens see as its name.
    pub title: String,
    /// The chat command that looks a record up, folded (e.g. `diem`), or empty for none.
    pub command: String,
}

/// What an officer edits of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupDatasetUpdate {
    /// What citizens see as its name.
    pub title: String,
    /// The chat command, folded, or empty for none.
    pub command: String,
    /// Lookups per minute per client: `None` for the server's default, `Some(0)` for no limit.
    pub per_minute: Option<i64>,
}

/// A dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupDataset {
    /// Its id.
    pub id: LookupDatasetId,
    /// The account that publishes it.
    pub account: AccountId,
    /// Its name in URLs.
    pub slug: Slug,
    /// What citizens see as its name.
    pub title: String,
    /// The chat command, folded, or empty for none.
    pub command: String,
    /// Lookups per minute per client: `None` for the server's default, `Some(0)` for no limit.
    pub per_minute: Option<i64>,
    /// The version citizens see, if one was ever published.
    pub live_version: Option<i64>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// When a new version goes live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publication {
    /// Not until an officer publishes it.
    Draft,
    /// At once.
    Now,
    /// At this moment (at once if it has passed).
    At(Timestamp),
}

/// A version to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLookupVersion {
    /// The dataset.
    pub dataset: LookupDatasetId,
    /// The import spec, as JSON.
    pub spec: String,
    /// Where the CSV is in the blob store.
    pub blob_key: String,
    /// Its number of records.
    pub rows: i64,
    /// The CSV's size in bytes.
    pub bytes: i64,
    /// Who imported it (`None` from the command line).
    pub created_by: Option<StaffId>,
    /// When.
    pub at: Timestamp,
    /// When it goes live.
    pub publication: Publication,
}

/// One version of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookupVersion {
    /// The dataset.
    pub dataset: LookupDatasetId,
    /// 1 for the first import, then one more for each.
    pub version: i64,
    /// The import spec, as JSON.
    pub spec: String,
    /// Where the CSV is in the blob store.
    pub blob_key: String,
    /// Its number of records.
    pub rows: i64,
    /// The CSV's size in bytes.
    pub bytes: i64,
    /// Who imported it.
    pub created_by: Option<StaffId>,
    /// When it was imported.
    pub created_at: Timestamp,
    /// When it is scheduled to go live, if it is.
    pub publish_at: Option<Timestamp>,
    /// When it last went live, if ever.
    pub published_at: Option<Timestamp>,
}

/// What a node must hold in memory for one dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedLookup {
    /// The account's slug, as URLs name it.
    pub account_slug: Slug,
    /// The dataset.
    pub dataset: LookupDataset,
    /// The live version, if any.
    pub live: Option<LookupVersion>,
    /// The version scheduled soonest, if any.
    pub next: Option<LookupVersion>,
}

/// Lookup datasets and their versions.
#[async_trait]
pub trait LookupStore {
    /// Creates a dataset, or returns the account's dataset with that slug as it is.
    async fn ensure_lookup_dataset(
        &self,
        dataset: &NewLookupDataset,
        at: Timestamp,
    ) -> Result<LookupDataset>;
    /// Changes a dataset's title, command and limit. `NotFound` if there is no such dataset.
    async fn update_lookup_dataset(
        &self,
        id: LookupDatasetId,
        update: &LookupDatasetUpdate,
        at: Timestamp,
    ) -> Result<()>;
    /// The account's dataset with this slug.
    async fn lookup_dataset(
        &self,
        account: AccountId,
        slug: &Slug,
    ) -> Result<Option<LookupDataset>>;
    /// The account's datasets, by title.
    async fn lookup_datasets(&self, account: AccountId) -> Result<Vec<LookupDataset>>;
    /// Adds the dataset's next version and, per `publication`, makes it live or schedules it,
    /// in one transaction. `MissingReference` if the dataset does not exist.
    async fn add_lookup_version(&self, version: &NewLookupVersion) -> Result<LookupVersion>;
    /// The dataset's versions, newest first.
    async fn lookup_versions(&self, dataset: LookupDatasetId) -> Result<Vec<LookupVersion>>;
    /// Makes a version live now (publishing, or restoring an earlier one) and drops its
    /// schedule. `NotFound` if there is no such version.
    async fn publish_lookup_version(
        &self,
        dataset: LookupDatasetId,
        version: i64,
        at: Timestamp,
    ) -> Result<()>;
    /// Schedules a version to go live at `at`, or cancels its schedule with `None`. `NotFound`
    /// if there is no such version.
    async fn schedule_lookup_version(
        &self,
        dataset: LookupDatasetId,
        version: i64,
        at: Option<Timestamp>,
    ) -> Result<()>;
    /// Makes live every scheduled version whose moment has come (per dataset, the one due
    /// last wins), recording its scheduled moment as its publication time. Returns how many
    /// versions went live. Safe to call from every node at once.
    async fn publish_due_lookups(&self, now: Timestamp) -> Result<u64>;
    /// Every dataset with its live version and the version scheduled soonest: what nodes load.
    async fn served_lookups(&self) -> Result<Vec<ServedLookup>>;
}
