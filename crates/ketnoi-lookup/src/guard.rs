//! Anti-scraping guards for key lookups: keyed client identities, per-client token buckets and
//! per-key lockouts after wrong second-factor answers.
//!
//! A lookup such as "exam results by candidate number, with the birth date as a second factor"
//! can be walked by a script: try every candidate number, and for each one every birth date of
//! the exam year. Nothing here makes that impossible; the three pieces make it slow, and
//! [`scraping_cost`] says how slow.
//!
//! # Client identities: [`Keyer`]
//!
//! Raw IP addresses are never stored. The caller turns an address into a `u64` with
//! [`Keyer::client_key`]: the first 8 bytes of HMAC-SHA256(day key, address), where the day key
//! is HMAC-SHA256(seed, `"ketnoi client day" ‖ day`) and the seed is 32 random bytes held by the
//! server. The day key rotates every day, so yesterday's identities cannot be linked to today's,
//! and without the seed nobody can tell which address a stored number came from (the IPv4 space
//! is small enough to hash exhaustively, which is why the hash is keyed). Use
//! [`Keyer::client_key_addr`] for a parsed address: it keys IPv6 clients by their /64 prefix,
//! because one subscriber routinely holds a whole /64.
//!
//! # Per-client rate: [`ClientLimiter`]
//!
//! A token bucket per client identity ([`Limits`]), kept as a single "theoretical arrival time"
//! per client (the GCRA form of a token bucket), in 64 mutex-guarded shards with a cap on the
//! entries per shard. A bucket that has refilled completely carries no information and is
//! dropped when a shard fills; if a shard is still full of active buckets (a flood of distinct
//! clients), the buckets closest to full are dropped first, which at worst hands those clients a
//! fresh burst.
//!
//! # Per-key lockouts: [`Lockouts`]
//!
//! Wrong answers to the second factor are counted per *requested* key, whether or not that key
//! exists in the dataset: the API never takes "exists", so locks behave the same for real and
//! invented keys and an attacker learns nothing from them. Requested keys are stored as keyed
//! hashes, never as raw candidate numbers.
//!
//! The obvious design, "lock a key for everyone after five wrong answers", lets anyone lock
//! real candidates out of their own results on results day by typing five wrong birth dates for
//! each sequential candidate number. So there are two levels ([`LockoutPolicy`]):
//!
//! * **per (key, client)**: 5 wrong answers from one client within 15 minutes lock only *that
//!   client* out of *that key*. A lone attacker, or a lone mistyping candidate, cannot affect
//!   anybody else.
//! * **per key, for everyone**: only when 10 wrong answers from at least 3 distinct clients
//!   arrive within 15 minutes. This stops a botnet from spreading its guesses for one key over
//!   many addresses (each under the per-client threshold); a genuine candidate retrying from a
//!   phone and a laptop does not reach it.
//!
//! Both locks last 5 minutes, doubling for each further lock of the same key (or key and client)
//! within 24 hours of the previous lock ending, capped at 24 hours: 5, 10, 20, … minutes, so
//! locks are temporary for a candidate who mistyped and escalating for a script. A correct answer
//! ([`Lockouts::record_success`]) clears that client's failures and lock history for the key.
//!
//! Deliberately locking out many keys still needs several addresses per key and goes through the
//! per-client token bucket, which bounds how many keys any one client can touch per minute. What
//! remains is a trade-off: an attacker with three or more addresses can lock a *particular* key
//! for everyone for a while. That is the price of stopping distributed guessing of that key.
//!
//! # Time
//!
//! Nothing here reads the clock: every function takes `now`, so tests drive time by hand.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Number of independently locked shards in [`ClientLimiter`] and [`Lockouts`].
const SHARDS: usize = 64;

/// How long to wait before trying again; the `Err` of every check in this module.
///
/// The HTTP layer turns it into `429 Too Many Requests` with a `Retry-After` header of
/// [`RetryAfter::header_secs`] seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
#[error("too many attempts; retry after {}s", self.header_secs())]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1.
    pub fn header_secs(&self) -> u64 {
        let secs = self.0.as_secs();
        let secs = if self.0.subsec_nanos() > 0 { secs.saturating_add(1) } else { secs };
        secs.max(1)
    }
}

// ---------------------------------------------------------------------------------------------
// Keyed client identities
// ---------------------------------------------------------------------------------------------

