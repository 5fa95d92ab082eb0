//! Serving lookup datasets from memory.
//!
//! [`Lookups`] holds, for every dataset with a live version, that version's
//! [`Dataset`](ketnoi_lookup::dataset::Dataset) built from the CSV it was imported from. A request
//! takes one `Arc` of the table under a read lock held for a pointer copy, and from then on
//! touches only immutable memory: no database, no lock shared with writers. A switch replaces
//! the whole table at once, so a request sees the old version or the new one, never a mix.
//!
//! The table follows storage. [`Lookups::run`] reads [`LookupStore::served_lookups`] every
//! `poll` (a few seconds; at once when [`Lookups::refresh`] is called on this node) and builds
//! what changed. A version scheduled to go live is built up to [`WARM_AHEAD`] before its
//! moment and kept aside; the loop sleeps until the moment and then only swaps pointers, so
//! "scores at 08:00" go live within milliseconds of 08:00 on every node whose clock is right,
//! whatever the dataset's size. Storage is told afterwards, by whichever node gets there first.

use std::{
    collections::{HashMap, HashSet},
    net::IpAddr,
    sync::{Arc, Mutex, RwLock},
    time::{Duration, Instant},
};

use ketnoi_core::{AccountId, Timestamp};
use ketnoi_lookup::{
    dataset::{Dataset, Spec},
    guard::{ClientLimiter, DayKeyer, Keyer, Limits, LockoutPolicy, Lockouts, RetryAfter},
};
use ketnoi_store::{BlobStore, LookupDatasetId, LookupVersion, ServedLookup, Store};
use sha2::{Digest as _, Sha256};
use tokio::sync::Notify;

use crate::kernel::{
    error::ApiError,
    state::{Kernel, feature_state},
    time::vietnam_day,
};

/// What the lookup routes and pages hold: the kernel and the served datasets.
#[derive(Clone)]
pub struct LookupsState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The datasets, served from memory.
    pub lookups: Arc<Lookups>,
}
feature_state!(LookupsState);

/// How long before its moment a scheduled version is built and kept warm.
pub const WARM_AHEAD: Duration = Duration::from_secs(15 * 60);

/// How long a version that could not be built (its file unreadable, say) is left alone before
/// it is tried again.
const RETRY_BROKEN: Duration = Duration::from_secs(300);

/// The longest key a lookup accepts, in bytes; longer is a malformed request.
pub const MAX_KEY_BYTES: usize = 128;
/// The longest verification value or filter value, in bytes.
pub const MAX_VALUE_BYTES: usize = 128;
/// The longest search query, in bytes.
pub const MAX_QUERY_BYTES: usize = 200;
/// Hits a search returns unless asked for fewer.
pub const DEFAULT_HITS: usize = 10;

/// One dataset as this node serves it: its live version, built.
#[derive(Debug)]
pub struct Served {
    /// The dataset's id.
    pub id: LookupDatasetId,
    /// The account that publishes it.
    pub account: AccountId,
    /// The account's slug.
    pub account_slug: String,
    /// The dataset's slug.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// The chat command, folded, or empty.
    pub command: String,
    /// The live version's number.
    pub version: i64,
    /// When that version went live (or was due to).
    pub published_at: Option<Timestamp>,
    /// The records.
    pub data: Arc<Dataset>,
    /// This dataset's per-client buckets.
    pub limiter: Arc<ClientLimiter>,
    /// What lockouts file this dataset's keys under: the same candidate number in two
    /// datasets is two keys.
    lockout_scope: String,
}

impl Served {
    /// A dataset served on its own, for tests of what is made from records.
    #[cfg(test)]
    pub(crate) fn for_tests(title: &str, data: Dataset) -> Self {
        Self {
            id: LookupDatasetId(1),
            account: AccountId(1),
            account_slug: "tai-khoan".into(),
            slug: "du-lieu".into(),
            title: title.into(),
            command: String::new(),
            version: 1,
            published_at: None,
            data: Arc::new(data),
            limiter: Arc::new(ClientLimiter::new(Limits::off())),
            lockout_scope: "1".into(),
        }
    }

    /// The record answer as sent: `{"dataset":…,"version":…,"labels":[…],"values":[…]}`.
    pub fn record_json(&self, values: &[u8]) -> Vec<u8> {
        let mut out = self.head_json(self.data.labels_json().len() + values.len() + 16);
        out.extend_from_slice(b"\"labels\":");
        out.extend_from_slice(self.data.labels_json());
        out.extend_from_slice(b",\"values\":");
        out.extend_from_slice(values);
        out.push(b'}');
        out
    }

