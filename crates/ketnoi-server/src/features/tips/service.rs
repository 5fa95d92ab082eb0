//! Tips: reports to a police unit, sealed to the unit's keys before the server sees them.
//!
//! What the server does with a tip is small on purpose: it works out which units receive a tip
//! sent from an account about a place ([`recipients`]), checks that an envelope sealed in a
//! browser is well formed and sealed to exactly those units ([`wire::check_envelope`]), stores it with
//! the Argon2id hash of its receipt's authentication secret ([`accept`]), and hands stored
//! ciphertext back to the unit's officers and, by receipt code, to the reporter. The format is
//! `ketnoi_seal`'s and docs/SECURITY.md's "Envelope v1".
//!
//! Where a browser cannot seal (no JavaScript, or no WebCrypto outside a secure context),
//! [`seal_on_server`] seals the same envelope in memory from the posted form; nothing of the
//! plaintext is written or logged, and the page says so.
//!
//! No tip path reads or keeps a client's address beyond [`TipGuard`]'s rate limits, whose keys
//! are HMACs under a random key held in memory and replaced every day, and no anonymous
//! submission reads a cookie or a session.

use std::{
    net::IpAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use ketnoi_core::{
    Account, AccountKind, Agency, AgencyId, AgencyKind, AreaCode, CitizenId, Timestamp, TipCategory,
};
use ketnoi_store::{NewTip, NewTipAttachment, Store, UnitKey};
use rand::RngCore as _;

use crate::{
    kernel::error::ApiError,
    kernel::ratelimit::{Limit, RateLimiter},
    kernel::state::{Kernel, feature_state},
};

pub(crate) use crate::features::tips::wire::{Clear, MAX_ATTACHMENTS, MAX_DESCRIPTION, Mode};

/// Submissions per client: ten at once, then one every six minutes (a village behind one
/// carrier address still gets through; a flood does not).
const SUBMIT_LIMIT: Limit = Limit::new(10, Duration::from_secs(6 * 60));

/// Wrong receipt codes per client: ten, then one every six minutes. A right code costs nothing,
/// but once the allowance is spent every try is refused, right or wrong, so guessing cannot
/// go on behind a refusal.
const RECEIPT_LIMIT: Limit = Limit::new(10, Duration::from_secs(6 * 60));

/// What the tip routes and pages hold: the kernel and the tip paths' own limits.
#[derive(Clone)]
pub struct TipsState {
    /// What every feature reaches.
    pub kernel: Kernel,
    /// The tip paths' rate limits, keyed under a daily in-memory key.
    pub guard: Arc<TipGuard>,
    /// Tells the receiving units' key holders, live, that a tip arrived.
    pub hub: Arc<dyn crate::kernel::hub::Hub>,
}
feature_state!(TipsState);

/// Rate limits for the tip paths, keyed by an HMAC of the client's address under a random key
/// that lives only in memory and is replaced at the start of each day (UTC). Yesterday's keys
/// cannot be recomputed by anyone, this server included, so the limiter's memory says nothing
/// about who sent what.
///
/// It also bounds the Argon2id work the tip paths do (each receipt check and each submission
/// hashes with 19 MiB of memory): at most one per core at a time, waiting briefly for a turn,
/// so that a flood of guesses from many addresses costs the server a queue, not its memory.
#[derive(Debug)]
pub struct TipGuard {
    today: Mutex<(i64, Arc<RateLimiter>)>,
    hashing: Arc<tokio::sync::Semaphore>,
}

impl Default for TipGuard {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Self {
            today: Mutex::new((day(), Arc::new(RateLimiter::new()))),
            hashing: Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

/// How long a request waits for a turn at Argon2id before it is told to come back.
const HASHING_WAIT: Duration = Duration::from_secs(5);

/// The client as the tip limits count it: an IPv4 address, or an IPv6 /64 (one subscriber's
/// network, which hands its devices any address inside it).
fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

fn day() -> i64 {
    Timestamp::now().millis().div_euclid(24 * 3600 * 1000)
}

impl TipGuard {
    /// Today's limiter.
    fn limiter(&self) -> Arc<RateLimiter> {
        self.limiter_on(day())
    }

    /// The limiter of day `now` (days since 1970, UTC): a fresh key and empty buckets when the
    /// day has changed, the old key dropped.
    fn limiter_on(&self, now: i64) -> Arc<RateLimiter> {
        let mut today = self.today.lock().unwrap_or_else(|p| p.into_inner());
        if today.0 != now {
            *today = (now, Arc::new(RateLimiter::new()));
        }
        today.1.clone()
    }

    /// Takes one submission from the client's allowance.
    pub(crate) fn submission(&self, ip: IpAddr) -> Result<(), ApiError> {
        submission_from(&self.limiter(), ip)
    }

    /// A turn at Argon2id, or 503 with `Retry-After` when every core has been busy for a while.
    pub(crate) async fn hashing_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
        match tokio::time::timeout(HASHING_WAIT, self.hashing.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError::Busy { retry_after: 2 }),
        }
    }

    /// Takes a receipt try from the client's allowance before the code is checked, so that
    /// tries sent at the same moment cannot all get through; refused once wrong tries are spent.
    pub(crate) fn receipt_try(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.limiter()
            .check("tip-receipt", &client_key(ip), RECEIPT_LIMIT)
            .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
    }

    /// Gives the try back: the code was right, and right codes cost nothing.
    pub(crate) fn receipt_right(&self, ip: IpAddr) {
        self.limiter().refund("tip-receipt", &client_key(ip), RECEIPT_LIMIT);
    }
}

fn submission_from(limiter: &RateLimiter, ip: IpAddr) -> Result<(), ApiError> {
    limiter
        .check("tip-submit", &client_key(ip), SUBMIT_LIMIT)
        .map_err(|retry_after| ApiError::TooManyRequests { retry_after })
}

/// A unit that receives a tip, with the key it is sealed to.
#[derive(Debug, Clone)]
pub(crate) struct Recipient {
    pub(crate) unit: Agency,
    pub(crate) key: UnitKey,
}

/// The account a tip form belongs to: a police account, or 404.
pub(crate) async fn police_account(state: &Kernel, slug: &str) -> Result<Account, ApiError> {
    let account = state.account(slug).await?;
    if account.kind != AccountKind::Police {
        return Err(ApiError::NotFound("tip-form"));
    }
    Ok(account)
}

/// The areas a tip sent from `account` may be about: the account's agency's area and the areas
/// below it, two levels down (a province's communes through their districts), by name.
pub(crate) async fn places(
    store: &dyn Store,
    account: &Account,
) -> Result<Vec<ketnoi_core::Area>, ApiError> {
    let agency = store.agency(account.agency).await?.ok_or(ApiError::NotFound("agency"))?;
    let mut out = Vec::new();
    if let Some(own) = store.area(&agency.area).await? {
        out.push(own);
    }
    let mut level = vec![agency.area.clone()];
    for _ in 0..2 {
        let mut next = Vec::new();
        for code in &level {
            for child in store.area_children(Some(code)).await? {
                next.push(child.code.clone());
                out.push(child);
            }
        }
        level = next;
    }
    Ok(out)
}

/// The units that receive a tip sent from `account` about `area`, each with its current key.
///
/// The first is the police unit, among the account's agency and the agencies below it, whose
/// area is nearest to `area` (the place itself, else the nearest area above it). A unit that
/// has no key yet passes its tips up to the nearest unit above it that has one. The receiving
/// unit's parent gets a copy when the unit's setting says so and the parent holds a key.
pub(crate) async fn recipients(
    store: &dyn Store,
    account: &Account,
    area: &AreaCode,
) -> Result<Vec<Recipient>, ApiError> {
    let top = store.agency(account.agency).await?.ok_or(ApiError::NotFound("agency"))?;
    let above: Vec<AreaCode> =
        store.area_ancestry(area).await?.into_iter().map(|a| a.code).collect();
    if above.is_empty() {
        return Err(ApiError::BadTip { code: "tip-bad-area", field: "area" });
    }
    if !above.contains(&top.area) {
        return Err(ApiError::BadTip { code: "tip-area-outside", field: "area" });
    }
    let police: Vec<Agency> = store
        .agency_subtree(top.id)
        .await?
        .into_iter()
        .filter(|a| a.kind == AgencyKind::Police)
        .collect();
    // The nearest area first; among units of the same area, the deepest (listed last).
    let nearest = above
        .iter()
        .find_map(|code| police.iter().rev().find(|a| &a.area == code))
        .cloned()
        .unwrap_or_else(|| top.clone());
    let mut chain = vec![nearest.clone()];
    let mut at = nearest;
    while at.id != top.id {
        let Some(parent) = at.parent else { break };
        let Some(up) = store.agency(parent).await? else { break };
        chain.push(up.clone());
        at = up;
    }
    for (i, unit) in chain.iter().enumerate() {
        if unit.kind != AgencyKind::Police {
            continue;
        }
        let Some(key) = store.current_unit_key(unit.id).await? else { continue };
        let mut out = vec![Recipient { unit: unit.clone(), key }];
        if store.tip_settings(unit.id).await?.copy_parent
            && let Some(parent) = unit.parent
        {
            let parent = match chain.get(i + 1) {
                Some(p) if p.id == parent => Some(p.clone()),
                _ => store.agency(parent).await?,
            };
            if let Some(parent) = parent.filter(|p| p.kind == AgencyKind::Police)
                && let Some(key) = store.current_unit_key(parent.id).await?
            {
                out.push(Recipient { unit: parent, key });
            }
        }
        return Ok(out);
    }
    Err(ApiError::TipsClosed)
}

/// Checks the clear fields a citizen chose, for `account`, and returns them normalised.
pub(crate) fn check_clear(account: &Account, clear: &Clear) -> Result<(), ApiError> {
    if clear.account != account.slug.as_str() {
        return Err(ApiError::BadTip { code: "tip-wrong-account", field: "account" });
    }
    clear
        .category
        .parse::<TipCategory>()
        .map_err(|_| ApiError::BadTip { code: "tip-bad-category", field: "category" })?;
    AreaCode::parse(&clear.area)
        .map_err(|_| ApiError::BadTip { code: "tip-bad-area", field: "area" })?;
    crate::features::tips::wire::check_occurred(&clear.occurred, Timestamp::now())?;
    Ok(())
}

/// A tip ready to store: its envelope checked, its attachments' ciphertext in hand.
pub(crate) struct Sealed {
    pub(crate) clear: Clear,
    pub(crate) envelope: String,
    pub(crate) attachments: Vec<Vec<u8>>,
    pub(crate) receipt_lookup: String,
    pub(crate) receipt_auth: String,
}

/// Stores a checked tip for its units: attachments in the blob store under random names, the
/// rest in one transaction. An identified tip names its citizen; an anonymous one names nobody.
pub(crate) async fn accept(
    state: &TipsState,
    account: &Account,
    units: &[Recipient],
    sealed: Sealed,
    citizen: Option<CitizenId>,
) -> Result<(), ApiError> {
    let auth = sealed.receipt_auth;
    let turn = state.guard.hashing_turn().await?;
    let receipt_hash = tokio::task::spawn_blocking(move || {
        let hashed = ketnoi_seal::receipt::hash_auth(&auth);
        drop(turn);
        hashed
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?
    .map_err(|_| ApiError::BadTip { code: "tip-bad-receipt", field: "receipt" })?;
    let mut attachments = Vec::with_capacity(sealed.attachments.len());
    for bytes in &sealed.attachments {
        let key = blob_name();
        if let Err(e) = state.blobs.put(&key, bytes).await {
            forget(state, &attachments).await;
            return Err(e.into());
        }
        attachments.push(NewTipAttachment { blob_key: key, size: bytes.len() as i64 });
    }
    let anonymous = sealed.clear.mode == Mode::Anonymous;
    let at = Timestamp::now();
    let tip = NewTip {
        account: account.id,
        units: units.iter().map(|r| r.unit.id).collect(),
        category: sealed.clear.category.clone(),
        area: AreaCode::parse(&sealed.clear.area)?,
        occurred: sealed.clear.occurred.clone(),
        anonymous,
        citizen: if anonymous { None } else { citizen },
        envelope: sealed.envelope,
        attachments,
        receipt_lookup: stored_lookup(state, &sealed.receipt_lookup),
        receipt_hash,
        at,
        deadline_at: state.config.tip_deadlines.first(at),
    };
    if let Err(e) = state.store.create_tip(&tip).await {
        forget(state, &tip.attachments).await;
        return Err(match e {
            ketnoi_store::StoreError::Conflict(_) => {
                ApiError::BadTip { code: "tip-bad-receipt", field: "receipt" }
            }
            other => other.into(),
        });
    }
    for r in units {
        // The notice names the unit and nothing of the tip.
        tracing::info!(unit = %r.unit.code, "new tip");
        tell_key_holders(state, &r.unit).await;
    }
    Ok(())
}

/// Tells the officers who hold the unit's current key, on every screen they have open on this
/// node, that a tip arrived for the unit: its code and name, and the way to its inbox. Nothing
/// of the tip — not its category, place or time — so that a screen seen over a shoulder gives
/// nothing away. A failure to look up the holders costs only the notice.
async fn tell_key_holders(state: &TipsState, unit: &Agency) {
    let holders = match state.store.current_unit_key(unit.id).await {
        Ok(Some(key)) => match state.store.key_copies(unit.id).await {
            Ok(copies) => copies
                .into_iter()
                .filter(|c| c.unit_kid == key.kid)
                .map(|c| c.staff)
                .collect::<std::collections::BTreeSet<_>>(),
            Err(e) => {
                tracing::warn!(error = %e, "could not list a unit's key holders");
                return;
            }
        },
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not read a unit's key");
            return;
        }
    };
    let frame: Arc<str> = serde_json::json!({
        "type": "tip-new",
        "unit": unit.code.as_str(),
        "unit_name": unit.name,
        "href": format!("/console/don-vi/{}/tin-bao", unit.code),
    })
    .to_string()
    .into();
    for staff in holders {
        state.hub.tell(staff, &frame);
    }
}

async fn forget(state: &Kernel, attachments: &[NewTipAttachment]) {
    for a in attachments {
        if let Err(e) = state.blobs.delete(&a.blob_key).await {
            tracing::warn!(error = ?e, "could not remove an orphaned tip attachment");
        }
    }
}

fn blob_name() -> String {
    let mut raw = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut raw);
    crate::kernel::http::hex(&raw)
}

/// A file a citizen attached on the form without JavaScript, still in clear, in memory only.
pub(crate) struct PlainFile {
    pub(crate) name: String,
    pub(crate) content_type: String,
    pub(crate) bytes: Vec<u8>,
}

/// What the form without JavaScript posted, in memory only.
pub(crate) struct PlainTip {
    pub(crate) clear: Clear,
    pub(crate) description: String,
    pub(crate) place: String,
    pub(crate) files: Vec<PlainFile>,
}

/// Seals a tip the browser could not seal, in memory: photos lose their metadata first (JPEG,
/// PNG and WebP; videos and documents keep theirs, and the form says so). Returns the sealed
/// tip and its receipt code, which is shown once and kept nowhere.
pub(crate) async fn seal_on_server(
    plain: PlainTip,
    units: &[Recipient],
) -> Result<(Sealed, String), ApiError> {
    let keys = units
        .iter()
        .map(|r| {
            let raw = crate::features::tips::wire::b64u_decode(&r.key.public_key).ok()?;
            <[u8; ketnoi_seal::PUBLIC_LEN]>::try_from(raw.as_slice()).ok()
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("a unit's public key does not decode"))
        })?;
    tokio::task::spawn_blocking(move || seal_now(plain, &keys))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
}