/// Turns client addresses and requested keys into keyed 64-bit hashes, so that nothing in
/// memory can be traced back to an IP address or a candidate number without the seed.
///
/// Client keys rotate daily: `client_key(ip, day)` is the first 8 bytes, big-endian, of
/// HMAC-SHA256(key_for_day, ip) with key_for_day = HMAC-SHA256(seed, `"ketnoi client day"` ‖
/// `day` as 8 big-endian bytes). The day is the caller's choice of day number (for example days
/// since the Unix epoch in Vietnam time). Because the key rotates, per-client state restarts
/// at the day boundary; that costs an attacker nothing it could not get from a new address.
#[derive(Clone)]
pub struct Keyer {
    seed: [u8; 32],
}

impl fmt::Debug for Keyer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keyer { seed: <redacted> }")
    }
}

/// HMAC-SHA256 keyed with `key`. HMAC takes keys of any length, so this cannot fail.
fn hmac_with(key: &[u8]) -> HmacSha256 {
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

/// The first 8 bytes of a finished MAC as a big-endian `u64`.
fn first_u64(mac: HmacSha256) -> u64 {
    let out = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&out[..8]);
    u64::from_be_bytes(first)
}

impl Keyer {
    /// A keyer over a secret seed: 32 bytes from a cryptographic random source, kept by the
    /// server (for example in its secrets file) and never logged.
    pub fn new(seed: [u8; 32]) -> Self {
        Self { seed }
    }

    /// The client keyer for one day; computing it once and reusing it saves one HMAC per
    /// request.
    pub fn for_day(&self, day: u64) -> DayKeyer {
        let mut mac = hmac_with(&self.seed);
        mac.update(b"ketnoi client day");
        mac.update(&day.to_be_bytes());
        DayKeyer { mac: hmac_with(&mac.finalize().into_bytes()) }
    }

    /// The keyed identity of client `ip` on `day`: the same address on the same day always
    /// gives the same key; another day or another address gives an unrelated one.
    pub fn client_key(&self, ip: &str, day: u64) -> u64 {
        self.for_day(day).client_key(ip)
    }

    /// Like [`Keyer::client_key`] for a parsed address, keying IPv6 clients by their /64
    /// prefix (one subscriber or one home network) and IPv4-mapped IPv6 addresses as IPv4.
    pub fn client_key_addr(&self, addr: IpAddr, day: u64) -> u64 {
        self.for_day(day).client_key_addr(addr)
    }

    /// The secret used by [`Lockouts`] to hash requested keys. It does not rotate daily,
    /// because lockouts escalate over 24 hours and must survive the day boundary.
    fn lockout_mac(&self) -> HmacSha256 {
        let mut mac = hmac_with(&self.seed);
        mac.update(b"ketnoi lockout keys");
        hmac_with(&mac.finalize().into_bytes())
    }
}

/// The client keyer for one day, from [`Keyer::for_day`].
#[derive(Clone)]
pub struct DayKeyer {
    mac: HmacSha256,
}

impl fmt::Debug for DayKeyer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DayKeyer { key: <redacted> }")
    }
}

impl DayKeyer {
    /// The keyed identity of client `ip` (any string the caller uses to name a client).
    pub fn client_key(&self, ip: &str) -> u64 {
        let mut mac = self.mac.clone();
        mac.update(ip.as_bytes());
        first_u64(mac)
    }

    /// The keyed identity of a parsed address; IPv6 is keyed by its /64 prefix.
    pub fn client_key_addr(&self, addr: IpAddr) -> u64 {
        match addr {
            IpAddr::V4(v4) => self.client_key(&v4.to_string()),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => self.client_key(&v4.to_string()),
                None => {
                    let s = v6.segments();
                    let prefix = format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]);
                    self.client_key(&prefix)
                }
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Per-client token bucket
// ---------------------------------------------------------------------------------------------

/// Request limits per client identity: a token bucket that refills at `per_minute` tokens a
/// minute and holds at most `burst` tokens.
///
/// The default, 60 a minute with a burst of 30, is sized for carrier-grade NAT: Vietnamese
/// mobile networks put many phones behind one public IPv4 address, and on results day a
/// school's Wi-Fi does the same for a whole class. A genuine lookup is one or two requests, so
/// one a second sustained serves dozens of people behind one address, and a burst of 30 lets a
/// classroom press "look up" together. Tighter limits would refuse real students; protecting a
/// single key is the job of [`Lockouts`], and the bucket only caps how fast one address can
/// walk the dataset (see [`scraping_cost`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Sustained rate, in requests a minute; `u32::MAX` means unlimited (see [`Limits::off`]).
    /// Zero is treated as 1.
    pub per_minute: u32,
    /// How many requests may arrive at once after a quiet spell; zero is treated as 1.
    pub burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self { per_minute: 60, burst: 30 }
    }
}