    /// The search answer as sent: `{"dataset":…,"version":…,"labels":[…],"hits":[[…],…]}`.
    pub fn hits_json(&self, hits: &[&[u8]]) -> Vec<u8> {
        let size: usize = hits.iter().map(|h| h.len() + 1).sum();
        let mut out = self.head_json(self.data.search_labels_json().len() + size + 16);
        out.extend_from_slice(b"\"labels\":");
        out.extend_from_slice(self.data.search_labels_json());
        out.extend_from_slice(b",\"hits\":[");
        for (i, hit) in hits.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(hit);
        }
        out.extend_from_slice(b"]}");
        out
    }

    fn head_json(&self, extra: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.slug.len() + 40 + extra);
        out.extend_from_slice(b"{\"dataset\":\"");
        // Slugs are lowercase letters, digits and hyphens: nothing to escape.
        out.extend_from_slice(self.slug.as_bytes());
        out.extend_from_slice(b"\",\"version\":");
        out.extend_from_slice(self.version.to_string().as_bytes());
        out.push(b',');
        out
    }
}

/// What is served, found by (account slug, dataset slug) and by account.
#[derive(Debug, Default)]
struct Table {
    by_slug: HashMap<String, HashMap<String, Arc<Served>>>,
    by_account: HashMap<AccountId, Vec<Arc<Served>>>,
}

/// Why a lookup or a search gave no answer. The first group is the asker's mistake (400), then
/// "nothing matches" (404), then the guards (429).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupProblem {
    /// The key is empty or longer than [`MAX_KEY_BYTES`].
    BadKey,
    /// A value is longer than [`MAX_VALUE_BYTES`] (or the query than [`MAX_QUERY_BYTES`]).
    TooLong(String),
    /// A verification column the dataset needs was not given.
    MissingVerify(String),
    /// A filter on a column the dataset cannot be filtered by.
    UnknownFilter(String),
    /// `limit` is not a whole number from 1 to [`ketnoi_lookup::dataset::MAX_HITS`].
    BadLimit,
    /// The dataset has no search or filter columns.
    NotSearchable,
    /// A search with neither words nor filters.
    EmptySearch,
    /// No record has this key with these verification values (never told apart).
    NoMatch,
    /// The client asked too fast.
    RateLimited(RetryAfter),
    /// Too many wrong answers for this key.
    Locked(RetryAfter),
}

/// Every served dataset, the guards in front of them, and the loop that keeps them current.
pub struct Lookups {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    table: RwLock<Arc<Table>>,
    /// Scheduled versions built ahead of their moment, by (dataset, version).
    warm: Mutex<HashMap<(LookupDatasetId, i64), Arc<Dataset>>>,
    /// Versions that could not be built, and when: tried again after [`RETRY_BROKEN`].
    broken: Mutex<HashMap<(LookupDatasetId, i64), Instant>>,
    limiters: Mutex<HashMap<LookupDatasetId, (Limits, Arc<ClientLimiter>)>>,
    default_limits: Limits,
    lockouts: Lockouts,
    keyer: Keyer,
    day_keyer: RwLock<(u64, DayKeyer)>,
    poll: Duration,
    wake: Notify,
    syncing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Lookups {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookups").field("default_limits", &self.default_limits).finish()
    }
}

