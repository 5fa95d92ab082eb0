//! ketnoi's storage.
//!
//! The rest of ketnoi talks to storage through the traits in this crate, one per aggregate
//! ([`AreaStore`], [`AgencyStore`], [`AccountStore`], [`PeopleStore`], [`SessionStore`],
//! [`JobQueue`], [`ChatStore`], [`BotStore`], [`LookupStore`], [`TipStore`], [`TipCaseStore`], [`NewsStore`], [`DeskStore`], [`InboxStore`],
//! [`IntegrationStore`], [`WebhookStore`], [`SecondFactorStore`], [`AuditStore`]),
//! gathered in
//! [`Store`]. Two backends implement them:
//!
//! - [`SqliteStore`]: the embedded default, a single file in WAL mode, no server needed;
//! - [`PgStore`]: PostgreSQL, for deployments with several nodes.
//!
//! [`connect`] picks one from the database URL's scheme and runs that backend's embedded
//! migrations. Both backends share one body of SQL (see `sql/`), written in the subset both
//! engines speak; the few places where they differ are constants on each backend. The crate's
//! conformance suite (`tests/conformance.rs`) runs every test against both.
//!
//! Times are stored as Unix milliseconds in 64-bit integer columns on both backends.
//!
//! Tips reach storage already sealed in the citizen's browser: [`TipStore`] keeps ciphertext and
//! the few clear fields that route a tip, and nothing that could identify its sender's device.
#![deny(missing_docs)]

use std::sync::Arc;

use async_trait::async_trait;
use ketnoi_core::{
    Account, AccountId, Agency, AgencyCode, AgencyId, Area, AreaCode, Citizen, CitizenId, Grant,
    NewAccount, NewAgency, NewStaff, Phone, Role, Slug, StaffId, StaffMember, Timestamp, Username,
};

mod audit;
mod blob;
mod bot;
mod chat;
mod desk;
mod error;
mod inbox;
mod integration;
mod lookup;
mod model;
mod news;
mod postgres;
mod second_factor;
mod sql;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;
mod tip;
mod tip_case;
mod webhook;

pub use audit::{
    Anchor, AuditEntry, AuditHead, AuditQuery, AuditStore, ChainCheck, ChainFault, ChainSummary,
    GENESIS_HASH, NewAuditEntry, VerifyError, entry_hash, verify_log,
};
pub use blob::{BlobStore, FsBlobs, PgBlobs};
pub use bot::{
    BotCounter, BotDayStats, BotSettings, BotSettingsUpdate, BotStore, Handoff, HandoffId,
    MAX_OPEN_HANDOFFS, NewHandoff, OpenHandoff,
};
pub use chat::{
    AssigneeFilter, ChatApplied, ChatOutcome, ChatRefusal, ChatStore, ChatWrite, InboxCounts,
    InboxEvent, InboxEventKind, InboxItem, InboxQuery, InboxSettings, MessageRange, NewAttachment,
    Recipient, StoredAttachment, Transfer, TransferRecord,
};
pub use desk::{
    DeskRefusal, DeskStore, Form, LegalDoc, MenuOwner, MenuVersion, NewForm, Procedure,
    ProcedureLine, ShownProcedure,
};
pub use error::StoreError;
pub use inbox::InboxStore;
pub use integration::{
    FoundToken, Integration, IntegrationStore, IntegrationUpload, NewIntegration, TokenGrant,
    TokenKind,
};
pub use lookup::{
    LookupDataset, LookupDatasetId, LookupDatasetUpdate, LookupStore, LookupVersion,
    NewLookupDataset, NewLookupVersion, Publication, ServedLookup,
};
pub use model::{
    AgencyStaff, DirectoryPage, DirectoryQuery, Job, JobId, JobState, NewJob, NewSession,
    OtpOutcome, Session, SessionKind, Subject,
};
pub use news::{
    AlertInfo, Article, ArticleDraft, Broadcast, BroadcastBody, BroadcastRefusal, FeedCursor,
    FeedItem, FeedQuery, NewBroadcast, NewsStore, PushSubscription, Quota,
};
pub use postgres::PgStore;
pub use second_factor::{SecondFactor, SecondFactorStore};
pub use sql::inbox_sql::{InboxParam, InboxSql, InboxTables, inbox_counts_sql, inbox_sql};
pub use sqlite::SqliteStore;
pub use tip::{
    KeyCopy, NewTip, NewTipAttachment, OfficerKey, Tip, TipAttachment, TipFilter, TipId,
    TipMessage, TipSettings, TipStatus, TipStore, TipSummary, UnitKey,
};
pub use tip_case::{
    CaseActor, ExtensionState, TipCaseStore, TipEvent, TipEventKind, TipExtension, TipNote,
    TipTransfer,
};
pub use webhook::{
    AttemptOutcome, NewWebhookEvent, Webhook, WebhookDelivery, WebhookEvent, WebhookEventId,
    WebhookEventState, WebhookState, WebhookStore,
};