fn seal_now(
    plain: PlainTip,
    keys: &[[u8; ketnoi_seal::PUBLIC_LEN]],
) -> Result<(Sealed, String), ApiError> {
    let code = ketnoi_seal::receipt::new_code();
    let receipt = ketnoi_seal::receipt::derive(&code)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("receipt: {e}")))?;
    let mut files = Vec::with_capacity(plain.files.len());
    for f in plain.files {
        let bytes = match ketnoi_media::sniff(&f.bytes) {
            // A photo whose structure cannot be walked cannot be cleaned either: refused, so
            // that no location leaves with it.
            Some(kind) if kind.kind == ketnoi_media::Kind::Image => {
                ketnoi_media::strip_metadata(kind, &f.bytes)
                    .map_err(|_| ApiError::BadTip { code: "tip-bad-photo", field: "attachment" })?
            }
            _ => f.bytes,
        };
        files.push(ketnoi_seal::PlainFile { name: f.name, content_type: f.content_type, bytes });
    }
    let mut details = std::collections::BTreeMap::new();
    if !plain.place.is_empty() {
        details.insert("place".to_owned(), plain.place);
    }
    let clear = plain.clear;
    let (envelope, attachments) = ketnoi_seal::seal_report(&ketnoi_seal::Draft {
        clear: &clear,
        recipients: keys,
        description: &plain.description,
        details: &details,
        files: &files,
        reply_key: &receipt.reply_key,
        sealed_by: ketnoi_seal::SealedBy::Server,
    })
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("sealing: {e}")))?;
    let envelope = serde_json::to_string(&envelope).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        Sealed {
            clear,
            envelope,
            attachments,
            receipt_lookup: receipt.lookup.clone(),
            receipt_auth: receipt.auth.clone(),
        },
        code,
    ))
}