impl Limits {
    /// No limit at all, for benchmarks and tests of other things.
    pub fn off() -> Self {
        Self { per_minute: u32::MAX, burst: u32::MAX }
    }

    /// Whether these limits never refuse.
    pub fn is_off(&self) -> bool {
        self.per_minute == u32::MAX
    }

    /// Time between two tokens.
    fn interval(&self) -> Duration {
        Duration::from_secs(60) / self.per_minute.max(1)
    }

    /// How far ahead of `now` the theoretical arrival time may run: `burst - 1` intervals.
    fn tolerance(&self) -> Duration {
        self.interval().saturating_mul(self.burst.max(1) - 1)
    }
}

/// Default cap on the number of tracked clients in a [`ClientLimiter`].
pub const DEFAULT_MAX_CLIENTS: usize = 1 << 20;

/// Per-client token buckets, safe to share between threads.
///
/// Memory is bounded: at most `max_clients` buckets (rounded up to a multiple of 64), about
/// 40 bytes each.
#[derive(Debug)]
pub struct ClientLimiter {
    limits: Limits,
    per_shard: usize,
    /// Per client: the theoretical arrival time of the next request (GCRA). The bucket is full
    /// when it is not after `now`.
    shards: Vec<Mutex<HashMap<u64, Instant>>>,
}

/// Locks a shard, carrying on after a panic elsewhere: every value in these maps is valid on
/// its own, so a poisoned map is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The shard for a hashed key. Keys are HMAC outputs, so the top bits are uniform; taking them
/// leaves the low bits for the map's own hashing.
fn shard_of(key: u64) -> usize {
    (key >> 58) as usize % SHARDS
}

impl ClientLimiter {
    /// A limiter with [`DEFAULT_MAX_CLIENTS`].
    pub fn new(limits: Limits) -> Self {
        Self::with_capacity(limits, DEFAULT_MAX_CLIENTS)
    }

    /// A limiter tracking at most `max_clients` clients (rounded up to a multiple of 64).
    pub fn with_capacity(limits: Limits, max_clients: usize) -> Self {
        let per_shard = max_clients.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect();
        Self { limits, per_shard, shards }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Takes one token from `client`'s bucket, or says how long until one is available.
    /// A refused request takes nothing.
    pub fn check(&self, client: u64, now: Instant) -> Result<(), RetryAfter> {
        if self.limits.is_off() {
            return Ok(());
        }
        let interval = self.limits.interval();
        let tolerance = self.limits.tolerance();
        let mut shard = lock(&self.shards[shard_of(client)]);
        let tat = match shard.get(&client) {
            Some(&tat) if tat > now => tat,
            _ => now,
        };
        let ahead = tat - now;
        if ahead > tolerance {
            return Err(RetryAfter(ahead - tolerance));
        }
        let next = tat + interval;
        if !shard.contains_key(&client) && shard.len() >= self.per_shard {
            evict_buckets(&mut shard, self.per_shard, now);
        }
        shard.insert(client, next);
        Ok(())
    }

    /// Number of clients currently tracked.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether no client is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every bucket that has refilled completely by `now`; the server may call this
    /// from time to time, though full shards do it on their own.
    pub fn sweep(&self, now: Instant) {
        for shard in &self.shards {
            lock(shard).retain(|_, tat| *tat > now);
        }
    }
}

/// Makes room in a full shard: drops full buckets, then if the shard is still above 7/8 of its
/// cap, the buckets nearest to full until it is at 7/8 (so this runs once per many inserts).
fn evict_buckets(shard: &mut HashMap<u64, Instant>, cap: usize, now: Instant) {
    shard.retain(|_, tat| *tat > now);
    let target = cap - cap / 8;
    if shard.len() < cap {
        return;
    }
    let mut tats: Vec<Instant> = shard.values().copied().collect();
    let excess = shard.len() - target.min(shard.len().saturating_sub(1));
    let (_, cut, _) = tats.select_nth_unstable(excess - 1);
    let cut = *cut;
    let mut dropped = 0;
    shard.retain(|_, tat| {
        if *tat <= cut && dropped < excess {
            dropped += 1;
            false
        } else {
            true
        }
    });
}

// ---------------------------------------------------------------------------------------------
// Per-key lockouts
// ---------------------------------------------------------------------------------------------

/// When wrong second-factor answers lock a key; see the module documentation for why there are
/// two levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Wrong answers within `window` after which one client is locked out of one key.
    pub client_failures: u32,
    /// Wrong answers within `window` after which a key is locked for everyone, provided they
    /// came from at least `key_distinct_clients` clients.
    pub key_failures: u32,
    /// Distinct clients needed for a key-wide lock.
    pub key_distinct_clients: u32,
    /// The sliding window over which wrong answers are counted.
    pub window: Duration,
    /// The first lock's length; each further lock within `escalation_memory` doubles it.
    pub base_lock: Duration,
    /// The longest lock.
    pub max_lock: Duration,
    /// A lock that starts within this long after the previous one ended is one level longer.
    pub escalation_memory: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            client_failures: 5,
            key_failures: 10,
            key_distinct_clients: 3,
            window: Duration::from_secs(15 * 60),
            base_lock: Duration::from_secs(5 * 60),
            max_lock: Duration::from_secs(24 * 3600),
            escalation_memory: Duration::from_secs(24 * 3600),
        }
    }
}