/// What every storage call returns.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Opens the database a URL names, creating and migrating it as needed: `sqlite://PATH` (or
/// `sqlite:PATH`) for the embedded backend, `postgres://…` or `postgresql://…` for PostgreSQL.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// All of storage: what the server and the command line hold.
#[async_trait]
pub trait Store:
    AreaStore
    + AgencyStore
    + AccountStore
    + PeopleStore
    + SessionStore
    + JobQueue
    + ChatStore
    + BotStore
    + LookupStore
    + TipStore
    + TipCaseStore
    + NewsStore
    + DeskStore
    + InboxStore
    + IntegrationStore
    + WebhookStore
    + SecondFactorStore
    + AuditStore
    + Send
    + Sync
{
    /// Answers only when the database answers; `/readyz` calls it.
    async fn ping(&self) -> Result<()>;

    /// The backend's name, `sqlite` or `postgres`, for logs and `/readyz`.
    fn backend(&self) -> &'static str;

    /// A blob store inside this database, where the backend has one (PostgreSQL).
    fn shared_blobs(&self) -> Option<Arc<dyn BlobStore>> {
        None
    }
}

/// The administrative-area tree.
#[async_trait]
pub trait AreaStore {
    /// Inserts areas, or updates those whose code exists, in one transaction. Parents may come
    /// after their children in `areas`; every parent must exist once the batch is in.
    async fn upsert_areas(&self, areas: &[Area]) -> Result<u64>;
    /// One area.
    async fn area(&self, code: &AreaCode) -> Result<Option<Area>>;
    /// The areas directly below `parent`, or the roots when `parent` is `None`, by name.
    async fn area_children(&self, parent: Option<&AreaCode>) -> Result<Vec<Area>>;
    /// The area and every area above it, nearest first.
    async fn area_ancestry(&self, code: &AreaCode) -> Result<Vec<Area>>;
    /// How many areas are loaded.
    async fn area_count(&self) -> Result<i64>;
}

/// The agency tree.
#[async_trait]
pub trait AgencyStore {
    /// Creates an agency. `Conflict` if the code is taken, `MissingReference` if the area or
    /// parent does not exist.
    async fn create_agency(&self, agency: &NewAgency) -> Result<Agency>;
    /// One agency by id.
    async fn agency(&self, id: AgencyId) -> Result<Option<Agency>>;
    /// One agency by code.
    async fn agency_by_code(&self, code: &AgencyCode) -> Result<Option<Agency>>;
    /// Every agency, parents before children, for building the tree.
    async fn agencies(&self) -> Result<Vec<Agency>>;
    /// The agency's id followed by its parent's, up to the root: what [`ketnoi_core::policy`]
    /// needs to decide.
    async fn agency_ancestry(&self, id: AgencyId) -> Result<Vec<AgencyId>>;
    /// The agency and every agency below it, parents before children.
    async fn agency_subtree(&self, id: AgencyId) -> Result<Vec<Agency>>;
}

/// Official accounts, the directory, and follows.
#[async_trait]
pub trait AccountStore {
    /// Creates an account. `Conflict` if the slug is taken.
    async fn create_account(&self, account: &NewAccount) -> Result<Account>;
    /// One account by slug.
    async fn account_by_slug(&self, slug: &Slug) -> Result<Option<Account>>;
    /// One account by id.
    async fn account(&self, id: AccountId) -> Result<Option<Account>>;
    /// Sets or clears the verified badge.
    async fn set_account_verified(&self, id: AccountId, verified: bool) -> Result<()>;
    /// The accounts owned by any of these agencies, by name.
    async fn accounts_of_agencies(&self, agencies: &[AgencyId]) -> Result<Vec<Account>>;
    /// Searches the directory.
    async fn search_accounts(&self, query: &DirectoryQuery) -> Result<DirectoryPage>;
    /// Makes a citizen follow an account. `Ok(false)` if they already did.
    async fn follow(&self, citizen: CitizenId, account: AccountId, at: Timestamp) -> Result<bool>;
    /// Stops following. `Ok(false)` if they did not follow.
    async fn unfollow(&self, citizen: CitizenId, account: AccountId) -> Result<bool>;
    /// Whether the citizen follows the account.
    async fn is_following(&self, citizen: CitizenId, account: AccountId) -> Result<bool>;
    /// The accounts a citizen follows, most recently followed first.
    async fn followed_accounts(&self, citizen: CitizenId) -> Result<Vec<Account>>;
}