/// The tip a receipt opens, once its authentication secret checks out; `None` for a wrong code
/// (an unknown lookup id or a wrong secret, told apart by nobody).
pub(crate) async fn by_receipt(
    state: &TipsState,
    lookup: &str,
    auth: &str,
) -> Result<Option<ketnoi_store::Tip>, ApiError> {
    let found = state.store.tip_by_receipt(&stored_lookup(state, lookup)).await?;
    // An unknown lookup id is checked against a decoy hash: the same work as a real check, so
    // a wrong code answers no faster.
    let hash =
        found.as_ref().map_or_else(|| decoy_receipt_hash().to_owned(), |t| t.receipt_hash.clone());
    let auth = auth.to_owned();
    let turn = state.guard.hashing_turn().await?;
    let ok = tokio::task::spawn_blocking(move || {
        let ok = ketnoi_seal::receipt::verify_auth(&hash, &auth);
        drop(turn);
        ok
    })
    .await
    .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(found.filter(|_| ok))
}

/// A receipt's lookup id as storage keeps it: an HMAC under the server's secret key. The lookup
/// id is a fast derivation of the code, so a database copy holding it in clear would let anyone
/// test guessed codes against every tip at once; keyed, it cannot be tested without the secret,
/// which lives in the server's configuration, not in the database or its backups.
fn stored_lookup(state: &Kernel, lookup: &str) -> String {
    use hmac::Mac as _;
    let mut mac = match hmac::Hmac::<sha2::Sha256>::new_from_slice(
        state.config.secret_key.expose().as_bytes(),
    ) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch cannot be taken.
        Err(_) => return lookup.to_owned(),
    };
    mac.update(b"ketnoi tip receipt lookup\0");
    mac.update(lookup.as_bytes());
    crate::features::tips::wire::b64u(&mac.finalize().into_bytes()[..16])
}