impl LockoutPolicy {
    /// The length of a lock at `level` (0 for the first): `base_lock · 2^level`, capped.
    pub fn lock_length(&self, level: u32) -> Duration {
        2u32.checked_pow(level)
            .and_then(|factor| self.base_lock.checked_mul(factor))
            .map_or(self.max_lock, |d| d.min(self.max_lock))
    }
}

/// One escalating lock.
#[derive(Debug, Clone, Copy, Default)]
struct Lock {
    /// When the current or last lock ends.
    until: Option<Instant>,
    /// Level of the current or last lock.
    level: u32,
}

impl Lock {
    fn remaining(&self, now: Instant) -> Option<Duration> {
        self.until.filter(|u| *u > now).map(|u| u - now)
    }

    /// Whether a failure at `t` counts towards the next lock: it came after the last one ended.
    fn counts(&self, t: Instant) -> bool {
        self.until.is_none_or(|u| t >= u)
    }

    /// Whether this lock still matters at `now`: active, or recent enough to escalate.
    fn remembered(&self, now: Instant, policy: &LockoutPolicy) -> bool {
        self.until.is_some_and(|u| now < u + policy.escalation_memory)
    }

    fn engage(&mut self, now: Instant, policy: &LockoutPolicy) -> Duration {
        let level = match self.until {
            Some(u) if now < u + policy.escalation_memory => self.level.saturating_add(1),
            _ => 0,
        };
        let length = policy.lock_length(level);
        self.level = level;
        self.until = Some(now + length);
        length
    }
}

/// Failures of one client on one key.
#[derive(Debug)]
struct ClientFailures {
    client: u64,
    /// Failure times within the window, oldest first, at most `max(client_failures,
    /// key_failures)` of them.
    recent: Vec<Instant>,
    lock: Lock,
}

impl ClientFailures {
    fn last_activity(&self) -> Option<Instant> {
        self.recent.last().copied().max(self.lock.until)
    }

    fn idle(&self, now: Instant, policy: &LockoutPolicy) -> bool {
        self.recent.is_empty() && !self.lock.remembered(now, policy)
    }
}

/// Most clients remembered per key: once three have failed a key is locked for everyone, so
/// more only matter under a flood, where the least recent are dropped.
const MAX_CLIENTS_PER_KEY: usize = 16;

/// Lockout state of one requested key.
#[derive(Debug, Default)]
struct KeyState {
    clients: Vec<ClientFailures>,
    lock: Lock,
}

impl KeyState {
    fn prune(&mut self, now: Instant, policy: &LockoutPolicy) {
        for c in &mut self.clients {
            c.recent.retain(|t| now.saturating_duration_since(*t) < policy.window);
        }
        self.clients.retain(|c| !c.idle(now, policy));
    }