/// Staff, their roles, and citizens.
#[async_trait]
pub trait PeopleStore {
    /// Creates a staff member. `Conflict` if the username is taken.
    async fn create_staff(&self, staff: &NewStaff) -> Result<StaffMember>;
    /// A staff member and their password hash, for sign-in.
    async fn staff_by_username(&self, username: &Username)
    -> Result<Option<(StaffMember, String)>>;
    /// A staff member by id.
    async fn staff(&self, id: StaffId) -> Result<Option<StaffMember>>;
    /// Grants a role on an agency, replacing any role the member held there.
    async fn grant_role(&self, staff: StaffId, agency: AgencyId, role: Role) -> Result<()>;
    /// Removes the member's role on an agency. `Ok(false)` if there was none.
    async fn revoke_role(&self, staff: StaffId, agency: AgencyId) -> Result<bool>;
    /// The member's roles.
    async fn grants(&self, staff: StaffId) -> Result<Vec<Grant>>;
    /// Everyone holding a role on the agency itself (not above or below it), with that role,
    /// by name.
    async fn agency_staff(&self, agency: AgencyId) -> Result<Vec<(StaffMember, Role)>>;
    /// Everyone holding a role on one of these agencies, and every platform administrator, by
    /// name, each with their roles on these agencies and whether they are away: given an
    /// account agency's ancestry, the people among whom the policy finds who may handle it.
    async fn staff_of_agencies(&self, agencies: &[AgencyId]) -> Result<Vec<AgencyStaff>>;
    /// Sets a staff member on duty (`away` false) or away. `Ok(false)` if there is no such
    /// member.
    async fn set_staff_away(&self, staff: StaffId, away: bool) -> Result<bool>;
    /// Whether a staff member is away (`None`: no such member).
    async fn staff_away(&self, staff: StaffId) -> Result<Option<bool>>;
    /// The citizen with this phone, created on first sign-in.
    async fn citizen_for_phone(&self, phone: &Phone, at: Timestamp) -> Result<Citizen>;
    /// A citizen by id.
    async fn citizen(&self, id: CitizenId) -> Result<Option<Citizen>>;
    /// How many citizens there are.
    async fn citizen_count(&self) -> Result<i64>;
}

/// Sign-in codes, sessions and API tokens. Only hashes of codes and tokens reach storage.
#[async_trait]
pub trait SessionStore {
    /// Stores a new one-time code for a phone, replacing any earlier one.
    async fn put_otp(
        &self,
        phone: &Phone,
        code_hash: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> Result<()>;
    /// Checks a code atomically: a right code is consumed (single use); a wrong one counts an
    /// attempt, and after `max_attempts` the code is dead.
    async fn check_otp(
        &self,
        phone: &Phone,
        code_hash: &str,
        now: Timestamp,
        max_attempts: i64,
    ) -> Result<OtpOutcome>;
    /// Stores a session or API token.
    async fn create_session(&self, session: &NewSession) -> Result<()>;
    /// The live session with this token hash, if any.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>>;
    /// Ends a session. `Ok(false)` if there was none.
    async fn delete_session(&self, token_hash: &str) -> Result<bool>;
    /// Removes expired sessions and codes; returns how many rows went.
    async fn purge_expired(&self, now: Timestamp) -> Result<u64>;
}

/// A persistent job queue: webhooks, scheduled publications and broadcasts run through it.
///
/// A job is leased by one worker for a while; a worker that dies lets the lease expire and the
/// job is leased again. The attempt number handed out with a lease fences the worker: only the
/// holder of the current attempt may complete or fail the job. A job that fails its last attempt
/// is dead-lettered and stays for an operator to inspect or retry.
#[async_trait]
pub trait JobQueue {
    /// Adds a job; returns its id.
    async fn enqueue(&self, job: &NewJob) -> Result<JobId>;
    /// Leases the next due job on `queue` until `now + lease_ms`, if any.
    async fn lease(&self, queue: &str, now: Timestamp, lease_ms: i64) -> Result<Option<Job>>;
    /// Marks a leased job done. `Ok(false)` if the lease was lost (expired and taken).
    async fn complete(&self, id: JobId, attempt: i64) -> Result<bool>;
    /// Records a failure: the job runs again at `retry_at` if attempts remain, else it is
    /// dead-lettered. Returns the job's new state, or `None` if the lease was lost.
    async fn fail(
        &self,
        id: JobId,
        attempt: i64,
        error: &str,
        retry_at: Timestamp,
        now: Timestamp,
    ) -> Result<Option<JobState>>;
    /// One job.
    async fn job(&self, id: JobId) -> Result<Option<Job>>;
    /// Dead-lettered jobs on a queue, oldest first.
    async fn dead_jobs(&self, queue: &str, limit: i64) -> Result<Vec<Job>>;
    /// Puts a dead job back on its queue with fresh attempts. `Ok(false)` if it was not dead.
    async fn retry_dead(&self, id: JobId, now: Timestamp) -> Result<bool>;
}