/// A real Argon2id hash of nothing anyone knows, to verify against when a lookup id is unknown.
fn decoy_receipt_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let mut raw = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut raw);
        ketnoi_seal::receipt::hash_auth(&crate::features::tips::wire::b64u(&raw))
            .unwrap_or_default()
    })
}

/// Whether the caller may handle the unit's tips: 401 for nobody, 403 for anyone but the unit's
/// own officers and administrators, and 403 `second-factor-required` for those of them who have
/// not turned two-factor sign-in on.
pub(crate) async fn require_unit(
    state: &Kernel,
    caller: &crate::kernel::auth::Caller,
    unit: AgencyId,
) -> Result<(), ApiError> {
    let ancestry = state.store.agency_ancestry(unit).await?;
    caller.require(ketnoi_core::Action::HandleTips, Some(&ancestry))?;
    // Whoever reads tips or holds a tip key signs in with a second factor (issue 20).
    crate::kernel::second_factor::require(state, caller).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap_or_else(|e| panic!("{e}"));
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap_or_else(|e| panic!("{e}"));
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        assert_eq!(client_key([203, 0, 113, 9].into()), "203.0.113.9");
    }

    #[test]
    fn the_tip_limiter_starts_afresh_with_a_new_key_each_day() {
        let guard = TipGuard::default();
        let ip: IpAddr = [203, 0, 113, 9].into();
        let monday = guard.limiter_on(20_000);
        for _ in 0..SUBMIT_LIMIT.burst {
            assert!(submission_from(&monday, ip).is_ok());
        }
        assert!(submission_from(&guard.limiter_on(20_000), ip).is_err(), "same day, same bucket");
        let tuesday = guard.limiter_on(20_001);
        assert!(!Arc::ptr_eq(&monday, &tuesday), "a new limiter, with a new random key");
        assert!(tuesday.is_empty(), "yesterday's buckets are gone");
        assert!(submission_from(&tuesday, ip).is_ok());
    }
}