    fn idle(&self, now: Instant, policy: &LockoutPolicy) -> bool {
        !self.lock.remembered(now, policy)
            && self.clients.iter().all(|c| {
                !c.lock.remembered(now, policy)
                    && c.recent.iter().all(|t| now.saturating_duration_since(*t) >= policy.window)
            })
    }

    /// Ranking for eviction under pressure: keys without an active lock go first, then the
    /// least recently active.
    fn eviction_rank(&self, now: Instant) -> (bool, Option<Instant>) {
        let locked = self.lock.remaining(now).is_some()
            || self.clients.iter().any(|c| c.lock.remaining(now).is_some());
        let last = self.clients.iter().filter_map(ClientFailures::last_activity).max();
        (locked, last.max(self.lock.until))
    }
}

/// Default cap on the number of keys tracked by [`Lockouts`].
pub const DEFAULT_MAX_KEYS: usize = 1 << 17;

/// Per-key lockouts after wrong second-factor answers, safe to share between threads.
///
/// Use it around every keyed lookup: [`Lockouts::check`] first (refuse with 429 if locked,
/// without looking at the dataset), then after comparing the answer either
/// [`Lockouts::record_failure`] or [`Lockouts::record_success`]. A request for a key that does
/// not exist counts as a wrong answer exactly like one that does.
///
/// Memory is bounded: at most `max_keys` keys (rounded up to a multiple of 64) and 16 clients
/// per key. Keys whose failures have left the window and whose locks are past escalation are
/// dropped first; under a flood, keys without an active lock and then the least recently active.
pub struct Lockouts {
    policy: LockoutPolicy,
    mac: HmacSha256,
    per_shard: usize,
    shards: Vec<Mutex<HashMap<u64, KeyState>>>,
    /// Whether any failure was ever recorded: until then, checks and successes cost nothing,
    /// which is the whole of results day for a dataset nobody guesses at.
    touched: AtomicBool,
}

impl fmt::Debug for Lockouts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lockouts")
            .field("policy", &self.policy)
            .field("per_shard", &self.per_shard)
            .finish_non_exhaustive()
    }
}

impl Lockouts {
    /// Lockouts hashing keys with a secret derived from `keyer`'s seed, with
    /// [`DEFAULT_MAX_KEYS`].
    pub fn new(keyer: &Keyer, policy: LockoutPolicy) -> Self {
        Self::with_capacity(keyer, policy, DEFAULT_MAX_KEYS)
    }