impl Lookups {
    /// Nothing served yet; [`Lookups::run`] (or [`Lookups::refresh`]) loads what storage says.
    /// Client identities are keyed from `secret`, so nodes sharing it count a client alike.
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Arc<dyn BlobStore>,
        secret: &str,
        default_limits: Limits,
        poll: Duration,
    ) -> Arc<Self> {
        let seed: [u8; 32] = Sha256::new()
            .chain_update(b"ketnoi lookup clients\0")
            .chain_update(secret.as_bytes())
            .finalize()
            .into();
        let keyer = Keyer::new(seed);
        let day = today();
        Arc::new(Self {
            store,
            blobs,
            table: RwLock::new(Arc::default()),
            warm: Mutex::default(),
            broken: Mutex::default(),
            limiters: Mutex::default(),
            default_limits,
            lockouts: Lockouts::new(&keyer, LockoutPolicy::default()),
            day_keyer: RwLock::new((day, keyer.for_day(day))),
            keyer,
            poll,
            wake: Notify::new(),
            syncing: tokio::sync::Mutex::new(()),
        })
    }

    fn table(&self) -> Arc<Table> {
        match self.table.read() {
            Ok(t) => Arc::clone(&t),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// The dataset `dataset` of the account `account`, as served now.
    pub fn get(&self, account: &str, dataset: &str) -> Option<Arc<Served>> {
        self.table().by_slug.get(account)?.get(dataset).cloned()
    }

    /// The served datasets of the account with this slug, by title.
    pub fn of_account_slug(&self, account: &str) -> Vec<Arc<Served>> {
        let mut all: Vec<_> = self
            .table()
            .by_slug
            .get(account)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by(|a: &Arc<Served>, b| a.title.cmp(&b.title));
        all
    }

    /// The account's served datasets, by title.
    pub fn of_account(&self, account: AccountId) -> Vec<Arc<Served>> {
        self.table().by_account.get(&account).cloned().unwrap_or_default()
    }

    /// The keyed identity of a client address today (IPv6 by its /64).
    pub fn client(&self, addr: IpAddr) -> u64 {
        self.with_day_keyer(|k| k.client_key_addr(addr))
    }

    /// The keyed identity of a signed-in citizen today, for lookups from chat.
    pub fn citizen_client(&self, citizen: ketnoi_core::CitizenId) -> u64 {
        self.with_day_keyer(|k| k.client_key(&format!("citizen:{}", citizen.0)))
    }

    fn with_day_keyer(&self, f: impl Fn(&DayKeyer) -> u64) -> u64 {
        let day = today();
        if let Ok(current) = self.day_keyer.read()
            && current.0 == day
        {
            return f(&current.1);
        }
        let fresh = self.keyer.for_day(day);
        let key = f(&fresh);
        if let Ok(mut current) = self.day_keyer.write() {
            *current = (day, fresh);
        }
        key
    }

    /// Takes one request from the client's bucket for this dataset (working out who the client
    /// is only when the dataset has a limit).
    fn admit(&self, served: &Served, client: impl FnOnce() -> u64) -> Result<(), LookupProblem> {
        if served.limiter.limits().is_off() {
            return Ok(());
        }
        served.limiter.check(client(), Instant::now()).map_err(LookupProblem::RateLimited)
    }

    /// Looks a record up, as the API, the page and chat all do: checks the request's shape
    /// (key, the verification values the dataset needs, lengths), then the client's bucket,
    /// then the key's lockout, then the records. `params` are every name and value the asker
    /// sent beside the key; verification columns are taken from them by name, the rest
    /// ignored. A wrong answer and an unknown key are both [`LookupProblem::NoMatch`] after the
    /// same work, and both count towards the key's lockout.
    pub fn find<'a>(
        &self,
        served: &'a Served,
        key: &str,
        params: &[(String, String)],
        client: impl FnOnce() -> u64,
    ) -> Result<&'a [u8], LookupProblem> {
        let key = key.trim();
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(LookupProblem::BadKey);
        }
        let mut verify: Vec<(&str, &str)> = Vec::with_capacity(served.data.spec().verify.len());
        for column in &served.data.spec().verify {
            let value = params
                .iter()
                .find(|(name, v)| name == column && !v.trim().is_empty())
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| LookupProblem::MissingVerify(column.clone()))?;
            if value.len() > MAX_VALUE_BYTES {
                return Err(LookupProblem::TooLong(column.clone()));
            }
            verify.push((column.as_str(), value));
        }
        // The client's identity is an HMAC: worked out only when a limit or a lockout needs it.
        let mut make = Some(client);
        let mut known: Option<u64> = None;
        let mut identity = || match known {
            Some(k) => k,
            None => {
                let k = make.take().map_or(0, |f| f());
                known = Some(k);
                k
            }
        };
        if !served.limiter.limits().is_off() {
            served.limiter.check(identity(), Instant::now()).map_err(LookupProblem::RateLimited)?;
        }
        let now = Instant::now();
        let scope = served.lockout_scope.as_str();
        if self.lockouts.is_touched() {
            self.lockouts.check(scope, key, identity(), now).map_err(LookupProblem::Locked)?;
        }
        match served.data.get(key, &verify) {
            Some(values) => {
                if self.lockouts.is_touched() {
                    self.lockouts.record_success(scope, key, identity());
                }
                Ok(values)
            }
            None => {
                self.lockouts.record_failure(scope, key, identity(), now);
                Err(LookupProblem::NoMatch)
            }
        }
    }

    /// Searches a dataset, as the API and the page do: `query` is the words, `limit` as sent
    /// (default [`DEFAULT_HITS`]), and every other parameter must name a filter column. Each
    /// hit is a JSON array in the order of the dataset's search labels.
    pub fn search<'a>(
        &self,
        served: &'a Served,
        query: &str,
        limit: Option<&str>,
        params: &[(String, String)],
        client: impl FnOnce() -> u64,
    ) -> Result<Vec<&'a [u8]>, LookupProblem> {
        let spec = served.data.spec();
        if spec.search.is_empty() && spec.filters.is_empty() {
            return Err(LookupProblem::NotSearchable);
        }
        if query.len() > MAX_QUERY_BYTES {
            return Err(LookupProblem::TooLong("q".into()));
        }
        let limit = match limit.map(str::trim).filter(|l| !l.is_empty()) {
            None => DEFAULT_HITS,
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=ketnoi_lookup::dataset::MAX_HITS).contains(n))
                .ok_or(LookupProblem::BadLimit)?,
        };
        let mut filters: Vec<(&str, &str)> = Vec::with_capacity(params.len());
        for (name, value) in params {
            if value.trim().is_empty() {
                continue;
            }
            if !spec.filters.contains(name) {
                return Err(LookupProblem::UnknownFilter(name.chars().take(64).collect()));
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err(LookupProblem::TooLong(name.clone()));
            }
            filters.push((name.as_str(), value.as_str()));
        }
        if query.trim().is_empty() && filters.is_empty() {
            return Err(LookupProblem::EmptySearch);
        }
        self.admit(served, client)?;
        Ok(served.data.search(query, &filters, limit))
    }

    /// Asks the loop to look at storage now (after an import or a publication on this node).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Brings the table up to date with storage now, and returns once it is.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        self.sync().await.map(|_| ())
    }

    /// Follows storage until the task is dropped.
    pub async fn run(self: Arc<Self>) {
        let mut sweep = Instant::now();
        loop {
            let next_due = match self.sync().await {
                Ok(due) => due,
                Err(e) => {
                    tracing::warn!(error = ?e, "could not bring lookups up to date");
                    None
                }
            };
            let mut wait = self.poll;
            if let Some(due) = next_due {
                let ms = due.millis().saturating_sub(Timestamp::now().millis()).max(0);
                wait = wait.min(Duration::from_millis(ms.unsigned_abs()));
            }
            if sweep.elapsed() > Duration::from_secs(60) {
                sweep = Instant::now();
                self.lockouts.sweep(sweep);
                for limiter in self.table().by_account.values().flatten() {
                    limiter.limiter.sweep(sweep);
                }
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// One pass: builds what must be live now and what goes live soon, swaps the table, and
    /// records due publications. Returns the moment of the next warm version, if any.
    async fn sync(&self) -> anyhow::Result<Option<Timestamp>> {
        let _one_at_a_time = self.syncing.lock().await;
        let listed = self.store.served_lookups().await?;
        let now = Timestamp::now();
        let current = self.table();
        let mut next_due: Option<Timestamp> = None;
        let mut keep_warm = HashSet::new();
        let mut due_passed = false;
        let mut table = Table::default();
        for entry in &listed {
            let id = entry.dataset.id;
            let mut target = entry.live.as_ref();
            if let Some(next) = &entry.next
                && let Some(at) = next.publish_at
            {
                if at <= now {
                    target = Some(next);
                    due_passed = true;
                } else if at.millis() - now.millis() <= WARM_AHEAD.as_millis() as i64 {
                    keep_warm.insert((id, next.version));
                    let mut warm = self.warm_lock().contains_key(&(id, next.version));
                    if !warm && let Some(data) = self.build(next).await {
                        self.warm_lock().insert((id, next.version), data);
                        warm = true;
                    }
                    if warm {
                        next_due = Some(next_due.map_or(at, |d| d.min(at)));
                    }
                }
            }
            let Some(version) = target else { continue };
            let old = current.by_slug.get(entry.account_slug.as_str()).and_then(|m| {
                m.values().find(|s| s.id == id && s.version == version.version).cloned()
            });
            let warm = self.warm_lock().remove(&(id, version.version));
            let data = match (old, warm) {
                (Some(old), _) => Some(old.data.clone()),
                (None, Some(warm)) => Some(warm),
                (None, None) => self.build(version).await,
            };
            // A version that cannot be built leaves the one served before in place.
            let data = data.or_else(|| {
                current
                    .by_slug
                    .get(entry.account_slug.as_str())
                    .and_then(|m| m.get(entry.dataset.slug.as_str()))
                    .map(|s| s.data.clone())
            });
            let Some(data) = data else { continue };
            let served = Arc::new(Served {
                id,
                account: entry.dataset.account,
                account_slug: entry.account_slug.as_str().to_owned(),
                slug: entry.dataset.slug.as_str().to_owned(),
                title: entry.dataset.title.clone(),
                command: entry.dataset.command.clone(),
                version: version.version,
                published_at: version.published_at.or(version.publish_at),
                data,
                limiter: self.limiter(entry),
                lockout_scope: id.0.to_string(),
            });
            table
                .by_slug
                .entry(served.account_slug.clone())
                .or_default()
                .insert(served.slug.clone(), served.clone());
            table.by_account.entry(served.account).or_default().push(served);
        }
        for list in table.by_account.values_mut() {
            list.sort_by(|a, b| a.title.cmp(&b.title));
        }
        self.warm_lock().retain(|k, _| keep_warm.contains(k));
        let table = Arc::new(table);
        match self.table.write() {
            Ok(mut t) => *t = table,
            Err(p) => *p.into_inner() = table,
        }
        drop(current);
        if due_passed {
            // Every node may get here; the first one records it, the rest change nothing.
            self.store.publish_due_lookups(now).await?;
        }
        Ok(next_due)
    }

    fn warm_lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(LookupDatasetId, i64), Arc<Dataset>>> {
        self.warm.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The per-client limiter of a dataset, kept across versions and replaced when its limit
    /// changes.
    fn limiter(&self, entry: &ServedLookup) -> Arc<ClientLimiter> {
        let limits = match entry.dataset.per_minute {
            None => self.default_limits,
            Some(0) => Limits::off(),
            Some(n) => {
                let per_minute = u32::try_from(n).unwrap_or(u32::MAX - 1).min(u32::MAX - 1);
                Limits { per_minute, burst: per_minute.div_ceil(2).max(1) }
            }
        };
        let mut limiters = self.limiters.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match limiters.get(&entry.dataset.id) {
            Some((l, limiter)) if *l == limits => limiter.clone(),
            _ => {
                let limiter = Arc::new(ClientLimiter::new(limits));
                limiters.insert(entry.dataset.id, (limits, limiter.clone()));
                limiter
            }
        }
    }

    /// Builds a version from its CSV; `None` (logged once) if it cannot be.
    async fn build(&self, version: &LookupVersion) -> Option<Arc<Dataset>> {
        let id = (version.dataset, version.version);
        if self.broken.lock().is_ok_and(|b| b.get(&id).is_some_and(|t| t.elapsed() < RETRY_BROKEN))
        {
            return None;
        }
        match build(self.blobs.as_ref(), version).await {
            Ok(data) => {
                if let Ok(mut broken) = self.broken.lock() {
                    broken.remove(&id);
                }
                tracing::info!(
                    dataset = version.dataset.0,
                    version = version.version,
                    rows = data.rows(),
                    "lookup version loaded"
                );
                Some(Arc::new(data))
            }
            Err(e) => {
                tracing::error!(
                    error = %e,
                    dataset = version.dataset.0,
                    version = version.version,
                    "lookup version cannot be loaded; the version served before stays, retrying in five minutes"
                );
                if let Ok(mut broken) = self.broken.lock() {
                    broken.insert(id, Instant::now());
                }
                None
            }
        }
    }
}

/// Builds a version's records from the CSV in the blob store.
async fn build(blobs: &dyn BlobStore, version: &LookupVersion) -> anyhow::Result<Dataset> {
    let spec: Spec = serde_json::from_str(&version.spec)?;
    let bytes = blobs
        .get(&version.blob_key)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the version's file is missing from the blob store"))?;
    tokio::task::spawn_blocking(move || ketnoi_lookup::dataset::import(&bytes, &spec))
        .await?
        .map_err(|report| {
            anyhow::anyhow!("the stored file no longer imports: {} problems", report.problems.len())
        })
}

/// Days since the epoch in Vietnam, the day client identities rotate on.
fn today() -> u64 {
    u64::try_from(vietnam_day(Timestamp::now())).unwrap_or(0)
}

impl From<LookupProblem> for ApiError {
    fn from(p: LookupProblem) -> Self {
        use LookupProblem as P;
        let bad = |code, field: Option<String>| Self::BadLookup { code, field };
        match p {
            P::BadKey => bad("lookup-bad-key", None),
            P::TooLong(f) => bad("lookup-too-long", Some(f)),
            P::MissingVerify(f) => bad("lookup-missing-verify", Some(f)),
            P::UnknownFilter(f) => bad("lookup-unknown-filter", Some(f)),
            P::BadLimit => bad("lookup-bad-limit", None),
            P::NotSearchable => bad("lookup-not-searchable", None),
            P::EmptySearch => bad("lookup-empty-search", None),
            P::NoMatch => Self::LookupNoMatch,
            P::RateLimited(r) => Self::TooManyRequests { retry_after: r.header_secs() },
            P::Locked(r) => Self::LookupLocked { retry_after: r.header_secs() },
        }
    }
}