    /// Lockouts tracking at most `max_keys` keys (rounded up to a multiple of 64).
    pub fn with_capacity(keyer: &Keyer, policy: LockoutPolicy, max_keys: usize) -> Self {
        let per_shard = max_keys.div_ceil(SHARDS).max(1);
        let shards = (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect();
        Self {
            policy,
            mac: keyer.lockout_mac(),
            per_shard,
            shards,
            touched: AtomicBool::new(false),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> LockoutPolicy {
        self.policy
    }

    /// The keyed hash of a requested key, unambiguous across datasets.
    fn hash(&self, dataset: &str, key: &str) -> u64 {
        let mut mac = self.mac.clone();
        mac.update(&(dataset.len() as u64).to_be_bytes());
        mac.update(dataset.as_bytes());
        mac.update(key.as_bytes());
        first_u64(mac)
    }

    /// Whether `client` may try an answer for `key` of `dataset` now. Never records anything.
    pub fn check(
        &self,
        dataset: &str,
        key: &str,
        client: u64,
        now: Instant,
    ) -> Result<(), RetryAfter> {
        if !self.touched.load(Ordering::Relaxed) {
            return Ok(());
        }
        let h = self.hash(dataset, key);
        let shard = lock(&self.shards[shard_of(h)]);
        let Some(state) = shard.get(&h) else {
            return Ok(());
        };
        let own = state.clients.iter().find(|c| c.client == client);
        let wait = state.lock.remaining(now).max(own.and_then(|c| c.lock.remaining(now)));
        match wait {
            Some(d) => Err(RetryAfter(d)),
            None => Ok(()),
        }
    }

    /// Records a wrong answer by `client` for `key` of `dataset`, whether or not the key exists.
    /// Returns the lock now in force for this client and key, if this failure (or an earlier
    /// one) caused one.
    pub fn record_failure(
        &self,
        dataset: &str,
        key: &str,
        client: u64,
        now: Instant,
    ) -> Option<RetryAfter> {
        let policy = &self.policy;
        self.touched.store(true, Ordering::Relaxed);
        let h = self.hash(dataset, key);
        let mut shard = lock(&self.shards[shard_of(h)]);
        if !shard.contains_key(&h) && shard.len() >= self.per_shard {
            evict_keys(&mut shard, self.per_shard, now, policy);
        }
        let state = shard.entry(h).or_default();
        state.prune(now, policy);

        let idx = match state.clients.iter().position(|c| c.client == client) {
            Some(i) => i,
            None => {
                if state.clients.len() >= MAX_CLIENTS_PER_KEY {
                    let oldest = state
                        .clients
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, c)| c.last_activity())
                        .map(|(i, _)| i);
                    if let Some(oldest) = oldest {
                        state.clients.swap_remove(oldest);
                    }
                }
                state.clients.push(ClientFailures {
                    client,
                    recent: Vec::new(),
                    lock: Lock::default(),
                });
                state.clients.len() - 1
            }
        };

        let keep = policy.client_failures.max(policy.key_failures).max(1) as usize;
        let own = &mut state.clients[idx];
        own.recent.push(now);
        if own.recent.len() > keep {
            own.recent.remove(0);
        }
        if own.lock.remaining(now).is_none() {
            let counted = own.recent.iter().filter(|t| own.lock.counts(**t)).count();
            if counted >= policy.client_failures.max(1) as usize {
                own.lock.engage(now, policy);
            }
        }

        if state.lock.remaining(now).is_none() {
            let key_lock = state.lock;
            let mut total = 0usize;
            let mut distinct = 0usize;
            for c in &state.clients {
                let n = c.recent.iter().filter(|t| key_lock.counts(**t)).count();
                total += n;
                distinct += usize::from(n > 0);
            }
            if total >= policy.key_failures.max(1) as usize
                && distinct >= policy.key_distinct_clients.max(1) as usize
            {
                state.lock.engage(now, policy);
            }
        }

        let own = &state.clients[idx];
        state.lock.remaining(now).max(own.lock.remaining(now)).map(RetryAfter)
    }

    /// Records a right answer by `client` for `key` of `dataset`: clears that client's failures
    /// and lock history for the key. Other clients' failures, and a key-wide lock, stay.
    pub fn record_success(&self, dataset: &str, key: &str, client: u64) {
        if !self.touched.load(Ordering::Relaxed) {
            return;
        }
        let h = self.hash(dataset, key);
        let mut shard = lock(&self.shards[shard_of(h)]);
        if let Some(state) = shard.get_mut(&h) {
            state.clients.retain(|c| c.client != client);
            if state.clients.is_empty() && state.lock.until.is_none() {
                shard.remove(&h);
            }
        }
    }

    /// Number of keys currently tracked.
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len()).sum()
    }

    /// Whether any wrong answer was ever recorded. Until then [`Lockouts::check`] and
    /// [`Lockouts::record_success`] ignore the client, so a caller may skip working it out.
    pub fn is_touched(&self) -> bool {
        self.touched.load(Ordering::Relaxed)
    }

    /// Whether no key is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every key with nothing left to remember at `now`; the server may call this from
    /// time to time, though full shards do it on their own.
    pub fn sweep(&self, now: Instant) {
        for shard in &self.shards {
            lock(shard).retain(|_, s| !s.idle(now, &self.policy));
        }
    }
}

/// Makes room in a full shard: drops idle keys, then if the shard is still above 7/8 of its
/// cap, unlocked and least recently active keys until it is at 7/8.
fn evict_keys(
    shard: &mut HashMap<u64, KeyState>,
    cap: usize,
    now: Instant,
    policy: &LockoutPolicy,
) {
    shard.retain(|_, s| !s.idle(now, policy));
    if shard.len() < cap {
        return;
    }
    let target = cap - cap / 8;
    let mut ranked: Vec<(bool, Option<Instant>, u64)> = shard
        .iter()
        .map(|(h, s)| {
            let (locked, last) = s.eviction_rank(now);
            (locked, last, *h)
        })
        .collect();
    ranked.sort_unstable();
    let excess = shard.len() - target.min(shard.len().saturating_sub(1));
    for (_, _, h) in ranked.into_iter().take(excess) {
        shard.remove(&h);
    }
}

// ---------------------------------------------------------------------------------------------
// Cost of scraping
// ---------------------------------------------------------------------------------------------

/// Expected time for `clients` clients, each held to `limits`, to walk `rows` keys by guessing
/// a second factor with `verify_space` possible values, as allowed by the token buckets alone
/// (lockouts only add to it, so this is a lower bound on the attacker's time).
///
/// Each row takes on average `(verify_space + 1) / 2` guesses (the right answer is equally
/// likely at every position). Each client spends its burst at once and then `per_minute` a
/// minute. With [`Limits::off`] the answer is zero; `clients` of 0 counts as 1.
///
/// Worked example, with [`Limits::default`] (60 a minute, burst 30): 1,000,000 candidates,
/// birth dates within one year (366 values, so 183.5 guesses each, 183,500,000 requests):
///
/// | clients | time |
/// |---|---|
/// | 1 | 183,499,970 s ≈ 2,124 days ≈ 5.8 years |
/// | 100 | 1,834,970 s ≈ 21.2 days |
/// | 1,000 | 183,470 s ≈ 2.1 days |
///
/// ```
/// use std::time::Duration;
/// use ketnoi_lookup::guard::{scraping_cost, Limits};
/// let one = scraping_cost(1_000_000, 366, &Limits::default(), 1);
/// assert_eq!(one, Duration::from_secs(183_499_970));
/// let thousand = scraping_cost(1_000_000, 366, &Limits::default(), 1_000);
/// assert_eq!(thousand, Duration::from_secs(183_470));
/// ```
pub fn scraping_cost(rows: u64, verify_space: u64, limits: &Limits, clients: u64) -> Duration {
    if limits.is_off() {
        return Duration::ZERO;
    }
    let clients = u128::from(clients.max(1));
    // Twice the expected number of requests, to stay in integers.
    let twice_requests = u128::from(rows) * (u128::from(verify_space) + 1);
    let twice_free = 2 * clients * u128::from(limits.burst.max(1));
    let twice_paid = twice_requests.saturating_sub(twice_free);
    // Each paid request costs 60 s / per_minute of one client's time; clients work in parallel.
    let per_minute = u128::from(limits.per_minute.max(1));
    let Some(scaled) = twice_paid.checked_mul(60_000_000_000) else {
        return Duration::MAX;
    };
    let nanos = scaled / (2 * clients * per_minute);
    let secs = nanos / 1_000_000_000;
    let sub = (nanos % 1_000_000_000) as u32;
    match u64::try_from(secs) {
        Ok(secs) => Duration::new(secs, sub),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_lengths_double_and_cap() {
        let p = LockoutPolicy::default();
        let mins: Vec<u64> = (0..10).map(|l| p.lock_length(l).as_secs() / 60).collect();
        assert_eq!(mins, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440]);
        assert_eq!(p.lock_length(40), p.max_lock);
        assert_eq!(p.lock_length(u32::MAX), p.max_lock);
    }

    #[test]
    fn retry_after_header_rounds_up() {
        assert_eq!(RetryAfter(Duration::from_millis(1)).header_secs(), 1);
        assert_eq!(RetryAfter(Duration::ZERO).header_secs(), 1);
        assert_eq!(RetryAfter(Duration::from_millis(1_001)).header_secs(), 2);
        assert_eq!(RetryAfter(Duration::from_secs(300)).header_secs(), 300);
    }

    /// The worked example of the docs, printed with `cargo test -- --nocapture`.
    #[test]
    fn scraping_cost_worked_example() {
        let limits = Limits::default();
        for clients in [1u64, 10, 100, 1_000, 10_000] {
            let cost = scraping_cost(1_000_000, 366, &limits, clients);
            println!(
                "1,000,000 rows, 366 birth dates, {clients} clients: {} s = {:.1} days",
                cost.as_secs(),
                cost.as_secs_f64() / 86_400.0
            );
        }
        // 183,500,000 requests at 60 a minute, less the 30-request burst.
        let one = scraping_cost(1_000_000, 366, &limits, 1);
        assert_eq!(one, Duration::from_secs((183_500_000 - 30) * 60 / 60));
        assert_eq!(scraping_cost(1_000_000, 366, &Limits::off(), 1), Duration::ZERO);
        assert_eq!(scraping_cost(u64::MAX, u64::MAX, &limits, 1), Duration::MAX);
        assert!(scraping_cost(1_000_000, 366, &limits, 0) == one);
    }
}
